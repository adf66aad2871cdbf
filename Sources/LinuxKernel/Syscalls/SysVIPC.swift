/// What the three System V IPC kinds share: the namespace object that holds them (the container's
/// own, as with docker's private IPC namespace), ownership and permissions (ipc64_perm), the
/// permission check (ipcperms) and the lookup by key. Each kind has its own key and id space, as
/// on Linux: a semaphore set and a message queue may have the same key (Syscalls/SysVSharedMemory,
/// SysVSemaphores, SysVMessageQueues).
final class SysVIPC {
    var segments: [SysVSegment] = []
    var semaphoreSets: [SysVSemaphoreSet] = []
    var messageQueues: [SysVMessageQueue] = []
    var nextID: Int32 = 0
    var nextSemaphoreID: Int32 = 0
    var nextQueueID: Int32 = 0
    static let privateKey: Int32 = 0
    static let create: Int32 = 0o1000, exclusive: Int32 = 0o2000, noWait: Int32 = 0o4000
    static let maximumSegment: UInt64 = Kernel.maximumSharedObject   // SHMMAX: the segment lives in host memory
    /// The commands every kind takes (cmd & ~IPC_64).
    static let remove: Int32 = 0, set: Int32 = 1, stat: Int32 = 2, info: Int32 = 3
    static let maximumObjects: Int32 = 32000   // SEMMNI, MSGMNI

    /// The next id of a kind, kept positive.
    static func take(_ counter: inout Int32) -> Int32 {
        let id = counter
        counter = counter == Int32.max ? 0 : counter + 1
        return id
    }
}

/// An IPC object's owner, creator and mode (struct ipc64_perm).
struct SysVPermissions {
    let key: Int32
    let id: Int32
    var uid: UInt32, gid: UInt32, mode: UInt32
    let creatorUID: UInt32, creatorGID: UInt32
    var removed = false

    init(key: Int32, id: Int32, mode: Int32, credentials c: Credentials) {
        self.key = key; self.id = id; self.mode = UInt32(mode & 0o777)
        uid = c.euid; gid = c.egid; creatorUID = c.euid; creatorGID = c.egid
    }

    /// ipcperms: the owner's, the group's or the others' bits must grant what `flag`'s bits ask
    /// (0o4 read, 0o2 write in any of the three positions); root may do anything.
    func allows(_ c: Credentials, flag: Int32) -> Bool {
        if c.isPrivileged { return true }
        let requested = UInt32(truncatingIfNeeded: (flag >> 6) | (flag >> 3) | flag) & 0o7
        let shift: UInt32 = c.euid == uid || c.euid == creatorUID ? 6
            : (c.egid == gid || c.egid == creatorGID || c.groups.contains(gid) ? 3 : 0)
        return requested & ~((mode >> shift) & 0o7) == 0
    }

    /// IPC_SET and IPC_RMID: the owner, the creator or root.
    func mayChange(_ c: Credentials) throws(Errno) {
        if !c.isPrivileged && c.euid != uid && c.euid != creatorUID { throw .EPERM }
    }

    /// The 48 bytes of ipc64_perm; `extraMode` adds kind-specific flags (SHM_DEST). After seq and
    /// its pad come 4 bytes of alignment before the two unused longs.
    func write(_ w: inout ByteWriter, extraMode: UInt32 = 0) {
        w.i32(removed ? SysVIPC.privateKey : key); w.u32(uid); w.u32(gid); w.u32(creatorUID); w.u32(creatorGID)
        w.u32(mode | extraMode)
        w.u16(UInt16(truncatingIfNeeded: id)); w.u16(0); w.u32(0); w.u64(0); w.u64(0)
    }

    /// IPC_SET's part of ipc64_perm: uid, gid and the permission bits.
    mutating func set(from raw: ByteReader) {
        uid = raw.u32(4); gid = raw.u32(8); mode = (mode & ~0o777) | (raw.u32(20) & 0o777)
    }
}

/// The objects of one kind, as `get` finds and makes them.
protocol SysVObject: AnyObject {
    var permissions: SysVPermissions { get }
}

extension Kernel {
    /// The *get calls' rules: an existing object of `key` (EEXIST with IPC_CREAT|IPC_EXCL, EACCES
    /// without the asked permissions), ENOENT without IPC_CREAT, else nil (the caller makes one).
    func sysvFind<T: SysVObject>(_ objects: [T], key: Int32, flags: Int32, credentials: Credentials) throws(Errno) -> T? {
        if key != SysVIPC.privateKey, let o = objects.first(where: { $0.permissions.key == key && !$0.permissions.removed }) {
            if flags & SysVIPC.create != 0 && flags & SysVIPC.exclusive != 0 { throw .EEXIST }
            if !o.permissions.allows(credentials, flag: flags) { throw .EACCES }
            return o
        }
        if key != SysVIPC.privateKey && flags & SysVIPC.create == 0 { throw .ENOENT }
        return nil
    }

    /// The object of `id` (EINVAL when there is none, as Linux says for a removed id too).
    func sysvObject<T: SysVObject>(_ objects: [T], _ id: Int32) throws(Errno) -> T {
        guard let o = objects.first(where: { $0.permissions.id == id && !$0.permissions.removed }) else { throw .EINVAL }
        return o
    }

    /// The IPC call's command without IPC_64 (which glibc may add).
    func sysvCommand(_ t: Task, _ index: Int) -> Int32 {
        Int32(truncatingIfNeeded: t.argument(index)) & ~0x100
    }

    /// Blocks a semop or msgsnd/msgrcv that cannot go on yet: it runs again when `queue` wakes
    /// (the object changed), ends with EAGAIN at `deadline`, with EIDRM when the object is removed
    /// (`wakeRemoved`) and with EINTR when a signal comes (never restarted, as on Linux).
    func sysvBlock(_ t: Task, on queue: WaitQueue, deadline: UInt64?, timeoutResult: Errno) -> Errno {
        if let d = deadline {
            if host.monotonicTime() >= d { return timeoutResult }
            t.syscallDeadline = d
        }
        return block(t, on: [queue], deadline: deadline, completesOnWake: true,
                     timeoutResult: -Int64(timeoutResult.rawValue))
    }

    /// IPC_RMID: the waiters end with EIDRM.
    func sysvWakeRemoved(_ queue: WaitQueue) {
        _ = queue.wake(self, count: Int.max, result: -Int64(Errno.EIDRM.rawValue))
    }
}
