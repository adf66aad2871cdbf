/// The flattened root filesystem image of each stored image, built once from its layers and
/// cached as `rootfs/<manifest-hex>.skfs`. This is the one place the image store calls the
/// layer flattener (Sources/OCI/Layers).
extension ImageStore {
    /// The image's root filesystem image, building it first if it is not cached yet.
    @discardableResult
    public func rootFilesystem(for image: StoredImage) throws(SkiffError) -> String {
        let path = rootFilesystemPath(manifest: image.digest)
        if POSIXFile.exists(path) { return path }
        for d in image.layers where !hasBlob(d) {
            throw SkiffError(.notFound, "layer \(d.digest) of \(image.name) is missing from the store (pull the image again)")
        }
        let layers = zip(image.layers, WasmArtifact.moduleFileNames(image.layers)).map {
            LayerBlob(path: blobPath($0.digest), mediaType: $0.mediaType, moduleFileName: $1)
        }
        do {
            // Writes atomically: a failed build leaves no file at `path`.
            _ = try buildRootFilesystemImage(layers: layers, to: path)
        } catch let error as LayerError {
            throw SkiffError(.invalidData, "cannot build the root filesystem of \(image.name): \(error.description)", underlying: error)
        } catch {
            throw SkiffError.wrap(error, .io, "cannot build the root filesystem of \(image.name)")
        }
        return path
    }
}
