// Macro-op fusion at decode time: common adjacent pairs become one operation in the first
// instruction's slot, saving a dispatch. The second instruction keeps its own slot for jumps
// that land on it; the run count already covers both instructions.
//  - add (addi, addiw, add, addw, any length) + conditional branch to the same page, the
//    closing pair of most loops: branch operands in rs3/aux, the target as a slot delta from the
//    fused slot, the pair's total length in `len`.
//  - slli t, s, k + add t, t, b (array indexing): t = b + (s << k).
//  - add t, a, b + load d, imm(t): t = a + b, then the load; if the load faults, the add has
//    retired and the fault is reported at the load (`aux` = the add's length).
//  - lui t, hi + addi(w) t, t, lo: one constant; auipc t, hi + addi t, t, lo: one pc-relative
//    address; auipc t, hi + ld d, lo(t): a pc-relative load (GOT entries), precise like the above.
//  - ld d1, o1(b) + ld d2, o2(b) with d1 != b, and sd s1, o1(b) + sd s2, o2(b): register saves
//    and restores, struct fields (ld;ld and sd;sd are 11% of CPython's instructions). Both
//    offsets in imm (16 bits each), the second register in rs3; if the second access faults,
//    the first has retired and the fault is reported at the second (`aux` = the first's length).
//  - ld d, o(b) + addi e, s, k and addi d, s, k + sd v, o(b) (3.1% and 2.1% of CPython's
//    pairs): both immediates in imm (16 bits each), the other instruction's registers in
//    rs3/aux (ld+addi) or rs3/rs2 (addi+sd); executed in order, so either may use the other's
//    result. A faulting store is reported at the store, after the addi has retired.
//  - two ALU instructions (slli;slli, srli;srli, slli;srli, andi;andi, sraiw;sraiw, srli;add,
//    addiw;addw, add;add, mulw;addw, addw;mulw) and two lh off any bases: the shifts, masks and
//    multiply-adds of array indexing and arithmetic loops (chosen from a qemu trace of
//    CoreMark: with the pairs above, 23% of its dispatches saved, against 10% before). Executed in order, so the second may read the first's
//    result; the second's registers in rs3 (destination), aux and rm (sources). A faulting
//    second lh is reported at its own slot (`rm` = the first's length).
//  - ld, lbu, lh or srli followed by an in-page beq/bne (a null-pointer or end-of-string test
//    after the load, a bit loop's shift and test; 3% of CoreMark's dispatches), and addi followed
//    by an in-page `j` (a loop's increment and its jump back, 1.4%; run as addi + beq x0, x0):
//    the branch operands in rs3/aux, beq or bne in `rm`, the first's immediate and the target's
//    slot delta in imm's halves. li with a 16-bit constant followed by any in-page conditional
//    branch (a range check), the same way with the condition in `rm`.
//  - xor + addiw, addiw + andi (CoreMark's CRC step and its digit test) and ld + sd (a copy
//    through a register, 1.2% of CPython's instructions).
//  - andi + srli (CPython's bytecode: opcode and argument), ld + slli (Lua's base and scaled
//    index), andi + in-page beq/bne (a tag test, as ldBranch), and add + in-page `j` (as addi + j:
//    addBranch on x0); chosen from traces of CPython and Lua (docs/performance.md).
//  - srliw a, x, k and slliw b, x, 32 - k (either order), with the `or d, a, b` after them
//    when there is one: a 32-bit rotate without Zbb, a quarter of sha256's instructions
//    (OpenSSL's C, as Debian builds it); `fuseRotate`.
//  - slli;srli or two shifts by a register, then the or of their results (`fuseShiftOr`): a
//    64-bit rotate or funnel shift without Zbb (a hash's mixing, glibc's unaligned word copy).
//  - xor;addw, or;xor, addw;xor, xor;xor, or;or, addw;addw and srliw;xor (any registers,
//    compressed or not): the rest of sha256's rounds, as the ALU pairs above (a replay of a qemu
//    trace of sha256sum: its hash loop from 0.866 to 0.749 dispatches per instruction).
// Every fused operation advances by the slot's `len`.
// Then two units (an instruction or a fused pair each) run in one dispatch (`fuseUnits`): the
// first slot's operation names both, the second unit keeps its own slot, operation and fields,
// and the run loop reads them from there (the second unit's case spelled out again in the
// first's). Jumps may still land on the second unit; a store into either unit's bytes drops
// the first slot too (`CodePage.reset` uses `span`). Chosen by
// replaying a qemu trace of CoreMark and one of CPython (bench/workloads/loop.py) through the
// fusion rules: 27% fewer dispatches on CoreMark, 4% on CPython (docs/performance.md). Longer
// chains run up to five units in one dispatch (`unitsAfter`): CoreMark's CRC step, its list
// reversal with the loop's branch, its digit test, and CPython's bytecode dispatch (andi,
// slli+add, ld of the handler's address, andi;srli of the opcode and argument).

