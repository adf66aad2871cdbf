import Foundation

/// The annotation OCI layouts use for an image's tag (`latest`), and the one containerd and
/// Skiff use for its full name.
enum LayoutAnnotation {
    static let refName = "org.opencontainers.image.ref.name"
    static let imageName = "io.containerd.image.name"
}

extension ImageStore {
    /// `skiff save`: writes `images` as an OCI image layout in a tar file (`oci-layout`,
    /// `index.json`, `blobs/sha256/…`), readable by `skiff import`, `skopeo copy oci-archive:`
    /// and `docker load`. The file appears only when complete; "-" writes to standard output.
    public func save(_ images: [StoredImage], to output: String) throws(SkiffError) {
        guard !images.isEmpty else { throw SkiffError(.invalidArgument, "nothing to save") }
        var descriptors: [Descriptor] = []
        var blobs: [Digest: Int64] = [:]
        for image in images {
            let manifestSize = Int64(try readBlob(image.digest).count)
            var annotations = [LayoutAnnotation.imageName: image.name]
            if let tag = image.record.reference?.tag { annotations[LayoutAnnotation.refName] = tag }
            descriptors.append(Descriptor(mediaType: image.record.mediaType, digest: image.digest, size: manifestSize,
                                          annotations: annotations, platform: image.platform))
            blobs[image.digest] = manifestSize
            for d in [image.manifest.config] + image.layers {
                guard POSIXFile.size(blobPath(d.digest)) == d.size else {
                    throw SkiffError(.notFound, "blob \(d.digest) of \(image.name) is missing or damaged in the store; pull the image again")
                }
                blobs[d.digest] = d.size
            }
        }
        let index = try JSON.encode(ImageIndex(manifests: descriptors), pretty: true)
        let layout = try JSON.encode(["imageLayoutVersion": "1.0.0"])

        let toStdout = output == "-"
        let dir = (output as NSString).deletingLastPathComponent
        let temp = toStdout ? "-" : "\(dir.isEmpty ? "." : dir)/.\((output as NSString).lastPathComponent).skiff-\(getpid()).tmp"
        do throws(SkiffError) {
            let tar = try TarWriter(path: temp)
            try tar.addFile("oci-layout", bytes: layout)
            try tar.addFile("index.json", bytes: index)
            try tar.addDirectory("blobs/")
            try tar.addDirectory("blobs/sha256/")
            for (digest, size) in blobs.sorted(by: { $0.key < $1.key }) {
                try tar.addFile("blobs/sha256/\(digest.encoded)", from: blobPath(digest), size: size)
            }
            try tar.close()
            if !toStdout { try POSIXFile.rename(temp, output) }
        } catch {
            if !toStdout { POSIXFile.remove(temp) }
            throw error
        }
    }
}
