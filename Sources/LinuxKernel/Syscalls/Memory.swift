#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// brk, mmap, munmap, mprotect, mremap, madvise, msync, mlock, mincore.
extension Kernel {
    enum MapFlags {
        static let shared: UInt64 = 0x1
        static let privateCopy: UInt64 = 0x2
        static let sharedValidate: UInt64 = 0x3
        static let typeMask: UInt64 = 0xf
        static let fixed: UInt64 = 0x10
        static let anonymous: UInt64 = 0x20
        static let fixedNoReplace: UInt64 = 0x100000
        /// Every flag Linux accepts with MAP_SHARED_VALIDATE.
        static let known: UInt64 = 0x1ff_ff3f
    }

    static func protection(_ prot: UInt64) throws(Errno) -> MemoryProtection {
        if prot & ~UInt64(0x0300_0007) != 0 { throw .EINVAL }
        var p: MemoryProtection = []
        if prot & 1 != 0 { p.insert(.read) }
        if prot & 2 != 0 { p.insert(.write) }
        if prot & 4 != 0 { p.insert(.execute) }
        return p
    }

    func sysBrk(_ t: Task) -> Int64 {
        let space = t.process.addressSpace
        let requested = t.argument(0)
        if requested > space.brk {
            // Over the memory limit the break stays where it is (brk's way of saying ENOMEM).
            do throws(Errno) { try reserveMemory(AddressLayout.pageUp(requested) &- AddressLayout.pageUp(space.brk)) } catch {
                return Int64(bitPattern: space.brk)
            }
        }
        return Int64(bitPattern: space.setBreak(requested))
    }

    func sysMmap(_ t: Task) throws(Errno) -> Int64 {
        let address = t.argument(0)
        let length = t.argument(1)
        let protection = try Kernel.protection(t.argument(2))
        let flags = t.argument(3)
        let fd = Int32(truncatingIfNeeded: t.argument(4))
        let offset = t.argument(5)
        let space = t.process.addressSpace
        let type = flags & MapFlags.typeMask
        if length == 0 || !AddressLayout.isAligned(offset) { throw .EINVAL }
        if type != MapFlags.shared && type != MapFlags.privateCopy && type != MapFlags.sharedValidate { throw .EINVAL }
        if type == MapFlags.sharedValidate && flags & ~MapFlags.known != 0 { throw .EOPNOTSUPP }
        let size = AddressLayout.pageUp(length)
        if size == 0 || size > AddressLayout.maximumMapping { throw .ENOMEM }
        let shared = type != MapFlags.privateCopy
        if flags & MapFlags.anonymous != 0 || (!shared && protection.contains(.write)) { try reserveMemory(size) }

        var file: MappedFile?
        var fileSize: UInt64 = 0
        var object: SharedMemoryObject?
        if flags & MapFlags.anonymous == 0 {
            let d = try t.process.files.get(fd)
            if d.isPathOnly { throw .EBADF }
            if !d.canRead { throw .EACCES }
            if shared && protection.contains(.write) && !d.canWrite { throw .EACCES }
            if let dev = d as? CharacterDevice, dev.kind == .zero {
                file = nil
            } else {
                let st = try d.stat()
                guard st.isRegular else { throw .ENODEV }
                if offset > UInt64(Int64.max) - size { throw .EOVERFLOW }
                file = MappedFile(description: d, path: d.path, device: st.device, inode: st.inode)
                fileSize = UInt64(max(st.size, 0))
                if shared { object = try sharedObject(for: d, stat: st, end: offset + size) }
            }
        }
        if shared && object == nil && file == nil { object = try newAnonymousSharedObject(size: size) }

        let start: UInt64
        if flags & (MapFlags.fixed | MapFlags.fixedNoReplace) != 0 {
            if !AddressLayout.isAligned(address) { throw .EINVAL }
            if address < AddressLayout.minimumAddress || address &+ size > AddressLayout.taskSize || address &+ size < address {
                throw flags & MapFlags.fixed != 0 && address < AddressLayout.minimumAddress ? .EPERM : .ENOMEM
            }
            if flags & MapFlags.fixedNoReplace != 0 && !space.isFree(address, address + size) { throw .EEXIST }
            start = address
        } else {
            let hint = AddressLayout.pageDown(address)
            if hint != 0 && space.isFree(hint, hint &+ size) {
                start = hint
            } else if let free = space.findFree(length: size) {
                start = free
            } else {
                throw .ENOMEM
            }
        }
        unmapRange(space, start, start + size)
        var region = MemoryRegion(start: start, end: start + size, protection: protection, shared: shared,
                                  file: file, fileOffset: file == nil ? 0 : offset)
        region.object = object
        region.objectOffset = file == nil ? 0 : offset
        if object != nil {
            space.insert(region)
        } else if file != nil {
            // Filled on first touch; past the end of the file the pages read as zero.
            region.fillLimit = fileSize > offset ? start + min(size, fileSize - offset) : start
            space.insertLazily(region)
        } else {
            space.insert(region)
        }
        return Int64(bitPattern: start)
    }

