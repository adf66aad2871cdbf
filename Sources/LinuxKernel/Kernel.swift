#if !SKIFF_SINGLE_MODULE
import FSImage
import RISCV
#endif

/// How the container's first process ended.
public enum Termination: Equatable {
    case exited(Int32)
    case signaled(Int32)

    /// The status a shell (and docker) reports: the exit code, or 128+N for death by signal N.
    public var exitCode: Int32 {
        switch self {
        case .exited(let c): return c & 0xff
        case .signaled(let s): return 128 + s
        }
    }
}

public struct KernelConfiguration {
    /// uname's nodename and /etc/hostname-independent gethostname.
    public var hostname: [UInt8] = Array("skiff".utf8)
    /// Log every system call (strace-like) and every unimplemented one.
    public var traceSystemCalls = false
    /// Where diagnostics go (the native tool routes them to swift-log).
    public var log: ((String) -> Void)?
    /// Who the first process runs as (`-u`); its children inherit it.
    public var user = ContainerUser()
    /// `--init`: orphans the first process adopts are reaped by the kernel as they exit (what
    /// docker's --init does with tini), so a first process that never waits collects no zombies.
    /// Off by default: as on Linux, the first process reaps its adopted orphans (or not).
    public var reapsOrphans = false
    /// `--memory` and `--pids-limit` (see ResourceLimits).
    public var limits = ResourceLimits()
    /// Instructions a task runs before the scheduler looks at others.
    public var timeSlice = 1 << 20
    /// A woken task preempts the task that woke it when it has had this much less CPU time
    /// (nanoseconds; Linux's CFS wakeup granularity is about 1 ms).
    public var wakeupGranularity: UInt64 = 1_000_000
    /// `--network`: host sockets, or a loopback network of the container's own.
    public var network = NetworkMode.host
    /// `-p`: guest TCP ports published on host sockets (only with `.loopback`).
    public var publishedPorts: [PublishedPort] = []
    /// `-t`: the first process gets a pseudo-terminal (/dev/pts/0) as its standard streams and
    /// controlling terminal, wired to these host descriptors. nil: the host's streams are passed as they are.
    public var terminal: TerminalSetup?
    /// The first process reads /dev/null as its standard input instead of the host's (the
    /// host's cannot always be replaced: WASI has no dup2).
    public var standardInputIsNull = false
    public init() {}
}

/// The Linux personality: owns the guest's tasks, their address spaces, descriptors and the mount
/// tree, and runs them on harts until the container's first process exits.
public final class Kernel {
    let host: Host
    let configuration: KernelConfiguration
    let mounts = MountTable()

    var processes: [Int32: Process] = [:]
    var tasks: [Int32: Task] = [:]
    var runQueue = TaskQueue()
    /// Tasks waiting on host descriptors or deadlines.
    var sleepers: [Task] = []
    private var nextID: Int32 = 1
    var initProcess: Process?
    var termination: Termination?
    let bootTime: UInt64
    let bootRealTime: Timespec
    /// The host terminal's foreground process group (TIOCGPGRP/TIOCSPGRP) when it is passed through.
    var foregroundProcessGroup: Int32 = 1
    /// The guest's pseudo-terminal (`configuration.terminal`).
    var terminal: PseudoTerminal?
    /// Pseudo-terminals guest programs opened with /dev/ptmx, by index.
    var guestTerminals: [Int32: PseudoTerminal] = [:]
    var nextTerminalIndex: Int32 = 0
    /// Why the last execve failed, in words (for the CLI's error message).
    public internal(set) var diagnostic: String?
    /// Reused buffer for moving data between host and guest.
    var scratch: UnsafeMutableRawBufferPointer
    var contextSwitches: UInt64 = 0
    var forks: UInt64 = 0
    var lastRunTask: Task?
    var pipeCounter: UInt64 = 0
    /// A new number for an anonymous object (`pipe:[N]`, `socket:[N]`), counted above `base`.
    func nextAnonymousNumber(above base: UInt64) -> UInt64 {
        pipeCounter += 1
        return base + pipeCounter
    }
    /// The pipes of FIFOs that are open somewhere (Files/SpecialFiles.swift).
    var namedPipes: [NamedPipeKey: Pipe] = [:]
    /// Advisory locks between guest processes.
    let locks = RecordLocks()
    /// Where memfd_create files live.
    let memfdFileSystem = TmpFS(device: 0x2e)
    var timers: [IntervalTimer] = []
    var hostname: [UInt8]
    /// Bound AF_UNIX socket names (canonical guest paths, or abstract names starting with NUL).
    var socketNames: [[UInt8]: UnixSocket] = [:]
    /// The last AF_UNIX autobind name handed out (Syscalls/Sockets.swift).
    var unixAutobindCounter: UInt32 = 0
    /// Port ids of bound netlink sockets (Files/NetlinkSocket.swift).
    var netlinkPorts: Set<UInt32> = []
    /// The container's own loopback network (`--network none`).
    let loopback = LoopbackNetwork()
    /// Objects of writable MAP_SHARED file mappings, one per file.
    var sharedFiles: [FileKey: SharedMemoryObject] = [:]
    /// System V shared memory segments (Syscalls/SysVSharedMemory.swift).
    let sysvIPC = SysVIPC()
    /// Every inotify watch (Syscalls/Inotify.swift), and the last rename's cookie.
    var inotifyWatches: [InotifyWatch] = []
    var inotifyCookie: UInt32 = 0
    var sharedObjectCounter: UInt64 = 0
    /// Futex waiters on shared memory, by (object id << 40 | offset).
    var sharedFutexQueues: [UInt64: WaitQueue] = [:]
    /// When the running task's current slice began (its CPU time so far is charged when it ends).
    var sliceStarted: UInt64 = 0
    /// sched_yield asked to end the current slice.
    var yieldRequested = false
    /// Host descriptors polled for the host's own purposes (see `watch`).
    var hostWatches: [HostWatch] = []
    /// Terminals of processes started from outside with one (`startProcess`), wired to host descriptors.
    var hostTerminals: [PseudoTerminal] = []
    /// The task whose slice is running (nil between slices).
    var runningTask: Task?
    /// The running task woke a task that has had less CPU time: its slice ends after this call
    /// (wakeup preemption), so a thread handing a lock to a waiter does not take it back first.
    var preemptRequested = false
    /// Guest instructions per microsecond, measured over recent slices: a slice is cut short to
    /// end near the next deadline of a sleeping task or timer.
    var instructionRate: UInt64 = 100

