// Flag liveness within a block (as QEMU's TCG drops dead flag computations): an instruction
// whose arithmetic flags are overwritten by a later instruction of the same block before
// anything could read them gets a form that computes the result alone (the lazy state is four
// stores per instruction; imul's is a call and a widening multiply). amd64 CoreMark: 19% of its
// instructions (add, and, xor, sar, shr and imul between a load and the next compare).
//
// The rule is conservative: between the instruction and the one that overwrites all its flags
// there may only be register moves and other instructions that neither touch memory nor can
// fault nor leave the block (so no signal handler, system call or other block can see the
// flags in between; a jump into the middle of the block skips the instruction), and the
// overwriting instruction must be of the same kind. The block's end keeps flags live (its
// successor may read them). Decided on the block's own operations before the pairs are formed
// (Pairs.swift); a pair whose second half has dead flags has a form of its own where it pays.

/// Switches for measurements (set by the `skiff` executable from its environment).
package enum X86Tuning {
    /// The liveness pass below (`SKIFF_X86_FLAG_LIVENESS=0` turns it off, to compare).
    package nonisolated(unsafe) static var flagLiveness = true
    /// The chains of Pairs.swift (`SKIFF_X86_CHAINS=0` turns them off, to compare).
    package nonisolated(unsafe) static var chains = true
}

extension X86Op {
    /// How an operation uses the arithmetic flags, for `decodeBlock`'s liveness pass.
    enum FlagEffect { case writesAll, multiplies, none, other }

    var flagEffect: FlagEffect {
        switch self {
        // Register-only forms that set every arithmetic flag from their operands alone (the
        // shifts by an immediate are decoded as these only for a count that is not 0 after
        // masking) and cannot fault.
        case .addRR, .orRR, .andRR, .subRR, .xorRR, .cmpRR, .addRI, .orRI, .andRI, .subRI, .xorRI, .cmpRI,
             .testRR, .testRI, .negR, .shlRI, .shrRI, .sarRI,
             .addRR32, .addRR64, .addRI32, .addRI64, .subRR32, .subRR64, .subRI32, .subRI64,
             .andRI32, .andRI64, .xorRR32, .xorRR64, .cmpRR32, .cmpRR64, .cmpRI32, .cmpRI64,
             .testRR32, .testRR64, .cmpRI8, .testRR8, .subRI8, .shrRI8, .shrRI16, .xorRI16, .cmpRR16,
             .shlRI32, .shlRI64, .shrRI32, .shrRI64, .sarRI32, .sarRI64:
            return .writesAll
        // Register-only multiplications: CF and OF set, SF ZF AF PF kept (as AMD's CPUs do).
        case .imulRR, .imulRR32:
            return .multiplies
        // Register-only, no flags, no fault.
        case .nop, .movRR, .movRR32, .movRR64, .movRI, .movzxRR, .movsxRR, .lea, .xchgRR, .notR, .cbw, .cwd, .bswap:
            return .none
        default:
            return .other
        }
    }

    /// The form without flags of an operation of size `size` (log2 bytes), if it has one.
    func flagsDead(size: UInt8) -> X86Op? {
        switch self {
        case .addRR32: return .addRR32nf
        case .addRI32: return .addRI32nf
        case .addRI64: return .addRI64nf
        case .andRI32: return .andRI32nf
        case .subRI32: return .subRI32nf
        case .xorRR32: return .xorRR32nf
        case .sarRI32: return .sarRI32nf
        case .shrRI8: return .shrRI8nf
        case .shrRI16: return .shrRI16nf
        case .xorRI16: return .xorRI16nf
        case .imulRR32: return .imulRR32nf
        default: return nil
        }
    }

    /// The operation with its flags (what the pairs are formed from).
    var withFlags: X86Op {
        switch self {
        case .addRR32nf: return .addRR32
        case .addRI32nf: return .addRI32
        case .addRI64nf: return .addRI64
        case .andRI32nf: return .andRI32
        case .subRI32nf: return .subRI32
        case .xorRR32nf: return .xorRR32
        case .sarRI32nf: return .sarRI32
        case .shrRI8nf: return .shrRI8
        case .shrRI16nf: return .shrRI16
        case .xorRI16nf: return .xorRI16
        case .imulRR32nf: return .imulRR32
        default: return self
        }
    }
}

