#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RISCV
import RISCVNative
import X86

// One x86-64 guest block -> x86-64 host code. A block is the straight line from its entry
// through not-taken conditional branches (each a side exit) up to a jmp, call or ret, an
// instruction this translator does not handle (the block ends before it and the interpreter
// executes it), the end of the entry's page or `maxInstructions`.
//
// Most guest instructions become the same host instruction: operands are the guest register
// file's words ([rbx + offset]; ah...bh are offset + 1), a 32-bit result is written back as 64
// bits (zero-extended, as the guest expects), and the host computes the guest's flags exactly
// (adc/sbb/jcc/setcc/cmovcc read them from RFLAGS). A memory operand's address is computed with
// flag-free moves and `lea`s, then probed in the interpreter's TLB (index by the first byte's
// page, tag with the last byte's); the probe clobbers RFLAGS, so the guest flags are saved in
// eax first (lahf + seto) and put back after it when the instruction reads them or they are live
// after it (a backward pass over the block). A miss calls the refill trampoline
// (GuestTrampolines), which fills the entry when the access may take the fast path, and probes
// again; what it cannot fill (unmapped, protected, a store into a page holding code, a
// page-crossing access) leaves with the flags put back, to the interpreter, which performs that
// instruction: faults are exactly as interpreted ones.

struct BlockTranslator {
    static let maxInstructions = 64
    /// `SKIFF_JIT_X86_CACHE=0`: every guest register operand in the register file, for comparisons.
    static let cachesRegisters = getenv("SKIFF_JIT_X86_CACHE").map { String(cString: $0) != "0" } ?? true

    struct Result {
        var bytes: [UInt8]
        /// Offsets of the chainable exits' rel32 fields, in link-number order.
        var links: [Int]
        /// The guest bytes [entry, end) compiled (in the entry's page and at most the first
        /// bytes of the next: an instruction straddling the page end).
        var end: UInt64
        var instructions: Int
        /// With `direct`: each memory access's host code range and the stub its faults go to.
        var sites: [DirectMemory.Site] = []
    }

    private var a: X86Assembler
    private let trampolines: GuestTrampolines
    /// Keeps a copy of a decoded instruction for as long as the code calling out with it.
    private let keep: (X86Instruction) -> UnsafeMutablePointer<X86Instruction>
    private var epilogue: UInt { trampolines.epilogue }
    private let firstLinkID: UInt32
    private var links: [Int] = []
    /// Exits laid out after the block, each jumped to from `site` (a rel32 field).
    private enum Stub {
        case interpret(pc: UInt64, retired: Int)
        /// A probe's miss: the refill trampoline, then back to the probe's hit path at `hit`, or
        /// as `interpret` when it could not fill the entry.
        case refill(pc: UInt64, retired: Int, write: Bool, hit: Int)
        /// As `interpret`, with the guest flags still in RFLAGS (a direct access: nothing saved).
        case interpretDirect(pc: UInt64, retired: Int)
        case link(target: UInt64, retired: Int)
    }
    private var stubs: [(site: Int, stub: Stub)] = []
    /// Where each stub was placed (`emitStubs`).
    private var stubOffsets: [Int] = []

    /// `SKIFF_JIT_DIRECT`: accesses through the direct mapping (`DirectMemory`).
    private var direct = false
    /// Direct accesses: the code offset after each access's check, its stub's index, and the
    /// end of its guest instruction's code (set once it is emitted).
    private var accessSites: [(start: Int, stub: Int, end: Int)] = []

    /// The block's entry, and where its code goes on after loading the cached registers: a
    /// branch back to the entry (a loop) jumps there with every value still in its register.
    private var entry: UInt64 = 0
    private var body = 0
    /// `SKIFF_JIT_X86_LOOPS=0`: back edges leave through ordinary exits, for comparisons.
    static let keepsLoopRegisters = getenv("SKIFF_JIT_X86_LOOPS").map { String(cString: $0) != "0" } ?? true
    /// `SKIFF_JIT_X86_REFILL=0`: a TLB miss leaves to the interpreter (no refill call), for comparisons.
    static let refills = getenv("SKIFF_JIT_X86_REFILL").map { String(cString: $0) != "0" } ?? true

    private init(base: UInt, trampolines: GuestTrampolines, firstLinkID: UInt32,
                 keep: @escaping (X86Instruction) -> UnsafeMutablePointer<X86Instruction>) {
        a = X86Assembler(base: base)
        self.trampolines = trampolines
        self.keep = keep
        self.firstLinkID = firstLinkID
    }

    /// Translates the block at `entry`, or nil when its first instruction is not translated.
    static func translate(_ memory: GuestMemory, entry: UInt64, base: UInt, trampolines: GuestTrampolines, firstLinkID: UInt32,
                          keep: @escaping (X86Instruction) -> UnsafeMutablePointer<X86Instruction>,
                          direct: Bool = false) -> Result? {
        guard let page = memory.translate(entry >> 12, .execute) else { return nil }
        var insns: [(insn: X86Instruction, pc: UInt64)] = []
        var here = entry
        var buffer: (UInt64, UInt64) = (0, 0)
        while insns.count < maxInstructions {
            let offset = Int(here & 0xfff)
            // The page's last instructions may run into the next page (which the block then
            // covers too: the tier lists it under both).
            var available = min(15, 4096 - offset)
            withUnsafeMutableBytes(of: &buffer) { b in
                b.baseAddress!.copyMemory(from: page + offset, byteCount: available)
                if available < 15, let next = memory.translate((entry >> 12) + 1, .execute) {
                    (b.baseAddress! + available).copyMemory(from: next, byteCount: 15 - available)
                    available = 15
                }
            }
            let insn = withUnsafeBytes(of: &buffer) {
                X86Instruction.decode($0.baseAddress!.assumingMemoryBound(to: UInt8.self), available: available, pc: here)
            }
            if insn.op == .truncated || !supported(insn) { break }
            insns.append((insn, here))
            here &+= UInt64(insn.length)
            if endsBlock(insn) || here &- (entry & ~0xfff) >= 4096 { break }
        }
        if insns.isEmpty { return nil }

        // Flags live after each instruction: exits read them all, and so does an instruction that
        // can leave to the interpreter at a memory access before it writes them (a fault there
        // shows them as they were), even one that would overwrite them all.
        var liveAfter = [Bool](repeating: true, count: insns.count)
        var live = true
        for i in stride(from: insns.count - 1, through: 0, by: -1) {
            liveAfter[i] = live
            let use = flagUse(insns[i].insn)
            live = use.reads || accessesMemory(insns[i].insn) || (live && !use.writesAll)
        }

        var t = BlockTranslator(base: base, trampolines: trampolines, firstLinkID: firstLinkID, keep: keep)
        t.direct = direct
        if cachesRegisters { t.cache(insns) }
        t.entry = entry
        t.body = t.a.offset
        var ended = false
        for (i, e) in insns.enumerated() {
            let use = flagUse(e.insn)
            let firstSite = t.accessSites.count
            ended = t.emit(e.insn, index: i, pc: e.pc, restoreFlags: use.reads || (liveAfter[i] && !use.writesAll))
            for k in firstSite..<t.accessSites.count { t.accessSites[k].end = t.a.offset }
        }
        if !ended { t.exitLink(to: here, retired: insns.count) }
        t.emitStubs()
        let sites = t.accessSites.map {
            DirectMemory.Site(start: base &+ UInt($0.start), end: base &+ UInt($0.end), stub: base &+ UInt(t.stubOffsets[$0.stub]))
        }
        return Result(bytes: t.a.bytes, links: t.links, end: here, instructions: insns.count, sites: sites)
    }

