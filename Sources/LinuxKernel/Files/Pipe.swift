/// The buffer shared by the two ends of a pipe (64 KiB, as Linux's default; F_SETPIPE_SZ resizes it).
final class Pipe {
    static let defaultCapacity = 65536
    /// Writes up to this size are atomic; also the page size capacities are counted in.
    static let atomicSize = 4096
    /// /proc/sys/fs/pipe-max-size: the most an unprivileged F_SETPIPE_SZ may ask for (a container
    /// has no CAP_SYS_RESOURCE, so this is everyone's ceiling here).
    static let maximumUnprivilegedCapacity = 1 << 20

    private var storage: UnsafeMutableRawBufferPointer
    private(set) var capacity = Pipe.defaultCapacity
    private var head = 0
    private(set) var count = 0
    var readers = 0
    var writers = 0
    let readQueue = WaitQueue()
    let writeQueue = WaitQueue()
    let id: UInt64
    /// Named pipes (FIFOs): how many times a reader / writer opened it (Linux's r_counter and
    /// w_counter: a blocking open waits for the other side's count to change), where openers
    /// wait, and the node it belongs to (the kernel forgets the pipe when the last end closes).
    var readerOpens: UInt64 = 0
    var writerOpens: UInt64 = 0
    let openQueue = WaitQueue()
    var fifoKey: NamedPipeKey?

    init(id: UInt64) {
        self.id = id
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: Pipe.defaultCapacity, alignment: 8)
    }

    deinit { storage.deallocate() }

    var space: Int { capacity - count }

    /// F_SETPIPE_SZ (Linux's pipe_set_size): the size rounds up to a power of two pages (at least
    /// one); growing past pipe-max-size is EPERM, a size smaller than the pages the data occupies
    /// EBUSY. Returns the new capacity.
    func resize(to requested: UInt32) throws(Errno) -> Int {
        if requested > 1 << 31 { throw .EINVAL }
        var rounded = UInt64(Pipe.atomicSize)   // 64-bit: 2^31 does not fit wasm32's Int
        while rounded < UInt64(requested) { rounded <<= 1 }
        if rounded > UInt64(capacity) && rounded > UInt64(Pipe.maximumUnprivilegedCapacity) { throw .EPERM }
        let size = Int(rounded)
        if (count + Pipe.atomicSize - 1) / Pipe.atomicSize > size / Pipe.atomicSize { throw .EBUSY }
        if size == capacity { return size }
        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
        let n = count
        _ = take(bigger)          // the data moves to the start of the new buffer, in order
        storage.deallocate()
        storage = bigger
        capacity = size
        head = 0
        count = n
        return size
    }

    func put(_ src: UnsafeRawBufferPointer) -> Int {
        let n = min(src.count, space)
        var done = 0
        while done < n {
            let tail = (head + count) % capacity
            let chunk = min(n - done, capacity - tail)
            (storage.baseAddress! + tail).copyMemory(from: src.baseAddress! + done, byteCount: chunk)
            count += chunk
            done += chunk
        }
        return n
    }

    /// Copies up to `dst.count` bytes from the front without taking them (tee, splice).
    func peek(_ dst: UnsafeMutableRawBufferPointer) -> Int {
        let n = min(dst.count, count)
        var done = 0, at = head
        while done < n {
            let chunk = min(n - done, capacity - at)
            (dst.baseAddress! + done).copyMemory(from: storage.baseAddress! + at, byteCount: chunk)
            at = (at + chunk) % capacity
            done += chunk
        }
        return n
    }

    /// Drops `n` bytes (at most `count`) from the front.
    func discard(_ n: Int) {
        let k = min(n, count)
        head = (head + k) % capacity
        count -= k
        if count == 0 { head = 0 }
    }

    func take(_ dst: UnsafeMutableRawBufferPointer) -> Int {
        let n = peek(dst)
        discard(n)
        return n
    }
}

/// One end of a pipe, or a descriptor of a named pipe (a FIFO opened O_RDWR is both ends).
final class PipeEnd: FileDescription {
    let pipe: Pipe
    let readsPipe: Bool
    let writesPipe: Bool
    unowned(unsafe) let kernel: Kernel
    /// A FIFO: the node's metadata and place in the tree (fstat, /proc/PID/fd), and the writer
    /// count when this reader opened (POLLHUP only once a writer came and went, as on Linux).
    let node: FileStat?
    let components: [[UInt8]]?
    private let writerOpensAtOpen: UInt64

