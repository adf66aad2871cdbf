import RISCV

// Which guest registers a block under translation keeps in host registers. A block is straight
// line (side exits leave it, nothing joins it), so the state only grows: a guest register gets a
// host register at its first use (loaded then, unless its first use writes it) and keeps it to
// the block's end. Registers changed since entry are "dirty": every exit writes them back.

struct RegisterCache {
    /// The caller-saved host registers of `pool`: a call into Swift must save them.
    static let callerSaved: [X86Register] = [.rsi, .rdi, .r8, .r9, .r10, .r11]
    /// Host registers free for guest values: the caller-saved ones plus rbp (saved by the entry
    /// trampoline). rax, rcx, rdx stay scratch for the translator.
    static let pool: [X86Register] = callerSaved + [.rbp]

    /// A set of pool entries (bit i: `pool[i]`), e.g. the dirty ones at an exit.
    struct Set {
        var bits: UInt8 = 0
    }

    /// Guest register index -> position in `pool` (-1: not cached).
    private var slot = [Int8](repeating: -1, count: Int(Registers.count))
    /// Guest register held by each used pool entry.
    private var owners: [UInt8] = []
    private(set) var dirty = Set()

    init() {
        owners.reserveCapacity(RegisterCache.pool.count)
    }

    func host(of guest: UInt8) -> X86Register? {
        let i = slot[Int(guest)]
        return i < 0 ? nil : RegisterCache.pool[Int(i)]
    }

    /// Gives `guest` the next free host register (nil when none is left).
    mutating func assign(_ guest: UInt8) -> X86Register? {
        guard owners.count < RegisterCache.pool.count else { return nil }
        slot[Int(guest)] = Int8(owners.count)
        owners.append(guest)
        return RegisterCache.pool[owners.count - 1]
    }

    mutating func markDirty(_ guest: UInt8) {
        dirty.bits |= 1 << UInt8(slot[Int(guest)])
    }

    /// After a write-back: nothing has changed since.
    mutating func markAllClean() {
        dirty = Set()
    }

    /// The guest registers of `set` with their host registers.
    func registers(in set: Set) -> [(guest: UInt8, host: X86Register)] {
        var result: [(guest: UInt8, host: X86Register)] = []
        for i in owners.indices where set.bits & (1 << UInt8(i)) != 0 {
            result.append((owners[i], RegisterCache.pool[i]))
        }
        return result
    }
}