    // MARK: What is translated

    private static let group1: Set<X86Op> = [
        .addRR, .orRR, .adcRR, .sbbRR, .andRR, .subRR, .xorRR, .cmpRR,
        .addRI, .orRI, .adcRI, .sbbRI, .andRI, .subRI, .xorRI, .cmpRI,
        .addRM, .orRM, .adcRM, .sbbRM, .andRM, .subRM, .xorRM, .cmpRM,
        .addMR, .orMR, .adcMR, .sbbMR, .andMR, .subMR, .xorMR, .cmpMR,
        .addMI, .orMI, .adcMI, .sbbMI, .andMI, .subMI, .xorMI, .cmpMI,
    ]

    /// `SKIFF_JIT_X86_CALLS=0`: a block ends before an instruction it does not compile (no call
    /// to the interpreter's functions), for comparisons.
    static let callsOut = getenv("SKIFF_JIT_X86_CALLS").map { String(cString: $0) != "0" } ?? true

    /// Whether the block can hold `insn`: compiled to host code, or performed by a call to the
    /// interpreter's function for it (`callOut`).
    static func supported(_ insn: X86Instruction) -> Bool {
        compiledInline(insn) || callsOut && X86CPU.runsForNative(insn.op)
    }

    /// Whether `insn` becomes host code of its own.
    static func compiledInline(_ insn: X86Instruction) -> Bool {
        let s = insn.size
        switch insn.op {
        case .nop, .movRR, .movRM, .movMR, .movRI, .movMI, .testRR, .testRI, .testMR, .testMI,
             .incR, .decR, .negR, .notR, .incM, .decM, .negM, .notM,
             .shlRI, .shrRI, .sarRI, .setccR, .setccM, .jcc, .jmp, .call, .ret, .retImm,
             .jmpR, .jmpM, .callR, .callM:
            return true
        case .shiftR, .shiftM:
            return true
        case .lea, .cbw, .cwd:
            return s >= 1
        case .movzxRR, .movzxRM, .movsxRR, .movsxRM:
            return s >= 1 && insn.cond <= 2
        case .imulRR, .imulRM, .cmovRR, .cmovRM, .mulDivR, .mulDivM:
            return s >= 1
        case .push, .pop, .pushI:
            return s == 3
        case .bitScanRR, .bitScanRM:
            // bsf, bsr always; tzcnt, lzcnt, popcnt when the host has them.
            let host = X86Assembler.hostHasBitCounts
            return s >= 1 && insn.cond <= 4 && [true, true, host.tzcnt, host.lzcnt, host.popcnt][Int(insn.cond)]
        case .sse:
            return sseSupported(insn)
        default:
            return group1.contains(insn.op)
        }
    }

    /// The integer SSE2 moves and operations translated (they leave RFLAGS and MXCSR alone):
    /// their host opcodes (after 0x66 0x0F). A memory form that needs 16-byte alignment
    /// (`X86Attrs.aligned`) checks it in its probe and leaves to the interpreter (which raises
    /// the fault) when the address is not.
    private static let packed: [X86SSE: UInt8] = [
        .paddb: 0xFC, .paddw: 0xFD, .paddd: 0xFE, .paddq: 0xD4, .psubb: 0xF8, .psubw: 0xF9, .psubd: 0xFA, .psubq: 0xFB,
        .pand: 0xDB, .pandn: 0xDF, .por: 0xEB, .pxor: 0xEF,
        .pcmpeqb: 0x74, .pcmpeqw: 0x75, .pcmpeqd: 0x76, .pcmpgtb: 0x64, .pcmpgtw: 0x65, .pcmpgtd: 0x66,
        .punpcklbw: 0x60, .punpcklwd: 0x61, .punpckldq: 0x62, .punpcklqdq: 0x6C,
        .punpckhbw: 0x68, .punpckhwd: 0x69, .punpckhdq: 0x6A, .punpckhqdq: 0x6D,
        .packsswb: 0x63, .packuswb: 0x67, .packssdw: 0x6B,
        .paddsb: 0xEC, .paddsw: 0xED, .paddusb: 0xDC, .paddusw: 0xDD, .psubsb: 0xE8, .psubsw: 0xE9, .psubusb: 0xD8, .psubusw: 0xD9,
        .pmullw: 0xD5, .pmulhw: 0xE5, .pmulhuw: 0xE4, .pmuludq: 0xF4, .pmaddwd: 0xF5, .psadbw: 0xF6, .pavgb: 0xE0, .pavgw: 0xE3,
        .pminub: 0xDA, .pmaxub: 0xDE, .pminsw: 0xEA, .pmaxsw: 0xEE,
    ]

    static func sseSupported(_ insn: X86Instruction) -> Bool {
        guard let op = X86SSE(rawValue: insn.cond) else { return false }
        let memory = insn.attrs & X86Attrs.memory != 0
        switch op {
        case .movq, .movsd: return true
        case .movdToXMM, .movdFromXMM: return insn.size >= 2
        case .pmovmskb: return !memory
        case .storeLow64: return memory
        case .mov128, .store128, .pshufd, .pshuflw, .pshufhw: return true
        default: return packed[op] != nil
        }
    }

    /// Whether `insn` reads or writes guest memory (its rm operand or the stack).
    static func accessesMemory(_ insn: X86Instruction) -> Bool {
        switch insn.op {
        case .push, .pop, .pushI, .call, .callR, .callM, .ret, .retImm: return true
        default: return insn.attrs & X86Attrs.memory != 0
        }
    }

