#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RISCV

// What later instructions of a block need of each integer register, from a backward pass over
// the block's straight line before it is emitted:
// - A `*w` result whose upper 32 bits nothing reads is left zero-extended, not sign-extended:
//   the `*w` operations, `andi` with a non-negative mask, `slli` by 32 or more and the byte and
//   halfword extensions, and (when their own result's upper half is not needed either) add, sub,
//   and, or, xor, the immediate forms, left shifts and mul read only the low halves of their
//   sources. Every point where compiled code may leave the straight line (a call, an indirect
//   jump, any instruction not listed here) needs every register in full, so the register file
//   is exact wherever compiled code is left (sha256 without Zbb is mostly `*w` operations). A
//   load or store, and a branch or an unlinked jump, need every register but a word in full:
//   their exits sign-extend the `*w` results left zero-extended (`narrowBefore`) as they write
//   them back, and a branch to an instruction of the block (or a loop's back edge) sign-extends
//   on the way the ones its target needs in full (`edgeFull`); words are known through joins
//   when every way in brings them.
// - Rotates spelled as two shifts of one register and an `or` (`slli y, a, 64-k; srli x, a, k;
//   or d, x, y`, or the `*w` forms with 32: how code without Zbb rotates, interleaved with other
//   work) become one rotate at the `or` when no such point lies between the shifts and the `or`,
//   `a` is not written in between (but by the later shift itself) and the shifts' results are
//   read by nothing else (dead after the `or` unless the `or` writes them): the shifts emit nothing.
// - Extensions spelled as two shifts (`slli x, a, 48; srli x, x, 48` is zext.h; `srai`, sext.h;
//   32 and 56 bits, and the `*w` forms by 16 and 24) become one movzx/movsx
//   (`SKIFF_JIT_EXTENSIONS=0` turns this off).
// `SKIFF_JIT_LIVENESS=0` turns both off, for comparisons.

extension BlockTranslator {
    static let noLiveness = getenv("SKIFF_JIT_LIVENESS").map { String(cString: $0) == "0" } ?? false
    static let noExtensions = getenv("SKIFF_JIT_EXTENSIONS").map { String(cString: $0) == "0" } ?? false
    static let noScaled = getenv("SKIFF_JIT_SCALED").map { String(cString: $0) == "0" } ?? false
    /// `SKIFF_JIT_WORD_LOGIC=0`: and/or/xor of `*w` results are not `*w` results themselves (their
    /// upper half is needed in full wherever the block may leave), for comparisons.
    static let noWordLogic = getenv("SKIFF_JIT_WORD_LOGIC").map { String(cString: $0) == "0" } ?? false
    /// `SKIFF_JIT_ROTATE_KEEP=0`: a rotate needs both its shifts absorbed (nothing leaving between
    /// them and the `or`, both results dead after it), for comparisons.
    /// Off unless `SKIFF_JIT_LEA=1`: `slli x, y, 1...3` and a later `add d, x, b` as one
    /// `lea d, [b + y << k]`, and adds and `addiw` from other host registers as one lea (fewer
    /// host instructions: sha256sum -2.9%, gzip -1.4%, CoreMark -0.4%; no CPU-time gain measured,
    /// 2026-12-07, docs/native-tier.md).
    static let noLea = getenv("SKIFF_JIT_LEA").map { String(cString: $0) != "1" } ?? true
    static let noRotateKeep = getenv("SKIFF_JIT_ROTATE_KEEP").map { String(cString: $0) == "0" } ?? false
    /// `SKIFF_JIT_NARROW_BRANCHES=0`: every branch and jump needs every register in full (as
    /// before 2026-12-07), for comparisons.
    static let noNarrowBranches = getenv("SKIFF_JIT_NARROW_BRANCHES").map { String(cString: $0) == "0" } ?? false

    /// A rotate that replaces an `or` and the two shifts before it.
    struct Rotate {
        var source: UInt8
        /// Right by this many bits.
        var amount: UInt8
        /// The 64-bit rotate (else the 32-bit one, sign-extended).
        var wide: Bool
    }