#if canImport(Glibc) && !SKIFF_WASI
import Glibc
#endif

enum Fusion {
    /// An experiment switch (native hosts only; read once at decode time, no cost in the run
    /// loop): `SKIFF_FUSE_OFF=slliSrliOr,shiftPairOr` leaves those fused operations out, so
    /// one binary compares with and without them at the same code layout.
    static let off: [Op] = {
        #if canImport(Glibc) && !SKIFF_WASI
        guard let v = getenv("SKIFF_FUSE_OFF") else { return [] }
        let names = String(cString: v).split(separator: ",").map(String.init)
        let known: [(String, Op)] = [("slliSrliOr", .slliSrliOr), ("shiftPairOr", .shiftPairOr),
                                     ("slliSrliChain", .slliSrliChain), ("slliSrliAddLhChain", .slliSrliAddLhChain)]
        return known.filter { names.contains($0.0) }.map { $0.1 }
        #else
        return []
        #endif
    }()

    static func fuse(_ first: UnsafeMutablePointer<DecodedInstruction>) {
        if fuseAddressArithmetic(first) || fuseShiftOr(first) || fuseAluPair(first) || fuseWithBranch(first) || fuseRotate(first) {
            return
        }
        fuseAddAndBranch(first)
    }

    /// ld/lbu/srli + beq/bne and addi + j, all in-page; true if `first` was fused.
    static func fuseWithBranch(_ first: UnsafeMutablePointer<DecodedInstruction>) -> Bool {
        let a = first.pointee, b = first.next.pointee
        var f = a
        switch (a.op, b.op) {
        case (.ld, .beq), (.ld, .beqC), (.ld, .bne), (.ld, .bneC), (.ldC, .beq), (.ldC, .beqC), (.ldC, .bne), (.ldC, .bneC):
            f.op = .ldBranch
        case (.lbu, .beq), (.lbu, .beqC), (.lbu, .bne), (.lbu, .bneC):
            f.op = .lbuBranch
        case (.srli, .beq), (.srli, .beqC), (.srli, .bne), (.srli, .bneC),
             (.srliC, .beq), (.srliC, .beqC), (.srliC, .bne), (.srliC, .bneC):
            f.op = .srliBranch
        case (.lh, .beq), (.lh, .beqC), (.lh, .bne), (.lh, .bneC):
            f.op = .lhBranch
        case (.andi, .beq), (.andi, .beqC), (.andi, .bne), (.andi, .bneC),
             (.andiC, .beq), (.andiC, .beqC), (.andiC, .bne), (.andiC, .bneC):
            f.op = .andiBranch
        case (.addi, .jal), (.addi, .jalC), (.addiC, .jal), (.addiC, .jalC),
             (.add, .jal), (.add, .jalC), (.addC, .jal), (.addC, .jalC):
            // An addi or add + beq x0, x0 (always taken).
            guard b.rd == Registers.scratch else { return false }
            if a.op == .add || a.op == .addC {
                f.op = .addBranch
                f.imm = Int32(a.len) + b.imm
            } else {
                f.op = .addiBranch
                f.imm = Int32(bitPattern: UInt32(UInt16(truncatingIfNeeded: a.imm)) | UInt32(bitPattern: Int32(a.len) + b.imm) << 16)
            }
            f.rs3 = 0
            f.aux = 0
            f.rm = 0
            f.len = a.len + b.len
            first.pointee = f
            return true
        case (.li, _), (.liC, _):
            return fuseConstantBranch(first)
        default:
            return false
        }
        let delta = Int32(a.len) + b.imm                  // from the fused slot
        f.imm = Int32(bitPattern: UInt32(UInt16(truncatingIfNeeded: a.imm)) | UInt32(bitPattern: delta) << 16)
        f.rs3 = b.rs1
        f.aux = b.rs2
        f.rm = b.op == .bne || b.op == .bneC ? 1 : 0
        f.len = a.len + b.len
        first.pointee = f
        return true
    }

