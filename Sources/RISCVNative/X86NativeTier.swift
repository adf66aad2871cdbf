#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RISCV

// The native tier for x86-64 hosts: compiles hot guest blocks (BlockTranslator) into an
// executable buffer and runs them, chaining exits with static targets straight to the next
// compiled block. One tier per address space; its blocks are numbered in the entry slots'
// `native` field. When guest code changes, the address space reports the bytes
// (`invalidate`) and only the blocks compiled from them are dropped, as qemu drops translation
// blocks: each is unlinked from every exit chained to it and from the jump cache, so nothing
// reaches it any more (its buffer space is reclaimed when the buffer is full and flushed).

final class X86NativeTier: NativeTier {
    typealias Entry = @convention(c) (UnsafeMutableRawPointer, UnsafeRawPointer) -> UInt32

    /// Reserved address space for compiled code (pages are committed as code is written). A
    /// JVM compiles well over 32 MB of blocks: a smaller buffer flushed and recompiled
    /// everything again and again (qemu-user's translation buffer is 1 GB).
    static let bufferSize = 256 << 20
    /// Block numbers are kept in the slot's `native` field modulo `numberSpan`; a lookup tries
    /// every block number with that remainder (a handful at most).
    static let numberSpan = Int(NativeSlot.never - NativeSlot.firstBlock)
    static let maxBlocks = 1 << 19
    /// `SKIFF_JIT_STATS=1`: each address space's tier reports its compiles, drops and flushes
    /// on stderr when it goes away (and at every flush).
    static let reportsStatistics = getenv("SKIFF_JIT_STATS") != nil

    /// The address space owns its tier (never the other way round), so this reference needs
    /// no counting: it is used on every block exit.
    private unowned(unsafe) let memory: GuestMemory
    private var code: ExecutableMemory?
    private var enter: Entry?
    private var trampolines = Trampolines(enter: 0, epilogue: 0, refill: 0)
    private var trampolineBytes = 0
    private let context = UnsafeMutableRawPointer.allocate(byteCount: NativeContext.size, alignment: 16)
    private let jumpCache = JumpCache()
    /// The TLBs' place relative to the context, fixed for the tier's life (`SKIFF_JIT_TLB_POINTER=1`:
    /// always through the pointers, for comparisons).
    private lazy var tlbs: NativeContext.TLBDisplacements? =
        getenv("SKIFF_JIT_TLB_POINTER") != nil ? nil : NativeContext.tlbDisplacements(context, memory)
    /// `SKIFF_JIT_DUMP`: the compiled code written out for inspection (`CodeDump`).
    private var dump = CodeDump()

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
    /// Counts flushes: link numbers handed out before one are void after it.
    private var flushes = 0
    private var liveBlocks = 0

    /// Executions of a block entry before it is compiled.
    let threshold: UInt16

    init(memory: GuestMemory, threshold: UInt16) {
        self.memory = memory
        self.threshold = min(threshold, NativeSlot.maxThreshold)
        context.storeBytes(of: jumpCache.table, toByteOffset: Int(NativeContext.jumpCacheOffset), as: UnsafeMutablePointer<UInt64>.self)
        context.storeBytes(of: Unmanaged.passUnretained(memory).toOpaque(), toByteOffset: Int(NativeContext.memoryOffset),
                           as: UnsafeMutableRawPointer.self)
    }

    deinit {
        if Self.reportsStatistics { report("exit") }
        if let code { dump?.write(code.base, used: code.used) }
        dump?.close()
        context.deallocate()
        jumpCache.deallocate()
    }

    /// Blocks compiled since the last flush and not dropped since.
    var compiledBlocks: Int { liveBlocks }
    /// Blocks dropped because the guest bytes they were compiled from changed.
    private(set) var droppedBlocks = 0
    private var compiledTotal = 0

    private func report(_ event: String) {
        fputs("skiff native tier (\(event)): \(compiledTotal) blocks compiled, \(droppedBlocks) dropped, \(flushes) flushes, \(code?.used ?? 0) bytes of code in use\n", stderr)
        fputs("skiff native tier (\(event)): \(exits.description)\n", stderr)
    }
    /// How compiled code was left (counted only with `SKIFF_JIT_STATS`).
    private var exits = ExitStatistics()

