/// System V message queues: msgget, msgsnd, msgrcv, msgctl. A queue holds typed messages up to
/// msg_qbytes bytes (and as many messages); msgsnd into a full queue and msgrcv that finds no
/// matching message fail with EAGAIN / ENOMSG under IPC_NOWAIT, else sleep on the queue and run
/// again when it changes (Syscalls/SysVIPC.swift: EIDRM when it is removed, EINTR on a signal).
final class SysVMessageQueue: SysVObject {
    var permissions: SysVPermissions
    var messages: [(type: Int64, text: [UInt8])] = []
    var bytes = 0
    var maximumBytes = MessageLimits.queueBytes
    var lastSender: Int32 = 0, lastReceiver: Int32 = 0
    var sendTime: Int64 = 0, receiveTime: Int64 = 0, changeTime: Int64
    let queue = WaitQueue()

    init(_ permissions: SysVPermissions, now: Int64) {
        self.permissions = permissions
        changeTime = now
    }

    /// msgrcv's choice: the first message (type 0), the first of `type` (or, with MSG_EXCEPT,
    /// of another type), or the first of the lowest type not above -`type`.
    func index(for type: Int64, except: Bool) -> Int? {
        if type == 0 { return messages.isEmpty ? nil : 0 }
        if type > 0 { return messages.firstIndex { except ? $0.type != type : $0.type == type } }
        let limit = type == Int64.min ? Int64.max : -type
        var best: Int?
        for (i, m) in messages.enumerated() where m.type <= limit {
            if best == nil || m.type < messages[best!].type { best = i }
        }
        return best
    }
}

enum MessageLimits {
    static let messageSize = 8192      // MSGMAX
    static let queueBytes = 16384      // MSGMNB
    static let noError: Int32 = 0o10000, except: Int32 = 0o20000, copy: Int32 = 0o40000
}

extension Kernel {
    func sysMsgget(_ t: Task) throws(Errno) -> Int64 {
        let key = Int32(truncatingIfNeeded: t.argument(0))
        let flags = Int32(truncatingIfNeeded: t.argument(1))
        if let q = try sysvFind(sysvIPC.messageQueues, key: key, flags: flags, credentials: t.process.credentials) {
            return Int64(q.permissions.id)
        }
        if sysvIPC.messageQueues.count >= Int(SysVIPC.maximumObjects) { throw .ENOSPC }
        let id = SysVIPC.take(&sysvIPC.nextQueueID)
        let q = SysVMessageQueue(SysVPermissions(key: key, id: id, mode: flags, credentials: t.process.credentials),
                                 now: host.realTime().seconds)
        sysvIPC.messageQueues.append(q)
        return Int64(id)
    }

    func sysMsgsnd(_ t: Task) throws(Errno) -> Int64 {
        let id = Int32(truncatingIfNeeded: t.argument(0))
        let address = t.argument(1)
        let size = Int64(bitPattern: t.argument(2))
        let flags = Int32(truncatingIfNeeded: t.argument(3))
        if size < 0 || size > Int64(MessageLimits.messageSize) { throw .EINVAL }
        let type = try t.load(Int64.self, at: address)
        if type < 1 { throw .EINVAL }
        let text = try t.copyIn(address &+ 8, count: Int(size))
        let q = try sysvObject(sysvIPC.messageQueues, id)
        if !q.permissions.allows(t.process.credentials, flag: 0o2) { throw .EACCES }
        if q.bytes + text.count > q.maximumBytes || q.messages.count + 1 > q.maximumBytes {
            if flags & SysVIPC.noWait != 0 { throw .EAGAIN }
            throw sysvBlock(t, on: q.queue, deadline: nil, timeoutResult: .EAGAIN)
        }
        q.messages.append((type, text))
        q.bytes += text.count
        q.lastSender = t.process.pid
        q.sendTime = host.realTime().seconds
        q.queue.wakeAll(self)
        return 0
    }