    /// srliw a, x, k and slliw b, x, 32 - k in either order (1 <= k <= 31; a, b and x three
    /// registers, so that both read the same x), then the next instruction too if it is
    /// `or d, a, b` (either operand order): a 32-bit rotate. rd = a, rs3 = b, rs1 = x, imm = k,
    /// rs2 = d, or the scratch register when there is no `or` (the run loop writes a | b there
    /// either way). True if `first` was fused.
    static func fuseRotate(_ first: UnsafeMutablePointer<DecodedInstruction>) -> Bool {
        let a = first.pointee, b = first.next.pointee
        let right: DecodedInstruction, left: DecodedInstruction
        switch (a.op, b.op) {
        case (.srliw, .slliw): (right, left) = (a, b)
        case (.slliw, .srliw): (right, left) = (b, a)
        default: return false
        }
        guard a.rs1 == b.rs1, a.rd != a.rs1, a.rd != b.rd,
              right.imm > 0, right.imm < 32, left.imm == 32 - right.imm else { return false }
        var f = a
        f.op = .rotateWord
        f.rd = right.rd
        f.rs3 = left.rd
        f.imm = right.imm
        f.rs2 = Registers.scratch
        f.len = a.len + b.len
        let c = first.next.next.pointee
        if c.op == .or || c.op == .orC,
           (c.rs1 == right.rd && c.rs2 == left.rd) || (c.rs1 == left.rd && c.rs2 == right.rd) {
            f.rs2 = c.rd
            f.len += c.len
        }
        first.pointee = f
        return true
    }

    /// slli;srli or two shifts by a register (sll/srl, any order), then `or d, a, b` of their two
    /// results (either operand order; a and b two registers, neither x0): one slot covering all
    /// three, so the or takes both values from host registers instead of reloading them from the
    /// register file they were just stored to, and the slot pointer advances by one `len` load
    /// (as a two-unit form reading the or's slot, it took two: the slot pointer's chain of
    /// loads made a hash loop slower despite fewer host instructions). True if fused.
    static func fuseShiftOr(_ first: UnsafeMutablePointer<DecodedInstruction>) -> Bool {
        let a = first.pointee, b = first.next.pointee
        let immediate: Bool
        switch (plain(a.op), plain(b.op)) {
        case (.slli, .srli): immediate = true
        case (.sll, .sll), (.sll, .srl), (.srl, .sll), (.srl, .srl): immediate = false
        default: return false
        }
        let c = first.next.next.pointee
        guard c.op == .or || c.op == .orC, a.rd != b.rd, a.rd != Registers.scratch, b.rd != Registers.scratch,
              (c.rs1 == a.rd && c.rs2 == b.rd) || (c.rs1 == b.rd && c.rs2 == a.rd) else { return false }
        var f: DecodedInstruction
        if immediate {
            f = pair(a, b, .slliSrliOr, second: b.rd)
            f.rs2 = c.rd
        } else {
            f = twoRegisterSecond(a, b, .shiftPairOr)
            f.imm = (a.op == .sll ? 1 : 0) | (b.op == .sll ? 2 : 0) | Int32(c.rd) << 8
        }
        if !off.isEmpty && off.contains(f.op) { return false }
        f.aux = b.rs1
        f.len = a.len + b.len + c.len
        first.pointee = f
        return true
    }

