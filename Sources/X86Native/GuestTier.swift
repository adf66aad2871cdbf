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

    /// `SKIFF_JIT_STATS=1`: compiles, drops and how compiled code was left, on stderr when the
    /// address space goes away.
    static let reportsStatistics = getenv("SKIFF_JIT_STATS") != nil

    private unowned(unsafe) let memory: GuestMemory
    private var enter: Entry?
    private var trampolines = GuestTrampolines(enter: 0, epilogue: 0)
    private let context = UnsafeMutableRawPointer.allocate(byteCount: NativeContext.size, alignment: 16)
    private let compiled = CompiledBlocks()
    /// `SKIFF_JIT_DUMP`: the compiled code written out for inspection (RISCVNative's `CodeDump`).
    private var dump = CodeDump()
    /// `SKIFF_JIT_DIRECT=1`: guest memory mapped for compiled code (`DirectMemory`).
    private var direct: DirectMemory?
    /// The decoded instructions compiled code calls out with (`BlockTranslator.callOut`), kept
    /// until the code buffer is flushed.
    private let kept = KeptInstructions()

    let threshold: UInt16

    private var guestInstructions = 0
    private var returns = 0, interprets = 0, unchained = 0, budgetExits = 0, toInterpreter = 0
    private var interpretedOps: [String: Int] = [:]
    /// Where compiled code left to code that is not compiled, by its first operation.
    private var coldOps: [String: Int] = [:]

    init(memory: GuestMemory, threshold: UInt16) {
        self.memory = memory
        self.threshold = min(threshold, NativeSlot.maxThreshold)
        context.storeBytes(of: compiled.jumpCache.table, toByteOffset: Int(NativeContext.jumpCacheOffset), as: UnsafeMutablePointer<UInt64>.self)
        context.storeBytes(of: Unmanaged.passUnretained(memory).toOpaque(), toByteOffset: Int(NativeContext.memoryOffset),
                           as: UnsafeMutableRawPointer.self)
        compiled.willFlush = { [unowned self] in
            if let code = compiled.code { dump?.write(code.base, used: code.used) }
            direct?.clearSites()
            kept.clear()
        }
        #if canImport(Glibc)
        if let d = DirectMemory(memory: memory) {
            direct = d
            context.storeBytes(of: d.base, toByteOffset: Int(DirectMemory.baseOffset), as: UnsafeMutableRawPointer.self)
            // The hook keeps `d` (not the tier: the address space owns both and may be going
            // away when the tier's deinit runs).
            memory.directInvalidate = { first, end, writesOnly in d.invalidate(first, end, writesOnly: writesOnly) }
        }
        #endif
    }

    deinit {
        if Self.reportsStatistics { report() }
        if let code = compiled.code { dump?.write(code.base, used: code.used) }
        dump?.close()
        context.deallocate()
    }

    private func report() {
        fputs("skiff x86-64 native tier: \(compiled.compiled) blocks compiled (\(guestInstructions) guest instructions), \(compiled.dropped) dropped, \(compiled.flushes) flushes, \(compiled.code?.used ?? 0) bytes of code\n", stderr)
        let ops = interpretedOps.sorted { $0.value > $1.value }.prefix(12).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let cold = coldOps.sorted { $0.value > $1.value }.prefix(12).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        if let direct { fputs("skiff x86-64 native tier: direct memory: \(direct.mapped) pages mapped on faults, \(direct.faults) faults sent to the interpreter\n", stderr) }
        fputs("skiff x86-64 native tier: \(returns) returns: \(budgetExits) budget, \(unchained) unchained or computed, \(interprets) to interpret one instruction (\(ops)), \(toInterpreter) to code not compiled (\(cold))\n", stderr)
    }

    /// An instruction's operation for the statistics (SSE ones by their SSE operation).
    private static func name(_ i: UnsafeMutablePointer<X86Instruction>) -> String {
        if i.pointee.op == .sse, let o = X86SSE(rawValue: i.pointee.cond) { return "sse.\(o)" }
        return "\(i.pointee.op)"
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
        context.storeBytes(of: cpu, toByteOffset: Int(NativeContext.hartOffset), as: UnsafeMutableRawPointer.self)
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
            let generation = compiled.flushes
            guard let s = entrySlot(at: next), let target = block(at: s, pc: next, compile: false) else {
                if Self.reportsStatistics {
                    toInterpreter += 1
                    coldOps[entrySlot(at: next).map(Self.name) ?? "undecoded", default: 0] += 1
                }
                return NativeRun(pc: next, executed: budget &- left, interpretFirst: false)
            }
            compiled.chain(exit, generation: generation, to: target.index, at: target.address)
            address = target.address
        }
    }

    private func count(_ exit: UInt32, left: Int, next: UInt64) {
        returns += 1
        if exit == NativeExit.interpret {
            interprets += 1
            let op = entrySlot(at: next).map(Self.name) ?? "undecoded"
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
            if let found = compiled.find(n, pc: pc) { return found }
        } else if !compile && !slot.pointee.countExecution(threshold: threshold) {
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
        memory.setCompiledLines(vpn: vpn, compiled.invalidate(vpn: vpn, from: from, to: to, wholePage: true))
    }

    // MARK: Compiling

    private func translate(_ pc: UInt64) -> (index: Int32, address: UInt)? {
        guard codeBuffer() != nil else { return nil }
        var instructions = 0
        var end: UInt64 = 0
        var sites: [DirectMemory.Site] = []
        let block = compiled.add(pc, memory: memory) { base, firstLinkID in
            guard let t = BlockTranslator.translate(memory, entry: pc, base: base, trampolines: trampolines,
                                                    firstLinkID: firstLinkID, keep: kept.keep, direct: direct != nil) else { return nil }
            instructions = t.instructions
            end = t.end
            sites = t.sites
            return (t.bytes, t.links, pc, t.end)
        }
        if let block, let code = compiled.code {
            guestInstructions += instructions
            direct?.add(sites)
            dump?.compiled(pc: pc, end: end, address: block.address, size: Int(code.address - block.address))
        }
        return block
    }

    private func codeBuffer() -> ExecutableMemory? {
        compiled.buffer { start in
            let (bytes, at) = GuestTrampolines.assemble(base: start)
            trampolines = at
            enter = unsafeBitCast(UnsafeRawPointer(bitPattern: start)!, to: Entry.self)
            dump?.started(base: start)
            return bytes
        }
    }
}

/// Copies of decoded instructions at addresses that stay put (chunks of 256), for compiled code
/// to pass to the interpreter's functions; all dropped at once with the code that uses them.
final class KeptInstructions {
    private var chunks: [UnsafeMutablePointer<X86Instruction>] = []
    private var used = KeptInstructions.chunk
    private static let chunk = 256

    deinit { clear() }

    func keep(_ insn: X86Instruction) -> UnsafeMutablePointer<X86Instruction> {
        if used == Self.chunk {
            chunks.append(.allocate(capacity: Self.chunk))
            used = 0
        }
        let p = chunks[chunks.count - 1] + used
        p.initialize(to: insn)
        used += 1
        return p
    }

    func clear() {
        for c in chunks { c.deallocate() }
        chunks = []
        used = Self.chunk
    }
}
