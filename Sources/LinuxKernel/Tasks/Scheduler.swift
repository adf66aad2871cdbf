#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// The scheduler: every guest task runs on this one host thread. A task runs until it blocks in a
/// system call or its time slice ends; when nothing can run, the host's poll waits for the host
/// descriptors and deadlines the sleeping tasks need.
extension Kernel {
    /// Runs the guest until the container's first process exits.
    public func run() -> Termination {
        while termination == nil {
            if let t = runQueue.pop() {
                t.inRunQueue = false
                if t.state == .runnable { runSlice(t) }
                if !sleepers.isEmpty || !timers.isEmpty || terminal != nil || !hostWatches.isEmpty || !hostTerminals.isEmpty {
                    waitForEvents(mayBlock: false)
                } else {
                    forwardHostSignals()
                }
            } else {
                waitForEvents(mayBlock: true)
            }
        }
        return termination!
    }

    func makeRunnable(_ task: Task, first: Bool = false) {
        task.state = .runnable
        if !task.inRunQueue {
            task.inRunQueue = true
            if first { runQueue.pushFront(task) } else { runQueue.push(task) }
        }
    }

    /// A sleeper's credit on wake-up (CFS places a woken task half its 6 ms latency behind).
    static let sleeperCredit: UInt64 = 3_000_000

    /// Whether `task`, being woken, should run before the task running now (or that ran last),
    /// as Linux's wakeup preemption decides: when it has had at least the wakeup granularity less
    /// CPU time. A task that slept long enough always does, so a thread woken to take a lock, or
    /// a sleeper whose deadline passed, runs before a busy task takes its next slice.
    private func preempts(_ task: Task) -> Bool {
        guard let current = runningTask ?? lastRunTask, current !== task, current.state != .dead else { return false }
        var now = current.vruntime
        if runningTask != nil { now &+= host.monotonicTime() &- sliceStarted }
        if now > Kernel.sleeperCredit && task.vruntime < now - Kernel.sleeperCredit { task.vruntime = now - Kernel.sleeperCredit }
        return task.vruntime &+ configuration.wakeupGranularity < now
    }

    /// The earliest deadline of a sleeping task or wall-clock timer.
    func earliestDeadline() -> UInt64? {
        var earliest = nextTimerDeadline
        for t in sleepers { if let d = t.wakeDeadline { earliest = min(earliest ?? d, d) } }
        return earliest
    }

    /// A budget that ends the slice about when `deadline` comes, from the measured instruction rate.
    private func instructionsUntil(_ deadline: UInt64) -> Int {
        let now = host.monotonicTime()
        if deadline <= now { return 1 }
        let ns = min(deadline - now, 1 << 40)
        let product = ns.multipliedReportingOverflow(by: instructionRate)
        let count = product.overflow ? UInt64.max : product.partialValue / 1000
        // Int is 32 bits on wasm32: a far deadline is at most Int32.max instructions away.
        return Int(min(max(count, 256), UInt64(Int32.max)))
    }