    struct Liveness {
        /// Instruction index -> its result's upper 32 bits are read by nothing (a `*w` result may
        /// stay zero-extended).
        var lowHalfOnly: [Bool] = []
        /// The `or`s that are rotates, by instruction index.
        var rotates = PerInstruction<Rotate>()
        /// The shifts those rotates and extensions absorb (they emit nothing).
        var absorbed = InstructionSet()
        /// Shifts of a rotate that are emitted all the same (their result is read elsewhere, or
        /// the block may leave before the `or`): no other rule absorbs them.
        var keptByRotate = InstructionSet()
        /// `and`/`or`/`xor` (and `mv`) of `*w` results: their guest value is their low half
        /// sign-extended, so they may be left with any upper half as a `*w` result is.
        var wordLogic = InstructionSet()
        /// The second shifts of `slli x, a, k; srli/srai x, x, k` pairs (and the `*w` forms):
        /// a zero or sign extension of `a`'s low bytes, by instruction index.
        var extensions = PerInstruction<Extension>()
        /// Before each instruction: the registers (bits) whose host register holds a `*w` result
        /// left zero-extended (its guest value is the low half sign-extended). A load or store
        /// that leaves to the interpreter, and an eviction, sign-extends them as it writes them
        /// back (`SKIFF_JIT_LAZY_SEXT=0`: loads and stores need every register in full, as
        /// every other exit does).
        var narrowBefore: [UInt64] = []
        /// `srli y, x, k` / `srai y, x, k` (k < 32) whose `x` is `slli x, a, 32` of an earlier
        /// instruction: `a`'s low half zero- or sign-extended and shifted left by 32 - k, by
        /// instruction index.
        var scaled = PerInstruction<Scaled>()
        /// `add d, x, b` whose `x` is `slli x, y, k` (k 1...3) of an earlier instruction: one
        /// `lea d, [b + y << k]`, by instruction index.
        var scaledAdds = PerInstruction<ScaledAdd>()
        /// Conditional branches both of whose operands are words (or x0): compared in 32 bits
        /// (sign extension keeps both the signed and the unsigned order), so neither needs its
        /// upper half.
        var wordCompares = InstructionSet()
        /// By branch index: the words left zero-extended at the branch that the code at its target
        /// (an instruction of the block, or the entry: a loop's back edge) needs in full: the
        /// branch sign-extends them on the way there.
        var edgeFull: [(index: Int, set: UInt64)] = []

        /// `edgeFull`'s set of the branch at `index` (0: none).
        func edgeFull(at index: Int) -> UInt64 {
            for e in edgeFull where e.index == index { return e.set }
            return 0
        }
    }

    /// b + (index << shift) (shift 1...3): array indexing as rv64 code without Zba spells it.
    struct ScaledAdd {
        var base: UInt8
        var index: UInt8
        var shift: UInt8
    }

    /// The low half of `source` zero- or sign-extended, shifted left by `shift` (0...31): how
    /// rv64 code without Zba scales an unsigned or signed 32-bit index (`slli x, a, 32;
    /// srli y, x, 30`).
    struct Scaled {
        var source: UInt8
        var shift: UInt8
        var signed: Bool
    }

    /// The low `size` bytes of `source`, zero- or sign-extended to 64 bits.
    struct Extension {
        var source: UInt8
        var size: Int
        var signed: Bool
    }

    /// How an instruction reads and writes integer registers, for the pass.
    private enum Use {
        /// May leave the straight line (or is not modelled): every register needed in full.
        case leaves
        /// A load or store: may leave to the interpreter before it is done, where every register
        /// but a `*w` result (which the exit sign-extends) is needed in full; reads `base` (and
        /// the stored integer `value`, in full when `valueFull`), a load writes `rd`.
        case access(base: UInt8, value: UInt8?, valueFull: Bool, rd: UInt8?)
        /// Writes `rd`; when `narrow`, the low half of its result depends only on the low halves
        /// of its sources (up to two; x0 where there are fewer: `bit` ignores it); `sourcesNarrow`:
        /// it reads only their low halves whatever is needed.
        case computes(rd: UInt8, sources: (UInt8, UInt8), narrow: Bool, sourcesNarrow: Bool)
        /// A conditional branch (`falls`: the next instruction follows when not taken) or a direct
        /// jump that is not followed and links nothing: it may leave (a side exit, a spent
        /// budget), where every register but a word is written back in full (its exit
        /// sign-extends a `*w` result left zero-extended), or go on at an instruction of the
        /// block, which needs in full what that instruction's code needs. Reads `sources` in full
        /// unless both are words (`wordCompares`).
        case branch(sources: (UInt8, UInt8), falls: Bool)
    }

