// The x87 unit: a stack of eight 80-bit registers (TOP, the tag word's empty bits), the
// control and status words, and the instructions gcc and glibc use: loads and stores of every
// memory format (single, double, extended, 16/32/64-bit integers), the arithmetic in all its
// forms, comparisons (fcom, fucom, fcomi, ftst, fxam), fcmov, constants, fchs/fabs, fsqrt,
// frndint, fscale, fxtract, fprem/fprem1, fxch, ffree, the control instructions and the
// environment (fnstenv/fldenv, fnsave/frstor). The arithmetic is X87Float.swift's, exact and
// rounded per RC and PC, with the masked responses to exceptions; unmasked ones are taken by
// X86Execute+X87Exception.swift (ES, and SIGFPE at the next waiting instruction).
// The transcendental instructions are X86Execute+X87Transcendental.swift's.
// fbld and fbstp are loads and stores of the packed BCD format (X87BCD.swift).
#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// `X86Instruction.cond` of `.x87`.
enum X87Op {
    static let fnstcw: UInt8 = 0, fldcw: UInt8 = 1, fninit: UInt8 = 2, fnclex: UInt8 = 3
    static let fnstswMemory: UInt8 = 4, fnstswAX: UInt8 = 5
    static let fnstenv: UInt8 = 6, fldenv: UInt8 = 7, fnsave: UInt8 = 8, frstor: UInt8 = 9
    /// st0 = st0 op memory (imm: the operation 0...7: add mul com comp sub subr div divr;
    /// size: the format, X87Format).
    static let arithmeticMemory: UInt8 = 10
    /// st0 = st0 op st(rm).
    static let arithmeticST0: UInt8 = 11
    /// st(rm) = st(rm) op st0, popped when reg is 1.
    static let arithmeticSTi: UInt8 = 12
    /// Push a memory operand of format `size`.
    static let load: UInt8 = 13
    /// Store st0 to memory in format `size`; reg: 1 pop; imm: 1 truncate (fisttp).
    static let store: UInt8 = 14
    static let loadST: UInt8 = 15        // fld st(rm)
    static let storeST: UInt8 = 16       // fst/fstp st(rm) (reg: pop)
    static let exchange: UInt8 = 17      // fxch st(rm)
    static let free: UInt8 = 18          // ffree st(rm) (reg: pop, ffreep)
    /// fcom/fucom st0 with st(rm): reg 1 signaling (fcom); imm: how many pops (0...2).
    static let compare: UInt8 = 19
    /// fcomi/fucomi: flags ZF PF CF; reg: pop; imm: 1 signaling (fcomi).
    static let compareFlags: UInt8 = 20
    /// fcmovcc st0, st(rm); imm: the jcc condition code.
    static let move: UInt8 = 21
    /// D9 E0...FF (imm: the second byte): fchs, fabs, ftst, fxam, the constants, fsqrt...
    static let d9: UInt8 = 22
    static let incrementTop: UInt8 = 23, decrementTop: UInt8 = 24
    /// fwait: takes a pending unmasked exception.
    static let fwait: UInt8 = 25
}

/// Memory operand formats of x87 loads, stores and arithmetic.
enum X87Format {
    static let single: UInt8 = 0, double: UInt8 = 1, int16: UInt8 = 2, int32: UInt8 = 3
    static let int64: UInt8 = 4, extended: UInt8 = 5
    /// 80-bit packed BCD (fbld, fbstp).
    static let bcd: UInt8 = 6
}

extension X86CPU {
    /// The state after fninit: control word 0x37f (all exceptions masked, 64-bit precision,
    /// round to nearest), empty stack.
    func x87Reset() {
        let r = regs
        r[X86Registers.fpuControl] = 0x37f
        r[X86Registers.fpuStatus] = 0
        r[X86Registers.fpuTags] = 0xff
        r[X86Registers.fpuTop] = 0
    }

    /// The status word with TOP in bits 13:11.
    var x87StatusWord: UInt64 {
        (regs[X86Registers.fpuStatus] & ~0x3800) | (regs[X86Registers.fpuTop] & 7) << 11
    }

    // MARK: The register stack

    @inline(__always) func x87Physical(_ i: Int) -> Int { (Int(regs[X86Registers.fpuTop]) + i) & 7 }
    func x87IsEmpty(_ i: Int) -> Bool { regs[X86Registers.fpuTags] >> UInt64(x87Physical(i)) & 1 != 0 }

