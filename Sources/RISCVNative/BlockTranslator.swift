#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RISCV

// Translates one guest block to x86-64: straight-line code from an entry pc, through
// not-taken conditional branches (each a side exit), up to a jump, an operation it does not
// translate, the page end, or a length limit. Guest registers the block uses are kept in host
// registers (`RegisterCache`) while it runs; every exit first writes back the ones changed so
// far, so the register file is exact wherever compiled code is left.
// Loads and stores inline the TLB fast path (accesses sharing a base register share one probe:
// `AccessPlan`); a miss calls the refill helper and retries, and what the helper cannot refill
// (a fault, a page-crossing access, a store into a code page) exits to the interpreter at that
// instruction, which performs the access itself.

struct TranslatedBlock {
    var bytes: [UInt8]
    /// Chainable exits: the offset of the patchable rel32 and the guest pc it leads to.
    var links: [(offset: Int, target: UInt64)]
    /// The guest bytes compiled, [start, end) within the entry's page and the next (a block
    /// that follows jumps may start before its entry): a store into them drops the block.
    var start: UInt64
    var end: UInt64
}

struct BlockTranslator {
    static let maxInstructions = 160
    /// Direct jumps (`j`, `jal`) within the entry's page a block follows, going on at the target.
    static let maxFollowed = 4

    var a: X86Assembler
    /// The shared code exits jump to (`epilogue`) and TLB misses call (`refill`).
    private let trampolines: Trampolines
    private var epilogue: UInt { trampolines.epilogue }
    private let firstLinkID: UInt32
    private var links: [(offset: Int, target: UInt64)] = []
    var exits: [Exit] = []
    /// This copy's branches to its own instructions (`BlockTranslator+InnerJumps.swift`).
    var innerJumps: [InnerJump] = []
    /// The instructions such branches lead to translated so far in this copy: index, code
    /// offset, register cache there.
    var joinCode: [(index: Int, offset: Int, cache: RegisterCache)] = []
    /// Guest pc -> index of the instructions such branches lead to.
    private var joins = PCIndex()
    /// The block's instructions and what the passes before emitting found in them, computed by
    /// the first translation and shared with the block's other translations and copies.
    private var analysis: Analysis?
    var cache = RegisterCache()
    /// The cache as the block's code starts (the fallback copy starts from it again).
    private var startCache = RegisterCache()
    private var refills: [Refill] = []
    /// Loop page checks whose miss paths are still to be laid out (`emitPageMisses`).
    private var pageMisses: [PageMiss] = []
    /// Instructions handed to a helper: where their address goes, and the instruction.
    private var embedded: [(immediate: Int, instruction: DecodedInstruction)] = []
    /// The guest pc the block starts at.
    let entry: UInt64
    /// A branch or jump leads back to `entry`.
    private var loopsToEntry = false
    /// The block holds tails (`BlockTranslator+Tails.swift`).
    private var hasTails = false
    /// The lowest guest pc translated (below `entry` when the block followed a jump back).
    private var start: UInt64
    /// With registers preloaded (`RegisterCache(preloading:)`): where the loop body starts,
    /// after the loads; back edges jump there.
    private var body: Int?
    /// Back edges whose budget is spent: their jumps out to the tier, and the `*w` results left
    /// zero-extended there (sign-extended as they are written back).
    private var backEdges: [(site: Int, narrow: UInt64)] = []
    /// Where the read and write TLBs are relative to the context register, when both are
    /// within reach of a 32-bit displacement (then a probe indexes them directly).
    private let tlbs: NativeContext.TLBDisplacements?
    /// The block's accesses that share a TLB probe (by instruction index).
    private var plan = AccessPlan()
    /// A full register cache evicts (straight-line blocks; a loop keeps its registers fixed).
    private let evicting: Bool
    /// The guest registers each instruction of the block names (for choosing what to evict).
    private var uses: [UInt64] = []
    /// What later instructions need of each register (`BlockTranslator+Liveness.swift`).
    private var liveness = Liveness()
    /// The index of the instruction being emitted.
    private var current = 0
    /// Its destination register.
    private var currentRD: UInt8 = 0
    /// While a load or store is emitted: the `*w` results left zero-extended (`Liveness`), which
    /// its exits sign-extend as they write them back; else 0.
    var narrowNow: UInt64 = 0
    /// While a branch or jump is emitted: the words its target needs in full that it holds
    /// zero-extended (`Liveness.edgeFull`), sign-extended on the way there; else 0.
    var edgeNow: UInt64 = 0
    /// The block's operations (nil: not fetchable), for `keepsRDX`.
    private var ops: [Op?] = []
    /// The access group whose addend rdx holds from its leader to its last member (nothing in
    /// between touches rdx), so the members need not reload it from the group's slot.
    private var rdxSlot: Int32?
    /// In a loop's translation: the accesses (by instruction index) that keep the page they last
    /// probed in a context entry (`cachedPage`).
    private var pages = PerInstruction<Int32>()
    /// How many loop page entries any translation of this block uses (the refills empty them),
    /// and which of them keep the page probed before the last one too (bit p: entry p).
    private var pageCount = 0
    private var secondPages: UInt32 = 0
    /// This translation's number for its loop page entries (the tier's; 0: none, the entries are
    /// emptied at every entry of the loop), and the first of the `NativeContext.loopPages`
    /// entries it uses.
    private var pageOwner: Int32 = 0
    private var pageBase: Int32 {
        pageOwner == 0 ? 0 : pageOwner % Int32(NativeContext.pageEntries / NativeContext.loopPages) * Int32(NativeContext.loopPages)
    }
    /// The context offset of this translation's loop page entry `page`.
    private func pageSlot(_ page: Int32) -> Int32 { NativeContext.pageOffset(pageBase + page) }
    /// Where each instruction starts in the block's fallback copy (translated with every access
    /// on its own): a group leader whose span the TLB cannot serve continues there.
    private var fallback: [Int] = []

    /// The out-of-line path of a TLB miss: refill the entry through `Helpers.refillTLB` and
    /// retry, or leave to the interpreter.
    private struct Refill {
        var site: Int
        var retry: Int
        /// The register holding the guest address (the refill takes it in rax).
        var address: X86Register = .rax
        var size: Int
        var write: Bool
        var pc: UInt64
        var retired: Int
        var dirty: RegisterList
        /// Of those, the `*w` results left zero-extended (bits by guest register).
        var narrow: UInt64 = 0
        /// A group leader's probe of the group's span: on failure, on to the fallback copy.
        var leader = false
        /// A store's probe in a block with read groups: refilled, it continues in the fallback
        /// copy (the refill may have given a grouped page a new frame).
        var toFallback = false
    }

    enum ExitKind {
        /// To a static guest target: chainable.
        case chain(UInt64)
        /// The interpreter executes the instruction at this pc.
        case interpret(UInt64)
    }

    struct Exit {
        /// The rel32 of the jump that leaves through it.
        var site: Int
        var kind: ExitKind
        /// Cached guest registers changed before this exit: written back on the way out.
        var dirty: RegisterList
        /// Guest instructions retired when leaving through this exit.
        var retired: Int
        /// Of `dirty`, the `*w` results left zero-extended (bits by guest register): sign-extended
        /// as they are written back.
        var narrow: UInt64 = 0
    }

    /// `base`: the address the code will be installed at; `trampolines`: the shared code;
    /// `firstLinkID`: the exit code of this block's first chainable exit.
    init(base: UInt, trampolines: Trampolines, firstLinkID: UInt32, entry: UInt64, tlbs: NativeContext.TLBDisplacements?,
         evicting: Bool = false) {
        a = X86Assembler(base: base)
        self.evicting = evicting
        self.trampolines = trampolines
        self.firstLinkID = firstLinkID
        self.entry = entry
        self.start = entry
        self.tlbs = tlbs
    }

    /// A loop's second translation: `first`'s cached registers loaded at entry.
    private init(loopOf first: BlockTranslator) {
        self.init(base: first.a.base, trampolines: first.trampolines, firstLinkID: first.firstLinkID, entry: first.entry,
                  tlbs: first.tlbs)
        let analysis = first.analysis!
        self.analysis = analysis
        if first.hasTails || (first.cache.overflowed && !Self.noRanking) {
            // More registers than host registers: keep the ones used most, inner loops' uses first.
            // With tails, always: the first translation's cache at its end is only its last tail's
            // (each tail starts from a branch's cache).
            let (keep, writes) = Self.loopRegisters(analysis)
            cache = RegisterCache(preloading: keep, writes: writes)
        } else {
            cache = RegisterCache(preloading: first.cache)
        }
        startCache = cache
        for (guest, host) in cache.all { a.load(host, .guestRegisters, Self.disp(guest)) }
        // The loop's cached pages start empty (limit 0: nothing is below it), unless the entries
        // are still the ones this loop filled, in the same page epoch (`claimLoopPages`).
        if !Self.noLoopPages {
            let (_, count, second) = Self.loopPages(analysis, plan: analysis.plan)
            if count > 0 {
                secondPages = second
                if first.pageOwner != 0 && !Self.noKeptPages {
                    pageOwner = first.pageOwner
                    claimLoopPages(count)
                } else {
                    a.moveZero(.rcx)
                    emptyLoopPages(count)
                }
            }
        }
        body = a.offset
    }

    /// Translates the block at `entry`; nil when its first instruction cannot be translated.
    /// A block that branches back to its own entry is translated again as a loop whose back
    /// edges stay in compiled code with the guest registers in host registers. The block is
    /// fetched and analysed once (`Analysis`), however many times it is emitted.
    static func translate(_ memory: GuestMemory, entry: UInt64, base: UInt, trampolines: Trampolines, firstLinkID: UInt32,
                          tlbs: NativeContext.TLBDisplacements?, pageOwner: Int32 = 0) -> TranslatedBlock? {
        var t = BlockTranslator(base: base, trampolines: trampolines, firstLinkID: firstLinkID, entry: entry, tlbs: tlbs)
        let analysis = Analysis(t.fetch(memory))
        if analysis.exceedsHostRegisters && !noEviction {
            // It would run out of host registers and be translated again with eviction (below):
            // with eviction from the start instead.
            t = BlockTranslator(base: base, trampolines: trampolines, firstLinkID: firstLinkID, entry: entry, tlbs: tlbs,
                                evicting: true)
        }
        t.analysis = analysis
        guard let end = t.translateBlock(memory) else { return nil }
        // Translated again (the same instructions, so the same bytes are covered, else the
        // retranslation is not used): a loop with the registers its first uses cached (no
        // eviction) loaded at entry; a block that ran out of host registers, with eviction. Most
        // blocks are neither and are translated once.
        var retranslated = false
        if t.loopsToEntry && (!t.cache.isEmpty || t.hasTails) && !noLoops {
            t.pageOwner = pageOwner
            var loop = BlockTranslator(loopOf: t)
            if loop.translateBlock(memory) == end { (t, retranslated) = (loop, true) }
        }
        if !retranslated && !t.evicting && t.cache.overflowed && !noEviction {
            var e = BlockTranslator(base: base, trampolines: trampolines, firstLinkID: firstLinkID, entry: entry, tlbs: tlbs,
                                    evicting: true)
            e.analysis = t.analysis
            if e.translateBlock(memory) == end { t = e }
        }
        if t.refills.contains(where: { $0.leader || $0.toFallback }) { t.emitFallback(memory) }
        t.emitExits()
        t.emitData()
        return TranslatedBlock(bytes: t.a.bytes, links: t.links, start: t.start, end: end)
    }

