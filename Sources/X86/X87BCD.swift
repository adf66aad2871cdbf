// The x87's 80-bit packed BCD format (fbld, fbstp): 18 decimal digits, two a byte, the least
// significant byte first (its low nibble the lowest digit), and the sign in bit 7 of byte 9
// (the rest of byte 9 ignored). Values up to 10^18 - 1 are exact in an extended register.

extension X87Math {
    /// The BCD indefinite fbstp stores for NaNs, infinities and out-of-range values: bytes 9...0
    /// FF FF C0 00 00 00 00 00 00 00 (low: bytes 0-7, high: bytes 8-9).
    static let bcdIndefinite: (low: UInt64, high: UInt16) = (0xc000_0000_0000_0000, 0xffff)

    /// fbld: the value of a packed BCD operand. A nibble above 9 (undefined per Intel) counts
    /// with its binary value at its decimal position, as the host CPU does.
    static func fromBCD(low: UInt64, high: UInt16) -> X87Float {
        @inline(__always) func digits(_ byte: UInt64) -> UInt64 { (byte >> 4 & 15) &* 10 &+ (byte & 15) }
        var n = digits(UInt64(high & 0xff))
        for shift in stride(from: 56, through: 0, by: -8) {
            n = n &* 100 &+ digits(low >> UInt64(shift) & 0xff)
        }
        let v = n == 0 ? X87Float.zero(false) : fromInteger(Int64(bitPattern: n))
        return high & 0x8000 != 0 ? v.negated : v
    }

    /// fbstp: x rounded to an integer (RC `mode`) in packed BCD, and the flags: invalid (the BCD
    /// indefinite stored) for NaNs, infinities, unsupported values and magnitudes of 10^18 or
    /// more after rounding; precision when inexact (C1: rounded up). No denormal flag, as on
    /// the host. The sign is kept for results that round to zero.
    static func toBCD(_ x: X87Float, mode: UInt8) -> (low: UInt64, high: UInt16, flags: UInt16) {
        let invalid = (bcdIndefinite.low, bcdIndefinite.high, X87Exception.invalid)
        if x.isUnsupported || x.isNaN || x.isInfinity { return invalid }
        let sign: UInt16 = x.negative ? 0x8000 : 0
        if x.isZero { return (0, sign, 0) }
        let (magnitude, flags) = integerPart(x, mode: mode)
        guard var n = magnitude, n <= 999_999_999_999_999_999 else { return invalid }
        var low: UInt64 = 0
        for k in 0..<8 {
            low |= ((n % 10) | (n / 10 % 10) << 4) << UInt64(8 * k)
            n /= 100
        }
        return (low, sign | UInt16(n % 10 | (n / 10) << 4), flags)
    }
}
