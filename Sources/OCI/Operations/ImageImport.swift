import Foundation

/// `skiff import`: brings images into the store from
/// - an OCI image layout, as a directory or a tar (`oci-layout`, `index.json`, `blobs/`),
/// - a `docker save` tar (`manifest.json` with Config/RepoTags/Layers),
/// - a plain root filesystem tar, optionally compressed, made into a one-layer image (like
///   `docker import`).
/// Every blob is verified against its digest before it enters the store, and names are tagged
/// only once everything is in; a bad archive leaves nothing behind.
public struct ImageImporter: Sendable {
    public var store: ImageStore
    /// Chooses the image in multi-platform layouts; the platform of a root filesystem tar.
    public var platform: Platform

    public init(store: ImageStore, platform: Platform = .linuxRISCV64) {
        self.store = store
        self.platform = platform
    }

    /// Imports `path`; `name` names the image (required for a root filesystem tar and for
    /// archives that carry no names). Returns the images imported.
    public func importImages(from path: String, name: ImageReference?) throws -> [StoredImage] {
        let gc = try store.gcLock(exclusive: false)
        defer { gc.unlock() }
        let transaction = BlobTransaction(store: store)
        defer { transaction.rollback() }
        let source: ImportSource
        var kind: ArchiveKind
        if POSIXFile.isDirectory(path) {
            source = ImportSource(directory: path)
            kind = POSIXFile.exists(path + "/oci-layout") ? .ociLayout
                : POSIXFile.exists(path + "/manifest.json") ? .dockerSave : .unknown
            if kind == .unknown {
                throw SkiffError(.invalidArgument, "\(path) is a directory without oci-layout or manifest.json; it is not an OCI image layout")
            }
        } else {
            guard POSIXFile.exists(path) else { throw SkiffError(.notFound, "\(path) does not exist") }
            kind = try ImportSource.classify(tar: path)
            source = kind == .rootFilesystem ? ImportSource(directory: "/") : try ImportSource(extracting: path, into: store)
        }
        defer { source.cleanUp() }

        var staged: [(ImageRecord, StoredImage)]
        switch kind {
        case .ociLayout: staged = try importLayout(source, name: name, transaction: transaction)
        case .dockerSave: staged = try importDockerSave(source, name: name, transaction: transaction)
        case .rootFilesystem: staged = [try importRootFilesystem(path, name: name, transaction: transaction)]
        case .unknown: throw SkiffError(.internalError, "unclassified archive")
        }
        if staged.isEmpty { throw SkiffError(.notFound, "\(path) contains no \(platform) image") }
        try transaction.commit()
        var result: [StoredImage] = []
        for (record, image) in staged {
            try store.tag(record)
            result.append(StoredImage(record: record, manifest: image.manifest, configBytes: image.configBytes, config: image.config))
        }
        return result
    }

    enum ArchiveKind { case ociLayout, dockerSave, rootFilesystem, unknown }

    // MARK: OCI image layout

