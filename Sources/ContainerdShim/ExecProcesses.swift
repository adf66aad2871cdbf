import ContainerControlWire
import Foundation
import SwiftProtobuf
#if canImport(Glibc)
import Glibc
#endif

/// An exec'd process (`ctr task exec`, `kubectl exec`): a command that the task's running
/// kernel starts beside its own processes. The shim asks for it on the control socket that
/// `skiff run --rootfs … --control-dir BUNDLE` serves in the bundle (the one `skiff exec` uses,
/// docs/containers.md), passing containerd's FIFOs as the process's standard streams; the
/// connection stays open until the process ends and then carries its exit status.
struct ExecState {
    var id: String
    var process: ProcessSpec
    var stdin: String, stdout: String, stderr: String
    var terminal: Bool
    /// The process's pid in the container (the guest's), once started.
    var pid: Int32 = 0
    var status: Containerd_V1_Types_Status = .created
    var exitStatus: UInt32 = 0
    var exitedAt: Date?
}

extension TaskService {
    func exec(_ request: Containerd_Task_V2_ExecProcessRequest) throws {
        lock.lock()
        defer { lock.unlock() }
        guard var t = task, t.id == request.id else { throw TTRPCError.notFound("no task \(request.id)") }
        guard t.status == .running else {
            throw TTRPCError.failedPrecondition("task \(t.id) is not running (\(t.status == .created ? "not started" : "stopped")): nothing to exec in")
        }
        if t.isModule {
            throw TTRPCError.failedPrecondition("task \(t.id) is a WebAssembly module on WasmKit: exec is not supported (one module instance, no process table to start a command in)")
        }
        guard !request.execID.isEmpty else { throw TTRPCError.invalidArgument("exec needs an exec id") }
        if t.execs[request.execID] != nil { throw TTRPCError.alreadyExists("exec \(request.execID) already exists in task \(t.id)") }
        let process = try ProcessSpec(json: request.spec.value)
        t.execs[request.execID] = ExecState(id: request.execID, process: process, stdin: request.stdin, stdout: request.stdout,
                                            stderr: request.stderr, terminal: request.terminal)
        task = t
        var event = Containerd_Events_TaskExecAdded()
        event.containerID = t.id
        event.execID = request.execID
        publisher?.publish(topic: "/tasks/exec-added", event: event)
    }

    func startExec(_ request: Containerd_Task_V2_StartRequest) throws -> Containerd_Task_V2_StartResponse {
        lock.lock()
        guard let t = task, t.id == request.id, var e = t.execs[request.execID] else {
            lock.unlock()
            throw TTRPCError.notFound("no exec \(request.execID) in task \(request.id)")
        }
        guard e.status == .created else { lock.unlock(); throw TTRPCError.failedPrecondition("exec \(e.id) was already started") }
        guard t.status == .running else { lock.unlock(); throw TTRPCError.failedPrecondition("task \(t.id) is not running") }
        e.status = .running   // (no second Start meanwhile)
        task?.execs[e.id] = e
        lock.unlock()

        let connection: Int32
        let pid: Int32
        do {
            (connection, pid) = try launch(e, bundle: t.bundle)
        } catch {
            lock.lock()
            task?.execs[e.id]?.status = .created
            lock.unlock()
            throw error
        }
        lock.lock()
        e.pid = pid
        task?.execs[e.id]?.pid = pid
        lock.unlock()
        let taskID = t.id, execID = e.id
        Thread { [self] in awaitExit(connection, taskID: taskID, execID: execID, pid: pid) }.start()

        var event = Containerd_Events_TaskExecStarted()
        event.containerID = t.id
        event.execID = e.id
        event.pid = UInt32(pid)
        publisher?.publish(topic: "/tasks/exec-started", event: event)
        var response = Containerd_Task_V2_StartResponse()
        response.pid = UInt32(pid)
        return response
    }

