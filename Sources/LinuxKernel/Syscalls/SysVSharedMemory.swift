#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// System V shared memory: shmget, shmat, shmdt, shmctl (IPC_STAT, IPC_SET, IPC_RMID), as
/// PostgreSQL uses for its postmaster interlock. A segment is a `SharedMemoryObject` (the same as
/// a MAP_SHARED|MAP_ANONYMOUS mapping's, Memory/SharedMemory.swift) that shmat maps; the attach
/// count is the number of mappings of it in every address space (so fork, exit, exec and munmap
/// keep it right without bookkeeping), and a segment marked for removal goes when it reaches 0.
/// Semaphore sets and message queues: Syscalls/SysVSemaphores.swift, SysVMessageQueues.swift.
final class SysVSegment: SysVObject {
    var permissions: SysVPermissions
    let size: UInt64
    let object: SharedMemoryObject
    let creatorPID: Int32
    var lastPID: Int32 = 0
    var attachTime: Int64 = 0, detachTime: Int64 = 0, changeTime: Int64

    init(_ permissions: SysVPermissions, size: UInt64, object: SharedMemoryObject, pid: Int32, now: Int64) {
        self.permissions = permissions; self.size = size; self.object = object; creatorPID = pid; changeTime = now
    }
}

extension Kernel {
    /// The number of mappings of a segment in every process (shm_nattch).
    private func attachments(_ s: SysVSegment) -> Int {
        var n = 0
        for p in processes.values where !p.isZombie {
            for r in p.addressSpace.regions where r.object === s.object { n += 1 }
        }
        return n
    }

    /// Segments marked for removal go once nothing maps them.
    private func dropRemovedSegments() {
        sysvIPC.segments.removeAll { $0.permissions.removed && attachments($0) == 0 }
    }

    /// A segment by id, removed or not (one marked for removal can still be attached, as on Linux).
    private func segment(_ id: Int32) throws(Errno) -> SysVSegment {
        guard let s = sysvIPC.segments.first(where: { $0.permissions.id == id }) else { throw .EINVAL }
        return s
    }

    private func mayAccess(_ t: Task, _ s: SysVSegment, write: Bool) -> Bool {
        s.permissions.allows(t.process.credentials, flag: write ? 0o6 : 0o4)
    }

    func sysShmget(_ t: Task) throws(Errno) -> Int64 {
        let key = Int32(truncatingIfNeeded: t.argument(0))
        let size = t.argument(1)
        let flags = Int32(truncatingIfNeeded: t.argument(2))
        dropRemovedSegments()
        if let s = try sysvFind(sysvIPC.segments, key: key, flags: flags, credentials: t.process.credentials) {
            if size > s.size { throw .EINVAL }
            return Int64(s.permissions.id)
        }
        if size < 1 || size > SysVIPC.maximumSegment { throw .EINVAL }
        try reserveMemory(AddressLayout.pageUp(size))
        let object = try newAnonymousSharedObject(size: AddressLayout.pageUp(size))
        let id = SysVIPC.take(&sysvIPC.nextID)
        let s = SysVSegment(SysVPermissions(key: key, id: id, mode: flags, credentials: t.process.credentials),
                            size: size, object: object, pid: t.process.pid, now: host.realTime().seconds)
        sysvIPC.segments.append(s)
        return Int64(id)
    }

    func sysShmat(_ t: Task) throws(Errno) -> Int64 {
        let s = try segment(Int32(truncatingIfNeeded: t.argument(0)))
        var address = t.argument(1)
        let flags = Int32(truncatingIfNeeded: t.argument(2))
        let readOnly = flags & 0o10000 != 0            // SHM_RDONLY
        if !mayAccess(t, s, write: !readOnly) { throw .EACCES }
        let space = t.process.addressSpace
        let length = AddressLayout.pageUp(s.size)
        if address != 0 {
            if flags & 0o20000 != 0 { address = AddressLayout.pageDown(address) }   // SHM_RND (SHMLBA is a page)
            if !AddressLayout.isAligned(address) { throw .EINVAL }
            if address < AddressLayout.minimumAddress || address &+ length > AddressLayout.taskSize { throw .EINVAL }
            if flags & 0o40000 == 0 && !space.isFree(address, address + length) { throw .EINVAL }   // without SHM_REMAP
        } else {
            guard let free = space.findFree(length: length) else { throw .ENOMEM }
            address = free
        }
        var protection: MemoryProtection = readOnly ? [.read] : [.read, .write]
        if flags & 0o100000 != 0 { protection.insert(.execute) }   // SHM_EXEC
        unmapRange(space, address, address + length)
        var region = MemoryRegion(start: address, end: address + length, protection: protection, shared: true,
                                  file: nil, fileOffset: 0)
        region.object = s.object
        space.insert(region)
        s.lastPID = t.process.pid
        s.attachTime = host.realTime().seconds
        return Int64(bitPattern: address)
    }

    func sysShmdt(_ t: Task) throws(Errno) -> Int64 {
        let address = t.argument(0)
        if !AddressLayout.isAligned(address) { throw .EINVAL }
        let space = t.process.addressSpace
        guard let r = space.regions.first(where: { $0.start == address && $0.object != nil }),
              let s = sysvIPC.segments.first(where: { $0.object === r.object }) else { throw .EINVAL }
        // Every mapping of the segment from this address on, up to its size (a split attachment too).
        let end = address + AddressLayout.pageUp(s.size)
        let pieces = space.regions.filter { $0.object === s.object && $0.start >= address && $0.start < end }
        for p in pieces { unmapRange(space, p.start, p.end) }
        s.lastPID = t.process.pid
        s.detachTime = host.realTime().seconds
        dropRemovedSegments()
        return 0
    }

    func sysShmctl(_ t: Task) throws(Errno) -> Int64 {
        let id = Int32(truncatingIfNeeded: t.argument(0))
        let command = sysvCommand(t, 1)
        let buffer = t.argument(2)
        dropRemovedSegments()
        switch command {
        case 2: // IPC_STAT
            let s = try segment(id)
            if !mayAccess(t, s, write: false) { throw .EACCES }
            var w = ByteWriter(capacity: 112)
            s.permissions.write(&w, extraMode: s.permissions.removed ? 0o1000 : 0)   // SHM_DEST
            w.u64(s.size); w.i64(s.attachTime); w.i64(s.detachTime); w.i64(s.changeTime)
            w.i32(s.creatorPID); w.i32(s.lastPID); w.u64(UInt64(attachments(s))); w.u64(0); w.u64(0)
            try t.copyOut(w.bytes, to: buffer)
            return 0
        case 1: // IPC_SET: uid, gid and the permission bits
            let s = try segment(id)
            try s.permissions.mayChange(t.process.credentials)
            s.permissions.set(from: ByteReader(try t.copyIn(buffer, count: 48)))
            s.changeTime = host.realTime().seconds
            return 0
        case 0: // IPC_RMID: gone for shmget now, for good when the last attachment goes
            let s = try segment(id)
            try s.permissions.mayChange(t.process.credentials)
            s.permissions.removed = true
            s.changeTime = host.realTime().seconds
            dropRemovedSegments()
            return 0
        default: // IPC_INFO, SHM_INFO, SHM_STAT, SHM_LOCK, SHM_UNLOCK
            throw .EINVAL
        }
    }
}