    static let noLazySignExtension = getenv("SKIFF_JIT_LAZY_SEXT").map { String(cString: $0) == "0" } ?? false

    /// `narrowBranches`: `!noNarrowBranches`, read once per block (a static is a lazy global).
    private static func use(_ f: Fetched, narrowBranches: Bool) -> Use {
        guard let d = f.d else { return .leaves }
        if f.followed { return .computes(rd: d.rd, sources: (0, 0), narrow: true, sourcesNarrow: true) }
        if narrowBranches {
            switch f.op {
            case .beq, .bne, .blt, .bge, .bltu, .bgeu, .branchFar: return .branch(sources: (d.rs1, d.rs2), falls: true)
            case .jal, .jalFar where bit(d.rd) == 0: return .branch(sources: (0, 0), falls: false)
            default: break
            }
        }
        if !noLazySignExtension {
            switch f.op {
            case .lb, .lbu, .lh, .lhu, .lw, .lwu, .ld: return .access(base: d.rs1, value: nil, valueFull: false, rd: d.rd)
            case .flw, .fld, .fsw, .fsd: return .access(base: d.rs1, value: nil, valueFull: false, rd: nil)
            case .sb, .sh, .sw: return .access(base: d.rs1, value: d.rs2, valueFull: false, rd: nil)
            case .sd: return .access(base: d.rs1, value: d.rs2, valueFull: true, rd: nil)
            default: break
            }
        }
        switch f.op {
        case .addw, .subw, .sllw, .srlw, .sraw, .mulw, .divw, .divuw, .remw, .remuw, .rolw, .rorw:
            return .computes(rd: d.rd, sources: (d.rs1, d.rs2), narrow: true, sourcesNarrow: true)
        case .addiw, .slliw, .srliw, .sraiw, .roriw:
            return .computes(rd: d.rd, sources: (d.rs1, 0), narrow: true, sourcesNarrow: true)
        case .andi where d.imm >= 0, .slli where d.imm & 63 >= 32, .sextB, .sextH, .zextH:
            // Only the low half of the source matters: a non-negative mask, a shift by 32 or more,
            // an extension of the low byte or halfword.
            return .computes(rd: d.rd, sources: (d.rs1, 0), narrow: true, sourcesNarrow: true)
        case .add, .sub, .and, .or, .xor, .sll, .mul:
            return .computes(rd: d.rd, sources: (d.rs1, d.rs2), narrow: true, sourcesNarrow: false)
        case .addi, .andi, .ori, .xori, .slli:
            return .computes(rd: d.rd, sources: (d.rs1, 0), narrow: true, sourcesNarrow: false)
        case .li:
            return .computes(rd: d.rd, sources: (0, 0), narrow: true, sourcesNarrow: true)
        case .srl, .sra, .slt, .sltu, .mulh, .mulhu, .div, .divu, .rem, .remu, .rol, .ror, .min, .max, .minu, .maxu,
             .andn, .orn, .xnor, .addUw, .sh1add, .sh2add, .sh3add, .sh1addUw, .sh2addUw, .sh3addUw:
            return .computes(rd: d.rd, sources: (d.rs1, d.rs2), narrow: false, sourcesNarrow: false)
        case .srli, .srai, .slti, .sltiu, .rori, .rev8, .bexti, .slliUw:
            return .computes(rd: d.rd, sources: (d.rs1, 0), narrow: false, sourcesNarrow: false)
        case .auipc:
            return .computes(rd: d.rd, sources: (0, 0), narrow: false, sourcesNarrow: true)
        default:
            return .leaves
        }
    }

    private static func reads(_ sources: (UInt8, UInt8), _ r: UInt8) -> Bool { sources.0 == r || sources.1 == r }

    /// The instruction that writes `x` last among the four before `j`, when only computations
    /// that do not read `x` stand between (the callers check branches and tails entering there
    /// with `unchanged`).
    private static func writer(of x: UInt8, before j: Int, _ code: [Fetched], _ uses: [Use]) -> Int? {
        var i = j - 1
        while i >= 0 && i >= j - 4 {
            guard case .computes(let rd, let sources, _, _) = uses[i], !code[i].followed else { return nil }
            if rd == x { return i }
            if reads(sources, x) { return nil }
            i -= 1
        }
        return nil
    }

