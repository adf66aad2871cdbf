import Foundation
import LinuxKernel
import OCI

/// Tar archives of a container's files:
/// - `export`: the merged tree (image below, writable layer above, whiteouts applied), as
///   `docker export` writes it;
/// - `layer`: the writable layer alone as an OCI layer changeset (`.wh.` whiteouts, opaque
///   markers), for `skiff commit`.
/// Owners, modes and times are the guest's view (the attribute records of the writable layer),
/// not the host's. Hard links inside the archived tree stay hard links.
struct ContainerArchiver {
    let root: ContainerFileSystem
    let tar: TarWriter
    /// Guest paths never archived by `layer`: files Skiff mounts over (/etc/hosts…), whose
    /// placeholders in the writable layer are not the container's changes.
    var skippedInLayer: Set<String> = []
    private var linkNames: [UInt64: [UInt8]] = [:]

    init(root: ContainerFileSystem, tar: TarWriter) {
        self.root = root
        self.tar = tar
    }

    // Paths are bytes ("/a/b", "" for the root): the guest's names need not be UTF-8.

    // MARK: export

    /// Every file of the merged tree, parents before children, names sorted.
    mutating func exportTree() throws(SkiffError) {
        try exportDirectory([])
    }

    private mutating func exportDirectory(_ path: [UInt8]) throws(SkiffError) {
        let names: [[UInt8]]
        do throws(Errno) { names = try root.entries(path.isEmpty ? [0x2f] : path) } catch {
            throw SkiffError(.io, "cannot list \(BytePath.display(path.isEmpty ? [0x2f] : path)) in the container: \(error.name)")
        }
        for name in names.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let child = path + [0x2f] + name
            let st = try stat(child)
            try add(child, st)
            if st.isDirectory { try exportDirectory(child) }
        }
    }

    // MARK: layer

    /// The writable layer below `upperDirectory` (a host directory) as a changeset.
    mutating func layerTree(upperDirectory: String) throws(SkiffError) {
        try layerDirectory(host: Array(upperDirectory.utf8CString), guest: [])
    }

    private mutating func layerDirectory(host: [CChar], guest: [UInt8]) throws(SkiffError) {
        guard let names = BytePath.entries(of: host) else {
            throw SkiffError(.io, "cannot list the writable layer at \(String(cString: host)): \(String(cString: strerror(errno)))")
        }
        // Sorted as unsigned bytes (UTF-8 order), as the export's names are.
        for name in names.map({ $0.map { UInt8(bitPattern: $0) } }).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let hostName = name.map { CChar(bitPattern: $0) }
            let child = guest + [0x2f] + name
            if name.starts(with: Array(".wh.".utf8)) {
                // A whiteout or an opaque marker: an empty file, as the OCI layer format has them.
                try tar.add(TarMember(path: Array(child.dropFirst()), kind: .regular, mode: 0o644))
                continue
            }
            if skippedInLayer.contains(BytePath.display(child)) { continue }
            let st = try stat(child)
            try add(child, st)
            if st.isDirectory { try layerDirectory(host: BytePath.child(host, hostName), guest: child) }
        }
    }

    // MARK: Members

    private func stat(_ path: [UInt8]) throws(SkiffError) -> FileStat {
        do throws(Errno) { return try root.stat(path) } catch {
            throw SkiffError(.io, "cannot read \(BytePath.display(path)) in the container: \(error.name)")
        }
    }

    private mutating func add(_ path: [UInt8], _ st: FileStat) throws(SkiffError) {
        let name = Array(path.dropFirst())
        var member = TarMember(path: st.isDirectory ? name + [0x2f] : name, kind: .regular, mode: st.mode & 0o7777)
        member.uid = st.uid
        member.gid = st.gid
        member.modificationTime = (st.modificationTime.seconds, Int(st.modificationTime.nanoseconds))
        switch st.fileType {
        case FileMode.directory: member.kind = .directory
        case FileMode.symlink:
            member.kind = .symlink
            do throws(Errno) { member.link = try root.readLink(path) } catch {
                throw SkiffError(.io, "cannot read the link \(BytePath.display(path)) in the container: \(error.name)")
            }
        case FileMode.characterDevice, FileMode.blockDevice:
            member.kind = st.fileType == FileMode.characterDevice ? .characterDevice : .blockDevice
            let major = UInt32(truncatingIfNeeded: ((st.rdev >> 8) & 0xfff) | ((st.rdev >> 32) & ~0xfff))
            let minor = UInt32(truncatingIfNeeded: (st.rdev & 0xff) | ((st.rdev >> 12) & ~0xff))
            member.device = (major, minor)
        case FileMode.fifo: member.kind = .fifo
        case FileMode.regular:
            let key = st.device << 40 ^ st.inode
            if st.linkCount > 1, let first = linkNames[key] {
                member.kind = .hardLink
                member.link = first
                try tar.add(member)
                return
            }
            if st.linkCount > 1 { linkNames[key] = name }
            member.size = st.size
            try tar.add(member)
            try copyContents(path, size: st.size)
            return
        default:
            return // sockets are not archived (as tar does)
        }
        try tar.add(member)
    }

    /// Writes exactly `size` bytes of the file (a file that changed size meanwhile is cut or padded).
    private func copyContents(_ path: [UInt8], size: Int64) throws(SkiffError) {
        var left = size
        var failure: SkiffError?
        do throws(Errno) {
            try root.read(path) { chunk in
                guard failure == nil, left > 0 else { return }
                let part = UnsafeRawBufferPointer(rebasing: chunk.prefix(Int(min(Int64(chunk.count), left))))
                do throws(SkiffError) { try tar.write(part) } catch { failure = error }
                left -= Int64(part.count)
            }
        } catch {
            throw SkiffError(.io, "cannot read \(BytePath.display(path)) in the container: \(error.name)")
        }
        if let failure { throw failure }
        if left > 0 {
            let zeros = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
            defer { zeros.deallocate() }
            zeros.initializeMemory(as: UInt8.self, repeating: 0)
            while left > 0 {
                let n = Int(min(Int64(zeros.count), left))
                try tar.write(UnsafeRawBufferPointer(rebasing: zeros[0..<n]))
                left -= Int64(n)
            }
        }
    }
}

