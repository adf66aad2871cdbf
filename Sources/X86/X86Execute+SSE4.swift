// SSE3, SSSE3, SSE4.1 and SSE4.2 (`X86Op.sse4`, X86SSE4Ops.swift): horizontal and alternating
// float arithmetic, byte shuffles, blends, widening moves, rounding, dot products, the string
// compares (pcmpestri/pcmpestrm/pcmpistri/pcmpistrm) and crc32. Float results follow the same
// portable NaN rules as SSE2 (Execute+SSE.swift) and MXCSR (Execute+MXCSR.swift).
#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

extension X86CPU {
    @inline(__always) func vector(_ i: UInt8) -> X86Vector { X86Vector(xmmLow(i), xmmHigh(i)) }
    @inline(__always) func setXMM(_ i: UInt8, _ v: X86Vector) { setXMM(i, v.lo, v.hi) }

    func executeSSE4(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt8 {
        if _slowPath(sseExceptionUnmasked) { return withSIMDExceptions { executeSSE4(p) } }
        guard let op = X86SSE4(rawValue: p.pointee.cond) else { return X86Status.illegal }
        let d = p.pointee.reg
        let isMemory = p.pointee.attrs & X86Attrs.memory != 0
        let imm = p.pointee.imm
        var status = X86Status.next

        /// The source: the xmm register in rm, or `bytes` bytes of memory (16 checked for
        /// alignment when the instruction requires it; fewer zero-extended).
        func source(_ bytes: Int = 16) -> X86Vector? {
            if !isMemory { return vector(p.pointee.rm) }
            let a = address(p)
            if bytes == 16 && p.pointee.attrs & X86Attrs.aligned != 0 && a & 15 != 0 {
                status = X86Status.generalProtection
                return nil
            }
            let v: UInt64?
            switch bytes {
            case 2: v = read(a, UInt16.self).map { UInt64($0) }
            case 4: v = read(a, UInt32.self).map { UInt64($0) }
            default: v = read(a, UInt64.self)
            }
            guard let lo = v else { status = X86Status.fault; return nil }
            if bytes < 16 { return X86Vector(lo, 0) }
            guard let hi = read(a &+ 8, UInt64.self) else { status = X86Status.fault; return nil }
            return X86Vector(lo, hi)
        }

        /// The general-purpose source in rm, or memory, of operand size `size` (zero-extended).
        func integerOperand(_ size: UInt8) -> UInt64? {
            if !isMemory { return reg(p.pointee.rm, size) }
            guard let v = load(address(p), size) else { status = X86Status.fault; return nil }
            return v
        }

        let a = vector(d)
        let r: X86Vector
        switch op {
        // MARK: SSE3
        case .addsubps, .haddps, .hsubps:
            guard let b = source() else { return status }
            switch op {
            case .addsubps:
                r = .dwords { i in UInt64(i & 1 == 0 ? self.float32(.sub, a.f32(i), b.f32(i)) : self.float32(.add, a.f32(i), b.f32(i))) }
            case .haddps:
                r = .dwords { i in let v = i < 2 ? a : b, k = 2 * (i & 1); return UInt64(self.float32(.add, v.f32(k), v.f32(k + 1))) }
            default:
                r = .dwords { i in let v = i < 2 ? a : b, k = 2 * (i & 1); return UInt64(self.float32(.sub, v.f32(k), v.f32(k + 1))) }
            }
        case .addsubpd:
            guard let b = source() else { return status }
            r = X86Vector(self.float64(.sub, a.lo, b.lo), self.float64(.add, a.hi, b.hi))
        case .haddpd:
            guard let b = source() else { return status }
            r = X86Vector(self.float64(.add, a.lo, a.hi), self.float64(.add, b.lo, b.hi))
        case .hsubpd:
            guard let b = source() else { return status }
            r = X86Vector(self.float64(.sub, a.lo, a.hi), self.float64(.sub, b.lo, b.hi))
        case .movsldup, .movshdup:
            guard let b = source() else { return status }
            let odd = op == .movshdup ? 1 : 0
            r = .dwords { i in b.u32((i & ~1) | odd) }
        case .movddup:
            guard let b = source(8) else { return status }
            r = X86Vector(b.lo, b.lo)
        case .lddqu, .movntdqa:
            guard let b = source() else { return status }
            r = b

        // MARK: SSSE3
        case .pshufb:
            guard let b = source() else { return status }
            r = .bytes { i in let c = b.u8(i); return c & 0x80 != 0 ? 0 : a.u8(Int(c & 15)) }
        case .phaddw, .phsubw, .phaddsw, .phsubsw:
            guard let b = source() else { return status }
            r = .words { i in
                let v = i < 4 ? a : b, k = 2 * (i & 3)
                switch op {
                case .phaddw: return v.u16(k) &+ v.u16(k + 1)
                case .phsubw: return v.u16(k) &- v.u16(k + 1)
                case .phaddsw: return UInt64(X86CPU.saturate16(v.s16(k) + v.s16(k + 1)))
                default: return UInt64(X86CPU.saturate16(v.s16(k) - v.s16(k + 1)))
                }
            }
        case .phaddd, .phsubd:
            guard let b = source() else { return status }
            r = .dwords { i in
                let v = i < 2 ? a : b, k = 2 * (i & 1)
                return op == .phaddd ? v.u32(k) &+ v.u32(k + 1) : v.u32(k) &- v.u32(k + 1)
            }
        case .pmaddubsw:
            guard let b = source() else { return status }
            r = .words { i in UInt64(X86CPU.saturate16(Int(a.u8(2 * i)) * b.s8(2 * i) + Int(a.u8(2 * i + 1)) * b.s8(2 * i + 1))) }
        case .pmulhrsw:
            guard let b = source() else { return status }
            r = .words { i in x86Bits((((a.s16(i) * b.s16(i)) >> 14) + 1) >> 1) }
        case .psignb:
            guard let b = source() else { return status }
            r = .bytes { i in let s = b.s8(i); return s < 0 ? 0 &- a.u8(i) : s == 0 ? 0 : a.u8(i) }
        case .psignw:
            guard let b = source() else { return status }
            r = .words { i in let s = b.s16(i); return s < 0 ? 0 &- a.u16(i) : s == 0 ? 0 : a.u16(i) }
        case .psignd:
            guard let b = source() else { return status }
            r = .dwords { i in let s = b.s32(i); return s < 0 ? 0 &- a.u32(i) : s == 0 ? 0 : a.u32(i) }
        case .pabsb:
            guard let b = source() else { return status }
            r = .bytes { i in UInt64(b.s8(i).magnitude) }
        case .pabsw:
            guard let b = source() else { return status }
            r = .words { i in UInt64(b.s16(i).magnitude) }
        case .pabsd:
            guard let b = source() else { return status }
            r = .dwords { i in b.s32(i).magnitude }
        case .palignr:
            guard let b = source() else { return status }
            // Bytes imm... of the 32-byte a:b (a high), zero past its end.
            r = .bytes { i in
                let k = Int(min(imm, 32)) + i
                return k < 16 ? b.u8(k) : k < 32 ? a.u8(k - 16) : 0
            }

        // MARK: SSE4.1 integer
        case .pblendvb, .blendvps, .blendvpd:
            guard let b = source() else { return status }
            let m = vector(0)
            switch op {
            case .pblendvb: r = .bytes { i in m.u8(i) & 0x80 != 0 ? b.u8(i) : a.u8(i) }
            case .blendvps: r = .dwords { i in m.u32(i) >> 31 != 0 ? b.u32(i) : a.u32(i) }
            default: r = .qwords { i in m.u64(i) >> 63 != 0 ? b.u64(i) : a.u64(i) }
            }
        case .blendps, .blendpd, .pblendw:
            guard let b = source() else { return status }
            switch op {
            case .blendps: r = .dwords { i in (imm >> UInt64(i)) & 1 != 0 ? b.u32(i) : a.u32(i) }
            case .blendpd: r = .qwords { i in (imm >> UInt64(i)) & 1 != 0 ? b.u64(i) : a.u64(i) }
            default: r = .words { i in (imm >> UInt64(i)) & 1 != 0 ? b.u16(i) : a.u16(i) }
            }
        case .ptest:
            guard let b = source() else { return status }
            let zf = (a.lo & b.lo) | (a.hi & b.hi) == 0 ? X86Flags.zf : 0
            let cf = (~a.lo & b.lo) | (~a.hi & b.hi) == 0 ? X86Flags.cf : 0
            setArithmeticFlags(zf | cf)
            return X86Status.next
        case .pmovsxbw, .pmovsxbd, .pmovsxbq, .pmovsxwd, .pmovsxwq, .pmovsxdq,
             .pmovzxbw, .pmovzxbd, .pmovzxbq, .pmovzxwd, .pmovzxwq, .pmovzxdq:
            let kind = Int(op.rawValue - (op.rawValue >= X86SSE4.pmovzxbw.rawValue ? X86SSE4.pmovzxbw.rawValue : X86SSE4.pmovsxbw.rawValue))
            let signed = op.rawValue < X86SSE4.pmovzxbw.rawValue
            // bw bd bq wd wq dq: the source's bytes and the result's lane width.
            let bytes = [8, 4, 2, 8, 4, 8][kind], bits = [16, 32, 64, 32, 64, 64][kind]
            guard let b = source(bytes) else { return status }
            switch kind {
            case 0, 1, 2: r = .build(bits) { i in signed ? x86Bits(b.s8(i)) : b.u8(i) }
            case 3, 4: r = .build(bits) { i in signed ? x86Bits(b.s16(i)) : b.u16(i) }
            default: r = .build(bits) { i in signed ? x86Bits(b.s32(i)) : b.u32(i) }
            }
        case .pmuldq:
            guard let b = source() else { return status }
            r = .qwords { i in x86Bits(a.s32(2 * i) &* b.s32(2 * i)) }
        case .pcmpeqq:
            guard let b = source() else { return status }
            r = .qwords { i in a.u64(i) == b.u64(i) ? .max : 0 }
        case .pcmpgtq:
            guard let b = source() else { return status }
            r = .qwords { i in Int64(bitPattern: a.u64(i)) > Int64(bitPattern: b.u64(i)) ? .max : 0 }
        case .packusdw:
            guard let b = source() else { return status }
            r = .words { i in UInt64(min(max(i < 4 ? a.s32(i) : b.s32(i - 4), 0), 0xffff)) }
        case .pminsb, .pmaxsb:
            guard let b = source() else { return status }
            let low = op == .pminsb
            r = .bytes { i in (a.s8(i) < b.s8(i)) == low ? a.u8(i) : b.u8(i) }
        case .pminsd, .pmaxsd:
            guard let b = source() else { return status }
            let low = op == .pminsd
            r = .dwords { i in (a.s32(i) < b.s32(i)) == low ? a.u32(i) : b.u32(i) }
        case .pminuw, .pmaxuw:
            guard let b = source() else { return status }
            r = .words { i in op == .pminuw ? min(a.u16(i), b.u16(i)) : max(a.u16(i), b.u16(i)) }
        case .pminud, .pmaxud:
            guard let b = source() else { return status }
            r = .dwords { i in op == .pminud ? min(a.u32(i), b.u32(i)) : max(a.u32(i), b.u32(i)) }
        case .pmulld:
            guard let b = source() else { return status }
            r = .dwords { i in a.u32(i) &* b.u32(i) }
        case .phminposuw:
            guard let b = source() else { return status }
            var best = 0
            for i in 1..<8 where b.u16(i) < b.u16(best) { best = i }
            r = X86Vector(b.u16(best) | UInt64(best) << 16, 0)
        case .mpsadbw:
            guard let b = source() else { return status }
            let s = Int(imm & 3) * 4, t = Int((imm >> 2) & 1) * 4
            r = .words { i in
                var sum: UInt64 = 0
                for k in 0..<4 { let x = a.u8(t + i + k), y = b.u8(s + k); sum += x > y ? x - y : y - x }
                return sum
            }

        // MARK: SSE4.1 extraction and insertion
        case .pextrb, .pextrw, .pextrd, .extractps:
            let s = p.pointee.size
            let v: UInt64, bytes: UInt8
            switch op {
            case .pextrb: v = a.u8(Int(imm & 15)); bytes = 0
            case .pextrw: v = a.u16(Int(imm & 7)); bytes = 1
            case .pextrd where s == 3: v = a.u64(Int(imm & 1)); bytes = 3
            default: v = a.u32(Int(imm & 3)); bytes = 2
            }
            if isMemory {
                guard store(address(p), bytes, v) else { return X86Status.fault }
            } else {
                setReg(p.pointee.rm, s, v)
            }
            return X86Status.next
        case .pinsrb, .pinsrd:
            let bytes: UInt8 = op == .pinsrb ? 0 : p.pointee.size
            guard let v = integerOperand(bytes) else { return status }
            switch bytes {
            case 0: r = .bytes { i in i == Int(imm & 15) ? v : a.u8(i) }
            case 2: r = .dwords { i in i == Int(imm & 3) ? v : a.u32(i) }
            default: r = .qwords { i in i == Int(imm & 1) ? v : a.u64(i) }
            }
        case .insertps:
            let v: UInt64
            if isMemory {
                guard let b = source(4) else { return status }
                v = b.lo
            } else {
                v = vector(p.pointee.rm).u32(Int((imm >> 6) & 3))
            }
            r = .dwords { i in (imm >> UInt64(i)) & 1 != 0 ? 0 : i == Int((imm >> 4) & 3) ? v : a.u32(i) }

        // MARK: SSE4.1 float
        case .roundps, .roundpd, .roundss, .roundsd:
            switch op {
            case .roundps:
                guard let b = source() else { return status }
                r = .dwords { i in self.roundFloat(UInt64(b.f32(i)), single: true, imm: imm) }
            case .roundpd:
                guard let b = source() else { return status }
                r = .qwords { i in self.roundFloat(b.u64(i), single: false, imm: imm) }
            case .roundss:
                guard let b = source(4) else { return status }
                r = .dwords { i in i == 0 ? self.roundFloat(UInt64(b.f32(0)), single: true, imm: imm) : a.u32(i) }
            default:
                guard let b = source(8) else { return status }
                r = X86Vector(roundFloat(b.lo, single: false, imm: imm), a.hi)
            }
        case .dpps:
            guard let b = source() else { return status }
            let t = (0..<4).map { i in (imm >> UInt64(i + 4)) & 1 != 0 ? self.float32(.mul, a.f32(i), b.f32(i)) : 0 }
            let sum = self.float32(.add, self.float32(.add, t[0], t[1]), self.float32(.add, t[2], t[3]))
            r = .dwords { i in (imm >> UInt64(i)) & 1 != 0 ? UInt64(sum) : 0 }
        case .dppd:
            guard let b = source() else { return status }
            let t0 = imm & 0x10 != 0 ? self.float64(.mul, a.lo, b.lo) : 0
            let t1 = imm & 0x20 != 0 ? self.float64(.mul, a.hi, b.hi) : 0
            let sum = self.float64(.add, t0, t1)
            r = X86Vector(imm & 1 != 0 ? sum : 0, imm & 2 != 0 ? sum : 0)

        // MARK: SSE4.2
        case .pcmpestrm, .pcmpestri, .pcmpistrm, .pcmpistri:
            guard let b = source() else { return status }
            stringCompare(op, a, b, imm, size: p.pointee.size)
            return X86Status.next
        case .crc32:
            var crc = UInt32(truncatingIfNeeded: reg(d, 2))
            let s = p.pointee.size
            guard let v = integerOperand(s) else { return status }
            for i in 0..<(1 << Int(s)) {
                crc ^= UInt32((v >> UInt64(8 * i)) & 0xff)
                for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82f6_3b78 : crc >> 1 }
            }
            setReg(d, UInt8(imm), UInt64(crc))
            return X86Status.next
        }
        setXMM(d, r)
        return status
    }

