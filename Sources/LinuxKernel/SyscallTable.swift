/// The kernel's system call numbers (the generic table, asm-generic/unistd.h, which riscv64 uses;
/// other ISAs translate theirs in Arch/) and the dispatcher that routes them to their handlers
/// (Syscalls/*.swift). A number without a handler returns ENOSYS, logged when tracing is on.
extension Kernel {
    func handleSystemCall(_ task: Task) {
        let call = task.architecture.translate(task.cpu.systemCall())
        task.syscallNumber = call.number
        task.syscallArguments = call.arguments
        let number = call.number
        let result: Int64
        task.interrupted = false   // a call that runs again after a stop or a restart is not interrupted any more
        do throws(Errno) {
            result = try dispatch(task, number)
        } catch {
            switch error {
            case .blocked:
                if tracing { log("[\(task.tid)] \(Kernel.systemCallName(number))(…) blocks") }
                return
            case .restartSys:
                task.interrupted = true
                return
            case .justReturn:
                return
            default:
                if error == .ENOSYS && tracing {
                    log("[\(task.tid)] unimplemented system call \(number) (\(Kernel.systemCallName(number))) -> ENOSYS")
                }
                result = -Int64(error.rawValue)
            }
        }
        if tracing { traceCall(task, number, result) }
        finishSystemCall(task, result)
    }

    private func traceCall(_ task: Task, _ number: Int, _ result: Int64) {
        var args = ""
        for i in 0..<6 {
            if i > 0 { args += ", " }
            args += Text.hexString(task.argument(i))
        }
        let shown = result < 0 && result > -4096 ? "-\(Errno(Int32(-result)).name)" : (result > 0xffff ? Text.hexString(UInt64(bitPattern: result)) : "\(result)")
        log("[\(task.tid)] \(Kernel.systemCallName(number))(\(args)) = \(shown)")
    }

