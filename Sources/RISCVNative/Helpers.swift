import RISCV

// Swift functions compiled code calls directly (C calling convention): the TLB refill on a miss
// and floating point. Compiled code saves the caller-saved registers it uses around the call.

package enum Helpers {
    /// (address space, guest address, size, write) -> whether the TLB entry is now filled (then
    /// the access retries the fast path; else it leaves to the interpreter).
    package typealias TLBRefill = @convention(c) (UnsafeMutableRawPointer, UInt64, Int, Bool) -> Bool

    package static let refillTLB: TLBRefill = { memory, address, size, write in
        Unmanaged<GuestMemory>.fromOpaque(memory)._withUnsafeGuaranteedRef {
            $0.refillTLB(address, size: size, write: write)
        }
    }

    /// `TLBRefill` with the RISC-V tier's context last: a refill that changed a translation (a
    /// copy-on-write break) empties every loop page entry, so no loop keeps a page across it.
    typealias TLBRefillKeepingPages = @convention(c) (UnsafeMutableRawPointer, UInt64, Int, Bool, UnsafeMutableRawPointer) -> Bool

    static let refillTLBKeepingPages: TLBRefillKeepingPages = { memory, address, size, write, context in
        Unmanaged<GuestMemory>.fromOpaque(memory)._withUnsafeGuaranteedRef {
            let before = $0.tlbGeneration
            let filled = $0.refillTLB(address, size: size, write: write)
            if $0.tlbGeneration != before { NativeContext.emptyPages(context) }
            return filled
        }
    }

    /// (hart, decoded instruction) -> false if the instruction is illegal (nothing changed).
    typealias FloatingPoint = @convention(c) (UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Bool

    static let floatingPoint: FloatingPoint = { hart, instruction in
        Unmanaged<Hart>.fromOpaque(hart)._withUnsafeGuaranteedRef {
            $0.executeFloatingPoint(instruction.assumingMemoryBound(to: DecodedInstruction.self))
        }
    }

    package static func address(_ f: TLBRefill) -> UInt64 { UInt64(UInt(bitPattern: unsafeBitCast(f, to: UnsafeRawPointer.self))) }
    static func address(_ f: TLBRefillKeepingPages) -> UInt64 { UInt64(UInt(bitPattern: unsafeBitCast(f, to: UnsafeRawPointer.self))) }
    static func address(_ f: FloatingPoint) -> UInt64 { UInt64(UInt(bitPattern: unsafeBitCast(f, to: UnsafeRawPointer.self))) }
}
