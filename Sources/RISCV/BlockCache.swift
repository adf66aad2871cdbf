// Pre-decoded code pages. Every executed guest page gets an array of decoded instructions, one
// slot per 2-byte offset (compressed instructions may start at any even address). Slots are
// decoded a straight-line run at a time, when execution first reaches them: from the entry slot
// up to and including the next control-flow instruction (or the page end, or an already
// decoded slot). A slot's pc is its page's base plus twice its index. Each slot records how many instructions execute from it to the end of its run,
// so the run loop counts retired instructions once per run instead of once per instruction.
// Two sentinel slots past the end send execution that runs off the page back to the page
// lookup, and a header slot records whether the page holds live decoded code (then stores into
// it take the slow path, which invalidates it).

package enum CodePage {
    static let slotCount = Int(GuestMemory.pageSize / 2)       // 2048 instruction slots
    static let headerSlot = slotCount + 2                       // after the two sentinels
    static let allocatedSlots = slotCount + 3

    /// A page of undecoded slots (all zero bytes: `Op.undecoded` is 0) and its two end sentinels.
    static func allocate() -> UnsafeMutablePointer<DecodedInstruction> {
        let p = ZeroedMemory.allocate(byteCount: allocatedSlots * MemoryLayout<DecodedInstruction>.stride)
            .bindMemory(to: DecodedInstruction.self, capacity: allocatedSlots)
        (p + slotCount).initialize(repeating: DecodedInstruction(op: .pageEnd), count: 2)
        return p
    }

    /// Forgets every decoded instruction of the page (it stays allocated: a hart may be
    /// executing in it right now and simply re-decodes the next slot it reaches; the run loop
    /// derives a slot's pc from its position, never from the slot's contents).
    static func reset(_ p: UnsafeMutablePointer<DecodedInstruction>) {
        UnsafeMutableRawPointer(p).initializeMemory(as: UInt8.self, repeating: 0,
                                                    count: slotCount * MemoryLayout<DecodedInstruction>.stride)
        p[headerSlot].imm = 0
    }

    @inline(__always) package static func holdsCode(_ p: UnsafeMutablePointer<DecodedInstruction>) -> Bool {
        p[headerSlot].imm != 0
    }

    @inline(__always) static func setHoldsCode(_ p: UnsafeMutablePointer<DecodedInstruction>) {
        p[headerSlot].imm = 1
    }

    static func free(_ p: UnsafeMutablePointer<DecodedInstruction>) {
        p.deallocate()
    }
}
