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

    /// (hart, decoded instruction) -> false if the instruction is illegal (nothing changed).
    typealias FloatingPoint = @convention(c) (UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Bool

    static let floatingPoint: FloatingPoint = { hart, instruction in
        Unmanaged<Hart>.fromOpaque(hart)._withUnsafeGuaranteedRef {
            $0.executeFloatingPoint(instruction.assumingMemoryBound(to: DecodedInstruction.self))
        }
    }

    package static func address(_ f: TLBRefill) -> UInt64 { UInt64(UInt(bitPattern: unsafeBitCast(f, to: UnsafeRawPointer.self))) }
    static func address(_ f: FloatingPoint) -> UInt64 { UInt64(UInt(bitPattern: unsafeBitCast(f, to: UnsafeRawPointer.self))) }
}
