// Software TLBs in front of the page table: direct-mapped, one per access kind. A data entry
// turns a guest address into a host address with one compare and one add; the code TLB maps a
// guest page to its pre-decoded instructions.

/// Data TLB entry: `tag` is the guest page number, host address = guest address &+ `addend`.
package struct TLBEntry {
    package var tag: UInt64
    package var addend: UInt64
}

/// Code TLB entry: guest page number -> the page's decoded instruction slots.
struct CodeTLBEntry {
    var tag: UInt64
    var slots: UnsafeMutablePointer<DecodedInstruction>?
}

package enum TLB {
    // Computed, so that the CPUs' inlined fast paths (in other modules too) fold them.
    // 4096 natively: compiled code's refills were 11% of sqlite's profile with 1024 (its working
    // set is larger than 1024 pages); the wasm core (interpreter only) keeps 1024, where a larger
    // TLB helped sqlite 3% and cost python 2% (2026-12-06).
    #if SKIFF_WASI
    @_transparent package static var entries: Int { 1024 }
    #else
    @_transparent package static var entries: Int { 4096 }
    #endif
    @_transparent package static var mask: UInt64 { UInt64(entries - 1) }
    // Computed too: a stored `static let` is a lazily initialised global in Embedded Swift,
    // checked on every code TLB probe of the run loop.
    @_transparent static var codeEntries: Int { 512 }
    @_transparent static var codeMask: UInt64 { UInt64(codeEntries - 1) }
    @_transparent static var invalidTag: UInt64 { UInt64.max }

    /// `count` empty TLBs one after the other (the read TLB and the write TLB).
    static func allocate(count: Int) -> UnsafeMutablePointer<TLBEntry> {
        let t = UnsafeMutablePointer<TLBEntry>.allocate(capacity: entries * count)
        t.initialize(repeating: TLBEntry(tag: invalidTag, addend: 0), count: entries * count)
        return t
    }

    static func allocateCode() -> UnsafeMutablePointer<CodeTLBEntry> {
        let t = UnsafeMutablePointer<CodeTLBEntry>.allocate(capacity: codeEntries)
        t.initialize(repeating: CodeTLBEntry(tag: invalidTag, slots: nil), count: codeEntries)
        return t
    }

    static func flush(_ t: UnsafeMutablePointer<TLBEntry>) {
        for i in 0..<entries { t[i].tag = invalidTag }
    }

    static func flush(_ t: UnsafeMutablePointer<CodeTLBEntry>) {
        for i in 0..<codeEntries { t[i].tag = invalidTag }
    }

    @inline(__always) static func flush(_ t: UnsafeMutablePointer<TLBEntry>, vpn: UInt64) {
        let i = Int(vpn & mask)
        if t[i].tag == vpn { t[i].tag = invalidTag }
    }

    @inline(__always) static func flush(_ t: UnsafeMutablePointer<CodeTLBEntry>, vpn: UInt64) {
        let i = Int(vpn & codeMask)
        if t[i].tag == vpn { t[i].tag = invalidTag }
    }

    /// The host address of guest `address` through a matching entry (never null: entries are
    /// filled from host frame addresses). Callers compare the tag first: index by the access's
    /// first byte, tag with its last byte's page, so page-crossing accesses miss with one
    /// compare.
    @_transparent
    package static func host(_ address: UInt64, _ e: TLBEntry) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: address &+ e.addend)).unsafelyUnwrapped
    }

    /// The fast path of a run loop's load through `tlb` (both CPUs' interpreters): the value,
    /// or nil when the entry misses (the caller then takes `GuestMemory.loadMiss`). Inlinable:
    /// a call into this module per memory access cost the x86-64 interpreter two thirds of its
    /// speed; transparent, because an @inlinable generic was neither inlined nor specialized
    /// in the X86 module's (very large) run loop.
    @_transparent
    package static func load<T: FixedWidthInteger & BitwiseCopyable>(_ tlb: UnsafeMutablePointer<TLBEntry>, _ address: UInt64, _: T.Type) -> T? {
        let e = tlb[Int((address >> 12) & mask)]
        if _fastPath(e.tag == (address &+ UInt64(MemoryLayout<T>.size &- 1)) >> 12) {
            return host(address, e).loadUnaligned(as: T.self)
        }
        return nil
    }

    /// The fast path of a run loop's store: false when the entry misses (then `storeMiss`).
    @_transparent
    package static func store<T: FixedWidthInteger & BitwiseCopyable>(_ tlb: UnsafeMutablePointer<TLBEntry>, _ address: UInt64, _ value: T) -> Bool {
        let e = tlb[Int((address >> 12) & mask)]
        if _fastPath(e.tag == (address &+ UInt64(MemoryLayout<T>.size &- 1)) >> 12) {
            host(address, e).storeBytes(of: value, as: T.self)
            return true
        }
        return false
    }
}
