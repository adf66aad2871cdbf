/// Working directory and umask (shared by threads created with CLONE_FS).
final class FileSystemContext {
    /// The working directory as guest path components.
    var workingDirectory: [[UInt8]] = []
    var umask: UInt32 = 0o022
    func copy() -> FileSystemContext {
        let c = FileSystemContext()
        c.workingDirectory = workingDirectory
        c.umask = umask
        return c
    }
}

/// A guest process (thread group): address space, descriptors, signal dispositions, children.
final class Process {
    let pid: Int32
    var parent: Process?
    var children: [Process] = []
    var threads: [Task] = []
    var addressSpace: AddressSpace
    var files: FileTable
    var fs: FileSystemContext
    var signalActions: SignalActions
    var pendingSignals = PendingSignals()
    var processGroup: Int32
    var session: Int32
    /// The session's terminal is this process's controlling terminal (inherited by fork, lost by setsid/TIOCNOTTY).
    var hasControllingTerminal = false

    /// The program image, for /proc/PID/exe, cmdline and comm.
    var executablePath: [UInt8] = []
    var arguments: [[UInt8]] = []
    var name: [UInt8] = []

    /// Set when the whole thread group has exited: the wait(2) status word.
    var exitStatus: Int32?
    /// A status change (stop/continue) not yet reported to wait(2).
    var pendingStopReport: Int32?
    var pendingContinueReport = false
    var isStopped = false
    /// Signal that exits all threads once the first one sees it (exit_group, fatal signal).
    var exiting = false
    /// Where a parent blocked in wait4 sleeps.
    let childEvents = WaitQueue()
    /// Pollers of pidfds naming this process, woken when it exits.
    let exitQueue = WaitQueue()
    /// Readers and pollers of signalfds, woken when a signal is queued for the process or one of its threads.
    let signalfdQueue = WaitQueue()
    /// The signal sent to the parent on exit (SIGCHLD unless clone said otherwise).
    var exitSignal: Int32 = Signal.SIGCHLD
    /// Resource limits by RLIMIT_* index: (soft, hard).
    var limits: [(UInt64, UInt64)]
    let startTime: UInt64
    /// The rt_sigreturn trampoline page mapped at exec.
    var signalTrampoline: UInt64 = 0
    /// The dispositions are shared with another process (CLONE_SIGHAND without CLONE_THREAD).
    var signalActionsShared = false
    /// PR_SET_PDEATHSIG.
    var parentDeathSignal: Int32 = 0
    /// PR_SET_CHILD_SUBREAPER.
    var childSubreaper = false
    /// An orphan the container's first process adopted (reaped by the kernel with `reapsOrphans`).
    var adoptedByInit = false
    var nice: Int32 = 0
    var credentials = Credentials.root
    /// SEM_UNDO adjustments, applied when the process exits (Syscalls/SysVSemaphores.swift).
    var semaphoreUndo: [SemaphoreUndo] = []
    var personality: UInt32 = 0
    /// CPU time of threads that ended, and of reaped children (nanoseconds).
    var exitedThreadsCPUTime: UInt64 = 0
    var childrenCPUTime: UInt64 = 0
    /// Told the wait status when the process ends (a process started from outside: `startProcess`).
    var exitObserver: ((Int32) -> Void)?

    init(pid: Int32, addressSpace: AddressSpace, files: FileTable, fs: FileSystemContext,
         signalActions: SignalActions, processGroup: Int32, session: Int32, limits: [(UInt64, UInt64)], startTime: UInt64) {
        self.pid = pid
        self.addressSpace = addressSpace
        self.files = files
        self.fs = fs
        self.signalActions = signalActions
        self.processGroup = processGroup
        self.session = session
        self.limits = limits
        self.startTime = startTime
    }

    var isZombie: Bool { exitStatus != nil }
    var liveThreads: [Task] { threads.filter { $0.state != .dead } }

    static let unlimited = UInt64.max
    /// Linux's defaults for a container's first process.
    static func defaultLimits() -> [(UInt64, UInt64)] {
        var l = [(UInt64, UInt64)](repeating: (unlimited, unlimited), count: 16)
        l[3] = (8 << 20, unlimited)        // RLIMIT_STACK
        l[4] = (0, unlimited)              // RLIMIT_CORE
        l[6] = (63_000, 63_000)            // RLIMIT_NPROC
        l[7] = (1024, 1_048_576)           // RLIMIT_NOFILE
        l[8] = (8 << 20, 8 << 20)          // RLIMIT_MEMLOCK
        l[11] = (63_000, 63_000)           // RLIMIT_SIGPENDING
        l[12] = (819_200, 819_200)         // RLIMIT_MSGQUEUE
        l[13] = (0, 0)                     // RLIMIT_NICE
        l[14] = (0, 0)                     // RLIMIT_RTPRIO
        return l
    }

    /// What SO_PEERCRED reports of this process: its pid, effective uid and gid.
    var socketCredentials: (pid: Int32, uid: UInt32, gid: UInt32) { (pid, credentials.euid, credentials.egid) }
}

/// wait(2) status words.
enum WaitStatus {
    static func exited(_ code: Int32) -> Int32 { (code & 0xff) << 8 }
    static func signaled(_ signo: Int32, core: Bool = false) -> Int32 { signo | (core ? 0x80 : 0) }
    static func stopped(_ signo: Int32) -> Int32 { 0x7f | (signo << 8) }
    static let continued: Int32 = 0xffff
}