    /// Reads guest pages whatever their protection (for write-back and moves).
    func readPages(_ space: AddressSpace, at address: UInt64, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        let end = address + UInt64(buffer.count)
        space.fill(address, end)
        var restore: [MemoryRegion] = []
        for r in space.regions where r.start < end && r.end > address && !r.protection.contains(.read) {
            restore.append(r.slice(address, end))
        }
        for r in restore { _ = space.memory.protect(at: r.start, length: r.length, protection: r.protection.union(.read)) }
        let ok = (try? space.memory.read(at: address, into: buffer)) != nil
        for r in restore { _ = space.memory.protect(at: r.start, length: r.length, protection: r.protection) }
        return ok
    }

    /// munmap's work: shared contents are saved before the pages go.
    func unmapRange(_ space: AddressSpace, _ start: UInt64, _ end: UInt64) {
        let pieces = space.regions.filter { $0.start < end && $0.end > start }.map { $0.slice(start, end) }
        if pieces.isEmpty { return }
        writeBackShared(pieces)
        space.unmap(start, end)
        if pieces.contains(where: { $0.object != nil }) { forgetUnmappedSharedFiles() }
    }

    func sysMunmap(_ t: Task) throws(Errno) -> Int64 {
        let address = t.argument(0)
        let length = t.argument(1)
        if !AddressLayout.isAligned(address) || length == 0 { throw .EINVAL }
        let end = address &+ AddressLayout.pageUp(length)
        if end > AddressLayout.taskSize || end < address { throw .EINVAL }
        unmapRange(t.process.addressSpace, address, end)
        return 0
    }

    func sysMprotect(_ t: Task) throws(Errno) -> Int64 {
        let address = t.argument(0)
        let length = t.argument(1)
        let protection = try Kernel.protection(t.argument(2))
        if !AddressLayout.isAligned(address) { throw .EINVAL }
        if length == 0 { return 0 }
        let end = address &+ AddressLayout.pageUp(length)
        if end < address { throw .ENOMEM }
        if protection.contains(.write) {
            // A shared mapping of a file opened read-only may never become writable (Linux: no
            // VM_MAYWRITE), or its stores would reach other mappings and read(2) of the file.
            for r in t.process.addressSpace.regions where r.start < end && r.end > address && r.shared {
                if let f = r.file, !f.description.canWrite { throw .EACCES }
            }
        }
        if !t.process.addressSpace.protect(address, end, protection) { throw .ENOMEM }
        return 0
    }

    func sysMremap(_ t: Task) throws(Errno) -> Int64 {
        let old = t.argument(0)
        let oldSize = AddressLayout.pageUp(t.argument(1))
        let newSize = AddressLayout.pageUp(t.argument(2))
        let flags = t.argument(3)
        let requested = t.argument(4)
        let space = t.process.addressSpace
        if !AddressLayout.isAligned(old) || flags & ~UInt64(7) != 0 || newSize == 0 { throw .EINVAL }
        if newSize > AddressLayout.maximumMapping || oldSize > AddressLayout.maximumMapping { throw .ENOMEM }
        if flags & 2 != 0 && flags & 1 == 0 { throw .EINVAL }
        if flags & 4 != 0 { throw .EINVAL } // MREMAP_DONTUNMAP is not supported
        if oldSize == 0 { throw .EINVAL }
        guard let first = space.region(containing: old), space.isFullyMapped(old, old + oldSize) else { throw .EFAULT }
        if flags & 2 == 0 {
            if newSize <= oldSize {
                if newSize < oldSize { unmapRange(space, old + newSize, old + oldSize) }
                return Int64(bitPattern: old)
            }
            // Grow in place when the pages after it are free and it is one mapping.
            if first.end >= old + oldSize && space.isFree(old + oldSize, old + newSize) {
                var tail = first.slice(old + oldSize - AddressLayout.pageSize, old + oldSize)
                tail.fileOffset += AddressLayout.pageSize
                tail.objectOffset += AddressLayout.pageSize
                tail.start = old + oldSize
                tail.end = old + newSize
                try fillGrownTail(space, tail)
                return Int64(bitPattern: old)
            }
            if flags & 1 == 0 { throw .ENOMEM }
        }
        // Move.
        let target: UInt64
        if flags & 2 != 0 {
            if !AddressLayout.isAligned(requested) || requested < AddressLayout.minimumAddress
                || requested + newSize > AddressLayout.taskSize { throw .EINVAL }
            if requested < old + oldSize && old < requested + newSize { throw .EINVAL }
            unmapRange(space, requested, requested + newSize)
            target = requested
        } else {
            guard let free = space.findFree(length: newSize) else { throw .ENOMEM }
            target = free
        }
        let moved = min(oldSize, newSize)
        let pieces = space.regions.filter { $0.start < old + moved && $0.end > old }.map { $0.slice(old, old + moved) }
        space.fill(old, old + moved)
        for var p in pieces {
            p.fillLimit = p.fillLimit &+ target &- old
            p.start = target + (p.start - old)
            p.end = target + (p.end - old)
            space.insert(p)
        }
        // Contents move a chunk at a time (the old pages stay mapped until the end).
        var done: UInt64 = 0
        while done < moved {
            let n = Int(min(moved - done, UInt64(Kernel.maximumTransfer)))
            let buffer = scratchBuffer(n)
            guard readPages(space, at: old + done, into: buffer),
                  (try? space.memory.write(at: target + done, from: UnsafeRawBufferPointer(buffer), force: true)) != nil else {
                throw .EFAULT
            }
            done += UInt64(n)
        }
        if newSize > oldSize, var tail = pieces.last {
            tail.fillLimit = tail.fillLimit &+ target &- old
            tail.fileOffset += tail.length
            tail.objectOffset += tail.length
            tail.start = target + oldSize
            tail.end = target + newSize
            try fillGrownTail(space, tail)
        }
        space.unmap(old, old + oldSize)
        return Int64(bitPattern: target)
    }