    /// li t, k (k a 16-bit constant) + an in-page conditional branch: t = k, then the branch
    /// (operands in rs3/aux, the condition in `rm`, k and the target's slot delta in imm's halves).
    static func fuseConstantBranch(_ first: UnsafeMutablePointer<DecodedInstruction>) -> Bool {
        let a = first.pointee, b = first.next.pointee
        guard let cond = branchCondition(b.op), let k = Int16(exactly: a.imm) else { return false }
        var f = a
        f.op = .liBranch
        let delta = Int32(a.len) + b.imm
        f.imm = Int32(bitPattern: UInt32(UInt16(bitPattern: k)) | UInt32(bitPattern: delta) << 16)
        f.rs3 = b.rs1
        f.aux = b.rs2
        f.rm = cond
        f.len = a.len + b.len
        first.pointee = f
        return true
    }

    /// The condition number of an in-page conditional branch (as `branchFar`'s `rm`).
    static func branchCondition(_ op: Op) -> UInt8? {
        switch op {
        case .beq, .beqC: return 0
        case .bne, .bneC: return 1
        case .blt: return 2
        case .bge: return 3
        case .bltu: return 4
        case .bgeu: return 5
        default: return nil
        }
    }

    static func fuseAddAndBranch(_ first: UnsafeMutablePointer<DecodedInstruction>) {
        let a = first.pointee, b = first.next.pointee
        let alu: Int
        switch a.op {
        case .addi, .addiC: alu = 0
        case .addiw, .addiwC: alu = 1
        case .add, .addC: alu = 2
        case .addw, .addwC: alu = 3
        default: return
        }
        guard let cond = branchCondition(b.op) else { return }
        let delta = Int32(a.len) + b.imm                  // from the fused slot
        var f = a
        if cond < 2 && alu % 2 == 0 {
            f.op = alu == 0 ? .addiBranch : .addBranch
            f.rm = cond
        } else {
            f.op = alu < 2 ? .addiBcmp : .addBcmp
            f.rm = cond | (alu % 2 == 1 ? 8 : 0)
        }
        f.rs3 = b.rs1
        f.aux = b.rs2
        f.len = a.len + b.len
        if alu < 2 {
            f.imm = Int32(bitPattern: UInt32(UInt16(truncatingIfNeeded: a.imm)) | UInt32(bitPattern: delta) << 16)
        } else {
            f.imm = delta
        }
        first.pointee = f
    }

