import Foundation

/// The files of an image archive being imported: a directory on disk, or a tar whose members
/// were extracted into the store's `tmp/` (hashed on the way, each to a numbered file, so no
/// member name can place anything outside that directory). Members are looked up by their
/// path inside the archive, following the archive's own symlinks (older `docker save` archives
/// link repeated layers) but never leaving it.
final class ImportSource {
    let label: String
    private let directory: String?
    private var members: [String: (file: String, digest: Digest, size: Int64)] = [:]
    private var symlinks: [String: String] = [:]
    private var extractionDirectory: String?

    init(directory: String) {
        label = directory
        self.directory = directory
    }

    init(extracting path: String, into store: ImageStore) throws(SkiffError) {
        label = path
        directory = nil
        let dir = "\(store.tmpDirectory)/import-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try POSIXFile.makeDirectories(dir)
        extractionDirectory = dir
        do throws(SkiffError) {
            try extract(path, into: dir)
        } catch {
            cleanUp()
            throw error
        }
    }

    private func extract(_ path: String, into dir: String) throws(SkiffError) {
        let reader = try TarReader(path: path)
        var n = 0
        while let member = try reader.next() {
            let name = try ImportSource.normalize(member.path, in: path)
            switch member.kind {
            case .file:
                n += 1
                let file = "\(dir)/\(n)"
                let out = try OutputFile(creating: file)
                var counter = DigestingCounter()
                try reader.readData { raw throws(SkiffError) in
                    try out.write(raw)
                    counter.update(raw)
                }
                try out.close()
                members[name] = (file, counter.finalize(), counter.count)
            case .symlink(let target):
                let base = (name as NSString).deletingLastPathComponent
                symlinks[name] = target.hasPrefix("/") ? target : (base.isEmpty ? target : base + "/" + target)
            case .hardLink(let target):
                let t = try ImportSource.normalize(target, in: path)
                if let m = members[t] { members[name] = m }
            case .directory, .other:
                break
            }
        }
    }

    func cleanUp() {
        if let extractionDirectory { POSIXFile.removeTree(extractionDirectory) }
    }

    /// Looks at a tar's member names to tell what it is, without extracting anything.
    static func classify(tar path: String) throws(SkiffError) -> ImageImporter.ArchiveKind {
        var names = Set<String>()
        do throws(SkiffError) {
            let reader = try TarReader(path: path)
            while let member = try reader.next() {
                if member.kind == .file, let n = try? normalize(member.path, in: path) { names.insert(n) }
            }
        } catch {
            throw SkiffError(.invalidData, "\(path) is not an image archive or a root filesystem tar (\(error.message))")
        }
        if names.contains("oci-layout") && names.contains("index.json") { return .ociLayout }
        if names.contains("manifest.json") { return .dockerSave }
        return .rootFilesystem
    }

    /// `./a//b/` -> `a/b`; `..` that would leave the archive is refused.
    static func normalize(_ raw: String, in archive: String) throws(SkiffError) -> String {
        var parts: [Substring] = []
        for part in raw.split(separator: "/") {
            if part == "." || part.isEmpty { continue }
            if part == ".." {
                guard !parts.isEmpty else { throw SkiffError(.invalidData, "\(archive) has a member '\(raw)' that points outside the archive") }
                parts.removeLast()
                continue
            }
            parts.append(part)
        }
        return parts.joined(separator: "/")
    }

    /// The on-disk file holding member `name`, and its digest and size when known.
    private func locate(_ name: String) throws(SkiffError) -> (file: String, digest: Digest?, size: Int64?) {
        var current = try ImportSource.normalize(name, in: label)
        if let directory {
            let file = directory + "/" + current
            guard POSIXFile.size(file) != nil else { throw SkiffError(.notFound, "\(label) has no file \(current)") }
            return (file, nil, nil)
        }
        for _ in 0..<16 {
            if let m = members[current] { return (m.file, m.digest, m.size) }
            guard let target = symlinks[current] else { break }
            current = try ImportSource.normalize(target, in: label)
        }
        throw SkiffError(.notFound, "\(label) has no member \(name)")
    }

    /// A small member's bytes (index.json, manifest.json, configs).
    func read(_ name: String) throws(SkiffError) -> [UInt8] {
        try POSIXFile.readAll(try locate(name).file, limit: Int(Manifest.maxDocumentSize))
    }

    /// The blob a layout descriptor names (`blobs/<alg>/<hex>`), verified, staged, and returned
    /// whole (for manifests, indexes and configs).
    func blob(_ d: Descriptor, transaction: BlobTransaction, what: String) throws(SkiffError) -> [UInt8] {
        try d.requireSize(atMost: Manifest.maxDocumentSize, what: what)
        try ingest(d, transaction: transaction, what: what)
        return try transaction.read(d.digest)
    }

    /// Stages the layout blob `d` names after checking its size and digest.
    func ingest(_ d: Descriptor, transaction: BlobTransaction, what: String) throws(SkiffError) {
        try d.digest.requireSHA256()
        if transaction.has(d) { return }
        let member = "blobs/\(d.digest.algorithm)/\(d.digest.encoded)"
        let found: (file: String, digest: Digest?, size: Int64?)
        do { found = try locate(member) } catch {
            throw SkiffError(.notFound, "\(label) is missing the \(what) \(d.digest)")
        }
        try stage(found, expected: d, what: "\(what) in \(label)", transaction: transaction)
    }

    /// Stages member `name` (a docker save config or layer, named by path) and returns its descriptor.
    func ingestFile(_ name: String, mediaType: String, transaction: BlobTransaction) throws(SkiffError) -> Descriptor {
        let found = try locate(name)
        if let digest = found.digest, let size = found.size {
            let d = Descriptor(mediaType: mediaType, digest: digest, size: size)
            try stage(found, expected: d, what: "\(name) in \(label)", transaction: transaction)
            return d
        }
        let w = try transaction.writer()
        try copy(found.file, into: w)
        var d = try w.commitComputed()
        d.mediaType = mediaType
        return d
    }

    private func stage(_ found: (file: String, digest: Digest?, size: Int64?), expected d: Descriptor, what: String,
                       transaction: BlobTransaction) throws(SkiffError) {
        if transaction.has(d) { return }
        if let digest = found.digest, let size = found.size, extractionDirectory != nil {
            if size != d.size {
                throw SkiffError(.digestMismatch, "\(what) \(d.digest) is \(size) bytes, its descriptor says \(d.size)")
            }
            if digest != d.digest {
                throw SkiffError(.digestMismatch, "\(what) \(d.digest) does not match its digest: its content hashes to \(digest)")
            }
            try transaction.adopt(found.file, as: digest)
            return
        }
        let w = try transaction.writer()
        try copy(found.file, into: w)
        try w.commit(expected: d, what: what)
    }

    private func copy(_ file: String, into writer: BlobWriter) throws(SkiffError) {
        let input = try InputFile(file)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try input.read(into: buffer)
            if n == 0 { return }
            try writer.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }
}
