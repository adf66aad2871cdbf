#if !SKIFF_SINGLE_MODULE
import RISCV
import X86
#endif

/// x86-64's system call numbering, translated to the kernel's own (the generic table that
/// SyscallTable.swift dispatches, which riscv64 uses as it is). Calls x86-64 has beyond the
/// generic table are either rewritten into their generic equivalent (open is openat at
/// AT_FDCWD, fork is clone(SIGCHLD)...) or served by the handlers below under private numbers
/// (1000 + the x86-64 number). clone's last two arguments come in the other order.
enum X86_64SystemCalls {
    /// By x86-64 number: the generic number, 1000 + n for calls served here, -1 for ENOSYS
    /// (generated from the kernel's asm/unistd_64.h and asm-generic/unistd.h, matched by name).
    static let table: [Int16] = [
        63, 64, 56, 57, 79, 80, 79, 1007, 62, 222, 226, 215, 214, 134, 135, 139,
        29, 67, 68, 65, 66, 48, 59, 1023, 124, 216, 227, 232, 233, 194, 196, 195,
        23, 1033, 1034, 101, 102, 1037, 103, 172, 71, 198, 203, 202, 206, 207, 211, 212,
        210, 200, 201, 204, 205, 199, 208, 209, 220, 220, 220, 221, 93, 260, 129, 160,
        190, 193, 191, 197, 186, 189, 188, 187, 25, 32, 82, 83, 45, 46, -1, 17,
        49, 50, 276, 34, 35, 56, 37, 35, 36, 78, 53, 52, 54, 55, 54, 166,
        169, 163, 165, 179, 153, 117, 174, 116, 176, 146, 144, 175, 177, 154, 173, 155,
        157, 145, 143, 158, 159, 147, 148, 149, 150, 155, 151, 152, 156, 90, 91, 136,
        137, 138, 133, 132, 1132, 33, -1, 92, -1, 43, 44, -1, 141, 140, 118, 121,
        119, 120, 125, 126, 127, 228, 229, 230, 231, 58, -1, 41, -1, 167, 1158, 171,
        164, 51, 81, 89, 170, 40, 39, 224, 225, 142, 161, 162, -1, -1, -1, 105,
        106, -1, -1, 60, 42, -1, -1, -1, -1, -1, 178, 213, 5, 6, 7, 8,
        9, 10, 11, 12, 13, 14, 15, 16, 130, 1201, 98, 122, 123, -1, 0, 1,
        4, 2, 3, -1, 18, 1213, -1, -1, 234, 61, 96, 128, 192, 223, 107, 110,
        108, 109, 111, 112, 113, 114, 115, 94, 22, 21, 131, 1235, -1, 235, 237, 236,
        180, 181, 182, 183, 184, 185, 104, 95, 217, 218, 219, 30, 31, 26, 27, 28,
        238, 56, 34, 33, 54, 1261, 79, 35, 38, 37, 36, 78, 53, 48, 72, 73,
        97, 99, 100, 76, 77, 84, 75, 239, 88, 22, 74, 85, 19, 47, 86, 87,
        242, 74, 19, 20, 24, 59, 26, 69, 70, 240, 241, 243, 262, 263, 261, -1,
        -1, 266, 267, 269, 268, 168, 270, 271, 272, 273, 274, 275, 276, 277, 278, 279,
        294, 280, 281, 282, 283, 284, 285, 286, 287, 288, 289, 290, 291, 292, 293, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, 424, 425, 426, 427, 428, 429, 430, 431,
        432, 433, 434, 435, 436, 437, 438, 439, 440, 441, 442, 443, 444, 445, 446, 447,
        448, 449, 450,    ]

    static let atFDCWD = UInt64(bitPattern: -100)

