import RISCV

/// The function compiled code calls on a TLB miss: (address space, guest address, size, write)
/// -> whether the entry is now filled (then the access retries the fast path; else it leaves to
/// the interpreter). A C function so that compiled code can call it directly.
enum TLBRefill {
    typealias Function = @convention(c) (UnsafeMutableRawPointer, UInt64, Int, Bool) -> Bool

    static let function: Function = { memory, address, size, write in
        Unmanaged<GuestMemory>.fromOpaque(memory)._withUnsafeGuaranteedRef {
            $0.refillTLB(address, size: size, write: write)
        }
    }

    static var address: UnsafeRawPointer { unsafeBitCast(function, to: UnsafeRawPointer.self) }
}
