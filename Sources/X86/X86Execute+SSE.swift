// SSE and SSE2: moves, packed integer operations, and scalar and packed float operations
// with x86's NaN rules (a NaN operand propagates quieted, the first one first; an invalid
// operation gives the default NaN, negative and quiet), computed so that WebAssembly, whose
// NaNs are not deterministic, gives the same bits. Arithmetic and conversions round and raise
// flags as MXCSR says (`X86Execute+MXCSR.swift`).
#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

extension X86CPU {
    @inline(__always) func xmmLow(_ i: UInt8) -> UInt64 { regs[X86Registers.xmm + 2 * Int(i)] }
    @inline(__always) func xmmHigh(_ i: UInt8) -> UInt64 { regs[X86Registers.xmm + 2 * Int(i) + 1] }
    @inline(__always) func setXMM(_ i: UInt8, _ lo: UInt64, _ hi: UInt64) {
        regs[X86Registers.xmm + 2 * Int(i)] = lo
        regs[X86Registers.xmm + 2 * Int(i) + 1] = hi
    }

    func executeSSE(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt8 {
        if _slowPath(sseExceptionUnmasked) { return withSIMDExceptions { executeSSE(p) } }
        guard let op = X86SSE(rawValue: p.pointee.cond) else { return X86Status.illegal }
        let d = p.pointee.reg
        let isMemory = p.pointee.attrs & X86Attrs.memory != 0
        var status = X86Status.next

        /// The 128-bit source (xmm rm or m128, checked for alignment when required).
        @inline(__always) func source128() -> (UInt64, UInt64)? {
            if !isMemory { return (xmmLow(p.pointee.rm), xmmHigh(p.pointee.rm)) }
            let a = address(p)
            if p.pointee.attrs & X86Attrs.aligned != 0 && a & 15 != 0 { status = X86Status.generalProtection; return nil }
            guard let lo = read(a, UInt64.self), let hi = read(a &+ 8, UInt64.self) else { status = X86Status.fault; return nil }
            return (lo, hi)
        }
        @inline(__always) func source64() -> UInt64? {
            if !isMemory { return xmmLow(p.pointee.rm) }
            guard let v = read(address(p), UInt64.self) else { status = X86Status.fault; return nil }
            return v
        }
        @inline(__always) func source32() -> UInt64? {
            if !isMemory { return xmmLow(p.pointee.rm) & 0xffff_ffff }
            guard let v = read(address(p), UInt32.self) else { status = X86Status.fault; return nil }
            return UInt64(v)
        }
        /// A general-purpose source of the instruction's size (register rm or memory).
        @inline(__always) func sourceGPR() -> UInt64? {
            if !isMemory { return reg(p.pointee.rm, p.pointee.size) }
            guard let v = load(address(p), p.pointee.size) else { status = X86Status.fault; return nil }
            return v
        }
        @inline(__always) func binary(_ f: (UInt64, UInt64) -> UInt64) -> UInt8 {
            guard let (lo, hi) = source128() else { return status }
            setXMM(d, f(xmmLow(d), lo), f(xmmHigh(d), hi))
            return X86Status.next
        }
        @inline(__always) func binary128(_ f: (UInt64, UInt64, UInt64, UInt64) -> (UInt64, UInt64)) -> UInt8 {
            guard let (lo, hi) = source128() else { return status }
            let (rl, rh) = f(xmmLow(d), xmmHigh(d), lo, hi)
            setXMM(d, rl, rh)
            return X86Status.next
        }
        /// Scalar single: the low 32 bits of the destination replaced.
        @inline(__always) func scalar32(_ f: (UInt32, UInt32) -> UInt32) -> UInt8 {
            guard let b = source32() else { return status }
            let a = xmmLow(d)
            let r = f(UInt32(truncatingIfNeeded: a), UInt32(truncatingIfNeeded: b))
            setXMM(d, (a & 0xffff_ffff_0000_0000) | UInt64(r), xmmHigh(d))
            return X86Status.next
        }
        @inline(__always) func scalar64(_ f: (UInt64, UInt64) -> UInt64) -> UInt8 {
            guard let b = source64() else { return status }
            setXMM(d, f(xmmLow(d), b), xmmHigh(d))
            return X86Status.next
        }
        @inline(__always) func packed32(_ f: (UInt32, UInt32) -> UInt32) -> UInt8 {
            binary { X86CPU.map32($0, $1, f) }
        }
        @inline(__always) func packed64(_ f: (UInt64, UInt64) -> UInt64) -> UInt8 {
            binary(f)
        }
        /// A shift count: imm, or the low 64 bits of the xmm/m128 source.
        @inline(__always) func shiftCount() -> UInt64? {
            if p.pointee.attrs & X86Attrs.immediate != 0 { return p.pointee.imm }
            guard let (lo, _) = source128() else { return nil }
            return lo
        }

        switch op {
        // MARK: Moves
        case .mov128:
            guard let (lo, hi) = source128() else { return status }
            setXMM(d, lo, hi)
        case .store128:
            let a = address(p)
            if p.pointee.attrs & X86Attrs.aligned != 0 && a & 15 != 0 { return X86Status.generalProtection }
            guard probeWrite(a, 16), write(a, xmmLow(d)), write(a &+ 8, xmmHigh(d)) else { return X86Status.fault }
        case .movss:
            if isMemory {
                guard let v = source32() else { return status }
                setXMM(d, v, 0)
            } else {
                setXMM(d, (xmmLow(d) & 0xffff_ffff_0000_0000) | (xmmLow(p.pointee.rm) & 0xffff_ffff), xmmHigh(d))
            }
        case .movsd:
            if isMemory {
                guard let v = source64() else { return status }
                setXMM(d, v, 0)
            } else {
                setXMM(d, xmmLow(p.pointee.rm), xmmHigh(d))
            }
        case .storeLow32:
            guard write(address(p), UInt32(truncatingIfNeeded: xmmLow(d))) else { return X86Status.fault }
        case .storeLow64:
            guard write(address(p), xmmLow(d)) else { return X86Status.fault }
        case .storeHigh64:
            guard write(address(p), xmmHigh(d)) else { return X86Status.fault }
        case .movq:
            guard let v = source64() else { return status }
            setXMM(d, v, 0)
        case .movdToXMM:
            guard let v = sourceGPR() else { return status }
            setXMM(d, v, 0)
        case .movdFromXMM:
            let v = xmmLow(d)
            if isMemory {
                guard store(address(p), p.pointee.size, v) else { return X86Status.fault }
            } else {
                setReg(p.pointee.rm, p.pointee.size, v)
            }
        case .loadLow64:
            guard let v = source64() else { return status }
            setXMM(d, v, xmmHigh(d))
        case .loadHigh64:
            guard let v = source64() else { return status }
            setXMM(d, xmmLow(d), v)
        case .movhlps:
            setXMM(d, xmmHigh(p.pointee.rm), xmmHigh(d))
        case .movlhps:
            setXMM(d, xmmLow(d), xmmLow(p.pointee.rm))
        case .movmskps:
            let lo = xmmLow(p.pointee.rm), hi = xmmHigh(p.pointee.rm)
            let m = (lo >> 31) & 1 | (lo >> 62) & 2 | ((hi >> 31) & 1) << 2 | ((hi >> 63) & 1) << 3
            setReg(d, p.pointee.size, m)
        case .movmskpd:
            setReg(d, p.pointee.size, (xmmLow(p.pointee.rm) >> 63) | (xmmHigh(p.pointee.rm) >> 63) << 1)
        case .pmovmskb:
            setReg(d, p.pointee.size, X86CPU.byteSigns(xmmLow(p.pointee.rm)) | X86CPU.byteSigns(xmmHigh(p.pointee.rm)) << 8)
        case .pextrw:
            let i = p.pointee.imm & 7
            let half = i < 4 ? xmmLow(p.pointee.rm) : xmmHigh(p.pointee.rm)
            setReg(d, p.pointee.size, (half >> ((i & 3) * 16)) & 0xffff)
        case .pinsrw:
            let v: UInt64
            if isMemory {
                guard let x = read(address(p), UInt16.self) else { return X86Status.fault }
                v = UInt64(x)
            } else {
                v = reg(p.pointee.rm, 1)
            }
            let i = p.pointee.imm & 7
            let shift = (i & 3) * 16
            if i < 4 {
                setXMM(d, (xmmLow(d) & ~(0xffff << shift)) | v << shift, xmmHigh(d))
            } else {
                setXMM(d, xmmLow(d), (xmmHigh(d) & ~(0xffff << shift)) | v << shift)
            }

        // MARK: Integer
        case .paddb: return binary { X86CPU.map8($0, $1) { $0 &+ $1 } }
        case .paddw: return binary { X86CPU.map16($0, $1) { $0 &+ $1 } }
        case .paddd: return binary { X86CPU.map32($0, $1) { $0 &+ $1 } }
        case .paddq: return binary { $0 &+ $1 }
        case .psubb: return binary { X86CPU.map8($0, $1) { $0 &- $1 } }
        case .psubw: return binary { X86CPU.map16($0, $1) { $0 &- $1 } }
        case .psubd: return binary { X86CPU.map32($0, $1) { $0 &- $1 } }
        case .psubq: return binary { $0 &- $1 }
        case .paddsb: return binary { X86CPU.map8($0, $1) { X86CPU.saturate8(Int(Int8(bitPattern: $0)) + Int(Int8(bitPattern: $1))) } }
        case .paddsw: return binary { X86CPU.map16($0, $1) { X86CPU.saturate16(Int(Int16(bitPattern: $0)) + Int(Int16(bitPattern: $1))) } }
        case .psubsb: return binary { X86CPU.map8($0, $1) { X86CPU.saturate8(Int(Int8(bitPattern: $0)) - Int(Int8(bitPattern: $1))) } }
        case .psubsw: return binary { X86CPU.map16($0, $1) { X86CPU.saturate16(Int(Int16(bitPattern: $0)) - Int(Int16(bitPattern: $1))) } }
        case .paddusb: return binary { X86CPU.map8($0, $1) { UInt8(min(Int($0) + Int($1), 0xff)) } }
        case .paddusw: return binary { X86CPU.map16($0, $1) { UInt16(min(Int($0) + Int($1), 0xffff)) } }
        case .psubusb: return binary { X86CPU.map8($0, $1) { $0 > $1 ? $0 - $1 : 0 } }
        case .psubusw: return binary { X86CPU.map16($0, $1) { $0 > $1 ? $0 - $1 : 0 } }
        case .pmullw: return binary { X86CPU.map16($0, $1) { $0 &* $1 } }
        case .pmulhw: return binary { X86CPU.map16($0, $1) { UInt16(truncatingIfNeeded: (Int32(Int16(bitPattern: $0)) * Int32(Int16(bitPattern: $1))) >> 16) } }
        case .pmulhuw: return binary { X86CPU.map16($0, $1) { UInt16(truncatingIfNeeded: (UInt32($0) * UInt32($1)) >> 16) } }
        case .pmuludq: return binary { ($0 & 0xffff_ffff) &* ($1 & 0xffff_ffff) }
        case .pmaddwd:
            return binary { a, b in
                var r: UInt64 = 0
                for i in 0..<2 {
                    let sh = UInt64(32 * i)
                    let a0 = Int32(Int16(truncatingIfNeeded: a >> sh)), a1 = Int32(Int16(truncatingIfNeeded: a >> (sh + 16)))
                    let b0 = Int32(Int16(truncatingIfNeeded: b >> sh)), b1 = Int32(Int16(truncatingIfNeeded: b >> (sh + 16)))
                    r |= UInt64(UInt32(bitPattern: (a0 &* b0) &+ (a1 &* b1))) << sh
                }
                return r
            }
        case .psadbw:
            return binary { a, b in
                var sum: UInt64 = 0
                for i in 0..<8 {
                    let x = Int((a >> UInt64(8 * i)) & 0xff), y = Int((b >> UInt64(8 * i)) & 0xff)
                    sum += UInt64(abs(x - y))
                }
                return sum
            }
        case .pavgb: return binary { X86CPU.map8($0, $1) { UInt8((UInt16($0) + UInt16($1) + 1) >> 1) } }
        case .pavgw: return binary { X86CPU.map16($0, $1) { UInt16((UInt32($0) + UInt32($1) + 1) >> 1) } }
        case .pminub: return binary { X86CPU.map8($0, $1) { min($0, $1) } }
        case .pmaxub: return binary { X86CPU.map8($0, $1) { max($0, $1) } }
        case .pminsw: return binary { X86CPU.map16($0, $1) { Int16(bitPattern: $0) < Int16(bitPattern: $1) ? $0 : $1 } }
        case .pmaxsw: return binary { X86CPU.map16($0, $1) { Int16(bitPattern: $0) > Int16(bitPattern: $1) ? $0 : $1 } }
        case .pcmpeqb: return binary { X86CPU.map8($0, $1) { $0 == $1 ? 0xff : 0 } }
        case .pcmpeqw: return binary { X86CPU.map16($0, $1) { $0 == $1 ? 0xffff : 0 } }
        case .pcmpeqd: return binary { X86CPU.map32($0, $1) { $0 == $1 ? 0xffff_ffff : 0 } }
        case .pcmpgtb: return binary { X86CPU.map8($0, $1) { Int8(bitPattern: $0) > Int8(bitPattern: $1) ? 0xff : 0 } }
        case .pcmpgtw: return binary { X86CPU.map16($0, $1) { Int16(bitPattern: $0) > Int16(bitPattern: $1) ? 0xffff : 0 } }
        case .pcmpgtd: return binary { X86CPU.map32($0, $1) { Int32(bitPattern: $0) > Int32(bitPattern: $1) ? 0xffff_ffff : 0 } }
        case .pand: return binary { $0 & $1 }
        case .pandn: return binary { ~$0 & $1 }
        case .por: return binary { $0 | $1 }
        case .pxor: return binary { $0 ^ $1 }
        case .punpcklbw: return binary128 { al, _, bl, _ in (X86CPU.interleave8(al, bl), X86CPU.interleave8(al >> 32, bl >> 32)) }
        case .punpckhbw: return binary128 { _, ah, _, bh in (X86CPU.interleave8(ah, bh), X86CPU.interleave8(ah >> 32, bh >> 32)) }
        case .punpcklwd: return binary128 { al, _, bl, _ in (X86CPU.interleave16(al, bl), X86CPU.interleave16(al >> 32, bl >> 32)) }
        case .punpckhwd: return binary128 { _, ah, _, bh in (X86CPU.interleave16(ah, bh), X86CPU.interleave16(ah >> 32, bh >> 32)) }
        case .punpckldq: return binary128 { al, _, bl, _ in ((al & 0xffff_ffff) | bl << 32, (al >> 32) | (bl & 0xffff_ffff_0000_0000)) }
        case .punpckhdq: return binary128 { _, ah, _, bh in ((ah & 0xffff_ffff) | bh << 32, (ah >> 32) | (bh & 0xffff_ffff_0000_0000)) }
        case .punpcklqdq: return binary128 { al, _, bl, _ in (al, bl) }
        case .punpckhqdq: return binary128 { _, ah, _, bh in (ah, bh) }
        case .packsswb:
            return binary128 { al, ah, bl, bh in
                (X86CPU.packWords(al, ah) { UInt64(X86CPU.saturate8(Int($0))) }, X86CPU.packWords(bl, bh) { UInt64(X86CPU.saturate8(Int($0))) })
            }
        case .packuswb:
            return binary128 { al, ah, bl, bh in
                (X86CPU.packWords(al, ah) { UInt64(min(max(Int($0), 0), 255)) }, X86CPU.packWords(bl, bh) { UInt64(min(max(Int($0), 0), 255)) })
            }
        case .packssdw:
            return binary128 { al, ah, bl, bh in
                func pack(_ lo: UInt64, _ hi: UInt64) -> UInt64 {
                    var r: UInt64 = 0
                    for (i, v) in [lo & 0xffff_ffff, lo >> 32, hi & 0xffff_ffff, hi >> 32].enumerated() {
                        r |= UInt64(X86CPU.saturate16(Int(Int32(truncatingIfNeeded: v)))) << UInt64(16 * i)
                    }
                    return r
                }
                return (pack(al, ah), pack(bl, bh))
            }
        case .psllw, .pslld, .psllq, .psrlw, .psrld, .psrlq, .psraw, .psrad:
            guard let n = shiftCount() else { return status }
            let lo = xmmLow(d), hi = xmmHigh(d)
            let f: (UInt64) -> UInt64
            switch op {
            case .psllw: f = { v in n > 15 ? 0 : X86CPU.map16(v, 0) { a, _ in a << UInt16(n) } }
            case .pslld: f = { v in n > 31 ? 0 : X86CPU.map32(v, 0) { a, _ in a << UInt32(n) } }
            case .psllq: f = { v in n > 63 ? 0 : v << n }
            case .psrlw: f = { v in n > 15 ? 0 : X86CPU.map16(v, 0) { a, _ in a >> UInt16(n) } }
            case .psrld: f = { v in n > 31 ? 0 : X86CPU.map32(v, 0) { a, _ in a >> UInt32(n) } }
            case .psrlq: f = { v in n > 63 ? 0 : v >> n }
            case .psraw: f = { v in X86CPU.map16(v, 0) { a, _ in UInt16(bitPattern: Int16(bitPattern: a) >> Int16(min(n, 15))) } }
            default: f = { v in X86CPU.map32(v, 0) { a, _ in UInt32(bitPattern: Int32(bitPattern: a) >> Int32(min(n, 31))) } }
            }
            setXMM(d, f(lo), f(hi))
        case .pslldq, .psrldq:
            let n = p.pointee.imm
            let lo = xmmLow(d), hi = xmmHigh(d)
            if n > 15 { setXMM(d, 0, 0); break }
            let bits = n * 8
            if op == .pslldq {
                if bits >= 64 { setXMM(d, 0, lo << (bits - 64)) } else if bits == 0 { break } else { setXMM(d, lo << bits, hi << bits | lo >> (64 - bits)) }
            } else {
                if bits >= 64 { setXMM(d, hi >> (bits - 64), 0) } else if bits == 0 { break } else { setXMM(d, lo >> bits | hi << (64 - bits), hi >> bits) }
            }
        case .pshufd:
            guard let (lo, hi) = source128() else { return status }
            let lanes = [lo & 0xffff_ffff, lo >> 32, hi & 0xffff_ffff, hi >> 32]
            let imm = Int(p.pointee.imm)
            setXMM(d, lanes[imm & 3] | lanes[(imm >> 2) & 3] << 32, lanes[(imm >> 4) & 3] | lanes[(imm >> 6) & 3] << 32)
        case .pshuflw, .pshufhw:
            guard let (lo, hi) = source128() else { return status }
            let half = op == .pshuflw ? lo : hi
            let imm = p.pointee.imm
            var shuffled: UInt64 = 0
            for i in 0..<4 {
                let sel = (imm >> UInt64(2 * i)) & 3
                shuffled |= ((half >> (sel * 16)) & 0xffff) << UInt64(16 * i)
            }
            if op == .pshuflw { setXMM(d, shuffled, hi) } else { setXMM(d, lo, shuffled) }

        // MARK: Floating point
        case .addps: return packed32 { self.float32(.add, $0, $1) }
        case .addpd: return packed64 { self.float64(.add, $0, $1) }
        case .addss: return scalar32 { self.float32(.add, $0, $1) }
        case .addsd: return scalar64 { self.float64(.add, $0, $1) }
        case .subps: return packed32 { self.float32(.sub, $0, $1) }
        case .subpd: return packed64 { self.float64(.sub, $0, $1) }
        case .subss: return scalar32 { self.float32(.sub, $0, $1) }
        case .subsd: return scalar64 { self.float64(.sub, $0, $1) }
        case .mulps: return packed32 { self.float32(.mul, $0, $1) }
        case .mulpd: return packed64 { self.float64(.mul, $0, $1) }
        case .mulss: return scalar32 { self.float32(.mul, $0, $1) }
        case .mulsd: return scalar64 { self.float64(.mul, $0, $1) }
        case .divps: return packed32 { self.float32(.div, $0, $1) }
        case .divpd: return packed64 { self.float64(.div, $0, $1) }
        case .divss: return scalar32 { self.float32(.div, $0, $1) }
        case .divsd: return scalar64 { self.float64(.div, $0, $1) }
        case .minps: return packed32 { self.min32($0, $1) }
        case .minpd: return packed64 { self.min64($0, $1) }
        case .minss: return scalar32 { self.min32($0, $1) }
        case .minsd: return scalar64 { self.min64($0, $1) }
        case .maxps: return packed32 { self.max32($0, $1) }
        case .maxpd: return packed64 { self.max64($0, $1) }
        case .maxss: return scalar32 { self.max32($0, $1) }
        case .maxsd: return scalar64 { self.max64($0, $1) }
        case .sqrtps: return packed32 { self.float32(.sqrt, 0, $1) }
        case .sqrtpd: return packed64 { self.float64(.sqrt, 0, $1) }
        case .sqrtss: return scalar32 { self.float32(.sqrt, 0, $1) }
        case .sqrtsd: return scalar64 { self.float64(.sqrt, 0, $1) }
        case .cmpps:
            let predicate = p.pointee.imm
            return packed32 { self.compare32($0, $1, predicate) ? 0xffff_ffff : 0 }
        case .cmppd:
            let predicate = p.pointee.imm
            return packed64 { self.compare64($0, $1, predicate) ? UInt64.max : 0 }
        case .cmpss:
            let predicate = p.pointee.imm
            return scalar32 { self.compare32($0, $1, predicate) ? 0xffff_ffff : 0 }
        case .cmpsd:
            let predicate = p.pointee.imm
            return scalar64 { self.compare64($0, $1, predicate) ? UInt64.max : 0 }
        case .ucomiss, .comiss:
            guard let b = source32() else { return status }
            let (x, y) = compareOperands(xmmLow(d) & 0xffff_ffff, b, single: true, signaling: op == .comiss)
            setArithmeticFlags(X86Float.compareFlags(Double(Float(bitPattern: UInt32(truncatingIfNeeded: x))),
                                                     Double(Float(bitPattern: UInt32(truncatingIfNeeded: y)))))
        case .ucomisd, .comisd:
            guard let b = source64() else { return status }
            let (x, y) = compareOperands(xmmLow(d), b, single: false, signaling: op == .comisd)
            setArithmeticFlags(X86Float.compareFlags(Double(bitPattern: x), Double(bitPattern: y)))
        case .cvtsi2ss, .cvtsi2sd:
            guard let v = sourceGPR() else { return status }
            let n = p.pointee.size == 3 ? Int64(bitPattern: v) : Int64(Int32(truncatingIfNeeded: v))
            if op == .cvtsi2sd {
                setXMM(d, floatFromInteger(n, single: false), xmmHigh(d))
            } else {
                setXMM(d, (xmmLow(d) & 0xffff_ffff_0000_0000) | floatFromInteger(n, single: true), xmmHigh(d))
            }
        case .cvttss2si, .cvtss2si:
            guard let v = source32() else { return status }
            setReg(d, p.pointee.size, floatToInteger(v, single: true, size: p.pointee.size, truncate: op == .cvttss2si))
        case .cvttsd2si, .cvtsd2si:
            guard let v = source64() else { return status }
            setReg(d, p.pointee.size, floatToInteger(v, single: false, size: p.pointee.size, truncate: op == .cvttsd2si))
        case .cvtss2sd:
            guard let v = source32() else { return status }
            setXMM(d, convertFloat(v, fromSingle: true), xmmHigh(d))
        case .cvtsd2ss:
            guard let v = source64() else { return status }
            setXMM(d, (xmmLow(d) & 0xffff_ffff_0000_0000) | convertFloat(v, fromSingle: false), xmmHigh(d))
        case .cvtps2pd:
            guard let v = source64() else { return status }
            setXMM(d, convertFloat(v & 0xffff_ffff, fromSingle: true), convertFloat(v >> 32, fromSingle: true))
        case .cvtpd2ps:
            guard let (lo, hi) = source128() else { return status }
            setXMM(d, convertFloat(lo, fromSingle: false) | convertFloat(hi, fromSingle: false) << 32, 0)
        case .cvtdq2ps:
            return packed32 { _, b in UInt32(truncatingIfNeeded: self.floatFromInteger(Int64(Int32(bitPattern: b)), single: true)) }
        case .cvtps2dq, .cvttps2dq:
            let truncate = op == .cvttps2dq
            return packed32 { _, b in UInt32(truncatingIfNeeded: self.floatToInteger(UInt64(b), single: true, size: 2, truncate: truncate)) }
        case .cvtdq2pd:
            guard let v = source64() else { return status }
            setXMM(d, Double(Int32(truncatingIfNeeded: v)).bitPattern, Double(Int32(truncatingIfNeeded: v >> 32)).bitPattern)
        case .cvtpd2dq, .cvttpd2dq:
            guard let (lo, hi) = source128() else { return status }
            let truncate = op == .cvttpd2dq
            let a = floatToInteger(lo, single: false, size: 2, truncate: truncate)
            let b = floatToInteger(hi, single: false, size: 2, truncate: truncate)
            setXMM(d, a | b << 32, 0)
        case .shufps:
            guard let (lo, hi) = source128() else { return status }
            let a = [xmmLow(d) & 0xffff_ffff, xmmLow(d) >> 32, xmmHigh(d) & 0xffff_ffff, xmmHigh(d) >> 32]
            let b = [lo & 0xffff_ffff, lo >> 32, hi & 0xffff_ffff, hi >> 32]
            let imm = Int(p.pointee.imm)
            setXMM(d, a[imm & 3] | a[(imm >> 2) & 3] << 32, b[(imm >> 4) & 3] | b[(imm >> 6) & 3] << 32)
        case .shufpd:
            guard let (lo, hi) = source128() else { return status }
            let imm = p.pointee.imm
            setXMM(d, imm & 1 == 0 ? xmmLow(d) : xmmHigh(d), imm & 2 == 0 ? lo : hi)
        case .unpcklps:
            return binary128 { al, _, bl, _ in ((al & 0xffff_ffff) | bl << 32, (al >> 32) | (bl & 0xffff_ffff_0000_0000)) }
        case .unpckhps:
            return binary128 { _, ah, _, bh in ((ah & 0xffff_ffff) | bh << 32, (ah >> 32) | (bh & 0xffff_ffff_0000_0000)) }
        }
        return status
    }

    // MARK: Lanes

    @inline(__always) static func map8(_ a: UInt64, _ b: UInt64, _ f: (UInt8, UInt8) -> UInt8) -> UInt64 {
        var r: UInt64 = 0
        for i in 0..<8 {
            let sh = UInt64(8 * i)
            r |= UInt64(f(UInt8(truncatingIfNeeded: a >> sh), UInt8(truncatingIfNeeded: b >> sh))) << sh
        }
        return r
    }
    @inline(__always) static func map16(_ a: UInt64, _ b: UInt64, _ f: (UInt16, UInt16) -> UInt16) -> UInt64 {
        var r: UInt64 = 0
        for i in 0..<4 {
            let sh = UInt64(16 * i)
            r |= UInt64(f(UInt16(truncatingIfNeeded: a >> sh), UInt16(truncatingIfNeeded: b >> sh))) << sh
        }
        return r
    }
    @inline(__always) static func map32(_ a: UInt64, _ b: UInt64, _ f: (UInt32, UInt32) -> UInt32) -> UInt64 {
        UInt64(f(UInt32(truncatingIfNeeded: a), UInt32(truncatingIfNeeded: b)))
            | UInt64(f(UInt32(truncatingIfNeeded: a >> 32), UInt32(truncatingIfNeeded: b >> 32))) << 32
    }
    @inline(__always) static func saturate8(_ v: Int) -> UInt8 { UInt8(bitPattern: Int8(min(max(v, -128), 127))) }
    @inline(__always) static func saturate16(_ v: Int) -> UInt16 { UInt16(bitPattern: Int16(min(max(v, -32768), 32767))) }

    /// The sign bits of 8 bytes, as 8 bits.
    @inline(__always) static func byteSigns(_ v: UInt64) -> UInt64 {
        var m: UInt64 = 0
        for i in 0..<8 { m |= ((v >> UInt64(8 * i + 7)) & 1) << UInt64(i) }
        return m
    }
    /// Bytes a0 b0 a1 b1 a2 b2 a3 b3 from the low 4 bytes of a and b.
    @inline(__always) static func interleave8(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var r: UInt64 = 0
        for i in 0..<4 {
            r |= ((a >> UInt64(8 * i)) & 0xff) << UInt64(16 * i)
            r |= ((b >> UInt64(8 * i)) & 0xff) << UInt64(16 * i + 8)
        }
        return r
    }
    @inline(__always) static func interleave16(_ a: UInt64, _ b: UInt64) -> UInt64 {
        (a & 0xffff) | (b & 0xffff) << 16 | ((a >> 16) & 0xffff) << 32 | ((b >> 16) & 0xffff) << 48
    }
    /// 8 signed words (lo, hi) packed into 8 bytes by `f`.
    @inline(__always) static func packWords(_ lo: UInt64, _ hi: UInt64, _ f: (Int16) -> UInt64) -> UInt64 {
        var r: UInt64 = 0
        for i in 0..<8 {
            let w = Int16(truncatingIfNeeded: (i < 4 ? lo : hi) >> UInt64(16 * (i & 3)))
            r |= (f(w) & 0xff) << UInt64(8 * i)
        }
        return r
    }
}

/// SSE floating-point semantics on raw bits.
enum X86Float {
    static let defaultNaN32: UInt32 = 0xffc0_0000
    static let defaultNaN64: UInt64 = 0xfff8_0000_0000_0000

