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

    /// A set of pool entries (bit i: `pool[i]`), e.g. the dirty ones at an exit.
    struct Set {
        var bits: UInt16 = 0
    }

    /// Guest register index -> position in `pool` (-1: not cached).
    private var slot = [Int8](repeating: -1, count: Int(Registers.count))
    /// Guest register held by each pool entry (`free`: none).
    private var owners = [UInt8](repeating: RegisterCache.free, count: RegisterCache.pool.count)
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
    var isFull: Bool { frozen || count == RegisterCache.pool.count }
    /// Every cached guest register with its host register.
    var all: [(guest: UInt8, host: X86Register)] { registers(in: Set(bits: UInt16.max)) }

    func host(of guest: UInt8) -> X86Register? {
        let i = slot[Int(guest)]
        return i < 0 ? nil : RegisterCache.pool[Int(i)]
    }

    /// Gives `guest` the first free host register (nil when none is left).
    mutating func assign(_ guest: UInt8) -> X86Register? {
        guard !frozen else { return nil }
        guard let i = owners.firstIndex(of: Self.free) else {
            overflowed = true
            return nil
        }
        slot[Int(guest)] = Int8(i)
        owners[i] = guest
        count += 1
        return RegisterCache.pool[i]
    }

    /// The cached guest registers (with whether each is dirty).
    var cachedRegisters: [(guest: UInt8, dirty: Bool)] {
        owners.indices.filter { owners[$0] != Self.free }.map { (owners[$0], dirty.bits & (1 << UInt16($0)) != 0) }
    }

    /// Frees `guest`'s host register; returns it when the value must be written back first
    /// (it was dirty). Not for a loop's preloaded cache.
    mutating func evict(_ guest: UInt8) -> X86Register? {
        let i = Int(slot[Int(guest)])
        let wasDirty = dirty.bits & (1 << UInt16(i)) != 0
        dirty.bits &= ~(1 << UInt16(i))
        slot[Int(guest)] = -1
        owners[i] = Self.free
        count -= 1
        return wasDirty ? RegisterCache.pool[i] : nil
    }

    func isDirty(_ guest: UInt8) -> Bool {
        let i = slot[Int(guest)]
        return i >= 0 && dirty.bits & (1 << UInt16(i)) != 0
    }

    mutating func markDirty(_ guest: UInt8) {
        dirty.bits |= 1 << UInt16(slot[Int(guest)])
        written.bits |= 1 << UInt16(slot[Int(guest)])
    }

    /// After a write-back: nothing has changed since (in a loop, what it writes stays dirty:
    /// an earlier iteration may have changed it after this point).
    mutating func markAllClean() {
        dirty = clean
    }

    /// The guest registers of `set` with their host registers.
    func registers(in set: Set) -> [(guest: UInt8, host: X86Register)] {
        var result: [(guest: UInt8, host: X86Register)] = []
        for i in owners.indices where owners[i] != Self.free && set.bits & (1 << UInt16(i)) != 0 {
            result.append((owners[i], RegisterCache.pool[i]))
        }
        return result
    }
}