    static func endsBlock(_ insn: X86Instruction) -> Bool {
        switch insn.op {
        case .jmp, .call, .ret, .retImm, .jmpR, .jmpM, .callR, .callM: return true
        default: return false
        }
    }

    /// Whether an instruction reads the arithmetic flags, and whether it overwrites all of them
    /// (shifts, rotates and imul leave some as they were or undefined: counted as reading them;
    /// inc and dec keep CF).
    static func flagUse(_ insn: X86Instruction) -> (reads: Bool, writesAll: Bool) {
        if !compiledInline(insn) { return (true, false) }     // a call-out: the flags word in, out
        switch insn.op {
        case .testRR, .testRI, .testMR, .testMI, .negR, .negM: return (false, true)
        case .jcc, .setccR, .setccM, .cmovRR, .cmovRM, .incR, .decR, .incM, .decM,
             .shlRI, .shrRI, .sarRI, .shiftR, .shiftM, .imulRR, .imulRM, .mulDivR, .mulDivM,
             .bitScanRR, .bitScanRM: return (true, false)
        default:
            if group1.contains(insn.op) { return (insn.cond == 2 || insn.cond == 3, true) }
            return (false, false)
        }
    }

    // MARK: Operands

    private static func bytes(_ s: UInt8) -> Int { 1 << Int(s) }

    /// An operand: guest memory or a register file word, or a host register holding a guest
    /// register for the whole block.
    private enum Operand {
        case memory(X86Memory)
        case register(X86Register)
    }

    /// Host registers that hold the guest registers a block uses most (`cache`).
    private static let cacheRegisters: [X86Register] = [.rbp, .r10, .r11, .r12, .r13]
    /// Per general-purpose register (0...15), its host register for this block, if any.
    private var cached = [X86Register?](repeating: nil, count: 16)

    /// The guest register at `offset` of the register file (in its host register if cached).
    private func guest(_ offset: UInt8) -> Operand {
        if offset & 7 == 0 && offset < 128, let h = cached[Int(offset >> 3)] { return .register(h) }
        return .memory(X86Memory(.guestRegisters, Int32(offset)))
    }
    private let host = Operand.memory(X86Memory(.rsi))

    private mutating func op(_ opcode: [UInt8], size: Int, reg: UInt8, _ o: Operand) {
        switch o {
        case .memory(let m): a.op(opcode, size: size, reg: reg, m)
        case .register(let r): a.op(opcode, size: size, reg: reg, rm: r)
        }
    }

    /// Chooses the guest registers to keep in host registers for the whole block: the most used
    /// (at least twice), never one used as a high byte register (ah...bh). They are loaded at the
    /// block's start and stored back at every exit.
    private mutating func cache(_ insns: [(insn: X86Instruction, pc: UInt64)]) {
        var uses = [Int](repeating: 0, count: 16)
        var excluded = [Bool](repeating: false, count: 16)
        func use(_ offset: UInt8) {
            guard offset < 128 else { return }
            if offset & 7 != 0 { excluded[Int(offset >> 3)] = true } else { uses[Int(offset >> 3)] += 1 }
        }
        for (insn, _) in insns {
            // (xmm numbers there; a call-out's registers are stored and loaded around it)
            if insn.op != .sse && Self.compiledInline(insn) { use(insn.reg); use(insn.rm) }
            use(insn.base); use(insn.index)
            switch insn.op {
            case .push, .pushI, .pop, .call, .callR, .callM, .ret, .retImm: use(Self.rspOffset)
            case .shiftR, .shiftM: use(UInt8(X86Registers.rcx * 8))
            default: break
            }
        }
        let ranked = (0..<16).filter { !excluded[$0] && uses[$0] >= 2 }.sorted { uses[$0] > uses[$1] }
        for (i, r) in ranked.prefix(Self.cacheRegisters.count).enumerated() {
            cached[r] = Self.cacheRegisters[i]
            a.op([0x8B], size: 8, reg: Self.cacheRegisters[i].rawValue, X86Memory(.guestRegisters, Int32(r * 8)))
        }
    }

    /// Stores the cached guest registers back into the register file (before every exit).
    private mutating func writeBack() {
        for (r, h) in cached.enumerated() {
            if let h { a.op([0x89], size: 8, reg: h.rawValue, X86Memory(.guestRegisters, Int32(r * 8))) }
        }
    }
    private static let rspOffset = UInt8(X86Registers.rsp * 8)
    private static let raxOffset = UInt8(X86Registers.rax * 8)
    private static let rdxOffset = UInt8(X86Registers.rdx * 8)

    /// mov dst, guest register at `offset` (size `s`; 32 bits zero-extend).
    private mutating func loadGuest(_ dst: X86Register, _ offset: UInt8, _ s: UInt8) {
        op([s == 0 ? 0x8A : 0x8B], size: Self.bytes(s), reg: dst.rawValue, guest(offset))
    }

    /// The guest register at `offset` = src (size `s`: a 32-bit result is stored as 64 bits,
    /// so `src` must hold it zero-extended).
    private mutating func storeGuest(_ offset: UInt8, _ s: UInt8, _ src: X86Register) {
        op([s == 0 ? 0x88 : 0x89], size: s >= 2 ? 8 : Self.bytes(s), reg: src.rawValue, guest(offset))
    }

    /// rdx = the memory operand's guest address (base + index << scale + disp, plus the fs/gs
    /// base unless `lea`), without touching the flags.
    private mutating func address(_ insn: X86Instruction, segment: Bool = true) {
        op([0x8B], size: 8, reg: X86Register.rdx.rawValue, guest(insn.base))
        let disp = Int64(bitPattern: insn.disp)
        let small = disp >= Int64(Int32.min) && disp <= Int64(Int32.max)
        if insn.index != X86Registers.zeroOffset {
            op([0x8B], size: 8, reg: X86Register.rcx.rawValue, guest(insn.index))
            a.lea(.rdx, X86Memory(.rdx, small ? Int32(disp) : 0, index: .rcx, scale: insn.scale & 3))
        } else if small && disp != 0 {
            a.lea(.rdx, X86Memory(.rdx, Int32(disp)))
        }
        if !small {
            a.moveKeepingFlags(.rcx, imm: insn.disp)
            a.lea(.rdx, X86Memory(.rdx, 0, index: .rcx))
        }
        if insn.attrs & X86Attrs.address32 != 0 { a.op([0x89], size: 4, reg: X86Register.rdx.rawValue, rm: .rdx) }
        if segment && insn.seg != X86Registers.zeroOffset {
            op([0x8B], size: 8, reg: X86Register.rcx.rawValue, guest(insn.seg))
            a.lea(.rdx, X86Memory(.rdx, 0, index: .rcx))
        }
    }