    func sysMsgrcv(_ t: Task) throws(Errno) -> Int64 {
        let id = Int32(truncatingIfNeeded: t.argument(0))
        let address = t.argument(1)
        let size = Int64(bitPattern: t.argument(2))
        let type = Int64(bitPattern: t.argument(3))
        let flags = Int32(truncatingIfNeeded: t.argument(4))
        if size < 0 { throw .EINVAL }
        // MSG_COPY is for checkpoint/restore (CONFIG_CHECKPOINT_RESTORE): not provided.
        if flags & MessageLimits.copy != 0 { throw .ENOSYS }
        let q = try sysvObject(sysvIPC.messageQueues, id)
        if !q.permissions.allows(t.process.credentials, flag: 0o4) { throw .EACCES }
        guard let i = q.index(for: type, except: flags & MessageLimits.except != 0) else {
            if flags & SysVIPC.noWait != 0 { throw .ENOMSG }
            throw sysvBlock(t, on: q.queue, deadline: nil, timeoutResult: .ENOMSG)
        }
        let m = q.messages[i]
        if Int64(m.text.count) > size && flags & MessageLimits.noError == 0 { throw .E2BIG }
        let count = min(m.text.count, Int(clamping: size))
        try t.store(m.type, at: address)
        try t.copyOut(Array(m.text[0..<count]), to: address &+ 8)
        q.messages.remove(at: i)
        q.bytes -= m.text.count
        q.lastReceiver = t.process.pid
        q.receiveTime = host.realTime().seconds
        q.queue.wakeAll(self)
        return Int64(count)
    }

    func sysMsgctl(_ t: Task) throws(Errno) -> Int64 {
        let id = Int32(truncatingIfNeeded: t.argument(0))
        let command = sysvCommand(t, 1)
        let buffer = t.argument(2)
        let c = t.process.credentials
        if command == SysVIPC.info || command == 12 {   // IPC_INFO, MSG_INFO: struct msginfo
            let queues = sysvIPC.messageQueues
            let info = command == 12
            var w = ByteWriter(capacity: 32)
            w.i32(info ? Int32(queues.count) : SysVIPC.maximumObjects * Int32(MessageLimits.queueBytes / 1024))   // msgpool
            w.i32(info ? Int32(clamping: queues.reduce(0) { $0 + $1.messages.count }) : Int32(MessageLimits.queueBytes))   // msgmap
            w.i32(Int32(MessageLimits.messageSize)); w.i32(Int32(MessageLimits.queueBytes)); w.i32(SysVIPC.maximumObjects)
            w.i32(16)                                                                                    // msgssz
            w.i32(info ? Int32(clamping: queues.reduce(0) { $0 + $1.bytes }) : Int32(MessageLimits.queueBytes))   // msgtql
            w.u16(0xffff); w.u16(0)                                                                      // msgseg
            try t.copyOut(w.bytes, to: buffer)
            return Int64(max(queues.count - 1, 0))
        }
        let q = try sysvObject(sysvIPC.messageQueues, id)
        switch command {
        case SysVIPC.stat:
            if !q.permissions.allows(c, flag: 0o4) { throw .EACCES }
            var w = ByteWriter(capacity: 120)
            q.permissions.write(&w)
            w.i64(q.sendTime); w.i64(q.receiveTime); w.i64(q.changeTime)
            w.u64(UInt64(q.bytes)); w.u64(UInt64(q.messages.count)); w.u64(UInt64(q.maximumBytes))
            w.i32(q.lastSender); w.i32(q.lastReceiver); w.u64(0); w.u64(0)
            try t.copyOut(w.bytes, to: buffer)
            return 0
        case SysVIPC.set:
            try q.permissions.mayChange(c)
            let raw = ByteReader(try t.copyIn(buffer, count: 120))
            let bytes = raw.u64(88)
            // Raising msg_qbytes above MSGMNB takes CAP_SYS_RESOURCE (root here).
            if bytes > UInt64(MessageLimits.queueBytes) && !c.isPrivileged { throw .EPERM }
            if bytes > UInt64(Int32.max) { throw .EINVAL }
            q.permissions.set(from: raw)
            q.maximumBytes = Int(bytes)
            q.changeTime = host.realTime().seconds
            q.queue.wakeAll(self)
            return 0
        case SysVIPC.remove:
            try q.permissions.mayChange(c)
            q.permissions.removed = true
            sysvIPC.messageQueues.removeAll { $0 === q }
            sysvWakeRemoved(q.queue)
            return 0
        default: // MSG_STAT, MSG_STAT_ANY (by index, for ipcs)
            throw .EINVAL
        }
    }
}
