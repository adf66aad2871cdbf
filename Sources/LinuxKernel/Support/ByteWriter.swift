/// Builds little-endian byte images of Linux structures (stat, dirent, sigframe…) before they are
/// copied to the guest.
struct ByteWriter {
    var bytes: [UInt8]
    init(capacity: Int = 64) { bytes = []; bytes.reserveCapacity(capacity) }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { append(v) }
    mutating func u32(_ v: UInt32) { append(v) }
    mutating func u64(_ v: UInt64) { append(v) }
    mutating func i32(_ v: Int32) { append(UInt32(bitPattern: v)) }
    mutating func i64(_ v: Int64) { append(UInt64(bitPattern: v)) }
    mutating func append(_ data: [UInt8]) { bytes.append(contentsOf: data) }
    mutating func zeros(_ n: Int) { for _ in 0..<n { bytes.append(0) } }
    mutating func align(_ a: Int) { while bytes.count % a != 0 { bytes.append(0) } }

    private mutating func append<T: FixedWidthInteger>(_ v: T) {
        var x = v.littleEndian
        for _ in 0..<(T.bitWidth / 8) { bytes.append(UInt8(truncatingIfNeeded: x)); x >>= 8 }
    }
}

/// Reads little-endian fields out of a byte image copied in from the guest.
struct ByteReader {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func u8(_ at: Int) -> UInt8 { at < bytes.count ? bytes[at] : 0 }
    func u16(_ at: Int) -> UInt16 { UInt16(truncatingIfNeeded: value(at, 2)) }
    func u32(_ at: Int) -> UInt32 { UInt32(truncatingIfNeeded: value(at, 4)) }
    func u64(_ at: Int) -> UInt64 { value(at, 8) }
    func i32(_ at: Int) -> Int32 { Int32(bitPattern: u32(at)) }
    func i64(_ at: Int) -> Int64 { Int64(bitPattern: u64(at)) }

    private func value(_ at: Int, _ size: Int) -> UInt64 {
        var v: UInt64 = 0
        var i = size - 1
        while i >= 0 {
            v = (v << 8) | UInt64(at + i < bytes.count && at + i >= 0 ? bytes[at + i] : 0)
            i -= 1
        }
        return v
    }
}

/// `withUnsafeMutableBytes` for a body that throws `Errno` (the standard one only rethrows
/// untyped errors).
func withMutableBytes<R>(_ array: inout [UInt8], _ body: (UnsafeMutableRawBufferPointer) throws(Errno) -> R) throws(Errno) -> R {
    var result: R?
    var failure: Errno?
    array.withUnsafeMutableBytes { b in
        do throws(Errno) { result = try body(b) } catch { failure = error }
    }
    if let f = failure { throw f }
    return result!
}

/// `withUnsafeBytes` for a body that throws `Errno`.
func withBytes<R>(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(Errno) -> R) throws(Errno) -> R {
    var result: R?
    var failure: Errno?
    array.withUnsafeBytes { b in
        do throws(Errno) { result = try body(b) } catch { failure = error }
    }
    if let f = failure { throw f }
    return result!
}
