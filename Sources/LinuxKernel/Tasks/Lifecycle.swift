#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// Creating, stopping, ending and reaping tasks and processes.
extension Kernel {
    enum CloneFlags {
        static let vm: UInt64 = 0x100, fs: UInt64 = 0x200, files: UInt64 = 0x400, sighand: UInt64 = 0x800
        static let pidfd: UInt64 = 0x1000, ptrace: UInt64 = 0x2000, vfork: UInt64 = 0x4000, parent: UInt64 = 0x8000
        static let thread: UInt64 = 0x10000, newNamespace: UInt64 = 0x20000, sysvsem: UInt64 = 0x40000
        static let setTLS: UInt64 = 0x80000, parentSetTID: UInt64 = 0x100000, childClearTID: UInt64 = 0x200000
        static let detached: UInt64 = 0x400000, untraced: UInt64 = 0x800000, childSetTID: UInt64 = 0x1000000
        static let namespaces: UInt64 = 0x7e02_0000 | 0x0000_0080   // NEWNS/CGROUP/UTS/IPC/USER/PID/NET, NEWTIME
        static let io: UInt64 = 0x8000_0000
    }

    /// clone/clone3/fork/vfork: a new thread in the caller's process, or a new process.
    func clone(_ t: Task, flags: UInt64, stack: UInt64, parentTID: UInt64, childTID: UInt64, tls: UInt64,
               exitSignal: Int32, pidfdAddress: UInt64 = 0) throws(Errno) -> Int64 {
        if flags & CloneFlags.thread != 0 && flags & CloneFlags.sighand == 0 { throw .EINVAL }
        if flags & CloneFlags.sighand != 0 && flags & CloneFlags.vm == 0 { throw .EINVAL }
        if flags & CloneFlags.namespaces != 0 {
            log("clone: namespaces are not supported (flags \(Text.hexString(flags)))")
            throw .EPERM
        }
        if flags & CloneFlags.pidfd != 0 {
            // CLONE_PIDFD: a pidfd for the child in the caller's table (close-on-exec), its number
            // stored at pidfdAddress; not for a thread or a detached child. A bad address fails
            // before anything is made (EFAULT).
            if flags & (CloneFlags.thread | CloneFlags.detached) != 0 { throw .EINVAL }
            try t.store(Int32(0), at: pidfdAddress)
        }
        if exitSignal < 0 || exitSignal > Signal.count { throw .EINVAL }
        try reserveTask()
        let parent = t.process
        let id = allocateID()
        let child: Process
        let memory: GuestMemory
        if flags & CloneFlags.thread != 0 {
            child = parent
            memory = t.cpu.memory
        } else {
            let space: AddressSpace
            if flags & CloneFlags.vm != 0 {
                space = parent.addressSpace
                space.users += 1
            } else {
                space = parent.addressSpace.fork()
            }
            memory = space.memory
            let files = flags & CloneFlags.files != 0 ? parent.files : parent.files.copy()
            files.users += flags & CloneFlags.files != 0 ? 1 : 0
            child = Process(pid: id, addressSpace: space, files: files,
                            fs: flags & CloneFlags.fs != 0 ? parent.fs : parent.fs.copy(),
                            signalActions: flags & CloneFlags.sighand != 0 ? parent.signalActions : parent.signalActions.copy(),
                            processGroup: parent.processGroup, session: parent.session, limits: parent.limits,
                            startTime: host.monotonicTime())
            child.signalActionsShared = flags & CloneFlags.sighand != 0
            child.executablePath = parent.executablePath
            child.arguments = parent.arguments
            child.name = parent.name
            child.signalTrampoline = parent.signalTrampoline
            child.exitSignal = exitSignal
            child.nice = parent.nice
            child.credentials = parent.credentials
            child.personality = parent.personality
            child.hasControllingTerminal = parent.hasControllingTerminal
            let adoptive = flags & CloneFlags.parent != 0 ? (parent.parent ?? parent) : parent
            child.parent = adoptive
            adoptive.children.append(child)
            processes[id] = child
            forks += 1
        }
        let cpu = t.cpu.makeClone(memory: memory)
        if stack != 0 { cpu.stackPointer = stack }
        if flags & CloneFlags.setTLS != 0 { cpu.setThreadPointer(tls) }
        let task = Task(tid: id, cpu: cpu, process: child)
        task.signalMask = t.signalMask
        task.vruntime = t.vruntime
        if flags & CloneFlags.vm == 0 || flags & CloneFlags.vfork != 0 { task.alternateStack = t.alternateStack }
        child.threads.append(task)
        tasks[id] = task
        if flags & CloneFlags.pidfd != 0 {
            let fd = try t.process.files.install(PidFD(process: child, nonBlocking: false, kernel: self), closeOnExec: true)
            try? t.store(fd, at: pidfdAddress)
        }
        if flags & CloneFlags.parentSetTID != 0 { try? t.store(id, at: parentTID) }
        if flags & CloneFlags.childSetTID != 0 { try? task.store(id, at: childTID) }
        if flags & CloneFlags.childClearTID != 0 { task.clearChildTID = childTID }
        makeRunnable(task)
        if flags & CloneFlags.vfork != 0 {
            task.vforkParent = t
            t.uninterruptible = true
            throw block(t, completesOnWake: true)
        }
        return Int64(id)
    }