    private func dispatch(_ t: Task, _ n: Int) throws(Errno) -> Int64 {
        switch n {
        // Files (Syscalls/Files.swift)
        case 56: return try sysOpenAt(t)
        case 57: return try sysClose(t)
        case 436: return try sysCloseRange(t)
        case 63: return try sysRead(t)
        case 64: return try sysWrite(t)
        case 65: return try sysReadv(t)
        case 66: return try sysWritev(t)
        case 67: return try sysPread(t)
        case 68: return try sysPwrite(t)
        case 69: return try sysPreadv(t)
        case 70: return try sysPwritev(t)
        case 286: return try sysPreadv(t)
        case 287: return try sysPwritev(t)
        case 62: return try sysLseek(t)
        case 23: return try sysDup(t)
        case 24: return try sysDup3(t)
        case 25: return try sysFcntl(t)
        case 59: return try sysPipe2(t)
        case 71: return try sysSendfile(t)
        case 285: return try sysCopyFileRange(t)
        case 76: return try sysSplice(t)      // Syscalls/Splice.swift
        case 77: return try sysTee(t)
        case 75: return try sysVmsplice(t)
        case 82: return try sysFsync(t, dataOnly: false)
        case 83: return try sysFsync(t, dataOnly: true)
        case 81: return 0 // sync: host writes are already with the host
        case 267: _ = try t.process.files.get(Int32(truncatingIfNeeded: t.argument(0))); return 0 // syncfs
        case 46: return try sysFtruncate(t)
        case 45: return try sysTruncate(t)
        case 47: return try sysFallocate(t)
        case 223: return try sysFadvise(t)
        case 32: return try sysFlock(t)
        case 29: return try sysIoctl(t)
        case 279: return try sysMemfdCreate(t)
        // File metadata (Syscalls/FileMetadata.swift)
        case 79: return try sysNewFstatAt(t)
        case 80: return try sysFstat(t)
        case 291: return try sysStatx(t)
        case 48: return try sysFaccessAt(t, flags: 0)
        case 439: return try sysFaccessAt(t, flags: Int32(truncatingIfNeeded: t.argument(3)))
        case 52: return try sysFchmod(t)
        case 53: return try sysFchmodAt(t, flags: 0)
        case 452: return try sysFchmodAt(t, flags: Int32(truncatingIfNeeded: t.argument(3)))
        case 54: return try sysFchownAt(t)
        case 55: return try sysFchown(t)
        case 88: return try sysUtimensAt(t)
        case 43: return try sysStatfs(t)
        case 44: return try sysFstatfs(t)
        case 78: return try sysReadlinkAt(t)
        // Directories and names (Syscalls/Directories.swift)
        case 61: return try sysGetdents64(t)
        case 34: return try sysMkdirAt(t)
        case 33: return try sysMknodAt(t)
        case 35: return try sysUnlinkAt(t)
        case 276: return try sysRenameAt2(t)
        case 37: return try sysLinkAt(t)
        case 36: return try sysSymlinkAt(t)
        case 17: return try sysGetcwd(t)
        case 49: return try sysChdir(t)
        case 50: return try sysFchdir(t)
        case 51: return try sysChroot(t)
        case 166: return sysUmask(t)
        // Memory (Syscalls/Memory.swift)
        case 214: return sysBrk(t)
        case 222: return try sysMmap(t)
        case 215: return try sysMunmap(t)
        case 226: return try sysMprotect(t)
        case 216: return try sysMremap(t)
        case 233: return try sysMadvise(t)
        case 227: return try sysMsync(t)
        case 228, 229, 284: return try sysMlock(t)
        case 230: return 0 // mlockall: every page is resident already
        case 231: return 0 // munlockall
        case 232: return try sysMincore(t)
        // System V shared memory (Syscalls/SysVSharedMemory.swift)
        case 5...16: return try sysXattr(t, n)                  // Syscalls/ExtendedAttributes.swift
        case 283: return try sysMembarrier(t)                   // Syscalls/Membarrier.swift
        case 194: return try sysShmget(t)
        case 195: return try sysShmctl(t)
        case 196: return try sysShmat(t)
        case 197: return try sysShmdt(t)
        // System V semaphores and message queues (Syscalls/SysVSemaphores.swift, SysVMessageQueues.swift)
        case 190: return try sysSemget(t)
        case 193: return try sysSemop(t, timed: false)
        case 192: return try sysSemop(t, timed: true)
        case 191: return try sysSemctl(t)
        case 186: return try sysMsgget(t)
        case 189: return try sysMsgsnd(t)
        case 188: return try sysMsgrcv(t)
        case 187: return try sysMsgctl(t)
        // Time (Syscalls/Time.swift)
        case 112: return try sysClockSettime(t)
        case 113: return try sysClockGettime(t)
        case 114: return try sysClockGetres(t)
        case 169: return try sysGettimeofday(t)
        case 170: return try sysSettimeofday(t)
        case 101: return try sysNanosleep(t)
        case 115: return try sysClockNanosleep(t)
        case 153: return try sysTimes(t)
        case 165: return try sysGetrusage(t)
        case 102: return try sysGetitimer(t)
        case 103: return try sysSetitimer(t)
        case 107: return try sysTimerCreate(t)
        case 108: return try sysTimerGettime(t)
        case 109: return try sysTimerGetoverrun(t)
        case 110: return try sysTimerSettime(t)
        case 111: return try sysTimerDelete(t)
        case 85: return try sysTimerfdCreate(t)   // Syscalls/TimerFDs.swift
        case 86: return try sysTimerfdSettime(t)
        case 87: return try sysTimerfdGettime(t)
        // Identity and system information (Syscalls/Identity.swift)
        case 172: return Int64(t.process.pid)
        case 173: return Int64(t.process.parent?.pid ?? 0)
        case 178: return Int64(t.tid)
        // Credentials (Syscalls/Credentials.swift)
        case 174, 175, 176, 177: return sysGetIDs(t, n)
        case 143, 144, 145, 146, 147, 149, 151, 152: return try sysSetIDs(t, n)
        case 148, 150: return try sysGetResIDs(t, groups: n == 150)
        case 158: return try sysGetgroups(t)
        case 159: return try sysSetgroups(t)
        case 160: return try sysUname(t)
        case 161: return try sysSethostname(t)
        case 179: return try sysSysinfo(t)
        case 261: return try sysPrlimit64(t)
        case 163: return try sysGetrlimit(t)
        case 164: return try sysSetrlimit(t)
        case 278: return try sysGetrandom(t)
        case 167: return try sysPrctl(t)
        case 168: return try sysGetcpu(t)
        case 122: return try sysSchedSetaffinity(t)
        case 123: return try sysSchedGetaffinity(t)
        case 124: return sysSchedYield(t)
        case 118, 119, 120, 121, 125, 126, 127: return try sysSchedParameters(t, n)
        case 140: return try sysSetpriority(t)
        case 141: return try sysGetpriority(t)
        case 92: return try sysPersonality(t)
        case 258: return try sysRiscvHwprobe(t)
        case 259: return 0 // riscv_flush_icache: stores to code invalidate decoded blocks already
        case 90: return try sysCapget(t)
        // Signals (Syscalls/Signals.swift)
        case 134: return try sysRtSigaction(t)
        case 135: return try sysRtSigprocmask(t)
        case 132: return try sysSigaltstack(t)
        case 139: return try sysRtSigreturn(t)
        case 136: return try sysRtSigpending(t)
        case 133: return try sysRtSigsuspend(t)
        case 137: return try sysRtSigtimedwait(t)
        case 129: return try sysKill(t)
        case 130: return try sysTkill(t)
        case 131: return try sysTgkill(t)
        case 138: return try sysRtSigqueueinfo(t)
        case 240: return try sysRtTgsigqueueinfo(t)
        case 74: return try sysSignalfd4(t)   // Syscalls/SignalFDs.swift
        // Futexes and thread bookkeeping (Syscalls/Futex.swift)
        case 98: return try sysFutex(t)
        case 96: return sysSetTidAddress(t)
        case 99: return try sysSetRobustList(t)
        case 100: return try sysGetRobustList(t)
        // Processes (Syscalls/Process.swift)
        case 93: return try sysExit(t)
        case 94: return try sysExitGroup(t)
        case 220: return try sysClone(t)
        case 435: return try sysClone3(t)
        case 221: return try sysExecve(t)
        case 281: return try sysExecveat(t)
        case 260: return try sysWait4(t)
        case 95: return try sysWaitid(t)
        // pidfds (Syscalls/PidFDs.swift)
        case 434: return try sysPidfdOpen(t)
        case 424: return try sysPidfdSendSignal(t)
        case 438: return try sysPidfdGetfd(t)
        case 154: return try sysSetpgid(t)
        case 155: return try sysGetpgid(t)
        case 156: return try sysGetsid(t)
        case 157: return try sysSetsid(t)
        // Waiting on descriptors (Syscalls/Poll.swift)
        case 73: return try sysPpoll(t)
        case 72: return try sysPselect6(t)
        case 20: return try sysEpollCreate1(t)
        case 21: return try sysEpollCtl(t)
        case 22, 441: return try sysEpollPwait(t)
        case 19: return try sysEventfd2(t)
        case 26: return try sysInotifyInit1(t)   // Syscalls/Inotify.swift
        case 27: return try sysInotifyAddWatch(t)
        case 28: return try sysInotifyRmWatch(t)
        // Sockets (Syscalls/Sockets.swift)
        case 198: return try sysSocket(t)
        case 199: return try sysSocketpair(t)
        case 200...212 where inetSocket(t) != nil, 242 where inetSocket(t) != nil, 269 where inetSocket(t) != nil:
            return try sysInetSocketCall(t, n, inetSocket(t)!)   // AF_INET/AF_INET6: InetSockets.swift
        case 200...212 where netlinkSocket(t) != nil, 242 where netlinkSocket(t) != nil, 269 where netlinkSocket(t) != nil:
            return try sysNetlinkSocketCall(t, n, netlinkSocket(t)!)   // AF_NETLINK: NetlinkSockets.swift
        case 200, 201, 202, 203, 242: return try sysSocketAddressCall(t, n)
        case 204, 205: return try sysSocketName(t, n)
        case 206: return try sysSendto(t)
        case 207: return try sysRecvfrom(t)
        case 208: return try sysSetsockopt(t)
        case 209: return try sysGetsockopt(t)
        case 210: return try sysShutdown(t)
        case 211: return try sysSendmsg(t)
        case 212: return try sysRecvmsg(t)
        case 1000...:
            return try dispatchX86_64(t, n)      // x86-64's own calls (Arch/X86_64/X86_64SystemCalls.swift)
        default:
            throw .ENOSYS
        }
    }

