#if !SKIFF_SINGLE_MODULE
import FSImage
#endif

extension ContainerFileSystem {
    /// The image below a writable layer kept in memory (a MemoryDirectoryHost over `host`): the
    /// root of a converted module, where the host has no writable directory to give. Everything
    /// written is lost with this object. Mount it as any container root:
    /// `kernel.mountContainerRoot(root, at: "/")` on a kernel made with the same `host`.
    /// `image`'s buffer must stay mapped while this object (or a kernel it is mounted in) lives.
    public convenience init(image: FSImageReader, inMemoryUpperOver host: Host) {
        let memory = MemoryDirectoryHost(base: host)
        self.init(image: image, host: memory, upper: memory.rootDirectory, attributes: OverlayAttributeTable(), readOnly: false)
    }

    /// The in-memory upper layer's host, when the root was made with `init(image:inMemoryUpperOver:)`.
    public var inMemoryUpper: MemoryDirectoryHost? { overlay.host as? MemoryDirectoryHost }
}