    var isReadEnd: Bool { readsPipe && !writesPipe }

    init(pipe: Pipe, readEnd: Bool, flags: Int32, kernel: Kernel) {
        self.pipe = pipe
        self.readsPipe = readEnd
        self.writesPipe = !readEnd
        self.kernel = kernel
        self.node = nil
        self.components = nil
        self.writerOpensAtOpen = pipe.writerOpens
        let access = readEnd ? LinuxOpenFlags.readOnly : LinuxOpenFlags.writeOnly
        super.init(flags: access | (flags & LinuxOpenFlags.nonBlocking), path: Array("pipe:[\(pipe.id)]".utf8))
        if readEnd { pipe.readers += 1 } else { pipe.writers += 1 }
    }

    /// A descriptor of a named pipe: `flags` are the open flags (access mode, O_NONBLOCK, O_APPEND…).
    init(fifo pipe: Pipe, flags: Int32, kernel: Kernel, node: FileStat, components: [[UInt8]]) {
        let access = flags & LinuxOpenFlags.accessMode
        self.pipe = pipe
        self.readsPipe = access != LinuxOpenFlags.writeOnly
        self.writesPipe = access != LinuxOpenFlags.readOnly
        self.kernel = kernel
        self.node = node
        self.components = components
        self.writerOpensAtOpen = pipe.writerOpens
        super.init(flags: flags & ~(LinuxOpenFlags.closeOnExec | LinuxOpenFlags.create | LinuxOpenFlags.exclusive
                                    | LinuxOpenFlags.truncate | LinuxOpenFlags.noControllingTerminal),
                   path: Path.absolute(components))
        if readsPipe { pipe.readers += 1; pipe.readerOpens &+= 1 }
        if writesPipe { pipe.writers += 1; pipe.writerOpens &+= 1 }
        pipe.openQueue.wakeAll(kernel)
    }

    override var location: [[UInt8]]? { components }

    override func lastReferenceClosed() {
        if readsPipe {
            pipe.readers -= 1
            if pipe.readers == 0 { pipe.writeQueue.wakeAll(kernel) }
        }
        if writesPipe {
            pipe.writers -= 1
            if pipe.writers == 0 { pipe.readQueue.wakeAll(kernel) }
        }
        if pipe.readers == 0 && pipe.writers == 0, let key = pipe.fifoKey {
            // The last descriptor of a FIFO: its buffered data goes, as on Linux.
            kernel.forgetNamedPipe(key, pipe)
        }
    }

    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        if !readsPipe { throw .EBADF }
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
        if !writesPipe { throw .EBADF }
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
        !writesPipe || pipe.readers == 0 ? nil : pipe.space
    }

    override func stat() throws(Errno) -> FileStat {
        if let node { return node }
        var st = FileStat()
        st.device = makeDevice(0, 12)
        st.inode = pipe.id
        st.mode = FileMode.fifo | 0o600
        st.blockSize = 4096
        return st
    }

    override func readiness(_ events: Int16) -> Int16 {
        var r: Int16 = 0
        if readsPipe {
            if pipe.count > 0 { r |= PollRequest.readable }
            // A FIFO reader sees a hang-up only after a writer it could have seen left.
            if pipe.writers == 0 && (node == nil || pipe.writerOpens != writerOpensAtOpen) { r |= PollRequest.hangUp }
        }
        if writesPipe {
            if pipe.space >= Pipe.atomicSize { r |= PollRequest.writable }
            if pipe.readers == 0 { r |= PollRequest.error }
        }
        return r & (events | PollRequest.hangUp | PollRequest.error)
    }

    override func waitQueue(for events: Int16) -> WaitQueue? { isReadEnd ? pipe.readQueue : pipe.writeQueue }

    override func waitQueues(for events: Int16) -> [WaitQueue] {
        if readsPipe && writesPipe {
            var queues: [WaitQueue] = []
            if events & PollRequest.readable != 0 { queues.append(pipe.readQueue) }
            if events & PollRequest.writable != 0 { queues.append(pipe.writeQueue) }
            return queues.isEmpty ? [pipe.readQueue, pipe.writeQueue] : queues
        }
        return [isReadEnd ? pipe.readQueue : pipe.writeQueue]
    }

    override func ioctl(_ kernel: Kernel, _ task: Task, request: UInt32, arg: UInt64) throws(Errno) -> Int64 {
        if request == TerminalIoctl.FIONREAD {
            try task.store(UInt32(pipe.count), at: arg)
            return 0
        }
        throw .ENOTTY
    }
}
