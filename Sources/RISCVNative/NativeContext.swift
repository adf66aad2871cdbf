import RISCV

// The block shared by the Swift side and compiled code, and the register conventions of compiled
// code (x86-64 System V host):
//
//   rbx  the hart's register file (x0...x31, scratch, f0...f31: `Registers`)
//   r14  this context (the read and write TLBs, 16-byte entries of tag and addend, are reached
//        from it: at a fixed displacement, or through their pointers in it), r15 the
//        instruction budget left (retired counts are subtracted at exits)
//   rsi, rdi, r8-r11, rbp, r12, r13  guest registers (`RegisterCache`)
//   rax, rcx, rdx  scratch
//
// Exits store the next pc in the context and return a code in eax (`NativeExit`).

package enum NativeContext {
    package static let regsOffset: Int32 = 0
    package static let readTLBOffset: Int32 = 8
    package static let writeTLBOffset: Int32 = 16
    package static let budgetOffset: Int32 = 24
    package static let pcOffset: Int32 = 32
    /// The tier's jump cache (`JumpCache`): guest pc -> compiled block, for computed jumps.
    package static let jumpCacheOffset: Int32 = 40
    /// The address space (unretained), for the TLB refill helper.
    package static let memoryOffset: Int32 = 48
    /// The running hart (unretained), for the floating-point helper.
    package static let hartOffset: Int32 = 56
    /// `AccessPlan.slots` words: the TLB addends of the running block's access groups.
    static let slotsOffset: Int32 = 64
    /// `pageEntries` entries of 64 bytes, each two pages of 32 bytes (page start, limit, addend;
    /// the first page's fourth word holds, in a loop's first entry, the number of the loop that
    /// took the entries): the page a loop's access last probed and the one it probed before that
    /// (`BlockTranslator.pageAddend`). A loop uses up to `loopPages` of them, from a multiple of
    /// `loopPages` its owner number chooses, so loops that run in turn keep theirs; whenever a
    /// translation may have changed, all are emptied (`emptyPages`).
    static let pagesOffset: Int32 = slotsOffset + 8 * Int32(AccessPlan.slots)
    static let loopPages = 8
    static let pageEntries = 64
    /// In a loop's first entry: the owner number (32 bits) of the loop that took the entries.
    static let pageTag: Int32 = 24
    package static let size = Int(pagesOffset) + 64 * pageEntries

    /// A translation may have changed (`GuestMemory.tlbGeneration` moved: checked before the
    /// tier enters compiled code, and in the refill helper): every loop page entry is emptied
    /// (limit 0; `owners`: the owner tags cleared too, when the tier's numbers start again).
    static func emptyPages(_ context: UnsafeMutableRawPointer, owners: Bool = false) {
        for e in 0..<pageEntries {
            let p = context + Int(pagesOffset) + 64 * e
            p.storeBytes(of: 0 as UInt64, toByteOffset: 8, as: UInt64.self)
            p.storeBytes(of: 0 as UInt64, toByteOffset: Int(previousPage) + 8, as: UInt64.self)
            if owners { p.storeBytes(of: 0 as UInt64, toByteOffset: Int(pageTag), as: UInt64.self) }
        }
    }

    static func slotOffset(_ slot: Int32) -> Int32 { slotsOffset + 8 * slot }
    /// The entry of a loop's access `page`: its last page at +0, the one before at
    /// `+ previousPage`.
    static func pageOffset(_ page: Int32) -> Int32 { pagesOffset + 64 * page }
    static let previousPage: Int32 = 32

    /// Where the read and write TLBs are relative to the context (compiled code addresses an
    /// entry as [context + index + displacement]).
    struct TLBDisplacements {
        var read: Int32
        var write: Int32
    }

    /// The displacements of `memory`'s TLBs from `context`, when every entry is within reach of
    /// a 32-bit displacement (both are allocated on the same heap, so normally they are).
    static func tlbDisplacements(_ context: UnsafeMutableRawPointer, _ memory: GuestMemory) -> TLBDisplacements? {
        func reach(_ tlb: UnsafeMutablePointer<TLBEntry>) -> Int32? {
            let d = Int(bitPattern: tlb) - Int(bitPattern: context)
            let span = TLB.entries * MemoryLayout<TLBEntry>.stride
            guard d > Int(Int32.min), d + span < Int(Int32.max) else { return nil }
            return Int32(d)
        }
        guard let read = reach(memory.readTLB), let write = reach(memory.writeTLB) else { return nil }
        return TLBDisplacements(read: read, write: write)
    }
}

/// What compiled code returns.
package enum NativeExit {
    /// Continue at the context's pc (look up the block there).
    package static let plain: UInt32 = 0
    /// The interpreter must execute the instruction at the context's pc.
    package static let interpret: UInt32 = 1
    /// Values from here on: a chainable exit (`value - firstLink` indexes the tier's link
    /// sites); once the target is compiled its jump is patched to go there directly.
    package static let firstLink: UInt32 = 2
}

/// Host registers of compiled code.
extension X86Register {
    package static let guestRegisters = X86Register.rbx
    package static let context = X86Register.r14
    package static let budget = X86Register.r15
}