    /// rsi = the host address of the `size`-byte access at guest address rdx, through the read or
    /// write TLB; a miss leaves to the interpreter at instruction `index` (at `pc`) with the
    /// guest flags as they were. `restoreFlags`: put them back on the hit path too.
    private mutating func probe(_ size: Int, write: Bool, index: Int, pc: UInt64, restoreFlags: Bool, aligned: Bool = false) {
        if direct {
            if aligned {
                // rcx = rdx << 60 (shlx): zero for a 16-byte aligned address; else to the stub.
                a.moveKeepingFlags(.rcx, imm: 60)
                a.shiftLeftKeepingFlags(.rcx, .rdx, by: .rcx)
                let isAligned = a.jumpIfRCXZero()
                stubs.append((a.jump(), .interpretDirect(pc: pc, retired: index)))
                a.patch(rel8At: isAligned, toOffset: a.offset)
            }
            // rcx = rdx >> 38 (shrx), zero for an address R covers; else to the stub. No flag
            // changes: a fault in the access that follows reaches the stub through the host
            // signal handler with the guest flags still in RFLAGS.
            a.moveKeepingFlags(.rcx, imm: 38)
            a.shiftRightKeepingFlags(.rcx, .rdx, by: .rcx)
            let inRange = a.jumpIfRCXZero()
            stubs.append((a.jump(), .interpretDirect(pc: pc, retired: index)))
            a.patch(rel8At: inRange, toOffset: a.offset)
            a.load(.rsi, .context, DirectMemory.baseOffset)
            a.lea(.rsi, X86Memory(.rsi, 0, index: .rdx))
            accessSites.append((start: a.offset, stub: stubs.count - 1, end: a.offset))
            return
        }
        saveFlagsAndIndex(.rdx, shift: 12, mask: Int32(TLB.mask))
        if aligned {
            a.op([0xF6], size: 1, reg: 0, rm: .rdx); a.byte(15)                     // test dl, 15
            stubs.append((a.jump(if: .ne), .interpret(pc: pc, retired: index)))
        }
        a.lea(.rsi, X86Memory(.rdx, Int32(size - 1)))
        a.op([0xC1], size: 8, reg: 5, rm: .rsi); a.byte(12)                       // shr rsi, 12
        a.load(.rdi, .context, write ? NativeContext.writeTLBOffset : NativeContext.readTLBOffset)
        a.op([0x3B], size: 8, reg: X86Register.rsi.rawValue, X86Memory(.rdi, 0, index: .rcx))  // cmp rsi, tag
        let miss = a.jump(if: .ne)
        stubs.append((miss, Self.refills ? .refill(pc: pc, retired: index, write: write, hit: a.offset) : .interpret(pc: pc, retired: index)))
        a.op([0x8B], size: 8, reg: X86Register.rsi.rawValue, X86Memory(.rdi, 8, index: .rcx))  // addend
        a.op([0x01], size: 8, reg: X86Register.rdx.rawValue, rm: .rsi)                         // add rsi, rdx
        if restoreFlags { putFlagsBack() }
    }

    /// Saves the guest flags in eax (lahf + seto), then rcx = the byte offset of `key`'s entry
    /// in a table of 16-byte entries indexed by (key >> shift) & mask (the TLBs, the jump cache).
    private mutating func saveFlagsAndIndex(_ key: X86Register, shift: UInt8, mask: Int32) {
        a.setOverflowAL()
        a.loadFlagsIntoAH()
        a.move(.rcx, key)
        a.op([0xC1], size: 8, reg: 5, rm: .rcx); a.byte(shift)                    // shr rcx, shift
        a.op([0x81], size: 4, reg: 4, rm: .rcx); a.int32(mask)                    // and ecx, mask
        a.op([0xC1], size: 4, reg: 4, rm: .rcx); a.byte(4)                        // shl ecx, 4
    }

    /// RFLAGS' arithmetic flags from eax (saved by `probe`).
    private mutating func putFlagsBack() {
        a.addAL(0x7f)
        a.storeAHIntoFlags()
    }

    /// The memory operand's address probed: rsi is its host address.
    private mutating func memoryOperand(_ insn: X86Instruction, size: Int, write: Bool, index: Int, pc: UInt64, restoreFlags: Bool) {
        address(insn)
        probe(size, write: write, index: index, pc: pc, restoreFlags: restoreFlags,
              aligned: insn.op == .sse && insn.attrs & X86Attrs.aligned != 0)
    }

    // MARK: Instructions

