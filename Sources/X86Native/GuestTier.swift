#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RISCV
import RISCVNative
import X86

// The native tier for x86-64 guests on x86-64 hosts: compiles hot guest blocks
// (BlockTranslator) into an executable buffer and runs them, chaining exits with static targets
// straight to the next compiled block. One tier per address space; a block's number is kept in
// its entry instruction's `native` field (X86Instruction). The x86-64 CPU drops decoded code a
// page at a time, so a store into a page holding compiled code drops every block of that page:
// each is unlinked from the exits chained to it, so nothing reaches it any more (its buffer
// space is reclaimed when the buffer is full and flushed).

final class GuestTier: NativeTier {
    typealias Entry = @convention(c) (UnsafeMutableRawPointer, UnsafeRawPointer) -> UInt32

    static let bufferSize = 256 << 20
    static let numberSpan = Int(NativeSlot.never - NativeSlot.firstBlock)
    static let maxBlocks = 1 << 19
    /// `SKIFF_JIT_STATS=1`: compiles, drops and how compiled code was left, on stderr when the
    /// address space goes away.
    static let reportsStatistics = getenv("SKIFF_JIT_STATS") != nil

    private unowned(unsafe) let memory: GuestMemory
    private var code: ExecutableMemory?
    private var enter: Entry?
    private var trampolines = GuestTrampolines(enter: 0, epilogue: 0)
    private var trampolineBytes = 0
    private let context = UnsafeMutableRawPointer.allocate(byteCount: NativeContext.size, alignment: 16)
    private let jumpCache = JumpCache()

    private struct Block {
        /// The entry (`dead` once dropped).
        var pc: UInt64
        var address: UInt
        static let dead = UInt64.max
    }
    private var blocks: [Block] = []
    /// Per block, the chainable exits (link numbers) patched to jump to it.
    private var incoming: [[Int32]] = []
    private struct Link {
        var site: UInt
        var target: Int32
    }
    private var links: [Link] = []
    private var pageBlocks: [UInt64: [Int32]] = [:]
    private var flushes = 0

    let threshold: UInt16

    private var compiled = 0, dropped = 0, guestInstructions = 0
    private var returns = 0, interprets = 0, unchained = 0, budgetExits = 0, toInterpreter = 0
    private var interpretedOps: [String: Int] = [:]
    /// Where compiled code left to code that is not compiled, by its first operation.
    private var coldOps: [String: Int] = [:]

    init(memory: GuestMemory, threshold: UInt16) {
        self.memory = memory
        self.threshold = min(threshold, NativeSlot.maxThreshold)
        context.storeBytes(of: jumpCache.table, toByteOffset: Int(NativeContext.jumpCacheOffset), as: UnsafeMutablePointer<UInt64>.self)
    }

    deinit {
        if Self.reportsStatistics { report() }
        context.deallocate()
        jumpCache.deallocate()
    }

    private func report() {
        fputs("skiff x86-64 native tier: \(compiled) blocks compiled (\(guestInstructions) guest instructions), \(dropped) dropped, \(flushes) flushes, \(code?.used ?? 0) bytes of code\n", stderr)
        let ops = interpretedOps.sorted { $0.value > $1.value }.prefix(12).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let cold = coldOps.sorted { $0.value > $1.value }.prefix(12).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        fputs("skiff x86-64 native tier: \(returns) returns: \(budgetExits) budget, \(unchained) unchained or computed, \(interprets) to interpret one instruction (\(ops)), \(toInterpreter) to code not compiled (\(cold))\n", stderr)
    }

    var entry: NativeEntry {
        NativeEntry(run: { tier, cpu, pc, slot, budget, result in
            let run = Unmanaged<GuestTier>.fromOpaque(tier)._withUnsafeGuaranteedRef {
                $0.execute(cpu: cpu, pc: pc, slot: slot.assumingMemoryBound(to: X86Instruction.self), budget: budget)
            }
            result.assumingMemoryBound(to: NativeRun.self).pointee = run
        }, tier: Unmanaged.passUnretained(self).toOpaque(), threshold: threshold)
    }

