/// membarrier. Every guest thread runs on the one host thread, one at a time, so each store is
/// seen by every other thread before it runs again and code changes reach all threads of an
/// address space at once: every barrier is already in place when the call is made. What is
/// left is Linux's bookkeeping: which commands exist, and that the expedited private ones need
/// the process to register first. The RSEQ commands are absent, as restartable sequences are.
extension Kernel {
    enum MembarrierCommand {
        static let query: Int32 = 0, global: Int32 = 1, globalExpedited: Int32 = 2, registerGlobalExpedited: Int32 = 4
        static let privateExpedited: Int32 = 8, registerPrivateExpedited: Int32 = 16
        static let privateExpeditedSyncCore: Int32 = 32, registerPrivateExpeditedSyncCore: Int32 = 64
        static let getRegistrations: Int32 = 512
        /// All of the above: 1 | 2 | 4 | 8 | 16 | 32 | 64 | 512.
        static let supported: Int32 = 639
    }

    func sysMembarrier(_ t: Task) throws(Errno) -> Int64 {
        typealias C = MembarrierCommand
        let command = Int32(truncatingIfNeeded: t.argument(0))
        if t.argument(1) != 0 { throw .EINVAL }
        let space = t.process.addressSpace
        switch command {
        case C.query:
            return Int64(C.supported)
        case C.global, C.globalExpedited:
            return 0
        case C.privateExpedited, C.privateExpeditedSyncCore:
            if space.membarrierRegistrations & (command << 1) == 0 { throw .EPERM }
            return 0
        case C.registerGlobalExpedited, C.registerPrivateExpedited, C.registerPrivateExpeditedSyncCore:
            space.membarrierRegistrations |= command
            return 0
        case C.getRegistrations:
            return Int64(space.membarrierRegistrations)
        default:
            throw .EINVAL
        }
    }
}
