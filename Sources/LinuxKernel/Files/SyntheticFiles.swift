/// A read-only file whose contents were generated when it was opened (/proc files).
final class GeneratedFile: FileDescription {
    let contents: [UInt8]
    let fileStat: FileStat
    private var offset = 0

    init(contents: [UInt8], path: [UInt8], stat: FileStat) {
        self.contents = contents
        self.fileStat = stat
        super.init(flags: LinuxOpenFlags.readOnly, path: path)
    }

    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        let n = try read(into: buffer, at: Int64(offset))
        offset += n
        return n
    }

    override func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        if offset < 0 { throw .EINVAL }
        if offset >= Int64(contents.count) { return 0 }
        let n = min(buffer.count, contents.count - Int(offset))
        contents.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + Int(offset), byteCount: n)
        }
        return n
    }

    override func write(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int { throw .EBADF }

    override func seek(offset: Int64, whence: Int32) throws(Errno) -> Int64 {
        let base: Int64
        switch whence {
        case 0: base = 0
        case 1: base = Int64(self.offset)
        case 2: base = Int64(contents.count)
        default: throw .EINVAL
        }
        let target = base + offset
        if target < 0 { throw .EINVAL }
        self.offset = Int(target)
        return target
    }

    override func stat() throws(Errno) -> FileStat { fileStat }
}

/// A directory of a synthetic file system, listed when opened.
final class SyntheticDirectory: FileDescription {
    let entries: [DirectoryEntry]
    let fileStat: FileStat
    let components: [[UInt8]]
    let fileSystem: FileSystem
    /// The process a /proc/PID directory is of (pidfd_send_signal takes its descriptor as a pidfd).
    let process: Process?

    init(entries: [DirectoryEntry], components: [[UInt8]], stat: FileStat, fileSystem: FileSystem, flags: Int32,
         process: Process? = nil) {
        self.entries = entries
        self.process = process
        self.fileStat = stat
        self.components = components
        self.fileSystem = fileSystem
        super.init(flags: flags & ~LinuxOpenFlags.closeOnExec, path: Path.absolute(components))
    }

    override var location: [[UInt8]]? { components }
    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int { throw .EISDIR }
    override func stat() throws(Errno) -> FileStat { fileStat }
    override func fileSystemStat() throws(Errno) -> FileSystemStat { try fileSystem.fileSystemStat([]) }

    override func readDirectory() throws(Errno) -> [DirectoryEntry] {
        directoryPosition < entries.count ? Array(entries[directoryPosition...]) : []
    }

    override func seek(offset: Int64, whence: Int32) throws(Errno) -> Int64 {
        switch whence {
        case 0 where offset >= 0: directoryPosition = Int(clamping: offset)
        case 1 where directoryPosition + Int(clamping: offset) >= 0: directoryPosition += Int(clamping: offset)
        default: throw .EINVAL
        }
        return Int64(directoryPosition)
    }
}

/// makedev() as glibc encodes it.
func makeDevice(_ major: UInt64, _ minor: UInt64) -> UInt64 {
    (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12) | ((major & ~0xfff) << 32)
}

func deviceMajor(_ dev: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfff)) }
func deviceMinor(_ dev: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: (dev & 0xff) | ((dev >> 12) & ~0xff)) }
