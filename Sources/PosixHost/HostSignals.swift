#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Host signals Skiff forwards to the guest: a handler only sets a bit and writes a byte to a
/// pipe (both async-signal-safe); the kernel collects the bits between time slices, and its
/// poll watches the pipe, so a signal wakes it whichever host thread the signal landed on.
enum HostSignals {
    /// The self-pipe: [read end, write end], or -1 before `install`.
    nonisolated(unsafe) static let pipeEnds: UnsafeMutablePointer<Int32> = {
        let p = UnsafeMutablePointer<Int32>.allocate(capacity: 2)
        p[0] = -1
        p[1] = -1
        return p
    }()

    /// Bit N-1 set = Linux signal N arrived.
    nonisolated(unsafe) static let bits: UnsafeMutablePointer<UInt64> = {
        let p = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
        p.pointee = 0
        return p
    }()

    /// Host signal number -> Linux number.
    /// (`skiff kill -s` sends these to a detached container's skiff process; keep ContainerSignal's list in step.)
    static let forwarded: [(Int32, Int32)] = [(SIGINT, 2), (SIGTERM, 15), (SIGHUP, 1), (SIGQUIT, 3), (SIGWINCH, 28),
                                              (SIGUSR1, 10), (SIGUSR2, 12), (SIGALRM, 14)]

    static func install() {
        _ = bits
        if pipeEnds[0] < 0 && pipe(pipeEnds) == 0 {
            for i in 0..<2 {
                _ = fcntl(pipeEnds[i], F_SETFL, fcntl(pipeEnds[i], F_GETFL) | O_NONBLOCK)
                _ = fcntl(pipeEnds[i], F_SETFD, FD_CLOEXEC)
            }
        }
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
        if pipeEnds[1] >= 0 {
            var byte: UInt8 = 1
            _ = write(pipeEnds[1], &byte, 1)
        }
    }

    /// Empties the self-pipe after a wake-up.
    static func drain() {
        guard pipeEnds[0] >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 64)
        while buffer.withUnsafeMutableBytes({ read(pipeEnds[0], $0.baseAddress, 64) }) > 0 {}
    }

    static func pending() -> UInt64 { bits.pointee }

    static func take() -> UInt64 {
        let v = bits.pointee
        if v != 0 { bits.pointee = 0 }
        return v
    }
}
