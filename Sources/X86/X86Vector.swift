// A 128-bit xmm value as two 64-bit halves, read and built by lanes of 8, 16, 32 and 64 bits
// (no arrays: nothing is allocated, in Embedded Swift either).

struct X86Vector {
    var lo: UInt64
    var hi: UInt64

    @inline(__always) init(_ lo: UInt64, _ hi: UInt64) { self.lo = lo; self.hi = hi }

    @inline(__always) func u8(_ i: Int) -> UInt64 { ((i < 8 ? lo : hi) >> UInt64((i & 7) * 8)) & 0xff }
    @inline(__always) func u16(_ i: Int) -> UInt64 { ((i < 4 ? lo : hi) >> UInt64((i & 3) * 16)) & 0xffff }
    @inline(__always) func u32(_ i: Int) -> UInt64 { ((i < 2 ? lo : hi) >> UInt64((i & 1) * 32)) & 0xffff_ffff }
    @inline(__always) func u64(_ i: Int) -> UInt64 { i == 0 ? lo : hi }
    @inline(__always) func s8(_ i: Int) -> Int { Int(Int8(truncatingIfNeeded: u8(i))) }
    @inline(__always) func s16(_ i: Int) -> Int { Int(Int16(truncatingIfNeeded: u16(i))) }
    @inline(__always) func s32(_ i: Int) -> Int64 { Int64(Int32(truncatingIfNeeded: u32(i))) }

    /// Element `i` of a pcmpXstrX operand: bytes or (words) words, unsigned or (signed) signed.
    @inline(__always) func element(_ i: Int, words: Bool, signed: Bool) -> Int {
        words ? (signed ? s16(i) : Int(u16(i))) : (signed ? s8(i) : Int(u8(i)))
    }

    /// A vector of `lanes` lanes of `bits` bits, lane i being the low bits of f(i).
    @inline(__always) static func build(_ bits: Int, _ f: (Int) -> UInt64) -> X86Vector {
        let lanes = 128 / bits, half = lanes / 2
        let mask: UInt64 = bits == 64 ? .max : (1 << UInt64(bits)) - 1
        var v = X86Vector(0, 0)
        for i in 0..<lanes {
            let x = (f(i) & mask) << UInt64((i % half) * bits)
            if i < half { v.lo |= x } else { v.hi |= x }
        }
        return v
    }
    @inline(__always) static func bytes(_ f: (Int) -> UInt64) -> X86Vector { build(8, f) }
    @inline(__always) static func words(_ f: (Int) -> UInt64) -> X86Vector { build(16, f) }
    @inline(__always) static func dwords(_ f: (Int) -> UInt64) -> X86Vector { build(32, f) }
    @inline(__always) static func qwords(_ f: (Int) -> UInt64) -> X86Vector { X86Vector(f(0), f(1)) }
}

@inline(__always) func x86Bits(_ v: Int) -> UInt64 { UInt64(bitPattern: Int64(v)) }
@inline(__always) func x86Bits(_ v: Int64) -> UInt64 { UInt64(bitPattern: v) }