    static func systemCallName(_ n: Int) -> String {
        switch n {
        case 17: return "getcwd"; case 19: return "eventfd2"; case 20: return "epoll_create1"; case 21: return "epoll_ctl"
        case 22: return "epoll_pwait"; case 23: return "dup"; case 24: return "dup3"; case 25: return "fcntl"
        case 5: return "setxattr"; case 6: return "lsetxattr"; case 7: return "fsetxattr"; case 8: return "getxattr"
        case 9: return "lgetxattr"; case 10: return "fgetxattr"; case 11: return "listxattr"; case 12: return "llistxattr"
        case 13: return "flistxattr"; case 14: return "removexattr"; case 15: return "lremovexattr"; case 16: return "fremovexattr"
        case 26: return "inotify_init1"; case 29: return "ioctl"; case 32: return "flock"; case 33: return "mknodat"
        case 34: return "mkdirat"; case 35: return "unlinkat"; case 36: return "symlinkat"; case 37: return "linkat"
        case 39: return "umount2"; case 40: return "mount"; case 43: return "statfs"; case 44: return "fstatfs"
        case 45: return "truncate"; case 46: return "ftruncate"; case 47: return "fallocate"; case 48: return "faccessat"
        case 49: return "chdir"; case 50: return "fchdir"; case 51: return "chroot"; case 52: return "fchmod"
        case 53: return "fchmodat"; case 54: return "fchownat"; case 55: return "fchown"; case 56: return "openat"
        case 57: return "close"; case 59: return "pipe2"; case 61: return "getdents64"; case 62: return "lseek"
        case 63: return "read"; case 64: return "write"; case 65: return "readv"; case 66: return "writev"
        case 67: return "pread64"; case 68: return "pwrite64"; case 69: return "preadv"; case 70: return "pwritev"
        case 71: return "sendfile"; case 72: return "pselect6"; case 73: return "ppoll"; case 74: return "signalfd4"
        case 75: return "vmsplice"; case 76: return "splice"; case 77: return "tee"; case 78: return "readlinkat"; case 79: return "newfstatat"; case 80: return "fstat"
        case 81: return "sync"; case 82: return "fsync"; case 83: return "fdatasync"; case 85: return "timerfd_create"
        case 86: return "timerfd_settime"; case 87: return "timerfd_gettime"; case 88: return "utimensat"
        case 90: return "capget"; case 91: return "capset"; case 92: return "personality"; case 93: return "exit"
        case 94: return "exit_group"; case 95: return "waitid"; case 96: return "set_tid_address"; case 97: return "unshare"
        case 98: return "futex"; case 99: return "set_robust_list"; case 100: return "get_robust_list"
        case 101: return "nanosleep"; case 102: return "getitimer"; case 103: return "setitimer"
        case 107: return "timer_create"; case 108: return "timer_gettime"; case 109: return "timer_getoverrun"
        case 110: return "timer_settime"; case 111: return "timer_delete"; case 112: return "clock_settime"; case 113: return "clock_gettime"
        case 114: return "clock_getres"; case 115: return "clock_nanosleep"; case 117: return "ptrace"
        case 118: return "sched_setparam"; case 119: return "sched_setscheduler"; case 120: return "sched_getscheduler"
        case 121: return "sched_getparam"; case 122: return "sched_setaffinity"; case 123: return "sched_getaffinity"
        case 124: return "sched_yield"; case 129: return "kill"; case 130: return "tkill"; case 131: return "tgkill"
        case 132: return "sigaltstack"; case 133: return "rt_sigsuspend"; case 134: return "rt_sigaction"
        case 135: return "rt_sigprocmask"; case 136: return "rt_sigpending"; case 137: return "rt_sigtimedwait"
        case 138: return "rt_sigqueueinfo"; case 139: return "rt_sigreturn"; case 140: return "setpriority"
        case 141: return "getpriority"; case 146: return "setuid"; case 144: return "setgid"; case 153: return "times"
        case 154: return "setpgid"; case 155: return "getpgid"; case 156: return "getsid"; case 157: return "setsid"
        case 158: return "getgroups"; case 159: return "setgroups"; case 160: return "uname"; case 161: return "sethostname"
        case 163: return "getrlimit"; case 164: return "setrlimit"; case 165: return "getrusage"; case 166: return "umask"
        case 167: return "prctl"; case 168: return "getcpu"; case 169: return "gettimeofday"; case 170: return "settimeofday"; case 172: return "getpid"
        case 173: return "getppid"; case 174: return "getuid"; case 175: return "geteuid"; case 176: return "getgid"
        case 177: return "getegid"; case 178: return "gettid"; case 179: return "sysinfo"; case 194: return "shmget"; case 195: return "shmctl"; case 196: return "shmat"; case 197: return "shmdt"
        case 198: return "socket"; case 199: return "socketpair"; case 200: return "bind"; case 201: return "listen"
        case 202: return "accept"; case 203: return "connect"; case 204: return "getsockname"; case 205: return "getpeername"
        case 206: return "sendto"; case 207: return "recvfrom"; case 208: return "setsockopt"; case 209: return "getsockopt"
        case 210: return "shutdown"; case 211: return "sendmsg"; case 212: return "recvmsg"; case 214: return "brk"
        case 215: return "munmap"; case 216: return "mremap"; case 220: return "clone"; case 221: return "execve"
        case 222: return "mmap"; case 223: return "fadvise64"; case 226: return "mprotect"; case 227: return "msync"
        case 228: return "mlock"; case 229: return "munlock"; case 232: return "mincore"; case 233: return "madvise"
        case 242: return "accept4"; case 243: return "recvmmsg"; case 269: return "sendmmsg"; case 258: return "riscv_hwprobe"; case 259: return "riscv_flush_icache"
        case 260: return "wait4"; case 261: return "prlimit64"; case 267: return "syncfs"; case 276: return "renameat2"
        case 277: return "seccomp"; case 278: return "getrandom"; case 279: return "memfd_create"; case 281: return "execveat"
        case 283: return "membarrier"; case 285: return "copy_file_range"; case 286: return "preadv2"
        case 287: return "pwritev2"; case 291: return "statx"; case 293: return "rseq"; case 425: return "io_uring_setup"
        case 424: return "pidfd_send_signal"; case 434: return "pidfd_open"; case 438: return "pidfd_getfd"; case 435: return "clone3"; case 436: return "close_range"; case 437: return "openat2"
        case 439: return "faccessat2"; case 441: return "epoll_pwait2"; case 452: return "fchmodat2"
        default: return "syscall_\(n)"
        }
    }
}

extension Errno {
    /// The handler set the registers itself (execve, rt_sigreturn, exit): nothing to store.
    static let justReturn = Errno(512 + 101)
}