    /// `SKIFF_JIT_LOOPS=0`: loops leave through their back edge like any other branch (for
    /// comparisons).
    private static let noLoops = getenv("SKIFF_JIT_LOOPS").map { String(cString: $0) == "0" } ?? false
    /// `SKIFF_JIT_GROUPS=0`: every load and store probes the TLB on its own (for comparisons).
    static let noGroups = getenv("SKIFF_JIT_GROUPS").map { String(cString: $0) == "0" } ?? false
    /// `SKIFF_JIT_EVICT=0`: a full register cache leaves further registers in memory (first
    /// come, first served; for comparisons).
    private static let noEviction = getenv("SKIFF_JIT_EVICT").map { String(cString: $0) == "0" } ?? false
    /// `SKIFF_JIT_RORX=0`: a TLB probe's index as mov + shr even on BMI2 hosts (for comparisons).
    static let noRorx = getenv("SKIFF_JIT_RORX").map { String(cString: $0) == "0" } ?? false
    /// `SKIFF_JIT_LOOP_RANKING=0`: a loop keeps the registers its first uses cached even when
    /// it uses more than the host registers (for comparisons).
    static let noRanking = getenv("SKIFF_JIT_LOOP_RANKING").map { String(cString: $0) == "0" } ?? false
    /// `SKIFF_JIT_CROSS_PAGE=0`: blocks end at their entry's page end (for comparisons).
    static let noCrossPage = getenv("SKIFF_JIT_CROSS_PAGE").map { String(cString: $0) == "0" } ?? false
    /// `SKIFF_JIT_LOOP_PAGES=0`: a loop's accesses probe the TLB every iteration (for comparisons).
    static let noLoopPages = getenv("SKIFF_JIT_LOOP_PAGES").map { String(cString: $0) == "0" } ?? false
    /// `SKIFF_JIT_CONSTANTS=0`: `addi rd, x0, imm` as a zero and an add, as before (for comparisons).
    static let noConstants = getenv("SKIFF_JIT_CONSTANTS").map { String(cString: $0) == "0" } ?? false
    /// `SKIFF_JIT_FOLLOW=0`: every direct jump ends its block (for comparisons).
    private static let noFollow = getenv("SKIFF_JIT_FOLLOW").map { String(cString: $0) == "0" } ?? false

    /// The block once more with every access probing on its own, entered only from a group
    /// leader whose span missed and could not be refilled (it crosses a page, or part of it
    /// faults): the register cache evolves exactly as in the first copy (the same instructions
    /// in the same order), so the leader's instruction continues there with every guest value
    /// where it was.
    private mutating func emitFallback(_ memory: GuestMemory) {
        cache = startCache
        _ = translateBlock(memory, grouped: false)
    }

    /// A guest instruction of the block (nil: not fetchable there, or it straddles into the
    /// next page: the interpreter's).
    struct Fetched {
        var d: DecodedInstruction?
        /// `d`'s operation, uncompressed (`illegal` without `d`), looked up once for every pass.
        let op: Op
        var pc: UInt64
        var length: UInt64
        /// A direct jump the block follows: the next instruction fetched is its target's.
        var followed = false
        /// The first instruction of a tail: reached only by the block's branches to it.
        var tail = false
        /// The last instruction of a tail that runs into an instruction the block holds (at this pc).
        var continues: UInt64?

        init(d: DecodedInstruction?, pc: UInt64, length: UInt64, tail: Bool = false) {
            (self.d, self.pc, self.length, self.tail) = (d, pc, length, tail)
            op = d?.op.uncompressed ?? .illegal
        }

        /// Where a conditional branch or a direct jump goes (nil: another instruction, or none).
        var staticTarget: UInt64? { d.flatMap { BlockTranslator.staticTarget($0, op, pc: pc) } }
    }

    /// The block's instructions from `entry`: up to the end of the page after the entry's (a
    /// loop may straddle a page boundary, an instruction too), an instruction that cannot be
    /// fetched, a jump (included) or `maxInstructions`. Direct jumps to another place in the
    /// entry's page (not the entry itself, which makes a loop, nor a place already in the block)
    /// are followed, up to `maxFollowed`: the block goes on at the target with every guest value
    /// still in its host register, as a trace of the path taken. Then the tails: the paths its
    /// forward branches take off that line (`BlockTranslator+Tails.swift`).
    func fetch(_ memory: GuestMemory) -> [Fetched] {
        var code: [Fetched] = []
        code.reserveCapacity(64)
        fetchRun(memory, from: entry, into: &code, tail: false)
        appendTails(memory, to: &code)
        return code
    }

    /// Appends the straight line from `pc` (see `fetch`) to `code`. A tail (`tail`) also ends
    /// where it runs into an instruction the block already holds (`Fetched.continues`).
    func fetchRun(_ memory: GuestMemory, from start: UInt64, into code: inout [Fetched], tail: Bool) {
        var pc = start
        var followed = 0
        let first = code.count
        // The entry's page and the next (a loop may straddle the boundary).
        let lastPage = (entry >> 12) + (Self.noCrossPage ? 0 : 1)
        while code.count < Self.maxInstructions && pc >> 12 <= lastPage {
            if tail && code.count > first && code.contains(where: { $0.pc == pc }) {
                code[code.count - 1].continues = pc
                return
            }
            let (raw, fault) = memory.fetch(pc)
            let length: UInt64 = raw & 3 == 3 ? 4 : 2
            // An instruction straddling into the page after the entry's is the block's (it is
            // listed under both pages); one straddling out of that page ends it.
            if fault != nil || (length == 4 && pc & 0xfff == 0xffe && pc >> 12 == lastPage) {
                code.append(Fetched(d: nil, pc: pc, length: length, tail: tail && code.count == first))
                return
            }
            let d = length == 4 ? Decoder.decode(raw, pc: pc) : CompressedDecoder.decode(raw, pc: pc)
            code.append(Fetched(d: d, pc: pc, length: length, tail: tail && code.count == first))
            pc &+= length
            let op = code[code.count - 1].op
            // (Cases matched, not `==`: Op's `==` is a call into the RISCV module.)
            if op.isDirectJump, let target = Self.staticTarget(d, op, pc: code.last!.pc) {
                guard followed < Self.maxFollowed && !Self.noFollow, target >> 12 == entry >> 12, target != entry,
                      !code.contains(where: { $0.pc == target }) else { return }
                code[code.count - 1].followed = true
                followed += 1
                pc = target
            }
            if case .jalr = op { return }
        }
    }

    /// Where execution goes on after `f` when it ends a run of the block without a jump: the
    /// next instruction, or a followed jump's target.
    private static func fallThrough(_ f: Fetched) -> UInt64 {
        if let c = f.continues { return c }
        guard f.followed, let target = f.staticTarget else { return f.pc &+ f.length }
        return target
    }

    /// Emits the block's instructions; returns the end of the guest bytes translated, or nil
    /// when the first instruction cannot be translated.
    private mutating func translateBlock(_ memory: GuestMemory, grouped: Bool = true) -> UInt64? {
        let analysis = self.analysis ?? Analysis(fetch(memory))
        self.analysis = analysis
        let code = analysis.code
        hasTails = analysis.hasTails
        joins = analysis.joins
        let joinIndices = analysis.joinIndices
        plan = grouped && !Self.noGroups ? analysis.plan : AccessPlan()
        if evicting { uses = analysis.registers }
        refills.reserveCapacity(refills.count + analysis.probes)
        exits.reserveCapacity(exits.count + analysis.exits)
        liveness = analysis.liveness
        ops = analysis.ops
        rdxSlot = nil
        pages = PerInstruction()
        if body != nil && grouped && !Self.noLoopPages {
            let (assigned, count, second) = Self.loopPages(analysis, plan: plan)
            pages = assigned
            pageCount = max(pageCount, count)
            secondPages |= second
        }
        // Where the instructions inner jumps lead to start, with the register cache there.
        joinCode = []
        defer { emitInnerJumps(joinCode, code: code) }
        // The bytes translated so far: [start, end).
        var end = entry
        // The previous instruction may go on to this one (else it left, or jumped, or was not
        // translated: the rest of its run is unreachable).
        var open = true
        // Instruction i retires i instructions before it, counted along the block's order (an
        // inner jump's stub corrects the budget for what it skipped or repeats).
        for (i, f) in code.enumerated() {
            let pc = f.pc
            if f.tail {
                if open { leave(to: Self.fallThrough(code[i - 1]), retired: i) }
                open = true
                // Reached only by the block's branches: from the registers as the first of them
                // has them (its stub then only corrects the budget).
                if let first = innerJumps.first(where: { $0.to == i }) { cache.restart(from: first.cache) }
            }
            guard open else {
                if !grouped { fallback.append(a.offset) }
                continue
            }
            // Room first, outside the instruction: a fallback copy entered at this instruction
            // finds the same registers evicted.
            if evicting { makeRoom(at: i) }
            if !grouped { fallback.append(a.offset) }
            if joinIndices.contains(i) { joinCode.append((i, a.offset, cache)) }
            guard let d = f.d else {
                if i == 0 { return nil }
                exit(.interpret(pc), retired: i)
                open = false
                continue
            }
            current = i
            currentRD = d.rd
            // Exits inside an instruction leave before it writes anything; those of a load or
            // store, a branch or a jump sign-extend the `*w` results left zero-extended (an
            // instruction that may leave otherwise has none: the liveness pass makes every
            // register full before it).
            narrowNow = i < liveness.narrowBefore.count ? liveness.narrowBefore[i] : 0
            edgeNow = liveness.edgeFull(at: i)
            defer { (narrowNow, edgeNow) = (0, 0) }
            if liveness.absorbed.contains(i) {
                // A shift a rotate at its `or` stands for: nothing to emit.
            } else if f.followed {
                // The jump itself: only its link register, then on at the target.
                if d.rd != Registers.scratch {
                    a.move(.rax, imm: pc &+ f.length)
                    put(.rax, d.rd)
                }
            } else {
                switch emit(d, f.op, pc: pc, length: f.length, retired: i) {
                case .next:
                    break
                case .end:
                    open = false
                case .unsupported:
                    if i == 0 { return nil }
                    exit(.interpret(pc), retired: i)
                    open = false
                    continue
                }
            }
            _ = cover(pc, f.length, &end)
        }
        // The page end or the length limit.
        if open, let last = code.last { leave(to: Self.fallThrough(last), retired: code.count) }
        emitPageMisses()
        return end
    }

