import Foundation
import Logging

/// What a pull did.
public struct PullResult: Sendable {
    public var image: StoredImage
    public var reference: ImageReference
    public var layersDownloaded = 0
    public var bytesDownloaded: Int64 = 0
    public var seconds: Double = 0
}

/// Pulls images from registries into the store.
public struct ImagePuller: Sendable {
    public var store: ImageStore
    public var options: RegistryOptions
    public var credentials: CredentialStore
    public var progress: any TransferProgress
    public var logger: Logger

    public init(store: ImageStore, options: RegistryOptions = RegistryOptions(), credentials: CredentialStore? = nil,
                progress: any TransferProgress = SilentProgress(), logger: Logger = Logger(label: "skiff.pull")) {
        self.store = store
        self.options = options
        self.credentials = credentials ?? CredentialStore(store: store)
        self.progress = progress
        self.logger = logger
    }

    /// Resolves `reference` to the manifest for `platform` (through an index if there is one),
    /// downloads what the store lacks, verifies everything, and only then tags the image.
    public func pull(_ reference: ImageReference, platform: Platform? = nil) async throws -> PullResult {
        let started = Date()
        let gc = try store.gcLock(exclusive: false)
        defer { gc.unlock() }
        let client = RegistryClient(registry: reference.registry, options: options, credentials: credentials, logger: logger)
        do {
            var result = try await pull(reference, platform: platform, client: client)
            result.seconds = Date().timeIntervalSince(started)
            await client.shutdown()
            progress.end()
            return result
        } catch {
            await client.shutdown()
            progress.end()
            throw error
        }
    }

    private func pull(_ reference: ImageReference, platform: Platform?, client: RegistryClient) async throws -> PullResult {
        let repo = reference.repository
        let what = reference.familiar
        let top = try await client.fetchManifest(repository: repo, reference: reference.manifestReference, what: what)
        var fetched = top
        var index: FetchedManifest?
        if case .index(let idx) = top.document {
            index = top
            let chosen = try idx.select(platform, what: what)
            logger.debug("\(what): \(Platform.describe(platform)) is \(chosen.digest)")
            fetched = try await client.fetchManifest(repository: repo, reference: chosen.digest.description,
                                                     expected: chosen, what: "\(what) (\(chosen.platform?.description ?? "?"))")
        }
        guard case .manifest(let manifest) = fetched.document else {
            throw SkiffError(.unsupported, "\(what): the index for \(Platform.describe(platform)) points to another index; Skiff does not follow nested indexes")
        }
        try manifest.validateForImage("the manifest of \(what)")

        let transaction = BlobTransaction(store: store)
        defer { transaction.rollback() }
        let configBytes = try await client.fetchSmallBlob(repository: repo, manifest.config, into: transaction, what: "image config")
        let config = try ImageConfiguration.decode(configBytes, of: manifest, what: "the image config of \(what)")
        try checkConfig(config, manifest: manifest, platform: platform, what: what, fromIndex: index != nil)

        var result = PullResult(image: StoredImage(record: ImageRecord(name: "", digest: fetched.digest, mediaType: fetched.mediaType,
                                                                          platform: config.platform),
                                                   manifest: manifest, configBytes: configBytes, config: config),
                                reference: reference)
        let (count, bytes) = try await downloadLayers(manifest.layers, repository: repo, client: client, into: transaction)
        result.layersDownloaded = count
        result.bytesDownloaded = bytes

        // Everything the tag will point to is in the store and verified: now tag it.
        try transaction.put(fetched.bytes, expected: fetched.digest)
        if let index { try transaction.put(index.bytes, expected: index.digest) }
        try transaction.commit()
        let record = ImageRecord(name: reference.description, digest: fetched.digest, mediaType: fetched.mediaType,
                                 platform: config.platform, indexDigest: index?.digest, source: reference.name)
        try store.tag(record)
        result.image = StoredImage(record: record, manifest: manifest, configBytes: configBytes, config: config)
        return result
    }

    /// The config must describe the platform asked for, and one diff ID per layer.
    private func checkConfig(_ config: ImageConfiguration, manifest: Manifest, platform: Platform?, what: String,
                             fromIndex: Bool) throws {
        if config.rootfs.diff_ids.count != manifest.layers.count {
            throw SkiffError(.invalidData, "\(what) is inconsistent: \(manifest.layers.count) layers but \(config.rootfs.diff_ids.count) diff IDs in its config")
        }
        if !Platform.takes(config.platform, for: platform) {
            let hint = fromIndex ? "the registry's index claims otherwise"
                : (platform == nil ? "Skiff runs \(Platform.runnable.map(\.description).joined(separator: ", ")) and WASI images"
                                   : "pull it with --platform \(config.platform) if that is what you want")
            throw SkiffError(.notFound, "\(what) is a \(config.platform) image, not \(platform?.description ?? "one Skiff runs") (\(hint))")
        }
    }

    /// Downloads the layers missing from the store, several at once; returns how many were
    /// downloaded and their bytes.
    private func downloadLayers(_ layers: [Descriptor], repository: String, client: RegistryClient,
                                into transaction: BlobTransaction) async throws -> (Int, Int64) {
        var seen = Set<Digest>()
        let unique = layers.filter { seen.insert($0.digest).inserted }
        var missing: [Descriptor] = []
        for layer in unique {
            progress.begin(id: layer.digest.description, label: layer.digest.short, total: layer.size)
            if transaction.has(layer) { progress.finish(id: layer.digest.description, status: "exists") }
            else { missing.append(layer) }
        }
        let progress = self.progress
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = missing[...]
            func startNext() {
                guard let layer = pending.popFirst() else { return }
                group.addTask {
                    let id = layer.digest.description
                    do {
                        try await client.downloadBlob(repository: repository, layer, into: transaction, what: "layer",
                                                      progress: { progress.update(id: id, bytes: $0) })
                        try transaction.publish(layer.digest)  // kept if the pull is cut short: it resumes from here
                        progress.finish(id: id, status: "done")
                    } catch {
                        progress.finish(id: id, status: "failed")
                        throw error
                    }
                }
            }
            for _ in 0..<max(1, options.maxConcurrentTransfers) { startNext() }
            while try await group.next() != nil { startNext() }
        }
        return (missing.count, missing.reduce(0) { $0 + $1.size })
    }
}
