// The A extension: LR/SC with a reservation on the hart, and AMOs. The whole guest runs on one
// host thread, so each AMO is trivially atomic; the scheduler clears reservations on task
// switches so an interleaved store by another task makes SC fail. Misaligned atomics fault.

extension Hart {
    /// Executes an LR, SC or AMO. Returns false (with `pendingFault` set) if it faulted.
    func executeAtomic(_ d: DecodedInstruction) -> Bool {
        let address = regs[Int(d.rs1)]
        let isDouble = d.op == .lrD || d.op == .scD || d.op == .amoD
        let size = isDouble ? 8 : 4
        if address & UInt64(size - 1) != 0 {
            let kind: AccessKind = d.op == .lrW || d.op == .lrD ? .read : .write
            pendingFault = MemoryFault(address: address, kind: kind, isUnmapped: false, isMisaligned: true)
            return false
        }
        func extend(_ v: UInt64) -> UInt64 { isDouble ? v : sext32(v) }
        switch d.op {
        case .lrW, .lrD:
            let (v, f) = memory.loadSlow(address, size)
            if let f { pendingFault = f; return false }
            regs[Int(d.rd)] = extend(v)
            reservation = address
            return true
        case .scW, .scD:
            let reserved = reservation == address
            reservation = Hart.noReservation
            if !reserved {
                // The store may still fault (SC to an unwritable address traps).
                if let f = probeWrite(address) { pendingFault = f; return false }
                regs[Int(d.rd)] = 1
                return true
            }
            if let f = memory.storeSlow(address, size, regs[Int(d.rs2)]) { pendingFault = f; return false }
            regs[Int(d.rd)] = 0
            return true
        default:
            // AMOs need write permission even to read.
            if let f = probeWrite(address) { pendingFault = f; return false }
            let (raw, f) = memory.loadSlow(address, size)
            if let f { pendingFault = f; return false }
            let old = extend(raw)
            let src = isDouble ? regs[Int(d.rs2)] : sext32(regs[Int(d.rs2)])
            let new: UInt64
            switch AtomicOperation(rawValue: d.rm)! {
            case .swap: new = src
            case .add: new = old &+ src
            case .xor: new = old ^ src
            case .and: new = old & src
            case .or: new = old | src
            case .min: new = Int64(bitPattern: old) < Int64(bitPattern: src) ? old : src
            case .max: new = Int64(bitPattern: old) > Int64(bitPattern: src) ? old : src
            case .minu: new = old < src ? old : src
            case .maxu: new = old > src ? old : src
            }
            if let f = memory.storeSlow(address, size, new) { pendingFault = f; return false }
            regs[Int(d.rd)] = old
            return true
        }
    }

    /// The fault a store to `address` would raise, without storing.
    func probeWrite(_ address: UInt64) -> MemoryFault? {
        guard let e = memory.table.entry(address >> 12), e.pointee.isMapped else {
            return MemoryFault(address: address, kind: .write, isUnmapped: true)
        }
        if !MemoryProtection(rawValue: e.pointee.protection).contains(.write) {
            return MemoryFault(address: address, kind: .write, isUnmapped: false)
        }
        return nil
    }
}
