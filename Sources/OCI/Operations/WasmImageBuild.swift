import Foundation

/// What `skiff build-wasm` puts into a WASI image besides the module.
public struct WasmImageDetails: Sendable {
    public var name: ImageReference
    /// `wasip1/wasm` (the CNCF wasm OCI artifact's and Go's name) or `wasi/wasm` (runwasi's, docker's).
    public var platform: Platform = .wasip1
    /// The module's path in the image (default: `/` + its file name).
    public var modulePath: String?
    /// Cmd: arguments after the module.
    public var command: [String] = []
    public var environment: [String] = []
    public var workingDirectory: String?
    /// More files or directories: (host path, path in the image).
    public var files: [(host: String, image: String)] = []

    public init(name: ImageReference) { self.name = name }
}

extension ImageStore {
    /// `skiff build-wasm`: a one-layer OCI image whose Entrypoint is the module (as runwasi's
    /// oci-tar-builder makes them): the layer is a gzip tar holding the module (and any extra
    /// files), the config's platform is WASI. Tagged in the store; `save` writes it as an OCI
    /// layout for `ctr import` or `docker load`.
    public func buildWasmImage(module: String, details: WasmImageDetails) throws(SkiffError) -> StoredImage {
        var magic = [UInt8](repeating: 0, count: 4)
        guard let handle = FileHandle(forReadingAtPath: module) else {
            throw SkiffError(.notFound, "cannot read the module \(module)")
        }
        magic = [UInt8](handle.readData(ofLength: 4))
        try? handle.close()
        guard magic == [0x00, 0x61, 0x73, 0x6d] else {
            throw SkiffError(.invalidArgument, "\(module) is not a WebAssembly module (it does not begin with \\0asm)")
        }
        guard details.platform.isWASI else {
            throw SkiffError(.invalidArgument, "a WASI image's platform is wasip1/wasm or wasi/wasm, not \(details.platform)")
        }
        var inImage = details.modulePath ?? "/" + (module as NSString).lastPathComponent
        if !inImage.hasPrefix("/") { inImage = "/" + inImage }

        let gc = try gcLock(exclusive: false)
        defer { gc.unlock() }
        let transaction = BlobTransaction(store: self)
        defer { transaction.rollback() }

        // The layer, written to a temporary file first: its diff ID is the digest of the tar.
        let temporary = NSTemporaryDirectory() + "/skiff-build-wasm-\(getpid()).tar.gz"
        defer { POSIXFile.remove(temporary) }
        do {
            let tar = try TarWriter(path: temporary, gzip: true)
            var directories = Set<String>()
            func addParents(_ path: String) throws(SkiffError) {
                var parent = ""
                for part in path.split(separator: "/").dropLast() {
                    parent += part + "/"
                    if directories.insert(parent).inserted { try tar.addDirectory(parent) }
                }
            }
            func addTree(host: String, image: String) throws(SkiffError) {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: host, isDirectory: &isDirectory) else {
                    throw SkiffError(.notFound, "\(host) does not exist")
                }
                let name = String(image.drop(while: { $0 == "/" }))
                if isDirectory.boolValue {
                    try addParents(name + "/x")
                    let children = (try? FileManager.default.contentsOfDirectory(atPath: host)) ?? []
                    for child in children.sorted() { try addTree(host: host + "/" + child, image: name + "/" + child) }
                } else {
                    try addParents(name)
                    let size = Int64(POSIXFile.size(host) ?? 0)
                    var member = TarMember(name: name, kind: .regular, mode: FileManager.default.isExecutableFile(atPath: host) ? 0o755 : 0o644)
                    member.size = size
                    try tar.add(member)
                    try tar.copyContents(of: host, size: size)
                }
            }
            try addTree(host: module, image: inImage)
            for f in details.files { try addTree(host: f.host, image: f.image.hasPrefix("/") ? f.image : "/" + f.image) }
            try tar.close()
        }
        var layer = try transaction.ingest(file: temporary)
        layer.mediaType = MediaType.ociLayerGzip
        let diffID = try decompressedDigest(of: temporary)

        let now = ImageRecord.now()
        var runtime = ImageConfiguration.ContainerConfig(Env: details.environment.isEmpty ? nil : details.environment,
                                                         Entrypoint: [inImage],
                                                         Cmd: details.command.isEmpty ? nil : details.command)
        runtime.WorkingDir = details.workingDirectory
        let config = ImageConfiguration(platform: details.platform, config: runtime, diffIDs: [diffID], created: now,
                                        history: [.init(created: now, created_by: "skiff build-wasm \((module as NSString).lastPathComponent)")])
        let configBytes = try JSON.encode(config)
        let configDigest = try transaction.put(configBytes)
        let manifest = Manifest(mediaType: MediaType.ociManifest,
                                config: Descriptor(mediaType: MediaType.ociConfig, digest: configDigest, size: Int64(configBytes.count)),
                                layers: [layer])
        let digest = try transaction.put(try JSON.encode(manifest))
        try transaction.commit()
        let record = ImageRecord(name: details.name.description, digest: digest, mediaType: MediaType.ociManifest,
                                 platform: config.platform)
        try tag(record)
        return StoredImage(record: record, manifest: manifest, configBytes: configBytes, config: config)
    }
}