    /// Extends the bytes translated, [start, end), by an instruction; returns the new end.
    private mutating func cover(_ pc: UInt64, _ length: UInt64, _ end: inout UInt64) -> UInt64 {
        start = min(start, pc)
        end = max(end, pc &+ length)
        return end
    }

    // MARK: Eviction


    /// The integer registers a loop that uses more than the host registers keeps in them: the
    /// most used, a use inside the loop (up to a branch back to the entry: a trace may go on
    /// past it) or an inner loop (a backward branch to the block's own instruction) counting 8
    /// times per level; and every register some instruction may write (dirty at
    /// every exit: an earlier iteration may have written it).
    static func loopRegisters(_ analysis: Analysis) -> (keep: [UInt8], writes: [UInt8]) {
        let (code, targets) = (analysis.code, analysis.joins)
        var weight = [Int](filledWith: 1, count: code.count)
        for (i, f) in code.enumerated() where !f.followed {
            // Back edges to the entry (the loop itself) and to an instruction of the block.
            guard let t = f.staticTarget, let j = t == code.first?.pc ? 0 : targets[t], j <= i
            else { continue }
            for k in j...i { weight[k] = min(weight[k] * 8, 1 << 20) }
        }
        var score = [Int](filledWith: 0, count: Int(Registers.scratch))
        var writes: [UInt8] = []
        for (i, f) in code.enumerated() {
            guard let d = f.d else { continue }
            var named = analysis.registers[i]
            while named != 0 {
                score[named.trailingZeroBitCount] += weight[i]
                named &= named - 1
            }
            if d.rd != 0 && d.rd < Registers.scratch { writes.append(d.rd) }
        }
        let ranked = (1..<Int(Registers.scratch)).filter { score[$0] > 0 }.sorted { (score[$0], -$0) > (score[$1], -$1) }
        return (ranked.prefix(RegisterCache.poolSize).map { UInt8($0) }, writes)
    }

    /// Before instruction `index`: evicts cached registers until every register the instruction
    /// names that is not cached yet has a free host register. The victims are those needed
    /// again furthest ahead (never: first, clean before dirty), never the instruction's own.
    private mutating func makeRoom(at index: Int) {
        guard index < uses.count else { return }
        let named = uses[index]
        var needed = 0
        var rest = named
        while rest != 0 {
            if cache.host(of: UInt8(rest.trailingZeroBitCount)) == nil { needed += 1 }
            rest &= rest - 1
        }
        var excess = cache.count + needed - RegisterCache.poolSize
        guard excess > 0 else { return }
        // The candidates (pool entries not holding a register the instruction names) and each
        // one's next use (255: none; a block has fewer instructions), found in one pass ahead.
        var candidates: UInt16 = 0
        var pending: UInt64 = 0
        var m = cache.occupied
        while m != 0 {
            let i = m.trailingZeroBitCount
            m &= m - 1
            let guest = cache.owner(i)
            if named & 1 << UInt64(guest) != 0 { continue }
            candidates |= 1 << UInt16(i)
            pending |= 1 << UInt64(guest)
        }
        var next = Bytes16()
        var j = index + 1
        while pending != 0 && j < uses.count {
            var hit = uses[j] & pending
            pending &= ~hit
            while hit != 0 {
                if let i = cache.poolIndex(of: UInt8(hit.trailingZeroBitCount)) { next[i] = UInt8(j) }
                hit &= hit - 1
            }
            j += 1
        }
        // Furthest next use first; among equals, clean (free to drop) before dirty, then pool order.
        let narrow = index < liveness.narrowBefore.count ? liveness.narrowBefore[index] : 0
        while excess > 0 && candidates != 0 {
            var best = 0, bestKey = -1
            var c = candidates
            while c != 0 {
                let i = c.trailingZeroBitCount
                c &= c - 1
                let key = Int(next[i]) * 2 + (cache.dirty.bits & 1 << UInt16(i) != 0 ? 0 : 1)
                if key > bestKey { (best, bestKey) = (i, key) }
            }
            candidates &= ~(1 << UInt16(best))
            let guest = cache.owner(best)
            if let h = cache.evict(guest) {
                // A `*w` result left zero-extended goes to the register file in full.
                if narrow & (1 << UInt64(guest)) != 0 { a.signExtend32(h, h) }
                a.store(h, .guestRegisters, Self.disp(guest))
            }
            excess -= 1
        }
    }

    // MARK: Exits

    /// Goes on at guest `target` from the current point: the loop's back edge, an inner jump
    /// to the block's own instruction, or an exit.
    private mutating func leave(to target: UInt64, retired: Int) {
        if target == entry, body != nil {
            backEdge(if: nil, retired: retired)
        } else if let j = joins[target] {
            innerJump(if: nil, to: j, retired: retired)
        } else {
            loopsToEntry = loopsToEntry || target == entry
            exit(.chain(target), retired: retired)
        }
    }

    /// The guest pc of the block's instruction `j`.
    func analysisPC(_ j: Int) -> UInt64 { analysis!.code[j].pc }

    /// An unconditional exit from the current point.
    mutating func exit(_ kind: ExitKind, retired: Int) {
        exits.append(Exit(site: a.jump(), kind: kind, dirty: cache.registers(in: cache.dirty), retired: retired,
                          narrow: narrowNow))
    }

    /// A conditional exit taken when `c` holds.
    mutating func exit(if c: X86Condition, _ kind: ExitKind, retired: Int) {
        exits.append(Exit(site: a.jump(if: c), kind: kind, dirty: cache.registers(in: cache.dirty), retired: retired,
                          narrow: narrowNow))
    }

    /// A jump (when `c` holds, or always) back to the loop body: the iteration's instructions
    /// are taken from the budget, and with none left the block leaves to the tier.
    private mutating func backEdge(if c: X86Condition?, retired: Int) {
        let skip = c.map { a.jump(if: X86Condition(rawValue: $0.rawValue ^ 1)!) }
        extend(edgeNow, cache)
        a.alu(.sub, .budget, imm: Int32(retired))
        let again = a.jump(if: .g)
        a.patch(rel32At: again, toOffset: body!)
        backEdges.append((a.jump(), narrowNow))
        if let skip { a.patch(rel32At: skip, toOffset: a.offset) }
    }

    /// Sign-extends the words of `set` held in host registers of `cache` (they are words left
    /// zero-extended: the code a branch goes to needs them in full).
    mutating func extend(_ set: UInt64, _ cache: RegisterCache) {
        var m = set
        while m != 0 {
            let guest = UInt8(m.trailingZeroBitCount)
            m &= m - 1
            if let h = cache.host(of: guest) { a.signExtend32(h, h) }
        }
    }

    private mutating func emitExits() {
        // A back edge with the budget spent: out to the tier.
        for (site, narrow) in backEdges {
            a.patch(rel32At: site, toOffset: a.offset)
            for (guest, host) in cache.registers(in: cache.written) {
                if narrow & (1 << UInt64(guest)) != 0 { a.signExtend32(host, host) }
                a.store(host, .guestRegisters, Self.disp(guest))
            }
            a.move(.rcx, imm: entry)
            a.store(.rcx, .context, NativeContext.pcOffset)
            a.move(.rax, imm: UInt64(NativeExit.plain))
            a.jump(toAddress: epilogue)
        }
        for r in refills {
            a.patch(rel32At: r.site, toOffset: a.offset)
            // The guest address goes in rax: the shared refill keeps it (and every guest value)
            // for the retry.
            if r.address != .rax { a.move(.rax, r.address) }
            a.move(.rdx, imm: UInt64(r.size))
            a.move(.rcx, imm: r.write ? 1 : 0)
            a.call(toAddress: trampolines.refill)
            if body != nil && !Self.noLoopPages {
                // A refill may give a page a new frame (copy-on-write): the loop's cached pages go.
                a.moveZero(.rcx)
                emptyLoopPages(pageCount)
            }
            let back = a.jump(if: .ne)
            a.patch(rel32At: back, toOffset: r.toFallback ? fallback[r.retired] : r.retry)
            if r.leader {
                a.patch(rel32At: a.jump(), toOffset: fallback[r.retired])
            } else {
                exits.append(Exit(site: a.jump(), kind: .interpret(r.pc), dirty: r.dirty, retired: r.retired,
                                  narrow: r.narrow))
            }
        }
        links.reserveCapacity(links.count + exits.count)
        for e in exits {
            a.patch(rel32At: e.site, toOffset: a.offset)
            for (guest, host) in e.dirty {
                if e.narrow & (1 << UInt64(guest)) != 0 { a.signExtend32(host, host) }
                a.store(host, .guestRegisters, Self.disp(guest))
            }
            if e.retired > 0 { a.alu(.sub, .budget, imm: Int32(e.retired)) }
            switch e.kind {
            case .chain(let target):
                // Budget left: jump on (to the linked block once patched, else ask for it).
                let out = a.jump(if: .le)
                let link = a.jump()
                a.patch(rel32At: link, toOffset: a.offset)
                links.append((link, target))
                a.move(.rax, imm: UInt64(firstLinkID) + UInt64(links.count - 1))
                let toPC = a.jump()
                a.patch(rel32At: out, toOffset: a.offset)
                a.move(.rax, imm: UInt64(NativeExit.plain))
                a.patch(rel32At: toPC, toOffset: a.offset)
                a.move(.rcx, imm: target)
                a.store(.rcx, .context, NativeContext.pcOffset)
            case .interpret(let pc):
                a.move(.rcx, imm: pc)
                a.store(.rcx, .context, NativeContext.pcOffset)
                a.move(.rax, imm: UInt64(NativeExit.interpret))
            }
            a.jump(toAddress: epilogue)
        }
    }

    // MARK: Instructions

    private enum Outcome { case next, end, unsupported }

    static func disp(_ register: UInt8) -> Int32 { Int32(register) * 8 }

    /// The host register holding guest `register` (loaded on first use), or nil when the
    /// cache is full.
    mutating func cached(_ register: UInt8) -> X86Register? {
        if let h = cache.host(of: register) { return h }
        guard let h = cache.assign(register) else { return nil }
        a.load(h, .guestRegisters, Self.disp(register))
        return h
    }

