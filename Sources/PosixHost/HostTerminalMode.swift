#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The host terminal in raw mode while a container with a terminal (`-t`) runs: every key goes
/// to the guest's line discipline, which does the echoing, editing and ^C itself. The saved
/// settings come back however Skiff ends: `restore()` on the normal path, an atexit hook for
/// `exit()` anywhere, and handlers for the fatal signals a crash raises (the handler restores,
/// then lets the signal take its default course). Host SIGINT/SIGTERM/SIGHUP are forwarded to the
/// guest (HostSignals), so Skiff then ends by the normal path.
public enum HostTerminalMode {
    /// The saved settings and the descriptor, kept where a signal handler can reach them.
    nonisolated(unsafe) private static let saved = UnsafeMutablePointer<termios>.allocate(capacity: 1)
    nonisolated(unsafe) private static let savedDescriptor: UnsafeMutablePointer<Int32> = {
        let p = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        p.pointee = -1
        return p
    }()
    nonisolated(unsafe) private static var hooksInstalled = false

    static let fatalSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

    /// Puts the terminal on `fd` in raw mode (as cfmakeraw), remembering how it was. False when
    /// `fd` is not a terminal (nothing changes then).
    @discardableResult
    public static func enterRaw(_ fd: Int32) -> Bool {
        var original = termios()
        guard isatty(fd) != 0, tcgetattr(fd, &original) == 0 else { return false }
        saved.pointee = original
        savedDescriptor.pointee = fd
        installHooks()
        var raw = original
        cfmakeraw(&raw)
        withUnsafeMutablePointer(to: &raw.c_cc) { cc in
            cc.withMemoryRebound(to: cc_t.self, capacity: Int(NCCS)) { c in
                c[Int(VMIN)] = 1
                c[Int(VTIME)] = 0
            }
        }
        return tcsetattr(fd, TCSADRAIN, &raw) == 0
    }

    /// Puts the saved settings back (idempotent; async-signal-safe).
    public static func restore() {
        let fd = savedDescriptor.pointee
        if fd < 0 { return }
        _ = tcsetattr(fd, TCSANOW, saved)
        savedDescriptor.pointee = -1
    }

    private static func installHooks() {
        if hooksInstalled { return }
        hooksInstalled = true
        atexit { HostTerminalMode.restore() }
        for signo in fatalSignals {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = { s in HostTerminalMode.restoreAndDie(s) }
            #else
            action.__sigaction_u.__sa_handler = { s in HostTerminalMode.restoreAndDie(s) }
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0   // the handler itself puts the default action back
            sigaction(signo, &action, nil)
        }
    }

    /// A crash: the terminal is restored, then the signal is raised again with its default action.
    private static func restoreAndDie(_ signo: Int32) {
        restore()
        signal(signo, SIG_DFL)
        raise(signo)
    }
}
