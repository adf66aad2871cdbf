import Dispatch
import Foundation
import SwiftProtobuf
#if canImport(Glibc)
import Glibc
#endif

/// The containerd task API (containerd.task.v2.Task, containerd 1.6) for one container: its
/// process is a `skiff run --rootfs BUNDLE/rootfs …` child, which runs a Linux program on the
/// RISC-V emulator or a WebAssembly module on WasmKit (RootfsRunner decides by the file).
/// Requests naming an exec id are the exec'd processes' (ExecProcesses.swift).
public final class TaskService: @unchecked Sendable {
    public static let serviceName = "containerd.task.v2.Task"

    let namespace: String
    let publisher: EventPublisher?
    let skiffBinary: String
    public var log: (String) -> Void = { _ in }
    /// Called after Shutdown has been answered.
    public var shutdown: () -> Void = { exit(0) }

    let lock = NSCondition()
    var task: TaskState?

    struct TaskState {
        var id: String
        var bundle: String
        var spec: BundleSpec
        var binds: [(source: String, target: String, readOnly: Bool)]
        var mountedRootfs: Bool
        var stdin: String, stdout: String, stderr: String
        var terminal: Bool
        var pid: Int32 = 0
        var status: Containerd_V1_Types_Status = .created
        var exitStatus: UInt32 = 0
        var exitedAt: Date?
        var copiers: [Thread] = []
        /// With a terminal: its master, for ResizePty (closed when the process ends).
        var terminalMaster: Int32 = -1
        /// Whether the command is a WebAssembly module (WasmKit: no kernel to exec in).
        var isModule = false
        /// Exec'd processes, by exec id.
        var execs: [String: ExecState] = [:]
    }

    public init(namespace: String, publisher: EventPublisher?, skiffBinary: String) {
        self.namespace = namespace
        self.publisher = publisher
        self.skiffBinary = skiffBinary
    }

    public func handle(service: String, method: String, payload: Data) throws -> Data {
        guard service == Self.serviceName else { throw TTRPCError.unimplemented("\(service) is not served by this shim") }
        log("rpc \(method)")
        switch method {
        case "Create": return try create(Containerd_Task_V2_CreateTaskRequest(serializedBytes: payload)).serializedData()
        case "Start":
            let request = try Containerd_Task_V2_StartRequest(serializedBytes: payload)
            return try (request.execID.isEmpty ? start(request) : startExec(request)).serializedData()
        case "State":
            let request = try Containerd_Task_V2_StateRequest(serializedBytes: payload)
            return try (request.execID.isEmpty ? state(request) : execState(request)).serializedData()
        case "Delete":
            let request = try Containerd_Task_V2_DeleteRequest(serializedBytes: payload)
            return try (request.execID.isEmpty ? delete(request) : deleteExec(request)).serializedData()
        case "Pids": return try pids(Containerd_Task_V2_PidsRequest(serializedBytes: payload)).serializedData()
        case "Kill":
            let request = try Containerd_Task_V2_KillRequest(serializedBytes: payload)
            if request.execID.isEmpty { try kill(request) } else { try killExec(request) }
            return Data()
        case "Wait":
            let request = try Containerd_Task_V2_WaitRequest(serializedBytes: payload)
            return try (request.execID.isEmpty ? wait(request) : waitExec(request)).serializedData()
        case "Exec": try exec(Containerd_Task_V2_ExecProcessRequest(serializedBytes: payload)); return Data()
        case "ResizePty": try resizePty(Containerd_Task_V2_ResizePtyRequest(serializedBytes: payload)); return Data()
        case "Connect": return try connect(Containerd_Task_V2_ConnectRequest(serializedBytes: payload)).serializedData()
        case "Stats": return try Containerd_Task_V2_StatsResponse().serializedData()
        case "CloseIO": return Data()
        case "Shutdown":
            let request = try Containerd_Task_V2_ShutdownRequest(serializedBytes: payload)
            lock.lock()
            let running = task?.status == .running
            lock.unlock()
            if running && !request.now { return Data() }
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { [self] in shutdown() }
            return Data()
        default:
            throw TTRPCError.unimplemented("\(method) is not implemented by containerd-shim-skiff-v1")
        }
    }

