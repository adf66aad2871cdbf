/// The CNCF wasm OCI artifact (tag-runtime's "Wasm OCI Artifact layout", also wasm-to-oci's):
/// an OCI manifest whose layers are raw WebAssembly modules (`application/wasm`), not tars, and
/// whose config (`application/vnd.wasm.config.v0+json`) says `os`/`architecture` and lists the
/// layers but has no `rootfs` and no `config` (no entrypoint).
///
/// Skiff keeps the artifact's blobs as they are (so `save` and `push` copy it unchanged) and
/// reads it as an image: each module layer is a file at the root (its title annotation, or
/// `module.wasm`), the config is the image config that says so: the platform the artifact
/// names, the layer digests as diff IDs (a raw layer is its own uncompressed content) and the
/// first module as Entrypoint.
public enum WasmArtifact {
    /// The file each layer of `layers` becomes in the image's tree when it is a raw module
    /// (nil for tar layers).
    public static func moduleFileNames(_ layers: [Descriptor]) -> [String?] {
        var count = 0
        return layers.map { layer in
            guard MediaType.wasmLayers.contains(layer.mediaType) else { return nil }
            count += 1
            if let title = layer.annotations?["org.opencontainers.image.title"], isPlainFileName(title) { return title }
            return count == 1 ? "module.wasm" : "module-\(count).wasm"
        }
    }

    /// A title usable as one file name at the root: no slash, not `.`/`..`, not empty, no NUL.
    static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && name.utf8.count <= 255
            && !name.utf8.contains(UInt8(ascii: "/")) && !name.utf8.contains(0)
    }

    /// The artifact's config as the image config Skiff runs.
    static func configuration(_ bytes: [UInt8], manifest: Manifest, what: String) throws(SkiffError) -> ImageConfiguration {
        struct ArtifactConfig: Decodable {
            var created: String?
            var author: String?
            var architecture: String
            var os: String
            var layerDigests: [Digest]?
        }
        let artifact = try JSON.decode(ArtifactConfig.self, from: bytes, what: what)
        let modules = moduleFileNames(manifest.layers).compactMap { $0 }
        guard let first = modules.first else {
            throw SkiffError(.unsupported, "\(what) is a wasm artifact config, but the manifest has no module layer (application/wasm)")
        }
        if let listed = artifact.layerDigests, listed != manifest.layers.map(\.digest) {
            throw SkiffError(.invalidData, "\(what) is inconsistent: its layerDigests are not the manifest's layers")
        }
        var configuration = ImageConfiguration(platform: Platform(os: artifact.os, architecture: artifact.architecture),
                                               config: ImageConfiguration.ContainerConfig(Entrypoint: ["/" + first]),
                                               diffIDs: manifest.layers.map(\.digest), created: artifact.created)
        configuration.author = artifact.author
        return configuration
    }
}

extension ImageConfiguration {
    /// Reads the config of `manifest`: an image config, or a wasm artifact's config read as one.
    static func decode(_ bytes: [UInt8], of manifest: Manifest, what: String) throws(SkiffError) -> ImageConfiguration {
        if MediaType.wasmConfigs.contains(manifest.config.mediaType) {
            return try WasmArtifact.configuration(bytes, manifest: manifest, what: what)
        }
        return try JSON.decode(ImageConfiguration.self, from: bytes, what: what, quickly: ImageConfiguration.init(json:))
    }
}