    /// Emits instruction `index` of the block (at `pc`); true when it ended the block.
    private mutating func emit(_ insn: X86Instruction, index: Int, pc: UInt64, restoreFlags: Bool) -> Bool {
        let s = insn.size, n = Self.bytes(s)
        let r8 = X86Register.r8.rawValue
        let next = pc &+ UInt64(insn.length)
        if !Self.compiledInline(insn) {
            callOut(insn, index: index, pc: pc, next: next)
            return false
        }
        let kind = insn.cond & 7
        func mem(write: Bool, size: Int = n) -> Operand {
            memoryOperand(insn, size: size, write: write, index: index, pc: pc, restoreFlags: restoreFlags)
            return host
        }
        switch insn.op {
        case .nop:
            break
        case .movRR:
            loadGuest(.r8, insn.rm, s)
            storeGuest(insn.reg, s, .r8)
        case .movRM:
            op([s == 0 ? 0x8A : 0x8B], size: n, reg: r8, mem(write: false))
            storeGuest(insn.reg, s, .r8)
        case .movMR:
            let m = mem(write: true)
            loadGuest(.r8, insn.reg, s)
            op([s == 0 ? 0x88 : 0x89], size: n, reg: r8, m)
        case .movRI:
            if s <= 1 {
                op([s == 0 ? 0xC6 : 0xC7], size: n, reg: 0, guest(insn.reg))
                a.immediate(insn.imm, size: n)
            } else {
                a.moveKeepingFlags(.r8, imm: s == 2 ? insn.imm & 0xffff_ffff : insn.imm)
                storeGuest(insn.reg, 3, .r8)
            }
        case .movMI:
            op([s == 0 ? 0xC6 : 0xC7], size: n, reg: 0, mem(write: true))
            a.immediate(insn.imm, size: min(n, 4))
        case .movzxRR, .movzxRM, .movsxRR, .movsxRM:
            let signed = insn.op == .movsxRR || insn.op == .movsxRM
            let source = insn.op == .movzxRR || insn.op == .movsxRR ? guest(insn.rm) : mem(write: false, size: Self.bytes(insn.cond))
            switch (insn.cond, signed) {
            case (0, false): op([0x0F, 0xB6], size: 4, reg: r8, source)
            case (1, false): op([0x0F, 0xB7], size: 4, reg: r8, source)
            case (2, false): op([0x8B], size: 4, reg: r8, source)
            case (0, true): op([0x0F, 0xBE], size: 8, reg: r8, source)
            case (1, true): op([0x0F, 0xBF], size: 8, reg: r8, source)
            default: op([0x63], size: 8, reg: r8, source)
            }
            if s == 2 && signed { a.op([0x89], size: 4, reg: r8, rm: .r8) }          // mov r8d, r8d
            storeGuest(insn.reg, s, .r8)
        case .cbw, .cwd:
            // The host's own cbw/cwde/cdqe (rax = rax's lower half sign-extended) or
            // cwd/cdq/cqo (rdx = the sign of rax) on host rax and rdx (scratch here): no flags change.
            loadGuest(.rax, Self.raxOffset, 3)
            if s == 1 { a.byte(0x66) } else if s == 3 { a.byte(0x48) }
            a.byte(insn.op == .cbw ? 0x98 : 0x99)
            if insn.op == .cbw { storeGuest(Self.raxOffset, s, .rax) } else { storeGuest(Self.rdxOffset, s, .rdx) }
        case .lea:
            address(insn, segment: false)
            if s == 2 { a.op([0x89], size: 4, reg: X86Register.rdx.rawValue, rm: .rdx) }
            storeGuest(insn.reg, s, .rdx)

        case .testRR:
            loadGuest(.r8, insn.reg, s)
            op([s == 0 ? 0x84 : 0x85], size: n, reg: r8, guest(insn.rm))
        case .testRI:
            loadGuest(.r8, insn.reg, s)
            a.op([s == 0 ? 0xF6 : 0xF7], size: n, reg: 0, rm: .r8)
            a.immediate(insn.imm, size: min(n, 4))
        case .testMR:
            let m = mem(write: false)
            loadGuest(.r8, insn.reg, s)
            op([s == 0 ? 0x84 : 0x85], size: n, reg: r8, m)
        case .testMI:
            op([s == 0 ? 0xF6 : 0xF7], size: n, reg: 0, mem(write: false))
            a.immediate(insn.imm, size: min(n, 4))

        case .incR, .decR, .negR, .notR:
            loadGuest(.r8, insn.reg, s)
            let (opcode, ext) = Self.unary(insn.op, s)
            a.op([opcode], size: n, reg: ext, rm: .r8)
            storeGuest(insn.reg, s, .r8)
        case .incM, .decM, .negM, .notM:
            let (opcode, ext) = Self.unary(insn.op, s)
            op([opcode], size: n, reg: ext, mem(write: true))

        case .shlRI, .shrRI, .sarRI, .shiftR:
            // (sal, /6, is shl.)
            let ext: UInt8 = insn.op == .shlRI || insn.cond == 6 ? 4 : insn.op == .shrRI ? 5 : insn.op == .sarRI ? 7 : insn.cond
            let byCL = insn.op == .shiftR && insn.attrs & X86Attrs.countCL != 0
            // ecx = the guest's ecx (the host shift reads cl; a movzx from a cached register
            // 4...7 without REX would read ch...bh).
            if byCL { op([0x8B], size: 4, reg: X86Register.rcx.rawValue, guest(UInt8(X86Registers.rcx * 8))) }
            loadGuest(.r8, insn.reg, s)
            shift(ext, byCL: byCL, count: insn.imm, size: s, rm: .r8)
            storeGuest(insn.reg, s, .r8)
        case .shiftM:
            let byCL = insn.attrs & X86Attrs.countCL != 0
            let m = mem(write: true)
            if byCL { op([0x8B], size: 4, reg: X86Register.rcx.rawValue, guest(UInt8(X86Registers.rcx * 8))) }
            op([s == 0 ? (byCL ? 0xD2 : 0xC0) : (byCL ? 0xD3 : 0xC1)], size: n, reg: insn.cond == 6 ? 4 : insn.cond, m)
            if !byCL { a.byte(UInt8(truncatingIfNeeded: insn.imm)) }

        case .imulRR, .imulRM:
            let source = insn.op == .imulRR ? guest(insn.rm) : mem(write: false)
            if insn.attrs & X86Attrs.immediate != 0 {
                op([0x69], size: n, reg: r8, source)
                a.immediate(insn.imm, size: min(n, 4))
            } else {
                loadGuest(.r8, insn.reg, s)
                op([0x0F, 0xAF], size: n, reg: r8, source)
            }
            storeGuest(insn.reg, s, .r8)
        case .bitScanRR, .bitScanRM:
            // The host's own bsf/bsr/tzcnt/lzcnt/popcnt on the destination's whole value (bsf and
            // bsr leave it as it was when the source is zero).
            let source = insn.op == .bitScanRR ? guest(insn.rm) : mem(write: false)
            loadGuest(.r8, insn.reg, 3)
            if insn.cond >= 2 { a.byte(0xF3) }
            op([0x0F, insn.cond == 4 ? 0xB8 : insn.cond & 1 == 0 ? 0xBC : 0xBD], size: n, reg: r8, source)
            storeGuest(insn.reg, s, .r8)
        case .mulDivR, .mulDivM:
            mulDiv(insn, n, source: insn.op == .mulDivR ? guest(insn.rm) : mem(write: false), index: index, pc: pc)
        case .cmovRR, .cmovRM:
            let source = insn.op == .cmovRR ? guest(insn.rm) : mem(write: false)
            loadGuest(.r8, insn.reg, s)
            op([0x0F, 0x40 | insn.cond], size: n, reg: r8, source)
            storeGuest(insn.reg, s, .r8)
        case .setccR:
            op([0x0F, 0x90 | insn.cond], size: 1, reg: 0, guest(insn.reg))
        case .setccM:
            op([0x0F, 0x90 | insn.cond], size: 1, reg: 0, mem(write: true, size: 1))

        case .push, .pushI:
            if insn.op == .push { loadGuest(.r9, insn.reg, 3) } else { a.moveKeepingFlags(.r9, imm: insn.imm) }
            push(.r9, index: index, pc: pc, restoreFlags: restoreFlags)
        case .pop:
            op([0x8B], size: 8, reg: X86Register.rdx.rawValue, guest(Self.rspOffset))
            probe(8, write: false, index: index, pc: pc, restoreFlags: restoreFlags)
            op([0x8B], size: 8, reg: r8, host)
            a.lea(.rdx, X86Memory(.rdx, 8))
            storeGuest(Self.rspOffset, 3, .rdx)
            storeGuest(insn.reg, 3, .r8)      // pop rsp: the loaded value wins
        case .call:
            a.moveKeepingFlags(.r9, imm: next)
            push(.r9, index: index, pc: pc, restoreFlags: restoreFlags)
            exitLink(to: insn.imm, retired: index + 1)
            return true
        case .ret, .retImm:
            op([0x8B], size: 8, reg: X86Register.rdx.rawValue, guest(Self.rspOffset))
            probe(8, write: false, index: index, pc: pc, restoreFlags: true)
            op([0x8B], size: 8, reg: r8, host)
            a.lea(.rdx, X86Memory(.rdx, Int32(8 + insn.imm)))
            storeGuest(Self.rspOffset, 3, .rdx)
            exitComputed(retired: index + 1)
            return true
        case .jmp:
            exitLink(to: insn.imm, retired: index + 1)
            return true
        case .jmpR, .jmpM, .callR, .callM:
            // The target first (a call's push may change its register or memory).
            if insn.op == .jmpR || insn.op == .callR {
                loadGuest(.r8, insn.reg, 3)
            } else {
                op([0x8B], size: 8, reg: r8, mem(write: false, size: 8))
            }
            if insn.op == .callR || insn.op == .callM {
                a.moveKeepingFlags(.r9, imm: next)
                push(.r9, index: index, pc: pc, restoreFlags: restoreFlags)
            }
            exitComputed(retired: index + 1)
            return true
        case .sse:
            let o = X86SSE(rawValue: insn.cond)!
            let m = insn.attrs & X86Attrs.memory == 0 ? nil
                : mem(write: o == .storeLow64 || o == .store128 || o == .movdFromXMM,
                      size: o == .movq || o == .storeLow64 || o == .movsd ? 8 : o == .movdToXMM || o == .movdFromXMM ? Self.bytes(insn.size) : 16)
            emitSSE(insn, o, memoryOperand: m)
        case .jcc:
            stubs.append((a.jump(if: X86Condition(rawValue: insn.cond & 15)!), .link(target: insn.imm, retired: index + 1)))

        default:
            // Group 1: add or adc sbb and sub xor cmp (`kind`), in each operand form.
            let byte = s == 0
            switch insn.op {
            case .addRR, .orRR, .adcRR, .sbbRR, .andRR, .subRR, .xorRR, .cmpRR:
                loadGuest(.r8, insn.reg, s)
                op([kind << 3 | (byte ? 2 : 3)], size: n, reg: r8, guest(insn.rm))
                if kind != 7 { storeGuest(insn.reg, s, .r8) }
            case .addRI, .orRI, .adcRI, .sbbRI, .andRI, .subRI, .xorRI, .cmpRI:
                loadGuest(.r8, insn.reg, s)
                a.op([byte ? 0x80 : 0x81], size: n, reg: kind, rm: .r8)
                a.immediate(insn.imm, size: min(n, 4))
                if kind != 7 { storeGuest(insn.reg, s, .r8) }
            case .addRM, .orRM, .adcRM, .sbbRM, .andRM, .subRM, .xorRM, .cmpRM:
                let m = mem(write: false)
                loadGuest(.r8, insn.reg, s)
                op([kind << 3 | (byte ? 2 : 3)], size: n, reg: r8, m)
                if kind != 7 { storeGuest(insn.reg, s, .r8) }
            case .addMR, .orMR, .adcMR, .sbbMR, .andMR, .subMR, .xorMR, .cmpMR:
                let m = mem(write: kind != 7)
                loadGuest(.r8, insn.reg, s)
                op([kind << 3 | (byte ? 0 : 1)], size: n, reg: r8, m)
            default:   // addMI ... cmpMI
                op([byte ? 0x80 : 0x81], size: n, reg: kind, mem(write: kind != 7))
                a.immediate(insn.imm, size: min(n, 4))
            }
        }
        return false
    }

