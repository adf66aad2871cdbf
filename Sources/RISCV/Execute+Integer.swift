// Semantics of the M extension's less common operations and of Zba/Zbb/Zbs.

extension Hart {
    /// The run loop's entry: the operation read here from the slot, not passed from the
    /// dispatch's load (the loop then kept a copy of the operation byte in a register at every
    /// dispatch of the wasm build).
    @inline(never)
    static func multiplyDivide(_ p: UnsafeMutablePointer<DecodedInstruction>, _ a: UInt64, _ b: UInt64) -> UInt64 {
        multiplyDivide(p.pointee.op, a, b)
    }

    /// mulh*, div*, rem* (64- and 32-bit). Division by zero and overflow follow the ISA manual:
    /// x/0 = all ones, x%0 = x, MIN/-1 = MIN, MIN%-1 = 0.
    static func multiplyDivide(_ op: Op, _ a: UInt64, _ b: UInt64) -> UInt64 {
        let sa = Int64(bitPattern: a), sb = Int64(bitPattern: b)
        switch op {
        case .mulh:
            return UInt64(bitPattern: sa.multipliedFullWidth(by: sb).high)
        case .mulhu:
            return a.multipliedFullWidth(by: b).high
        case .mulhsu:
            // signed a × unsigned b: the unsigned high word, corrected for a's sign.
            let hi = a.multipliedFullWidth(by: b).high
            return sa < 0 ? hi &- b : hi
        case .div:
            if b == 0 { return UInt64.max }
            if sa == Int64.min && sb == -1 { return a }
            return UInt64(bitPattern: sa / sb)
        case .divu:
            return b == 0 ? UInt64.max : a / b
        case .rem:
            if b == 0 { return a }
            if sa == Int64.min && sb == -1 { return 0 }
            return UInt64(bitPattern: sa % sb)
        case .remu:
            return b == 0 ? a : a % b
        case .mulw:
            return sext32(a &* b)
        case .divw:
            let x = Int32(truncatingIfNeeded: a), y = Int32(truncatingIfNeeded: b)
            if y == 0 { return UInt64.max }
            if x == Int32.min && y == -1 { return sext32(UInt64(UInt32(bitPattern: x))) }
            return UInt64(bitPattern: Int64(x / y))
        case .divuw:
            let x = UInt32(truncatingIfNeeded: a), y = UInt32(truncatingIfNeeded: b)
            return y == 0 ? UInt64.max : sext32(UInt64(x / y))
        case .remw:
            let x = Int32(truncatingIfNeeded: a), y = Int32(truncatingIfNeeded: b)
            if y == 0 { return UInt64(bitPattern: Int64(x)) }
            if x == Int32.min && y == -1 { return 0 }
            return UInt64(bitPattern: Int64(x % y))
        case .remuw:
            let x = UInt32(truncatingIfNeeded: a), y = UInt32(truncatingIfNeeded: b)
            return sext32(UInt64(y == 0 ? x : x % y))
        default:
            return 0
        }
    }

    /// The run loop's entry (the operation and immediate read from the slot: see multiplyDivide).
    @inline(never)
    static func bitManipulation(_ p: UnsafeMutablePointer<DecodedInstruction>, _ a: UInt64, _ b: UInt64) -> UInt64 {
        bitManipulation(p.pointee.op, a, b, p.pointee.imm)
    }

    /// Zba, Zbb and Zbs: `a` = rs1, `b` = rs2, `imm` = shift amount of the immediate forms.
    static func bitManipulation(_ op: Op, _ a: UInt64, _ b: UInt64, _ imm: Int32) -> UInt64 {
        let lo = a & 0xffff_ffff
        let sh = UInt64(imm) & 63
        switch op {
        case .addUw: return b &+ lo
        case .sh1add: return b &+ (a << 1)
        case .sh2add: return b &+ (a << 2)
        case .sh3add: return b &+ (a << 3)
        case .sh1addUw: return b &+ (lo << 1)
        case .sh2addUw: return b &+ (lo << 2)
        case .sh3addUw: return b &+ (lo << 3)
        case .slliUw: return lo << sh
        case .andn: return a & ~b
        case .orn: return a | ~b
        case .xnor: return ~(a ^ b)
        case .bitCount: return bitCount(BitCount(rawValue: imm) ?? .clz, a)
        case .max: return Int64(bitPattern: a) > Int64(bitPattern: b) ? a : b
        case .maxu: return a > b ? a : b
        case .min: return Int64(bitPattern: a) < Int64(bitPattern: b) ? a : b
        case .minu: return a < b ? a : b
        case .sextB: return UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: a)))
        case .sextH: return UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: a)))
        case .zextH: return a & 0xffff
        case .rol: return rotateLeft(a, b & 63)
        case .ror: return rotateLeft(a, (64 - (b & 63)) & 63)
        case .rori: return rotateLeft(a, (64 - sh) & 63)
        case .rolw: return sext32(UInt64(rotateLeft32(UInt32(lo), UInt32(b & 31))))
        case .rorw: return sext32(UInt64(rotateLeft32(UInt32(lo), (32 - UInt32(b & 31)) & 31)))
        case .roriw: return sext32(UInt64(rotateLeft32(UInt32(lo), (32 - UInt32(sh & 31)) & 31)))
        case .rev8: return a.byteSwapped
        case .bitSingle:
            switch SingleBit(rawValue: imm) ?? .bclr {
            case .bclr: return a & ~(1 << (b & 63))
            case .bext: return (a >> (b & 63)) & 1
            case .binv: return a ^ (1 << (b & 63))
            case .bset: return a | (1 << (b & 63))
            }
        case .bclri: return a & ~(1 << sh)
        case .bexti: return (a >> sh) & 1
        case .binvi: return a ^ (1 << sh)
        case .bseti: return a | (1 << sh)
        default: return 0
        }
    }

    /// clz, clzw, ctz, ctzw, cpop, cpopw, orc.b of `a`.
    static func bitCount(_ operation: BitCount, _ a: UInt64) -> UInt64 {
        let lo = a & 0xffff_ffff
        switch operation {
        case .clz: return UInt64(a.leadingZeroBitCount)
        case .clzw: return UInt64(UInt32(truncatingIfNeeded: a).leadingZeroBitCount)
        case .ctz: return UInt64(a.trailingZeroBitCount)
        case .ctzw: return UInt64(UInt32(truncatingIfNeeded: a).trailingZeroBitCount)
        case .cpop: return UInt64(a.nonzeroBitCount)
        case .cpopw: return UInt64(lo.nonzeroBitCount)
        case .orcB:
            var out: UInt64 = 0
            for i: UInt64 in 0..<8 where (a >> (i * 8)) & 0xff != 0 { out |= 0xff << (i * 8) }
            return out
        }
    }

    @inline(__always) static func rotateLeft(_ v: UInt64, _ n: UInt64) -> UInt64 {
        n == 0 ? v : (v << n) | (v >> (64 - n))
    }

    @inline(__always) static func rotateLeft32(_ v: UInt32, _ n: UInt32) -> UInt32 {
        n == 0 ? v : (v << n) | (v >> (32 - n))
    }
}
