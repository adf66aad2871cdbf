#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// A guest thread: its own CPU (registers), signal mask and wait state; everything else it shares
/// through its process.
final class Task {
    enum State { case runnable, blocked, stopped, dead }

    let tid: Int32
    /// The guest CPU (Arch/GuestCPU.swift); replaced when execve loads a program of another ISA.
    var cpu: any GuestCPU
    var process: Process
    var state: State = .runnable

    // Signals.
    var signalMask: UInt64 = 0
    var pendingSignals = PendingSignals()
    /// The mask to restore after a handler when rt_sigsuspend/ppoll replaced it temporarily.
    var savedSignalMask: UInt64?
    var alternateStack: (base: UInt64, size: UInt64, flags: Int32) = (0, 0, 2) // SS_DISABLE

    // Thread bookkeeping.
    var clearChildTID: UInt64 = 0
    var robustListHead: UInt64 = 0
    var robustListLength: UInt64 = 0
    /// A vfork child's parent thread waits for this task to exec or exit.
    var vforkParent: Task?

    // Blocking: where the task sleeps, and what its system call returns when it wakes.
    var waitQueues: [WaitQueue] = []
    var hostWaits: [PollRequest] = []
    var wakeDeadline: UInt64?
    /// true: the call is finished by whoever wakes the task (futex); false: it is re-executed.
    var completesOnWake = false
    var timeoutResult: Int64 = 0
    var completion: Int64?
    /// A deadline a restarted call keeps across re-executions (nanosleep, poll timeouts).
    var syscallDeadline: UInt64?
    /// Bytes a restarted call already transferred (recv with MSG_WAITALL).
    var syscallProgress = 0
    /// A blocking FIFO open waiting for the other side: the end it made (counted already) and the
    /// other side's open count when it started waiting.
    var pendingFifoOpen: PipeEnd?
    var pendingFifoCount: UInt64 = 0
    var inRunQueue = false
    /// vfork parents wait without being interruptible.
    var uninterruptible = false
    /// FUTEX_WAIT_BITSET's mask while waiting on a futex.
    var futexBitset: UInt32 = UInt32.max
    /// rt_sigtimedwait: the signals this task waits for.
    var signalWaitSet: UInt64 = 0
    /// Host time spent running this thread (nanoseconds).
    var cpuTime: UInt64 = 0
    /// The scheduler's fairness clock (as CFS's vruntime): CPU time, started from the creator's and
    /// raised on wake-up to within a sleeper's credit of the task that woke it.
    var vruntime: UInt64 = 0
    /// A signal interrupted the wait.
    var interrupted = false

    /// The system call being served, in the kernel's numbering (SyscallTable.swift), and its
    /// arguments in that call's order (Architecture.translate).
    var syscallNumber = 0
    var syscallArguments: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)

    init(tid: Int32, cpu: any GuestCPU, process: Process) {
        self.tid = tid
        self.cpu = cpu
        self.process = process
    }

    /// The RISC-V hart of a riscv64 task (tests and riscv64-only paths).
    var hart: Hart { cpu as! Hart }

    var memory: GuestMemory { cpu.memory }

    // MARK: Guest memory access (copy_from_user / copy_to_user): a bad pointer is EFAULT.
    // A fault on a page still to be filled from its file fills it and retries.

    private func retry(_ address: UInt64, _ count: Int) -> Bool {
        process.addressSpace.fill(address, address &+ UInt64(max(count, 1)))
    }

    func load<T: FixedWidthInteger>(_ type: T.Type, at address: UInt64) throws(Errno) -> T {
        do throws(MemoryFault) { return try memory.load(type, at: address) } catch {
            if retry(address, T.bitWidth / 8), let v = try? memory.load(type, at: address) { return v }
            throw .EFAULT
        }
    }

    func store<T: FixedWidthInteger>(_ value: T, at address: UInt64) throws(Errno) {
        do throws(MemoryFault) { try memory.store(value, at: address) } catch {
            if retry(address, T.bitWidth / 8), (try? memory.store(value, at: address)) != nil { return }
            throw .EFAULT
        }
    }

    func copyIn(_ address: UInt64, count: Int) throws(Errno) -> [UInt8] {
        if count == 0 { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        try withMutableBytes(&bytes) { (b) throws(Errno) in try copyIn(address, into: b) }
        return bytes
    }

    func copyIn(_ address: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) {
        if buffer.count == 0 { return }
        do throws(MemoryFault) { try memory.read(at: address, into: buffer) } catch {
            if retry(address, buffer.count), (try? memory.read(at: address, into: buffer)) != nil { return }
            throw .EFAULT
        }
    }

    func copyOut(_ bytes: [UInt8], to address: UInt64) throws(Errno) {
        if bytes.isEmpty { return }
        try withBytes(bytes) { (b) throws(Errno) in try copyOut(b, to: address) }
    }

    func copyOut(_ buffer: UnsafeRawBufferPointer, to address: UInt64) throws(Errno) {
        if buffer.count == 0 { return }
        do throws(MemoryFault) { try memory.write(at: address, from: buffer) } catch {
            if retry(address, buffer.count), (try? memory.write(at: address, from: buffer)) != nil { return }
            throw .EFAULT
        }
    }

    /// A NUL-terminated string of at most `limit` bytes (ENAMETOOLONG past it).
    func readString(_ address: UInt64, limit: Int = 4096) throws(Errno) -> [UInt8] {
        let s: [UInt8]
        do throws(MemoryFault) { s = try memory.readCString(at: address, maxLength: limit + 1) } catch {
            guard retry(address, limit + 1), let again = try? memory.readCString(at: address, maxLength: limit + 1) else {
                throw .EFAULT
            }
            s = again
        }
        if s.count > limit { throw .ENAMETOOLONG }
        return s
    }

    /// A NULL-terminated array of string pointers (argv, envp).
    func readStringArray(_ address: UInt64, maxTotal: Int = 2 << 20) throws(Errno) -> [[UInt8]] {
        var result: [[UInt8]] = []
        if address == 0 { return result }
        var total = 0
        var p = address
        while true {
            let s = try load(UInt64.self, at: p)
            if s == 0 { break }
            let str = try readString(s, limit: 128 << 10)
            total += str.count + 9
            if total > maxTotal { throw .E2BIG }
            result.append(str)
            p += 8
        }
        return result
    }

    // MARK: Registers

    func argument(_ i: Int) -> UInt64 {
        switch i {
        case 0: return syscallArguments.0
        case 1: return syscallArguments.1
        case 2: return syscallArguments.2
        case 3: return syscallArguments.3
        case 4: return syscallArguments.4
        default: return syscallArguments.5
        }
    }

    /// Serves the call as another one (x86-64's legacy calls that are generic calls in disguise).
    func setSystemCall(_ number: Int, _ arguments: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)) {
        syscallNumber = number
        syscallArguments = arguments
    }
}