    /// The xmm register `n` in the register file.
    private func xmm(_ n: UInt8, high: Bool = false) -> X86Memory {
        X86Memory(.guestRegisters, Int32(X86Registers.xmm * 8) + 16 * Int32(n) + (high ? 8 : 0))
    }

    /// `prefix` 0F `opcode` with host xmm `reg` and operand `m` (legacy SSE encoding).
    private mutating func sse(_ prefix: UInt8, _ opcode: UInt8, xmm reg: UInt8, _ m: Operand) {
        a.byte(prefix)
        op([0x0F, opcode], size: 4, reg: reg, m)
    }

    /// Integer SSE2 moves and operations through host xmm0 and xmm1 (`sseSupported`).
    /// `m`: the probed memory operand of a memory form.
    private mutating func emitSSE(_ insn: X86Instruction, _ o: X86SSE, memoryOperand m: Operand?) {
        let movdqu: UInt8 = 0x6F, storeDQU: UInt8 = 0x7F
        switch o {
        case .movq:
            sse(0xF3, 0x7E, xmm: 0, m ?? .memory(xmm(insn.rm)))
            sse(0xF3, storeDQU, xmm: 0, .memory(xmm(insn.reg)))
        case .storeLow64:
            a.op([0x8B], size: 8, reg: X86Register.r8.rawValue, xmm(insn.reg))
            op([0x89], size: 8, reg: X86Register.r8.rawValue, m!)
        case .movdToXMM, .movsd:
            // xmm low = a general register or memory (zero-extended), the high lane zeroed; movsd's
            // register form copies the low lane only.
            let n = o == .movsd ? 8 : Self.bytes(insn.size)
            if let m {
                op([0x8B], size: n, reg: X86Register.r8.rawValue, m)
            } else if o == .movsd {
                a.op([0x8B], size: 8, reg: X86Register.r8.rawValue, xmm(insn.rm))
            } else {
                loadGuest(.r8, insn.rm, insn.size)
            }
            a.op([0x89], size: 8, reg: X86Register.r8.rawValue, xmm(insn.reg))
            if m != nil || o == .movdToXMM {
                a.op([0xC7], size: 8, reg: 0, xmm(insn.reg, high: true))
                a.int32(0)
            }
        case .movdFromXMM:
            a.op([0x8B], size: 8, reg: X86Register.r8.rawValue, xmm(insn.reg))
            if let m {
                op([0x89], size: Self.bytes(insn.size), reg: X86Register.r8.rawValue, m)
            } else {
                if insn.size == 2 { a.op([0x89], size: 4, reg: X86Register.r8.rawValue, rm: .r8) }   // mov r8d, r8d
                storeGuest(insn.rm, insn.size, .r8)
            }
        case .pmovmskb:
            // r8d = the sign bits of the source's 16 bytes; the guest register zero-extended.
            sse(0xF3, movdqu, xmm: 0, .memory(xmm(insn.rm)))
            sse(0x66, 0xD7, xmm: X86Register.r8.rawValue, .register(.rax))   // (register 0: xmm0)
            storeGuest(insn.reg, 3, .r8)
        case .mov128:
            sse(0xF3, movdqu, xmm: 0, m ?? .memory(xmm(insn.rm)))
            sse(0xF3, storeDQU, xmm: 0, .memory(xmm(insn.reg)))
        case .store128:
            sse(0xF3, movdqu, xmm: 0, .memory(xmm(insn.reg)))
            sse(0xF3, storeDQU, xmm: 0, m!)
        case .pshufd, .pshuflw, .pshufhw:
            sse(0xF3, movdqu, xmm: 1, m ?? .memory(xmm(insn.rm)))
            sse(o == .pshufd ? 0x66 : o == .pshuflw ? 0xF2 : 0xF3, 0x70, xmm: 0, .register(.rcx))   // (register 1: xmm1)
            a.byte(UInt8(truncatingIfNeeded: insn.imm))
            sse(0xF3, storeDQU, xmm: 0, .memory(xmm(insn.reg)))
        default:
            sse(0xF3, movdqu, xmm: 0, .memory(xmm(insn.reg)))
            sse(0xF3, movdqu, xmm: 1, m ?? .memory(xmm(insn.rm)))
            sse(0x66, Self.packed[o]!, xmm: 0, .register(.rcx))     // (register 1: xmm1)
            sse(0xF3, storeDQU, xmm: 0, .memory(xmm(insn.reg)))
        }
    }