extension X86CodeCache {
    /// The liveness pass over a decoded block's `n` instructions (backwards from its end,
    /// where the flags are live), then its pairs (Pairs.swift).
    static func dropDeadFlags(_ first: UnsafeMutablePointer<X86Instruction>, _ n: Int) {
        guard X86Tuning.flagLiveness else { return }
        var live = true
        var i = n - 1
        while i >= 0 {
            let op = first[i].op
            switch op.flagEffect {
            case .writesAll:
                if !live, let nf = op.flagsDead(size: first[i].size) { first[i].op = nf }
                live = false
            case .multiplies:
                // Without its flags when none is read; the flags before it are as live as after.
                if !live, let nf = op.flagsDead(size: first[i].size) { first[i].op = nf }
            case .none:
                break
            case .other:
                live = true
            }
            i -= 1
        }
    }

    static func formPairs(_ first: UnsafeMutablePointer<X86Instruction>, _ n: Int) {
        var i = 0
        while i + 1 < n {
            if let pair = first[i].op.paired(with: first[i + 1].op) { first[i].op = pair }
            i += 1
        }
        // Then the forms with a fused je/jne (Specialise.swift), pairs included.
        for i in 0..<n {
            let next = i + 1 < n ? first[i + 1].attrs : 0
            if let z = first[i].op.zeroFused(attrs: first[i].attrs, pairAttrs: next) { first[i].op = z }
        }
#if !SKIFF_WASI
        // A 64-bit load before a 16-bit memory compare with a je/jne (Pairs.swift), whose operand
        // is base + disp (the arm takes it with `addressBD`: no run-time test of the form).
        var j = 0
        while j + 1 < n {
            if first[j].op == .movRM64 && first[j + 1].op == .cmpRM16Z && first[j + 1].scale < X86Instruction.indexed {
                first[j].op = .loadCmpRM16Z
            }
            j += 1
        }
        // Then a `Z` form whose jcc is jne becomes its `NZ` form (Specialise.swift).
        for k in 0..<n {
            if let ne = first[k].op.notEqualForm, k + ne.jccAfter < n,
               first[k + ne.jccAfter].op == .jcc, first[k + ne.jccAfter].cond & 1 != 0 {
                first[k].op = ne.op
            }
        }
        // Then the chains (Pairs.swift).
        if X86Tuning.chains {
            for k in 0..<n { if let c = chain(first, k, n) { first[k].op = c } }
        }
#endif
    }
}

extension X86Core {
    /// imul r32, r/m32 (or r32, r/m32, imm) without flags: the low half of the product.
    @_transparent func imul32NoFlags(_ p: UnsafeMutablePointer<X86Instruction>) {
        let a = p.pointee.attrs & X86Attrs.immediate != 0 ? p.pointee.imm : reg(p.pointee.reg, 2)
        setReg(p.pointee.reg, 2, a &* reg(p.pointee.rm, 2))
    }

    /// imul r32, r/m32 (or r32, r/m32, imm) with its flags (CF = OF = the product does not fit
    /// in 32 bits; `imul` in Execute+ALU.swift): inline, where `imulRegister` was a call.
    @_transparent func imul32(_ p: UnsafeMutablePointer<X86Instruction>) {
        let a = p.pointee.attrs & X86Attrs.immediate != 0 ? p.pointee.imm : reg(p.pointee.reg, 2)
        let product = Int64(Int32(truncatingIfNeeded: a)) &* Int64(Int32(truncatingIfNeeded: reg(p.pointee.rm, 2)))
        let low = UInt64(UInt32(truncatingIfNeeded: product))
        setReg(p.pointee.reg, 2, low)
        setMultiplyFlags(overflow: product != Int64(Int32(truncatingIfNeeded: product)))
    }
}