    /// Maps the part mremap added and fills it: from the shared object, the file, or zeros.
    private func fillGrownTail(_ space: AddressSpace, _ tail: MemoryRegion) throws(Errno) {
        if let obj = tail.object {
            let end = tail.objectOffset + tail.length
            if let f = tail.file, let st = try? f.description.stat() {
                _ = try sharedObject(for: f.description, stat: st, end: end)
            } else {
                if end > Kernel.maximumSharedObject { throw .ENOMEM }
                obj.grow(to: end)
            }
            space.insert(tail)
            return
        }
        if tail.file != nil { space.insertLazily(tail) } else { space.insert(tail) }
    }

    func sysMadvise(_ t: Task) throws(Errno) -> Int64 {
        let address = t.argument(0)
        let length = AddressLayout.pageUp(t.argument(1))
        let advice = Int32(truncatingIfNeeded: t.argument(2))
        if !AddressLayout.isAligned(address) { throw .EINVAL }
        if length == 0 { return 0 }
        let space = t.process.addressSpace
        let end = address &+ length
        switch advice {
        case 4, 8: // MADV_DONTNEED, MADV_FREE: private pages read back as zero (or file contents)
            if !space.isFullyMapped(address, end) { throw .ENOMEM }
            let pieces = space.regions.filter { $0.start < end && $0.end > address }.map { $0.slice(address, end) }
            for p in pieces where !p.shared {
                if p.file != nil && advice == 4 { space.insertLazily(p) } else { space.insert(p) }
            }
            return 0
        case 9: // MADV_REMOVE
            throw .EOPNOTSUPP
        case 0, 1, 2, 3, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 100, 101:
            // Advice about caching, huge pages, dumping, forking: no effect on what the guest sees.
            if !space.isFullyMapped(address, end) { throw .ENOMEM }
            return 0
        default:
            throw .EINVAL
        }
    }

    func sysMsync(_ t: Task) throws(Errno) -> Int64 {
        let address = t.argument(0)
        let end = address &+ AddressLayout.pageUp(t.argument(1))
        let flags = t.argument(2)
        if !AddressLayout.isAligned(address) || flags & ~UInt64(7) != 0 || (flags & 1 != 0 && flags & 4 != 0) { throw .EINVAL }
        let space = t.process.addressSpace
        if !space.isFullyMapped(address, end) { throw .ENOMEM }
        writeBackShared(space.regions.filter { $0.start < end && $0.end > address }.map { $0.slice(address, end) })
        return 0
    }

    /// mlock/munlock/mlock2: every guest page is resident already; only the range is checked.
    func sysMlock(_ t: Task) throws(Errno) -> Int64 {
        let address = AddressLayout.pageDown(t.argument(0))
        let end = AddressLayout.pageUp(t.argument(0) &+ t.argument(1))
        if end < address { throw .EINVAL }
        if !t.process.addressSpace.isFullyMapped(address, end) { throw .ENOMEM }
        return 0
    }

    func sysMincore(_ t: Task) throws(Errno) -> Int64 {
        let address = t.argument(0)
        if !AddressLayout.isAligned(address) { throw .EINVAL }
        // Linux's access_ok first: a range that wraps or passes the top of user space is ENOMEM
        // (a huge length once made the host allocate one byte per page of it and abort).
        let length = t.argument(1)
        if length > AddressLayout.taskSize || address > AddressLayout.taskSize - AddressLayout.pageUp(length) { throw .ENOMEM }
        let end = address + AddressLayout.pageUp(length)
        if !t.process.addressSpace.isFullyMapped(address, end) { throw .ENOMEM }
        // Every page is resident: one byte 1 per page, written a chunk at a time.
        let chunk = [UInt8](repeating: 1, count: 4096)
        var page = address, out = t.argument(2)
        while page < end {
            let n = min(UInt64(chunk.count), (end - page) / AddressLayout.pageSize)
            try t.copyOut(Array(chunk[0..<Int(n)]), to: out)
            page += n * AddressLayout.pageSize
            out &+= n
        }
        return 0
    }
}
