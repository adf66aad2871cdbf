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

    /// `SKIFF_JIT_STATS=1`: each address space's tier reports its compiles, drops and flushes
    /// on stderr when it goes away (and at every flush).
    static let reportsStatistics = getenv("SKIFF_JIT_STATS") != nil

    /// The address space owns its tier (never the other way round), so this reference needs
    /// no counting: it is used on every block exit.
    private unowned(unsafe) let memory: GuestMemory
    private var enter: Entry?
    private var trampolines = Trampolines(enter: 0, epilogue: 0, refill: 0)
    private let context: UnsafeMutableRawPointer
    /// Whether `context` was mapped near the TLBs (`mapContext`), else allocated.
    private let contextMapped: Bool
    private let compiled = CompiledBlocks()
    /// The TLBs' place relative to the context, fixed for the tier's life (`SKIFF_JIT_TLB_POINTER=1`:
    /// always through the pointers, for comparisons).
    private lazy var tlbs: NativeContext.TLBDisplacements? =
        getenv("SKIFF_JIT_TLB_POINTER") != nil ? nil : NativeContext.tlbDisplacements(context, memory)
    /// `SKIFF_JIT_DUMP`: the compiled code written out for inspection (`CodeDump`).
    private var dump = CodeDump()

    /// Executions of a block entry before it is compiled.
    let threshold: UInt16

    init(memory: GuestMemory, threshold: UInt16) {
        self.memory = memory
        self.threshold = min(threshold, NativeSlot.maxThreshold)
        if let near = Self.mapContext(near: memory) {
            (context, contextMapped) = (near, true)
        } else {
            (context, contextMapped) = (UnsafeMutableRawPointer.allocate(byteCount: NativeContext.size, alignment: 16), false)
        }
        precondition(RegisterCache.poolConstantsMatch && BlockTranslator.maxInstructions <= InstructionSet.capacity)
        // Loop page entries start empty and owned by none (owner numbers start at 1).
        context.initializeMemory(as: UInt8.self, repeating: 0, count: NativeContext.size)
        context.storeBytes(of: compiled.jumpCache.table, toByteOffset: Int(NativeContext.jumpCacheOffset), as: UnsafeMutablePointer<UInt64>.self)
        context.storeBytes(of: Unmanaged.passUnretained(memory).toOpaque(), toByteOffset: Int(NativeContext.memoryOffset),
                           as: UnsafeMutableRawPointer.self)
        compiled.willFlush = { [unowned self] in
            if Self.reportsStatistics { report("flush") }
            if let code = compiled.code { dump?.write(code.base, used: code.used) }
        }
    }

    deinit {
        if Self.reportsStatistics { report("exit") }
        if let code = compiled.code { dump?.write(code.base, used: code.used) }
        dump?.close()
        if contextMapped { munmap(context, Self.contextBytes) } else { context.deallocate() }
    }

    private static let contextBytes = (NativeContext.size + 4095) & ~4095

    /// The context mapped within 2 GB of the address space's TLBs, so that compiled code reaches
    /// a TLB entry as [context + index + displacement] (one instruction less per probe than
    /// through the TLB's pointer in the context). An allocation did not do: outside valgrind
    /// (whose allocator keeps everything close) every process probed through the pointers, the
    /// two allocations more than 2 GB apart (presumably from two threads' glibc arenas; not
    /// checked further). The kernel takes
    /// a hint address when nothing is mapped there; a few are tried around the TLBs. nil: none
    /// in reach (`SKIFF_JIT_CONTEXT_NEAR=0`: never tried, for comparisons).
    private static func mapContext(near memory: GuestMemory) -> UnsafeMutableRawPointer? {
        if let v = getenv("SKIFF_JIT_CONTEXT_NEAR"), String(cString: v) == "0" { return nil }
        let tlb = Int(bitPattern: UInt(bitPattern: memory.readTLB))
        for delta in [-(1 << 30), 1 << 30, -(1 << 28), 1 << 28, -(3 << 29), 3 << 29] {
            let hint = (tlb &+ delta) & ~4095
            guard hint > 1 << 20, let p = mmap(UnsafeMutableRawPointer(bitPattern: hint), contextBytes,
                                               PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                  p != MAP_FAILED else { continue }
            if NativeContext.tlbDisplacements(p, memory) != nil { return p }
            munmap(p, contextBytes)
        }
        return nil
    }

    /// Blocks compiled since the last flush and not dropped since.
    var compiledBlocks: Int { compiled.live }
    /// Blocks dropped because the guest bytes they were compiled from changed.
    var droppedBlocks: Int { compiled.dropped }

    private func report(_ event: String) {
        fputs("skiff native tier (\(event)): \(compiled.compiled) blocks compiled, \(compiled.dropped) dropped, \(compiled.flushes) flushes, \(compiled.code?.used ?? 0) bytes of code in use\n", stderr)
        fputs("skiff native tier (\(event)): \(exits.description)\n", stderr)
    }
    /// `GuestMemory.tlbGeneration` when compiled code last ran (`NativeContext.emptyPages`).
    private var seenGeneration: UInt64 = 0
    /// The last loop page owner number handed out (`BlockTranslator.pageOwner`).
    private var pageOwners: Int32 = 0

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
            // A translation changed since compiled code last ran (map, unmap, mprotect, fork, a
            // copy-on-write break, a page that became code): no loop keeps the pages it cached.
            let translations = memory.tlbGeneration
            if translations != seenGeneration {
                seenGeneration = translations
                NativeContext.emptyPages(context)
            }
            let exit = enter(context, UnsafeRawPointer(bitPattern: address)!)
            let next = context.load(fromByteOffset: Int(NativeContext.pcOffset), as: UInt64.self)
            let left = context.load(fromByteOffset: Int(NativeContext.budgetOffset), as: Int.self)
            if Self.reportsStatistics { exits.count(exit, budgetLeft: left, at: entrySlot(at: next)) }
            if exit == NativeExit.interpret || left <= 0 {
                return NativeRun(pc: next, executed: budget &- left, interpretFirst: exit == NativeExit.interpret)
            }
            let generation = compiled.flushes
            guard let s = entrySlot(at: next), let target = block(at: s, pc: next, compile: false) else {
                if Self.reportsStatistics { exits.toInterpreter += 1 }
                return NativeRun(pc: next, executed: budget &- left, interpretFirst: false)
            }
            compiled.chain(exit, generation: generation, to: target.index, at: target.address)
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
            if let found = compiled.find(n, pc: pc) { return found }
        } else if !compile && !NativeSlot.countExecution(slot, threshold: threshold) {
            return nil
        }
        guard let block = translate(pc) else {
            slot.pointee.native = NativeSlot.never
            return nil
        }
        slot.pointee.native = compiled.lastNumber
        return block
    }

    // MARK: Invalidation

    func invalidate(from: UInt64, to: UInt64) {
        let vpn = from >> 12
        memory.setCompiledLines(vpn: vpn, compiled.invalidate(vpn: vpn, from: from, to: to, wholePage: false))
    }

    // MARK: Compiling

    private func translate(_ pc: UInt64) -> (index: Int32, address: UInt)? {
        guard codeBuffer() != nil else { return nil }
        var end: UInt64 = 0
        // Each translation's loop page entries belong to a number of its own (when they run
        // out, they start again with every tag cleared).
        pageOwners += 1
        if pageOwners == Int32.max {
            pageOwners = 1
            NativeContext.emptyPages(context, owners: true)
        }
        let owner = pageOwners
        let block = compiled.add(pc, memory: memory) { base, firstLinkID in
            guard let t = BlockTranslator.translate(memory, entry: pc, base: base, trampolines: trampolines,
                                                    firstLinkID: firstLinkID, tlbs: tlbs, pageOwner: owner) else { return nil }
            end = t.end
            return (t.bytes, t.links.map(\.offset), t.start, t.end)
        }
        if let block, let code = compiled.code {
            dump?.compiled(pc: pc, end: end, address: block.address, size: Int(code.address - block.address))
        }
        return block
    }

    /// The code buffer, with the entry and exit trampolines at its start.
    private func codeBuffer() -> ExecutableMemory? {
        compiled.buffer { start in
            let (bytes, at) = Trampolines.assemble(base: start)
            trampolines = at
            enter = unsafeBitCast(UnsafeRawPointer(bitPattern: start)!, to: Entry.self)
            dump?.started(base: start)
            return bytes
        }
    }
}