    /// r = guest `register` (64 bits, or the low 32 zero-extended). Leaves the flags alone.
    mutating func get(_ r: X86Register, _ register: UInt8, w: Bool = true) {
        if register == 0 {
            a.moveZero(r)
        } else if let h = cached(register) {
            a.move(r, h, w: w)
        } else {
            a.load(r, .guestRegisters, Self.disp(register), w: w)
        }
    }

    /// Guest `register` = r.
    mutating func put(_ r: X86Register, _ register: UInt8) {
        if register == Registers.scratch { return }
        if let h = cache.host(of: register) ?? cache.assign(register) {
            a.move(h, r)
            cache.markDirty(register)
        } else {
            a.store(r, .guestRegisters, Self.disp(register))
        }
    }

    /// r op= guest `register`.
    private mutating func combine(_ o: X86ALU, _ r: X86Register, _ register: UInt8, w: Bool = true) {
        if register == 0 {
            a.alu(o, r, imm: 0, w: w)
        } else if let h = cached(register) {
            a.alu(o, r, h, w: w)
        } else {
            a.alu(o, r, .guestRegisters, Self.disp(register), w: w)
        }
    }

    /// Where a guest register's value is: a host register, its register file slot, or x0.
    enum Operand {
        case host(X86Register)
        case file(Int32)
        case zero
    }

    /// Guest `register` as an operand (loaded into its host register at first use when the
    /// cache has room).
    mutating func operand(_ register: UInt8) -> Operand {
        if register == 0 { return .zero }
        if let h = cached(register) { return .host(h) }
        return .file(Self.disp(register))
    }

    /// The host register that guest `rd` is computed in directly (cached from here on), or nil
    /// when rd is x0 or the cache is full. Resolve the sources (`operand`) first: a source that
    /// is rd must be loaded before rd is assigned without a load. The caller writes the register
    /// and then calls `defined(rd)`.
    mutating func destination(_ rd: UInt8) -> X86Register? {
        if rd == Registers.scratch { return nil }
        return cache.host(of: rd) ?? cache.assign(rd)
    }

    mutating func defined(_ rd: UInt8) { cache.markDirty(rd) }

    /// r = the operand (64 bits, or the low 32 zero-extended; a register onto itself is left
    /// as it is: the 32-bit operations that follow read only its low half).
    mutating func move(_ r: X86Register, _ o: Operand, w: Bool = true) {
        switch o {
        case .host(let h): if h != r { a.move(r, h, w: w) }
        case .file(let disp): a.load(r, .guestRegisters, disp, w: w)
        case .zero: a.moveZero(r)
        }
    }

    /// r op= the operand.
    mutating func apply(_ o: X86ALU, _ r: X86Register, _ operand: Operand, w: Bool = true) {
        switch operand {
        case .host(let h): a.alu(o, r, h, w: w)
        case .file(let disp): a.alu(o, r, .guestRegisters, disp, w: w)
        case .zero: a.alu(o, r, imm: 0, w: w)
        }
    }

    /// Writes the cached registers of `set` back to the register file.
    mutating func writeBack(_ set: RegisterCache.Set) {
        for (guest, host) in cache.registers(in: set) { a.store(host, .guestRegisters, Self.disp(guest)) }
    }

    /// Before a call into Swift: saves the caller-saved host registers that hold guest values,
    /// and `also`, keeping rsp 16-byte aligned as the C calling convention needs (block code
    /// runs with it aligned). Returns what `call(_:restoring:)` restores.
    private mutating func saveForCall(also extra: [X86Register] = []) -> [X86Register] {
        let saved = RegisterCache.callerSaved + extra
        for s in saved { a.push(s) }
        if saved.count % 2 == 1 { a.lea(.rsp, .rsp, -8) }
        return saved
    }

    /// Calls the helper at `address` (arguments in rdi, rsi, rdx, rcx), sets the flags from its
    /// Bool result (ne: true) and restores `saved` without touching the flags.
    private mutating func call(_ address: UInt64, restoring saved: [X86Register]) {
        a.move(.rax, imm: address)
        a.call(.rax)
        a.test(.rax, imm: 0xff)
        if saved.count % 2 == 1 { a.lea(.rsp, .rsp, 8) }
        for s in saved.reversed() { a.pop(s) }
    }

    /// `op`: `d`'s operation, uncompressed.
    private mutating func emit(_ d: DecodedInstruction, _ op: Op, pc: UInt64, length: UInt64, retired: Int) -> Outcome {
        let imm = d.imm
        let imm64 = UInt64(bitPattern: Int64(imm))
        switch op {
        case .li:
            let h = destination(d.rd) ?? .rax
            a.move(h, imm: imm64)
            finish(h, d.rd)
        case .auipc:
            a.move(.rax, imm: pc &+ imm64)
            put(.rax, d.rd)

        case .addi: immediate(.add, d)
        case .xori: immediate(.xor, d)
        case .ori: immediate(.or, d)
        case .andi: immediate(.and, d)
        case .slti, .sltiu:
            get(.rax, d.rs1)
            a.move(.rcx, imm: 0)
            a.alu(.cmp, .rax, imm: imm)
            a.set(op == .slti ? .l : .b, .rcx)
            put(.rcx, d.rd)
        case .slli: shift(.shl, d)
        case .srli: shift(.shr, d)
        case .srai: shift(.sar, d)
        case .rori: shift(.ror, d)
        case .slliw: shift(.shl, d, w: false)
        case .srliw: shift(.shr, d, w: false)
        case .sraiw: shift(.sar, d, w: false)
        case .roriw: shift(.ror, d, w: false)
        case .addiw:
            let s = operand(d.rs1)
            let h = destination(d.rd) ?? .rax
            if case .host(let r) = s, r != h, imm != 0, !Self.noLea {
                a.lea(h, X86Memory(r, imm), w: false)
            } else {
                move(h, s, w: false)
                if imm != 0 { a.alu(.add, h, imm: imm, w: false) }
            }
            finish(signExtended(h), d.rd)

        case .add:
            if let e = liveness.scaledAdds[current] { scaledAdd(e, d) } else { binary(.add, d) }
        case .sub: binary(.sub, d)
        case .xor: binary(.xor, d)
        case .or:
            if let r = liveness.rotates[current] { rotate(r, d) } else { binary(.or, d) }
        case .and: binary(.and, d)
        case .addw: binary(.add, d, w: false)
        case .subw: binary(.sub, d, w: false)
        case .slt, .sltu:
            get(.rax, d.rs1)
            a.move(.rcx, imm: 0)
            combine(.cmp, .rax, d.rs2)
            a.set(op == .slt ? .l : .b, .rcx)
            put(.rcx, d.rd)
        case .sll: shiftByRegister(.shl, d)
        case .srl: shiftByRegister(.shr, d)
        case .sra: shiftByRegister(.sar, d)
        case .rol: shiftByRegister(.rol, d)
        case .ror: shiftByRegister(.ror, d)
        case .sllw: shiftByRegister(.shl, d, w: false)
        case .srlw: shiftByRegister(.shr, d, w: false)
        case .sraw: shiftByRegister(.sar, d, w: false)
        case .rolw: shiftByRegister(.rol, d, w: false)
        case .rorw: shiftByRegister(.ror, d, w: false)

        case .mul, .mulw:
            // In rd's host register: imul h, rs2 (rs1 when rd is rs2: the product commutes).
            let w = op == .mul
            var s1 = operand(d.rs1), s2 = operand(d.rs2)
            let h = destination(d.rd) ?? .rax
            if case .host(let r2) = s2, r2 == h, d.rs1 != d.rs2 { swap(&s1, &s2) }
            move(h, s1, w: w)
            switch s2 {
            case .host(let r): a.multiply(h, r, w: w)
            case .file(let disp):
                a.load(.rcx, .guestRegisters, disp)
                a.multiply(h, .rcx, w: w)
            case .zero: a.moveZero(h)
            }
            finish(w ? h : signExtended(h), d.rd)
        case .mulh, .mulhu:
            get(.rax, d.rs1)
            get(.rcx, d.rs2)
            a.multiplyWide(by: .rcx, signed: op == .mulh)
            put(.rdx, d.rd)

        case .div, .rem, .divw, .remw:
            divide(d, signed: true, remainder: op == .rem || op == .remw, w: op == .div || op == .rem)
        case .divu, .remu, .divuw, .remuw:
            divide(d, signed: false, remainder: op == .remu || op == .remuw, w: op == .divu || op == .remu)

        case .addUw, .sh1addUw, .sh2addUw, .sh3addUw, .sh1add, .sh2add, .sh3add:
            get(.rax, d.rs1, w: !(op == .addUw || op == .sh1addUw || op == .sh2addUw || op == .sh3addUw))
            let s: UInt8 = op == .sh1add || op == .sh1addUw ? 1 : op == .sh2add || op == .sh2addUw ? 2 : op == .addUw ? 0 : 3
            if s > 0 { a.shift(.shl, .rax, by: s) }
            combine(.add, .rax, d.rs2)
            put(.rax, d.rd)
        case .slliUw:
            get(.rax, d.rs1, w: false)
            a.shift(.shl, .rax, by: UInt8(imm & 63))
            put(.rax, d.rd)
        case .andn, .orn:
            get(.rax, d.rs2)
            a.not(.rax)
            combine(op == .andn ? .and : .or, .rax, d.rs1)
            put(.rax, d.rd)
        case .xnor:
            get(.rax, d.rs1)
            combine(.xor, .rax, d.rs2)
            a.not(.rax)
            put(.rax, d.rd)
        case .min, .max, .minu, .maxu:
            get(.rax, d.rs1)
            get(.rcx, d.rs2)
            a.alu(.cmp, .rax, .rcx)
            let c: X86Condition = op == .min ? .g : op == .max ? .l : op == .minu ? .a : .b
            a.move(if: c, .rax, .rcx)
            put(.rax, d.rd)
        case .sextB, .sextH, .zextH:
            get(.rax, d.rs1)
            a.extend(.rax, .rax, size: op == .sextB ? 1 : 2, signed: op != .zextH)
            put(.rax, d.rd)
        case .rev8:
            get(.rax, d.rs1)
            a.byteSwap(.rax)
            put(.rax, d.rd)
        case .bexti:
            // Zbs single-bit extract (a JVM's interpreter tests flag bits with it millions of times).
            let source = operand(d.rs1)
            let h = destination(d.rd) ?? .rax
            move(h, source)
            let sh = UInt8(truncatingIfNeeded: imm) & 63
            if sh != 0 { a.shift(.shr, h, by: sh) }
            a.alu(.and, h, imm: 1)
            finish(h, d.rd)
        case .bseti, .bclri, .binvi:
            // or/and/xor with the bit as a sign-extended 32-bit immediate: bits 0-30 only.
            let sh = imm & 63
            if sh >= 31 { return .unsupported }
            var m = d
            m.imm = op == .bclri ? ~(Int32(1) << sh) : Int32(1) << sh
            immediate(op == .bseti ? .or : op == .bclri ? .and : .xor, m)

        case .fence:
            break
        case .csr where Self.isFloatCSR(d):
            floatCSR(d)
        case .fmvXD, .fmvDX:
            get(.rax, d.rs1)
            put(.rax, d.rd)
        case .fmvXW:
            get(.rax, d.rs1)
            a.signExtend32(.rax, .rax)
            put(.rax, d.rd)
        case .fmvWX:
            get(.rax, d.rs1, w: false)
            a.move(.rcx, imm: Hart.boxMask)
            a.alu(.or, .rax, .rcx)
            put(.rax, d.rd)

        case .lb: load(d, pc: pc, retired: retired, size: 1, signed: true)
        case .lh: load(d, pc: pc, retired: retired, size: 2, signed: true)
        case .lw: load(d, pc: pc, retired: retired, size: 4, signed: true)
        case .ld, .fld: load(d, pc: pc, retired: retired, size: 8, signed: false)
        case .lbu: load(d, pc: pc, retired: retired, size: 1, signed: false)
        case .lhu: load(d, pc: pc, retired: retired, size: 2, signed: false)
        case .lwu: load(d, pc: pc, retired: retired, size: 4, signed: false)
        case .flw: load(d, pc: pc, retired: retired, size: 4, signed: false, nanBox: true)
        case .sb: store(d, pc: pc, retired: retired, size: 1)
        case .sh: store(d, pc: pc, retired: retired, size: 2)
        case .sw, .fsw: store(d, pc: pc, retired: retired, size: 4)
        case .sd, .fsd: store(d, pc: pc, retired: retired, size: 8)

        case .lrW, .lrD: loadReserved(d, pc: pc, retired: retired, size: op == .lrD ? 8 : 4)
        case .scW, .scD: storeConditional(d, pc: pc, retired: retired, size: op == .scD ? 8 : 4)
        case .amoW, .amoD:
            guard let operation = AtomicOperation(rawValue: d.rm) else { return .unsupported }
            atomic(operation, d, pc: pc, retired: retired, size: op == .amoD ? 8 : 4)

        case .beq, .bne, .blt, .bge, .bltu, .bgeu:
            branch(Self.condition(of: op), d, target: pc &+ UInt64(bitPattern: Int64(imm) << 1), retired: retired)
        case .branchFar:
            let c: [X86Condition] = [.e, .ne, .l, .ge, .b, .ae]
            branch(c[Int(d.rm)], d, target: pc &+ imm64, retired: retired)
        case .jal, .jalFar:
            if d.rd != Registers.scratch {
                a.move(.rax, imm: pc &+ length)
                put(.rax, d.rd)
            }
            let target = op == .jal ? pc &+ UInt64(bitPattern: Int64(imm) << 1) : pc &+ imm64
            leave(to: target, retired: retired + 1)
            return .end
        case .jalr:
            get(.rax, d.rs1)
            if imm != 0 { a.alu(.add, .rax, imm: imm) }
            a.alu(.and, .rax, imm: -2)
            if d.rd != Registers.scratch {
                a.move(.rcx, imm: pc &+ length)
                put(.rcx, d.rd)
            }
            // A computed target: through the jump cache when it knows the block there, else
            // back to the tier (which finds or compiles it and fills the cache).
            writeBack(cache.dirty)
            a.alu(.sub, .budget, imm: Int32(retired + 1))
            let spent = a.jump(if: .le)
            a.move(.rcx, .rax, w: false)
            a.shift(.shl, .rcx, by: 3, w: false)
            a.alu(.and, .rcx, imm: Int32(JumpCache.indexMask << 4), w: false)
            a.alu(.add, .rcx, .context, NativeContext.jumpCacheOffset)
            a.alu(.cmp, .rax, .rcx, 0)
            let miss = a.jump(if: .ne)
            a.jump(toAddressAt: .rcx, 8)
            a.patch(rel32At: spent, toOffset: a.offset)
            a.patch(rel32At: miss, toOffset: a.offset)
            a.store(.rax, .context, NativeContext.pcOffset)
            a.move(.rax, imm: UInt64(NativeExit.plain))
            a.jump(toAddress: epilogue)
            return .end
        default:
            if !op.isFloatingPointComputation { return .unsupported }
            floatingPoint(d, pc: pc, retired: retired)  // BlockTranslator+Float.swift
        }
        return .next
    }

