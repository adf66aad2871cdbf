#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// System V shared memory: shmget, shmat, shmdt, shmctl (IPC_STAT, IPC_SET, IPC_RMID), as
/// PostgreSQL uses for its postmaster interlock. A segment is a `SharedMemoryObject` (the same as
/// a MAP_SHARED|MAP_ANONYMOUS mapping's, Memory/SharedMemory.swift) that shmat maps; the attach
/// count is the number of mappings of it in every address space (so fork, exit, exec and munmap
/// keep it right without bookkeeping), and a segment marked for removal goes when it reaches 0.
/// Semaphore sets and message queues (semget, msgget…) are not implemented (ENOSYS).
final class SysVSegment {
    let key: Int32
    let id: Int32
    let size: UInt64
    let object: SharedMemoryObject
    var uid: UInt32, gid: UInt32, mode: UInt32
    let creatorUID: UInt32, creatorGID: UInt32, creatorPID: Int32
    var lastPID: Int32 = 0
    var attachTime: Int64 = 0, detachTime: Int64 = 0, changeTime: Int64
    var removed = false

    init(key: Int32, id: Int32, size: UInt64, object: SharedMemoryObject, mode: UInt32, credentials c: Credentials, pid: Int32, now: Int64) {
        self.key = key; self.id = id; self.size = size; self.object = object; self.mode = mode
        uid = c.euid; gid = c.egid; creatorUID = c.euid; creatorGID = c.egid; creatorPID = pid; changeTime = now
    }
}

/// The IPC namespace's objects (the container's own, as with docker's private IPC namespace).
final class SysVIPC {
    var segments: [SysVSegment] = []
    var nextID: Int32 = 0
    static let privateKey: Int32 = 0
    static let create: Int32 = 0o1000, exclusive: Int32 = 0o2000
    static let maximumSegment: UInt64 = Kernel.maximumSharedObject   // SHMMAX: the segment lives in host memory
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
        sysvIPC.segments.removeAll { $0.removed && attachments($0) == 0 }
    }

    private func segment(_ id: Int32) throws(Errno) -> SysVSegment {
        guard let s = sysvIPC.segments.first(where: { $0.id == id }) else { throw .EINVAL }
        return s
    }

    /// ipcperms: the owner's, the group's or the others' bits of the mode; root may do anything.
    private func mayAccess(_ t: Task, _ s: SysVSegment, write: Bool) -> Bool {
        let c = t.process.credentials
        if c.isPrivileged { return true }
        let shift: UInt32 = c.euid == s.uid || c.euid == s.creatorUID ? 6
            : (c.egid == s.gid || c.egid == s.creatorGID || c.groups.contains(s.gid) ? 3 : 0)
        let wanted: UInt32 = write ? 0o6 : 0o4
        return (s.mode >> shift) & wanted == wanted
    }

    func sysShmget(_ t: Task) throws(Errno) -> Int64 {
        let key = Int32(truncatingIfNeeded: t.argument(0))
        let size = t.argument(1)
        let flags = Int32(truncatingIfNeeded: t.argument(2))
        dropRemovedSegments()
        if key != SysVIPC.privateKey, let s = sysvIPC.segments.first(where: { $0.key == key && !$0.removed }) {
            if flags & SysVIPC.create != 0 && flags & SysVIPC.exclusive != 0 { throw .EEXIST }
            if size > s.size { throw .EINVAL }
            if !mayAccess(t, s, write: flags & 0o200 != 0) { throw .EACCES }
            return Int64(s.id)
        }
        if key != SysVIPC.privateKey && flags & SysVIPC.create == 0 { throw .ENOENT }
        if size < 1 || size > SysVIPC.maximumSegment { throw .EINVAL }
        try reserveMemory(AddressLayout.pageUp(size))
        let object = try newAnonymousSharedObject(size: AddressLayout.pageUp(size))
        let s = SysVSegment(key: key, id: sysvIPC.nextID, size: size, object: object, mode: UInt32(flags & 0o777),
                            credentials: t.process.credentials, pid: t.process.pid, now: host.realTime().seconds)
        sysvIPC.nextID += 1
        sysvIPC.segments.append(s)
        return Int64(s.id)
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
        let command = Int32(truncatingIfNeeded: t.argument(1)) & ~0x100   // IPC_64, which glibc adds
        let buffer = t.argument(2)
        dropRemovedSegments()
        switch command {
        case 2: // IPC_STAT
            let s = try segment(id)
            if !mayAccess(t, s, write: false) { throw .EACCES }
            var w = ByteWriter(capacity: 112)
            w.i32(s.removed ? SysVIPC.privateKey : s.key); w.u32(s.uid); w.u32(s.gid); w.u32(s.creatorUID); w.u32(s.creatorGID)
            w.u32(s.mode | (s.removed ? 0o1000 : 0))   // SHM_DEST
            w.u16(UInt16(truncatingIfNeeded: s.id)); w.u16(0); w.u64(0); w.u64(0)
            w.u64(s.size); w.i64(s.attachTime); w.i64(s.detachTime); w.i64(s.changeTime)
            w.i32(s.creatorPID); w.i32(s.lastPID); w.u64(UInt64(attachments(s))); w.u64(0); w.u64(0)
            try t.copyOut(w.bytes, to: buffer)
            return 0
        case 1: // IPC_SET: uid, gid and the permission bits
            let s = try segment(id)
            let c = t.process.credentials
            if !c.isPrivileged && c.euid != s.uid && c.euid != s.creatorUID { throw .EPERM }
            let raw = ByteReader(try t.copyIn(buffer, count: 48))
            s.uid = raw.u32(4); s.gid = raw.u32(8); s.mode = (s.mode & ~0o777) | (raw.u32(20) & 0o777)
            s.changeTime = host.realTime().seconds
            return 0
        case 0: // IPC_RMID: gone for shmget now, for good when the last attachment goes
            let s = try segment(id)
            let c = t.process.credentials
            if !c.isPrivileged && c.euid != s.uid && c.euid != s.creatorUID { throw .EPERM }
            s.removed = true
            s.changeTime = host.realTime().seconds
            dropRemovedSegments()
            return 0
        default: // IPC_INFO, SHM_INFO, SHM_STAT, SHM_LOCK, SHM_UNLOCK
            throw .EINVAL
        }
    }
}