    /// The slli+add and add+load pairs; true if `first` was fused.
    static func fuseAddressArithmetic(_ first: UnsafeMutablePointer<DecodedInstruction>) -> Bool {
        let a = first.pointee, b = first.next.pointee
        let total = Int(a.len) + Int(b.len)
        switch (a.op, b.op) {
        case (.slli, .add), (.slliC, .add), (.slli, .addC), (.slliC, .addC):
            // slli t, s, k; add t, t, x (either operand order); t is not x0 and x is not t.
            let t = a.rd
            guard t != Registers.scratch, b.rd == t else { return false }
            let other: UInt8
            if b.rs1 == t && b.rs2 != t { other = b.rs2 } else if b.rs2 == t && b.rs1 != t { other = b.rs1 } else { return false }
            var f = a
            f.op = .shlAdd
            f.rs2 = other
            f.len = UInt8(total)
            first.pointee = f
            return true
        case (.add, .lw), (.addC, .lw), (.add, .lwC), (.addC, .lwC),
             (.add, .ld), (.addC, .ld), (.add, .ldC), (.addC, .ldC),
             (.add, .lbu), (.addC, .lbu):
            // add t, a, b; load d, imm(t) with t not x0.
            let t = a.rd
            guard t != Registers.scratch, b.rs1 == t else { return false }
            var f = a
            switch b.op {
            case .lw, .lwC: f.op = .addLw
            case .ld, .ldC: f.op = .addLd
            default: f.op = .addLbu
            }
            f.rs3 = b.rd
            f.imm = b.imm
            f.aux = a.len
            f.len = UInt8(total)
            first.pointee = f
            return true
        case (.li, .addi), (.li, .addiC), (.li, .addiw), (.li, .addiwC):
            let t = a.rd
            guard t != Registers.scratch, b.rd == t, b.rs1 == t else { return false }
            let sum = Int64(a.imm) + Int64(b.imm)
            let value = b.op == .addiw || b.op == .addiwC ? Int64(Int32(truncatingIfNeeded: sum)) : sum
            guard let v = Int32(exactly: value) else { return false }
            var f = a
            f.op = .liPair
            f.imm = v
            f.len = UInt8(total)
            first.pointee = f
            return true
        case (.auipc, .addi), (.auipc, .addiC):
            let t = a.rd
            guard t != Registers.scratch, b.rd == t, b.rs1 == t,
                  let v = Int32(exactly: Int64(a.imm) + Int64(b.imm)) else { return false }
            var f = a
            f.op = .auipcPair
            f.imm = v
            f.len = UInt8(total)
            first.pointee = f
            return true
        case (.ld, .ld), (.ld, .ldC), (.ldC, .ld), (.ldC, .ldC):
            guard a.rs1 == b.rs1, a.rd != a.rs1 else { return false }
            first.pointee = pair(a, b, .ldPair, second: b.rd)
            return true
        case (.sd, .sd), (.sd, .sdC), (.sdC, .sd), (.sdC, .sdC):
            guard a.rs1 == b.rs1 else { return false }
            first.pointee = pair(a, b, .sdPair, second: b.rs2)
            return true
        case (.ld, .addi), (.ld, .addiC), (.ldC, .addi), (.ldC, .addiC):
            var f = pair(a, b, .ldAddi, second: b.rd)
            f.aux = b.rs1
            first.pointee = f
            return true
        case (.ld, .sd), (.ld, .sdC), (.ldC, .sd), (.ldC, .sdC):
            var f = pair(a, b, .ldSd, second: b.rs1)
            f.rs2 = b.rs2
            first.pointee = f
            return true
        case (.addi, .sd), (.addi, .sdC), (.addiC, .sd), (.addiC, .sdC):
            var f = pair(a, b, .addiSd, second: b.rs1)
            f.rs2 = b.rs2
            first.pointee = f
            return true
        case (.auipc, .ld), (.auipc, .ldC):
            let t = a.rd
            guard t != Registers.scratch, b.rs1 == t else { return false }
            guard let off = Int16(exactly: b.imm) else { return false }
            var f = a
            f.op = .auipcLd
            f.rs3 = b.rd
            f.aux = a.len
            // The load's offset in rs1/rs2 (unused by auipc); imm keeps auipc's offset.
            f.rs1 = UInt8(truncatingIfNeeded: UInt16(bitPattern: off))
            f.rs2 = UInt8(truncatingIfNeeded: UInt16(bitPattern: off) >> 8)
            f.len = UInt8(total)
            first.pointee = f
            return true
        default:
            return false
        }
    }

