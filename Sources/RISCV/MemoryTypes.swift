// Access rights, access kinds and the fault a guest memory access can raise.

/// Guest page permissions (the PROT_* bits of mmap/mprotect).
public struct MemoryProtection: OptionSet, Equatable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let read = MemoryProtection(rawValue: 1)
    public static let write = MemoryProtection(rawValue: 2)
    public static let execute = MemoryProtection(rawValue: 4)
}

/// What an access tried to do with guest memory.
public enum AccessKind: Equatable {
    case read, write, execute
}

/// A failed guest memory access: the first byte that could not be accessed, what the access was,
/// and whether the page is unmapped (SIGSEGV/SEGV_MAPERR) or only lacks permission (SEGV_ACCERR).
/// `isMisaligned` marks a misaligned atomic access (SIGBUS/BUS_ADRALN on Linux).
public struct MemoryFault: Error, Equatable {
    public var address: UInt64
    public var kind: AccessKind
    public var isUnmapped: Bool
    public var isMisaligned: Bool

    public init(address: UInt64, kind: AccessKind, isUnmapped: Bool, isMisaligned: Bool = false) {
        self.address = address
        self.kind = kind
        self.isUnmapped = isUnmapped
        self.isMisaligned = isMisaligned
    }
}