    // MARK: Create, Start

    func create(_ request: Containerd_Task_V2_CreateTaskRequest) throws -> Containerd_Task_V2_CreateTaskResponse {
        lock.lock()
        defer { lock.unlock() }
        if task != nil { throw TTRPCError.alreadyExists("task \(request.id) already exists") }
        let spec = try BundleSpec(bundle: request.bundle)
        let binds = try spec.bindMounts()
        var mounted = false
        if !request.rootfs.isEmpty {
            try RootfsMount.mount(request.rootfs, at: spec.rootPath)
            mounted = true
        }
        task = TaskState(id: request.id, bundle: request.bundle, spec: spec, binds: binds, mountedRootfs: mounted,
                         stdin: request.stdin, stdout: request.stdout, stderr: request.stderr, terminal: request.terminal)
        var event = Containerd_Events_TaskCreate()
        event.containerID = request.id
        event.bundle = request.bundle
        event.rootfs = request.rootfs
        event.io.stdin = request.stdin
        event.io.stdout = request.stdout
        event.io.stderr = request.stderr
        event.io.terminal = request.terminal
        publisher?.publish(topic: "/tasks/create", event: event)
        return Containerd_Task_V2_CreateTaskResponse()
    }

    func start(_ request: Containerd_Task_V2_StartRequest) throws -> Containerd_Task_V2_StartResponse {
        lock.lock()
        defer { lock.unlock() }
        guard var t = task, t.id == request.id else { throw TTRPCError.notFound("no task \(request.id)") }
        guard t.status == .created else { throw TTRPCError.failedPrecondition("task \(t.id) was already started") }
        let process = try TaskProcess.spawn(skiff: skiffBinary, task: t)
        t.pid = process.pid
        t.copiers = process.copiers
        t.terminalMaster = process.terminalMaster
        t.isModule = t.spec.commandIsModule
        // For `delete`, should this daemon die: the process to end.
        FileManager.default.createFile(atPath: t.bundle + "/task.pid", contents: Data(String(process.pid).utf8))
        t.status = .running
        task = t
        let pid = process.pid
        let reaper = Thread { [self] in reap(pid) }
        reaper.start()
        var event = Containerd_Events_TaskStart()
        event.containerID = t.id
        event.pid = UInt32(pid)
        publisher?.publish(topic: "/tasks/start", event: event)
        var response = Containerd_Task_V2_StartResponse()
        response.pid = UInt32(pid)
        return response
    }