    /// Two ALU instructions (or two lh) in one slot; true if `first` was fused.
    static func fuseAluPair(_ first: UnsafeMutablePointer<DecodedInstruction>) -> Bool {
        let a = first.pointee, b = first.next.pointee
        var f: DecodedInstruction
        switch (plain(a.op), plain(b.op)) {
        case (.slli, .slli): f = pair(a, b, .slliPair, second: b.rd)
        case (.srli, .srli): f = pair(a, b, .srliPair, second: b.rd)
        case (.slli, .srli):
            // The srli reading the slli's result (not x0's sink): the chained form.
            let chained = b.rs1 == a.rd && a.rd != Registers.scratch && !off.contains(.slliSrliChain)
            f = pair(a, b, chained ? .slliSrliChain : .slliSrli, second: b.rd)
        case (.andi, .andi): f = pair(a, b, .andiPair, second: b.rd)
        case (.sraiw, .sraiw): f = pair(a, b, .sraiwPair, second: b.rd)
        case (.lh, .lh):
            f = pair(a, b, .lhPair, second: b.rd)
            f.rs2 = b.rs1
            f.rm = a.len
            first.pointee = f
            return true
        case (.srli, .add): f = twoRegisterSecond(a, b, .srliAdd)
        case (.addiw, .addw): f = twoRegisterSecond(a, b, .addiwAddw)
        case (.add, .add): f = twoRegisterSecond(a, b, .addPair)
        case (.mulw, .addw): f = twoRegisterSecond(a, b, .mulwAddw)
        case (.addw, .mulw): f = twoRegisterSecond(a, b, .addwMulw)
        case (.xor, .addw): f = twoRegisterSecond(a, b, .xorAddw)
        case (.or, .xor): f = twoRegisterSecond(a, b, .orXor)
        case (.addw, .xor): f = twoRegisterSecond(a, b, .addwXor)
        case (.xor, .xor): f = twoRegisterSecond(a, b, .xorPair)
        case (.or, .or): f = twoRegisterSecond(a, b, .orPair)
        case (.addw, .addw): f = twoRegisterSecond(a, b, .addwPair)
        case (.srliw, .xor): f = twoRegisterSecond(a, b, .srliwXor)
        case (.addiw, .andi): f = pair(a, b, .addiwAndi, second: b.rd)
        case (.andi, .srli): f = pair(a, b, .andiSrli, second: b.rd)
        case (.ld, .slli): f = pair(a, b, .ldSlli, second: b.rd)
        case (.xor, .addiw):
            // xor's registers stay where they are; the addiw's in rs3/aux, its immediate in imm.
            f = a
            f.op = .xorAddiw
            f.rs3 = b.rd
            f.imm = b.imm
            f.len = a.len + b.len
        default: return false
        }
        f.aux = b.rs1
        first.pointee = f
        return true
    }