    /// Sends the exec request with the process's streams; returns the connection (which will
    /// carry `exit N`) and the guest's pid.
    private func launch(_ e: ExecState, bundle: String) throws -> (Int32, Int32) {
        var streams: [Int32] = []
        defer { for fd in streams { close(fd) } }
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        streams = [null, null, null]
        if !e.stdin.isEmpty { streams[0] = try TaskProcess.openFifo(e.stdin, reading: true) }
        if !e.stdout.isEmpty { streams[1] = try TaskProcess.openFifo(e.stdout, reading: false) }
        if !e.stderr.isEmpty { streams[2] = try TaskProcess.openFifo(e.stderr, reading: false) }
        var request = ControlRequest(.exec)
        request.arguments = e.process.arguments
        request.environment = e.process.environment
        request.workingDirectory = e.process.workingDirectory
        request.tty = e.terminal
        request.interactive = !e.stdin.isEmpty
        request.reportPid = true
        let connection = try send(request, bundle: bundle, descriptors: streams)
        let answer = ControlSocket.readLine(connection) ?? ""
        if answer.hasPrefix("pid "), let pid = Int32(answer.dropFirst(4)) { return (connection, pid) }
        close(connection)
        // `error STATUS MESSAGE`: 127 the command is missing, 126 it cannot run (as docker's).
        let message = Self.errorMessage(answer) ?? "the task's skiff process ended without an answer"
        throw answer.hasPrefix("error 127") ? TTRPCError.notFound(message) : TTRPCError.failedPrecondition(message)
    }

    /// Sends `request` to the control socket in the bundle. A task that has just started may not
    /// listen yet (skiff binds it once the kernel has loaded the program): retried for 5 s.
    private func send(_ request: ControlRequest, bundle: String, descriptors: [Int32] = []) throws -> Int32 {
        let deadline = Date().addingTimeInterval(5)
        while true {
            do throws(ControlSocket.Failure) {
                return try ControlSocket.send(directory: bundle, request, descriptors: descriptors)
            } catch {
                let missing = error.step == "connect" && (error.errno == ENOENT || error.errno == ECONNREFUSED)
                lock.lock()
                let running = task?.status == .running
                lock.unlock()
                guard missing, running, Date() < deadline else {
                    throw TTRPCError.failedPrecondition("cannot reach the task's control socket (\(error.step): \(error.reason))")
                }
                usleep(20_000)
            }
        }
    }

    /// Waits for the `exit N` answer; a connection closed without one means the task's skiff
    /// process is gone, and the process with it (137, as a kill).
    private func awaitExit(_ connection: Int32, taskID: String, execID: String, pid: Int32) {
        let answer = ControlSocket.readAll(connection).trimmingCharacters(in: .whitespacesAndNewlines)
        let code: UInt32 = answer.hasPrefix("exit ") ? UInt32(answer.dropFirst(5)) ?? 137 : 137
        let now = Date()
        lock.lock()
        task?.execs[execID]?.status = .stopped
        task?.execs[execID]?.exitStatus = code
        task?.execs[execID]?.exitedAt = now
        lock.broadcast()
        lock.unlock()
        log("exec \(execID) of task \(taskID) exited with \(code)")
        var event = Containerd_Events_TaskExit()
        event.containerID = taskID
        event.id = execID
        event.pid = UInt32(pid)
        event.exitStatus = code
        event.exitedAt = Google_Protobuf_Timestamp(date: now)
        publisher?.publish(topic: "/tasks/exit", event: event)
    }

    private func execProcess(_ id: String, _ execID: String) throws -> (TaskState, ExecState) {
        guard let t = task, t.id == id, let e = t.execs[execID] else { throw TTRPCError.notFound("no exec \(execID) in task \(id)") }
        return (t, e)
    }

    func execState(_ request: Containerd_Task_V2_StateRequest) throws -> Containerd_Task_V2_StateResponse {
        lock.lock()
        defer { lock.unlock() }
        let (t, e) = try execProcess(request.id, request.execID)
        return stateResponse(t, e)
    }

