// Pre-decoded x86-64 blocks. An x86 instruction may start at any byte, so an executed guest
// page gets a per-byte index: the page's code slots (the same 32 KiB `GuestMemory` keeps for
// every executed page, holds-code flag and invalidation included) read as 4096 pointers, one
// per byte offset, to the decoded instruction that starts there (0: not decoded yet). The
// instructions themselves live in this per-address-space arena, a block at a time: a
// straight-line run from the entry up to and including the next control transfer (or the page
// end, or `maxBlock` instructions), then an end marker: a jmp to the next address that is no
// instruction (`X86Instruction.end`), which chains to decoded code of its page as a taken
// direct branch does. A block that runs into code decoded before (a loop head entered by a
// jump first, then by falling into it) decodes its own copy of it rather than ending there
// (an end there was 6% of CoreMark's dispatches); the index keeps pointing to the first copy.
// Each instruction records how many instructions run from it to the end of its block, so the
// run loop counts retired instructions once per block entry.
//
// When a page's decoded code is dropped (a store into it, unmap, mprotect), `GuestMemory`
// calls `invalidate` first: every instruction the page's index points to, and the rest of its
// block, becomes an end marker at its own address, so a block that is running (the store may
// be in it) stops before its next instruction and execution continues by decoding the page
// afresh. Their arena space
// is reclaimed when the arena is full and everything is flushed.
#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// A decoded instruction's cached page: the guest page its memory operand touched last, as a
/// window of addresses and the host address of the page. The run loop's loads and stores of the
/// hot operations (`X86Core.cread`/`cwrite`) test `address - disp - key < limit` (`key` is the
/// page's base minus the instruction's `disp`, so a base + disp operand's test is its base
/// register minus `key`; `limit` is 4097 minus the access size, so an access that runs past the
/// page end misses) and access `host` plus that difference: a subtract, a compare and an add
/// where the TLB takes a shift, a mask, an index, the last byte's page and a compare. An empty
/// entry has `limit` 0 (no hit). Entries are filled only from TLB entries (a read's from the
/// read TLB, a write's from the write TLB; an instruction uses its entry for one kind of access
/// only), so they are copies of translations the TLBs hold, and are all dropped whenever any
/// translation is (`GuestMemory.tlbGeneration`, checked by `X86CPU.syncPageCaches`).
/// Native only: the wasm core keeps the TLB path (`cread` is `read` there).
struct X86PageCache {
    var key: UInt64
    var limit: UInt64
    var host: UInt64
    var unused: UInt64
}

final class X86CodeCache {
    /// Instructions per arena chunk, and the longest block.
    static let chunkInstructions = 8192
    /// Byte offset from a decoded instruction to its `X86PageCache`: each arena chunk holds its
    /// instructions, then as many 32-byte cached pages (one per instruction, at the same index).
    @inline(__always) static var pageCacheOffset: Int { 8192 * 32 }
    static let maxBlock = 200
    /// Blocks of one instruction (debugging: `run` then stops after each instruction).
    package static var singleStep = false
    /// Arena chunks before everything is flushed (64 MiB of decoded instructions).
    static let maxChunks = 256

    private var chunks: [UnsafeMutablePointer<X86Instruction>] = []
    /// The address space's native tier (X86NativeHook.swift), nil when everything is interpreted.
    var nativeEntry: NativeEntry?
    /// The tier is to be made when the address space's warm-up ends.
    var tierPending = false
    private var used = chunkInstructions

    deinit {
        for c in chunks { c.deallocate() }
#if !SKIFF_WASI
        filled.deallocate()
#endif
    }

    /// Room for one block (maxBlock instructions and its end marker), or nil when the arena is
    /// full (the caller flushes it and asks again).
    func reserve() -> UnsafeMutablePointer<X86Instruction>? {
        if used + X86CodeCache.maxBlock + 1 > X86CodeCache.chunkInstructions {
            if chunks.count >= X86CodeCache.maxChunks { return nil }
#if SKIFF_WASI
            let chunk = UnsafeMutablePointer<X86Instruction>.allocate(capacity: X86CodeCache.chunkInstructions)
#else
            let chunk = UnsafeMutablePointer<X86Instruction>.allocate(capacity: 2 * X86CodeCache.chunkInstructions)
            // The cached pages after the instructions, empty (`decodeBlock` empties them again
            // for the instructions it writes, as the arena is reused after a flush).
            UnsafeMutableRawPointer(chunk + X86CodeCache.chunkInstructions)
                .initializeMemory(as: UInt8.self, repeating: 0, count: X86CodeCache.chunkInstructions * 32)
#endif
            chunks.append(chunk)
            used = 0
        }
        return chunks[chunks.count - 1] + used
    }

