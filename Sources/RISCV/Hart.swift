// One RISC-V hardware thread in user mode: its register file, pc, fcsr, instruction counter and
// LR/SC reservation. `run` (Interpreter.swift) executes guest code until something needs the
// kernel.

public final class Hart {
    /// The address space; replaced on execve and shared by threads (CLONE_VM).
    public var memory: GuestMemory
    public var pc: UInt64 = 0
    public var instructionsRetired: UInt64 = 0
    /// Provider of the rdtime value (nanoseconds), set by the kernel.
    public var timeSource: (() -> UInt64)?

    /// x0...x31, a scratch slot for writes to x0, f0...f31 and fcsr (see `Registers`).
    package let regs: UnsafeMutablePointer<UInt64>
    /// LR/SC reservation: the reserved address, or `noReservation`. Kept in the register file
    /// (`Registers.reservation`) so that compiled code can take and check it.
    var reservation: UInt64 {
        get { regs[Registers.reservation] }
        set { regs[Registers.reservation] = newValue }
    }
    package static let noReservation = UInt64.max
    /// The fault raised by a slow-path memory access, picked up by the run loop.
    var pendingFault = MemoryFault(address: 0, kind: .read, isUnmapped: true)

    public init(memory: GuestMemory) {
        self.memory = memory
        regs = UnsafeMutablePointer<UInt64>.allocate(capacity: Registers.count)
        regs.initialize(repeating: 0, count: Registers.count)
        reservation = Hart.noReservation
    }

    deinit {
        regs.deallocate()
    }

    /// Integer register `i` (0...31); x0 reads as zero.
    public func x(_ i: Int) -> UInt64 {
        regs[i & 31]
    }

    /// Sets integer register `i` (0...31); writes to x0 are ignored.
    public func setX(_ i: Int, _ v: UInt64) {
        if i & 31 != 0 { regs[i & 31] = v }
    }

    /// Raw bits of FP register `i` (single-precision values are NaN-boxed).
    public func f(_ i: Int) -> UInt64 {
        regs[Int(Registers.fBase) + (i & 31)]
    }

    public func setF(_ i: Int, _ v: UInt64) {
        regs[Int(Registers.fBase) + (i & 31)] = v
    }

    /// frm (bits 7:5) | fflags (bits 4:0).
    public var fcsr: UInt32 {
        get { UInt32(truncatingIfNeeded: regs[Registers.fcsr]) }
        set { regs[Registers.fcsr] = UInt64(newValue & 0xff) }
    }

    /// Drops any LR reservation (the scheduler calls this on every task switch).
    public func clearReservation() {
        reservation = Hart.noReservation
    }

    /// Copies registers, pc and fcsr (for clone/fork); the reservation is not inherited.
    public func copyState(from other: Hart) {
        regs.update(from: other.regs, count: Registers.count)
        regs[Int(Registers.scratch)] = 0
        pc = other.pc
        reservation = Hart.noReservation
    }
}