    static func translate(_ call: SystemCallRegisters) -> SystemCallRegisters {
        let n = call.number
        guard n >= 0 && n < table.count else { return SystemCallRegisters(number: -1, arguments: call.arguments) }
        let target = Int(table[n])
        let (a0, a1, a2, a3, a4, _) = call.arguments
        var out = SystemCallRegisters(number: target, arguments: call.arguments)
        switch n {
        case 56: out.arguments = (a0, a1, a2, a4, a3, 0)                     // clone: tls and child_tid swap places
        case 2: out.arguments = (atFDCWD, a0, a1, a2, 0, 0)                  // open
        case 4: out.arguments = (atFDCWD, a0, a1, 0, 0, 0)                   // stat
        case 6: out.arguments = (atFDCWD, a0, a1, 0x100, 0, 0)               // lstat: AT_SYMLINK_NOFOLLOW
        case 21: out.arguments = (atFDCWD, a0, a1, 0, 0, 0)                  // access
        case 22: out.arguments = (a0, 0, 0, 0, 0, 0)                         // pipe
        case 57: out.arguments = (17, 0, 0, 0, 0, 0)                         // fork: clone(SIGCHLD)
        case 58: out.arguments = (0x4111, 0, 0, 0, 0, 0)                     // vfork: CLONE_VM | CLONE_VFORK | SIGCHLD
        case 82: out.arguments = (atFDCWD, a0, atFDCWD, a1, 0, 0)            // rename
        case 83: out.arguments = (atFDCWD, a0, a1, 0, 0, 0)                  // mkdir
        case 84: out.arguments = (atFDCWD, a0, 0x200, 0, 0, 0)               // rmdir: AT_REMOVEDIR
        case 85: out.arguments = (atFDCWD, a0, 0x241, a1, 0, 0)              // creat: O_CREAT | O_WRONLY | O_TRUNC
        case 86: out.arguments = (atFDCWD, a0, atFDCWD, a1, 0, 0)            // link
        case 87: out.arguments = (atFDCWD, a0, 0, 0, 0, 0)                   // unlink
        case 88: out.arguments = (a0, atFDCWD, a1, 0, 0, 0)                  // symlink
        case 89: out.arguments = (atFDCWD, a0, a1, a2, 0, 0)                 // readlink
        case 90: out.arguments = (atFDCWD, a0, a1, 0, 0, 0)                  // chmod
        case 92: out.arguments = (atFDCWD, a0, a1, a2, 0, 0)                 // chown
        case 94: out.arguments = (atFDCWD, a0, a1, a2, 0x100, 0)             // lchown
        case 111: out.arguments = (0, 0, 0, 0, 0, 0)                         // getpgrp: getpgid(0)
        case 133: out.arguments = (atFDCWD, a0, a1, a2, 0, 0)                // mknod
        case 232: out.arguments = (a0, a1, a2, a3, 0, 0)                     // epoll_wait: epoll_pwait without a mask
        case 253: out.arguments = (0, 0, 0, 0, 0, 0)                         // inotify_init
        case 282: out.arguments = (a0, a1, a2, 0, 0, 0)                      // signalfd: signalfd4
        case 284: out.arguments = (a0, 0, 0, 0, 0, 0)                        // eventfd: eventfd2
        default: break
        }
        return out
    }
}

