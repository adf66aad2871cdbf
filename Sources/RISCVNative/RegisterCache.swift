import RISCV

// Which guest registers a block under translation keeps in host registers. A block is straight
// line (side exits leave it, nothing joins it), so the state only grows: a guest register gets a
// host register at its first use (loaded then, unless its first use writes it) and keeps it to
// the block's end. Registers changed since entry are "dirty": every exit writes them back.

struct RegisterCache {
    /// Host registers free for guest values: caller-saved ones plus rbp (saved by the entry
    /// trampoline). rax, rcx, rdx stay scratch for the translator.
    static let pool: [X86Register] = [.rsi, .rdi, .r8, .r9, .r10, .r11, .rbp]

    /// Guest register index -> position in `pool` (-1: not cached).
    private var slot = [Int8](repeating: -1, count: Int(Registers.count))
    /// Guest register held by each used pool entry, and whether it changed.
    private var owners: [(guest: UInt8, dirty: Bool)] = []

    func host(of guest: UInt8) -> X86Register? {
        let i = slot[Int(guest)]
        return i < 0 ? nil : RegisterCache.pool[Int(i)]
    }

    /// Gives `guest` the next free host register (nil when none is left).
    mutating func assign(_ guest: UInt8) -> X86Register? {
        guard owners.count < RegisterCache.pool.count else { return nil }
        slot[Int(guest)] = Int8(owners.count)
        owners.append((guest, false))
        return RegisterCache.pool[owners.count - 1]
    }

    mutating func markDirty(_ guest: UInt8) {
        owners[Int(slot[Int(guest)])].dirty = true
    }

    /// After a write-back: nothing has changed since.
    mutating func markAllClean() {
        for i in owners.indices { owners[i].dirty = false }
    }

    /// The changed registers now, with their host registers.
    var dirty: [(guest: UInt8, host: X86Register)] {
        owners.indices.filter { owners[$0].dirty }.map { (owners[$0].guest, RegisterCache.pool[$0]) }
    }
}