    /// exit(2) of one thread; the process ends with the last one.
    func exitThread(_ t: Task, code: Int32) {
        let p = t.process
        releaseThreadState(t)
        terminateThread(t)
        p.threads.removeAll { $0 === t }
        if p.liveThreads.isEmpty && !p.isZombie { exitProcess(p, status: WaitStatus.exited(code)) }
    }

    /// The CLONE_CHILD_CLEARTID store and wake, and the robust futex list, of an exiting thread.
    private func releaseThreadState(_ t: Task) {
        releaseRobustList(t)
        if t.clearChildTID != 0 {
            if (try? t.store(UInt32(0), at: t.clearChildTID)) != nil {
                _ = futexWake(t.process.addressSpace, address: t.clearChildTID, count: 1, bitset: UInt32.max)
            }
            t.clearChildTID = 0
        }
        releaseVforkParent(t)
    }

    /// A vfork child exec'd or exited: its parent's clone returns the child's pid, and the parent
    /// can be interrupted by signals again in its later waits.
    func releaseVforkParent(_ child: Task) {
        guard let parent = child.vforkParent else { return }
        child.vforkParent = nil
        parent.uninterruptible = false
        wake(parent, result: Int64(child.process.pid))
    }

    /// Takes a thread off every queue for good.
    func terminateThread(_ t: Task) {
        if t.state == .dead { return }
        if t.state == .blocked {
            for q in t.waitQueues { q.remove(t) }
            t.waitQueues = []
            sleepers.removeAll { $0 === t }
        }
        futexForget(t)
        if let pending = t.pendingFifoOpen {
            t.pendingFifoOpen = nil
            abandonPendingOpen(pending)
        }
        t.state = .dead
        t.process.exitedThreadsCPUTime += t.cpuTime
        t.cpuTime = 0
        tasks[t.tid] = nil
        if lastRunTask === t { lastRunTask = nil }
    }

    /// The whole thread group ends with `status` (a wait status word).
    func exitProcess(_ p: Process, status: Int32) {
        if p.isZombie { return }
        for th in p.threads {
            if th.state != .dead { releaseThreadState(th) }
            terminateThread(th)
        }
        p.threads.removeAll()
        if p.files.users == 1 { closeDescriptors(p, p.files.openDescriptors) }
        p.files.users -= 1
        locks.releaseAll(pid: p.pid, kernel: self)
        applySemaphoreUndo(p)
        releaseAddressSpace(p.addressSpace)
        removeTimers(of: p)
        p.exitStatus = status
        p.exitQueue.wakeAll(self)
        if let observer = p.exitObserver {
            p.exitObserver = nil
            observer(status)
        }

        if p === initProcess {
            termination = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
            for other in processes.values where other !== p && !other.isZombie {
                exitProcess(other, status: WaitStatus.signaled(Signal.SIGKILL))
            }
            return
        }
        if p.pid == p.session { releaseControllingTerminal(p) }
        // Orphans go to the nearest subreaper or to the container's init.
        let adopter = nearestSubreaper(p) ?? initProcess
        for c in p.children {
            c.parent = adopter
            c.adoptedByInit = adopter === initProcess
            adopter?.children.append(c)
            if c.parentDeathSignal != 0 && !c.isZombie { sendSignal(to: c, SignalInfo(signo: c.parentDeathSignal)) }
            if c.isZombie, let a = adopter { notifyParent(a, of: c) }
        }
        p.children.removeAll()
        if let parent = p.parent { notifyParent(parent, of: p) } else { reap(p) }
    }

