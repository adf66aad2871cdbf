import Foundation
import LinuxKernel
import OCI
import PosixHost
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `skiff exec`, `cp` (into a running container) and `top` ask the skiff process running a
/// container. The process listens on `control.sock` in the container's directory; a request
/// is one message: a 4-byte length, a JSON object, and (exec) the client's standard streams as
/// SCM_RIGHTS descriptors. The answer is text lines: `exit N` when an exec'd process ends,
/// `ok`, `error STATUS MESSAGE`, or top's table, then the connection is closed.
public struct ControlRequest {
    public enum Operation: String { case exec, copyIn = "cp-in", top, attach }
    public var operation: Operation
    public var arguments: [String] = []
    /// exec: `-e` settings added to the container's environment.
    public var environment: [String] = []
    public var workingDirectory: String?
    public var user: String?
    /// exec -t, -i.
    public var tty = false
    public var interactive = false
    /// cp-in: the absolute host path and the container path.
    public var source: String?
    public var destination: String?

    public init(_ operation: Operation) { self.operation = operation }

    var json: [String: Any] {
        var o: [String: Any] = ["op": operation.rawValue, "args": arguments, "env": environment, "tty": tty, "interactive": interactive]
        if let workingDirectory { o["cwd"] = workingDirectory }
        if let user { o["user"] = user }
        if let source { o["source"] = source }
        if let destination { o["destination"] = destination }
        return o
    }

    init?(json: [String: Any]) {
        guard let op = (json["op"] as? String).flatMap(Operation.init(rawValue:)) else { return nil }
        operation = op
        arguments = json["args"] as? [String] ?? []
        environment = json["env"] as? [String] ?? []
        workingDirectory = json["cwd"] as? String
        user = json["user"] as? String
        tty = json["tty"] as? Bool ?? false
        interactive = json["interactive"] as? Bool ?? false
        source = json["source"] as? String
        destination = json["destination"] as? String
    }
}

/// The socket's address: through /proc/self/fd where there is one (a container directory's path
/// can be longer than a unix socket address allows).
private func withControlAddress<T>(_ directory: Int32, _ directoryPath: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let viaProc = "/proc/self/fd/\(directory)/control.sock"
    let path = access("/proc/self/fd", F_OK) == 0 ? viaProc : directoryPath + "/control.sock"
    let bytes = Array(path.utf8.prefix(MemoryLayout.size(ofValue: address.sun_path) - 1))
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (i, b) in bytes.enumerated() { raw[i] = b }
        raw[bytes.count] = 0
    }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
}

/// The listening side, in the skiff process running the container: requests are served on the
/// kernel's own thread between time slices (the kernel polls the socket), so exec'd processes
/// and copied files enter the running container as the guest's own would.
final class ContainerControlServer {
    private let kernel: Kernel
    private let root: ContainerFileSystem
    private let record: ContainerRecord
    private let socketPath: String
    private var listener: Int32 = -1
    /// The write end of the container's standard input (a detached container with -i), where
    /// `attach` copies what its client types.
    private let inputFeed: Int32?
    /// attach: the client's stdin being copied to `inputFeed`, and its connection.
    private var attached: [(input: Int32, connection: Int32)] = []