    // MARK: Running

    var entry: NativeEntry {
        NativeEntry(run: { tier, hart, pc, slot, budget, result in
            let run = Unmanaged<X86NativeTier>.fromOpaque(tier)._withUnsafeGuaranteedRef {
                $0.execute(hart: hart, pc: pc, slot: slot.assumingMemoryBound(to: DecodedInstruction.self), budget: budget)
            }
            result.assumingMemoryBound(to: NativeRun.self).pointee = run
        }, tier: Unmanaged.passUnretained(self).toOpaque(), threshold: threshold)
    }

    private func execute(hart: UnsafeMutableRawPointer, pc: UInt64, slot: UnsafeMutablePointer<DecodedInstruction>, budget: Int) -> NativeRun {
        guard let first = block(at: slot, pc: pc, compile: true)?.address, let enter else {
            return NativeRun(pc: pc, executed: 0, interpretFirst: true)
        }
        let registers = Unmanaged<Hart>.fromOpaque(hart)._withUnsafeGuaranteedRef { $0.regs }
        context.storeBytes(of: registers, toByteOffset: Int(NativeContext.regsOffset), as: UnsafeMutablePointer<UInt64>.self)
        context.storeBytes(of: hart, toByteOffset: Int(NativeContext.hartOffset), as: UnsafeMutableRawPointer.self)
        context.storeBytes(of: memory.readTLB, toByteOffset: Int(NativeContext.readTLBOffset), as: UnsafeMutablePointer<TLBEntry>.self)
        context.storeBytes(of: memory.writeTLB, toByteOffset: Int(NativeContext.writeTLBOffset), as: UnsafeMutablePointer<TLBEntry>.self)
        context.storeBytes(of: budget, toByteOffset: Int(NativeContext.budgetOffset), as: Int.self)
        var address = first
        while true {
            let exit = enter(context, UnsafeRawPointer(bitPattern: address)!)
            let next = context.load(fromByteOffset: Int(NativeContext.pcOffset), as: UInt64.self)
            let left = context.load(fromByteOffset: Int(NativeContext.budgetOffset), as: Int.self)
            if Self.reportsStatistics { exits.count(exit, budgetLeft: left, at: entrySlot(at: next)) }
            if exit == NativeExit.interpret || left <= 0 {
                return NativeRun(pc: next, executed: budget &- left, interpretFirst: exit == NativeExit.interpret)
            }
            let generation = flushes
            guard let s = entrySlot(at: next), let target = block(at: s, pc: next, compile: false) else {
                if Self.reportsStatistics { exits.toInterpreter += 1 }
                return NativeRun(pc: next, executed: budget &- left, interpretFirst: false)
            }
            if exit >= NativeExit.firstLink && flushes == generation {
                let i = Int(exit - NativeExit.firstLink)
                if i < links.count {
                    code?.patch(rel32At: links[i].site, to: target.address)
                    links[i].target = target.index
                    incoming[Int(target.index)].append(Int32(i))
                }
            }
            address = target.address
        }
    }

    /// The decoded-instruction slot of `pc` (nil if the page is not executable).
    private func entrySlot(at pc: UInt64) -> UnsafeMutablePointer<DecodedInstruction>? {
        guard let slots = memory.codeTLBHit(pc) ?? memory.codeSlots(pc) else { return nil }
        return slots + Int((pc & 0xfff) >> 1)
    }

    /// The compiled block entered at `pc` (its number and address): an existing one, or a new
    /// one when the entry is hot (always when `compile`; else counting executions as the
    /// interpreter does).
    private func block(at slot: UnsafeMutablePointer<DecodedInstruction>, pc: UInt64, compile: Bool) -> (index: Int32, address: UInt)? {
        let n = slot.pointee.native
        if n == NativeSlot.never { return nil }
        if n >= NativeSlot.firstBlock {
            var i = Int(n - NativeSlot.firstBlock)
            while i < blocks.count {
                if blocks[i].pc == pc {
                    jumpCache.insert(pc: pc, address: blocks[i].address)
                    return (Int32(i), blocks[i].address)
                }
                i += Self.numberSpan
            }
        } else if !compile && !NativeSlot.countExecution(slot, threshold: threshold) {
            return nil
        }
        guard let address = translate(pc) else {
            slot.pointee.native = NativeSlot.never
            return nil
        }
        slot.pointee.native = NativeSlot.firstBlock + UInt16((blocks.count - 1) % Self.numberSpan)
        jumpCache.insert(pc: pc, address: address)
        return (Int32(blocks.count - 1), address)
    }

