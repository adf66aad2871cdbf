import RISCV

// Which guest registers a block under translation keeps in host registers. A block is straight
// line (side exits leave it, nothing joins it): a guest register gets a host register at its
// first use (loaded then, unless its first use writes it) and keeps it until the translator
// evicts it to make room (`evict`: written back first when dirty; the translator picks the
// register used again furthest ahead, before an instruction starts). Registers changed since
// they were loaded are "dirty": every exit writes them back.
// A block that loops back to its own entry is translated a second time with the first
// translation's registers loaded up front (`preloading`): then the back edge jumps straight to
// the loop body with every value still in its host register, nothing new is cached, and every
// register the block writes anywhere counts as dirty everywhere (an earlier iteration changed it).

struct RegisterCache {
    /// The caller-saved host registers of `pool`: a call into Swift must save them.
    static let callerSaved: [X86Register] = [.rsi, .rdi, .r8, .r9, .r10, .r11]
    /// Host registers free for guest values: the caller-saved ones plus rbp, r12 and r13 (saved
    /// by the entry trampoline). rax, rcx, rdx stay scratch for the translator.
    static let pool: [X86Register] = callerSaved + [.rbp, .r12, .r13]
    /// `pool`'s size and registers as constants (a static array's every use goes through its
    /// lazy initialisation check): `pool[i]` is nibble i of `poolNibbles`.
    static let poolSize = 9
    private static let poolNibbles: UInt64 = 0xD_C5BA_9876
    @inline(__always) static func poolRegister(_ i: Int) -> X86Register {
        // X86Register's cases are its raw values 0...15 in order (`poolConstantsMatch` checks).
        unsafeBitCast(UInt8(truncatingIfNeeded: poolNibbles &>> UInt64(truncatingIfNeeded: 4 * i)) & 0xf, to: X86Register.self)
    }
    /// `poolNibbles` spells `pool` (checked once, when a tier starts).
    static var poolConstantsMatch: Bool { pool.count == poolSize && pool.indices.allSatisfy { poolRegister($0) == pool[$0] } }

    /// A set of pool entries (bit i: `pool[i]`), e.g. the dirty ones at an exit.
    struct Set {
        var bits: UInt16 = 0
    }

    /// The guest register each pool entry holds (`free`: none), a byte each, and which entries
    /// are in use: a few words, so the cache is copied (at every branch to the block's own code,
    /// every exit's snapshot) without an allocation, and a guest register is found among the
    /// entries by comparing all eight bytes of a word at once.
    private var owners = Owners()
    private var occupiedBits: UInt16 = 0
    private static let free: UInt8 = 0xff
    /// A register found the pool full (it stayed in memory): eviction would have helped.
    private(set) var overflowed = false
    private(set) var dirty = Set()
    /// Every register made dirty so far (`markAllClean` does not forget them).
    private(set) var written = Set()
    /// What `markAllClean` leaves dirty: nothing, or for a loop, everything it writes.
    private var clean = Set()
    /// Preloaded for a loop: no register gets a host register after the prologue.
    private var frozen = false

    init() {}

    /// The registers `first` cached, all loaded at entry, and what it wrote dirty throughout.
    init(preloading first: RegisterCache) {
        owners = first.owners
        occupiedBits = first.occupiedBits
        frozen = true
        clean = first.written
        dirty = first.written
        written = first.written
    }

    /// A loop's registers chosen by use (`guests`, at most the pool's size), all loaded at
    /// entry; those among `writes` dirty throughout.
    init(preloading guests: [UInt8], writes: [UInt8]) {
        for g in guests {
            _ = assign(g)
            if writes.contains(g) { markDirty(g) }
        }
        frozen = true
        clean = dirty
    }

    /// Takes `other`'s registers (a tail starts from the cache of a branch to it), still
    /// remembering an overflow seen so far.
    mutating func restart(from other: RegisterCache) {
        let seen = overflowed || other.overflowed
        self = other
        overflowed = seen
    }

    /// Pool entries in use.
    var count: Int { occupiedBits.nonzeroBitCount }
    var isEmpty: Bool { occupiedBits == 0 }
    var isFull: Bool { frozen || count == RegisterCache.poolSize }
    /// Every cached guest register with its host register.
    var all: RegisterList { registers(in: Set(bits: UInt16.max)) }

    /// The pool entry holding `guest`, if any.
    @inline(__always) func poolIndex(of guest: UInt8) -> Int? { owners.index(of: guest) }

    @inline(__always) func host(of guest: UInt8) -> X86Register? {
        guard let i = owners.index(of: guest) else { return nil }
        return RegisterCache.poolRegister(i)
    }