extension ContainerStore {
    /// `skiff export`: the container's merged files as a tar at `output` ("-": stdout). The file
    /// appears only when complete.
    public func export(_ record: ContainerRecord, images: ImageStore, to output: String) throws(SkiffError) {
        let mount = try ContainerRootMount(images: images, containers: self, record: record, readOnly: true)
        try writeArchive(output, gzip: false) { tar throws(SkiffError) in
            var archiver = ContainerArchiver(root: mount.root, tar: tar)
            try archiver.exportTree()
        }
    }

    /// `skiff commit`: the container's writable layer becomes the top layer of a new image
    /// `details.name`, whose config is the container's image's with the new layer.
    public func commit(_ record: ContainerRecord, images: ImageStore, details: CommitDetails) throws(SkiffError) -> StoredImage {
        let base: StoredImage
        do { base = try images.image(record.imageDigest) } catch {
            throw SkiffError(.notFound, "the image of container \(record.name) (\(record.imageName)) is no longer in the store")
        }
        let mount = try ContainerRootMount(images: images, containers: self, record: record, readOnly: true)
        let layerPath = directory(record.id) + "/commit-\(getpid()).tar.gz"
        defer { try? FileManager.default.removeItem(atPath: layerPath) }
        try writeArchive(layerPath, gzip: true) { tar throws(SkiffError) in
            var archiver = ContainerArchiver(root: mount.root, tar: tar)
            archiver.skippedInLayer = Set(ContainerRunner.generatedEtcFiles.map { "/etc/" + $0 })
            try archiver.layerTree(upperDirectory: upperDirectory(record.id))
        }
        return try images.commit(base: base, layerPath: layerPath, details: details)
    }

    private func writeArchive(_ output: String, gzip: Bool, _ body: (TarWriter) throws(SkiffError) -> Void) throws(SkiffError) {
        let toStdout = output == "-"
        let dir = (output as NSString).deletingLastPathComponent
        let temp = toStdout ? "-" : "\(dir.isEmpty ? "." : dir)/.\((output as NSString).lastPathComponent).skiff-\(getpid()).tmp"
        do throws(SkiffError) {
            let tar = try TarWriter(path: temp, gzip: gzip)
            try body(tar)
            try tar.close()
            if !toStdout && rename(temp, output) != 0 {
                throw SkiffError(.io, "cannot write \(output): \(String(cString: strerror(errno)))")
            }
        } catch {
            if !toStdout { unlink(temp) }
            throw error
        }
    }
}
