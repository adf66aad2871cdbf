/// eventfd: a 64-bit counter that read takes and write adds to.
final class EventFD: FileDescription {
    var counter: UInt64
    let semaphore: Bool
    unowned(unsafe) let kernel: Kernel
    let queue = WaitQueue()

    init(initial: UInt64, flags: Int32, kernel: Kernel) {
        counter = initial
        semaphore = flags & 1 != 0
        self.kernel = kernel
        super.init(flags: LinuxOpenFlags.readWrite | (flags & LinuxOpenFlags.nonBlocking), path: Array("anon_inode:[eventfd]".utf8))
    }

    override func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        if buffer.count < 8 { throw .EINVAL }
        if counter == 0 { throw .EAGAIN }
        let value = semaphore ? 1 : counter
        counter -= value
        buffer.storeBytes(of: value.littleEndian, as: UInt64.self)
        queue.wakeAll(kernel)
        return 8
    }

    override func write(from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        if buffer.count < 8 { throw .EINVAL }
        let value = UInt64(littleEndian: buffer.loadUnaligned(as: UInt64.self))
        if value == UInt64.max { throw .EINVAL }
        if UInt64.max - 1 - counter < value { throw .EAGAIN }
        counter += value
        queue.wakeAll(kernel)
        return 8
    }

    override func stat() throws(Errno) -> FileStat { FileDescription.anonymousInodeStat }

    override func readiness(_ events: Int16) -> Int16 {
        var r: Int16 = 0
        if counter > 0 { r |= PollRequest.readable }
        if counter < UInt64.max - 1 { r |= PollRequest.writable }
        return r & events
    }

    override func waitQueue(for events: Int16) -> WaitQueue? { queue }
}