    /// st(i), or nil when empty.
    func st(_ i: Int) -> X87Float? {
        let p = x87Physical(i)
        if regs[X86Registers.fpuTags] >> UInt64(p) & 1 != 0 { return nil }
        return X87Float(se: UInt16(truncatingIfNeeded: regs[X86Registers.fpu + 2 * p + 1]), m: regs[X86Registers.fpu + 2 * p])
    }

    func setST(_ i: Int, _ v: X87Float) {
        let p = x87Physical(i)
        regs[X86Registers.fpu + 2 * p] = v.m
        regs[X86Registers.fpu + 2 * p + 1] = UInt64(v.se)
        regs[X86Registers.fpuTags] &= ~(UInt64(1) << UInt64(p))
    }

    func x87Push(_ v: X87Float) {
        let r = regs
        r[X86Registers.fpuTop] = (r[X86Registers.fpuTop] &- 1) & 7
        if !x87IsEmpty(0) {
            // Stack overflow: invalid, SF, C1 = 1; the masked response pushes the indefinite.
            x87Raise(X87Exception.invalid | X87Exception.stackFault)
            r[X86Registers.fpuStatus] |= 0x200
            setST(0, .indefinite)
            return
        }
        setST(0, v)
    }

    func x87Pop() {
        let r = regs
        r[X86Registers.fpuTags] |= UInt64(1) << UInt64(x87Physical(0))
        r[X86Registers.fpuTop] = (r[X86Registers.fpuTop] &+ 1) & 7
    }

    /// Records an operation's exception flags, and C1 = whether it rounded up.
    func x87Raise(_ flags: UInt16) {
        let s = regs[X86Registers.fpuStatus] & ~UInt64(X87Exception.roundedUp)
        regs[X86Registers.fpuStatus] = s | UInt64(flags & (0x7f | X87Exception.roundedUp))
    }

    /// Stack underflow: invalid and SF with C1 = 0.
    func x87Underflow() {
        x87Raise(X87Exception.invalid | X87Exception.stackFault)
        regs[X86Registers.fpuStatus] &= ~UInt64(0x200)
    }

    /// C3 C2 C1 C0 of the status word (bits 14, 10, 9, 8).
    func x87SetConditions(c0: Bool, c1: Bool = false, c2: Bool, c3: Bool) {
        var s = regs[X86Registers.fpuStatus] & ~UInt64(0x4700)
        if c0 { s |= 0x100 }
        if c1 { s |= 0x200 }
        if c2 { s |= 0x400 }
        if c3 { s |= 0x4000 }
        regs[X86Registers.fpuStatus] = s
    }

    var x87Rounding: X87Rounding { X87Rounding(controlWord: regs[X86Registers.fpuControl], usePrecision: true) }
    var x87RoundingMode: UInt8 { UInt8((regs[X86Registers.fpuControl] >> 10) & 3) }

    // MARK: Memory formats

    func x87Load(_ a: UInt64, _ format: UInt8) -> (X87Float, UInt16)? {
        switch format {
        case X87Format.single:
            guard let v = read(a, UInt32.self) else { return nil }
            return X87Math.fromSingle(v)
        case X87Format.double:
            guard let v = read(a, UInt64.self) else { return nil }
            return X87Math.fromDouble(v)
        case X87Format.int16:
            guard let v = read(a, UInt16.self) else { return nil }
            return (X87Math.fromInteger(Int64(Int16(bitPattern: v))), 0)
        case X87Format.int32:
            guard let v = read(a, UInt32.self) else { return nil }
            return (X87Math.fromInteger(Int64(Int32(bitPattern: v))), 0)
        case X87Format.int64:
            guard let v = read(a, UInt64.self) else { return nil }
            return (X87Math.fromInteger(Int64(bitPattern: v)), 0)
        case X87Format.bcd:
            guard let low = read(a, UInt64.self), let high = read(a &+ 8, UInt16.self) else { return nil }
            return (X87Math.fromBCD(low: low, high: high), 0)
        default:
            guard let m = read(a, UInt64.self), let se = read(a &+ 8, UInt16.self) else { return nil }
            return (X87Float(se: se, m: m), 0)
        }
    }