    @inline(__always) static func isNaN32(_ v: UInt32) -> Bool { v & 0x7fff_ffff > 0x7f80_0000 }
    @inline(__always) static func isNaN64(_ v: UInt64) -> Bool { v & 0x7fff_ffff_ffff_ffff > 0x7ff0_0000_0000_0000 }

    /// minss/maxss: the second operand when either is NaN or both are zero.
    @inline(__always) static func min32(_ a: UInt32, _ b: UInt32) -> UInt32 {
        Float(bitPattern: a) < Float(bitPattern: b) ? a : b
    }
    @inline(__always) static func max32(_ a: UInt32, _ b: UInt32) -> UInt32 {
        Float(bitPattern: a) > Float(bitPattern: b) ? a : b
    }
    @inline(__always) static func min64(_ a: UInt64, _ b: UInt64) -> UInt64 {
        Double(bitPattern: a) < Double(bitPattern: b) ? a : b
    }
    @inline(__always) static func max64(_ a: UInt64, _ b: UInt64) -> UInt64 {
        Double(bitPattern: a) > Double(bitPattern: b) ? a : b
    }

    /// cmpps/cmpss predicates 0...7: eq, lt, le, unord, neq, nlt, nle, ord.
    @inline(__always) static func compare(_ x: Double, _ y: Double, _ predicate: UInt64) -> Bool {
        switch predicate & 7 {
        case 0: return x == y
        case 1: return x < y
        case 2: return x <= y
        case 3: return x.isNaN || y.isNaN
        case 4: return !(x == y)
        case 5: return !(x < y)
        case 6: return !(x <= y)
        default: return !(x.isNaN || y.isNaN)
        }
    }
    @inline(__always) static func compare32(_ a: UInt32, _ b: UInt32, _ predicate: UInt64) -> Bool {
        compare(Double(Float(bitPattern: a)), Double(Float(bitPattern: b)), predicate)
    }
    @inline(__always) static func compare64(_ a: UInt64, _ b: UInt64, _ predicate: UInt64) -> Bool {
        compare(Double(bitPattern: a), Double(bitPattern: b), predicate)
    }

    /// ZF PF CF of (u)comis: unordered 111, less 001, equal 100, greater 000.
    @inline(__always) static func compareFlags(_ x: Double, _ y: Double) -> UInt64 {
        if x.isNaN || y.isNaN { return X86Flags.zf | X86Flags.pf | X86Flags.cf }
        if x < y { return X86Flags.cf }
        if x == y { return X86Flags.zf }
        return 0
    }

    /// float -> double (a NaN keeps its payload and is quieted).
    @inline(__always) static func widen(_ v: UInt32) -> UInt64 {
        if isNaN32(v) {
            return UInt64(v >> 31) << 63 | 0x7ff8_0000_0000_0000 | UInt64(v & 0x003f_ffff) << 29
        }
        return Double(Float(bitPattern: v)).bitPattern
    }

    /// double -> float, rounded to nearest (a NaN keeps the top of its payload, quieted).
    @inline(__always) static func narrow(_ v: UInt64) -> UInt32 {
        if isNaN64(v) {
            return UInt32(v >> 63) << 31 | 0x7fc0_0000 | UInt32((v >> 29) & 0x003f_ffff)
        }
        return Float(Double(bitPattern: v)).bitPattern
    }
}