    /// Whether the instructions strictly between `i` and `j` only compute (nothing that may
    /// leave), none writes `r`, and no branch or tail enters among them.
    private static func unchanged(_ r: UInt8, after i: Int, before j: Int, _ code: [Fetched], _ uses: [Use],
                                  joins: InstructionSet) -> Bool {
        for m in (i + 1)..<j {
            guard case .computes(let rd, _, _, _) = uses[m], !joins.contains(m), !code[m].tail, rd != r else { return false }
        }
        return true
    }

    private static func bit(_ r: UInt8) -> UInt64 { r > 0 && r < Registers.scratch ? 1 << UInt64(r) : 0 }

    /// A `*w` operation: its guest result is its low half sign-extended.
    private static func isWord(_ f: Fetched) -> Bool {
        guard let d = f.d, !f.followed else { return false }
        switch f.op {
        case .addw, .subw, .sllw, .srlw, .sraw, .mulw, .divw, .divuw, .remw, .remuw, .rolw, .rorw, .addiw, .slliw, .srliw,
             .sraiw, .roriw:
            return true
        default:
            return false
        }
    }

    /// A load whose result is its low half sign-extended (a word, for the pass).
    private static func isNarrowLoad(_ op: Op) -> Bool {
        switch op {
        case .lb, .lbu, .lh, .lhu, .lw: return true
        default: return false
        }
    }

    /// `and`/`or`/`xor` of two words (`words`: the registers holding one; x0 is one), or a move of
    /// one (`add rd, x0, rs`, `addi rd, rs, 0`): a word too. Compiled as the 64-bit operation on
    /// host registers whose upper halves may be anything (a `*w` result left zero-extended), its
    /// low half is right; when nothing reads its upper half it is left so, as a `*w` result is.
    private static func isWordLogic(_ f: Fetched, _ words: UInt64) -> Bool {
        guard let d = f.d, !f.followed else { return false }
        func word(_ r: UInt8) -> Bool { r == 0 || bit(r) & words != 0 }
        switch f.op {
        case .and, .or, .xor: return word(d.rs1) && word(d.rs2)
        case .add: return (d.rs1 == 0 && word(d.rs2)) || (d.rs2 == 0 && word(d.rs1))
        case .addi: return d.imm == 0 && word(d.rs1)
        default: return false
        }
    }

