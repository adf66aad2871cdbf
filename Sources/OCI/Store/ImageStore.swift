import Foundation

/// Skiff's content-addressed image store under `$SKIFF_HOME` (default `~/.local/share/skiff`):
///
///     blobs/sha256/<hex>     manifests, configs and layers, named by their sha256
///     tmp/                   blobs being written; renamed into blobs/ only after verification
///     images.json            the tag index: name -> manifest digest, platform (written atomically)
///     rootfs/<hex>.skfs      flattened root filesystem image per manifest, built once
///     auth.json              credentials saved by `skiff login` (mode 0600)
///     gc.lock, index.lock    advisory locks between concurrent skiff processes
///
/// A blob is written to `tmp/`, hashed as it is written, and renamed into `blobs/` only when its
/// size and digest match; a crash or bad content therefore never leaves a corrupt entry.
public final class ImageStore: Sendable {
    public let root: String

    /// Opens (creating if needed) the store at `root`.
    public init(root: String) throws(SkiffError) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        for dir in [self.root, blobsDirectory, tmpDirectory, rootfsDirectory] {
            try POSIXFile.makeDirectories(dir)
        }
    }

    /// Opens the store at `$SKIFF_HOME`, else `$XDG_DATA_HOME/skiff`, else `~/.local/share/skiff`.
    public static func openDefault() throws(SkiffError) -> ImageStore {
        try ImageStore(root: defaultRoot())
    }

    public static func defaultRoot(environment: [String: String]) -> String {
        defaultRoot { environment[$0] }
    }

    /// The default root from this process's environment (read with getenv: building
    /// ProcessInfo's environment dictionary costs a noticeable part of a container's start).
    public static func defaultRoot() -> String {
        defaultRoot { getenv($0).map { String(cString: $0) } }
    }

    private static func defaultRoot(_ variable: (String) -> String?) -> String {
        if let home = variable("SKIFF_HOME"), !home.isEmpty { return home }
        if let xdg = variable("XDG_DATA_HOME"), !xdg.isEmpty { return xdg + "/skiff" }
        let home = variable("HOME").flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/share/skiff"
    }

    var blobsDirectory: String { root + "/blobs/sha256" }
    var tmpDirectory: String { root + "/tmp" }
    var rootfsDirectory: String { root + "/rootfs" }
    var indexPath: String { root + "/images.json" }
    var credentialsPath: String { root + "/auth.json" }

    // MARK: Blobs

    public func blobPath(_ digest: Digest) -> String { "\(blobsDirectory)/\(digest.encoded)" }

    public func hasBlob(_ digest: Digest) -> Bool {
        digest.algorithm == "sha256" && POSIXFile.exists(blobPath(digest))
    }

    /// Whether the store holds the blob a descriptor names, with the declared size.
    func hasBlob(_ d: Descriptor) -> Bool {
        d.digest.algorithm == "sha256" && POSIXFile.size(blobPath(d.digest)) == d.size
    }

    /// Reads a (small) blob whole and re-checks its digest: a manifest or config is only used
    /// if it is exactly what its digest names.
    public func readBlob(_ digest: Digest, limit: Int64 = Manifest.maxDocumentSize) throws(SkiffError) -> [UInt8] {
        try digest.requireSHA256()
        let bytes: [UInt8]
        do { bytes = try POSIXFile.readAll(blobPath(digest), limit: Int(limit)) }
        catch where error.code == .notFound {
            throw SkiffError(.notFound, "blob \(digest) is missing from the store at \(root) (pull the image again)")
        }
        let actual = Digest.sha256(of: bytes)
        if actual != digest {
            throw SkiffError(.digestMismatch, "blob \(digest) in the store is corrupt (its content hashes to \(actual)); remove the image and pull it again")
        }
        return bytes
    }

    /// Stores `bytes`, checking them against `expected` when given; returns the digest.
    @discardableResult
    public func putBlob(_ bytes: [UInt8], expected: Digest? = nil) throws(SkiffError) -> Digest {
        let transaction = BlobTransaction(store: self)
        let digest = try transaction.put(bytes, expected: expected)
        try transaction.commit()
        return digest
    }

    func removeBlob(_ digest: Digest) {
        POSIXFile.remove(blobPath(digest))
    }

    /// All blob digests present.
    func allBlobs() throws(SkiffError) -> [Digest] {
        try POSIXFile.listDirectory(blobsDirectory).compactMap { try? Digest(parsing: "sha256:" + $0) }
    }

    // MARK: Root filesystem images

    /// Where the flattened root filesystem image of the image with this manifest is cached.
    public func rootFilesystemPath(manifest digest: Digest) -> String {
        "\(rootfsDirectory)/\(digest.encoded).skfs"
    }

    // MARK: Locks

    /// Held shared by operations that add blobs before tagging them (pull, import), exclusive by
    /// garbage collection (prune, rmi), so a collection never removes a blob about to be tagged.
    func gcLock(exclusive: Bool) throws(SkiffError) -> FileLock {
        try FileLock(path: root + "/gc.lock", shared: !exclusive)
    }

    func indexLock() throws(SkiffError) -> FileLock {
        try FileLock(path: root + "/index.lock")
    }
}

/// Blobs staged in `tmp/`, verified, and published into `blobs/` together by `commit` (renames
/// only; a pull publishes each layer as it completes, see `publish`). An operation that fails
/// part-way calls `rollback` (or simply drops the transaction) and leaves no partial blob behind.
final class BlobTransaction: @unchecked Sendable {
    let store: ImageStore
    private let lock = NSLock()
    private var staged: [Digest: String] = [:]
    private var done = false

    init(store: ImageStore) { self.store = store }

