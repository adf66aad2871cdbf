#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Host signals Skiff forwards to the guest: a handler only sets a bit (async-signal-safe); the
/// kernel collects the bits between time slices and while it waits in poll.
enum HostSignals {
    /// Bit N-1 set = Linux signal N arrived.
    nonisolated(unsafe) static let bits: UnsafeMutablePointer<UInt64> = {
        let p = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
        p.pointee = 0
        return p
    }()

    /// Host signal number -> Linux number.
    static let forwarded: [(Int32, Int32)] = [(SIGINT, 2), (SIGTERM, 15), (SIGHUP, 1), (SIGQUIT, 3), (SIGWINCH, 28)]

    static func install() {
        _ = bits
        for (host, _) in forwarded {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = { signo in HostSignals.record(signo) }
            #else
            action.__sigaction_u.__sa_handler = { signo in HostSignals.record(signo) }
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0 // no SA_RESTART: poll returns so the kernel can forward it
            sigaction(host, &action, nil)
        }
        // A guest writing to a closed pipe gets EPIPE (and its own SIGPIPE), not Skiff killed.
        signal(SIGPIPE, SIG_IGN)
    }

    static func record(_ signo: Int32) {
        for (host, linux) in forwarded where host == signo {
            bits.pointee |= UInt64(1) << UInt64(linux - 1)
        }
    }

    static func pending() -> UInt64 { bits.pointee }

    static func take() -> UInt64 {
        let v = bits.pointee
        if v != 0 { bits.pointee = 0 }
        return v
    }
}