    func commit(_ count: Int) { used += count }

    /// Forgets every block (after the memory has reset every page's index).
    func flush() {
        for c in chunks.dropFirst() { c.deallocate() }
        if chunks.count > 1 { chunks.removeSubrange(1...) }
        used = 0
#if !SKIFF_WASI
        // The cached pages recorded were in the chunks just freed or in instructions that are
        // gone (the first chunk's are emptied as `decodeBlock` writes it again).
        filledCount = 0
        filledOverflow = false
#endif
    }

#if !SKIFF_WASI
    /// The cached pages filled since they were last dropped (`noteFilled`), up to `maxFilled`;
    /// past that `dropPageCaches` empties every chunk's.
    static let maxFilled = 4096
    private let filled = UnsafeMutablePointer<UnsafeMutablePointer<X86PageCache>>.allocate(capacity: X86CodeCache.maxFilled)
    private var filledCount = 0
    private var filledOverflow = false
    /// The memory's `tlbGeneration` when the cached pages were last dropped.
    var seenGeneration: UInt64 = 0

    func noteFilled(_ c: UnsafeMutablePointer<X86PageCache>) {
        if filledCount < X86CodeCache.maxFilled {
            filled[filledCount] = c
            filledCount += 1
        } else {
            filledOverflow = true
        }
    }

    /// Empties every cached page (a translation was dropped: unmap, mprotect, fork, a
    /// copy-on-write break, a page that became code...).
    func dropPageCaches(_ generation: UInt64) {
        if filledOverflow {
            for chunk in chunks {
                let pages = UnsafeMutableRawPointer(chunk + X86CodeCache.chunkInstructions).assumingMemoryBound(to: X86PageCache.self)
                for i in 0..<X86CodeCache.chunkInstructions { pages[i].limit = 0 }
            }
        } else {
            for i in 0..<filledCount { filled[i].pointee.limit = 0 }
        }
        filledCount = 0
        filledOverflow = false
        seenGeneration = generation
    }
#endif

    /// The compares, tests and loop-counter updates that take a following jcc with them
    /// (`X86Attrs.fusedBranch`).
    static func fusesBranch(_ op: X86Op) -> Bool {
        switch op {
        case .cmpRR, .cmpRI, .cmpRM, .cmpMI, .testRR, .testRI,
             .cmpRR32, .cmpRR64, .cmpRI32, .cmpRI64, .testRR32, .testRR64, .cmpRI8, .testRR8,
             .subRI, .subRI8, .subRI32, .subRI64, .incR, .decR,
             .cmpRM16, .cmpRM32, .cmpRM64, .cmpMI8, .cmpRR16: return true
        default: return false
        }
    }

    /// The per-byte index of a code page.
    @inline(__always) static func index(_ slots: UnsafeMutablePointer<DecodedInstruction>) -> UnsafeMutablePointer<UInt> {
        UnsafeMutableRawPointer(slots).assumingMemoryBound(to: UInt.self)
    }

    /// Turns every decoded instruction of a page into an end marker (`GuestMemory.codeResetHook`):
    /// the ones its index points to and, from each, the rest of its block (`count`), which
    /// takes in the copies a block made of code decoded before it (`decodeBlock`). A block is
    /// marked whole from its first instruction, which is in the index, so an instruction found
    /// marked already has its block's rest marked.
    static func invalidate(_ slots: UnsafeMutablePointer<DecodedInstruction>) {
        let index = X86CodeCache.index(slots)
        for i in 0..<Int(GuestMemory.pageSize) where index[i] != 0 {
            let p = UnsafeMutablePointer<X86Instruction>(bitPattern: index[i]).unsafelyUnwrapped
            if p.pointee.op == .blockEnd { continue }
            for k in 0..<Int(p.pointee.count) { p[k].op = .blockEnd }
        }
    }
}

extension X86CPU {
    /// This address space's decoded-code arena (made on first use), and its native tier once
    /// the address space's warm-up is over (`GuestMemory.nativeWarmUp`).
    @inline(__always) var codeCache: X86CodeCache {
        if let c = memory.codeCache {
            let cache = unsafeDowncast(c, to: X86CodeCache.self)
            if cache.tierPending && memory.nativeWarmUp <= 0 {
                cache.tierPending = false
                cache.nativeEntry = X86CodeCache.nativeEntry(memory)
            }
            return cache
        }
        let c = X86CodeCache()
        memory.codeCache = c
        if memory.nativeWarmUp > 0 {
            // No tier yet, and none of the riscv64 kind made for this address space meanwhile.
            memory.nativeTier = nil
            c.tierPending = true
        } else {
            c.nativeEntry = X86CodeCache.nativeEntry(memory)
        }
        memory.codeResetHook = X86CodeCache.invalidate
        return c
    }