    /// `joins`: the instructions a branch inside the block leads to (by index; `innerTargets`).
    /// `targets`: guest pc -> index of those instructions (`innerTargets`).
    static func liveness(_ code: [Fetched], joins: InstructionSet, targets: PCIndex = PCIndex()) -> Liveness {
        var result = Liveness()
        guard !noLiveness else { return result }
        result.rotates = PerInstruction(count: code.count)
        result.extensions = PerInstruction(count: code.count)
        result.scaled = PerInstruction(count: code.count)
        result.scaledAdds = PerInstruction(count: code.count)
        let narrowBranches = !noNarrowBranches
        let uses = code.map { use($0, narrowBranches: narrowBranches) }
        result.lowHalfOnly = Array(filledWith: false, count: code.count)
        // Backward: `full`, registers whose upper halves a later reader (or a point that leaves)
        // needs; `live`, registers read at all later. After each index: `liveAfter`.
        // Forward first: the registers holding a word before each instruction (since the last
        // tail start or instruction that leaves: another path may bring any value; at a join,
        // those every way in brings).
        // A register holds a "word" when its guest value is its low half sign-extended: a `*w`
        // result, a narrow load (lb/lbu/lh/lhu/lw), and the and/or/xor of two words (bitwise
        // operations commute with sign extension; x0 is a word).
        // The branches to an instruction of the block (or to its entry: a loop's back edge), and
        // the joins some other way leads to (a call's or an unmodelled jump's target, a tail
        // running into the block): nothing is known to be a word there. (A short list: a block
        // has a handful; arrays per instruction cost more to allocate than the passes take.)
        var edges: [(from: Int, to: Int)] = []
        var unknownJoins = InstructionSet()
        var edgeTargets = InstructionSet()
        var targetList: [Int] = []
        for i in code.indices where !code[i].followed {
            if let c = code[i].continues, let j = targets[c] { unknownJoins.insert(j) }
            switch uses[i] {
            case .branch:
                guard let t = code[i].staticTarget, let j = t == code[0].pc ? 0 : targets[t] else { continue }
                edges.append((i, j))
                if !edgeTargets.contains(j) {
                    edgeTargets.insert(j)
                    targetList.append(j)
                }
            case .leaves:
                // (A linked jump or an instruction not modelled: only these others have a target.)
                if let t = code[i].staticTarget, let j = targets[t] { unknownJoins.insert(j) }
            default:
                continue
            }
        }
        func slot(_ j: Int) -> Int {
            var s = 0
            while targetList[s] != j { s += 1 }
            return s
        }
        // A join's words are those every way into it brings: the fall-through, the branches
        // before it (`ahead`, gathered as the pass goes) and those after it (`back`, by target:
        // from everything, narrowed each round to what those branches bring, until nothing
        // changes; after 8 rounds, nothing). A block without backward branches takes one round.
        // The entry's are none.
        var words: UInt64 = 0
        var wordsBefore = [UInt64](filledWith: 0, count: code.count)
        // (Most blocks have no branch to their own instructions: no arrays for them.)
        var back: [UInt64] = targetList.isEmpty ? [] : Array(filledWith: .max, count: targetList.count)
        var ahead: [UInt64] = targetList.isEmpty ? [] : Array(filledWith: .max, count: targetList.count)
        var wordRound = 0
        while true {
            words = 0
            result.wordLogic = InstructionSet()
            for s in ahead.indices { ahead[s] = .max }
            var e = 0
            for i in code.indices {
                if code[i].tail || unknownJoins.contains(i) {
                    words = 0
                } else if i > 0 && edgeTargets.contains(i) {
                    let s = slot(i)
                    words &= ahead[s] & back[s]
                }
                wordsBefore[i] = words
                // (A branch changes no register: what it brings is what it saw.)
                while e < edges.count && edges[e].from == i {
                    if edges[e].to > i { ahead[slot(edges[e].to)] &= words }
                    e += 1
                }
                switch uses[i] {
                case .leaves: words = 0
                case .branch: break
                case .access(_, _, _, let rd):
                    words &= ~bit(rd ?? 0)
                    if !noWordLogic, let rd, isNarrowLoad(code[i].op) { words |= bit(rd) }
                case .computes(let rd, _, _, _):
                    if isWord(code[i]) || (narrowBranches && code[i].op == .li) {
                        // (`li`'s constant is a sign-extended 32-bit immediate.)
                        words |= bit(rd)
                    } else if !noWordLogic && isWordLogic(code[i], words) {
                        words |= bit(rd)
                        result.wordLogic.insert(i)
                    } else {
                        words &= ~bit(rd)
                    }
                }
            }
            var narrowed = false
            for (from, to) in edges where to > 0 && to <= from {
                let s = slot(to)
                if wordsBefore[from] & back[s] != back[s] {
                    back[s] &= wordsBefore[from]
                    narrowed = true
                }
            }
            if !narrowed { break }
            wordRound += 1
            if wordRound == 8 { for s in back.indices { back[s] = 0 } }
        }
        // Backward: `full`, registers whose upper halves a later reader (or a point that leaves)
        // needs; `live`, registers read at all later. A branch needs every register but a word
        // in full (and its operands, unless compared as words); what the code at its target
        // needs in full of the words left narrow is sign-extended on the way there (`edgeFull`).
        var full = UInt64.max, live = UInt64.max
        var fullIn: [UInt64] = targetList.isEmpty ? [] : Array(filledWith: .max, count: targetList.count)
        var liveAfter = [UInt64](filledWith: .max, count: code.count)
        for i in code.indices.reversed() {
            // A tail starts after i: what follows i in the block's order is not its successor.
            if i + 1 < code.count && code[i + 1].tail { (full, live) = (.max, .max) }
            liveAfter[i] = live
            switch uses[i] {
            case .leaves:
                full = .max
                live = .max
            case .branch(let sources, let falls):
                var need = ~wordsBefore[i]
                // A conditional branch comparing two words (x0 is one) compares their low halves.
                func word(_ r: UInt8) -> Bool { r == 0 || (r < Registers.scratch && wordsBefore[i] & bit(r) != 0) }
                if falls && word(sources.0) && word(sources.1) {
                    result.wordCompares.insert(i)
                } else {
                    need |= bit(sources.0) | bit(sources.1)
                }
                full = (falls ? full : 0) | need
                live = .max
            case .access(let base, let value, let valueFull, let rd):
                // Left here, every register is written back: in full, but a `*w` result (its
                // exit sign-extends it).
                full &= ~bit(rd ?? 0)
                full |= ~wordsBefore[i] | bit(base) | (valueFull ? bit(value ?? 0) : 0)
                live = .max
            case .computes(let rd, let sources, let narrow, let sourcesNarrow):
                let needed = full & bit(rd) != 0
                result.lowHalfOnly[i] = !needed && rd != 0 && rd < Registers.scratch
                full &= ~bit(rd)
                live &= ~bit(rd)
                live |= bit(sources.0) | bit(sources.1)
                if !sourcesNarrow && (needed || !narrow) { full |= bit(sources.0) | bit(sources.1) }
            }
            if edgeTargets.contains(i) { fullIn[slot(i)] = full }
        }
        findRotates(code, uses, liveAfter, joins: joins, &result)
        if !noExtensions { findExtensions(code, joins: joins, &result) }
        if !noScaled { findScaled(code, uses, liveAfter, joins: joins, &result) }
        if !noLea { findScaledAdds(code, uses, liveAfter, joins: joins, &result) }
        // The `*w` results left zero-extended before each instruction (a 32-bit rotate at its
        // `or` too: the `or` of two sign-extended halves is sign-extended).
        // A join's are those any way in brings that are words there (the branches before it as the
        // pass goes, those after it by target: from none, grown each round until nothing
        // changes; sign-extending a full word is harmless).
        for s in ahead.indices { (ahead[s], back[s]) = (0, 0) }
        result.narrowBefore = Array(filledWith: 0, count: code.count)
        while true {
            var narrow: UInt64 = 0
            for s in ahead.indices { ahead[s] = 0 }
            var e = 0
            for i in code.indices {
                if code[i].tail || unknownJoins.contains(i) {
                    narrow = 0
                } else if i > 0 && edgeTargets.contains(i) {
                    let s = slot(i)
                    narrow = (narrow | ahead[s] | back[s]) & wordsBefore[i]
                }
                result.narrowBefore[i] = narrow
                while e < edges.count && edges[e].from == i {
                    if edges[e].to > i { ahead[slot(edges[e].to)] |= narrow }
                    e += 1
                }
                switch uses[i] {
                case .leaves: narrow = 0
                case .branch: break
                case .access(_, _, _, let rd): narrow &= ~bit(rd ?? 0)
                case .computes(let rd, _, _, _):
                    let word = isWord(code[i]) || result.wordLogic.contains(i) || result.rotates[i].map { !$0.wide } ?? false
                    if word && result.lowHalfOnly[i] { narrow |= bit(rd) } else { narrow &= ~bit(rd) }
                }
            }
            var grown = false
            for (from, to) in edges where to > 0 && to <= from {
                let s = slot(to)
                if result.narrowBefore[from] & ~back[s] != 0 {
                    back[s] |= result.narrowBefore[from]
                    grown = true
                }
            }
            if !grown { break }
        }
        for (from, to) in edges {
            let set = result.narrowBefore[from] & fullIn[slot(to)]
            if set != 0 { result.edgeFull.append((from, set)) }
        }
        return result
    }

