/// The buffer shared by the two ends of a pipe (64 KiB, as Linux's default).
final class Pipe {
    static let capacity = 65536
    /// Writes up to this size are atomic.
    static let atomicSize = 4096

    private let storage: UnsafeMutableRawBufferPointer
    private var head = 0
    private(set) var count = 0
    var readers = 0
    var writers = 0
    let readQueue = WaitQueue()
    let writeQueue = WaitQueue()
    let id: UInt64

    init(id: UInt64) {
        self.id = id
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: Pipe.capacity, alignment: 8)
    }

    deinit { storage.deallocate() }

    var space: Int { Pipe.capacity - count }

    func put(_ src: UnsafeRawBufferPointer) -> Int {
        let n = min(src.count, space)
        var done = 0
        while done < n {
            let tail = (head + count) % Pipe.capacity
            let chunk = min(n - done, Pipe.capacity - tail)
            (storage.baseAddress! + tail).copyMemory(from: src.baseAddress! + done, byteCount: chunk)
            count += chunk
            done += chunk
        }
        return n
    }

    func take(_ dst: UnsafeMutableRawBufferPointer) -> Int {
        let n = min(dst.count, count)
        var done = 0
        while done < n {
            let chunk = min(n - done, Pipe.capacity - head)
            (dst.baseAddress! + done).copyMemory(from: storage.baseAddress! + head, byteCount: chunk)
            head = (head + chunk) % Pipe.capacity
            count -= chunk
            done += chunk
        }
        if count == 0 { head = 0 }
        return n
    }
}

/// One end of a pipe.
final class PipeEnd: FileDescription {
    let pipe: Pipe
    let isReadEnd: Bool
    unowned(unsafe) let kernel: Kernel

    init(pipe: Pipe, readEnd: Bool, flags: Int32, kernel: Kernel) {
        self.pipe = pipe
        self.isReadEnd = readEnd
        self.kernel = kernel
        let access = readEnd ? LinuxOpenFlags.readOnly : LinuxOpenFlags.writeOnly
        super.init(flags: access | (flags & LinuxOpenFlags.nonBlocking), path: Array("pipe:[\(pipe.id)]".utf8))
        if readEnd { pipe.readers += 1 } else { pipe.writers += 1 }
    }

    override func lastReferenceClosed() {
        if isReadEnd {
            pipe.readers -= 1
            if pipe.readers == 0 { pipe.writeQueue.wakeAll(kernel) }
        } else {
            pipe.writers -= 1
            if pipe.writers == 0 { pipe.readQueue.wakeAll(kernel) }
        }
    }

    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        if !isReadEnd { throw .EBADF }
        if buffer.count == 0 { return 0 }
        if pipe.count == 0 {
            if pipe.writers == 0 { return 0 }
            throw .EAGAIN
        }
        let n = pipe.take(buffer)
        pipe.writeQueue.wakeAll(kernel)
        return n
    }

    override func write(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        if isReadEnd { throw .EBADF }
        if pipe.readers == 0 { throw .EPIPE }
        if buffer.count == 0 { return 0 }
        let space = pipe.space
        if space == 0 || (buffer.count <= Pipe.atomicSize && space < buffer.count) { throw .EAGAIN }
        let n = pipe.put(buffer)
        pipe.readQueue.wakeAll(kernel)
        return n
    }

    override var isByteStream: Bool { true }

    override func writeCapacity() -> Int? {
        isReadEnd || pipe.readers == 0 ? nil : pipe.space
    }

    override func stat() throws(Errno) -> FileStat {
        var st = FileStat()
        st.device = makeDevice(0, 12)
        st.inode = pipe.id
        st.mode = FileMode.fifo | 0o600
        st.blockSize = 4096
        return st
    }

    override func readiness(_ events: Int16) -> Int16 {
        var r: Int16 = 0
        if isReadEnd {
            if pipe.count > 0 { r |= PollRequest.readable }
            if pipe.writers == 0 { r |= PollRequest.hangUp }
        } else {
            if pipe.space >= Pipe.atomicSize { r |= PollRequest.writable }
            if pipe.readers == 0 { r |= PollRequest.error }
        }
        return r & (events | PollRequest.hangUp | PollRequest.error)
    }

    override func waitQueue(for events: Int16) -> WaitQueue? { isReadEnd ? pipe.readQueue : pipe.writeQueue }

    override func ioctl(_ kernel: Kernel, _ task: Task, request: UInt32, arg: UInt64) throws(Errno) -> Int64 {
        if request == TerminalIoctl.FIONREAD {
            try task.store(UInt32(pipe.count), at: arg)
            return 0
        }
        throw .ENOTTY
    }
}