    public init(host: Host, configuration: KernelConfiguration = KernelConfiguration()) {
        self.host = host
        self.configuration = configuration
        self.bootTime = host.monotonicTime()
        self.bootRealTime = host.realTime()
        self.scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        self.hostname = configuration.hostname
        mounts.mount(ProcFS(kernel: self), at: Array("/proc".utf8))
        mounts.mount(DevFS(kernel: self), at: Array("/dev".utf8))
        mountTemporaryFileSystem(at: "/dev/shm")
        memfdFileSystem.clock = { [unowned(unsafe) self] in self.host.realTime() }
        for p in configuration.publishedPorts { loopback.published[p.guestPort] = p.hostListener }
    }

    deinit { scratch.deallocate() }

    /// A buffer of at least `count` bytes for host I/O.
    func scratchBuffer(_ count: Int) -> UnsafeMutableRawBufferPointer {
        if scratch.count < count {
            scratch.deallocate()
            scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, scratch.count * 2), alignment: 16)
        }
        return UnsafeMutableRawBufferPointer(rebasing: scratch[0..<count])
    }

    // MARK: Set-up

    /// Mounts a host directory (by an open handle) at a guest path; "/" is the root file system.
    /// With `hostOwnsNewFiles` (bind mounts), files the guest creates there stay the host user's.
    public func mountHostDirectory(_ directory: HostFD, at path: String, readOnly: Bool, hostOwnsNewFiles: Bool = false) {
        mounts.mount(HostDirectoryFS(host: host, root: directory, readOnly: readOnly, hostOwnsNewFiles: hostOwnsNewFiles),
                     at: Array(path.utf8))
    }

    /// Mounts an image's filesystem image read-only at a guest path; the reader's buffer must
    /// outlive the kernel.
    public func mountImage(_ reader: FSImageReader, at path: String) {
        mounts.mount(ImageFS(reader: reader, device: 0x40 + UInt64(mounts.mounts.count)), at: Array(path.utf8))
    }

    /// Mounts a container's root file system (the image below a writable host directory).
    public func mountContainerRoot(_ root: ContainerFileSystem, at path: String) {
        mounts.mount(root.overlay, at: Array(path.utf8))
    }

    /// Mounts an empty in-memory file system (a tmpfs) at a guest path.
    public func mountTemporaryFileSystem(at path: String) {
        let fs = TmpFS(device: 0x30 + UInt64(mounts.mounts.count))
        fs.clock = { [unowned(unsafe) self] in self.host.realTime() }
        let now = host.realTime()
        fs.root.accessTime = now
        fs.root.modificationTime = now
        fs.root.changeTime = now
        mounts.mount(fs, at: Array(path.utf8))
    }

    /// Creates the container's first process (pid 1) running `path`, with the host's standard
    /// streams as descriptors 0-2. Throws what execve would; `diagnostic` says why in words.
    public func start(path: String, arguments: [String], environment: [String], workingDirectory: String) throws(Errno) {
        let task = createInitTask()
        try enterWorkingDirectory(task, workingDirectory)
        try execute(task, path: Array(path.utf8), arguments: arguments.map { Array($0.utf8) },
                    environment: environment.map { Array($0.utf8) })
        makeRunnable(task)
    }

    /// Makes `workingDirectory` (a directory in the container) the task's process's working directory.
    func enterWorkingDirectory(_ task: Task, _ workingDirectory: String) throws(Errno) {
        let resolved = try resolve(task, path: Path.absolute(Path.components(Array(workingDirectory.utf8))), follow: true)
        guard resolved.stat?.isDirectory == true else {
            diagnostic = "working directory \(workingDirectory): not a directory in the container"
            throw resolved.stat == nil ? .ENOENT : .ENOTDIR
        }
        task.process.fs.workingDirectory = resolved.components
    }

    /// The container's first process (pid 1), with the host's standard streams as 0-2 and an
    /// empty address space.
    func createInitTask() -> Task {
        let memory = GuestMemory()
        let process = Process(pid: allocateID(), addressSpace: AddressSpace(memory: memory), files: FileTable(),
                              fs: FileSystemContext(), signalActions: SignalActions(), processGroup: 1, session: 1,
                              limits: Process.defaultLimits(), startTime: host.monotonicTime())
        let task = Task(tid: process.pid, cpu: Hart(memory: memory), process: process)
        task.cpu.timeSource = { [unowned(unsafe) self] in self.host.monotonicTime() }
        process.threads.append(task)
        process.credentials = Credentials(configuration.user)
        initProcess = process
        processes[process.pid] = process
        tasks[task.tid] = task
        if let setup = configuration.terminal {
            let tty = createTerminal(setup)
            tty.session = process.session
            tty.foregroundGroup = process.processGroup
            process.hasControllingTerminal = true
            terminal = tty
            let stream = TerminalFile(terminal: tty, kernel: self, flags: LinuxOpenFlags.readWrite)
            for fd: Int32 in 0...2 { try? process.files.install(stream, at: fd, closeOnExec: false) }
        } else {
            installStandardStreams(task)
        }
        return task
    }

    /// The first executable regular file named `name` in the colon-separated `searchPath`,
    /// looked up inside the guest's tree (what `docker run` does with a bare command name).
    public func findExecutable(_ name: String, searchPath: String) -> String? {
        let probe = Task(tid: 0, cpu: Hart(memory: GuestMemory()), process: Process(
            pid: 0, addressSpace: AddressSpace(memory: GuestMemory()), files: FileTable(), fs: FileSystemContext(),
            signalActions: SignalActions(), processGroup: 0, session: 0, limits: [], startTime: 0))
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let dir = directory.isEmpty ? "." : String(directory)
            let candidate = dir + "/" + name
            guard let r = try? resolve(probe, path: Array(candidate.utf8), follow: true), let st = r.stat else { continue }
            if st.isRegular && st.mode & 0o111 != 0 { return candidate }
        }
        return nil
    }

    private func installStandardStreams(_ task: Task) {
        let process = task.process
        for fd: HostFD in 0...2 {
            if fd == 0 && configuration.standardInputIsNull {
                let null = [Array("dev".utf8), Array("null".utf8)]
                let (mount, inside) = mounts.lookup(null)
                if let d = try? mount.fileSystem.open(inside, flags: LinuxOpenFlags.readOnly, mode: 0, caller: task, guestPath: null) {
                    try? process.files.install(d, at: 0, closeOnExec: false)
                }
                continue
            }
            guard let st = try? host.stat(fd) else { continue }
            let access = fd == 0 ? LinuxOpenFlags.readOnly : LinuxOpenFlags.writeOnly
            let name: [UInt8]
            switch st.fileType {
            case FileMode.fifo: name = Array("pipe:[\(st.inode)]".utf8)
            case FileMode.socket: name = Array("socket:[\(st.inode)]".utf8)
            case FileMode.characterDevice: name = Array((host.isTerminal(fd) ? "/dev/tty" : "/dev/null").utf8)
            default: name = Array("/dev/std\(fd == 0 ? "in" : fd == 1 ? "out" : "err")".utf8)
            }
            let d = HostFile(host: host, fd: fd, flags: access, path: name, components: nil, stat: st,
                             fileSystem: nil, ownsDescriptor: false)
            try? process.files.install(d, at: fd, closeOnExec: false)
        }
    }

    func allocateID() -> Int32 {
        while processes[nextID] != nil || tasks[nextID] != nil { nextID += 1 }
        let id = nextID
        nextID += 1
        if nextID > 4_194_304 { nextID = 2 }
        return id
    }

    // MARK: Diagnostics

    var tracing: Bool { configuration.traceSystemCalls }

    func log(_ message: @autoclosure () -> String) {
        if let sink = configuration.log { sink(message()) }
    }

    func setDiagnostic(_ message: String) { diagnostic = message }
}

/// A FIFO of runnable tasks.
struct TaskQueue {
    private var items: [Task] = []
    private var head = 0

    var isEmpty: Bool { head >= items.count }

    mutating func push(_ t: Task) { items.append(t) }

    /// Puts a task ahead of the others (a woken task that preempts).
    mutating func pushFront(_ t: Task) {
        if head > 0 {
            head -= 1
            items[head] = t
        } else {
            items.insert(t, at: 0)
        }
    }

    mutating func pop() -> Task? {
        guard head < items.count else { return nil }
        let t = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return t
    }
}