    /// `slli x, a, k` right before `srli x, x, k` or `srai x, x, k` (k 32, 48, 56), or the `*w`
    /// forms (k 16, 24): how code without Zbb (and 16-bit C arithmetic, CoreMark's) zero- or
    /// sign-extends, three host instructions (a move and two shifts) that one movzx/movsx does.
    /// The second shift must not be a branch's target or a tail's start (another path would
    /// enter between them); the first shift's result is overwritten by the second.
    private static func findExtensions(_ code: [Fetched], joins: InstructionSet, _ result: inout Liveness) {
        for i in code.indices.dropLast() where !result.absorbed.contains(i) && !result.absorbed.contains(i + 1)
            && !result.keptByRotate.contains(i) {
            guard let first = code[i].d, let second = code[i + 1].d, !code[i].followed, !code[i + 1].followed,
                  !code[i + 1].tail, !joins.contains(i + 1), first.rd == second.rd, second.rs1 == first.rd,
                  bit(first.rd) != 0, first.imm == second.imm else { continue }
            let size: Int, signed: Bool
            switch (code[i].op, code[i + 1].op, first.imm) {
            case (.slli, .srli, 32), (.slli, .srai, 32): size = 4
            case (.slli, .srli, 48), (.slli, .srai, 48), (.slliw, .srliw, 16), (.slliw, .sraiw, 16): size = 2
            case (.slli, .srli, 56), (.slli, .srai, 56), (.slliw, .srliw, 24), (.slliw, .sraiw, 24): size = 1
            default: continue
            }
            switch code[i + 1].op {
            case .srai, .sraiw: signed = true
            default: signed = false
            }
            result.extensions[i + 1] = Extension(source: first.rs1, size: size, signed: signed)
            result.absorbed.insert(i)
        }
    }

