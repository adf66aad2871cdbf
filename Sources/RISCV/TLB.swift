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
    package static let entries = 1024
    package static let mask = UInt64(entries - 1)
    static let codeEntries = 512
    static let codeMask = UInt64(codeEntries - 1)
    static let invalidTag = UInt64.max

    static func allocate() -> UnsafeMutablePointer<TLBEntry> {
        let t = UnsafeMutablePointer<TLBEntry>.allocate(capacity: entries)
        t.initialize(repeating: TLBEntry(tag: invalidTag, addend: 0), count: entries)
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
    @inline(__always)
    package static func host(_ address: UInt64, _ e: TLBEntry) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: address &+ e.addend)).unsafelyUnwrapped
    }
}