    /// Floating point the host cannot do exactly inline runs in Swift (`Hart.executeFloatingPoint`,
    /// exact): write the cached registers back, call it with the decoded instruction (kept after
    /// the block's code), and reload the destination. An illegal rounding mode leaves to the
    /// interpreter, which raises it. (`BlockTranslator+Float.swift` calls this as its slow path.)
    mutating func callFloatingPoint(_ d: DecodedInstruction, pc: UInt64, retired: Int) {
        writeBack(cache.dirty)
        cache.markAllClean()
        let saved = saveForCall()
        a.load(.rdi, .context, NativeContext.hartOffset)
        embedded.append((a.moveLater(.rsi), d))
        call(Helpers.address(Helpers.floatingPoint), restoring: saved)
        if let h = cache.host(of: d.rd) { a.load(h, .guestRegisters, Self.disp(d.rd)) }
        exit(if: .e, .interpret(pc), retired: retired)
    }

    private mutating func emitData() {
        for (immediate, instruction) in embedded {
            let raw = withUnsafeBytes(of: instruction) { Array($0) }
            let at = a.data(raw)
            a.patch(imm64At: immediate, UInt64(a.base) &+ UInt64(at))
        }
    }

    private static func condition(of op: Op) -> X86Condition {
        switch op {
        case .beq: return .e
        case .bne: return .ne
        case .blt: return .l
        case .bge: return .ge
        case .bltu: return .b
        default: return .ae
        }
    }

    /// rd = rs1 op imm, computed in rd's host register (addi from another cached register: lea).
    private mutating func immediate(_ o: X86ALU, _ d: DecodedInstruction) {
        let s = operand(d.rs1)
        let h = destination(d.rd) ?? .rax
        if case .zero = s, !Self.noConstants {
            // `li` (addi/ori/xori from x0): one move of the constant (flags kept), not a zero
            // and an add.
            let value = o == .and ? 0 : UInt64(bitPattern: Int64(d.imm))
            if value == 0 { a.moveZero(h) } else { a.move(h, imm: value) }
            return finish(h, d.rd)
        }
        if case .host(let r) = s, r != h, o == .add {
            if d.imm == 0 { a.move(h, r) } else { a.lea(h, r, d.imm) }
        } else {
            move(h, s)
            if d.imm != 0 || o == .and { a.alu(o, h, imm: d.imm) }
        }
        finish(wordResult(h), d.rd)
    }

    /// rd = rs1 op rs2, computed in rd's host register when it has one.
    private mutating func binary(_ o: X86ALU, _ d: DecodedInstruction, w: Bool = true) {
        let s1 = operand(d.rs1), s2 = operand(d.rs2)
        var h = destination(d.rd) ?? .rax
        // x0 as an operand of add, or, xor (and sub's second): a move (mv is `add rd, x0, rs`).
        if case .zero = s1, o == .add || o == .or || o == .xor {
            move(h, s2, w: w)
            return finish(w ? wordResult(h) : signExtended(h), d.rd)
        }
        if case .zero = s2, o != .and {
            move(h, s1, w: w)
            return finish(w ? wordResult(h) : signExtended(h), d.rd)
        }
        if o == .add, !Self.noLea, case .host(let r1) = s1, case .host(let r2) = s2, h != r1, h != r2,
           r1.rawValue & 7 != 5 || r2.rawValue & 7 != 5 {
            // Two other host registers: one lea (based on the one that is not rbp or r13).
            let (b, x) = r1.rawValue & 7 != 5 ? (r1, r2) : (r2, r1)
            a.lea(h, base: b, index: x, scale: 0, w: w)
            return finish(w ? wordResult(h) : signExtended(h), d.rd)
        }
        if case .host(let r2) = s2, r2 == h, d.rs1 != d.rs2 {
            // rd = rs2: commutative operations swap their operands, sub goes through rax.
            if o == .sub { h = .rax } else { return finish(combined(o, h, s1, w: w), d.rd) }
        }
        move(h, s1, w: w)
        apply(o, h, s2, w: w)
        finish(w ? wordResult(h) : signExtended(h), d.rd)
    }

    /// h op= the operand, then h sign-extended from 32 bits unless `w`.
    private mutating func combined(_ o: X86ALU, _ h: X86Register, _ s: Operand, w: Bool) -> X86Register {
        apply(o, h, s, w: w)
        return w ? wordResult(h) : signExtended(h)
    }

    /// h (a `*w` result, zero-extended) sign-extended, unless nothing reads its upper half.
    private mutating func signExtended(_ h: X86Register) -> X86Register {
        // Left zero-extended only in rd's own host register (a load or store's exit sign-extends
        // it there; the register file always holds it in full).
        if current >= liveness.lowHalfOnly.count || !liveness.lowHalfOnly[current]
            || !(Self.noLazySignExtension || cache.host(of: currentRD) != nil) {
            a.signExtend32(h, h)
        }
        return h
    }

    /// An and/or/xor or move of `*w` results (`Liveness.wordLogic`) whose upper half nothing
    /// reads stays as computed (its upper half anything) in rd's own host register, as a `*w`
    /// result does; anywhere else it goes sign-extended. (Read in full, its sources were full.)
    private mutating func wordResult(_ h: X86Register) -> X86Register {
        if liveness.wordLogic.contains(current), current < liveness.lowHalfOnly.count, liveness.lowHalfOnly[current],
           !(Self.noLazySignExtension || cache.host(of: currentRD) != nil) {
            a.signExtend32(h, h)
        }
        return h
    }