    private func execute(cpu: UnsafeMutableRawPointer, pc: UInt64, slot: UnsafeMutablePointer<X86Instruction>, budget: Int) -> NativeRun {
        guard let first = block(at: slot, pc: pc, compile: true), let enter else {
            return NativeRun(pc: pc, executed: 0, interpretFirst: true)
        }
        let registers = Unmanaged<X86CPU>.fromOpaque(cpu)._withUnsafeGuaranteedRef {
            $0.materializeFlagsForNative()
            return $0.regs
        }
        context.storeBytes(of: registers, toByteOffset: Int(NativeContext.regsOffset), as: UnsafeMutablePointer<UInt64>.self)
        context.storeBytes(of: memory.readTLB, toByteOffset: Int(NativeContext.readTLBOffset), as: UnsafeMutablePointer<TLBEntry>.self)
        context.storeBytes(of: memory.writeTLB, toByteOffset: Int(NativeContext.writeTLBOffset), as: UnsafeMutablePointer<TLBEntry>.self)
        context.storeBytes(of: budget, toByteOffset: Int(NativeContext.budgetOffset), as: Int.self)
        var address = first.address
        while true {
            let exit = enter(context, UnsafeRawPointer(bitPattern: address)!)
            let next = context.load(fromByteOffset: Int(NativeContext.pcOffset), as: UInt64.self)
            let left = context.load(fromByteOffset: Int(NativeContext.budgetOffset), as: Int.self)
            if Self.reportsStatistics { count(exit, left: left, next: next) }
            if exit == NativeExit.interpret || left <= 0 {
                return NativeRun(pc: next, executed: budget &- left, interpretFirst: exit == NativeExit.interpret)
            }
            let generation = flushes
            guard let s = entrySlot(at: next), let target = block(at: s, pc: next, compile: false) else {
                if Self.reportsStatistics {
                    toInterpreter += 1
                    coldOps[entrySlot(at: next).map { "\($0.pointee.op)" } ?? "undecoded", default: 0] += 1
                }
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

    private func count(_ exit: UInt32, left: Int, next: UInt64) {
        returns += 1
        if exit == NativeExit.interpret {
            interprets += 1
            let op = entrySlot(at: next).map { "\($0.pointee.op)" } ?? "undecoded"
            interpretedOps[op, default: 0] += 1
        } else if left <= 0 {
            budgetExits += 1
        } else {
            unchained += 1
        }
    }

    /// The decoded instruction at `pc` (nil when the page is not executable or `pc` was not
    /// decoded yet: the interpreter goes on there).
    private func entrySlot(at pc: UInt64) -> UnsafeMutablePointer<X86Instruction>? {
        guard let slots = memory.codeTLBHit(pc) ?? memory.codeSlots(pc) else { return nil }
        let index = UnsafeMutableRawPointer(slots).assumingMemoryBound(to: UInt.self)
        return UnsafeMutablePointer<X86Instruction>(bitPattern: index[Int(pc & 0xfff)])
    }

    /// The compiled block entered at `pc`: an existing one, or a new one when the entry is hot
    /// (always when `compile`; else counting executions as the interpreter does).
    private func block(at slot: UnsafeMutablePointer<X86Instruction>, pc: UInt64, compile: Bool) -> (index: Int32, address: UInt)? {
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
        } else if !compile && !slot.pointee.countExecution(threshold: threshold) {
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
        for i in pageBlocks.removeValue(forKey: vpn) ?? [] where blocks[Int(i)].pc != Block.dead { drop(Int(i)) }
        memory.setCompiledLines(vpn: vpn, 0)
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
        dropped += 1
    }

    // MARK: Compiling

    private func translate(_ pc: UInt64) -> UInt? {
        guard let code = codeBuffer(), let slots = memory.codeSlots(pc) else { return nil }
        for attempt in 0..<2 {
            if blocks.count >= Self.maxBlocks { flush() }
            guard let t = BlockTranslator.translate(memory, entry: pc, base: code.address, epilogue: trampolines.epilogue,
                                                    firstLinkID: NativeExit.firstLink + UInt32(links.count))
            else { return nil }
            if !code.canHold(t.bytes.count) {
                if attempt == 0 { flush(); continue }
                return nil
            }
            // A block whose last instruction straddles into the next page is listed under both.
            let pageEnd = ((pc >> 12) + 1) << 12
            let nextSlots = t.end > pageEnd ? memory.codeSlots(pageEnd) : nil
            if t.end > pageEnd && nextSlots == nil { return nil }
            let address = code.address
            code.append(t.bytes)
            for l in t.links { links.append(Link(site: address &+ UInt(l), target: -1)) }
            // Stores into these bytes must leave compiled code and drop this block.
            memory.noteCompiledCode(slots, from: pc, to: min(t.end, pageEnd))
            pageBlocks[pc >> 12, default: []].append(Int32(blocks.count))
            if let next = nextSlots {
                memory.noteCompiledCode(next, from: pageEnd, to: t.end)
                pageBlocks[pageEnd >> 12, default: []].append(Int32(blocks.count))
            }
            blocks.append(Block(pc: pc, address: address))
            incoming.append([])
            compiled += 1
            guestInstructions += t.instructions
            return address
        }
        return nil
    }

    private func flush() {
        flushes += 1
        blocks.removeAll(keepingCapacity: true)
        incoming.removeAll(keepingCapacity: true)
        links.removeAll(keepingCapacity: true)
        pageBlocks.removeAll()
        jumpCache.clear()
        code?.reset(keeping: trampolineBytes)
    }

    private func codeBuffer() -> ExecutableMemory? {
        if let code { return code }
        guard let code = ExecutableMemory(size: Self.bufferSize) else { return nil }
        let start = code.address
        let (bytes, at) = GuestTrampolines.assemble(base: start)
        code.append(bytes)
        trampolineBytes = code.used
        trampolines = at
        enter = unsafeBitCast(UnsafeRawPointer(bitPattern: start)!, to: Entry.self)
        self.code = code
        return code
    }
}
