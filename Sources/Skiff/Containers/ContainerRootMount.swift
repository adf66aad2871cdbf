import FSImage
import LinuxKernel
import OCI
import PosixHost

/// A container's root file system opened on the host: the image's filesystem image mapped into
/// memory, the writable layer's directory open, its attribute records loaded. Keep this object
/// alive while anything uses `root`.
final class ContainerRootMount {
    let image: MappedFilesystemImage
    let upper: HostFD
    let attributes: OverlayAttributeTable
    let root: ContainerFileSystem
    let host: PosixHost
    /// The container's image.
    let storedImage: StoredImage
    private let containers: ContainerStore
    private let id: String

    /// `image`, when the caller has it loaded already, must be the record's image.
    init(images: ImageStore, containers: ContainerStore, record: ContainerRecord, image loaded: StoredImage? = nil,
         readOnly: Bool, host: PosixHost = PosixHost()) throws(SkiffError) {
        let stored: StoredImage
        if let loaded, loaded.digest.description == record.imageDigest {
            stored = loaded
        } else {
            do {
                stored = try images.image(record.imageDigest)
            } catch {
                throw SkiffError(.notFound, "the image of container \(record.name) (\(record.imageName), \(record.imageDigest)) is no longer in the store")
            }
        }
        let path = try images.rootFilesystem(for: stored)
        do {
            image = try MappedFilesystemImage(path: path)
        } catch {
            throw SkiffError(.invalidData, "cannot open the root filesystem of \(record.imageName): \(error)")
        }
        do throws(Errno) {
            upper = try PosixHost.openDirectory(containers.upperDirectory(record.id))
        } catch {
            throw SkiffError(.io, "cannot open the writable layer of container \(record.name): \(error.name)")
        }
        self.host = host
        self.storedImage = stored
        self.containers = containers
        self.id = record.id
        attributes = OverlayAttributeTable(containers.loadAttributes(record.id))
        root = ContainerFileSystem(image: image.reader, host: host, upper: upper, attributes: attributes, readOnly: readOnly)
    }

    /// Saves the attribute records if the container changed any.
    func saveAttributes() throws(SkiffError) {
        if attributes.changed {
            try containers.saveAttributes(id, attributes.entries)
            attributes.changed = false
        }
    }

    deinit { host.close(upper) }
}