    init?(kernel: Kernel, root: ContainerFileSystem, record: ContainerRecord, directory: String, inputFeed: Int32?) {
        self.kernel = kernel
        self.inputFeed = inputFeed
        self.root = root
        self.record = record
        socketPath = directory + "/control.sock"
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { return nil }
        defer { close(dirFD) }
        unlink(socketPath)
        let fd = socket(AF_UNIX, streamSocket, 0)
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let bound = withControlAddress(dirFD, directory) { bind(fd, $0, $1) }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); return nil }
        chmod(socketPath, 0o600)
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
        }
    }

    /// `top`: the columns of `ps -ef` (what docker top shows), user names from the container's
    /// /etc/passwd.
    private func processTable() -> String {
        var names: [UInt32: String] = [:]
        for line in String(decoding: root.readFile("/etc/passwd") ?? [], as: UTF8.self).split(separator: "\n") {
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
            var user = ContainerUser(uid: record.process.uid, gid: record.process.gid, groups: record.process.groups)
            var environment = EnvironmentList()
            for e in record.process.environment { environment.set(e) }
            if let spec = request.user {
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
                _ = try kernel.startProcess(path: program, arguments: request.arguments, environment: environment.entries,
                                            workingDirectory: request.workingDirectory ?? record.process.workingDirectory,
                                            user: user, streams: streams, terminal: request.tty,
                                            terminalInput: request.interactive) { [weak self] status in
                    let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                    self?.reply(connection, "exit \(code)", closing: true)
                }
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

private func closeFD(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}

/// One request on the wire: length, JSON, descriptors.
enum ControlMessage {
    static func send(_ connection: Int32, _ object: [String: Any], descriptors: [Int32]) -> Bool {
        guard let json = try? JSONSerialization.data(withJSONObject: object) else { return false }
        var payload = withUnsafeBytes(of: UInt32(json.count).bigEndian) { Array($0) } + Array(json)
        let space = Int(CMSG_SPACE_(descriptors.count * MemoryLayout<Int32>.size))
        var control = [UInt8](repeating: 0, count: max(space, 1))
        return payload.withUnsafeMutableBytes { bytes -> Bool in
            control.withUnsafeMutableBytes { controlBytes -> Bool in
                withMessage(bytes, controlBytes) { message -> Bool in
                    if descriptors.isEmpty {
                        message.msg_control = nil
                        message.msg_controllen = 0
                    } else {
                        message.msg_controllen = .init(space)
                        let header = controlBytes.baseAddress!.assumingMemoryBound(to: cmsghdr.self)
                        header.pointee.cmsg_level = SOL_SOCKET
                        header.pointee.cmsg_type = Int32(SCM_RIGHTS)
                        header.pointee.cmsg_len = .init(CMSG_LEN_(descriptors.count * MemoryLayout<Int32>.size))
                        let data = controlBytes.baseAddress! + MemoryLayout<cmsghdr>.size
                        for (i, fd) in descriptors.enumerated() { data.storeBytes(of: fd, toByteOffset: i * 4, as: Int32.self) }
                    }
                    // The rest of a long request follows without descriptors.
                    var sent = sendmsg(connection, &message, noSignal)
                    guard sent > 0 else { return false }
                    while sent < bytes.count {
                        let n = sendNoSignal(connection, bytes.baseAddress! + sent, bytes.count - sent)
                        guard n > 0 else { return false }
                        sent += n
                    }
                    return true
                }
            }
        }
    }

    /// A one-buffer msghdr over `bytes` with `control` for ancillary data (sendmsg, recvmsg).
    private static func withMessage<T>(_ bytes: UnsafeMutableRawBufferPointer, _ control: UnsafeMutableRawBufferPointer,
                                       _ body: (inout msghdr) -> T) -> T {
        var iov = iovec(iov_base: bytes.baseAddress, iov_len: bytes.count)
        return withUnsafeMutablePointer(to: &iov) { iovPointer -> T in
            var message = msghdr()
            message.msg_iov = iovPointer
            message.msg_iovlen = 1
            message.msg_control = control.baseAddress
            message.msg_controllen = .init(control.count)
            return body(&message)
        }
    }

    /// The request and the descriptors that came with it; nil if it is malformed or late.
    static func receive(_ connection: Int32) -> ([String: Any], [Int32])? {
        var received: [UInt8] = []
        var descriptors: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var control = [UInt8](repeating: 0, count: Int(CMSG_SPACE_(8 * MemoryLayout<Int32>.size)))
        while true {
            if received.count >= 4 {
                let length = Int(received[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
                if length > 1 << 20 { break }
                if received.count >= 4 + length {
                    guard let object = try? JSONSerialization.jsonObject(with: Data(received[4..<(4 + length)])) as? [String: Any] else { break }
                    return (object, descriptors)
                }
            }
            let n = buffer.withUnsafeMutableBytes { bytes -> Int in
                control.withUnsafeMutableBytes { controlBytes -> Int in
                    withMessage(bytes, controlBytes) { message -> Int in
                        let n = recvmsg(connection, &message, Int32(MSG_CMSG_CLOEXEC_))
                        if n > 0 && message.msg_controllen >= MemoryLayout<cmsghdr>.size {
                            let header = controlBytes.baseAddress!.assumingMemoryBound(to: cmsghdr.self)
                            if header.pointee.cmsg_level == SOL_SOCKET && header.pointee.cmsg_type == Int32(SCM_RIGHTS) {
                                let count = (Int(header.pointee.cmsg_len) - MemoryLayout<cmsghdr>.size) / 4
                                let data = controlBytes.baseAddress! + MemoryLayout<cmsghdr>.size
                                for i in 0..<count { descriptors.append(data.load(fromByteOffset: i * 4, as: Int32.self)) }
                            }
                        }
                        return n
                    }
                }
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        for fd in descriptors { closeFD(fd) }
        return nil
    }
}

private func socketConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    #if canImport(Glibc)
    return Glibc.connect(fd, address, length)
    #else
    return Darwin.connect(fd, address, length)
    #endif
}

private func sendNoSignal(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { send(fd, p, n, noSignal) }
private func CMSG_LEN_(_ n: Int) -> Int { MemoryLayout<cmsghdr>.size + n }
private func CMSG_SPACE_(_ n: Int) -> Int { MemoryLayout<cmsghdr>.size + (n + 7) & ~7 }
#if canImport(Glibc)
private let MSG_CMSG_CLOEXEC_ = Int32(MSG_CMSG_CLOEXEC)
private let noSignal = Int32(MSG_NOSIGNAL)
private let streamSocket = Int32(SOCK_STREAM.rawValue)
#else
// (No MSG_NOSIGNAL: a peer that went away raises SIGPIPE, which the server ignores through HostSignals.)
private let MSG_CMSG_CLOEXEC_: Int32 = 0
private let noSignal: Int32 = 0
private let streamSocket = SOCK_STREAM
#endif

/// The client side: `skiff exec`, `cp` into a running container, `top`.
public enum ContainerControl {
    /// Sends `request` (with `descriptors`) to the skiff process running the container; returns
    /// the connection to read the answer from.
    public static func connect(_ containers: ContainerStore, _ record: ContainerRecord, _ request: ControlRequest,
                               descriptors: [Int32] = []) throws(SkiffError) -> Int32 {
        let directory = containers.directory(record.id)
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { throw SkiffError(.notFound, "no such container: \(record.name)") }
        defer { closeFD(dirFD) }
        let fd = socket(AF_UNIX, streamSocket, 0)
        guard fd >= 0 else { throw SkiffError(.io, "socket: \(String(cString: strerror(errno)))") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let connected = withControlAddress(dirFD, directory) { socketConnect(fd, $0, $1) }
        guard connected == 0 else {
            closeFD(fd)
            throw SkiffError(.invalidArgument, "container \(record.name) is not running (or its skiff process does not answer: \(String(cString: strerror(errno))))")
        }
        guard ControlMessage.send(fd, request.json, descriptors: descriptors) else {
            closeFD(fd)
            throw SkiffError(.io, "cannot send the request to container \(record.name): \(String(cString: strerror(errno)))")
        }
        return fd
    }

    /// Reads the answer (until the connection closes).
    public static func answer(_ connection: Int32) -> String {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        closeFD(connection)
        return String(decoding: out, as: UTF8.self)
    }

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