    /// Two or more units in one slot (the `Op` cases after `andiSrli`): `first`'s unit (an instruction
    /// or a fused pair) and the unit in the slot after it, which keeps its operation and fields
    /// for the run loop to read and for jumps that land on it. The second unit's slot must stay
    /// decoded while `first` is fused with it (`CodePage.reset` drops both).
    static func fuseUnits(_ first: UnsafeMutablePointer<DecodedInstruction>) {
        let second = first.next
        let op: Op
        let third = second.next
        switch (plain(first.pointee.op), plain(second.pointee.op)) {
        case (.addLd, .sd): op = third.pointee.op == .addBranch ? .addLdSdBranch : .addLdSd
        case (.slliPair, .srliPair):
            let fourth = third.next
            if (third.pointee.op == .addPair || third.pointee.op == .addLhQuad) && fourth.pointee.op == .lhPair {
                // The units' offsets from the first slot in its free fields (rs2: the add;add's
                // and the lh;lh's, rm: the end), so no unit's address waits for the one before.
                let o3 = Int(first.pointee.len) + Int(second.pointee.len), o4 = o3 + Int(third.pointee.len)
                first.pointee.rs2 = UInt8(o3 | o4 << 4)
                first.pointee.rm = UInt8(o4 + Int(fourth.pointee.len))
                let crossed = matrixChain(first.pointee, second.pointee, third.pointee, fourth.pointee)
                if let crossed, !off.contains(.slliSrliAddLhChain) {
                    op = .slliSrliAddLhChain
                    if crossed { first.pointee.rm |= 0x80 }
                } else {
                    op = .slliSrliAddLh
                }
            } else {
                op = .slliSrliQuad
                first.pointee.rs2 = first.pointee.len + second.pointee.len
            }
        case (.addPair, .lhPair): op = .addLhQuad
        case (.srli, .andiPair): op = .srliAndiPair
        case (.sraiwPair, .andiPair):
            op = .sraiwAndiQuad
            first.pointee.rs2 = first.pointee.len + second.pointee.len
        case (.xor, .srliBranch):
            guard let units = branchUnits(first, second.pointee.imm >> 16) else { return }
            first.pointee.imm = Int32(Int16(bitPattern: units))
            op = .xorSrliBranch
        case (.mulwAddw, .bne):
            guard let units = branchUnits(first, second.pointee.imm) else { return }
            first.pointee.imm = Int32(Int16(bitPattern: units))
            op = .mulwAddwBne
        case (.lbu, .addiBranch):
            guard let units = branchUnits(first, second.pointee.imm >> 16) else { return }
            (first.pointee.rs2, first.pointee.rm) = (UInt8(truncatingIfNeeded: units), UInt8(units >> 8))
            op = .lbuAddiBranch
        case (.addiwAddw, .mulwAddw):
            op = .addiwAddwMulwAddw
            first.pointee.rs2 = first.pointee.len + second.pointee.len
        case (.addiwAddw, .mulw): op = .addiwAddwMulw
        case (.ld, .lbuBranch), (.ld, .lhBranch):
            guard let units = branchUnits(first, second.pointee.imm >> 16) else { return }
            (first.pointee.rs2, first.pointee.rm) = (UInt8(truncatingIfNeeded: units), UInt8(units >> 8))
            op = second.pointee.op == .lbuBranch ? .ldLbuBranch : .ldLhBranch
        case (.ldAddi, .jalr): op = .ldAddiJalr
        case (.xorAddiw, .srli), (.xorAddiw, .srliAndiPair):
            // Then andi;andi, xor (or xor + srli;branch already fused) and srli + beq/bne.
            guard third.pointee.op == .andiPair else { return }
            let fourth = third.next, xor = plain(fourth.pointee.op)
            guard xor == .xor || xor == .xorSrliBranch, fourth.next.pointee.op == .srliBranch else { return }
            // The offsets of the third, fourth and fifth units in the first's free `rm`: the
            // andi;andi's (bits 4-6), the xor's (bits 0-3) and the xor's length (bit 7, set for 2).
            let o3 = Int(first.pointee.len) + Int(second.pointee.len), o4 = o3 + Int(third.pointee.len)
            let xorLength = Int(fourth.pointee.len)
            guard o3 < 8, o4 < 16, xorLength == 1 || xorLength == 2 else { return }
            first.pointee.rm = UInt8(o4 | o3 << 4 | (xorLength - 1) << 7)
            op = .crcStep
        case (.addiwAndi, .liBranch):
            guard let units = branchUnits(first, second.pointee.imm >> 16) else { return }
            (first.pointee.rs2, first.pointee.rm) = (UInt8(truncatingIfNeeded: units), UInt8(units >> 8))
            op = .addiwAndiLiBranch
        case (.andi, .shlAdd):
            guard plain(third.pointee.op) == .ld, third.next.pointee.op == .andiSrli else { return }
            op = .andiShlAddLdPair
        default: return
        }
        first.pointee.op = op
    }

    /// A two-unit operation whose second unit ends in an in-page branch (`targetDelta` slots from
    /// the second's slot): the offsets from the first slot of the slot after both units (bits
    /// 0-3) and of the branch's target (bits 4-15, signed), stored in the first slot's free
    /// fields so that the run loop's next slot does not wait for the second unit's fields
    /// (`len`, `imm`): nil if they do not fit.
    static func branchUnits(_ first: UnsafeMutablePointer<DecodedInstruction>, _ targetDelta: Int32) -> UInt16? {
        let end = Int(first.pointee.len) + Int(first.next.pointee.len)
        let target = Int(first.pointee.len) + Int(targetDelta)
        guard end < 16, target >= -2048, target < 2048 else { return nil }
        return UInt16(end) | UInt16(truncatingIfNeeded: target << 4)
    }

    /// The slots whose decoded contents the operation at `p` reads: its own `len`, and for a
    /// multi-unit operation (`fuseUnits`) the following units' too (at most 16 slots).
    static func span(_ p: UnsafeMutablePointer<DecodedInstruction>) -> Int {
        var n = Int(p.pointee.len)
        for _ in 0..<unitsAfter(p.pointee.op) { n += Int(p[n].len) }
        return n
    }