    /// rd = base + (index << shift) (`Liveness`: `slli` and a later `add`): one lea, the operands
    /// not in host registers read into rcx (base) and rax (index).
    private mutating func scaledAdd(_ e: ScaledAdd, _ d: DecodedInstruction) {
        let b = operand(e.base), x = operand(e.index)
        let h = destination(d.rd) ?? .rax
        var rb = X86Register.rcx, rx = X86Register.rax
        if case .host(let r) = b { rb = r } else { move(.rcx, b) }
        if case .host(let r) = x { rx = r } else { move(.rax, x) }
        if rb.rawValue & 7 == 5 {
            // rbp and r13 as a base need a displacement: a shift and an add instead.
            let t = h == rb ? X86Register.rax : h
            if t != rx { a.move(t, rx) }
            a.shift(.shl, t, by: e.shift)
            if t == h { a.alu(.add, h, rb) } else { a.alu(.add, h, t) }
        } else {
            a.lea(h, base: rb, index: rx, scale: e.shift, w: true)
        }
        finish(h, d.rd)
    }

    /// rd = the source rotated right (`Liveness`: an `or` of two shifts).
    private mutating func rotate(_ r: Rotate, _ d: DecodedInstruction) {
        let s = operand(r.source)
        let h = destination(d.rd) ?? .rax
        if case .host(let source) = s, HostFeatures.bmi2 {
            a.rotateRight(h, source, by: r.amount, w: r.wide)
        } else {
            move(h, s, w: r.wide)
            a.shift(.ror, h, by: r.amount, w: r.wide)
        }
        finish(r.wide ? h : signExtended(h), d.rd)
    }

    /// rd = the source's low bytes extended (`Liveness`: a pair of shifts).
    private mutating func extend(_ e: Extension, _ d: DecodedInstruction) {
        let s = operand(e.source)
        let h = destination(d.rd) ?? .rax
        var r = h
        if case .host(let source) = s { r = source } else { move(h, s) }
        switch (e.size, e.signed) {
        case (4, true): a.signExtend32(h, r)
        case (4, false): a.move(h, r, w: false)
        default: a.extend(h, r, size: e.size, signed: e.signed)
        }
        finish(h, d.rd)
    }

    /// rd = the source's low half extended and shifted (`Liveness`: `slli 32` and a later
    /// `srli`/`srai`).
    private mutating func scale(_ e: Scaled, _ d: DecodedInstruction) {
        let s = operand(e.source)
        let h = destination(d.rd) ?? .rax
        switch s {
        case .host(let r): if e.signed { a.signExtend32(h, r) } else { a.move(h, r, w: false) }
        case .file(let disp):
            a.load(h, .guestRegisters, disp, w: false)
            if e.signed { a.signExtend32(h, h) }
        case .zero: a.moveZero(h)
        }
        if e.shift > 0 { a.shift(.shl, h, by: e.shift) }
        finish(h, d.rd)
    }

    /// Guest `rd` now holds the value computed in `h` (its own host register, or rax when it
    /// has none).
    private mutating func finish(_ h: X86Register, _ rd: UInt8) {
        if h == .rax { put(.rax, rd) } else { defined(rd) }
    }

    private mutating func shift(_ s: X86Shift, _ d: DecodedInstruction, w: Bool = true) {
        if let e = liveness.extensions[current] { return extend(e, d) }
        if let e = liveness.scaled[current] { return scale(e, d) }
        let source = operand(d.rs1)
        let h = destination(d.rd) ?? .rax
        move(h, source, w: w)
        a.shift(s, h, by: UInt8(truncatingIfNeeded: d.imm) & (w ? 63 : 31), w: w)
        finish(w ? h : signExtended(h), d.rd)
    }

    private mutating func shiftByRegister(_ s: X86Shift, _ d: DecodedInstruction, w: Bool = true) {
        if HostFeatures.bmi2 && s != .rol && s != .ror {
            // shlx/shrx/sarx: from the cached registers straight into rd's (the count is taken
            // mod 64, or mod 32 for the W forms, as RISC-V does).
            var source = X86Register.rax, count = X86Register.rcx
            if case .host(let r) = operand(d.rs1) { source = r } else { get(.rax, d.rs1) }
            if case .host(let r) = operand(d.rs2) { count = r } else { get(.rcx, d.rs2) }
            let h = destination(d.rd) ?? .rax
            a.shift(s, h, source, by: count, w: w)
            return finish(w ? h : signExtended(h), d.rd)
        }
        get(.rcx, d.rs2)
        get(.rax, d.rs1, w: w)
        a.shiftByCL(s, .rax, w: w)
        put(w ? .rax : signExtended(.rax), d.rd)
    }

    /// RISC-V division never traps: by zero the quotient is all ones and the remainder the
    /// dividend; the signed overflow (MIN / -1) gives MIN and 0, as does any division by -1
    /// (negation), which therefore never reaches idiv.
    private mutating func divide(_ d: DecodedInstruction, signed: Bool, remainder: Bool, w: Bool) {
        get(.rax, d.rs1, w: w)
        get(.rcx, d.rs2, w: w)
        a.test(.rcx, .rcx, w: w)
        let byZero = a.jump(if: .e)
        var done: [Int] = []
        if signed {
            a.alu(.cmp, .rcx, imm: -1, w: w)
            let ordinary = a.jump(if: .ne)
            if remainder { a.move(.rax, imm: 0) } else { a.negate(.rax, w: w) }
            done.append(a.jump())
            a.patch(rel32At: ordinary, toOffset: a.offset)
            a.signExtendIntoRDX(w: w)
        } else {
            a.move(.rdx, imm: 0)
        }
        a.divide(by: .rcx, signed: signed, w: w)
        if remainder { a.move(.rax, .rdx) }
        done.append(a.jump())
        a.patch(rel32At: byZero, toOffset: a.offset)
        if !remainder { a.move(.rax, imm: UInt64.max) }
        for j in done { a.patch(rel32At: j, toOffset: a.offset) }
        put(w ? .rax : signExtended(.rax), d.rd)
    }

    private mutating func branch(_ c: X86Condition, _ d: DecodedInstruction, target: UInt64, retired: Int) {
        let s1 = operand(d.rs1), s2 = operand(d.rs2)
        // Two words compare as their low halves (`Liveness.wordCompares`).
        let w = !liveness.wordCompares.contains(current)
        if case .host(let r1) = s1 {
            apply(.cmp, r1, s2, w: w)
        } else {
            move(.rax, s1, w: w)
            apply(.cmp, .rax, s2, w: w)
        }
        if target == entry, body != nil {
            backEdge(if: c, retired: retired + 1)
        } else if let j = joins[target] {
            innerJump(if: c, to: j, retired: retired + 1)
        } else {
            loopsToEntry = loopsToEntry || target == entry
            exit(if: c, .chain(target), retired: retired + 1)
        }
    }

    /// rax = the guest address rs1 + imm translated through the read or write TLB for an access
    /// of `size` bytes; a miss (or a page-crossing access) leaves to the interpreter at `pc`.
    mutating func translateAddress(_ d: DecodedInstruction, pc: UInt64, retired: Int, size: Int, write: Bool) {
        let entry = probe(at: guestAddress(d.rs1, d.imm, inPlace: false), pc: pc, retired: retired, size: size, write: write)
        a.alu(.add, .rax, entry.base, index: entry.index, entry.disp + 8)
    }

    /// The guest address `base` + `offset` in a host register: guest `base`'s own when cached
    /// and `offset` is 0 and `inPlace`, else rax.
    private mutating func guestAddress(_ base: UInt8, _ offset: Int32, inPlace: Bool, assigning: Bool = true) -> X86Register {
        // Not `assigning`: a register not in a host register yet is read from the register file.
        let b = assigning || base == 0 ? operand(base) : cache.host(of: base).map { .host($0) } ?? .file(Self.disp(base))
        if case .host(let r) = b {
            if offset == 0 && inPlace { return r }
            if offset != 0 { a.lea(.rax, r, offset); return .rax }
        }
        move(.rax, b)
        if offset != 0 { a.alu(.add, .rax, imm: offset) }
        return .rax
    }

    /// Probes the read or write TLB for an access of `size` bytes (or a group's span) at the
    /// guest address in `address` (rax or a guest value's host register; kept); returns the
    /// matching entry as a memory operand (its tag at `disp`, its addend at `disp + 8`). A miss
    /// calls the refill and probes again, or leaves to the interpreter at `pc` (a group leader:
    /// on to the fallback copy).
    private mutating func probe(at address: X86Register, pc: UInt64, retired: Int, size: Int, write: Bool,
                                leader: Bool = false) -> (base: X86Register, index: X86Register?, disp: Int32) {
        // Tag: the page of the access's last byte; index: the page of its first byte.
        let retry = a.offset
        if size == 1 { a.move(.rcx, address) } else { a.lea(.rcx, address, Int32(size - 1)) }
        a.shift(.shr, .rcx, by: 12)
        if HostFeatures.bmi2 && !Self.noRorx {
            // One rorx for the move and the shift (the low byte rotated to the top is masked off).
            a.rotateRight(.rdx, address, by: 8, w: false)
        } else {
            a.move(.rdx, address, w: false)
            a.shift(.shr, .rdx, by: 8, w: false)
        }
        a.alu(.and, .rdx, imm: Int32(TLB.mask << 4), w: false)
        // The entry: [context + rdx + displacement] when the TLB is within reach, else through
        // its pointer in the context.
        let table: X86Register?, disp: Int32
        if let tlbs {
            (table, disp) = (.rdx, write ? tlbs.write : tlbs.read)
        } else {
            a.alu(.add, .rdx, .context, write ? NativeContext.writeTLBOffset : NativeContext.readTLBOffset)
            (table, disp) = (nil, 0)
        }
        let entry: X86Register = table == nil ? .rdx : .context
        a.alu(.cmp, .rcx, entry, index: table, disp)
        refills.append(Refill(site: a.jump(if: .ne), retry: retry, address: address, size: size, write: write, pc: pc,
                              retired: retired, dirty: cache.registers(in: cache.dirty), narrow: narrowNow, leader: leader,
                              toFallback: write && plan.hasReadGroups))
        return (entry, table, disp)
    }

