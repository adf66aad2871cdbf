// Pre-decoded code pages. Every executed guest page gets an array of decoded instructions, one
// slot per 2-byte offset (compressed instructions may start at any even address). Slots are
// decoded a straight-line run at a time, when execution first reaches them: from the entry slot
// up to and including the next control-flow instruction (or the page end, or an already
// decoded slot). A slot's pc is its page's base plus twice its index. Each slot records how many instructions execute from it to the end of its run,
// so the run loop counts retired instructions once per run instead of once per instruction.
// Two sentinel slots past the end send execution that runs off the page back to the page
// lookup; a header slot records whether the page holds live code (then stores into it take the
// slow path, which drops exactly the decoded instructions and compiled blocks a store overlaps:
// `GuestMemory.invalidateCode`) and how many slots are decoded; a last slot holds the native
// tier's mask of 64-byte lines covered by compiled blocks.
package enum CodePage {
    static let slotCount = Int(GuestMemory.pageSize / 2)       // 2048 instruction slots
    static let headerSlot = slotCount + 2                       // after the two sentinels
    static let nativeLinesSlot = slotCount + 3
    static let allocatedSlots = slotCount + 4

    /// Header flags (in the header slot's imm): the page holds decoded or compiled code; the
    /// page holds the upper half of the previous page's last instruction.
    static let holdsDecodedCode: Int32 = 1
    static let holdsSpill: Int32 = 2

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
        p[headerSlot].count = 0
        setNativeLines(p, 0)
    }

    /// Forgets the decoded instructions whose bytes overlap byte offsets [from, to) of the page
    /// (`to` may pass the page end: the last instruction may straddle into the next page).
    /// Returns how many slots it reset. A slot covers `len` slots from its own (a fused pair up
    /// to 4), and a slot fused with the units after it (`Fusion.fuseUnits`) their slots too
    /// (up to 16 in all: `Fusion.span`), so slots from 15 before `from` are checked, in order:
    /// such a slot is checked while the slots after it still hold their lengths. Run counts of earlier slots in the same
    /// run stay as they were: the retired-instruction count is approximate right after code
    /// changes under a running run, as it was when whole pages were reset.
    @discardableResult
    static func reset(_ p: UnsafeMutablePointer<DecodedInstruction>, from: Int, to: Int) -> Int {
        var s = max(0, from / 2 - 15)
        let last = min(slotCount - 1, (to - 1) / 2)
        var dropped = 0
        while s <= last {
            if p[s].op != .undecoded && 2 * (s + Fusion.span(p + s)) > from {
                p[s] = DecodedInstruction(op: .undecoded, rd: 0, len: 0)
                dropped += 1
            }
            s += 1
        }
        if dropped > 0 { p[headerSlot].count &-= UInt16(truncatingIfNeeded: dropped) }
        return dropped
    }

    @inline(__always) package static func holdsCode(_ p: UnsafeMutablePointer<DecodedInstruction>) -> Bool {
        p[headerSlot].imm != 0
    }

    @inline(__always) static func setHoldsCode(_ p: UnsafeMutablePointer<DecodedInstruction>) {
        p[headerSlot].imm |= holdsDecodedCode
    }

    static func setHoldsSpill(_ p: UnsafeMutablePointer<DecodedInstruction>) {
        p[headerSlot].imm |= holdsSpill
    }

    /// Records `n` newly decoded slots.
    @inline(__always) static func addDecoded(_ p: UnsafeMutablePointer<DecodedInstruction>, _ n: Int) {
        p[headerSlot].count &+= UInt16(truncatingIfNeeded: n)
    }

    /// When nothing decoded or compiled is left in the page, stores into it may take the fast
    /// path again (unless it holds the previous page's straddling instruction).
    static func releaseIfEmpty(_ p: UnsafeMutablePointer<DecodedInstruction>) -> Bool {
        guard p[headerSlot].count == 0 && nativeLines(p) == 0 else { return false }
        p[headerSlot].imm &= ~holdsDecodedCode
        return !holdsCode(p)
    }

    /// The 64-byte lines of the page that hold compiled code (bit i: bytes 64i..<64i+64).
    @inline(__always) package static func nativeLines(_ p: UnsafeMutablePointer<DecodedInstruction>) -> UInt64 {
        UnsafeMutableRawPointer(p + nativeLinesSlot).load(as: UInt64.self)
    }

    package static func setNativeLines(_ p: UnsafeMutablePointer<DecodedInstruction>, _ lines: UInt64) {
        UnsafeMutableRawPointer(p + nativeLinesSlot).storeBytes(of: lines, as: UInt64.self)
    }

    /// The lines byte offsets [from, to) of a page touch (`to` at most the page size).
    package static func lines(from: Int, to: Int) -> UInt64 {
        if to <= from { return 0 }
        let first = from >> 6, last = (to - 1) >> 6
        let upper = last >= 63 ? UInt64.max : (UInt64(1) << UInt64(last + 1)) &- 1
        return upper & ~((UInt64(1) << UInt64(first)) &- 1)
    }

    static func free(_ p: UnsafeMutablePointer<DecodedInstruction>) {
        p.deallocate()
    }
}