    /// Stores v in `format`; returns false on a fault (nothing stored).
    func x87Store(_ a: UInt64, _ format: UInt8, _ v: X87Float, truncate: Bool) -> Bool {
        let mode = truncate ? 3 : x87RoundingMode
        switch format {
        case X87Format.single:
            let (bits, f) = X87Math.toBinary(v, mode: mode, single: true)
            guard write(a, UInt32(truncatingIfNeeded: bits)) else { return false }
            x87Raise(f)
        case X87Format.double:
            let (bits, f) = X87Math.toBinary(v, mode: mode, single: false)
            guard write(a, bits) else { return false }
            x87Raise(f)
        case X87Format.int16, X87Format.int32, X87Format.int64:
            let size: UInt8 = format == X87Format.int16 ? 1 : (format == X87Format.int32 ? 2 : 3)
            let (bits, f) = X87Math.toInteger(v, size: size, mode: mode)
            guard store(a, size, bits) else { return false }
            x87Raise(f)
        case X87Format.bcd:
            let (low, high, f) = X87Math.toBCD(v, mode: mode)
            guard probeWrite(a, 10), write(a, low), write(a &+ 8, high) else { return false }
            x87Raise(f)
        default:
            guard probeWrite(a, 10), write(a, v.m), write(a &+ 8, v.se) else { return false }
        }
        return true
    }

    // MARK: Arithmetic

    /// a op b for the eight arithmetic operations (2 and 3, the comparisons, are not here).
    func x87Arithmetic(_ kind: UInt64, _ a: X87Float, _ b: X87Float) -> X87Float {
        let r = x87Rounding
        let (v, f): (X87Float, UInt16)
        switch kind {
        case 0: (v, f) = X87Math.add(a, b, r)
        case 1: (v, f) = X87Math.multiply(a, b, r)
        case 4: (v, f) = X87Math.add(a, b.isNaN ? b : b.negated, r)
        case 5: (v, f) = X87Math.add(b, a.isNaN ? a : a.negated, r)
        case 6: (v, f) = X87Math.divide(a, b, r)
        default: (v, f) = X87Math.divide(b, a, r)
        }
        x87Raise(f)
        return v
    }

    /// fcom/fucom: C3 C2 C0 = 000 greater, 001 less, 100 equal, 111 unordered.
    func x87Compare(_ a: X87Float?, _ b: X87Float?, signaling: Bool) {
        guard let a, let b else {
            x87Underflow()
            x87SetConditions(c0: true, c2: true, c3: true)
            return
        }
        let (order, f) = X87Math.compare(a, b, signaling: signaling)
        x87Raise(f)
        switch order {
        case nil: x87SetConditions(c0: true, c2: true, c3: true)
        case -1: x87SetConditions(c0: true, c2: false, c3: false)
        case 0: x87SetConditions(c0: false, c2: false, c3: true)
        default: x87SetConditions(c0: false, c2: false, c3: false)
        }
    }