    /// Decodes the block that starts at `pc` (whose page's code slots are `slots`) and returns
    /// its first instruction, or the fault when not even its first instruction can be fetched.
    @inline(never)
    func decodeBlock(_ slots: UnsafeMutablePointer<DecodedInstruction>, pc: UInt64) -> (UnsafeMutablePointer<X86Instruction>?, MemoryFault?) {
        let cache = codeCache
        var out = cache.reserve()
        if out == nil {
            memory.invalidateAllCode()
            cache.flush()
            out = cache.reserve()
        }
        let first = out.unsafelyUnwrapped
        if !CodePage.holdsCode(slots) { memory.noteCode(slots, vpn: pc >> 12) }
        let index = X86CodeCache.index(slots)
        let pageBase = pc & ~(GuestMemory.pageSize - 1)
        var here = pc
        var n = 0
        var buffer: (UInt64, UInt64) = (0, 0)
        while true {
            let offset = Int(here &- pageBase)
            let fetched = withUnsafeMutableBytes(of: &buffer) { fetch(here, into: $0) }
            if fetched.count == 0 {
                if n == 0 { return (nil, fetched.fault) }
                first[n] = X86Instruction.end(offset, pageBase)
                break
            }
            var insn = withUnsafeBytes(of: &buffer) {
                X86Decoder.decode($0.baseAddress!.assumingMemoryBound(to: UInt8.self), available: fetched.count, pc: here)
            }
            if insn.op == .truncated {
                // The rest of the instruction is on a page that cannot be fetched: the fault
                // is raised when execution reaches it.
                if n == 0 { return (nil, fetched.fault ?? memory.fault(here &+ UInt64(fetched.count), .execute)) }
                first[n] = X86Instruction.end(offset, pageBase)
                break
            }
            insn.offset = UInt16(offset)
            insn.markAddressForm()
            insn.op = insn.op.specialised(size: insn.size, source: insn.cond, lowBytes: (insn.reg | insn.rm) & 7 == 0,
                                          form: insn.scale & (X86Instruction.indexed | X86Instruction.slowAddress))
            if insn.op == .jcc, n > 0, X86CodeCache.fusesBranch(first[n - 1].op) {
                first[n - 1].attrs |= X86Attrs.fusedBranch
                if insn.cond & 0xe == 4 { first[n - 1].attrs |= X86Attrs.fusedZero }
            }
            first[n] = insn
            // Code decoded before keeps its place in the index; this block has its own copy.
            if index[offset] == 0 { index[offset] = UInt(bitPattern: first + n) }
            n += 1
            let next = here &+ UInt64(insn.length)
            if next &- pageBase > GuestMemory.pageSize {
                // Its last bytes are on the next page: writes there must drop this page's code.
                memory.noteCodeSpill(intoPageAt: next &- 1)
            }
            if insn.endsBlock { break }
            here = next
            let nextOffset = Int(here &- pageBase)
            if nextOffset >= Int(GuestMemory.pageSize) || n == X86CodeCache.maxBlock || X86CodeCache.singleStep {
                first[n] = X86Instruction.end(nextOffset, pageBase)
                break
            }
        }
        for i in 0..<n { first[i].count = UInt8(n - i) }
#if !SKIFF_WASI
        // Empty cached pages for the instructions written (this arena space may have held
        // others: a cached page's `key` depends on its instruction's `disp`).
        for i in 0...n {
            (UnsafeMutableRawPointer(first + i) + X86CodeCache.pageCacheOffset).assumingMemoryBound(to: X86PageCache.self).pointee.limit = 0
        }
#endif
        X86CodeCache.dropDeadFlags(first, n)
        X86CodeCache.formPairs(first, n)
        cache.commit(first[n - 1].endsBlock ? n : n + 1)
#if !SKIFF_WASI
        // noteCode and noteCodeSpill above drop write TLB entries.
        syncPageCaches()
#endif
        return (first, nil)
    }

    /// Copies up to 15 instruction bytes at `pc` (fewer where an unexecutable page begins).
    /// Returns how many, and the fault that stopped it short, if any.
    func fetch(_ pc: UInt64, into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, fault: MemoryFault?) {
        var done = 0
        while done < 15 {
            let a = pc &+ UInt64(done)
            guard let page = memory.translate(a >> 12, .execute) else { return (done, memory.fault(a, .execute)) }
            let off = Int(a & (GuestMemory.pageSize - 1))
            let n = min(15 - done, Int(GuestMemory.pageSize) - off)
            buffer.baseAddress!.advanced(by: done).copyMemory(from: page + off, byteCount: n)
            done += n
        }
        return (done, nil)
    }
}
