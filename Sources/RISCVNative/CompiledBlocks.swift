import RISCV

// What a native tier keeps of the blocks it compiled, for either guest ISA: the code buffer
// (the tier's trampolines at its start), the blocks by number, the chainable exits and the
// block each is patched to, the blocks compiled from each guest page, and the jump cache.
// A block's number is kept in its entry instruction's `native` field modulo `numberSpan`.
// Dropping a block makes it unreachable (exits chained to it leave to the tier again, the jump
// cache forgets it, its entry no longer matches); its space is reclaimed at the next flush.

package final class CompiledBlocks {
    /// Reserved address space for compiled code (pages are committed as code is written). A
    /// JVM compiles well over 32 MB of blocks: a smaller buffer flushed and recompiled
    /// everything again and again (qemu-user's translation buffer is 1 GB).
    static let bufferSize = 256 << 20
    /// Block numbers are kept in the slot's `native` field modulo `numberSpan`; a lookup tries
    /// every block number with that remainder (a handful at most).
    static let numberSpan = Int(NativeSlot.never - NativeSlot.firstBlock)
    static let maxBlocks = 1 << 19

    private struct Block {
        /// The entry (`dead` once dropped: no pc is odd).
        var pc: UInt64
        /// The guest bytes it was compiled from, [start, end) in the entry's page and the next.
        var start: UInt64
        var end: UInt64
        var address: UInt
        static let dead = UInt64.max
    }
    private var blocks: [Block] = []
    /// Per block, the chainable exits (link numbers) patched to jump to it.
    private var incoming: [[Int32]] = []
    private struct Link {
        /// The absolute address of the exit jump's rel32 field.
        var site: UInt
        /// The block it is patched to jump to, or -1 (then it jumps to the code right after
        /// it, which leaves to the tier with the link number).
        var target: Int32
    }
    /// Chainable exits of all blocks.
    private var links: [Link] = []
    /// The blocks compiled from each guest page.
    private var pageBlocks: [UInt64: [Int32]] = [:]

    package let jumpCache = JumpCache()
    package private(set) var code: ExecutableMemory?
    private var trampolineBytes = 0

    /// Counts flushes: link numbers handed out before one are void after it.
    package private(set) var flushes = 0
    /// Blocks compiled since the last flush and not dropped since.
    package private(set) var live = 0
    /// Blocks dropped because the guest bytes they were compiled from changed.
    package private(set) var dropped = 0
    /// Blocks compiled in all.
    package private(set) var compiled = 0
    /// Called before every flush (the tier's statistics and code dump).
    package var willFlush: (() -> Void)?

    package init() {}

    deinit { jumpCache.deallocate() }

    /// The link number the next block's first chainable exit gets.
    package var nextLinkID: UInt32 { NativeExit.firstLink + UInt32(links.count) }

    /// The code buffer; made on first use with the trampolines `assemble` returns for its start.
    package func buffer(assemble: (UInt) -> [UInt8]) -> ExecutableMemory? {
        if let code { return code }
        guard let code = ExecutableMemory(size: Self.bufferSize) else { return nil }
        code.append(assemble(code.address))
        trampolineBytes = code.used
        self.code = code
        return code
    }

    /// The compiled block numbered `native` (an entry slot's field, at least `firstBlock`)
    /// entered at `pc`, if it is still there.
    package func find(_ native: UInt16, pc: UInt64) -> (index: Int32, address: UInt)? {
        var i = Int(native - NativeSlot.firstBlock)
        while i < blocks.count {
            if blocks[i].pc == pc {
                jumpCache.insert(pc: pc, address: blocks[i].address)
                return (Int32(i), blocks[i].address)
            }
            i += Self.numberSpan
        }
        return nil
    }

    /// The `native` field value for the block compiled last.
    package var lastNumber: UInt16 { NativeSlot.firstBlock + UInt16((blocks.count - 1) % Self.numberSpan) }

    /// The block `translate` makes for `pc` (given the address it will be placed at and its
    /// first link number: its code, its chainable exits' rel32 offsets, the guest bytes
    /// [start, end) it covers), placed in the buffer and recorded: stores into its bytes leave
    /// compiled code and drop it. nil when it cannot be compiled (the buffer is flushed once
    /// when full).
    package func add(_ pc: UInt64, memory: GuestMemory,
                     translate: (_ base: UInt, _ firstLinkID: UInt32) -> (bytes: [UInt8], links: [Int], start: UInt64, end: UInt64)?)
        -> (index: Int32, address: UInt)? {
        guard let code, let slots = memory.codeSlots(pc) else { return nil }
        for attempt in 0..<2 {
            if blocks.count >= Self.maxBlocks { flush() }
            guard let t = translate(code.address, nextLinkID) else { return nil }
            if !code.canHold(t.bytes.count) {
                if attempt == 0 { flush(); continue }
                return nil
            }
            // A block that runs into the next page is listed under both.
            let pageEnd = ((pc >> 12) + 1) << 12
            let nextSlots = t.end > pageEnd ? memory.codeSlots(pageEnd) : nil
            if t.end > pageEnd && nextSlots == nil { return nil }
            let address = code.address
            code.append(t.bytes)
            for l in t.links { links.append(Link(site: address &+ UInt(l), target: -1)) }
            memory.noteCompiledCode(slots, from: t.start, to: min(t.end, pageEnd))
            pageBlocks[pc >> 12, default: []].append(Int32(blocks.count))
            if let next = nextSlots {
                memory.noteCompiledCode(next, from: pageEnd, to: t.end)
                pageBlocks[pageEnd >> 12, default: []].append(Int32(blocks.count))
            }
            blocks.append(Block(pc: pc, start: t.start, end: t.end, address: address))
            incoming.append([])
            live += 1
            compiled += 1
            jumpCache.insert(pc: pc, address: address)
            return (Int32(blocks.count - 1), address)
        }
        return nil
    }

    /// Patches chainable exit `exit` (taken in flush generation `generation`) to jump straight
    /// to block `target` from now on.
    package func chain(_ exit: UInt32, generation: Int, to target: Int32, at address: UInt) {
        guard exit >= NativeExit.firstLink && flushes == generation else { return }
        let i = Int(exit - NativeExit.firstLink)
        guard i < links.count else { return }
        code?.patch(rel32At: links[i].site, to: address)
        links[i].target = target
        incoming[Int(target)].append(Int32(i))
    }

    /// Guest bytes [from, to) of page `vpn` change: drops the blocks compiled from any of them
    /// (with `wholePage`, every block of the page) and returns the page's remaining compiled
    /// lines (`CodePage.lines`).
    package func invalidate(vpn: UInt64, from: UInt64, to: UInt64, wholePage: Bool) -> UInt64 {
        var lines: UInt64 = 0
        guard var list = pageBlocks.removeValue(forKey: vpn) else { return 0 }
        let base = vpn << 12
        list.removeAll { i in
            let b = blocks[Int(i)]
            // Dropped already (through the other page of a block spanning two).
            if b.pc == Block.dead { return true }
            if wholePage || (b.start < to && b.end > from) {
                drop(Int(i))
                return true
            }
            lines |= CodePage.lines(from: Int(max(b.start, base) - base), to: Int(min(b.end, base + 4096) - base))
            return false
        }
        if !list.isEmpty { pageBlocks[vpn] = list }
        return lines
    }

    private func drop(_ i: Int) {
        jumpCache.remove(pc: blocks[i].pc, address: blocks[i].address)
        blocks[i].pc = Block.dead
        for l in incoming[i] where links[Int(l)].target == Int32(i) {
            let site = links[Int(l)].site
            code?.patch(rel32At: site, to: site &+ 4)
            links[Int(l)].target = -1
        }
        incoming[i] = []
        live -= 1
        dropped += 1
    }

    /// Forgets every compiled block (entry slots still naming one are recognised as stale by
    /// their pc and recompiled).
    private func flush() {
        flushes += 1
        willFlush?()
        blocks.removeAll(keepingCapacity: true)
        incoming.removeAll(keepingCapacity: true)
        links.removeAll(keepingCapacity: true)
        // Pages keep their compiled-lines masks: a store there reports to `invalidate`, which
        // finds no block and clears the mask.
        pageBlocks.removeAll()
        live = 0
        jumpCache.clear()
        code?.reset(keeping: trampolineBytes)
    }
}