    /// rdx = the addend of the page holding guest `base` + `offset` (kept in rax, or in `base`'s
    /// host register when the offset is 0; returned) for an access of `size` bytes: by a TLB
    /// probe, or in a loop's translation (`page`) from the loop's cached page when the access
    /// lies in it. The cache entry holds the page's start, a limit (4097 - size: the access lies
    /// in it when address - start is below; 0 when empty) and the addend; a probe refills it.
    /// The addend then comes from a load independent of the address: a pointer-chasing loop's
    /// chain of dependent loads no longer waits for each probe. Every refill in a loop empties
    /// the loop's entries (it may give a page a new frame), as does the loop's entry.
    private mutating func pageAddend(_ base: UInt8, _ offset: Int32, pc: UInt64, retired: Int, size: Int, write: Bool,
                                     leader: Bool, page: Int32?, assigning: Bool = true) -> (X86Register, Int32) {
        // In a loop, off a base in a host register with an offset: the check computes the address
        // straight into rcx, and only the probe (the miss) into rax; the access is then
        // [base + addend + offset].
        var direct: X86Register?
        if page != nil && offset != 0 && base != 0 && !Self.noDirectPages {
            if assigning, case .host(let r) = operand(base) { direct = r }
            if !assigning, let r = cache.host(of: base) { direct = r }
        }
        var address: X86Register = .rax
        if direct == nil { address = guestAddress(base, offset, inPlace: true, assigning: assigning) }
        var hit: Int?, hitPrevious: Int?
        let previous = NativeContext.previousPage
        if let page, !Self.inlinePageMisses {
            // The hit falls through to the addend's load and the access; the miss path (the
            // previous page, the probe, the entry's refill) is laid out after the block.
            let slot = pageSlot(page)
            if let r = direct { a.lea(.rcx, r, offset) } else { a.move(.rcx, address) }
            a.alu(.sub, .rcx, .context, slot)
            a.alu(.cmp, .rcx, .context, slot + 8)
            let site = a.jump(if: .ae)
            a.load(.rdx, .context, slot + 16)
            pageMisses.append(PageMiss(site: site, resume: a.offset, page: page, direct: direct, offset: offset,
                                       address: address, pc: pc, retired: retired, size: size, write: write,
                                       leader: leader, cache: cache, narrow: narrowNow))
            if let r = direct { return (r, offset) }
            return (address, 0)
        }
        if let page {
            let slot = pageSlot(page)
            if let r = direct { a.lea(.rcx, r, offset) } else { a.move(.rcx, address) }
            a.alu(.sub, .rcx, .context, slot)
            a.alu(.cmp, .rcx, .context, slot + 8)
            hit = a.jump(if: .b)
            hitPrevious = checkPreviousPage(page, direct: direct, offset: offset, address: address)
            if let r = direct { a.lea(.rax, r, offset) }
        }
        let e = probe(at: address, pc: pc, retired: retired, size: size, write: write, leader: leader)
        a.load(.rdx, e.base, index: e.index, e.disp + 8, size: 8, signed: false)
        if let page, let hit {
            let slot = pageSlot(page)
            refillLoopPage(page, address: address, size: size, keepingPrevious: hitPrevious != nil)
            let done = a.jump()
            var donePrevious: Int?
            if let hitPrevious {
                a.patch(rel32At: hitPrevious, toOffset: a.offset)
                a.load(.rdx, .context, slot + previous + 16)
                donePrevious = a.jump()
            }
            a.patch(rel32At: hit, toOffset: a.offset)
            a.load(.rdx, .context, slot + 16)
            a.patch(rel32At: done, toOffset: a.offset)
            if let donePrevious { a.patch(rel32At: donePrevious, toOffset: a.offset) }
        }
        if let r = direct { return (r, offset) }
        return (address, 0)
    }

    /// A loop page check's miss path, laid out after the block's code (`emitPageMisses`).
    private struct PageMiss {
        /// The rel32 of the check's `jae`.
        var site: Int
        /// Where the access goes on with the addend in rdx.
        var resume: Int
        var page: Int32
        /// The base's host register when the check computes the address with a `lea` (then
        /// the probe's copy goes into rax here), else nil.
        var direct: X86Register?
        var offset: Int32
        var address: X86Register
        var pc: UInt64
        var retired: Int
        var size: Int
        var write: Bool
        var leader: Bool
        /// The register cache and the `*w` results left zero-extended at the access (the probe's
        /// exits write them back as they are there).
        var cache: RegisterCache
        var narrow: UInt64
    }

    /// `SKIFF_JIT_PAGE_MISS_INLINE=1`: a loop page check's miss path inline, the hit jumping
    /// over it, as before (for comparisons).
    static let inlinePageMisses = getenv("SKIFF_JIT_PAGE_MISS_INLINE").map { String(cString: $0) == "1" } ?? false

    /// The miss paths of this copy's loop page checks: the previous page (for the entries that
    /// keep one), else the TLB probe (its refill and exits as at the access) and the entry's
    /// refill; then back to the access with the addend in rdx.
    private mutating func emitPageMisses() {
        let previous = NativeContext.previousPage
        let saved = (cache, narrowNow)
        for m in pageMisses {
            a.patch(rel32At: m.site, toOffset: a.offset)
            let slot = pageSlot(m.page)
            let hitPrevious = checkPreviousPage(m.page, direct: m.direct, offset: m.offset, address: m.address)
            if let r = m.direct { a.lea(.rax, r, m.offset) }
            (cache, narrowNow) = (m.cache, m.narrow)
            let e = probe(at: m.address, pc: m.pc, retired: m.retired, size: m.size, write: m.write, leader: m.leader)
            a.load(.rdx, e.base, index: e.index, e.disp + 8, size: 8, signed: false)
            refillLoopPage(m.page, address: m.address, size: m.size, keepingPrevious: hitPrevious != nil)
            a.patch(rel32At: a.jump(), toOffset: m.resume)
            if let hitPrevious {
                a.patch(rel32At: hitPrevious, toOffset: a.offset)
                a.load(.rdx, .context, slot + previous + 16)
                a.patch(rel32At: a.jump(), toOffset: m.resume)
            }
        }
        (cache, narrowNow) = saved
        pageMisses.removeAll()
    }

    /// For a loop page entry that keeps the page probed before the last one (a list whose nodes
    /// alternate between two pages, a loop reading two arrays through one access): its check,
    /// the `jb` to the hit's code returned; nil for other entries.
    private mutating func checkPreviousPage(_ page: Int32, direct: X86Register?, offset: Int32,
                                            address: X86Register) -> Int? {
        guard secondPages & (1 << UInt32(page)) != 0 else { return nil }
        let slot = pageSlot(page) + NativeContext.previousPage
        if let r = direct { a.lea(.rcx, r, offset) } else { a.move(.rcx, address) }
        a.alu(.sub, .rcx, .context, slot)
        a.alu(.cmp, .rcx, .context, slot + 8)
        return a.jump(if: .b)
    }

    /// A loop page entry refilled after a probe, the addend in rdx: the page of `address`, the
    /// limit for an access of `size` bytes (`keepingPrevious`: the last page kept as the
    /// previous one first).
    private mutating func refillLoopPage(_ page: Int32, address: X86Register, size: Int, keepingPrevious: Bool) {
        let slot = pageSlot(page)
        if keepingPrevious {
            for word in stride(from: Int32(0), through: 16, by: 8) {
                a.load(.rcx, .context, slot + word)
                a.store(.rcx, .context, slot + NativeContext.previousPage + word)
            }
        }
        a.store(.rdx, .context, slot + 16)
        a.move(.rcx, address)
        a.alu(.and, .rcx, imm: -4096)
        a.store(.rcx, .context, slot)
        a.move(.rcx, imm: UInt64(4097 - size))
        a.store(.rcx, .context, slot + 8)
    }

    /// At a loop's entry: its page entries are kept from its last run when its first entry's tag
    /// is still this translation's owner number (no other loop took them since: every loop that
    /// uses entries from the same multiple of `loopPages` writes the first one's tag when it
    /// takes them; and whatever may change a translation empties every entry,
    /// `NativeContext.emptyPages`); else they are emptied and tagged. A loop entered again and
    /// again (CoreMark's list searches, a function's inner loop called in a loop) then no longer
    /// probes the TLB for the pages it used in its last run. `SKIFF_JIT_KEEP_PAGES=0`: emptied at
    /// every entry.
    private mutating func claimLoopPages(_ count: Int) {
        let tag = pageSlot(0) + NativeContext.pageTag
        a.alu32(.cmp, .context, tag, imm: pageOwner)
        let kept = a.jump(if: .e)
        a.store32(.context, tag, imm: pageOwner)
        a.moveZero(.rcx)
        emptyLoopPages(count)
        a.patch(rel32At: kept, toOffset: a.offset)
    }

    /// `SKIFF_JIT_KEEP_PAGES=0`: a loop's page entries are emptied at every entry (for comparisons).
    static let noKeptPages = getenv("SKIFF_JIT_KEEP_PAGES").map { String(cString: $0) == "0" } ?? false

    /// Stores rcx (zero) as the limit of the first `count` loop page entries (and of the
    /// previous pages of those in `secondPages`).
    private mutating func emptyLoopPages(_ count: Int) {
        for p in 0..<count { a.store(.rcx, .context, pageSlot(Int32(p)) + 8) }
        for p in 0..<NativeContext.loopPages where secondPages & (1 << UInt32(p)) != 0 {
            a.store(.rcx, .context, pageSlot(Int32(p)) + NativeContext.previousPage + 8)
        }
    }

    /// A loop's accesses that keep the page they last probed (a single access or a group's
    /// leader, the first `loopPages`: entry numbers by instruction), and which of them keep the
    /// page probed before that one too (bit p: entry p): those whose base holds, there, a value a
    /// load of the block read (or a copy of one): pointer chasing, a list's nodes, which may
    /// alternate between pages. An access off an index or a pointer stepping through an array
    /// moves on to the next page and does not come back, and one off a loaded index added to an
    /// array (gzip's hash chains) jumps around too many pages: they would only pay for the second
    /// check at every miss and its emptying at every entry of the loop.
    static func loopPages(_ analysis: Analysis, plan: AccessPlan) -> (pages: PerInstruction<Int32>, count: Int, second: UInt32) {
        let code = analysis.code
        var pages = PerInstruction<Int32>(count: code.count)
        // Which registers hold a loaded value (or a copy of one) before each instruction: the
        // block walked twice, the second time from the state at its end (the loop's back edge).
        var chased = [UInt32](filledWith: 0, count: noSecondPage ? 0 : code.count)
        if !noSecondPage {
            var now: UInt32 = 0
            for _ in 0..<2 {
                for (i, (f, step)) in zip(code, analysis.steps).enumerated() {
                    chased[i] = now
                    guard f.d != nil, !f.followed else { continue }
                    switch step {
                    case .access(_, _, _, _, let writes?):
                        if writes != 0, writes < 32 { now |= 1 << UInt32(writes) }
                    case .other(let writes?, let derives):
                        guard writes != 0, writes < 32 else { break }
                        let copied: UInt8?
                        switch derives {
                        case .addImmediate(let r, 0)?: copied = r
                        case .add(let r1, let r2, 0)?: copied = r2 == 0 ? r1 : r1 == 0 ? r2 : nil
                        default: copied = nil
                        }
                        if let c = copied, c != 0, c < 32, now & (1 << UInt32(c)) != 0 {
                            now |= 1 << UInt32(writes)
                        } else {
                            now &= ~(1 << UInt32(writes))
                        }
                    case .atomic:
                        // LR/AMOs load: their result counts as loaded; SC's does not matter.
                        if let d = f.d, d.rd != 0, d.rd < 32 { now |= 1 << UInt32(d.rd) }
                    default: break
                    }
                }
            }
        }
        // Only the loop's own accesses: up to its last backward branch (to the entry or to an
        // inner loop's head). The code after it runs once per entry of the block, where a cached
        // page would cost its emptying, a miss and the refill of the entry on top of the probe.
        var lastBackward = -1
        if !allLoopPages {
            let entry = code.first?.pc
            for (i, f) in code.enumerated() where f.d != nil && !f.followed {
                if let c = f.continues, c == entry || (analysis.joins[c].map { $0 <= i } ?? false) { lastBackward = i }
                guard let t = f.staticTarget else { continue }
                if t == entry || (analysis.joins[t].map { $0 <= i } ?? false) { lastBackward = i }
            }
        } else {
            lastBackward = code.count
        }
        var count = 0, second: UInt32 = 0
        for (i, f) in code.enumerated() where count < NativeContext.loopPages && !f.followed && i <= lastBackward {
            guard let d = f.d, case .access = analysis.steps[i] else { continue }
            let base: UInt8
            switch plan[i] {
            case .alone: base = d.rs1
            case .leader(_, let b, _, _, _, _): base = b
            case .member: continue
            }
            if !chased.isEmpty, base != 0, base < 32, chased[i] & (1 << UInt32(base)) != 0 { second |= 1 << UInt32(count) }
            pages[i] = Int32(count)
            count += 1
        }
        return (pages, count, second)
    }

