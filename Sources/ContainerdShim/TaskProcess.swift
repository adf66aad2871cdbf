import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The task's process: `skiff run --rootfs ROOT [-t -i] [-e K=V]… [-w DIR] [-v SRC:DST[:ro]]…
/// ARGS` in a process group of its own, its standard streams the FIFOs containerd gave (or,
/// with a terminal, a pseudo-terminal whose master the shim copies to and from the FIFOs).
struct TaskProcess {
    var pid: Int32
    var copiers: [Thread]
    /// With a terminal: a descriptor of its master, for ResizePty (closed by the caller).
    var terminalMaster: Int32 = -1

    static func arguments(skiff: String, task: TaskService.TaskState) -> [String] {
        // The bundle holds the control socket through which exec'd processes join the running kernel.
        var args = [skiff, "run", "--rootfs", task.spec.rootPath, "--control-dir", task.bundle]
        if task.terminal { args += ["-t", "-i"] }
        if task.spec.rootReadOnly { args.append("--read-only") }
        for e in task.spec.environment { args += ["-e", e] }
        args += ["-w", task.spec.workingDirectory]
        for b in task.binds { args += ["-v", b.source + ":" + b.target + (b.readOnly ? ":ro" : "")] }
        if let m = task.spec.memoryLimit { args += ["-m", String(m)] }
        // After the first positional argument skiff run passes everything through unparsed.
        return args + task.spec.arguments
    }

    static func spawn(skiff: String, task: TaskService.TaskState) throws -> TaskProcess {
        var stdio: [Int32] = [-1, -1, -1]
        var toClose: [Int32] = []
        var copiers: [Thread] = []
        var terminalMaster: Int32 = -1
        defer { for fd in toClose { close(fd) } }

        func openFifo(_ path: String, reading: Bool) throws -> Int32 {
            let fd = try Self.openFifo(path, reading: reading)
            toClose.append(fd)
            return fd
        }
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        toClose.append(null)
        let stdinFifo = task.stdin.isEmpty ? -1 : try openFifo(task.stdin, reading: true)
        let stdoutFifo = task.stdout.isEmpty ? -1 : try openFifo(task.stdout, reading: false)
        let stderrFifo = task.stderr.isEmpty ? -1 : try openFifo(task.stderr, reading: false)

        if task.terminal {
            var master: Int32 = -1, slave: Int32 = -1
            guard openpty(&master, &slave, nil, nil, nil) == 0 else {
                throw TTRPCError.internalError("openpty: \(String(cString: strerror(errno)))")
            }
            _ = fcntl(master, F_SETFD, FD_CLOEXEC)
            toClose.append(slave)
            terminalMaster = fcntl(master, F_DUPFD_CLOEXEC, 0)
            stdio = [slave, slave, slave]
            // The master stays open for the copiers (closed when output ends).
            let outCopy = stdoutFifo >= 0 ? dup(stdoutFifo) : -1
            copiers.append(copier(from: master, to: outCopy, closeSource: true))
            if stdinFifo >= 0 { copiers.append(copier(from: dup(stdinFifo), to: dup(master), closeSource: true)) }
        } else {
            stdio = [stdinFifo >= 0 ? stdinFifo : null, stdoutFifo >= 0 ? stdoutFifo : null, stderrFifo >= 0 ? stderrFifo : null]
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, fd) in stdio.enumerated() { posix_spawn_file_actions_adddup2(&actions, fd, Int32(target)) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A session of its own: its own process group (kill --all) and, with -t, the terminal
        // becomes its controlling terminal when skiff opens it.
        posix_spawnattr_setflags(&attributes, Int16(posixSpawnSetSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)

        let argv = arguments(skiff: skiff, task: task)
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var environment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        if let home = getenv("SKIFF_HOME") { environment.append("SKIFF_HOME=" + String(cString: home)) }
        if task.terminal { environment.append("TERM=xterm") }
        var cEnv = environment.map { strdup($0) } + [nil]
        defer { for p in cEnv { free(p) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, skiff, &actions, &attributes, &cArgs, &cEnv)
        guard result == 0 else {
            if terminalMaster >= 0 { close(terminalMaster) }
            throw TTRPCError.internalError("cannot start \(skiff): \(String(cString: strerror(result)))")
        }
        return TaskProcess(pid: pid, copiers: copiers, terminalMaster: terminalMaster)
    }

    /// Opens one of containerd's FIFOs. Reading: a non-blocking open never waits for a writer;
    /// writing: O_RDWR never waits for the reader (containerd's client has the other ends open
    /// already).
    static func openFifo(_ path: String, reading: Bool) throws -> Int32 {
        let fd = reading ? open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw TTRPCError.invalidArgument("cannot open \(path): \(String(cString: strerror(errno)))") }
        if reading { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) }
        return fd
    }

    /// Sets the window size of the terminal whose master is `master`, and tells `pid` (skiff,
    /// which gives the size to the guest's terminal: TIOCSWINSZ there, SIGWINCH to its
    /// foreground group).
    static func resize(master: Int32, pid: Int32, rows: UInt16, columns: UInt16) throws {
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        guard ioctl(master, UInt(TIOCSWINSZ), &size) == 0 else {
            throw TTRPCError.internalError("TIOCSWINSZ: \(String(cString: strerror(errno)))")
        }
        _ = Glibc.kill(pid, SIGWINCH)
    }

    /// Copies `source` to `destination` until the end of `source` (EIO from a terminal master
    /// whose slave is closed counts as the end); then closes both.
    static func copier(from source: Int32, to destination: Int32, closeSource: Bool) -> Thread {
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 32768)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                if destination >= 0 {
                    var done = 0
                    while done < n {
                        let w = buffer.withUnsafeBytes { write(destination, $0.baseAddress! + done, n - done) }
                        if w < 0 && errno == EINTR { continue }
                        if w <= 0 { break }
                        done += w
                    }
                }
            }
            if closeSource { close(source) }
            if destination >= 0 { close(destination) }
        }
        thread.start()
        return thread
    }
}

/// The container's root file system from containerd's snapshotter: bind (the native
/// snapshotter) and overlay mounts onto the bundle's rootfs directory, as root.
enum RootfsMount {
    static func mount(_ mounts: [Containerd_Types_Mount], at target: String) throws {
        guard mounts.count == 1, let m = mounts.first else {
            throw TTRPCError.invalidArgument("Skiff's shim takes one rootfs mount, got \(mounts.count)")
        }
        try? FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        var flags: UInt = 0
        var data: [String] = []
        let type: String
        switch m.type {
        case "bind", "rbind":
            type = ""
            flags = UInt(MS_BIND) | (m.type == "rbind" || m.options.contains("rbind") ? UInt(MS_REC) : 0)
        case "overlay":
            type = "overlay"
            data = m.options.filter { $0 != "ro" && $0 != "rw" }
        default:
            throw TTRPCError.invalidArgument("unsupported rootfs mount type '\(m.type)' (Skiff's shim mounts bind and overlay snapshots)")
        }
        if m.options.contains("ro") && m.type == "overlay" { flags |= UInt(MS_RDONLY) }
        let joined = data.joined(separator: ",")
        let result = joined.withCString { d in
            Glibc.mount(m.source, target, type.isEmpty ? nil : type, flags, data.isEmpty ? nil : UnsafeRawPointer(d))
        }
        guard result == 0 else {
            throw TTRPCError.internalError("cannot mount the rootfs (\(m.type) \(m.source)) at \(target): \(String(cString: strerror(errno)))")
        }
    }

    static func unmount(_ target: String) {
        _ = umount2(target, Int32(MNT_DETACH))
    }
}
