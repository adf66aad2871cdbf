import Foundation
import OCI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--restart no|on-failure[:N]|always|unless-stopped`, as docker reads it.
public struct RestartPolicy: Equatable, Sendable {
    public enum Kind: String, Sendable { case no, onFailure = "on-failure", always, unlessStopped = "unless-stopped" }
    public var kind: Kind
    /// on-failure's most restarts (nil: no limit).
    public var maximumRetries: Int?

    public init(parsing text: String) throws(SkiffError) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let first = parts.first, let kind = Kind(rawValue: first) else {
            throw SkiffError(.invalidArgument, "invalid restart policy '\(text)': use no, on-failure[:max-retries], always or unless-stopped")
        }
        self.kind = kind
        if parts.count == 2 {
            guard kind == .onFailure else {
                throw SkiffError(.invalidArgument, "invalid restart policy '\(text)': maximum retry count can only be used with 'on-failure'")
            }
            guard let n = Int(parts[1]), n >= 0 else {
                throw SkiffError(.invalidArgument, "invalid restart policy '\(text)': the maximum retry count must be a number ≥ 0")
            }
            maximumRetries = n
        }
    }

    /// Whether a run that ended with `status` is followed by another, after `restarts` restarts.
    /// A container stopped with `skiff stop`/`kill` is never restarted (checked by the caller).
    func restarts(after status: Int32, restarts: Int) -> Bool {
        switch kind {
        case .no: return false
        case .always, .unlessStopped: return true
        case .onFailure: return status != 0 && restarts < (maximumRetries ?? Int.max)
        }
    }
}

/// Docker's container lifecycle without a daemon: a detached container (`run -d`, `start`) is
/// run by a `skiff` process of its own that holds the container's run lock and stands in for
/// the container's init on the host: signals sent to it (`stop`, `kill`) are forwarded to the
/// guest's first process, and SIGKILL ends the container with it.
extension ContainerStore {
    /// The file `stop` and `kill` leave so that the restart policy does not start the container
    /// again (docker's "manually stopped"); removed when the container is started.
    func stopRequestPath(_ id: String) -> String { directory(id) + "/stop-requested" }

    /// Whether a skiff process holds the container's run lock (it runs, or waits to restart it).
    public func hasRunner(_ id: String) -> Bool {
        let fd = open(directory(id), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { return false }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { flock(fd, LOCK_UN); return false }
        return true
    }

    /// Waits until no skiff process runs the container, at most `seconds` (nil: no limit).
    /// Returns whether it stopped.
    public func waitForRunner(_ id: String, seconds: Double?) -> Bool {
        let deadline = seconds.map { Date().addingTimeInterval($0) }
        while hasRunner(id) {
            if let deadline, Date() >= deadline { return false }
            usleep(20_000)
        }
        return true
    }

    /// Waits until the container's current run ends (its runner exits, or starts waiting to
    /// restart it); the record as it is then.
    public func waitUntilExited(_ record: ContainerRecord) -> ContainerRecord {
        var current = self.current(record)
        while current.state.status == .running && hasRunner(record.id) {
            usleep(20_000)
            guard let r = try? load(record.id) else { break }
            current = self.current(r)
        }
        return current
    }

    /// `skiff stop`: `signal` (SIGTERM) to the container's first process, SIGKILL after `timeout`
    /// seconds (negative: wait for ever). Returns false if it was not running.
    @discardableResult
    public func stop(_ record: ContainerRecord, timeout: Int, signal: Int32 = SIGTERM) throws(SkiffError) -> Bool {
        guard let pid = record.state.pid, hasRunner(record.id) else { return false }
        requestStop(record.id)
        if signal == SIGKILL || hostKill(pid, signal) != 0 || !waitForRunner(record.id, seconds: timeout < 0 ? nil : Double(timeout)) {
            try killRunner(record, pid: pid)
        }
        return true
    }

    /// `skiff kill -s SIGNAL`: the signal to the container's first process (SIGKILL ends the
    /// container's skiff process, and the container with it).
    public func kill(_ record: ContainerRecord, signal: Int32) throws(SkiffError) {
        guard let pid = record.state.pid, hasRunner(record.id) else {
            throw SkiffError(.invalidArgument, "cannot kill container: \(record.name): container \(record.id) is not running")
        }
        requestStop(record.id)
        if signal == SIGKILL {
            try killRunner(record, pid: pid)
        } else if hostKill(pid, signal) != 0 {
            throw SkiffError(.io, "cannot signal container \(record.name) (skiff process \(pid)): \(String(cString: strerror(errno)))")
        }
    }

    private func requestStop(_ id: String) {
        try? Self.writeFile(stopRequestPath(id), [])
    }

    /// SIGKILL to the skiff process running the container; once it is gone, the record says the
    /// container exited with 137 (the process could not write it).
    private func killRunner(_ record: ContainerRecord, pid: Int32) throws(SkiffError) {
        _ = hostKill(pid, SIGKILL)
        guard waitForRunner(record.id, seconds: 10) else {
            throw SkiffError(.io, "container \(record.name) (skiff process \(pid)) did not stop")
        }
        guard var r = try? load(record.id), r.state.status == .running || r.state.status == .restarting else { return }
        r.state.status = .exited
        r.state.exitCode = 128 + SIGKILL
        r.state.finishedAt = Timestamp.now()
        r.state.pid = nil
        try save(r)
    }
}

/// kill(2) under a name that does not clash with `ContainerStore.kill`.
func hostKill(_ pid: Int32, _ signal: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.kill(pid, signal)
    #else
    return Darwin.kill(pid, signal)
    #endif
}

/// A container run by a `skiff` process of its own (`run -d`, `start` without -a): the process
/// that asks for it starts `skiff <monitorCommand> ID` in a new session, with /dev/null as its
/// standard streams and a pipe as descriptor 3 on which the new process says whether the
/// container's process started ("ok") or why not ("error STATUS MESSAGE").
public enum DetachedContainer {
    /// The hidden subcommand the container's own skiff process runs.
    public static let monitorCommand = "container-process"
    /// Descriptor 3 of the container's skiff process: where it reports the first start.
    public static let reportDescriptor: Int32 = 3

    /// Starts the container's own skiff process and waits until the container's first process
    /// runs; throws what went wrong with the status `skiff run` should exit with.
    public static func launch(_ record: ContainerRecord, executable: String? = nil) throws(SkiffError) {
        guard let program = executable ?? currentExecutable() else {
            throw SkiffError(.internalError, "cannot find the skiff executable to run the container with")
        }
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw SkiffError(.io, "pipe: \(String(cString: strerror(errno)))") }
        // Only the copy as descriptor 3 reaches the new process (so its end of file is the report's end).
        for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        defer { close(ends[0]) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, ends[1], reportDescriptor)
        // Default dispositions and an empty mask whatever the caller inherited.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(program), strdup(monitorCommand), strdup(record.id), nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, &attributes, argv, environ)
        close(ends[1])
        guard spawned == 0 else {
            throw SkiffError(.io, "cannot start \(program): \(String(cString: strerror(spawned)))")
        }
        // The report, then end of file when the process closes it (or dies).
        var report: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(ends[0], $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            report += buffer[0..<n]
        }
        let text = String(decoding: report, as: UTF8.self).trimmingCharacters(in: .newlines)
        if text == "ok" { return }
        if text.hasPrefix("error ") {
            let parts = text.dropFirst(6).split(separator: " ", maxSplits: 1).map(String.init)
            let status = Int32(parts.first ?? "") ?? 125
            let code: SkiffError.Code = status == 127 ? .commandNotFound : status == 126 ? .commandNotExecutable : .io
            throw SkiffError(code, parts.count > 1 ? parts[1] : "the container did not start")
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        throw SkiffError(.internalError, "the skiff process of container \(record.shortID) ended before the container started (wait status \(status))")
    }

    /// This program's path (the container's skiff process is the same binary).
    static func currentExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 { return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return Bundle.main.executablePath
    }

    /// The container's own skiff process: runs it, reports its first start on descriptor 3, and
    /// starts it again as its restart policy says (unless `stop`/`kill` asked it to end). Returns
    /// the last run's exit status.
    public static func run(id: String, images: ImageStore, containers: ContainerStore) -> Int32 {
        setsid()
        var reporting = fcntl(reportDescriptor, F_GETFD) >= 0
        _ = fcntl(reportDescriptor, F_SETFD, FD_CLOEXEC)
        func report(_ line: String) {
            guard reporting else { return }
            let bytes = Array((line + "\n").utf8)
            _ = bytes.withUnsafeBytes { write(reportDescriptor, $0.baseAddress, $0.count) }
            close(reportDescriptor)
            reporting = false
        }
        // The run lock stays with this process between restarts (so `stop` and `rm -f` find it);
        // each run holds a duplicate of it.
        guard let lock = containers.lock(id) else {
            report("error 125 container \(String(id.prefix(12))) is already running")
            return 125
        }
        defer { close(lock) }
        unlink(containers.stopRequestPath(id))
        // With -i the container reads a pipe (it waits for input, as a detached docker container
        // with -i does) that `skiff attach` writes to; without a reader it is full after 64 KiB,
        // and what is typed then is dropped rather than stopping the container.
        var keepOpen: [Int32] = [0, 0]
        if pipe(&keepOpen) == 0 {
            dup2(keepOpen[0], 0)
            close(keepOpen[0])
            _ = fcntl(keepOpen[1], F_SETFD, FD_CLOEXEC)
            _ = fcntl(keepOpen[1], F_SETFL, fcntl(keepOpen[1], F_GETFL) | O_NONBLOCK)
        }
        var restarts = 0
        var delay: Double = 0.1
        var status: Int32 = 125
        while true {
            guard var record = try? containers.load(id) else { return status }
            let policy = record.restartPolicy.flatMap { try? RestartPolicy(parsing: $0) }
            if restarts > 0 { record.state.restartCount = restarts }
            var runner = ContainerRunner(images: images, containers: containers)
            runner.started = { report("ok") }
            if record.process.interactive && keepOpen[1] > 0 { runner.inputFeed = keepOpen[1] }
            let began = Date()
            do {
                status = try runner.start(record, holding: dup(lock), saved: false)
            } catch {
                report("error \(error.runExitStatus) \(error.message)")
                return error.runExitStatus
            }
            report("ok")
            guard let policy, access(containers.stopRequestPath(id), F_OK) != 0,
                  policy.restarts(after: status, restarts: restarts),
                  var waiting = try? containers.load(id) else { return status }
            // Docker's back-off: 100 ms, doubled after each quick exit, reset after 10 s of running.
            if Date().timeIntervalSince(began) >= 10 { delay = 0.1 }
            waiting.state.status = .restarting
            waiting.state.pid = getpid()
            try? containers.save(waiting)
            usleep(UInt32(delay * 1_000_000))
            delay = min(delay * 2, 60)
            restarts += 1
            if access(containers.stopRequestPath(id), F_OK) == 0 {
                waiting.state.status = .exited
                waiting.state.pid = nil
                try? containers.save(waiting)
                return status
            }
        }
    }
}

/// The signals `skiff kill -s` and `stop -s` can send: those a container's skiff process
/// forwards to the guest (PosixHost's HostSignals), and KILL, which ends the skiff process.
public enum ContainerSignal {
    /// Linux name and number, host number.
    static let known: [(String, Int32, Int32)] = [
        ("HUP", 1, SIGHUP), ("INT", 2, SIGINT), ("QUIT", 3, SIGQUIT), ("KILL", 9, SIGKILL), ("USR1", 10, SIGUSR1),
        ("USR2", 12, SIGUSR2), ("ALRM", 14, SIGALRM), ("TERM", 15, SIGTERM), ("WINCH", 28, SIGWINCH),
    ]

    /// The host signal for "TERM", "SIGTERM" or "15".
    public static func parse(_ text: String) throws(SkiffError) -> Int32 {
        var name = text.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        if let match = known.first(where: { $0.0 == name || String($0.1) == name }) { return match.2 }
        let names = known.map { "SIG" + $0.0 }.joined(separator: ", ")
        throw SkiffError(.unsupported, "signal \(text) cannot be sent to a Skiff container (its skiff process forwards \(names))")
    }
}
