import ContainerControlWire
import Foundation
import LinuxKernel
import OCI
import PosixHost
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The listening side, in the skiff process running the container: requests are served on the
/// kernel's own thread between time slices (the kernel polls the socket), so exec'd processes
/// and copied files enter the running container as the guest's own would.
final class ContainerControlServer {
    private let kernel: Kernel
    /// The container's root, for `cp` into it and user names; nil for a `--rootfs` run (whose root
    /// is a host directory: no `cp` into it, no `exec -u`).
    private let root: ContainerFileSystem?
    /// The container's process: exec'd commands start with its user, environment and directory.
    private let process: ContainerRecord.ProcessSpec
    private let socketPath: String
    private var listener: Int32 = -1
    /// The write end of the container's standard input (a detached container with -i), where
    /// `attach` copies what its client types.
    private let inputFeed: Int32?
    /// attach: the client's stdin being copied to `inputFeed`, and its connection.
    private var attached: [(input: Int32, connection: Int32)] = []
    /// The exec'd processes still running, which `signal` and `resize` may reach.
    private var execPids: Set<Int32> = []

    init?(kernel: Kernel, root: ContainerFileSystem?, process: ContainerRecord.ProcessSpec, directory: String, inputFeed: Int32?) {
        self.kernel = kernel
        self.inputFeed = inputFeed
        self.root = root
        self.process = process
        socketPath = directory + "/control.sock"
        guard let fd = ControlSocket.listen(directory: directory) else { return nil }
        listener = fd
        kernel.watch(fd) { [unowned self] in self.acceptAll() }
    }

    func stop() {
        for a in attached { detach(a.input) }
        guard listener >= 0 else { return }
        kernel.unwatch(listener)
        closeFD(listener)
        listener = -1
        unlink(socketPath)
    }

    private func acceptAll() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 { return }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            _ = fcntl(connection, F_SETFL, fcntl(connection, F_GETFL) & ~O_NONBLOCK)
            // A client sends its request at once; one that does not is dropped after 2 s.
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            serve(connection)
        }
    }

    private func serve(_ connection: Int32) {
        var descriptors: [Int32] = []
        guard let (object, fds) = ControlMessage.receive(connection) else { closeFD(connection); return }
        descriptors = fds
        guard let request = ControlRequest(json: object) else {
            for fd in descriptors { closeFD(fd) }
            reply(connection, "error 125 unknown request", closing: true)
            return
        }
        switch request.operation {
        case .exec:
            exec(request, streams: descriptors, connection: connection)
        case .copyIn:
            for fd in descriptors { closeFD(fd) }
            do throws(SkiffError) {
                guard let root else { throw SkiffError(.unsupported, "cp: the container's root is a host directory (--rootfs): copy into it on the host") }
                guard let source = request.source, let destination = request.destination else {
                    throw SkiffError(.invalidArgument, "cp: no source or destination")
                }
                try ContainerCopy.copyIn(from: source, to: destination, root: root)
                reply(connection, "ok", closing: true)
            } catch {
                reply(connection, "error 1 \(error.message)", closing: true)
            }
        case .attach:
            // Output is the log, which the client follows; input (with -i) goes to the feed.
            if let input = descriptors.first, inputFeed != nil {
                for fd in descriptors.dropFirst() { closeFD(fd) }
                attached.append((input, connection))
                kernel.watch(input) { [unowned self] in self.forwardInput(input) }
            } else {
                for fd in descriptors { closeFD(fd) }
                reply(connection, "ok", closing: true)
            }
        case .top:
            for fd in descriptors { closeFD(fd) }
            reply(connection, processTable(), closing: true)
        case .signal, .resize:
            for fd in descriptors { closeFD(fd) }
            reply(connection, signalOrResize(request), closing: true)
        }
    }

    /// `top`: the columns of `ps -ef` (what docker top shows), user names from the container's
    /// /etc/passwd.
    private func processTable() -> String {
        var names: [UInt32: String] = [:]
        for line in String(decoding: root?.readFile("/etc/passwd") ?? [], as: UTF8.self).split(separator: "\n") {
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            if f.count > 2, let uid = UInt32(f[2]), names[uid] == nil { names[uid] = String(f[0]) }
        }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var lines = ["UID\tPID\tPPID\tC\tSTIME\tTTY\tTIME\tCMD"]
        for p in kernel.processSummaries() {
            var t = time_t(p.startSeconds)
            var local = tm()
            localtime_r(&t, &local)
            let seconds = Int(p.cpuTime / 1_000_000_000)
            let cpu = "\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
            lines.append([names[p.uid] ?? String(p.uid), String(p.pid), String(p.parentPID), "0",
                          "\(two(Int(local.tm_hour))):\(two(Int(local.tm_min)))", p.terminal ?? "?", cpu, p.command].joined(separator: "\t"))
        }
        return lines.joined(separator: "\n")
    }

    /// `signal` and `resize` of a process an exec request started (containerd's Kill and ResizePty
    /// by exec id): `ok`, or `error 1 …`.
    private func signalOrResize(_ request: ControlRequest) -> String {
        guard let pid = request.pid, execPids.contains(pid) else { return "error 1 no exec'd process \(request.pid ?? 0) is running" }
        if request.operation == .signal {
            guard let signo = request.signal, kernel.signalProcess(pid, signo) else { return "error 1 cannot signal process \(pid)" }
        } else {
            guard let rows = request.rows, let columns = request.columns,
                  kernel.resizeTerminal(ofProcess: pid, rows: rows, columns: columns) else {
                return "error 1 process \(pid) has no terminal to resize"
            }
        }
        return "ok"
    }

    /// Copies what an attached client typed to the container's stdin (until it closes its end).
    private func forwardInput(_ input: Int32) {
        guard let feed = inputFeed else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return }
        guard n > 0 else { detach(input); return }
        var done = 0
        while done < n {
            let w = buffer.withUnsafeBytes { write(feed, $0.baseAddress! + done, n - done) }
            if w < 0 { if errno == EINTR { continue }; break }
            done += w
        }
    }

    private func detach(_ input: Int32) {
        kernel.unwatch(input)
        closeFD(input)
        if let i = attached.firstIndex(where: { $0.input == input }) {
            reply(attached[i].connection, "ok", closing: true)
            attached.remove(at: i)
        }
    }

    private func exec(_ request: ControlRequest, streams: [Int32], connection: Int32) {
        var unused = streams
        defer { for fd in unused { closeFD(fd) } }
        do throws(SkiffError) {
            guard var program = request.arguments.first else { throw SkiffError(.invalidArgument, "exec: no command") }
            var user = ContainerUser(uid: process.uid, gid: process.gid, groups: process.groups)
            var environment = EnvironmentList()
            for e in process.environment { environment.set(e) }
            if let spec = request.user {
                guard let root else { throw SkiffError(.unsupported, "exec -u: a --rootfs run has no user database to look \(spec) up in") }
                let resolved = try ContainerUserResolver(root: root).resolveForContainer(spec)
                user = resolved.user
                environment.set("HOME=" + resolved.home)
            }
            for e in request.environment { environment.set(e) }
            if !program.contains("/") {
                let path = environment.entries.last(where: { $0.hasPrefix("PATH=") }).map { String($0.dropFirst(5)) } ?? RootfsRunner.defaultPath
                guard let found = kernel.findExecutable(program, searchPath: path) else {
                    throw SkiffError(.commandNotFound, "exec: \"\(program)\": executable file not found in $PATH")
                }
                program = found
            }
            unused = []
            do throws(Errno) {
                var started: Int32 = 0
                started = try kernel.startProcess(path: program, arguments: request.arguments, environment: environment.entries,
                                                  workingDirectory: request.workingDirectory ?? process.workingDirectory,
                                                  user: user, streams: streams, terminal: request.tty,
                                                  terminalInput: request.interactive) { [weak self] status in
                    let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                    self?.execPids.remove(started)
                    self?.reply(connection, "exit \(code)", closing: true)
                }
                execPids.insert(started)
                if request.reportPid { reply(connection, "pid \(started)", closing: false) }
            } catch {
                let reason = kernel.diagnostic ?? "exec: \"\(program)\": \(error.name)"
                throw SkiffError(error == .ENOENT ? .commandNotFound : .commandNotExecutable, reason)
            }
        } catch {
            reply(connection, "error \(error.runExitStatus) \(error.message)", closing: true)
        }
    }

    private func reply(_ connection: Int32, _ text: String, closing: Bool) {
        let bytes = Array((text + "\n").utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { send(connection, $0.baseAddress! + done, $0.count - done, noSignal) }
            if n <= 0 { if n < 0 && errno == EINTR { continue }; break }
            done += n
        }
        if closing { closeFD(connection) }
    }
}