    /// How many units after its own a multi-unit operation runs (`fuseUnits`).
    static func unitsAfter(_ op: Op) -> Int {
        switch op {
        case .crcStep: return 4
        case .slliSrliAddLh, .slliSrliAddLhChain, .andiShlAddLdPair: return 3
        case .addLdSdBranch: return 2
        default: return op.rawValue >= Op.addLdSd.rawValue && op.rawValue <= Op.andiShlAddLdPair.rawValue ? 1 : 0
        }
    }

    /// Whether slli;slli, srli;srli, add;add, lh;lh (the units of `slliSrliAddLh`) form the chain
    /// `slli d1,s1; slli d2,s2; srli e1,d1; srli e2,d2; add f1,e1,c1; add f2,e2,c2; lh g1,o1(f1);
    /// lh g2,o2(f2)` (false) or the same with the loads' bases crossed, `lh g1,o1(f2); lh g2,o2(f1)`
    /// (true; CoreMark's bit-extracting matrix multiply), so that each srli, add (its first
    /// operand) and lh (its base) may take the value from the instruction that computed it: every
    /// linked register is read by its own instruction only and not overwritten in between (d1 !=
    /// d2, e1 != d2, e1 != e2, f1 != e2, f1 != f2, g1 != the second load's base), and none is x0
    /// (a write to x0 goes to the scratch slot, a read of x0 is 0). The adds' other operands and
    /// everything else still come from the register file, after the stores of the instructions
    /// before them. nil if neither.
    static func matrixChain(_ u1: DecodedInstruction, _ u2: DecodedInstruction, _ u3: DecodedInstruction,
                            _ u4: DecodedInstruction) -> Bool? {
        let d1 = u1.rd, d2 = u1.rs3, e1 = u2.rd, e2 = u2.rs3, f1 = u3.rd, f2 = u3.rs3
        let s = Registers.scratch
        guard d1 != s, d2 != s, e1 != s, e2 != s, f1 != s, f2 != s else { return nil }
        guard d1 != d2 && u2.rs1 == d1 && u2.aux == d2 && e1 != d2 && e1 != e2
            && u3.rs1 == e1 && u3.aux == e2 && f1 != e2 && f1 != f2 else { return nil }
        if u4.rs1 == f1 && u4.rs2 == f2 && u4.rd != f2 { return false }
        if u4.rs1 == f2 && u4.rs2 == f1 && u4.rd != f1 { return true }
        return nil
    }

    /// A pair whose second instruction reads two registers (aux, rm); imm stays the first's.
    static func twoRegisterSecond(_ a: DecodedInstruction, _ b: DecodedInstruction, _ op: Op) -> DecodedInstruction {
        var f = a
        f.op = op
        f.rs3 = b.rd
        f.rm = b.rs2
        f.len = a.len + b.len
        return f
    }

    /// The 32-bit operation of a compressed one (for the ALU pairs).
    static func plain(_ op: Op) -> Op {
        switch op {
        case .addC: return .add
        case .addwC: return .addw
        case .addiwC: return .addiw
        case .srliC: return .srli
        case .slliC: return .slli
        case .andiC: return .andi
        case .xorC: return .xor
        case .orC: return .or
        case .ldC: return .ld
        case .sdC: return .sd
        case .bneC: return .bne
        case .jalrC: return .jalr
        default: return op
        }
    }

    /// Two instructions with 12-bit immediates in one slot: both immediates in imm, the second's
    /// first register in rs3, the first's length in aux (callers may reuse aux).
    static func pair(_ a: DecodedInstruction, _ b: DecodedInstruction, _ op: Op, second: UInt8) -> DecodedInstruction {
        var f = a
        f.op = op
        f.rs3 = second
        f.imm = Int32(bitPattern: UInt32(UInt16(truncatingIfNeeded: a.imm)) | UInt32(UInt16(truncatingIfNeeded: b.imm)) << 16)
        f.aux = a.len
        f.len = a.len + b.len
        return f
    }
}
