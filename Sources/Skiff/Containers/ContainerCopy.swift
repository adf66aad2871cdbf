import ContainerControlWire
import Foundation
import LinuxKernel
import OCI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `skiff cp` between a host path and a container's files, with docker cp's rules (a directory
/// destination receives the source by its name; `SRC/.` copies a directory's contents; a missing
/// destination is created). Inside the container every path goes through the container's own
/// file system (`ContainerFileSystem`): `..` stops at its root and symlinks are followed inside
/// it, so no path reaches the host outside the container's writable layer. Files copied in
/// belong to root; their modes are kept. The container's --tmpfs and bind mounts are not
/// reached (its own files are).
public enum ContainerCopy {
    /// `skiff cp HOSTPATH CONTAINER:PATH`: a running container's own skiff process does the
    /// copy (its writable layer's state lives there); a stopped one is mounted here, its run
    /// lock held meanwhile.
    public static func copy(into record: ContainerRecord, images: ImageStore, containers: ContainerStore,
                            source: String, destination: String) throws(SkiffError) {
        let absolute = source.hasPrefix("/") ? source : FileManager.default.currentDirectoryPath + "/" + source
        if containers.isRunning(record) {
            var request = ControlRequest(.copyIn)
            request.source = absolute
            request.destination = destination
            _ = try ContainerControl.status(try ContainerControl.connect(containers, record, request), container: record.name)
            return
        }
        guard let lock = containers.lock(record.id) else {
            throw SkiffError(.invalidArgument, "container \(record.name) is starting; try again")
        }
        defer { close(lock) }
        if record.readOnly { throw SkiffError(.invalidArgument, "container \(record.name) has a read-only root filesystem") }
        let mounted = try ContainerRootMount(images: images, containers: containers, record: record, readOnly: false)
        let oldMask = umask(0)
        defer { umask(oldMask) }
        try copyIn(from: absolute, to: destination, root: mounted.root)
        try mounted.saveAttributes()
    }

    /// `skiff cp CONTAINER:PATH HOSTPATH`, running or not (read through a read-only view).
    public static func copy(outOf record: ContainerRecord, images: ImageStore, containers: ContainerStore,
                            source: String, destination: String) throws(SkiffError) {
        let mounted = try ContainerRootMount(images: images, containers: containers, record: record, readOnly: true)
        try copyOut(from: source, to: destination, root: mounted.root)
    }

    /// Copies the host path `source` to `destination` in the container.
    public static func copyIn(from source: String, to destination: String, root: ContainerFileSystem) throws(SkiffError) {
        var st = stat()
        guard lstat(source, &st) == 0 else { throw SkiffError(.notFound, "could not find \(source) on the host: \(String(cString: strerror(errno)))") }
        let sourceIsDirectory = st.st_mode & S_IFMT == S_IFDIR
        let contentsOnly = sourceIsDirectory && (source.hasSuffix("/.") || source == ".")
        let target: (path: String, status: FileStat?)
        do throws(Errno) { target = try root.resolve(destination) } catch {
            throw SkiffError(.notFound, "cannot copy to \(destination) in the container: \(error.name)")
        }
        var guestPath = target.path
        if let status = target.status {
            if status.isDirectory {
                if !contentsOnly { guestPath = join(target.path, baseName(source)) }
            } else if sourceIsDirectory {
                throw SkiffError(.invalidArgument, "cannot copy a directory to a file (\(destination))")
            }
        } else if destination.hasSuffix("/") && !sourceIsDirectory {
            throw SkiffError(.notFound, "destination directory \(destination) does not exist in the container")
        }
        try copyInNode(host: Array(source.utf8CString), guest: Array(guestPath.utf8), root: root)
    }

    // Below the paths the user gave, paths are bytes (host: NUL-terminated; guest: without the
    // NUL): names found in a tree need not be UTF-8.

    private static func copyInNode(host hostPath: [CChar], guest: [UInt8], root: ContainerFileSystem) throws(SkiffError) {
        let host = String(cString: hostPath)
        var st = stat()
        guard lstat(hostPath, &st) == 0 else { throw SkiffError(.io, "cannot read \(host): \(String(cString: strerror(errno)))") }
        let existing = try? root.stat(guest)
        let mode = UInt32(st.st_mode) & 0o7777
        let failure = "cannot copy \(host) to \(BytePath.display(guest)) in the container"
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            if let existing {
                guard existing.isDirectory else { throw SkiffError(.invalidArgument, "\(failure): not a directory there") }
            } else {
                try inContainer(failure) { () throws(Errno) in try root.makeDirectory(guest, mode: mode) }
            }
            for name in try hostEntries(hostPath) {
                try copyInNode(host: BytePath.child(hostPath, name), guest: child(guest, name.map { UInt8(bitPattern: $0) }), root: root)
            }
        case S_IFREG:
            let input = open(hostPath, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else { throw SkiffError(.io, "cannot read \(host): \(String(cString: strerror(errno)))") }
            defer { close(input) }
            let output = try inContainer(failure) { () throws(Errno) in try root.createFile(guest, mode: mode) }
            defer { close(output) }
            try pump(from: input, to: output, what: host)
        case S_IFLNK:
            if existing != nil { throw SkiffError(.invalidArgument, "\(failure): something is there already") }
            var buffer = [CChar](repeating: 0, count: 4096)
            let n = readlink(hostPath, &buffer, buffer.count)
            guard n >= 0 else { throw SkiffError(.io, "cannot read the link \(host): \(String(cString: strerror(errno)))") }
            try inContainer(failure) { () throws(Errno) in try root.makeSymlink(guest, target: buffer[0..<n].map { UInt8(bitPattern: $0) }) }
        default:
            throw SkiffError(.unsupported, "cannot copy \(host): only files, directories and symlinks are copied")
        }
    }

    /// Copies `source` in the container to the host path `destination`.
    public static func copyOut(from source: String, to destination: String, root: ContainerFileSystem) throws(SkiffError) {
        let found: (path: String, status: FileStat?)
        do throws(Errno) { found = try root.resolve(source, followLast: false) } catch {
            throw SkiffError(.notFound, "could not find the file \(source) in the container: \(error.name)")
        }
        guard let status = found.status else { throw SkiffError(.notFound, "could not find the file \(source) in the container") }
        let contentsOnly = status.isDirectory && (source.hasSuffix("/.") || source == ".")
        var hostPath = destination
        var st = stat()
        if stat(destination, &st) == 0 {
            if st.st_mode & S_IFMT == S_IFDIR {
                if !contentsOnly { hostPath = join(destination, baseName(found.path)) }
            } else if status.isDirectory {
                throw SkiffError(.invalidArgument, "cannot copy a directory to a file (\(destination))")
            }
        } else if destination.hasSuffix("/") && !status.isDirectory {
            throw SkiffError(.notFound, "destination directory \(destination) does not exist")
        }
        try copyOutNode(guest: Array(found.path.utf8), host: Array(hostPath.utf8CString), root: root)
    }

    private static func copyOutNode(guest: [UInt8], host hostPath: [CChar], root: ContainerFileSystem) throws(SkiffError) {
        let host = String(cString: hostPath)
        let failure = "cannot copy \(BytePath.display(guest)) from the container"
        let st = try inContainer(failure) { () throws(Errno) in try root.stat(guest) }
        if st.isDirectory {
            var existing = stat()
            if lstat(hostPath, &existing) != 0 {
                guard mkdir(hostPath, mode_t(st.mode & 0o7777 | 0o700)) == 0 else {
                    throw SkiffError(.io, "cannot create \(host): \(String(cString: strerror(errno)))")
                }
            } else if existing.st_mode & S_IFMT != S_IFDIR {
                throw SkiffError(.invalidArgument, "cannot overwrite \(host) with a directory")
            }
            for name in try inContainer(failure, { () throws(Errno) in try root.entries(guest) }) {
                try copyOutNode(guest: child(guest, name), host: BytePath.child(hostPath, name.map { CChar(bitPattern: $0) }), root: root)
            }
        } else if st.isRegular {
            unlinkIfLink(hostPath)
            let output = open(hostPath, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode_t(st.mode & 0o7777 | 0o600))
            guard output >= 0 else { throw SkiffError(.io, "cannot write \(host): \(String(cString: strerror(errno)))") }
            defer { close(output) }
            var failed = false
            try inContainer(failure) { () throws(Errno) in
                try root.read(guest) { chunk in
                    if !failed && !writeAll(output, chunk) { failed = true }
                }
            }
            if failed { throw SkiffError(.io, "cannot write \(host): \(String(cString: strerror(errno)))") }
            _ = fchmod(output, mode_t(st.mode & 0o7777))
        } else if st.isSymlink {
            let target = try inContainer(failure) { () throws(Errno) in try root.readLink(guest) }
            unlinkIfLink(hostPath)
            guard symlink(target.map { CChar(bitPattern: $0) } + [0], hostPath) == 0 else {
                throw SkiffError(.io, "cannot create the link \(host): \(String(cString: strerror(errno)))")
            }
        } else {
            throw SkiffError(.unsupported, "cannot copy \(BytePath.display(guest)): only files, directories and symlinks are copied")
        }
    }

    /// `body`'s errno as a SkiffError saying `what` failed.
    private static func inContainer<T>(_ what: String, _ body: () throws(Errno) -> T) throws(SkiffError) -> T {
        do throws(Errno) { return try body() } catch { throw SkiffError(.io, "\(what): \(error.name)") }
    }

    // MARK: Helpers

    private static func unlinkIfLink(_ path: [CChar]) {
        var st = stat()
        if lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK { unlink(path) }
    }

    private static func hostEntries(_ path: [CChar]) throws(SkiffError) -> [[CChar]] {
        guard let names = BytePath.entries(of: path) else {
            throw SkiffError(.io, "cannot list \(String(cString: path)): \(String(cString: strerror(errno)))")
        }
        return names.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// Guest path `directory`/`name`.
    private static func child(_ directory: [UInt8], _ name: [UInt8]) -> [UInt8] {
        directory.last == 0x2f ? directory + name : directory + [0x2f] + name
    }

    private static func pump(from input: Int32, to output: Int32, what: String) throws(SkiffError) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw SkiffError(.io, "cannot read \(what): \(String(cString: strerror(errno)))") }
            if n == 0 { return }
            let ok = buffer.withUnsafeBytes { writeAll(output, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            if !ok { throw SkiffError(.io, "cannot write into the container: \(String(cString: strerror(errno)))") }
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 { if errno == EINTR { continue }; return false }
            done += n
        }
        return true
    }

    static func baseName(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        return p.split(separator: "/").last.map(String.init) ?? "/"
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