extension Kernel {
    /// System calls only x86-64 has, under their private numbers (1000 + the x86-64 number).
    func dispatchX86_64(_ t: Task, _ n: Int) throws(Errno) -> Int64 {
        let a0 = t.argument(0), a1 = t.argument(1), a2 = t.argument(2), a3 = t.argument(3), a4 = t.argument(4)
        switch n - 1000 {
        case 158: return try sysArchPrctl(t)
        case 7:
            // poll(fds, n, timeout in ms): ppoll with the deadline set up front.
            let ms = Int32(truncatingIfNeeded: a2)
            if ms >= 0 && t.syscallDeadline == nil { t.syscallDeadline = host.monotonicTime() &+ UInt64(ms) * 1_000_000 }
            t.setSystemCall(73, (a0, a1, ms >= 0 ? 1 : 0, 0, 0, 0))
            return try sysPpoll(t)
        case 23:
            // select(n, r, w, e, struct timeval *): pselect6 with a timeval.
            t.setSystemCall(72, (a0, a1, a2, a3, a4, 0))
            return try sysPselect6(t, timeval: true)
        case 33:
            // dup2: like dup3 without flags, but dup2(fd, fd) checks fd and returns it.
            if a0 == a1 {
                _ = try t.process.files.get(Int32(truncatingIfNeeded: a0))
                return Int64(Int32(truncatingIfNeeded: a0))
            }
            t.setSystemCall(24, (a0, a1, 0, 0, 0, 0))
            return try sysDup3(t)
        case 34:
            // pause: sleep until a signal (never restarted, as rt_sigsuspend).
            t.setSystemCall(133, (0, 0, 0, 0, 0, 0))
            throw block(t)
        case 37:
            return try sysAlarm(t, seconds: UInt32(truncatingIfNeeded: a0))
        case 201:
            // time(tloc)
            let seconds = host.realTime().seconds
            if a0 != 0 { try t.store(seconds, at: a0) }
            return seconds
        case 213:
            // epoll_create(size): size must be positive.
            if Int32(truncatingIfNeeded: a0) <= 0 { throw .EINVAL }
            t.setSystemCall(20, (0, 0, 0, 0, 0, 0))
            return try sysEpollCreate1(t)
        case 132:
            // utime(path, struct utimbuf {actime, modtime} *)
            var times: (Timespec, Timespec)? = nil
            if a1 != 0 {
                let r = ByteReader(try t.copyIn(a1, count: 16))
                times = (Timespec(seconds: r.i64(0), nanoseconds: 0), Timespec(seconds: r.i64(8), nanoseconds: 0))
            }
            return try setTimes(t, dirfd: Int32(truncatingIfNeeded: X86_64SystemCalls.atFDCWD), path: a0, times: times)
        case 235, 261:
            // utimes(path, struct timeval[2]) and futimesat(dirfd, path, struct timeval[2])
            let dirfd = n == 1235 ? X86_64SystemCalls.atFDCWD : a0
            let path = n == 1235 ? a0 : a1
            let tv = n == 1235 ? a1 : a2
            var times: (Timespec, Timespec)? = nil
            if tv != 0 {
                let r = ByteReader(try t.copyIn(tv, count: 32))
                for usec in [r.i64(8), r.i64(24)] where usec < 0 || usec >= 1_000_000 { throw .EINVAL }
                times = (Timespec(seconds: r.i64(0), nanoseconds: r.i64(8) * 1000),
                         Timespec(seconds: r.i64(16), nanoseconds: r.i64(24) * 1000))
            }
            return try setTimes(t, dirfd: Int32(truncatingIfNeeded: dirfd), path: path, times: times)
        default:
            throw .ENOSYS
        }
    }

    /// arch_prctl: the FS and GS bases (what glibc's TLS set-up uses), and the CPUID faulting
    /// query.
    func sysArchPrctl(_ t: Task) throws(Errno) -> Int64 {
        guard let cpu = t.cpu as? X86CPU else { throw .EINVAL }
        let code = t.argument(0), address = t.argument(1)
        switch code {
        case 0x1001: cpu.gsBase = address                                  // ARCH_SET_GS
        case 0x1002: cpu.fsBase = address                                  // ARCH_SET_FS
        case 0x1003: try t.store(cpu.fsBase, at: address)                  // ARCH_GET_FS
        case 0x1004: try t.store(cpu.gsBase, at: address)                  // ARCH_GET_GS
        case 0x1011: return 1                                              // ARCH_GET_CPUID: cpuid works
        case 0x1012: if address == 0 { throw .ENODEV }; return 0           // ARCH_SET_CPUID: faulting unsupported
        default: throw .EINVAL
        }
        return 0
    }

    /// alarm(seconds): ITIMER_REAL set to `seconds`; returns the seconds that were left.
    func sysAlarm(_ t: Task, seconds: UInt32) throws(Errno) -> Int64 {
        guard let timer = try intervalTimer(t.process, which: 0, create: true) else { throw .EINVAL }
        var left: Int64 = 0
        if let d = timer.deadline {
            let now = timerClockNow(timer)
            let ns = d > now ? d - now : 0
            left = Int64((ns + 999_999_999) / 1_000_000_000)
            if left == 0 && ns > 0 { left = 1 }
        }
        timer.interval = 0
        timer.overrun = 0
        timer.deadline = seconds == 0 ? nil : timerClockNow(timer) + UInt64(seconds) * 1_000_000_000
        return left
    }

    /// utime/utimes/futimesat: utimensat with times converted (nil: now).
    private func setTimes(_ t: Task, dirfd: Int32, path: UInt64, times: (Timespec, Timespec)?) throws(Errno) -> Int64 {
        let now = Timespec(seconds: 0, nanoseconds: Timespec.utimeNow)
        let (access, modification) = times ?? (now, now)
        let (r, _) = try statTarget(t, dirfd: dirfd, pathAddress: path, flags: 0)
        if let m = r.magic { try m.setTimes(access: access, modification: modification); return 0 }
        try r.mount.fileSystem.setTimes(r.relative, access: access, modification: modification, followSymlinks: true)
        return 0
    }
}