    func waitExec(_ request: Containerd_Task_V2_WaitRequest) throws -> Containerd_Task_V2_WaitResponse {
        lock.lock()
        defer { lock.unlock() }
        _ = try execProcess(request.id, request.execID)
        while let e = task?.execs[request.execID], e.status != .stopped { lock.wait() }
        guard let e = task?.execs[request.execID] else { throw TTRPCError.notFound("exec \(request.execID) was deleted") }
        var r = Containerd_Task_V2_WaitResponse()
        r.exitStatus = e.exitStatus
        if let at = e.exitedAt { r.exitedAt = Google_Protobuf_Timestamp(date: at) }
        return r
    }

    func deleteExec(_ request: Containerd_Task_V2_DeleteRequest) throws -> Containerd_Task_V2_DeleteResponse {
        lock.lock()
        defer { lock.unlock() }
        let (_, e) = try execProcess(request.id, request.execID)
        if e.status == .running { throw TTRPCError.failedPrecondition("exec \(e.id) is running; kill it first") }
        task?.execs[e.id] = nil
        lock.broadcast()
        var r = Containerd_Task_V2_DeleteResponse()
        r.pid = UInt32(e.pid)
        r.exitStatus = e.exitStatus
        r.exitedAt = Google_Protobuf_Timestamp(date: e.exitedAt ?? Date())
        return r
    }

    /// Kill by exec id: the running kernel signals the exec'd process.
    func killExec(_ request: Containerd_Task_V2_KillRequest) throws {
        let (t, e) = try runningExec(request.id, request.execID)
        var control = ControlRequest(.signal)
        control.pid = e.pid
        control.signal = Int32(clamping: request.signal)
        try expectOK(try send(control, bundle: t.bundle), what: "kill of exec \(e.id)")
    }

    /// The terminal's size, for the task's process (the shim's pseudo-terminal: skiff passes the
    /// size on to the guest's) or an exec'd one (through the control socket).
    func resizePty(_ request: Containerd_Task_V2_ResizePtyRequest) throws {
        let rows = UInt16(clamping: request.height), columns = UInt16(clamping: request.width)
        if request.execID.isEmpty {
            lock.lock()
            defer { lock.unlock() }
            guard let t = task, t.id == request.id else { throw TTRPCError.notFound("no task \(request.id)") }
            guard t.status == .running, t.terminalMaster >= 0 else {
                throw TTRPCError.failedPrecondition("task \(t.id) has no running terminal to resize")
            }
            try TaskProcess.resize(master: t.terminalMaster, pid: t.pid, rows: rows, columns: columns)
            return
        }
        let (t, e) = try runningExec(request.id, request.execID)
        guard e.terminal else { throw TTRPCError.failedPrecondition("exec \(e.id) has no terminal to resize") }
        var control = ControlRequest(.resize)
        control.pid = e.pid
        control.rows = rows
        control.columns = columns
        try expectOK(try send(control, bundle: t.bundle), what: "resize of exec \(e.id)")
    }

    /// The task and a started exec'd process that has not ended (NotFound otherwise, as runc's
    /// shim answers for a finished process).
    private func runningExec(_ id: String, _ execID: String) throws -> (TaskState, ExecState) {
        lock.lock()
        defer { lock.unlock() }
        let (t, e) = try execProcess(id, execID)
        guard e.status == .running, e.pid > 0 else { throw TTRPCError.notFound("exec \(execID) is not running") }
        return (t, e)
    }

    private func expectOK(_ connection: Int32, what: String) throws {
        let answer = ControlSocket.readAll(connection).trimmingCharacters(in: .whitespacesAndNewlines)
        guard answer == "ok" else {
            throw TTRPCError.notFound("\(what): " + (Self.errorMessage(answer) ?? "no answer"))
        }
    }

    /// MESSAGE of an `error STATUS MESSAGE` answer.
    private static func errorMessage(_ answer: String) -> String? {
        guard answer.hasPrefix("error ") else { return nil }
        return String(answer.dropFirst(6).drop { $0 != " " }.dropFirst())
    }
}
