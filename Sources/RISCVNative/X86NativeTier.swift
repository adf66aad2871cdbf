import RISCV

// The native tier for x86-64 hosts: compiles hot guest blocks (BlockTranslator) into an
// executable buffer and runs them, chaining exits with static targets straight to the next
// compiled block. One tier per address space; its blocks are numbered in the entry slots'
// `native` field. Any change that drops decoded code (`GuestMemory.codeEpoch`) flushes every
// compiled block: chained jumps may point into any of them.

final class X86NativeTier: NativeTier {
    typealias Entry = @convention(c) (UnsafeMutableRawPointer, UnsafeRawPointer) -> UInt32

    static let bufferSize = 32 << 20
    /// Block numbers must fit the slot's `native` field.
    static let maxBlocks = Int(NativeSlot.never - NativeSlot.firstBlock)

    /// The address space owns its tier (never the other way round), so this reference needs
    /// no counting: it is used on every block exit.
    private unowned(unsafe) let memory: GuestMemory
    private var code: ExecutableMemory?
    private var enter: Entry?
    private var epilogue: UInt = 0
    private var trampolineBytes = 0
    private let context = UnsafeMutableRawPointer.allocate(byteCount: NativeContext.size, alignment: 16)
    private let jumpCache = JumpCache()

    private struct Block {
        var pc: UInt64
        var address: UInt
    }
    private var blocks: [Block] = []
    /// Chainable exits of all blocks: the absolute address of the jump's rel32 field.
    private var linkSites: [UInt] = []
    private var epoch: UInt64
    /// Counts flushes: link numbers handed out before one are void after it.
    private var flushes = 0

    /// Executions of a block entry before it is compiled.
    let threshold: UInt16

    init(memory: GuestMemory, threshold: UInt16) {
        self.memory = memory
        self.threshold = min(threshold, NativeSlot.maxThreshold)
        epoch = memory.codeEpoch
        context.storeBytes(of: jumpCache.table, toByteOffset: Int(NativeContext.jumpCacheOffset), as: UnsafeMutablePointer<UInt64>.self)
        context.storeBytes(of: Unmanaged.passUnretained(memory).toOpaque(), toByteOffset: Int(NativeContext.memoryOffset),
                           as: UnsafeMutableRawPointer.self)
    }

    deinit {
        context.deallocate()
        jumpCache.deallocate()
    }

    /// Blocks compiled since the last flush.
    var compiledBlocks: Int { blocks.count }

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
        if memory.codeEpoch != epoch { flush() }
        guard let first = block(at: slot, pc: pc, compile: true), let enter else {
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
            if exit == NativeExit.interpret || left <= 0 {
                return NativeRun(pc: next, executed: budget &- left, interpretFirst: exit == NativeExit.interpret)
            }
            let generation = flushes
            guard let s = entrySlot(at: next), let target = block(at: s, pc: next, compile: false) else {
                return NativeRun(pc: next, executed: budget &- left, interpretFirst: false)
            }
            if exit >= NativeExit.firstLink && flushes == generation {
                let i = Int(exit - NativeExit.firstLink)
                if i < linkSites.count { code?.patch(rel32At: linkSites[i], to: target) }
            }
            address = target
        }
    }

    /// The decoded-instruction slot of `pc` (nil if the page is not executable).
    private func entrySlot(at pc: UInt64) -> UnsafeMutablePointer<DecodedInstruction>? {
        guard let slots = memory.codeTLBHit(pc) ?? memory.codeSlots(pc) else { return nil }
        return slots + Int((pc & 0xfff) >> 1)
    }

    /// The compiled block entered at `pc`: an existing one, or a new one when the entry is hot
    /// (always when `compile`; else counting executions as the interpreter does).
    private func block(at slot: UnsafeMutablePointer<DecodedInstruction>, pc: UInt64, compile: Bool) -> UInt? {
        let n = slot.pointee.native
        if n == NativeSlot.never { return nil }
        if n >= NativeSlot.firstBlock {
            let i = Int(n - NativeSlot.firstBlock)
            if i < blocks.count && blocks[i].pc == pc {
                jumpCache.insert(pc: pc, address: blocks[i].address)
                return blocks[i].address
            }
        } else if !compile && !NativeSlot.countExecution(slot, threshold: threshold) {
            return nil
        }
        guard let address = translate(pc) else {
            slot.pointee.native = NativeSlot.never
            return nil
        }
        slot.pointee.native = NativeSlot.firstBlock + UInt16(blocks.count - 1)
        jumpCache.insert(pc: pc, address: address)
        return address
    }

    // MARK: Compiling

    private func translate(_ pc: UInt64) -> UInt? {
        guard let code = codeBuffer() else { return nil }
        // Stores into this page must leave compiled code (and invalidate it).
        if let slots = memory.codeSlots(pc), !CodePage.holdsCode(slots) { memory.noteCode(slots, vpn: pc >> 12) }
        for attempt in 0..<2 {
            if blocks.count >= Self.maxBlocks { flush() }
            guard let t = BlockTranslator.translate(memory, entry: pc, base: code.address, epilogue: epilogue,
                                                    firstLinkID: NativeExit.firstLink + UInt32(linkSites.count))
            else { return nil }
            if !code.canHold(t.bytes.count) {
                if attempt == 0 { flush(); continue }
                return nil
            }
            let address = code.address
            code.append(t.bytes)
            for l in t.links { linkSites.append(address &+ UInt(l.offset)) }
            blocks.append(Block(pc: pc, address: address))
            return address
        }
        return nil
    }

    /// Forgets every compiled block (entry slots still naming one are recognised as stale by
    /// their pc and recompiled).
    private func flush() {
        epoch = memory.codeEpoch
        flushes += 1
        blocks.removeAll(keepingCapacity: true)
        linkSites.removeAll(keepingCapacity: true)
        jumpCache.clear()
        code?.reset(keeping: trampolineBytes)
    }

    /// The code buffer, with the entry and exit trampolines at its start.
    private func codeBuffer() -> ExecutableMemory? {
        if let code { return code }
        guard let code = ExecutableMemory(size: Self.bufferSize) else { return nil }
        var a = X86Assembler(base: code.address)
        // enter(context, block): save the callee-saved registers, load the fixed ones, jump.
        for r in [X86Register.rbx, .rbp, .r12, .r13, .r14, .r15] { a.push(r) }
        a.alu(.sub, .rsp, imm: 8)
        a.move(.context, .rdi)
        a.load(.guestRegisters, .context, NativeContext.regsOffset)
        a.load(.readTLB, .context, NativeContext.readTLBOffset)
        a.load(.writeTLB, .context, NativeContext.writeTLBOffset)
        a.load(.budget, .context, NativeContext.budgetOffset)
        a.jump(to: .rsi)
        let exitOffset = a.offset
        a.store(.budget, .context, NativeContext.budgetOffset)
        a.alu(.add, .rsp, imm: 8)
        for r in [X86Register.r15, .r14, .r13, .r12, .rbp, .rbx] { a.pop(r) }
        a.ret()
        let start = code.address
        code.append(a.bytes)
        trampolineBytes = code.used
        epilogue = start &+ UInt(exitOffset)
        enter = unsafeBitCast(UnsafeRawPointer(bitPattern: start)!, to: Entry.self)
        self.code = code
        return code
    }
}
