// Sign extension to 64 bits, spelled as a shift pair. Embedded Swift's integer conversions
// (`Int64(Int32)`, `Int64(truncatingIfNeeded: Int16)`) reach LLVM through the generic
// BinaryInteger path as `zext(x ^ (x >> 31)) ^ sext(x >> 31)`, which the wasm32 backend
// never folds back into one `i64.extend_i32_s`: six wasm instructions (five host instructions
// after Cranelift) on every immediate, `*w` result and signed load of the run loop. A shift
// pair is recognised as a sign extension on every target (one `movsx` on x86-64).

/// The low 32 bits of `v`, sign-extended.
@inline(__always) func sext32(_ v: UInt64) -> UInt64 {
    UInt64(bitPattern: Int64(bitPattern: v &<< 32) &>> 32)
}

/// The low 16 bits of `v`, sign-extended.
@inline(__always) func sext16(_ v: UInt64) -> UInt64 {
    UInt64(bitPattern: Int64(bitPattern: v &<< 48) &>> 48)
}

/// The low 8 bits of `v`, sign-extended.
@inline(__always) func sext8(_ v: UInt64) -> UInt64 {
    UInt64(bitPattern: Int64(bitPattern: v &<< 56) &>> 56)
}

/// `v` sign-extended (the 32-bit fields of pre-decoded instructions).
@inline(__always) func sext(_ v: Int32) -> UInt64 {
    sext32(UInt64(UInt32(bitPattern: v)))
}