    private func importLayout(_ source: ImportSource, name: ImageReference?,
                              transaction: BlobTransaction) throws -> [(ImageRecord, StoredImage)] {
        struct Layout: Decodable { var imageLayoutVersion: String }
        let layout = try JSON.decode(Layout.self, from: try source.read("oci-layout"), what: "\(source.label): oci-layout")
        guard layout.imageLayoutVersion.hasPrefix("1.") else {
            throw SkiffError(.unsupported, "\(source.label) is an OCI layout of version \(layout.imageLayoutVersion); Skiff reads 1.x")
        }
        let index = try JSON.decode(ImageIndex.self, from: try source.read("index.json"), what: "\(source.label): index.json")
        var entries = index.manifests
        if entries.isEmpty { throw SkiffError(.notFound, "\(source.label) has no images (its index.json lists none)") }
        if entries.count > 1, let name {
            let byName = entries.filter { layoutName($0) == name || $0.annotations?[LayoutAnnotation.refName] == name.tag }
            guard byName.count == 1 else {
                let names = entries.compactMap { $0.annotations?[LayoutAnnotation.refName] }
                throw SkiffError(.invalidArgument, "\(source.label) holds \(entries.count) images; name one by its tag (\(names.joined(separator: ", ")))")
            }
            entries = byName
        }
        var result: [(ImageRecord, StoredImage)] = []
        // A WASI entry is taken for the default platform only when no entry matches it exactly.
        let exactExists = entries.contains { $0.platform.map { platform.matches($0) } ?? false }
        for entry in entries {
            guard let target = name ?? layoutName(entry) else {
                let tag = entry.annotations?[LayoutAnnotation.refName].map { " (tagged '\($0)')" } ?? ""
                throw SkiffError(.invalidArgument, "\(source.label) does not give its image\(tag) a full name; name it: skiff import \(source.label) NAME:TAG")
            }
            var manifestDescriptor = entry
            var indexDigest: Digest?
            if MediaType.indexes.contains(entry.mediaType) {
                let bytes = try source.blob(entry, transaction: transaction, what: "image index")
                let nested = try JSON.decode(ImageIndex.self, from: bytes, what: "\(source.label): index \(entry.digest)")
                manifestDescriptor = try nested.select(platform, what: target.familiar)
                indexDigest = entry.digest
            } else if let p = entry.platform, !(exactExists ? platform.matches(p) : platform.accepts(p)) {
                if entries.count > 1 { continue }
                throw SkiffError(.notFound, "\(source.label) holds a \(p) image, not \(platform) (use --platform \(p))")
            }
            let manifestBytes = try source.blob(manifestDescriptor, transaction: transaction, what: "manifest")
            result.append(try stageImage(manifestBytes: manifestBytes, mediaType: manifestDescriptor.mediaType,
                                         name: target, indexDigest: indexDigest, source: source, transaction: transaction))
        }
        return result
    }

    /// The full name a layout entry carries: containerd's image name annotation, or a ref.name
    /// that is a whole reference rather than just a tag.
    private func layoutName(_ d: Descriptor) -> ImageReference? {
        if let n = d.annotations?[LayoutAnnotation.imageName], let r = try? ImageReference(parsing: n) { return r }
        if let n = d.annotations?[LayoutAnnotation.refName], n.contains("/") || n.contains(":"),
           let r = try? ImageReference(parsing: n) { return r }
        return nil
    }

    /// Checks a manifest and stages it with its config and layers.
    private func stageImage(manifestBytes: [UInt8], mediaType: String, name: ImageReference, indexDigest: Digest?,
                            source: ImportSource, transaction: BlobTransaction) throws -> (ImageRecord, StoredImage) {
        let what = "the manifest of \(name.familiar) in \(source.label)"
        guard case .manifest(let manifest) = try ManifestDocument.decode(manifestBytes, mediaType: mediaType, what: what).0 else {
            throw SkiffError(.unsupported, "\(what) is an index inside an index; Skiff does not follow nested indexes")
        }
        try manifest.validateForImage(what)
        let configBytes = try source.blob(manifest.config, transaction: transaction, what: "image config")
        let config = try ImageConfiguration.decode(configBytes, of: manifest, what: "the image config of \(name.familiar)")
        if config.rootfs.diff_ids.count != manifest.layers.count {
            throw SkiffError(.invalidData, "\(what): \(manifest.layers.count) layers but \(config.rootfs.diff_ids.count) diff IDs in the config")
        }
        if !platform.accepts(config.platform) {
            throw SkiffError(.notFound, "\(name.familiar) in \(source.label) is a \(config.platform) image, not \(platform) (use --platform \(config.platform))")
        }
        for layer in manifest.layers { try source.ingest(layer, transaction: transaction, what: "layer") }
        let digest = try transaction.put(manifestBytes)
        let record = ImageRecord(name: name.description, digest: digest, mediaType: mediaType, platform: config.platform,
                                 indexDigest: indexDigest)
        return (record, StoredImage(record: record, manifest: manifest, configBytes: configBytes, config: config))
    }

    // MARK: docker save