// closeFD and noSignal: ContainerControlWire's.

/// The client side: `skiff exec`, `cp` into a running container, `top`.
public enum ContainerControl {
    /// Sends `request` (with `descriptors`) to the skiff process running the container; returns
    /// the connection to read the answer from.
    public static func connect(_ containers: ContainerStore, _ record: ContainerRecord, _ request: ControlRequest,
                               descriptors: [Int32] = []) throws(SkiffError) -> Int32 {
        do throws(ControlSocket.Failure) {
            return try ControlSocket.send(directory: containers.directory(record.id), request, descriptors: descriptors)
        } catch {
            switch error.step {
            case "open": throw SkiffError(.notFound, "no such container: \(record.name)")
            case "connect": throw SkiffError(.invalidArgument, "container \(record.name) is not running (or its skiff process does not answer: \(error.reason))")
            default: throw SkiffError(.io, "cannot send the request to container \(record.name): \(error.step): \(error.reason)")
            }
        }
    }

    /// Reads the answer (until the connection closes).
    public static func answer(_ connection: Int32) -> String { ControlSocket.readAll(connection) }

    /// Runs `body` with the terminal on `fd` in raw mode (exec -it: the container's line
    /// discipline does the editing and echo), restored afterwards; as it is if `fd` is no terminal.
    public static func withRawTerminal<T>(_ fd: Int32, _ body: () throws -> T) rethrows -> T {
        guard HostTerminalMode.enterRaw(fd) else { return try body() }
        defer { HostTerminalMode.restore() }
        return try body()
    }

    /// Reads an `ok`/`error STATUS MESSAGE`/`exit N` answer: the status, or the error thrown.
    public static func status(_ connection: Int32, container: String) throws(SkiffError) -> Int32 {
        let text = answer(connection).trimmingCharacters(in: .newlines)
        if text == "ok" { return 0 }
        if text.hasPrefix("exit "), let n = Int32(text.dropFirst(5)) { return n }
        if text.hasPrefix("error ") {
            let parts = text.dropFirst(6).split(separator: " ", maxSplits: 1).map(String.init)
            let status = Int32(parts.first ?? "") ?? 125
            let code: SkiffError.Code = status == 127 ? .commandNotFound : status == 126 ? .commandNotExecutable : .invalidArgument
            throw SkiffError(code, parts.count > 1 ? parts[1] : "failed")
        }
        throw SkiffError(.io, "the skiff process of container \(container) ended without an answer")
    }
}