    private func reap(_ pid: Int32) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code: UInt32
        if status & 0x7f == 0 { code = UInt32((status >> 8) & 0xff) } else { code = 128 + UInt32(status & 0x7f) }
        lock.lock()
        guard var t = task else { lock.unlock(); return }
        if t.terminalMaster >= 0 { close(t.terminalMaster) }
        t.terminalMaster = -1
        t.status = .stopped
        t.exitStatus = code
        t.exitedAt = Date()
        task = t
        lock.broadcast()
        lock.unlock()
        log("task \(t.id) exited with \(code)")
        var event = Containerd_Events_TaskExit()
        event.containerID = t.id
        event.id = t.id
        event.pid = UInt32(pid)
        event.exitStatus = code
        event.exitedAt = Google_Protobuf_Timestamp(date: t.exitedAt!)
        publisher?.publish(topic: "/tasks/exit", event: event)
    }

    // MARK: State, Pids, Kill, Wait, Delete, Connect

    func state(_ request: Containerd_Task_V2_StateRequest) throws -> Containerd_Task_V2_StateResponse {
        lock.lock()
        defer { lock.unlock() }
        guard let t = task, t.id == request.id else { throw TTRPCError.notFound("no task \(request.id)") }
        return stateResponse(t, nil)
    }

    /// State's answer for the task's own process (`e` nil) or an exec'd one.
    func stateResponse(_ t: TaskState, _ e: ExecState?) -> Containerd_Task_V2_StateResponse {
        var r = Containerd_Task_V2_StateResponse()
        r.id = t.id
        r.execID = e?.id ?? ""
        r.bundle = t.bundle
        r.pid = UInt32(e?.pid ?? t.pid)
        r.status = e?.status ?? t.status
        r.stdin = e?.stdin ?? t.stdin
        r.stdout = e?.stdout ?? t.stdout
        r.stderr = e?.stderr ?? t.stderr
        r.terminal = e?.terminal ?? t.terminal
        r.exitStatus = e?.exitStatus ?? t.exitStatus
        if let at = e.map({ $0.exitedAt }) ?? t.exitedAt { r.exitedAt = Google_Protobuf_Timestamp(date: at) }
        return r
    }

    func pids(_ request: Containerd_Task_V2_PidsRequest) throws -> Containerd_Task_V2_PidsResponse {
        lock.lock()
        defer { lock.unlock() }
        guard let t = task else { throw TTRPCError.notFound("no task \(request.id)") }
        var r = Containerd_Task_V2_PidsResponse()
        if t.status == .running {
            var info = Containerd_V1_Types_ProcessInfo()
            info.pid = UInt32(t.pid)
            r.processes = [info]
        }
        // Exec'd processes by their pids in the container (the task's own is the host's skiff).
        for e in t.execs.values.sorted(by: { $0.pid < $1.pid }) where e.status == .running {
            var info = Containerd_V1_Types_ProcessInfo()
            info.pid = UInt32(e.pid)
            r.processes.append(info)
        }
        return r
    }

    func kill(_ request: Containerd_Task_V2_KillRequest) throws {
        lock.lock()
        defer { lock.unlock() }
        guard let t = task, t.id == request.id else { throw TTRPCError.notFound("no task \(request.id)") }
        guard t.status == .running else {
            throw TTRPCError.notFound("process of task \(t.id) not found: it is \(t.status == .created ? "not started" : "already finished")")
        }
        // The child leads its own process group; `all` reaches what it started too.
        let target = request.all ? -t.pid : t.pid
        if Glibc.kill(target, Int32(request.signal)) != 0 {
            throw TTRPCError.internalError("kill \(t.pid): \(String(cString: strerror(errno)))")
        }
    }

    func wait(_ request: Containerd_Task_V2_WaitRequest) throws -> Containerd_Task_V2_WaitResponse {
        lock.lock()
        defer { lock.unlock() }
        guard task?.id == request.id else { throw TTRPCError.notFound("no task \(request.id)") }
        while let t = task, t.status != .stopped { lock.wait() }
        guard let t = task else { throw TTRPCError.notFound("task \(request.id) was deleted") }
        var r = Containerd_Task_V2_WaitResponse()
        r.exitStatus = t.exitStatus
        if let at = t.exitedAt { r.exitedAt = Google_Protobuf_Timestamp(date: at) }
        return r
    }

    func delete(_ request: Containerd_Task_V2_DeleteRequest) throws -> Containerd_Task_V2_DeleteResponse {
        lock.lock()
        defer { lock.unlock() }
        guard let t = task, t.id == request.id else { throw TTRPCError.notFound("no task \(request.id)") }
        if t.status == .running { throw TTRPCError.failedPrecondition("task \(t.id) is running; kill it first") }
        if t.mountedRootfs { RootfsMount.unmount(t.spec.rootPath) }
        task = nil
        lock.broadcast()
        var r = Containerd_Task_V2_DeleteResponse()
        r.pid = UInt32(t.pid)
        r.exitStatus = t.exitStatus
        r.exitedAt = Google_Protobuf_Timestamp(date: t.exitedAt ?? Date())
        var event = Containerd_Events_TaskDelete()
        event.containerID = t.id
        event.pid = UInt32(t.pid)
        event.exitStatus = t.exitStatus
        event.exitedAt = r.exitedAt
        publisher?.publish(topic: "/tasks/delete", event: event)
        return r
    }

    func connect(_ request: Containerd_Task_V2_ConnectRequest) throws -> Containerd_Task_V2_ConnectResponse {
        lock.lock()
        defer { lock.unlock() }
        var r = Containerd_Task_V2_ConnectResponse()
        r.shimPid = UInt32(getpid())
        r.taskPid = UInt32(task?.pid ?? 0)
        r.version = "skiff"
        return r
    }
}
