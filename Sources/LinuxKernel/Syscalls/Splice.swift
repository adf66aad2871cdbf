/// splice, tee and vmsplice: moving data into, out of and between pipes without a user buffer
/// (Linux's fs/splice.c). Skiff copies where Linux moves page references, which no program can
/// tell apart; what matters is Linux's accounting: a pipe gives up only the bytes the other side
/// took, tee takes nothing, and SPLICE_F_NONBLOCK makes the pipe side EAGAIN instead of waiting.
extension Kernel {
    enum SpliceFlags {
        static let move: UInt32 = 1, nonBlocking: UInt32 = 2, more: UInt32 = 4, gift: UInt32 = 8
        static let all: UInt32 = 15
    }

    func sysSplice(_ t: Task) throws(Errno) -> Int64 {
        let input = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        let out = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(2)))
        let inAddress = t.argument(1), outAddress = t.argument(3)
        let count = Int(clamping: t.argument(4))
        let flags = UInt32(truncatingIfNeeded: t.argument(5))
        if flags & ~SpliceFlags.all != 0 { throw .EINVAL }
        let inPipe = input as? PipeEnd, outPipe = out as? PipeEnd
        if inPipe != nil && inAddress != 0 || outPipe != nil && outAddress != 0 { throw .ESPIPE }
        if !input.canRead || !out.canWrite { throw .EBADF }
        let nonBlocking = flags & SpliceFlags.nonBlocking != 0
        switch (inPipe, outPipe) {
        case let (from?, to?):
            if from.pipe === to.pipe { throw .EINVAL }
            return Int64(try pipeToPipe(t, from, to, count: count, consume: true, nonBlocking: nonBlocking))
        case let (from?, nil):
            if out.flags & LinuxOpenFlags.append != 0 { throw .EINVAL }
            let offset = try spliceOffset(t, outAddress, out)
            if count == 0 { return 0 }
            try waitForData(t, from, nonBlocking: nonBlocking)
            let pipe = from.pipe
            if pipe.count == 0 { return 0 }   // no writers left: end of file
            var data = [UInt8](repeating: 0, count: min(count, pipe.count, Kernel.maximumTransfer))
            _ = try withMutableBytes(&data) { pipe.peek($0) }
            let written = try withBytes(data) { (b) throws(Errno) -> Int in try writeBuffer(t, out, b, offset: offset) }
            pipe.discard(written)   // what the output did not take stays in the pipe
            pipe.writeQueue.wakeAll(self)
            if let o = offset { try t.store(o + Int64(written), at: outAddress) }
            return Int64(written)
        case let (nil, to?):
            let offset = try spliceOffset(t, inAddress, input)
            if count == 0 { return 0 }
            try waitForRoom(t, to, nonBlocking: nonBlocking)
            let moved = try copyBetween(t, from: input, at: offset, to: out, at: nil, count: count)
            if let o = offset { try t.store(o + Int64(moved), at: inAddress) }
            return Int64(moved)
        default:
            throw .EINVAL   // one side must be a pipe
        }
    }

    func sysTee(_ t: Task) throws(Errno) -> Int64 {
        let input = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        let out = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(1)))
        let count = Int(clamping: t.argument(2))
        let flags = UInt32(truncatingIfNeeded: t.argument(3))
        if flags & ~SpliceFlags.all != 0 { throw .EINVAL }
        if !input.canRead || !out.canWrite { throw .EBADF }
        guard let from = input as? PipeEnd, let to = out as? PipeEnd, from.pipe !== to.pipe else { throw .EINVAL }
        return Int64(try pipeToPipe(t, from, to, count: count, consume: false, nonBlocking: flags & SpliceFlags.nonBlocking != 0))
    }

    /// vmsplice: into a pipe it is writev, out of one readv (Linux's vmsplice_to_pipe and
    /// vmsplice_to_user copy too); SPLICE_F_NONBLOCK makes a full or empty pipe EAGAIN.
    func sysVmsplice(_ t: Task) throws(Errno) -> Int64 {
        let d = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0)))
        let flags = UInt32(truncatingIfNeeded: t.argument(3))
        if flags & ~SpliceFlags.all != 0 { throw .EINVAL }
        guard let end = d as? PipeEnd else { throw .EBADF }
        let nonBlocking = flags & SpliceFlags.nonBlocking != 0
        if end.canWrite {
            if nonBlocking && end.pipe.readers > 0 && end.pipe.space == 0 { throw .EAGAIN }
            return try sysWritev(t)
        }
        if !end.canRead { throw .EBADF }
        if nonBlocking && end.pipe.count == 0 && end.pipe.writers > 0 { throw .EAGAIN }
        return try sysReadv(t)
    }

    /// *offset for the side that is not a pipe: ESPIPE for a file without positions, EINVAL if negative.
    private func spliceOffset(_ t: Task, _ address: UInt64, _ d: FileDescription) throws(Errno) -> Int64? {
        if address == 0 { return nil }
        let offset = try t.load(Int64.self, at: address)
        if d.isByteStream { throw .ESPIPE }
        if offset < 0 { throw .EINVAL }
        return offset
    }

    /// Until the pipe has data or no writer: EAGAIN when the call or the pipe is non-blocking.
    private func waitForData(_ t: Task, _ end: PipeEnd, nonBlocking: Bool) throws(Errno) {
        if end.pipe.count > 0 || end.pipe.writers == 0 { return }
        if nonBlocking || end.isNonBlocking { throw .EAGAIN }
        throw block(t, on: [end.pipe.readQueue])
    }

    /// Until the pipe has room: EPIPE (and SIGPIPE) without readers, EAGAIN when non-blocking.
    private func waitForRoom(_ t: Task, _ end: PipeEnd, nonBlocking: Bool) throws(Errno) {
        if end.pipe.readers == 0 {
            sendSignal(to: t, SignalInfo(signo: Signal.SIGPIPE, code: 0, senderPID: t.process.pid))
            throw .EPIPE
        }
        if end.pipe.space > 0 { return }
        if nonBlocking || end.isNonBlocking { throw .EAGAIN }
        throw block(t, on: [end.pipe.writeQueue])
    }

    /// splice between two pipes (consume) or tee (copy and leave).
    private func pipeToPipe(_ t: Task, _ from: PipeEnd, _ to: PipeEnd, count: Int, consume: Bool, nonBlocking: Bool) throws(Errno) -> Int {
        if count == 0 { return 0 }
        try waitForData(t, from, nonBlocking: nonBlocking)
        if from.pipe.count == 0 { return 0 }
        try waitForRoom(t, to, nonBlocking: nonBlocking)
        var data = [UInt8](repeating: 0, count: min(count, from.pipe.count, to.pipe.space))
        let n = try withMutableBytes(&data) { from.pipe.peek($0) }
        _ = try withBytes(data) { to.pipe.put($0) }
        if consume {
            from.pipe.discard(n)
            from.pipe.writeQueue.wakeAll(self)
        }
        to.pipe.readQueue.wakeAll(self)
        return n
    }
}