    func x87Operation(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt8 {
        let r = regs
        let i = Int(p.pointee.rm)
        // C1 is 0 after every computing instruction unless it rounded up (or the stack overflowed).
        if p.pointee.cond >= X87Op.arithmeticMemory && p.pointee.cond != X87Op.fwait {
            r[X86Registers.fpuStatus] &= ~UInt64(X87Exception.roundedUp)
        }
        switch p.pointee.cond {
        case X87Op.fnstcw:
            guard write(address(p), UInt16(truncatingIfNeeded: r[X86Registers.fpuControl])) else { return X86Status.fault }
        case X87Op.fldcw:
            guard let v = read(address(p), UInt16.self) else { return X86Status.fault }
            r[X86Registers.fpuControl] = UInt64(v) | 0x40
            x87UpdateSummary()
        case X87Op.fninit:
            x87Reset()
        case X87Op.fnclex:
            r[X86Registers.fpuStatus] &= ~UInt64(0x80ff)
        case X87Op.fnstswMemory:
            guard write(address(p), UInt16(truncatingIfNeeded: x87StatusWord)) else { return X86Status.fault }
        case X87Op.fnstswAX:
            setReg(0, 1, x87StatusWord)
        case X87Op.fnstenv, X87Op.fnsave:
            let a = address(p)
            let save = p.pointee.cond == X87Op.fnsave
            guard probeWrite(a, save ? 108 : 28) else { return X86Status.fault }
            _ = x87StoreEnvironment(a)
            if save {
                for k in 0..<8 {
                    let phys = x87Physical(k)
                    guard write(a &+ UInt64(28 + 10 * k), r[X86Registers.fpu + 2 * phys]),
                          write(a &+ UInt64(36 + 10 * k), UInt16(truncatingIfNeeded: r[X86Registers.fpu + 2 * phys + 1])) else { return X86Status.fault }
                }
                x87Reset()
            } else {
                // fnstenv masks every exception after storing.
                r[X86Registers.fpuControl] |= 0x3f
            }
        case X87Op.fldenv, X87Op.frstor:
            let a = address(p)
            guard let cw = read(a, UInt16.self), let sw = read(a &+ 4, UInt16.self), let tw = read(a &+ 8, UInt16.self) else { return X86Status.fault }
            var values: [(UInt64, UInt64)] = []
            if p.pointee.cond == X87Op.frstor {
                for k in 0..<8 {
                    guard let m = read(a &+ UInt64(28 + 10 * k), UInt64.self), let se = read(a &+ UInt64(36 + 10 * k), UInt16.self) else { return X86Status.fault }
                    values.append((m, UInt64(se)))
                }
            }
            r[X86Registers.fpuControl] = UInt64(cw) | 0x40
            r[X86Registers.fpuTop] = UInt64(sw >> 11) & 7
            r[X86Registers.fpuStatus] = UInt64(sw) & ~0x3800
            var empty: UInt64 = 0
            for k in 0..<8 where (tw >> UInt16(2 * k)) & 3 == 3 { empty |= 1 << UInt64(k) }
            r[X86Registers.fpuTags] = empty
            for (k, (m, se)) in values.enumerated() {
                let phys = x87Physical(k)
                r[X86Registers.fpu + 2 * phys] = m
                r[X86Registers.fpu + 2 * phys + 1] = se
            }
            x87UpdateSummary()
        case X87Op.arithmeticMemory:
            let kind = p.pointee.imm
            guard let (b, f) = x87Load(address(p), p.pointee.size) else { return X86Status.fault }
            // A denormal memory operand is not reported beside a NaN (host).
            x87Raise(st(0).map { $0.isNaN || $0.isUnsupported } == true ? f & ~X87Exception.denormal : f)
            guard let a = st(0) else {
                x87Underflow()
                if kind == 2 || kind == 3 { x87SetConditions(c0: true, c2: true, c3: true) } else { setST(0, .indefinite) }
                if kind == 3 { x87Pop() }
                break
            }
            if kind == 2 || kind == 3 {
                x87Compare(a, b, signaling: true)
                if kind == 3 { x87Pop() }
            } else {
                setST(0, x87Arithmetic(kind, a, b))
            }
        case X87Op.arithmeticST0:
            let kind = p.pointee.imm
            if kind == 2 || kind == 3 {
                x87Compare(st(0), st(i), signaling: true)
                if kind == 3 { x87Pop() }
                break
            }
            guard let a = st(0), let b = st(i) else { x87Underflow(); setST(0, .indefinite); break }
            setST(0, x87Arithmetic(kind, a, b))
        case X87Op.arithmeticSTi:
            if let a = st(i), let b = st(0) {
                setST(i, x87Arithmetic(p.pointee.imm, a, b))
            } else {
                x87Underflow()
                setST(i, .indefinite)
            }
            if p.pointee.reg == 1 { x87Pop() }
        case X87Op.load:
            guard let (v, f) = x87Load(address(p), p.pointee.size) else { return X86Status.fault }
            x87Raise(f)
            // A signaling NaN loaded from single or double memory is quieted.
            x87Push(v)
        case X87Op.store:
            let v: X87Float
            if let top = st(0) { v = top } else { x87Underflow(); v = .indefinite }
            guard x87Store(address(p), p.pointee.size, v, truncate: p.pointee.imm == 1) else { return X86Status.fault }
            if p.pointee.reg == 1 { x87Pop() }
        case X87Op.loadST:
            if let v = st(i) { x87Push(v) } else { x87Underflow(); x87Push(.indefinite) }
        case X87Op.storeST:
            if let v = st(0) { setST(i, v) } else { x87Underflow(); setST(i, .indefinite) }
            if p.pointee.reg == 1 { x87Pop() }
        case X87Op.exchange:
            let a = st(0) ?? .indefinite, b = st(i) ?? .indefinite
            if x87IsEmpty(0) || x87IsEmpty(i) { x87Underflow() }
            setST(0, b)
            setST(i, a)
        case X87Op.free:
            r[X86Registers.fpuTags] |= UInt64(1) << UInt64(x87Physical(i))
            if p.pointee.reg == 1 { x87Pop() }
        case X87Op.compare:
            x87Compare(st(0), st(i), signaling: p.pointee.reg == 1)
            for _ in 0..<p.pointee.imm { x87Pop() }
        case X87Op.compareFlags:
            // ZF PF CF as (u)comis sets them; OF SF AF cleared.
            var flags: UInt64 = X86Flags.zf | X86Flags.pf | X86Flags.cf
            if let a = st(0), let b = st(i) {
                let (order, f) = X87Math.compare(a, b, signaling: p.pointee.imm == 1)
                x87Raise(f)
                switch order {
                case nil: break
                case -1: flags = X86Flags.cf
                case 0: flags = X86Flags.zf
                default: flags = 0
                }
            } else {
                x87Underflow()
            }
            setArithmeticFlags(flags)
            if p.pointee.reg == 1 { x87Pop() }
        case X87Op.move:
            if condition(UInt8(p.pointee.imm)) {
                if let v = st(i) { setST(0, v) } else { x87Underflow(); setST(0, .indefinite) }
            }
        case X87Op.incrementTop:
            r[X86Registers.fpuTop] = (r[X86Registers.fpuTop] &+ 1) & 7
        case X87Op.decrementTop:
            r[X86Registers.fpuTop] = (r[X86Registers.fpuTop] &- 1) & 7
        case X87Op.d9:
            return executeX87D9(UInt8(p.pointee.imm))
        case X87Op.fwait:
            break
        default:
            return X86Status.illegal
        }
        return X86Status.next
    }

    /// D9 E0...FF: operations on st0 (and st1).
    func executeX87D9(_ code: UInt8) -> UInt8 {
        switch code {
        case 0xe8...0xee:
            x87Push(X87Math.constant(Int(code - 0xe8), mode: x87RoundingMode))
            return X86Status.next
        case 0xf6:
            regs[X86Registers.fpuTop] = (regs[X86Registers.fpuTop] &- 1) & 7
            return X86Status.next
        case 0xf7:
            regs[X86Registers.fpuTop] = (regs[X86Registers.fpuTop] &+ 1) & 7
            return X86Status.next
        case 0xe5:
            // fxam: C3 C2 C0 = class, C1 = sign; an empty st0 is "empty" (101).
            guard let v = st(0) else {
                let negative = regs[X86Registers.fpu + 2 * x87Physical(0) + 1] & 0x8000 != 0
                x87SetConditions(c0: true, c1: negative, c2: false, c3: true)
                return X86Status.next
            }
            let c: (Bool, Bool, Bool)   // c3, c2, c0
            if v.isUnsupported { c = (false, false, false) }
            else if v.isNaN { c = (false, false, true) }
            else if v.isInfinity { c = (false, true, true) }
            else if v.isZero { c = (true, false, false) }
            else if v.isDenormal { c = (true, true, false) }
            else { c = (false, true, false) }
            x87SetConditions(c0: c.2, c1: v.negative, c2: c.1, c3: c.0)
            return X86Status.next
        case 0xe4:
            x87Compare(st(0), .zero(false), signaling: true)
            return X86Status.next
        case 0xe0, 0xe1, 0xf4, 0xf5, 0xf8, 0xfa, 0xfc, 0xfd:
            break
        case 0xf0...0xf3, 0xf9, 0xfb, 0xfe, 0xff:
            return executeX87Transcendental(code)
        default:
            return X86Status.illegal   // reserved encodings
        }
        guard let a = st(0) else {
            x87Underflow()
            if code == 0xf4 { setST(0, .indefinite); x87Push(.indefinite) } else { setST(0, .indefinite) }
            return X86Status.next
        }
        let rounding = x87Rounding
        switch code {
        case 0xe0:
            setST(0, a.negated)
        case 0xe1:
            setST(0, a.absolute)
        case 0xfa:
            let (v, f) = X87Math.squareRoot(a, rounding)
            x87Raise(f)
            setST(0, v)
        case 0xfc:
            let (v, f) = X87Math.roundToIntegral(a, mode: rounding.mode)
            x87Raise(f)
            setST(0, v)
        case 0xfd:
            guard let b = st(1) else { x87Underflow(); setST(0, .indefinite); break }
            let (v, f) = X87Math.scale(a, b, rounding)
            x87Raise(f)
            setST(0, v)
        case 0xf4:
            let (exponent, significand, f) = X87Math.extract(a)
            x87Raise(f)
            setST(0, exponent)
            x87Push(significand)
        case 0xf5, 0xf8:
            guard let b = st(1) else { x87Underflow(); setST(0, .indefinite); break }
            var (v, q, complete, f) = X87Math.remainder(a, b, nearest: code == 0xf5)
            if v.isDenormal && regs[X86Registers.fpuControl] & UInt64(X87Exception.underflow) == 0 {
                // Unmasked underflow: the (exact) tiny remainder bias-adjusted.
                var w = X87Math.wide(v)
                w.exp += X87Math.biasAdjust
                v = X87Math.pack(w, X87Rounding(mode: 0, bits: 64)).0
                f |= X87Exception.underflow
            }
            x87Raise(f)
            setST(0, v)
            // The quotient's low bits in C0 C3 C1 when complete; C2 alone when not (as on the host).
            if let q {
                let bits = complete ? q : 0
                x87SetConditions(c0: bits & 4 != 0, c1: bits & 1 != 0, c2: !complete, c3: bits & 2 != 0)
            }
        default:
            return X86Status.illegal
        }
        return X86Status.next
    }

    /// Stores the 28-byte environment (64-bit mode, 32-bit operand format) at `a`.
    func x87StoreEnvironment(_ a: UInt64) -> Bool {
        let r = regs
        // The full tag word: 00 valid, 01 zero, 10 special, 11 empty, by physical register.
        var tags: UInt64 = 0
        for phys in 0..<8 {
            let tag: UInt64
            if r[X86Registers.fpuTags] >> UInt64(phys) & 1 != 0 {
                tag = 3
            } else {
                let v = X87Float(se: UInt16(truncatingIfNeeded: r[X86Registers.fpu + 2 * phys + 1]), m: r[X86Registers.fpu + 2 * phys])
                if v.isZero { tag = 1 } else if v.se & 0x7fff == 0x7fff || v.isDenormal || v.isUnsupported { tag = 2 } else { tag = 0 }
            }
            tags |= tag << UInt64(2 * phys)
        }
        let words: [UInt32] = [UInt32(truncatingIfNeeded: r[X86Registers.fpuControl]) | 0xffff_0000,
                               UInt32(truncatingIfNeeded: x87StatusWord) | 0xffff_0000,
                               UInt32(truncatingIfNeeded: tags) | 0xffff_0000, 0, 0, 0, 0]
        for (k, w) in words.enumerated() {
            guard write(a &+ UInt64(4 * k), w) else { return false }
        }
        return true
    }
}

extension X86Decoder {
    mutating func decodeX87(_ opcode: UInt8) {
        let kind = peekReg
        modrm(1)
        insn.op = .x87
        let k = UInt64(kind)
        if isMemory {
            switch (opcode, kind) {
            case (0xd8, _): arithmetic(k, X87Format.single)
            case (0xdc, _): arithmetic(k, X87Format.double)
            case (0xda, _): arithmetic(k, X87Format.int32)
            case (0xde, _): arithmetic(k, X87Format.int16)
            case (0xd9, 0): x87(X87Op.load, size: X87Format.single)
            case (0xd9, 2), (0xd9, 3): x87(X87Op.store, size: X87Format.single, pop: kind == 3)
            case (0xd9, 4): x87(X87Op.fldenv)
            case (0xd9, 5): x87(X87Op.fldcw)
            case (0xd9, 6): x87(X87Op.fnstenv)
            case (0xd9, 7): x87(X87Op.fnstcw)
            case (0xdb, 0): x87(X87Op.load, size: X87Format.int32)
            case (0xdb, 1): x87(X87Op.store, size: X87Format.int32, pop: true, truncate: true)
            case (0xdb, 2), (0xdb, 3): x87(X87Op.store, size: X87Format.int32, pop: kind == 3)
            case (0xdb, 5): x87(X87Op.load, size: X87Format.extended)
            case (0xdb, 7): x87(X87Op.store, size: X87Format.extended, pop: true)
            case (0xdd, 0): x87(X87Op.load, size: X87Format.double)
            case (0xdd, 1): x87(X87Op.store, size: X87Format.int64, pop: true, truncate: true)
            case (0xdd, 2), (0xdd, 3): x87(X87Op.store, size: X87Format.double, pop: kind == 3)
            case (0xdd, 4): x87(X87Op.frstor)
            case (0xdd, 6): x87(X87Op.fnsave)
            case (0xdd, 7): x87(X87Op.fnstswMemory)
            case (0xdf, 0): x87(X87Op.load, size: X87Format.int16)
            case (0xdf, 4): x87(X87Op.load, size: X87Format.bcd)                     // fbld
            case (0xdf, 6): x87(X87Op.store, size: X87Format.bcd, pop: true)         // fbstp
            case (0xdf, 1): x87(X87Op.store, size: X87Format.int16, pop: true, truncate: true)
            case (0xdf, 2), (0xdf, 3): x87(X87Op.store, size: X87Format.int16, pop: kind == 3)
            case (0xdf, 5): x87(X87Op.load, size: X87Format.int64)
            case (0xdf, 7): x87(X87Op.store, size: X87Format.int64, pop: true)
            default: insn.op = .illegal      // reserved
            }
            return
        }
        let i = UInt8(rmField & 7)
        insn.rm = i
        let second = 0xc0 | UInt8(kind) << 3 | i
        // DC and DE register forms name "st(i) = st(i) op st0" with sub/subr and div/divr swapped.
        let swapped = kind >= 4 ? k ^ 1 : k
        switch (opcode, kind) {
        case (0xd8, _): x87(X87Op.arithmeticST0, imm: k)
        case (0xdc, 2), (0xdc, 3): x87(X87Op.arithmeticST0, imm: k)   // fcom/fcomp aliases
        case (0xdc, _): x87(X87Op.arithmeticSTi, imm: swapped)
        case (0xde, 3) where i == 1: x87(X87Op.compare, imm: 2, signaling: true)   // fcompp
        case (0xde, 2), (0xde, 3): insn.op = .illegal
        case (0xde, _): x87(X87Op.arithmeticSTi, pop: true, imm: swapped)
        case (0xd9, 0): x87(X87Op.loadST)
        case (0xd9, 1): x87(X87Op.exchange)
        case (0xd9, 2) where i == 0: insn.op = .nop   // fnop
        case (0xd9, _) where second >= 0xe0: x87(X87Op.d9, imm: UInt64(second))
        case (0xda, 0...3): x87(X87Op.move, imm: [2, 4, 6, 0xa][kind])
        case (0xda, 5) where i == 1: insn.rm = 1; x87(X87Op.compare, imm: 2)   // fucompp
        case (0xdb, 0...3): x87(X87Op.move, imm: [3, 5, 7, 0xb][kind])
        case (0xdb, 4) where i == 2: x87(X87Op.fnclex)
        case (0xdb, 4) where i == 3: x87(X87Op.fninit)
        case (0xdb, 4) where i < 2 || i == 4: insn.op = .nop   // feni, fdisi, fsetpm: no-ops since the 287
        case (0xdb, 5): x87(X87Op.compareFlags, imm: 0)                   // fucomi
        case (0xdb, 6): x87(X87Op.compareFlags, imm: 1)                   // fcomi
        case (0xdd, 0): x87(X87Op.free)
        case (0xdd, 2), (0xdd, 3): x87(X87Op.storeST, pop: kind == 3)
        case (0xdd, 4), (0xdd, 5): x87(X87Op.compare, imm: kind == 5 ? 1 : 0)   // fucom, fucomp
        case (0xdf, 0): x87(X87Op.free, pop: true)                        // ffreep
        case (0xdf, 4) where i == 0: x87(X87Op.fnstswAX)
        case (0xdf, 5): x87(X87Op.compareFlags, pop: true, imm: 0)        // fucomip
        case (0xdf, 6): x87(X87Op.compareFlags, pop: true, imm: 1)        // fcomip
        default: insn.op = .illegal
        }
    }

    private mutating func x87(_ op: UInt8, size: UInt8 = 0, pop: Bool = false, truncate: Bool = false,
                              imm: UInt64 = 0, signaling: Bool = false) {
        insn.cond = op
        insn.size = size
        insn.reg = pop || signaling ? 1 : 0
        insn.imm = truncate ? 1 : imm
    }

    private mutating func arithmetic(_ kind: UInt64, _ format: UInt8) {
        x87(X87Op.arithmeticMemory, size: format, imm: kind)
    }
}
