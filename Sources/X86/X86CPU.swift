// One x86-64 logical processor in 64-bit user mode: the general-purpose registers, rip, the
// arithmetic flags (kept lazily: see Flags.swift), the FS and GS bases, the SSE registers and
// MXCSR, and the x87 unit. `run` (Interpreter.swift) executes guest code until something needs
// the kernel.
#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

public final class X86CPU {
    /// The address space (shared with the RISC-V CPU's memory design: GuestMemory in the RISCV
    /// module); replaced on execve and shared by threads (CLONE_VM).
    public var memory: GuestMemory
    public var rip: UInt64 = 0
    public var instructionsRetired: UInt64 = 0
    /// Provider of the time stamp counter (nanoseconds), set by the kernel.
    public var timeSource: (() -> UInt64)?

    /// The register file, one buffer of 64-bit words (`X86Registers` has the layout).
    package let regs: UnsafeMutablePointer<UInt64>
    /// The fault raised by a slow-path memory access, picked up by the run loop.
    var pendingFault = MemoryFault(address: 0, kind: .read, isUnmapped: true)
    /// `memory`'s TLBs (taken again at every `run`: an exec replaces the memory).
    var readTLB: UnsafeMutablePointer<TLBEntry>
    var writeTLB: UnsafeMutablePointer<TLBEntry>

    public init(memory: GuestMemory) {
        self.memory = memory
        precondition(TLB.mask == X86Core.tlbMask)
        // X86CodeCache.pageCacheOffset: a chunk's instructions and its cached pages, 32 bytes each.
        precondition(MemoryLayout<X86Instruction>.stride == 32 && MemoryLayout<X86PageCache>.stride == 32)
        readTLB = memory.readTLB
        writeTLB = memory.writeTLB
        regs = UnsafeMutablePointer<UInt64>.allocate(capacity: X86Registers.count)
        regs.initialize(repeating: 0, count: X86Registers.count)
        regs[X86Registers.mxcsr] = X86CPU.defaultMXCSR
        regs[X86Registers.flags] = X86Flags.fixed
        x87Reset()
    }

    deinit {
        regs.deallocate()
    }

    /// MXCSR after reset: every exception masked, round to nearest.
    public static let defaultMXCSR: UInt64 = 0x1f80

    /// `body` with a copy of the register file taken before it runs, to put back when the
    /// instruction it runs must be undone (an unmasked SSE or x87 exception).
    func withRegisterSnapshot<R>(_ body: (UnsafeMutablePointer<UInt64>) -> R) -> R {
        let saved = UnsafeMutablePointer<UInt64>.allocate(capacity: X86Registers.count)
        defer { saved.deallocate() }
        saved.update(from: regs, count: X86Registers.count)
        return body(saved)
    }

    /// General-purpose register `i` (0...15: rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8...r15).
    public func register(_ i: Int) -> UInt64 { regs[i & 15] }
    public func setRegister(_ i: Int, _ v: UInt64) { regs[i & 15] = v }

    public var fsBase: UInt64 {
        get { regs[X86Registers.fsBase] }
        set { regs[X86Registers.fsBase] = newValue }
    }
    public var gsBase: UInt64 {
        get { regs[X86Registers.gsBase] }
        set { regs[X86Registers.gsBase] = newValue }
    }

    /// The low and high halves of xmm register `i`.
    public func xmm(_ i: Int) -> (UInt64, UInt64) {
        (regs[X86Registers.xmm + 2 * (i & 15)], regs[X86Registers.xmm + 2 * (i & 15) + 1])
    }
    public func setXMM(_ i: Int, _ v: (UInt64, UInt64)) {
        regs[X86Registers.xmm + 2 * (i & 15)] = v.0
        regs[X86Registers.xmm + 2 * (i & 15) + 1] = v.1
    }

    public var mxcsr: UInt32 {
        get { UInt32(truncatingIfNeeded: regs[X86Registers.mxcsr]) }
        set { regs[X86Registers.mxcsr] = UInt64(newValue & 0xffff) }
    }

    /// RFLAGS as pushf would store it (the lazily kept arithmetic flags materialised).
    public var rflags: UInt64 {
        get { flagsValue() }
        set { setFlagsValue(newValue) }
    }

    /// Copies every register (for clone/fork).
    public func copyState(from other: X86CPU) {
        regs.update(from: other.regs, count: X86Registers.count)
        rip = other.rip
    }

    /// Zeroes the registers and puts the x87 unit and MXCSR in their initial state (execve).
    public func reset() {
        regs.update(repeating: 0, count: X86Registers.count)
        regs[X86Registers.mxcsr] = X86CPU.defaultMXCSR
        regs[X86Registers.flags] = X86Flags.fixed
        x87Reset()
        rip = 0
    }
}

/// Layout of the CPU's register file (64-bit words). Instructions name general-purpose
/// registers by their *byte offset* in this buffer, so that every operand size is one load
/// or store: a 64-bit register at 8*i, its low byte at 8*i, ah/ch/dh/bh at 8*i+1.
package enum X86Registers {
    package static let rax = 0, rcx = 1, rdx = 2, rbx = 3, rsp = 4, rbp = 5, rsi = 6, rdi = 7
    /// Always zero: the base or index of an address that has none.
    package static let zero = 16
    package static let fsBase = 17
    package static let gsBase = 18
    /// Lazy flags (Flags.swift): the operation, its operands and its result.
    package static let ccOp = 20
    package static let ccA = 21
    package static let ccB = 22
    package static let ccRes = 23
    /// RFLAGS' other bits (DF, ID, AC...) and, when `ccOp` is 0, the arithmetic flags themselves.
    package static let flags = 24
    package static let mxcsr = 25
    /// x87 control word, status word (without TOP), tag word (1 bit per register: empty), TOP.
    package static let fpuControl = 26
    package static let fpuStatus = 27
    package static let fpuTags = 28
    package static let fpuTop = 29
    /// xmm0...xmm15 as (low, high) pairs: words 32...63.
    package static let xmm = 32
    /// Two hidden xmm registers (16 and 17, words 64...67) where MMX operations run on the
    /// xmm code (X86Execute+MMX.swift).
    package static let scratch: UInt8 = 16
    /// x87 st registers by physical number: two words each (64-bit significand, sign+exponent);
    /// the significands are also mm0...mm7.
    package static let fpu = 68
    package static let count = 84

    /// Byte offset of the 64/32/16-bit register `i` (or of the low byte register with REX).
    @inline(__always) package static func offset(_ i: Int) -> UInt8 { UInt8(i << 3) }
    /// Byte offset of byte register `i` without REX (4...7 are ah, ch, dh, bh).
    @inline(__always) package static func byteOffset(_ i: Int, rex: Bool) -> UInt8 {
        (!rex && i >= 4 && i < 8) ? UInt8(((i - 4) << 3) + 1) : UInt8(i << 3)
    }
    package static let zeroOffset = UInt8(zero << 3)
    package static let fsOffset = UInt8(fsBase << 3)
    package static let gsOffset = UInt8(gsBase << 3)
}