    // MARK: Invalidation

    func invalidate(from: UInt64, to: UInt64) {
        let vpn = from >> 12
        var lines: UInt64 = 0
        if var list = pageBlocks.removeValue(forKey: vpn) {
            let base = vpn << 12
            list.removeAll { i in
                let b = blocks[Int(i)]
                // Dropped already (through the other page of a block spanning two).
                if b.pc == Block.dead { return true }
                if b.start < to && b.end > from {
                    drop(Int(i))
                    return true
                }
                lines |= CodePage.lines(from: Int(max(b.start, base) - base), to: Int(min(b.end, base + 4096) - base))
                return false
            }
            if !list.isEmpty { pageBlocks[vpn] = list }
        }
        memory.setCompiledLines(vpn: vpn, lines)
    }

    /// Makes block `i` unreachable: exits chained to it leave to the tier again, the jump
    /// cache forgets it, and its entry slot's number no longer matches.
    private func drop(_ i: Int) {
        jumpCache.remove(pc: blocks[i].pc, address: blocks[i].address)
        blocks[i].pc = Block.dead
        for l in incoming[i] where links[Int(l)].target == Int32(i) {
            let site = links[Int(l)].site
            code?.patch(rel32At: site, to: site &+ 4)
            links[Int(l)].target = -1
        }
        incoming[i] = []
        liveBlocks -= 1
        droppedBlocks += 1
    }

    // MARK: Compiling

    private func translate(_ pc: UInt64) -> UInt? {
        guard let code = codeBuffer(), let slots = memory.codeSlots(pc) else { return nil }
        for attempt in 0..<2 {
            if blocks.count >= Self.maxBlocks { flush() }
            guard let t = BlockTranslator.translate(memory, entry: pc, base: code.address, trampolines: trampolines,
                                                    firstLinkID: NativeExit.firstLink + UInt32(links.count), tlbs: tlbs)
            else { return nil }
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
            for l in t.links { links.append(Link(site: address &+ UInt(l.offset), target: -1)) }
            // Stores into these bytes must leave compiled code and drop this block.
            memory.noteCompiledCode(slots, from: t.start, to: min(t.end, pageEnd))
            pageBlocks[pc >> 12, default: []].append(Int32(blocks.count))
            if let next = nextSlots {
                memory.noteCompiledCode(next, from: pageEnd, to: t.end)
                pageBlocks[pageEnd >> 12, default: []].append(Int32(blocks.count))
            }
            blocks.append(Block(pc: pc, start: t.start, end: t.end, address: address))
            incoming.append([])
            liveBlocks += 1
            compiledTotal += 1
            dump?.compiled(pc: pc, end: t.end, address: address, size: t.bytes.count)
            return address
        }
        return nil
    }

    /// Forgets every compiled block (entry slots still naming one are recognised as stale by
    /// their pc and recompiled).
    private func flush() {
        flushes += 1
        if Self.reportsStatistics { report("flush") }
        if let code { dump?.write(code.base, used: code.used) }
        blocks.removeAll(keepingCapacity: true)
        incoming.removeAll(keepingCapacity: true)
        links.removeAll(keepingCapacity: true)
        // Pages keep their compiled-lines masks: a store there reports to `invalidate`, which
        // finds no block and clears the mask.
        pageBlocks.removeAll()
        liveBlocks = 0
        jumpCache.clear()
        code?.reset(keeping: trampolineBytes)
    }

    /// The code buffer, with the entry and exit trampolines at its start.
    private func codeBuffer() -> ExecutableMemory? {
        if let code { return code }
        guard let code = ExecutableMemory(size: Self.bufferSize) else { return nil }
        let start = code.address
        let (bytes, at) = Trampolines.assemble(base: start)
        code.append(bytes)
        trampolineBytes = code.used
        trampolines = at
        enter = unsafeBitCast(UnsafeRawPointer(bitPattern: start)!, to: Entry.self)
        self.code = code
        dump?.started(base: start)
        return code
    }
}