    private func runSlice(_ task: Task) {
        if lastRunTask !== task {
            task.cpu.clearReservation()
            contextSwitches += 1
            lastRunTask = task
        }
        if let c = task.completion {
            task.completion = nil
            finishSystemCall(task, c)
        }
        if task.process.isStopped { task.state = .stopped; return }
        if hasDeliverableSignal(task) { deliverSignals(task) }
        var remaining = configuration.timeSlice
        let started = host.monotonicTime()
        let retiredAtStart = task.cpu.instructionsRetired
        sliceStarted = started
        runningTask = task
        preemptRequested = false
        defer {
            let elapsed = host.monotonicTime() &- started
            task.cpuTime += elapsed
            task.vruntime += elapsed
            runningTask = nil
            preemptRequested = false
            if elapsed > 100_000 {   // instructions per µs, smoothed (for slices cut at deadlines)
                let rate = (task.cpu.instructionsRetired &- retiredAtStart) &* 1000 / elapsed
                instructionRate = max((instructionRate &* 3 &+ rate) / 4, 1)
            }
            if !timers.isEmpty { fireCPUTimers(of: task.process) }
        }
        // A sleeper's deadline or a timer ends the slice when it comes, not a whole slice later.
        var deadline = sleepers.isEmpty && timers.isEmpty ? nil : earliestDeadline()
        while task.state == .runnable && termination == nil {
            let before = task.cpu.instructionsRetired
            var budget = max(remaining, 1)
            if let d = deadline { budget = min(budget, instructionsUntil(d)) }
            let memory = task.process.addressSpace.memory
            let stop = task.cpu.run(instructionBudget: budget)
            let retired = Int(truncatingIfNeeded: task.cpu.instructionsRetired &- before)
            remaining -= retired
            // The address space's warm-up before its native tier (GuestMemory.nativeWarmUp).
            if memory.nativeWarmUp > 0 { memory.nativeWarmUp -= retired }
            switch stop {
            case .systemCall:
                handleSystemCall(task)
                if yieldRequested || preemptRequested {
                    if preemptRequested || !runQueue.isEmpty { remaining = 0 }
                    yieldRequested = false
                    preemptRequested = false
                }
                deadline = sleepers.isEmpty && timers.isEmpty ? nil : earliestDeadline()
            case .budgetExhausted:
                if budget >= remaining { remaining = 0 }
            case .signal(let signo, let code, let address):
                raiseSynchronousSignal(task, signo, code: code, address: address)
            case .memoryFault(let fault) where !fault.isUnmapped && task.process.addressSpace.fillFault(at: fault.address):
                continue
            case .memoryFault(let fault):
                if tracing { log("[\(task.tid)] fault at \(Text.hexString(fault.address)) pc \(Text.hexString(task.cpu.programCounter))") }
                if fault.isMisaligned {
                    raiseSynchronousSignal(task, Signal.SIGBUS, code: 1, address: fault.address)           // BUS_ADRALN
                } else {
                    raiseSynchronousSignal(task, Signal.SIGSEGV, code: fault.isUnmapped ? 1 : 2, address: fault.address)
                }
            }
            enforceMemoryLimit(task)
            if task.state == .runnable && hasDeliverableSignal(task) { deliverSignals(task) }
            if remaining <= 0 { break }
            if let d = deadline, host.monotonicTime() >= d { break }
        }
        if task.state == .runnable { makeRunnable(task) }
    }

    /// Stores a system call's result and steps past the instruction that made it.
    func finishSystemCall(_ task: Task, _ result: Int64) {
        task.cpu.finishSystemCall(result)
        task.syscallDeadline = nil
        task.syscallProgress = 0
        if let pending = task.pendingFifoOpen {
            task.pendingFifoOpen = nil
            abandonPendingOpen(pending)
        }
    }

    // MARK: Sleeping and waking

    /// Parks `task` until a queue wakes it, a host descriptor is ready or `deadline` (monotonic ns)
    /// passes. Returns the error the handler throws: `.blocked`, or `.restartSys` when a signal is
    /// already waiting to be handled.
    func block(_ task: Task, on queues: [WaitQueue] = [], host requests: [PollRequest] = [],
               deadline: UInt64? = nil, completesOnWake: Bool = false, timeoutResult: Int64 = 0) -> Errno {
        if hasDeliverableSignal(task) { return .restartSys }
        task.state = .blocked
        task.waitQueues = queues
        for q in queues { q.add(task) }
        task.hostWaits = requests
        task.wakeDeadline = deadline
        task.completesOnWake = completesOnWake
        task.timeoutResult = timeoutResult
        if !requests.isEmpty || deadline != nil { sleepers.append(task) }
        return .blocked
    }

    /// Makes a blocked task runnable. With `result`, a completion-style wait finishes with it.
    func wake(_ task: Task, result: Int64?) {
        guard task.state == .blocked else { return }
        for q in task.waitQueues { q.remove(task) }
        task.waitQueues = []
        if !task.hostWaits.isEmpty || task.wakeDeadline != nil { sleepers.removeAll { $0 === task } }
        task.hostWaits = []
        task.wakeDeadline = nil
        if task.completesOnWake, let r = result { task.completion = r }
        task.completesOnWake = false
        let first = preempts(task)
        if first && runningTask != nil { preemptRequested = true }
        makeRunnable(task, first: first)
    }

