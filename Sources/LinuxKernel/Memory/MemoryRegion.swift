#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// A file a region maps: kept open for MAP_SHARED write-back and named in /proc/self/maps.
final class MappedFile {
    let description: FileDescription
    let path: [UInt8]
    let device: UInt64
    let inode: UInt64
    init(description: FileDescription, path: [UInt8], device: UInt64, inode: UInt64) {
        self.description = description
        self.path = path
        self.device = device
        self.inode = inode
        description.retain()
    }
    deinit { description.release() }
}

/// One mapping of the guest address space (a Linux VMA): page-aligned [start, end).
struct MemoryRegion {
    var start: UInt64
    var end: UInt64
    var protection: MemoryProtection
    var shared: Bool
    var file: MappedFile?
    var fileOffset: UInt64
    /// "[heap]", "[stack]", or empty; a file mapping is named by its file.
    var label: [UInt8]
    /// For MAP_SHARED memory other processes can see: the object holding the canonical bytes,
    /// and where this region starts in it.
    var object: SharedMemoryObject?
    var objectOffset: UInt64 = 0
    /// For pages filled on demand from `file`: file bytes are used below this address, zeros
    /// above (the end of the file, or of an ELF segment's file part).
    var fillLimit: UInt64 = 0

    init(start: UInt64, end: UInt64, protection: MemoryProtection, shared: Bool = false,
         file: MappedFile? = nil, fileOffset: UInt64 = 0, label: [UInt8] = []) {
        self.start = start
        self.end = end
        self.protection = protection
        self.shared = shared
        self.file = file
        self.fileOffset = fileOffset
        self.label = label
    }

    var length: UInt64 { end - start }

    /// The part of this region inside [from, to), with the file offset moved along.
    func slice(_ from: UInt64, _ to: UInt64) -> MemoryRegion {
        var r = self
        r.start = max(start, from)
        r.end = min(end, to)
        if file != nil { r.fileOffset = fileOffset + (r.start - start) }
        if object != nil { r.objectOffset = objectOffset + (r.start - start) }
        return r
    }

    /// Whether `next` continues this region seamlessly (merged in /proc/self/maps as Linux does).
    func canMerge(with next: MemoryRegion) -> Bool {
        guard end == next.start, protection == next.protection, shared == next.shared,
              label == next.label, object === next.object else { return false }
        switch (file, next.file) {
        case (nil, nil): return true
        case let (a?, b?): return a === b && fileOffset + length == next.fileOffset
        default: return false
        }
    }
}
