/// The media types Skiff reads and writes (OCI image spec and Docker image manifest v2 schema 2).
public enum MediaType {
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let ociLayerNondistributable = "application/vnd.oci.image.layer.nondistributable.v1.tar"
    public static let ociLayerNondistributableGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
    public static let ociLayerNondistributableZstd = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
    public static let ociLayout = "application/vnd.oci.layout.header.v1+json"

    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    public static let dockerLayer = "application/vnd.docker.image.rootfs.diff.tar"
    public static let dockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
    public static let dockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws"
    public static let dockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json"

    public static let manifests: Set<String> = [ociManifest, dockerManifest]
    public static let indexes: Set<String> = [ociIndex, dockerManifestList]
    public static let configs: Set<String> = [ociConfig, dockerConfig]
    /// The configs of wasm artifacts: the CNCF wasm OCI artifact's (`v0`) and wasm-to-oci's (`v1`).
    public static let wasmConfigs: Set<String> = ["application/vnd.wasm.config.v0+json", "application/vnd.wasm.config.v1+json"]
    /// Layers that are one raw WebAssembly module, not a tar (CNCF wasm artifact, runwasi, wasm-to-oci).
    public static let wasmLayers: Set<String> = ["application/wasm", "application/vnd.wasm.content.layer.v1+wasm",
                                                 "application/vnd.w3c.wasm.module.v1+wasm"]
    public static let layers: Set<String> = [
        ociLayer, ociLayerGzip, ociLayerZstd, dockerLayerGzip, dockerLayer,
        ociLayerNondistributable, ociLayerNondistributableGzip, ociLayerNondistributableZstd, dockerForeignLayerGzip,
    ]

    /// The Accept header for manifest requests: everything Skiff can use.
    public static let manifestAccept = [ociIndex, dockerManifestList, ociManifest, dockerManifest].joined(separator: ", ")

    /// Strips parameters (`; charset=utf-8`) and surrounding blanks.
    static func essence(_ contentType: String) -> String {
        let base = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? contentType
        // ASCII (every media type) by hand: Foundation's trimming bridges to NSString, which
        // costs a noticeable part of a container's start.
        var bytes = Array(base.utf8)
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return base.trimmingCharacters(in: .whitespaces).lowercased() }
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        let first = bytes.firstIndex { $0 != 0x20 && $0 != 0x09 } ?? bytes.endIndex
        return String(decoding: bytes[first...].map { $0 >= 0x41 && $0 <= 0x5a ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}