    /// `slli x, a, 32` and a later `srli y, x, k` / `srai y, x, k` (0 < k < 32), up to four
    /// instructions apart with nothing between that may leave, reads `x`, writes `a` or `x`, or
    /// is entered by a branch or tail: the second becomes one move (movsxd for srai) and a shift
    /// of `a`, and the first emits nothing, so `x` must be dead after the second unless it is `y`.
    private static func findScaled(_ code: [Fetched], _ uses: [Use], _ liveAfter: [UInt64], joins: InstructionSet,
                                   _ result: inout Liveness) {
        for j in code.indices where !result.absorbed.contains(j) && result.extensions[j] == nil {
            guard let second = code[j].d, !code[j].followed, !code[j].tail, !joins.contains(j) else { continue }
            let op = code[j].op
            let k = second.imm & 63
            let arithmetic: Bool
            switch op {
            case .srli: arithmetic = false
            case .srai: arithmetic = true
            default: continue
            }
            guard k > 0, k < 32, bit(second.rs1) != 0, bit(second.rd) != 0 else { continue }
            let x = second.rs1
            guard let i = writer(of: x, before: j, code, uses), !result.absorbed.contains(i), !result.keptByRotate.contains(i), result.extensions[i] == nil,
                  !joins.contains(i + 1),
                  let first = code[i].d, case .slli = code[i].op, first.imm & 63 == 32, bit(first.rs1) != 0
            else { continue }
            let a = first.rs1
            // `a` unchanged from the first shift to the second (the first itself may write it: it
            // emits nothing), no branch or tail entering in between.
            guard unchanged(a, after: i, before: j, code, uses, joins: joins), x == second.rd || liveAfter[j] & bit(x) == 0 else { continue }
            result.scaled[j] = Scaled(source: a, shift: UInt8(32 - k), signed: arithmetic)
            result.absorbed.insert(i)
        }
    }

    /// `slli x, y, k` (k 1...3) and a later `add d, x, b` (or `add d, b, x`), up to four
    /// instructions apart with nothing between that may leave, reads `x`, writes `y` or `x`, or
    /// is entered by a branch or tail: the add becomes one `lea d, [b + y << k]` and the shift
    /// emits nothing, so `x` must be dead after the add unless it is `d`.
    private static func findScaledAdds(_ code: [Fetched], _ uses: [Use], _ liveAfter: [UInt64], joins: InstructionSet,
                                       _ result: inout Liveness) {
        for j in code.indices where !result.absorbed.contains(j) {
            guard let add = code[j].d, case .add = code[j].op, !code[j].followed, !code[j].tail, !joins.contains(j),
                  bit(add.rs1) != 0, bit(add.rs2) != 0, add.rs1 != add.rs2 else { continue }
            for (x, b) in [(add.rs1, add.rs2), (add.rs2, add.rs1)] {
                guard let first = writer(of: x, before: j, code, uses), let s = code[first].d, !result.absorbed.contains(first),
                      !result.keptByRotate.contains(first), result.extensions[first] == nil, result.scaled[first] == nil,
                      case .slli = code[first].op, s.imm & 63 >= 1, s.imm & 63 <= 3, bit(s.rs1) != 0,
                      !joins.contains(first + 1), !code[first + 1].tail else { continue }
                let y = s.rs1
                // `y` unchanged from the shift to the add (the shift itself may write it: it emits nothing).
                guard unchanged(y, after: first, before: j, code, uses, joins: joins), x == add.rd || liveAfter[j] & bit(x) == 0 else { continue }
                result.scaledAdds[j] = ScaledAdd(base: b, index: y, shift: UInt8(s.imm & 63))
                result.absorbed.insert(first)
                break
            }
        }
    }

