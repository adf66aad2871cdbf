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
        X86Register(rawValue: UInt8(truncatingIfNeeded: poolNibbles &>> UInt64(truncatingIfNeeded: 4 * i)) & 0xf)!
    }
    /// `poolNibbles` spells `pool` (checked once, when a tier starts).
    static var poolConstantsMatch: Bool { pool.count == poolSize && pool.indices.allSatisfy { poolRegister($0) == pool[$0] } }

    /// A set of pool entries (bit i: `pool[i]`), e.g. the dirty ones at an exit.
    struct Set {
        var bits: UInt16 = 0
    }

    /// Guest register index -> position in `pool` (0xff: not cached), a byte per register kept
    /// inline (as are `owners`), so the cache is copied (at every branch to the block's own code,
    /// every exit's snapshot) without an allocation or reference counting.
    private var slot = SlotBytes()
    /// Guest register held by each pool entry (`free`: none).
    private var owners = Owners()
    private static let free: UInt8 = 0xff
    /// Pool entries in use.
    private(set) var count = 0
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
        slot = first.slot
        owners = first.owners
        count = first.count
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

    var isEmpty: Bool { count == 0 }
    var isFull: Bool { frozen || count == RegisterCache.poolSize }
    /// Every cached guest register with its host register.
    var all: RegisterList { registers(in: Set(bits: UInt16.max)) }

    @inline(__always) func host(of guest: UInt8) -> X86Register? {
        let i = slot[guest]
        return i == Self.free ? nil : RegisterCache.poolRegister(Int(i))
    }

    /// Gives `guest` the first free host register (nil when none is left).
    mutating func assign(_ guest: UInt8) -> X86Register? {
        guard !frozen else { return nil }
        guard let i = owners.firstFree(RegisterCache.poolSize) else {
            overflowed = true
            return nil
        }
        slot[guest] = UInt8(i)
        owners[i] = guest
        count += 1
        return RegisterCache.poolRegister(i)
    }

    /// The cached guest registers: a mask of pool entries in use.
    var occupied: UInt16 { owners.occupied(RegisterCache.poolSize) }

    /// The guest register pool entry `i` holds (`occupied` says which do).
    func owner(_ i: Int) -> UInt8 { owners[i] }

    /// Frees `guest`'s host register; returns it when the value must be written back first
    /// (it was dirty). Not for a loop's preloaded cache.
    mutating func evict(_ guest: UInt8) -> X86Register? {
        let i = Int(slot[guest])
        let wasDirty = dirty.bits & (1 << UInt16(i)) != 0
        dirty.bits &= ~(1 << UInt16(i))
        slot[guest] = Self.free
        owners[i] = Self.free
        count -= 1
        return wasDirty ? RegisterCache.poolRegister(i) : nil
    }

    func isDirty(_ guest: UInt8) -> Bool {
        let i = slot[guest]
        return i != Self.free && dirty.bits & (1 << UInt16(i)) != 0
    }

    mutating func markDirty(_ guest: UInt8) {
        let i = slot[guest]
        precondition(i != Self.free)
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
        RegisterList(owners: owners, mask: set.bits & occupied)
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
    /// A byte per guest register (`Registers.count` of them), inline.
    struct SlotBytes {
        private var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                            UInt64, UInt64) = (.max, .max, .max, .max, .max, .max, .max, .max, .max, .max, .max, .max, .max, .max)

        subscript(_ guest: UInt8) -> UInt8 {
            get {
                precondition(Int(guest) < 112)
                return withUnsafeBytes(of: words) { $0[Int(guest)] }
            }
            set {
                precondition(Int(guest) < 112)
                withUnsafeMutableBytes(of: &words) { $0[Int(guest)] = newValue }
            }
        }
    }

    /// A byte per pool entry (the guest register it holds, `free` if none).
    typealias Owners = Bytes16

    /// The pool entry holding `guest`, if any.
    func poolIndex(of guest: UInt8) -> Int? {
        let i = slot[guest]
        return i == Self.free ? nil : Int(i)
    }
}

/// Sixteen bytes kept inline (all 0xff at first).
struct Bytes16 {
    private var words: (UInt64, UInt64) = (.max, .max)

    subscript(_ i: Int) -> UInt8 {
        get {
            precondition(i >= 0 && i < 16)
            return withUnsafeBytes(of: words) { $0[i] }
        }
        set {
            precondition(i >= 0 && i < 16)
            withUnsafeMutableBytes(of: &words) { $0[i] = newValue }
        }
    }

    /// The first of the first `n` bytes that is 0xff (a free pool entry).
    func firstFree(_ n: Int) -> Int? {
        for i in 0..<n where self[i] == 0xff { return i }
        return nil
    }

    /// The first `n` bytes that are not 0xff (pool entries in use), as a mask.
    func occupied(_ n: Int) -> UInt16 {
        var m: UInt16 = 0
        for i in 0..<n where self[i] != 0xff { m |= 1 << UInt16(i) }
        return m
    }
}
