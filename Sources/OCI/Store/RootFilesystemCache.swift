/// The flattened root filesystem image of each stored image, built once from its layers and
/// cached as `rootfs/<manifest-hex>.skfs`. This is the one place Skiff's image store calls the
/// layer flattener.
extension ImageStore {
    /// The image's root filesystem image, building it first if it is not cached yet.
    @discardableResult
    public func rootFilesystem(for image: StoredImage) throws(SkiffError) -> String {
        let path = rootFilesystemPath(manifest: image.digest)
        if POSIXFile.exists(path) { return path }
        let layers = image.layers.map { LayerFile(path: blobPath($0.digest), mediaType: $0.mediaType) }
        for (layer, d) in zip(layers, image.layers) where !POSIXFile.exists(layer.path) {
            throw SkiffError(.notFound, "layer \(d.digest) of \(image.name) is missing from the store (pull the image again)")
        }
        try flattenLayers(layers, to: path)
        return path
    }
}

struct LayerFile {
    var path: String
    var mediaType: String
}

/// Flattens `layers` (lowest first) into one filesystem image at `output` (written atomically by
/// the flattener). The layer flattener lives in Sources/OCI/Layers; until it lands this fails
/// loudly rather than pretending.
private func flattenLayers(_ layers: [LayerFile], to output: String) throws(SkiffError) {
    throw SkiffError(.unsupported, "flattening layers into a root filesystem image is not available in this build yet")
}