    private func nearestSubreaper(_ p: Process) -> Process? {
        var q = p.parent
        while let x = q {
            if x.childSubreaper && !x.isZombie { return x }
            q = x.parent
        }
        return nil
    }

    /// A child became a zombie: SIGCHLD (unless the parent asked not to), or reaping at once when
    /// the parent ignores SIGCHLD or set SA_NOCLDWAIT.
    private func notifyParent(_ parent: Process, of child: Process) {
        let status = child.exitStatus ?? 0
        let action = parent.signalActions.actions[Int(Signal.SIGCHLD)]
        if configuration.reapsOrphans && child.adoptedByInit && parent === initProcess {
            reap(child)
            parent.childEvents.wakeAll(self) // a wait for any child may now fail with ECHILD
            return
        }
        let autoReap = child.exitSignal == Signal.SIGCHLD
            && (action.handler == SignalAction.ignoreHandler || action.flags & SignalFlags.noChildWait != 0)
        if child.exitSignal != 0 && !(child.exitSignal == Signal.SIGCHLD && action.handler == SignalAction.ignoreHandler) {
            var info = SignalInfo(signo: child.exitSignal)
            info.senderPID = child.pid
            if status & 0x7f == 0 { info.code = 1; info.status = (status >> 8) & 0xff }       // CLD_EXITED
            else { info.code = status & 0x80 != 0 ? 3 : 2; info.status = status & 0x7f }     // CLD_DUMPED / CLD_KILLED
            sendSignal(to: parent, info)
        }
        parent.childEvents.wakeAll(self)
        if autoReap { reap(child) }
    }

    /// Removes a zombie for good.
    func reap(_ p: Process) {
        if let parent = p.parent {
            parent.children.removeAll { $0 === p }
            parent.childrenCPUTime += p.exitedThreadsCPUTime + p.childrenCPUTime
        }
        p.parent = nil
        processes[p.pid] = nil
    }

    func releaseAddressSpace(_ space: AddressSpace) {
        space.users -= 1
        if space.users > 0 { return }
        writeBackShared(space.regions)
        space.unmapAll()
        if space.mapsSharedObjects { forgetUnmappedSharedFiles() }
    }

    /// Ends the process because of a signal's default action.
    func killProcess(_ p: Process, signal: Int32, core: Bool) {
        if tracing || p === initProcess { log("process \(p.pid) (\(Text.string(p.name))) killed by signal \(signal)") }
        exitProcess(p, status: WaitStatus.signaled(signal, core: core))
    }

    // MARK: Job control

    func stopProcess(_ p: Process, signal: Int32) {
        if p.isStopped || p.isZombie { return }
        p.isStopped = true
        for th in p.threads where th.state == .runnable {
            th.state = .stopped
        }
        p.pendingStopReport = WaitStatus.stopped(signal)
        if let parent = p.parent {
            let action = parent.signalActions.actions[Int(Signal.SIGCHLD)]
            if action.flags & SignalFlags.noChildStop == 0 {
                var info = SignalInfo(signo: Signal.SIGCHLD, code: 5, senderPID: p.pid) // CLD_STOPPED
                info.status = signal
                sendSignal(to: parent, info)
            }
            parent.childEvents.wakeAll(self)
        }
    }

    func continueProcess(_ p: Process) {
        if !p.isStopped { return }
        p.isStopped = false
        p.pendingStopReport = nil
        p.pendingContinueReport = true
        for th in p.threads where th.state == .stopped { makeRunnable(th) }
        if let parent = p.parent {
            let action = parent.signalActions.actions[Int(Signal.SIGCHLD)]
            if action.flags & SignalFlags.noChildStop == 0 {
                var info = SignalInfo(signo: Signal.SIGCHLD, code: 6, senderPID: p.pid) // CLD_CONTINUED
                info.status = Signal.SIGCONT
                sendSignal(to: parent, info)
            }
            parent.childEvents.wakeAll(self)
        }
    }
}