    /// pcmpestri/pcmpestrm/pcmpistri/pcmpistrm: a (xmm reg) against b (xmm/m128) by the
    /// immediate's element format (bits 0-1), aggregation (2-3), polarity (4-5) and output
    /// selection (6); the index goes to ecx, the mask to xmm0; CF, ZF, SF and OF as the SDM
    /// says, AF and PF cleared.
    func stringCompare(_ op: X86SSE4, _ a: X86Vector, _ b: X86Vector, _ imm: UInt64, size: UInt8) {
        let words = imm & 1 != 0, signed = imm & 2 != 0
        let count = words ? 8 : 16
        let la: Int, lb: Int
        if op == .pcmpestrm || op == .pcmpestri {
            func length(_ r: Int) -> Int {
                let v = reg(X86Registers.offset(r), size)
                let signedValue = size == 3 ? Int64(bitPattern: v) : Int64(Int32(truncatingIfNeeded: v))
                return Int(min(signedValue.magnitude, UInt64(count)))
            }
            la = length(X86Registers.rax)
            lb = length(X86Registers.rdx)
        } else {
            func length(_ v: X86Vector) -> Int {
                for i in 0..<count where v.element(i, words: words, signed: false) == 0 { return i }
                return count
            }
            la = length(a)
            lb = length(b)
        }
        @inline(__always) func ea(_ i: Int) -> Int { a.element(i, words: words, signed: signed) }
        @inline(__always) func eb(_ i: Int) -> Int { b.element(i, words: words, signed: signed) }

        var result: UInt32 = 0
        for j in 0..<count {
            var bit: Bool
            switch (imm >> 2) & 3 {
            case 0:     // equal any: b[j] is one of a's elements
                bit = false
                if j < lb { for i in 0..<la where ea(i) == eb(j) { bit = true; break } }
            case 1:     // ranges: a[i] <= b[j] <= a[i + 1] for an even i
                bit = false
                if j < lb {
                    var i = 0
                    while i + 1 < la {
                        if ea(i) <= eb(j) && eb(j) <= ea(i + 1) { bit = true; break }
                        i += 2
                    }
                }
            case 2:     // equal each: a[j] == b[j], two invalid elements being equal
                bit = j >= la && j >= lb ? true : j >= la || j >= lb ? false : ea(j) == eb(j)
            default:    // equal ordered: a occurs in b at j (a's end, or b's, ends the compare)
                bit = true
                for i in 0..<(count - j) {
                    if i >= la { break }
                    if j + i >= lb || ea(i) != eb(j + i) { bit = false; break }
                }
            }
            if bit { result |= 1 << UInt32(j) }
        }
        let all: UInt32 = (1 << UInt32(count)) - 1
        switch (imm >> 4) & 3 {
        case 1: result = ~result & all
        case 3: result ^= (1 << UInt32(lb)) - 1
        default: break
        }

        var flags: UInt64 = 0
        if result != 0 { flags |= X86Flags.cf }
        if lb < count { flags |= X86Flags.zf }
        if la < count { flags |= X86Flags.sf }
        if result & 1 != 0 { flags |= X86Flags.of }
        setArithmeticFlags(flags)

        if op == .pcmpestri || op == .pcmpistri {
            let index = result == 0 ? count
                : imm & 0x40 != 0 ? 31 - result.leadingZeroBitCount : result.trailingZeroBitCount
            setReg(X86Registers.offset(X86Registers.rcx), 2, UInt64(index))
        } else if imm & 0x40 != 0 {
            let mask = X86Vector.build(words ? 16 : 8) { i in (result >> UInt32(i)) & 1 != 0 ? .max : 0 }
            setXMM(0, mask)
        } else {
            setXMM(0, X86Vector(UInt64(result), 0))
        }
    }
}

extension X86Vector {
    /// Single-precision lane i as its bits.
    @inline(__always) func f32(_ i: Int) -> UInt32 { UInt32(truncatingIfNeeded: u32(i)) }
}

extension X86Float {
    /// roundps/roundss: to an integer by mode (0 nearest even, 1 down, 2 up, 3 toward zero);
    /// a NaN comes back quieted.
    static func round32(_ v: UInt32, _ mode: UInt64) -> UInt32 {
        if isNaN32(v) { return v | 0x0040_0000 }
        return Float(bitPattern: v).rounded(rule(mode)).bitPattern
    }
    static func round64(_ v: UInt64, _ mode: UInt64) -> UInt64 {
        if isNaN64(v) { return v | 0x0008_0000_0000_0000 }
        return Double(bitPattern: v).rounded(rule(mode)).bitPattern
    }
    static func rule(_ mode: UInt64) -> FloatingPointRoundingRule {
        switch mode & 3 {
        case 0: return .toNearestOrEven
        case 1: return .down
        case 2: return .up
        default: return .towardZero
        }
    }
}