    /// Gives `guest` the first free host register (nil when none is left).
    mutating func assign(_ guest: UInt8) -> X86Register? {
        guard !frozen else { return nil }
        let i = (~occupiedBits).trailingZeroBitCount
        guard i < RegisterCache.poolSize else {
            overflowed = true
            return nil
        }
        precondition(guest != Self.free && owners.index(of: guest) == nil)
        owners[i] = guest
        occupiedBits |= 1 << UInt16(i)
        return RegisterCache.poolRegister(i)
    }

    /// The cached guest registers: a mask of pool entries in use.
    var occupied: UInt16 { occupiedBits }

    /// The guest register pool entry `i` holds (`occupied` says which do).
    func owner(_ i: Int) -> UInt8 { owners[i] }

    /// Frees `guest`'s host register; returns it when the value must be written back first
    /// (it was dirty). Not for a loop's preloaded cache.
    mutating func evict(_ guest: UInt8) -> X86Register? {
        guard let i = owners.index(of: guest) else { preconditionFailure("evicting a register not cached") }
        let wasDirty = dirty.bits & (1 << UInt16(i)) != 0
        dirty.bits &= ~(1 << UInt16(i))
        owners[i] = Self.free
        occupiedBits &= ~(1 << UInt16(i))
        return wasDirty ? RegisterCache.poolRegister(i) : nil
    }

    func isDirty(_ guest: UInt8) -> Bool {
        guard let i = owners.index(of: guest) else { return false }
        return dirty.bits & (1 << UInt16(i)) != 0
    }

    mutating func markDirty(_ guest: UInt8) {
        guard let i = owners.index(of: guest) else { preconditionFailure("marking a register not cached") }
        dirty.bits |= 1 << UInt16(i)
        written.bits |= 1 << UInt16(i)
    }

    /// After a write-back: nothing has changed since (in a loop, what it writes stays dirty:
    /// an earlier iteration may have changed it after this point).
    mutating func markAllClean() {
        dirty = clean
    }

    /// The guest registers of `set` with their host registers, as they are now.
    func registers(in set: Set) -> RegisterList {
        RegisterList(owners: owners, mask: set.bits & occupiedBits)
    }
}

/// Cached guest registers with their host registers, in pool order: a snapshot kept inline (an
/// exit's dirty registers, written back on the way out), iterated as (guest, host) pairs.
struct RegisterList: Sequence {
    fileprivate var owners: RegisterCache.Owners
    /// The pool entries listed.
    fileprivate var mask: UInt16

    static let empty = RegisterList(owners: RegisterCache.Owners(), mask: 0)

    var isEmpty: Bool { mask == 0 }

    struct Iterator: IteratorProtocol {
        fileprivate let owners: RegisterCache.Owners
        fileprivate var mask: UInt16

        mutating func next() -> (guest: UInt8, host: X86Register)? {
            guard mask != 0 else { return nil }
            let i = mask.trailingZeroBitCount
            mask &= mask &- 1
            return (owners[i], RegisterCache.poolRegister(i))
        }
    }

    func makeIterator() -> Iterator { Iterator(owners: owners, mask: mask) }
}

extension RegisterCache {
    /// A byte per pool entry (the guest register it holds, `free` if none).
    typealias Owners = Bytes16
}

/// Sixteen bytes in two words (all 0xff at first).
struct Bytes16 {
    private var low: UInt64 = .max
    private var high: UInt64 = .max

    subscript(_ i: Int) -> UInt8 {
        get {
            precondition(i >= 0 && i < 16)
            let shift = UInt64(truncatingIfNeeded: (i & 7) * 8)
            return UInt8(truncatingIfNeeded: (i < 8 ? low : high) &>> shift)
        }
        set {
            precondition(i >= 0 && i < 16)
            let shift = UInt64(truncatingIfNeeded: (i & 7) * 8)
            let cleared = ~(UInt64(0xff) &<< shift), value = UInt64(newValue) &<< shift
            if i < 8 { low = low & cleared | value } else { high = high & cleared | value }
        }
    }

    /// The first byte equal to `value` (not 0xff), comparing eight bytes at once: a byte of
    /// `word ^ value × 0x0101...` is zero where they match, and the lowest byte flagged by the
    /// borrow trick is always a true zero.
    @inline(__always) func index(of value: UInt8) -> Int? {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let pattern = UInt64(value) &* ones
        let x = low ^ pattern
        let found = (x &- ones) & ~x & highs
        if found != 0 { return found.trailingZeroBitCount >> 3 }
        let y = high ^ pattern
        let foundHigh = (y &- ones) & ~y & highs
        return foundHigh != 0 ? 8 + foundHigh.trailingZeroBitCount >> 3 : nil
    }
}