    /// inc, dec, neg, not: the opcode (byte or full size) and its ModRM extension.
    private static func unary(_ op: X86Op, _ s: UInt8) -> (UInt8, UInt8) {
        switch op {
        case .incR, .incM: return (s == 0 ? 0xFE : 0xFF, 0)
        case .decR, .decM: return (s == 0 ? 0xFE : 0xFF, 1)
        case .notR, .notM: return (s == 0 ? 0xF6 : 0xF7, 2)
        default: return (s == 0 ? 0xF6 : 0xF7, 3)
        }
    }

    /// Shift/rotate `ext` (rol ror rcl rcr shl shr sal sar) of `rm` by cl or by `count`.
    private mutating func shift(_ ext: UInt8, byCL: Bool, count: UInt64, size s: UInt8, rm: X86Register) {
        if byCL {
            a.op([s == 0 ? 0xD2 : 0xD3], size: Self.bytes(s), reg: ext, rm: rm)
        } else {
            a.op([s == 0 ? 0xC0 : 0xC1], size: Self.bytes(s), reg: ext, rm: rm)
            a.byte(UInt8(truncatingIfNeeded: count))
        }
    }

    /// One-operand mul, imul, div or idiv (`insn.cond` 4...7) of `n` bytes (2, 4 or 8) on guest
    /// rdx:rax, as the host's own on host rax and rdx. The guest flags are in RFLAGS (the
    /// operation counts as reading them: the host leaves its undefined ones as the host CPU does).
    /// A division the host would fault on (a zero divisor, a quotient too wide) must not run
    /// here: div runs when rdx < the divisor, idiv when the dividend is rax sign-extended and the
    /// divisor neither 0 nor -1; any other leaves to the interpreter (flags saved around the
    /// checks), which divides or raises SIGFPE as the guest expects.
    private mutating func mulDiv(_ insn: X86Instruction, _ n: Int, source: Operand, index: Int, pc: UInt64) {
        let rcx = X86Register.rcx.rawValue, rdx = X86Register.rdx.rawValue
        if insn.cond >= 6 {
            a.setOverflowAL()
            a.loadFlagsIntoAH()
            op([0x8B], size: n, reg: rcx, source)
            loadGuest(.rdx, Self.rdxOffset, 3)
            if insn.cond == 6 {
                a.op([0x3B], size: n, reg: rdx, rm: .rcx)                                // cmp rdx, rcx
                stubs.append((a.jump(if: .ae), .interpret(pc: pc, retired: index)))
            } else {
                a.op([0x85], size: n, reg: rcx, rm: .rcx)                                // test rcx, rcx
                stubs.append((a.jump(if: .e), .interpret(pc: pc, retired: index)))
                a.op([0x83], size: n, reg: 7, rm: .rcx); a.byte(0xFF)                    // cmp rcx, -1
                stubs.append((a.jump(if: .e), .interpret(pc: pc, retired: index)))
                loadGuest(.rdi, Self.raxOffset, 3)
                a.op([0xC1], size: n, reg: 7, rm: .rdi); a.byte(UInt8(n * 8 - 1))        // sar rdi, bits - 1
                a.op([0x3B], size: n, reg: rdx, rm: .rdi)                                // cmp rdx, rdi
                stubs.append((a.jump(if: .ne), .interpret(pc: pc, retired: index)))
            }
            putFlagsBack()
            loadGuest(.rax, Self.raxOffset, 3)
            a.op([0xF7], size: n, reg: insn.cond, rm: .rcx)
        } else {
            loadGuest(.rax, Self.raxOffset, 3)
            op([0xF7], size: n, reg: insn.cond, source)
        }
        storeGuest(Self.raxOffset, insn.size, .rax)
        storeGuest(Self.rdxOffset, insn.size, .rdx)
    }

