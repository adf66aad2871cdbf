/// Tasks sleeping until something inside the guest changes (a pipe gets data, a child exits…).
/// Waking a task makes it runnable; a task that was waiting for readiness re-executes its system
/// call, so a wake-up that finds nothing to do simply parks it again.
final class WaitQueue {
    private(set) var waiters: [Task] = []
    /// Counts wake-ups (each one is a new event: data arrived, space freed, a peer closed), so
    /// edge-triggered epoll can tell a new event from a state it already reported.
    private(set) var generation: UInt64 = 0
    /// Descriptions with O_ASYNC on this queue's file: each wake-up sends their owners SIGIO.
    var asyncFiles: [FileDescription] = []

    func add(_ task: Task) {
        if !waiters.contains(where: { $0 === task }) { waiters.append(task) }
    }

    func remove(_ task: Task) {
        waiters.removeAll { $0 === task }
    }

    var isEmpty: Bool { waiters.isEmpty }

    func wakeAll(_ kernel: Kernel) {
        generation &+= 1
        if !asyncFiles.isEmpty { kernel.signalAsyncOwners(self) }
        if waiters.isEmpty { return }
        let woken = waiters
        waiters.removeAll()
        for t in woken { kernel.wake(t, result: nil) }
    }

    /// Wakes up to `count` tasks; returns how many.
    func wake(_ kernel: Kernel, count: Int, result: Int64?) -> Int {
        generation &+= 1
        if !asyncFiles.isEmpty { kernel.signalAsyncOwners(self) }
        var n = 0
        while n < count && !waiters.isEmpty {
            let t = waiters.removeFirst()
            kernel.wake(t, result: result)
            n += 1
        }
        return n
    }
}