    /// The `or`s of two complementary shifts of one register (see the file's comment). A shift
    /// is absorbed (emits nothing) when nothing may leave between it and the `or`, nothing else
    /// reads its result there, and its result is dead after the `or` (or the `or` writes it);
    /// otherwise it is emitted as usual and the `or` is still one rotate of the source
    /// (`noRotateKeep`: both must be absorbed). Either way the source is not written between the
    /// first shift and the `or` (but by the later shift when that one is absorbed), and no branch
    /// of the block or tail enters after the first shift.
    private static func findRotates(_ code: [Fetched], _ uses: [Use], _ liveAfter: [UInt64], joins: InstructionSet,
                                    _ result: inout Liveness) {
        func shift(_ j: Int) -> (left: Bool, wide: Bool, source: UInt8, amount: Int32, rd: UInt8)? {
            guard let d = code[j].d, !code[j].followed else { return nil }
            switch code[j].op {
            case .slli: return (true, true, d.rs1, d.imm & 63, d.rd)
            case .srli: return (false, true, d.rs1, d.imm & 63, d.rd)
            case .slliw: return (true, false, d.rs1, d.imm & 31, d.rd)
            case .srliw: return (false, false, d.rs1, d.imm & 31, d.rd)
            default: return nil
            }
        }
        let keep = !noRotateKeep
        for (i, f) in code.enumerated() {
            guard let d = f.d, !f.followed, case .or = f.op, d.rs1 != d.rs2, bit(d.rs1) != 0, bit(d.rs2) != 0,
                  bit(d.rd) != 0 else { continue }
            // The last writes of both operands before the `or`, with nothing leaving in between
            // (loads and stores may, when the shifts are kept) and nothing entering.
            var defs: [Int] = []
            var j = i - 1
            while j >= 0 && defs.count < 2 && !code[j + 1].tail && !joins.contains(j + 1) {
                var rd: UInt8?
                switch uses[j] {
                case .leaves, .branch: rd = nil
                case .access(_, _, _, let r): rd = r
                case .computes(let r, _, _, _): rd = r
                }
                if case .leaves = uses[j] { break }
                if case .branch = uses[j] { break }
                if !keep, case .access = uses[j] { break }
                if let rd, rd == d.rs1 || rd == d.rs2, !defs.contains(where: { code[$0].d!.rd == rd }) { defs.append(j) }
                j -= 1
            }
            guard defs.count == 2, let later = shift(defs[0]), let earlier = shift(defs[1]),
                  later.left != earlier.left, later.wide == earlier.wide, later.source == earlier.source,
                  earlier.rd != earlier.source, earlier.amount > 0, later.amount > 0,
                  earlier.amount + later.amount == (later.wide ? 64 : 32),
                  !result.absorbed.contains(defs[0]), !result.absorbed.contains(defs[1]) else { continue }
            let (first, second) = (defs[1], defs[0])
            // Between the first shift and the `or`: whether the source is written (but by the
            // later shift), the shifts' results are read by anything else, the block may leave.
            var sourceWritten = false, earlierRead = false, laterRead = false
            var leavesAfterFirst = false, leavesAfterSecond = false
            for k in (first + 1)..<i where k != second {
                // (Reads of the second shift's register before it see its old value, as they should.)
                // (Both shifts' registers are not x0, so an absent source never matches.)
                switch uses[k] {
                case .leaves, .branch:
                    sourceWritten = true  // (not reached: the search above stops there)
                case .access(_, _, _, let rd):
                    // (What it reads needs no check: the shifts before it are emitted.)
                    leavesAfterFirst = true
                    if k > second { leavesAfterSecond = true }
                    if rd == later.source { sourceWritten = true }
                case .computes(let rd, let sources, _, _):
                    if rd == later.source { sourceWritten = true }
                    if reads(sources, earlier.rd) { earlierRead = true }
                    if k > second && reads(sources, later.rd) { laterRead = true }
                }
            }
            func dead(_ r: UInt8) -> Bool { r == d.rd || liveAfter[i] & bit(r) == 0 }
            let absorbEarlier = !leavesAfterFirst && !earlierRead && dead(earlier.rd)
            let absorbLater = !leavesAfterSecond && !laterRead && dead(later.rd)
            // A later shift that overwrites the source must not run before the rotate reads it.
            guard !sourceWritten, absorbEarlier || keep, absorbLater || (keep && later.rd != later.source) else { continue }
            let right = later.left ? earlier.amount : later.amount
            result.rotates[i] = Rotate(source: later.source, amount: UInt8(right), wide: later.wide)
            if absorbEarlier { result.absorbed.insert(first) } else { result.keptByRotate.insert(first) }
            if absorbLater { result.absorbed.insert(second) } else { result.keptByRotate.insert(second) }
        }
    }
}