    /// An instruction the interpreter performs (`X86CPU.executeForNative`, through
    /// `GuestTrampolines.callOut`) in the middle of the block: the guest flags and cached
    /// registers stored, the call (rsp is 16-byte aligned in block code), both loaded again (it
    /// may have changed any). When it did not complete the block leaves for the interpreter to
    /// perform it; when decoded code changed under it, for the code after it (compiled code may be
    /// stale).
    private mutating func callOut(_ insn: X86Instruction, index: Int, pc: UInt64, next: UInt64) {
        var copy = insn
        copy.markAddressForm()
        let p = keep(copy)
        GuestTrampolines.storeGuestFlags(&a)
        writeBack()
        a.load(.rdi, .context, NativeContext.hartOffset)
        a.move(.rsi, imm: UInt64(UInt(bitPattern: p)))
        a.move(.rdx, imm: pc)
        a.move(.rax, imm: UInt64(UInt(bitPattern: unsafeBitCast(GuestTrampolines.callOut, to: UnsafeRawPointer.self))))
        a.call(.rax)
        a.op([0x0F, 0xB6], size: 4, reg: X86Register.rcx.rawValue, rm: .rax)          // movzx ecx, al
        GuestTrampolines.loadGuestFlags(&a)
        for (r, h) in cached.enumerated() {
            if let h { a.op([0x8B], size: 8, reg: h.rawValue, X86Memory(.guestRegisters, Int32(r * 8))) }
        }
        let completed = a.jumpIfRCXZero()
        a.lea(.rcx, X86Memory(.rcx, -1))
        let changed = a.jumpIfRCXZero()
        if index > 0 { a.lea(.budget, X86Memory(.budget, -Int32(index))) }
        leave(pc: pc, code: NativeExit.interpret)
        a.patch(rel8At: changed, toOffset: a.offset)
        a.lea(.budget, X86Memory(.budget, -Int32(index + 1)))
        leave(pc: next, code: NativeExit.plain)
        a.patch(rel8At: completed, toOffset: a.offset)
    }

    /// Pushes `value` (8 bytes): the store is probed before rsp changes.
    private mutating func push(_ value: X86Register, index: Int, pc: UInt64, restoreFlags: Bool) {
        op([0x8B], size: 8, reg: X86Register.rdx.rawValue, guest(Self.rspOffset))
        a.lea(.rdx, X86Memory(.rdx, -8))
        probe(8, write: true, index: index, pc: pc, restoreFlags: restoreFlags)
        op([0x89], size: 8, reg: value.rawValue, host)
        storeGuest(Self.rspOffset, 3, .rdx)
    }

    // MARK: Exits

    /// Leaves compiled code: the next pc in the context, `code` in eax, to the epilogue.
    private mutating func leave(pc: UInt64, code: UInt32) {
        a.moveKeepingFlags(.rax, imm: pc)
        a.store(.rax, .context, NativeContext.pcOffset)
        a.moveKeepingFlags(.rax, imm: UInt64(code))
        a.jump(toAddress: epilogue)
    }

    /// Stores the cached registers back (unless not `storing`) and subtracts `retired` from the budget; returns the
    /// rel8 site of a jump taken when budget is left (tested without flags: lea, cqo, jrcxz),
    /// falling through when it is spent.
    private mutating func retire(_ retired: Int, storing: Bool = true) -> Int {
        if storing { writeBack() }
        a.lea(.budget, X86Memory(.budget, -Int32(retired)))
        a.lea(.rax, X86Memory(.budget, -1))
        a.signIntoRDX()
        a.move(.rcx, .rdx)
        return a.jumpIfRCXZero()
    }

    /// An exit to a static target after `retired` instructions: subtracts them from the budget
    /// (flag-free: lea, and cqo + jrcxz for the test), leaves when it is spent, else jumps on
    /// through a patchable jump (to the target block once it is compiled; until then to the
    /// code right after it, which leaves with the link number).
    private mutating func exitLink(to target: UInt64, retired: Int) {
        if target == entry && Self.keepsLoopRegisters {
            // A back edge: on to the body while budget is left, the cached registers kept.
            let left = retire(retired, storing: false)
            writeBack()
            leave(pc: target, code: NativeExit.plain)
            a.patch(rel8At: left, toOffset: a.offset)
            a.patch(rel32At: a.jump(), toOffset: body)
            return
        }
        let left = retire(retired)
        leave(pc: target, code: NativeExit.plain)
        a.patch(rel8At: left, toOffset: a.offset)
        let site = a.jump()
        a.patch(rel32At: site, toOffset: a.offset)
        links.append(site)
        leave(pc: target, code: firstLinkID + UInt32(links.count - 1))
    }

    /// An exit to the guest address in r8 after `retired` instructions: when the budget is not
    /// spent, the jump cache's block for it, if any (with the flags saved around the lookup);
    /// else back to the tier.
    private mutating func exitComputed(retired: Int) {
        let left = retire(retired)
        let spent = a.jump()
        a.patch(rel8At: left, toOffset: a.offset)
        saveFlagsAndIndex(.r8, shift: 1, mask: Int32(JumpCache.indexMask))
        a.load(.rdi, .context, NativeContext.jumpCacheOffset)
        a.op([0x3B], size: 8, reg: X86Register.r8.rawValue, X86Memory(.rdi, 0, index: .rcx))   // cmp r8, pc
        let miss = a.jump(if: .ne)
        a.op([0x8B], size: 8, reg: X86Register.rcx.rawValue, X86Memory(.rdi, 8, index: .rcx))
        putFlagsBack()
        a.jump(to: .rcx)
        a.patch(rel32At: miss, toOffset: a.offset)
        putFlagsBack()
        a.patch(rel32At: spent, toOffset: a.offset)
        a.store(.r8, .context, NativeContext.pcOffset)
        a.moveKeepingFlags(.rax, imm: UInt64(NativeExit.plain))
        a.jump(toAddress: epilogue)
    }

    private mutating func emitStubs() {
        for (site, stub) in stubs {
            a.patch(rel32At: site, toOffset: a.offset)
            stubOffsets.append(a.offset)
            switch stub {
            case .interpretDirect(let pc, let retired):
                writeBack()
                if retired > 0 { a.lea(.budget, X86Memory(.budget, -Int32(retired))) }
                leave(pc: pc, code: NativeExit.interpret)
            case .refill(let pc, let retired, let write, let hit):
                a.call(toAddress: write ? trampolines.refillWrite : trampolines.refillRead)
                let failed = a.jump(if: .e)
                a.op([0x3B], size: 8, reg: X86Register.rsi.rawValue, X86Memory(.rdi, 0, index: .rcx))  // cmp rsi, tag
                let crossing = a.jump(if: .ne)
                a.patch(rel32At: a.jump(), toOffset: hit)
                a.patch(rel32At: failed, toOffset: a.offset)
                a.patch(rel32At: crossing, toOffset: a.offset)
                interpret(pc: pc, retired: retired)
            case .interpret(let pc, let retired):
                interpret(pc: pc, retired: retired)
            case .link(let target, let retired):
                exitLink(to: target, retired: retired)
            }
        }
    }

    /// Leaves to the interpreter for the instruction at `pc` with the guest flags from eax.
    private mutating func interpret(pc: UInt64, retired: Int) {
        putFlagsBack()
        writeBack()
        if retired > 0 { a.lea(.budget, X86Memory(.budget, -Int32(retired))) }
        leave(pc: pc, code: NativeExit.interpret)
    }
}