    /// A writer for a new blob; its `commit` verifies it and stages it here.
    func writer() throws(SkiffError) -> BlobWriter { try BlobWriter(transaction: self) }

    /// Stages the file at `path` as a blob (its digest computed as it is copied).
    func ingest(file path: String) throws(SkiffError) -> Descriptor {
        let writer = try writer()
        let file = try InputFile(path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try file.read(into: buffer)
            if n == 0 { break }
            try writer.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return try writer.commitComputed()
    }

    /// Whether the blob is in the store already or staged in this transaction.
    func has(_ d: Descriptor) -> Bool {
        store.hasBlob(d) || lock.withLock { staged[d.digest] != nil }
    }

    /// Where the blob's content is now (staged or published).
    func path(of digest: Digest) -> String {
        lock.withLock { staged[digest] } ?? store.blobPath(digest)
    }

    /// Reads a small staged or stored blob, verifying its digest.
    func read(_ digest: Digest) throws(SkiffError) -> [UInt8] {
        let bytes = try POSIXFile.readAll(path(of: digest), limit: Int(Manifest.maxDocumentSize))
        if Digest.sha256(of: bytes) != digest {
            throw SkiffError(.digestMismatch, "blob \(digest) does not match its digest")
        }
        return bytes
    }

    @discardableResult
    func put(_ bytes: [UInt8], expected: Digest? = nil) throws(SkiffError) -> Digest {
        let digest = Digest.sha256(of: bytes)
        if let expected, expected != digest {
            throw SkiffError(.digestMismatch, "content does not match its digest: expected \(expected), got \(digest)")
        }
        let d = Descriptor(mediaType: "", digest: digest, size: Int64(bytes.count))
        if has(d) { return digest }
        let w = try writer()
        try w.write(bytes)
        try w.commit(expected: d)
        return digest
    }

    /// Stages a complete file already inside the store's `tmp/` whose digest is known (an
    /// archive member hashed while it was extracted).
    func adopt(_ path: String, as digest: Digest) throws(SkiffError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
        stage(digest, at: path)
    }

    fileprivate func stage(_ digest: Digest, at path: String) {
        let previous: String? = lock.withLock {
            defer { staged[digest] = path }
            return staged[digest]
        }
        if let previous, previous != path { POSIXFile.remove(previous) }
    }

    /// Moves every staged blob into `blobs/`.
    func commit() throws(SkiffError) {
        let items = lock.withLock { () -> [(Digest, String)] in
            done = true
            return staged.sorted { $0.key < $1.key }
        }
        for (digest, path) in items {
            try POSIXFile.rename(path, store.blobPath(digest))
            lock.withLock { staged[digest] = nil }
        }
        POSIXFile.syncDirectory(store.blobsDirectory)
    }

    /// Publishes one staged blob into `blobs/` now, before the others: each verified layer of a
    /// pull, so that a pull cut short (killed, network lost) resumes with the layers it has.
    /// Until an image that uses it is tagged, such a blob is unreferenced: `prune` may remove it.
    func publish(_ digest: Digest) throws(SkiffError) {
        guard let path = lock.withLock({ staged.removeValue(forKey: digest) }) else { return }
        try POSIXFile.rename(path, store.blobPath(digest))
    }

    /// Removes every staged blob.
    func rollback() {
        let items = lock.withLock { () -> [String] in
            defer { staged = [:]; done = true }
            return Array(staged.values)
        }
        for path in items { POSIXFile.remove(path) }
    }

    deinit { if !done || !staged.isEmpty { rollback() } }
}

/// A blob being written into the store's `tmp/`, hashed as it goes.
final class BlobWriter: @unchecked Sendable {
    let transaction: BlobTransaction
    let path: String
    private let file: OutputFile
    private var counter = DigestingCounter()
    private var finished = false

    fileprivate init(transaction: BlobTransaction) throws(SkiffError) {
        self.transaction = transaction
        path = "\(transaction.store.tmpDirectory)/blob-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        file = try OutputFile(creating: path, mode: 0o644)
    }

    var bytesWritten: Int64 { counter.count }

    func write(_ buffer: UnsafeRawBufferPointer) throws(SkiffError) {
        try file.write(buffer)
        counter.update(buffer)
    }

    func write(_ bytes: [UInt8]) throws(SkiffError) {
        try file.write(bytes)
        bytes.withUnsafeBytes { counter.update($0) }
    }

    /// Throws away what was written (for a restarted download).
    func reset() throws(SkiffError) {
        try file.truncate(to: 0)
        counter = DigestingCounter()
    }

    /// Verifies size and digest against `expected`, makes the content durable and stages it in
    /// the transaction. On any mismatch the temporary file is removed.
    func commit(expected: Descriptor, what: String = "blob") throws(SkiffError) {
        defer { if !finished { discard() } }
        let digest = counter.finalize()
        if counter.count != expected.size {
            let how = counter.count < expected.size ? "truncated" : "longer than declared"
            throw SkiffError(.digestMismatch, "\(what) \(expected.digest) is \(how): got \(counter.count) of \(expected.size) bytes")
        }
        if digest != expected.digest {
            throw SkiffError(.digestMismatch, "\(what) \(expected.digest) does not match its digest: its content hashes to \(digest)")
        }
        try file.sync()
        try file.close()
        finished = true
        transaction.stage(digest, at: path)
    }

    /// Verifies nothing (the digest is being computed, e.g. an imported layer), stages the blob
    /// and returns its digest and size.
    func commitComputed() throws(SkiffError) -> Descriptor {
        let d = Descriptor(mediaType: "", digest: counter.finalize(), size: counter.count)
        try commit(expected: d)
        return d
    }

    func discard() {
        guard !finished else { return }
        finished = true
        file.closeQuietly()
        POSIXFile.remove(path)
    }

    deinit { discard() }
}
