// The arithmetic flags (OF SF ZF AF PF CF), kept lazily as QEMU and Bochs do: an instruction
// that sets them records what it did (`ccOp`: the operation and operand size) with its operands
// and result, and the flags are computed only when something reads them. Most flag results are
// never read (the next instruction overwrites them) or are read by one jcc/setcc/cmovcc, which
// evaluates its condition straight from the operands (`condition`). Everything else (pushf,
// lahf, adc's carry-in, an instruction that changes only some flags) materialises them into
// the `flags` word first.
//
// ccOp = kind << 2 | size (log2 of the operand's bytes); kind 0 means the flags word holds them.
// Operands and result are stored masked to the operand size.

package enum X86Flags {
    package static let cf: UInt64 = 0x1, pf: UInt64 = 0x4, af: UInt64 = 0x10, zf: UInt64 = 0x40
    package static let sf: UInt64 = 0x80, tf: UInt64 = 0x100, ifl: UInt64 = 0x200, df: UInt64 = 0x400
    package static let of: UInt64 = 0x800, ac: UInt64 = 0x4_0000, id: UInt64 = 0x20_0000
    package static let arithmetic: UInt64 = 0x8d5
    /// Bit 1 is always set; IF is always set in user mode.
    package static let fixed: UInt64 = 0x202
    /// What popf may change in user mode (TF, the I/O privilege level and IF are not emulated).
    package static let writable: UInt64 = arithmetic | df | ac | id

    // Lazy operation kinds.
    package static let materialized: UInt64 = 0
    package static let add: UInt64 = 1, adc: UInt64 = 2, sub: UInt64 = 3, sbb: UInt64 = 4
    package static let logic: UInt64 = 5, inc: UInt64 = 6, dec: UInt64 = 7
    package static let shl: UInt64 = 8, shr: UInt64 = 9, sar: UInt64 = 10

    // Masking shifts (&<<, &>>) throughout the hot helpers: Swift's `<<` and `>>` with a
    // variable count check for counts past the width and negative counts, ~12 instructions
    // and three branches each; these were in every register access (size is 0...3 here).
    @_transparent package static func mask(_ size: Int) -> UInt64 { UInt64.max &>> UInt64(64 &- (8 &<< size)) }
    @_transparent package static func signBit(_ size: Int) -> UInt64 { 1 &<< UInt64((8 &<< size) &- 1) }
    @_transparent package static func bits(_ size: Int) -> UInt64 { UInt64(8 &<< size) }

    /// PF: set when the low byte of the result has an even number of one bits.
    @inline(__always) package static func parity(_ v: UInt64) -> UInt64 {
        let x = (v ^ (v &>> 4)) & 0xf
        return ((0x9669 &>> x) & 1) &<< 2
    }

    /// OSZAPC after operation `op` with operands `a`, `b` and result `res`; `old` is the flags
    /// word (inc and dec keep its CF).
    package static func compute(_ op: UInt64, _ a: UInt64, _ b: UInt64, _ res: UInt64, old: UInt64) -> UInt64 {
        let size = Int(op & 3)
        let m = mask(size), sb = signBit(size)
        var f: UInt64 = 0
        switch op >> 2 {
        case add:
            if res < a { f |= cf }
            if (a ^ res) & (b ^ res) & sb != 0 { f |= of }
            f |= (a ^ b ^ res) & af
        case adc:
            let carryIn = (res &- a &- b) & m
            if carryIn != 0 ? res <= a : res < a { f |= cf }
            if (a ^ res) & (b ^ res) & sb != 0 { f |= of }
            f |= (a ^ b ^ res) & af
        case sub:
            if a < b { f |= cf }
            if (a ^ b) & (a ^ res) & sb != 0 { f |= of }
            f |= (a ^ b ^ res) & af
        case sbb:
            let borrowIn = (a &- b &- res) & m
            if borrowIn != 0 ? a <= b : a < b { f |= cf }
            if (a ^ b) & (a ^ res) & sb != 0 { f |= of }
            f |= (a ^ b ^ res) & af
        case logic:
            break
        case inc:
            f |= old & cf
            if res == sb { f |= of }
            f |= (a ^ 1 ^ res) & af
        case dec:
            f |= old & cf
            if a == sb { f |= of }
            f |= (a ^ 1 ^ res) & af
        // Shifts (count b > 0). The manuals define OF for a count of 1 only and never AF; these
        // are AMD's values (this CPUID's vendor) for every count: AF set, OF as for a count of 1
        // from the result (shl: its top bit xor CF; shr: its top two bits differ; sar: clear).
        case shl:
            let n = bits(size)
            let c = b <= n ? (a >> (n &- b)) & 1 : 0
            f |= c | af
            if ((res >> (n - 1)) ^ c) & 1 != 0 { f |= of }
        case shr:
            f |= (a >> (b &- 1)) & 1 | af
            if (res >> (bits(size) - 2)) & 1 != 0 { f |= of }
        case sar:
            let shift = UInt64(64) - bits(size)
            let signed = Int64(bitPattern: a << shift) >> Int64(shift)
            f |= UInt64(bitPattern: signed >> Int64(min(b &- 1, 63))) & 1 | af
        default:
            return old & arithmetic
        }
        if res == 0 { f |= zf }
        if res & sb != 0 { f |= sf }
        f |= parity(res)
        return f
    }

    /// Whether condition `cc` (the low nibble of jcc/setcc/cmovcc) holds for flags word `f`.
    @inline(__always) package static func holds(_ cc: UInt8, _ f: UInt64) -> Bool {
        let t: Bool
        switch cc >> 1 {
        case 0: t = f & of != 0
        case 1: t = f & cf != 0
        case 2: t = f & zf != 0
        case 3: t = f & (cf | zf) != 0
        case 4: t = f & sf != 0
        case 5: t = f & pf != 0
        case 6: t = (f & sf != 0) != (f & of != 0)
        default: t = f & zf != 0 || ((f & sf != 0) != (f & of != 0))
        }
        return t != (cc & 1 != 0)
    }
}