    /// Wakes sleepers whose deadline passed or whose host descriptors are ready; with `mayBlock`
    /// (nothing runnable), waits for the first of them.
    func waitForEvents(mayBlock: Bool) {
        var now = host.monotonicTime()
        expireDeadlines(now)
        var requests: [PollRequest] = []
        var owners: [Task?] = []
        for t in sleepers {
            for r in t.hostWaits { requests.append(r); owners.append(t) }
        }
        // The guest's terminal takes typing whenever it comes (^C must work while nobody reads).
        if let fd = terminal?.hostInputToPoll { requests.append(PollRequest(fd: fd, events: PollRequest.readable)); owners.append(nil) }
        var typedInto: [Int: PseudoTerminal] = [:]
        for t in hostTerminals {
            if let fd = t.hostInputToPoll {
                typedInto[requests.count] = t
                requests.append(PollRequest(fd: fd, events: PollRequest.readable))
                owners.append(nil)
            }
        }
        let watched = requests.count
        for w in hostWatches { requests.append(PollRequest(fd: w.fd, events: PollRequest.readable)); owners.append(nil) }
        let block = mayBlock && runQueue.isEmpty && termination == nil
        if !requests.isEmpty || block {
            var timeout: Int64 = 0
            if block { timeout = earliestDeadline().map { $0 > now ? Int64($0 - now) : 0 } ?? -1 }
            let ready = requests.withUnsafeMutableBufferPointer { host.poll($0, timeout: timeout) }
            if ready > 0 {
                for (i, r) in requests.enumerated() where r.returnedEvents != 0 {
                    if i >= watched {
                        if let w = hostWatches.first(where: { $0.fd == r.fd }) { w.handler() }
                    } else if let owner = owners[i] {
                        wake(owner, result: nil)
                    } else if let tty = typedInto[i] {
                        receiveTerminalInput(tty)
                    } else if let tty = terminal {
                        receiveTerminalInput(tty)
                    }
                }
            }
            now = host.monotonicTime()
            expireDeadlines(now)
        }
        forwardHostSignals()
    }

    private func expireDeadlines(_ now: UInt64) {
        var expired: [Task] = []
        for t in sleepers { if let d = t.wakeDeadline, d <= now { expired.append(t) } }
        for t in expired { wake(t, result: t.timeoutResult) }
        fireTimers(now)
    }

    /// Signals the host received: those a terminal generates (SIGINT, SIGQUIT, SIGWINCH) go to
    /// the guest's foreground process group, as the terminal would send them; the others
    /// (SIGTERM, SIGHUP) go to the container's first process, as `docker stop`/`kill` do.
    func forwardHostSignals() {
        let pending = host.takePendingSignals()
        if pending == 0 { return }
        for signo in Int32(1)...Signal.count where pending & Signal.bit(signo) != 0 {
            if signo == Signal.SIGWINCH, let tty = terminal {
                hostWindowResized(tty)   // TIOCSWINSZ on the guest's terminal, which signals its foreground group
                continue
            }
            let toGroup = signo == Signal.SIGINT || signo == Signal.SIGQUIT || signo == Signal.SIGWINCH
            let group = terminal?.foregroundGroup ?? foregroundProcessGroup
            log("forwarding host signal \(signo) to \(toGroup ? "process group \(group)" : "process 1")")
            var delivered = false
            if toGroup {
                for p in processes.values where p.processGroup == group && !p.isZombie {
                    sendSignal(to: p, SignalInfo(signo: signo, code: 0x80), fromOutside: true)
                    delivered = true
                }
            }
            if !delivered, let i = initProcess, !i.isZombie {
                sendSignal(to: i, SignalInfo(signo: signo, code: 0x80), fromOutside: true)
            }
        }
    }
}
