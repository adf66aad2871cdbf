// Pre-decoded code pages. Every executed guest page gets an array of decoded instructions, one
// slot per 2-byte offset (compressed instructions may start at any even address). Slots are
// decoded a straight-line run at a time, when execution first reaches them: from the entry slot
// up to and including the next control-flow instruction (or the page end, or an already
// decoded slot). Each slot records how many instructions execute from it to the end of its run,
// so the run loop counts retired instructions once per run instead of once per instruction.
// Two sentinel slots past the end send execution that runs off the page back to the page
// lookup, and a header slot records whether the page holds live decoded code (then stores into
// it take the slow path, which invalidates it).

enum CodePage {
    static let slotCount = Int(GuestMemory.pageSize / 2)       // 2048 instruction slots
    static let headerSlot = slotCount + 2                       // after the two sentinels
    static let allocatedSlots = slotCount + 3

    static func allocate() -> UnsafeMutablePointer<DecodedInstruction> {
        let p = UnsafeMutablePointer<DecodedInstruction>.allocate(capacity: allocatedSlots)
        p.initialize(repeating: DecodedInstruction(op: .undecoded), count: slotCount)
        for i in 0..<slotCount { p[i].offset = UInt16(i * 2) }
        (p + slotCount).initialize(repeating: DecodedInstruction(op: .pageEnd), count: 2)
        p[slotCount].offset = UInt16(slotCount * 2)
        p[slotCount + 1].offset = UInt16(slotCount * 2 + 2)
        (p + headerSlot).initialize(to: DecodedInstruction(op: .undecoded, imm: 0))
        return p
    }

    /// Forgets every decoded instruction of the page (it stays allocated: a hart may be
    /// executing in it right now and simply re-decodes the next slot it reaches).
    static func reset(_ p: UnsafeMutablePointer<DecodedInstruction>) {
        for i in 0..<slotCount {
            p[i] = DecodedInstruction(op: .undecoded)
            p[i].offset = UInt16(i * 2)
        }
        p[headerSlot].imm = 0
    }

    @inline(__always) static func holdsCode(_ p: UnsafeMutablePointer<DecodedInstruction>) -> Bool {
        p[headerSlot].imm != 0
    }

    @inline(__always) static func setHoldsCode(_ p: UnsafeMutablePointer<DecodedInstruction>) {
        p[headerSlot].imm = 1
    }

    static func free(_ p: UnsafeMutablePointer<DecodedInstruction>) {
        p.deallocate()
    }
}