extension X86CPU {
    /// Sets the flags a user-mode popf may change.
    func setFlagsValue(_ v: UInt64) {
        regs[X86Registers.flags] = (v & X86Flags.writable) | X86Flags.fixed
        regs[X86Registers.ccOp] = X86Flags.materialized
    }

    @_transparent func flagsValue() -> UInt64 { core.flagsValue() }
    @_transparent func materializeFlags() { core.materializeFlags() }
    @_transparent func carryFlag() -> UInt64 { core.carryFlag() }
    @_transparent func condition(_ cc: UInt8) -> Bool { core.condition(cc) }
}

extension X86Core {
    /// RFLAGS with the arithmetic flags computed.
    @inline(__always) func flagsValue() -> UInt64 {
        let r = regs
        let op = r[X86Registers.ccOp]
        let word = r[X86Registers.flags]
        if op == X86Flags.materialized { return word | X86Flags.fixed }
        return (word & ~X86Flags.arithmetic) | X86Flags.fixed
            | X86Flags.compute(op, r[X86Registers.ccA], r[X86Registers.ccB], r[X86Registers.ccRes], old: word)
    }

    /// Computes the lazy flags into the flags word.
    @inline(__always) func materializeFlags() {
        let r = regs
        if r[X86Registers.ccOp] != X86Flags.materialized {
            r[X86Registers.flags] = flagsValue()
            r[X86Registers.ccOp] = X86Flags.materialized
        }
    }

    /// CF alone (adc, sbb, rcl, rcr, inc and dec's preserved carry).
    @inline(__always) func carryFlag() -> UInt64 {
        let r = regs
        let op = r[X86Registers.ccOp]
        switch op >> 2 {
        case X86Flags.sub: return r[X86Registers.ccA] < r[X86Registers.ccB] ? 1 : 0
        case X86Flags.logic: return 0
        case X86Flags.add: return r[X86Registers.ccRes] < r[X86Registers.ccA] ? 1 : 0
        case X86Flags.materialized, X86Flags.inc, X86Flags.dec: return r[X86Registers.flags] & 1
        default: return X86Flags.compute(op, r[X86Registers.ccA], r[X86Registers.ccB], r[X86Registers.ccRes],
                                         old: r[X86Registers.flags]) & 1
        }
    }

    /// Whether condition `cc` holds, straight from the lazy state for the common cases (a
    /// compare or a test before a jump).
    @_transparent func condition(_ cc: UInt8) -> Bool {
        let r = regs
        let op = r[X86Registers.ccOp]
        // e and ne (cmove/cmovne, sete/setne, je/jne not fused): every lazy kind's ZF is its
        // stored (masked) result being 0 (`compute`), so no switch on the kind. (Not in the wasm
        // core, like the per-size memory forms: see X86Specialise.swift.)
#if !SKIFF_WASI
        if cc & 0xe == 4 {
            let zero = op == X86Flags.materialized ? r[X86Registers.flags] & X86Flags.zf != 0 : r[X86Registers.ccRes] == 0
            return zero != (cc & 1 != 0)
        }
#endif
        let kind = op >> 2
        if kind == X86Flags.sub {
            let a = r[X86Registers.ccA], b = r[X86Registers.ccB]
#if !SKIFF_WASI
            // b, ae, be and a (cc 2, 3, 6, 7) without the switch's jump table: CF, or CF or ZF
            // for be/a (cc bit 2). amd64 CoreMark's fused byte compares with jb/jae: 2,985 per
            // iteration.
            if cc & 0xa == 2 {
                let below = a < b || (cc & 4 != 0 && a == b)
                return below != (cc & 1 != 0)
            }
#endif
            let t: Bool
            switch cc >> 1 {
            case 1: t = a < b
            case 2: t = a == b
            case 3: t = a <= b
            case 6, 7:
                let shift = UInt64(64) &- X86Flags.bits(Int(op & 3))
                let sa = Int64(bitPattern: a &<< shift), sb = Int64(bitPattern: b &<< shift)
                t = cc >> 1 == 6 ? sa < sb : sa <= sb
            case 4: t = r[X86Registers.ccRes] & X86Flags.signBit(Int(op & 3)) != 0
            default: return X86Flags.holds(cc, flagsValue())
            }
            return t != (cc & 1 != 0)
        }
        if kind == X86Flags.logic {
            let res = r[X86Registers.ccRes]
            let negative = res & X86Flags.signBit(Int(op & 3)) != 0
#if !SKIFF_WASI
            // s and ns (test r,r + js/jns) without the switch.
            if cc & 0xe == 8 { return negative != (cc & 1 != 0) }
#endif
            let t: Bool
            switch cc >> 1 {
            case 0, 1: t = false
            case 2, 3: t = res == 0
            case 4, 6: t = negative
            case 7: t = res == 0 || negative
            default: return X86Flags.holds(cc, flagsValue())
            }
            return t != (cc & 1 != 0)
        }
        return X86Flags.holds(cc, flagsValue())
    }
}
