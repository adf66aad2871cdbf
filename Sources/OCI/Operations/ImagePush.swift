import Foundation
import Logging

/// What a push did.
public struct PushResult: Sendable {
    public var reference: ImageReference
    public var digest: Digest
    public var uploaded = 0
    public var mounted = 0
    public var existing = 0
    public var bytesUploaded: Int64 = 0
    public var seconds: Double = 0
}

/// Pushes stored images to registries.
public struct ImagePusher: Sendable {
    public var store: ImageStore
    public var options: RegistryOptions
    public var credentials: CredentialStore
    public var progress: any TransferProgress
    public var logger: Logger

    public init(store: ImageStore, options: RegistryOptions = RegistryOptions(), credentials: CredentialStore? = nil,
                progress: any TransferProgress = SilentProgress(), logger: Logger = Logger(label: "skiff.push")) {
        self.store = store
        self.options = options
        self.credentials = credentials ?? CredentialStore(store: store)
        self.progress = progress
        self.logger = logger
    }

    /// Uploads the image's config and layers (skipping those the registry has, mounting those
    /// another repository of the same registry has), then its manifest under `destination`'s tag.
    public func push(_ image: StoredImage, to destination: ImageReference) async throws -> PushResult {
        let started = Date()
        if let d = destination.digest, d != image.digest {
            throw SkiffError(.invalidArgument, "cannot push \(image.name) as \(destination): its manifest digest is \(image.digest)")
        }
        let manifestBytes = try store.readBlob(image.digest)
        // Blobs the registry holds in the repository the image came from can be mounted.
        var mountFrom: String?
        let origin = image.record.source.flatMap { try? ImageReference(parsing: $0) } ?? image.record.reference
        if let origin, origin.registry == destination.registry, origin.repository != destination.repository {
            mountFrom = origin.repository
        }
        let client = RegistryClient(registry: destination.registry, options: options, credentials: credentials, logger: logger)
        do {
            var result = PushResult(reference: destination, digest: image.digest)
            var seen = Set<Digest>()
            let blobs = ([image.manifest.config] + image.layers).filter { seen.insert($0.digest).inserted }
            for blob in blobs {
                guard store.hasBlob(blob) else {
                    throw SkiffError(.notFound, "blob \(blob.digest) of \(image.name) is missing from the store; pull the image again")
                }
                progress.begin(id: blob.digest.description, label: blob.digest.short, total: blob.size)
            }
            let outcomes = try await pushBlobs(blobs, repository: destination.repository, mountFrom: mountFrom, client: client)
            for (blob, outcome) in zip(blobs, outcomes) {
                switch outcome {
                case .alreadyPresent: result.existing += 1
                case .mounted: result.mounted += 1
                case .uploaded: result.uploaded += 1; result.bytesUploaded += blob.size
                }
            }
            _ = try await client.putManifest(repository: destination.repository, reference: destination.manifestReference,
                                             bytes: manifestBytes, mediaType: image.record.mediaType)
            // Once pushed, the blobs live there too; later pushes may mount from it.
            if image.record.source == nil, let ref = image.record.reference, ref.name == destination.name {
                try? store.updateRecords { records in
                    for i in records.indices where records[i].name == image.record.name { records[i].source = destination.name }
                }
            }
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

    private func pushBlobs(_ blobs: [Descriptor], repository: String, mountFrom: String?,
                           client: RegistryClient) async throws -> [BlobUploadResult] {
        let store = self.store, progress = self.progress, attempts = options.maxAttempts
        return try await withThrowingTaskGroup(of: (Int, BlobUploadResult).self) { group in
            var pending = Array(blobs.enumerated())[...]
            func startNext() {
                guard let (i, blob) = pending.popFirst() else { return }
                group.addTask {
                    let id = blob.digest.description
                    // An upload session that failed is abandoned; the whole blob push starts over.
                    for attempt in 1...attempts {
                        do {
                            let r = try await client.pushBlob(repository: repository, blob, from: store.blobPath(blob.digest),
                                                              mountFrom: mountFrom, progress: { progress.update(id: id, bytes: $0) })
                            switch r {
                            case .alreadyPresent: progress.finish(id: id, status: "exists")
                            case .mounted: progress.finish(id: id, status: "mounted")
                            case .uploaded: progress.finish(id: id, status: "pushed")
                            }
                            return (i, r)
                        } catch let e as SkiffError where attempt < attempts && (e.code == .network || e.code == .registry) {
                            progress.update(id: id, bytes: 0)
                            try await Task.sleep(for: client.backoff(attempt, retryAfter: nil))
                        } catch {
                            progress.finish(id: id, status: "failed")
                            throw error
                        }
                    }
                    throw SkiffError(.internalError, "unreachable")
                }
            }
            for _ in 0..<max(1, options.maxConcurrentTransfers) { startNext() }
            var results = [BlobUploadResult?](repeating: nil, count: blobs.count)
            while let (i, r) = try await group.next() {
                results[i] = r
                startNext()
            }
            return results.map { $0! }
        }
    }
}