    /// `SKIFF_JIT_LOOP_TAIL_PAGES=1`: accesses after a loop's last backward branch keep pages too
    /// (for comparisons).
    static let allLoopPages = getenv("SKIFF_JIT_LOOP_TAIL_PAGES").map { String(cString: $0) == "1" } ?? false

    /// `SKIFF_JIT_SECOND_PAGE=0`: a loop's access keeps only the page it last probed (for
    /// comparisons).
    static let noSecondPage = getenv("SKIFF_JIT_SECOND_PAGE").map { String(cString: $0) == "0" } ?? false

    /// `SKIFF_JIT_DIRECT_PAGES=0`: a loop's page check copies the address from rax (for comparisons).
    static let noDirectPages = getenv("SKIFF_JIT_DIRECT_PAGES").map { String(cString: $0) == "0" } ?? false

    /// The host address of a load or store as a memory operand [base (+ index) + disp]: its own
    /// TLB probe (the guest address plus the entry's addend, loaded into rdx), a group leader's
    /// probe of the group's span (keeping the addend in the group's slot), or a group member's
    /// saved addend.
    private mutating func hostAddress(_ d: DecodedInstruction, pc: UInt64, retired: Int, size: Int, write: Bool)
        -> (base: X86Register, index: X86Register?, disp: Int32) {
        switch plan[retired] {
        case .alone:
            let (address, extra) = pageAddend(d.rs1, d.imm, pc: pc, retired: retired, size: size, write: write,
                                              leader: false, page: pages[retired])
            return (address, .rdx, extra)
        case .leader(let slot, let base, let low, let span, let groupWrites, let last):
            // Probed from the access's own base, or from the register its base was derived from
            // (not loaded into a host register when it is not there: the fallback copy's cache
            // must evolve as this one's).
            let (address, extra) = pageAddend(base, low, pc: pc, retired: retired, size: span, write: groupWrites,
                                              leader: true, page: pages[retired], assigning: base == d.rs1)
            if keepsRDX(slot, from: retired + 1, to: last) {
                rdxSlot = slot
            } else {
                rdxSlot = nil
                a.store(.rdx, .context, NativeContext.slotOffset(slot))
            }
            if base == d.rs1 { return (address, .rdx, d.imm - low + extra) }
            if case .host(let r) = operand(d.rs1) { return (r, .rdx, d.imm) }
            get(.rax, d.rs1)
            return (.rax, .rdx, d.imm)
        case .member(let slot) where rdxSlot == slot:
            if case .host(let r) = operand(d.rs1) { return (r, .rdx, d.imm) }
            get(.rax, d.rs1)
            return (.rax, .rdx, d.imm)
        case .member(let slot):
            if case .host(let r) = operand(d.rs1) {
                a.load(.rax, .context, NativeContext.slotOffset(slot))
                return (.rax, r, d.imm)
            }
            get(.rax, d.rs1)
            a.alu(.add, .rax, .context, NativeContext.slotOffset(slot))
            return (.rax, nil, d.imm)
        }
    }

    /// Nothing from instruction `from` to `to` but members of group `slot` and operations whose
    /// code leaves rdx alone (integer ALU operations, branches): the leader's addend stays there.
    private func keepsRDX(_ slot: Int32, from: Int, to: Int) -> Bool {
        guard from <= to else { return true }
        for k in from...to {
            if plan[k] == .member(slot: slot) { continue }
            guard let op = ops[k] else { return false }
            switch op {
            case .li, .auipc, .addi, .xori, .ori, .andi, .slti, .sltiu, .slli, .srli, .srai, .rori, .slliw, .srliw, .sraiw,
                 .roriw, .addiw, .add, .sub, .xor, .or, .and, .addw, .subw, .slt, .sltu, .sll, .srl, .sra, .rol, .ror, .sllw,
                 .srlw, .sraw, .rolw, .rorw, .mul, .mulw, .addUw, .sh1add, .sh2add, .sh3add, .sh1addUw, .sh2addUw, .sh3addUw,
                 .slliUw, .andn, .orn, .xnor, .min, .max, .minu, .maxu, .sextB, .sextH, .zextH, .rev8, .bexti, .bseti, .bclri,
                 .binvi, .fence, .beq, .bne, .blt, .bge, .bltu, .bgeu, .branchFar:
                continue
            default:
                return false
            }
        }
        return true
    }

    private mutating func load(_ d: DecodedInstruction, pc: UInt64, retired: Int, size: Int, signed: Bool, nanBox: Bool = false) {
        let m = hostAddress(d, pc: pc, retired: retired, size: size, write: false)
        let h = destination(d.rd) ?? .rax
        a.load(h, m.base, index: m.index, m.disp, size: size, signed: signed)
        if nanBox {
            a.move(.rcx, imm: Hart.boxMask)
            a.alu(.or, h, .rcx)
        }
        finish(h, d.rd)
    }

    private mutating func store(_ d: DecodedInstruction, pc: UInt64, retired: Int, size: Int) {
        let m = hostAddress(d, pc: pc, retired: retired, size: size, write: true)
        if case .host(let r) = operand(d.rs2) {
            a.store(r, m.base, index: m.index, m.disp, size: size)
        } else {
            get(.rcx, d.rs2)
            a.store(.rcx, m.base, index: m.index, m.disp, size: size)
        }
    }
}

// MARK: Atomics (one host thread runs every guest task: plain loads and stores are atomic)

extension BlockTranslator {
    private static let reservation = Int32(Registers.reservation) * 8

    /// A misaligned atomic faults: leave to the interpreter, which raises it.
    private mutating func requireAlignment(_ size: Int, pc: UInt64, retired: Int) {
        a.test(.rax, imm: Int32(size - 1))
        exit(if: .ne, .interpret(pc), retired: retired)
    }

    /// lr: load, then reserve the address.
    mutating func loadReserved(_ d: DecodedInstruction, pc: UInt64, retired: Int, size: Int) {
        translateAddress(d, pc: pc, retired: retired, size: size, write: false)
        requireAlignment(size, pc: pc, retired: retired)
        a.load(.rax, .rax, 0, size: size, signed: true)
        get(.rcx, d.rs1)
        a.store(.rcx, .guestRegisters, Self.reservation)
        put(.rax, d.rd)
    }

    /// sc: store if the address is reserved (rd = 0), else only rd = 1; the reservation goes
    /// either way. Nothing changes before the checks that may leave to the interpreter.
    mutating func storeConditional(_ d: DecodedInstruction, pc: UInt64, retired: Int, size: Int) {
        translateAddress(d, pc: pc, retired: retired, size: size, write: true)
        requireAlignment(size, pc: pc, retired: retired)
        get(.rdx, d.rs2)
        get(.rcx, d.rs1)
        a.alu(.cmp, .rcx, .guestRegisters, Self.reservation)
        a.move(.rcx, imm: Hart.noReservation)
        a.store(.rcx, .guestRegisters, Self.reservation)
        a.moveZero(.rcx)
        a.set(.ne, .rcx)
        let failed = a.jump(if: .ne)
        a.store(.rdx, .rax, 0, size: size)
        a.patch(rel32At: failed, toOffset: a.offset)
        put(.rcx, d.rd)
    }

    /// amo*: rd = old value, memory = old op rs2. Needs read and write permission.
    mutating func atomic(_ operation: AtomicOperation, _ d: DecodedInstruction, pc: UInt64, retired: Int, size: Int) {
        translateAddress(d, pc: pc, retired: retired, size: size, write: false)
        translateAddress(d, pc: pc, retired: retired, size: size, write: true)
        requireAlignment(size, pc: pc, retired: retired)
        let w = size == 8
        get(.rdx, d.rs2)
        a.load(.rcx, .rax, 0, size: size, signed: true)
        switch operation {
        case .swap: break
        case .add: a.alu(.add, .rdx, .rcx, w: w)
        case .xor: a.alu(.xor, .rdx, .rcx, w: w)
        case .and: a.alu(.and, .rdx, .rcx, w: w)
        case .or: a.alu(.or, .rdx, .rcx, w: w)
        case .min, .max, .minu, .maxu:
            // new = the old value when it wins the comparison, else rs2.
            a.alu(.cmp, .rcx, .rdx, w: w)
            let oldWins: X86Condition = operation == .min ? .l : operation == .max ? .g : operation == .minu ? .b : .a
            a.move(if: oldWins, .rdx, .rcx)
        }
        a.store(.rdx, .rax, 0, size: size)
        put(.rcx, d.rd)
    }
}

extension Op {
    /// jal or jalFar.
    var isDirectJump: Bool {
        switch self {
        case .jal, .jalFar: return true
        default: return false
        }
    }

    /// The 32-bit operation a compressed one stands for (the inverse of `compressed`).
    var uncompressed: Op { Op.uncompressedTable[Int(rawValue)] }

    private static let uncompressedTable: [Op] = {
        var table = (0...255).map { Op(rawValue: UInt8($0)) ?? .illegal }
        for op in table where op.compressed != op { table[Int(op.compressed.rawValue)] = op }
        return table
    }()
}