    private func importDockerSave(_ source: ImportSource, name: ImageReference?,
                                  transaction: BlobTransaction) throws -> [(ImageRecord, StoredImage)] {
        struct Entry: Decodable { var Config: String; var RepoTags: [String]?; var Layers: [String] }
        let entries = try JSON.decode([Entry].self, from: try source.read("manifest.json"), what: "\(source.label): manifest.json")
        if entries.isEmpty { throw SkiffError(.notFound, "\(source.label) holds no images (its manifest.json is empty)") }
        if entries.count > 1 && name != nil {
            throw SkiffError(.invalidArgument, "\(source.label) holds \(entries.count) images; import it without a name to keep theirs")
        }
        var result: [(ImageRecord, StoredImage)] = []
        for entry in entries {
            let configBytes = try source.read(entry.Config)
            let config = try JSON.decode(ImageConfiguration.self, from: configBytes, what: "\(source.label): \(entry.Config)")
            var names = try (entry.RepoTags ?? []).map { try ImageReference(parsing: $0) }
            if let name { names = [name] }
            guard !names.isEmpty else {
                throw SkiffError(.invalidArgument, "\(source.label) holds an image without a name; name it: skiff import \(source.label) NAME:TAG")
            }
            if !platform.accepts(config.platform) {
                throw SkiffError(.notFound, "\(names[0].familiar) in \(source.label) is a \(config.platform) image, not \(platform) (use --platform \(config.platform))")
            }
            if config.rootfs.diff_ids.count != entry.Layers.count {
                throw SkiffError(.invalidData, "\(source.label): \(entry.Layers.count) layers but \(config.rootfs.diff_ids.count) diff IDs in \(entry.Config)")
            }
            let configDescriptor = try source.ingestFile(entry.Config, mediaType: MediaType.ociConfig, transaction: transaction)
            var layers: [Descriptor] = []
            for (member, diffID) in zip(entry.Layers, config.rootfs.diff_ids) {
                var layer = try source.ingestFile(member, mediaType: "", transaction: transaction)
                let compression = try Compression(sniffing: transaction.path(of: layer.digest))
                guard let type = compression.layerMediaType else {
                    throw SkiffError(.unsupported, "\(source.label): layer \(member) is compressed with \(compression), which OCI layers cannot carry")
                }
                layer.mediaType = type
                if compression == .none && layer.digest != diffID {
                    throw SkiffError(.digestMismatch, "\(source.label): layer \(member) hashes to \(layer.digest), but the config lists its diff ID as \(diffID)")
                }
                layers.append(layer)
            }
            let manifest = Manifest(mediaType: MediaType.ociManifest, config: configDescriptor, layers: layers)
            let manifestBytes = try JSON.encode(manifest)
            let digest = try transaction.put(manifestBytes)
            for n in names {
                let record = ImageRecord(name: n.description, digest: digest, mediaType: MediaType.ociManifest, platform: config.platform)
                result.append((record, StoredImage(record: record, manifest: manifest, configBytes: configBytes, config: config)))
            }
        }
        return result
    }

    // MARK: Root filesystem tar

    private func importRootFilesystem(_ path: String, name: ImageReference?,
                                      transaction: BlobTransaction) throws -> (ImageRecord, StoredImage) {
        guard let name else {
            throw SkiffError(.invalidArgument, "\(path) is a root filesystem tar, which carries no image name; name it: skiff import \(path) NAME:TAG")
        }
        let compression = try Compression(sniffing: path)
        var layer: Descriptor
        let diffID: Digest
        if let type = compression.layerMediaType {
            // Kept as it is (compressed or not); the diff ID is the digest of the tar inside.
            layer = try transaction.ingest(file: path)
            layer.mediaType = type
            diffID = compression == .none ? layer.digest : try decompressedDigest(of: path)
        } else {
            // bzip2 and xz have no OCI media type: store the tar uncompressed.
            let writer = try transaction.writer()
            try readDecompressed(path) { raw throws(SkiffError) in try writer.write(raw) }
            layer = try writer.commitComputed()
            layer.mediaType = MediaType.ociLayer
            diffID = layer.digest
        }
        let now = ImageRecord.now()
        let config = ImageConfiguration(
            platform: platform, config: .init(Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]),
            diffIDs: [diffID], created: now,
            history: [.init(created: now, created_by: "skiff import", comment: "imported from \((path as NSString).lastPathComponent)")])
        let configBytes = try JSON.encode(config)
        let configDigest = try transaction.put(configBytes)
        let manifest = Manifest(mediaType: MediaType.ociManifest,
                                config: Descriptor(mediaType: MediaType.ociConfig, digest: configDigest, size: Int64(configBytes.count)),
                                layers: [layer])
        let digest = try transaction.put(try JSON.encode(manifest))
        let record = ImageRecord(name: name.description, digest: digest, mediaType: MediaType.ociManifest, platform: platform)
        return (record, StoredImage(record: record, manifest: manifest, configBytes: configBytes, config: config))
    }
}
