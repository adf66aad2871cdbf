/// What `skiff check` found in the image store.
public struct StoreCheckReport: Sendable {
    public var blobsChecked = 0
    public var imagesChecked = 0
    public var rootFilesystemsChecked = 0
    /// Damage: content that does not match its digest, images whose blobs are missing or unreadable.
    public var problems: [String] = []
    /// Harmless remains of interrupted or removed work, which `skiff prune` clears: files in
    /// `tmp/`, blobs and root filesystem images no tagged image uses.
    public var leftovers: [String] = []
}

extension ImageStore {
    /// `skiff check`: hashes every blob against its name, loads every tagged image (manifest and
    /// config verified, every layer present with its declared size) and validates every cached
    /// root filesystem image, then lists what `prune` would clear. Holds the GC lock shared:
    /// no `rmi`/`prune` runs meanwhile; a pull may still add blobs.
    public func check() throws(SkiffError) -> StoreCheckReport {
        let gc = try gcLock(exclusive: false)
        defer { gc.unlock() }
        var report = StoreCheckReport()
        for name in try POSIXFile.listDirectory(blobsDirectory).sorted() {
            guard let digest = try? Digest(parsing: "sha256:" + name) else {
                report.problems.append("blobs/sha256/\(name) is not named by a sha256 digest")
                continue
            }
            report.blobsChecked += 1
            do {
                let actual = try fileDigest(blobPath(digest))
                if actual != digest { report.problems.append("blob \(digest) is corrupt: its content hashes to \(actual)") }
            } catch {
                report.problems.append("blob \(digest) cannot be read: \(error.message)")
            }
        }
        let records = try records()
        for record in records {
            report.imagesChecked += 1
            if let index = record.indexDigest, !hasBlob(index) {
                report.problems.append("\(record.name): its index \(index) is missing")
            }
            let image: StoredImage
            do { image = try load(record) } catch {
                report.problems.append("\(record.name): \(error.message)")
                continue
            }
            for layer in image.layers where !hasBlob(layer) {
                report.problems.append("\(record.name): layer \(layer.digest) is missing or not \(layer.size) bytes")
            }
            let path = rootFilesystemPath(manifest: record.digest)
            guard POSIXFile.exists(path) else { continue }
            report.rootFilesystemsChecked += 1
            do {
                let image = try MappedFilesystemImage(path: path)
                try withExtendedLifetime(image) { try image.reader.validate() }  // the reader reads its mapping
            } catch {
                report.problems.append("\(record.name): its root filesystem image \(path) is corrupt (\(error)); remove the file and it is rebuilt")
            }
        }
        let keep = try referencedBlobs(by: records)
        for digest in try allBlobs() where !keep.contains(digest) {
            report.leftovers.append("blob \(digest) belongs to no tagged image")
        }
        let tagged = Set(records.map { $0.digest.encoded + ".skfs" })
        for name in try POSIXFile.listDirectory(rootfsDirectory).sorted() where !tagged.contains(name) {
            report.leftovers.append("rootfs/\(name) belongs to no tagged image")
        }
        for name in try POSIXFile.listDirectory(tmpDirectory).sorted() {
            report.leftovers.append("tmp/\(name) is left from an interrupted write")
        }
        return report
    }

    /// The sha256 of a file's content, read in 1 MiB blocks.
    func fileDigest(_ path: String) throws(SkiffError) -> Digest {
        let file = try InputFile(path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var hasher = DigestingCounter()
        while true {
            let n = try file.read(into: buffer)
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return hasher.finalize()
    }
}
