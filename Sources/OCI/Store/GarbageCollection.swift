/// What `rmi` and `prune` removed.
public struct RemovalReport: Sendable {
    public var untagged: [String] = []
    public var blobsRemoved = 0
    public var bytesFreed: Int64 = 0
    public var rootFilesystemsRemoved = 0
    public var tempFilesRemoved = 0
}

extension ImageStore {
    /// `skiff rmi`: removes the names `input` matches and then every blob and root filesystem
    /// image of theirs that no remaining image uses.
    public func removeImage(_ input: String) throws(SkiffError) -> RemovalReport {
        let gc = try gcLock(exclusive: true)
        defer { gc.unlock() }
        var report = RemovalReport()
        let victims = try recordsMatching(input)
        // A digest prefix removes every tag of that manifest; a name removes just that name.
        let names = Set(victims.map(\.name))
        let candidates = victims.compactMap { try? load($0) }
        let remaining = try updateRecords { images throws(SkiffError) -> [ImageRecord] in
            images.removeAll { names.contains($0.name) }
            return images
        }
        report.untagged = names.sorted()
        let keep = try referencedBlobs(by: remaining)
        var blobs = Set(victims.map(\.digest))
        for image in candidates { blobs.formUnion(image.blobs) }
        for r in victims { if let i = r.indexDigest { blobs.insert(i) } }
        for d in blobs.subtracting(keep).sorted() { removeCounted(d, &report) }
        for d in Set(victims.map(\.digest)) where !keep.contains(d) {
            if removeRootFilesystem(d) { report.rootFilesystemsRemoved += 1 }
        }
        return report
    }

    /// `skiff prune`: removes blobs no tagged image references, root filesystem images of
    /// untagged manifests, and leftovers of interrupted writes in `tmp/`.
    public func prune() throws(SkiffError) -> RemovalReport {
        let gc = try gcLock(exclusive: true)
        defer { gc.unlock() }
        var report = RemovalReport()
        let keep = try referencedBlobs(by: try records())
        for d in try allBlobs() where !keep.contains(d) { removeCounted(d, &report) }
        for name in try POSIXFile.listDirectory(rootfsDirectory) {
            let hex = name.hasSuffix(".skfs") ? String(name.dropLast(5)) : ""
            if let d = try? Digest(parsing: "sha256:" + hex), keep.contains(d) { continue }
            POSIXFile.removeTree(rootfsDirectory + "/" + name)
            report.rootFilesystemsRemoved += 1
        }
        // With the exclusive GC lock held no pull or import is writing: all of tmp/ is stale.
        for name in try POSIXFile.listDirectory(tmpDirectory) {
            POSIXFile.removeTree(tmpDirectory + "/" + name)
            report.tempFilesRemoved += 1
        }
        return report
    }

    /// Every blob reachable from `records` (manifests, their configs and layers, indexes).
    /// A record whose manifest cannot be read keeps only what it names directly.
    func referencedBlobs(by records: [ImageRecord]) throws(SkiffError) -> Set<Digest> {
        var keep = Set<Digest>()
        for r in records {
            keep.insert(r.digest)
            if let i = r.indexDigest { keep.insert(i) }
            if let image = try? load(r) { keep.formUnion(image.blobs) }
        }
        return keep
    }

    private func removeCounted(_ d: Digest, _ report: inout RemovalReport) {
        guard hasBlob(d) else { return }
        report.bytesFreed += POSIXFile.size(blobPath(d)) ?? 0
        removeBlob(d)
        report.blobsRemoved += 1
    }

    private func removeRootFilesystem(_ manifest: Digest) -> Bool {
        let path = rootFilesystemPath(manifest: manifest)
        guard POSIXFile.exists(path) else { return false }
        POSIXFile.remove(path)
        return true
    }
}
