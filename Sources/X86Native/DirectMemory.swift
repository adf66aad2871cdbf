#if canImport(Glibc)
import Glibc
import RISCV
import RISCVNative

// Guest memory mapped directly for compiled code (an experiment: `SKIFF_JIT_DIRECT=1`, which
// also takes guest frames from `FrameArena`). Each address space with a tier reserves
// `size` bytes of host address space, R; compiled code reaches guest address A at R + A with one
// `mov` after a flag-free check that A is below `size`. R starts inaccessible and works as a TLB
// kept by the host's MMU: a host fault in compiled code at R + A maps that page of the frame file
// there when the interpreter's read or write TLB holds it (read-only from the read TLB, read-write
// from the write TLB) and retries; otherwise it sends the access to its exit stub, which leaves to
// the interpreter for that instruction (which faults, copies on write, or fills its TLB), exactly
// as a TLB miss does. Whatever drops a TLB entry drops R's page too (`GuestMemory.directInvalidate`).
final class DirectMemory {
    static let size = 1 << 38
    /// Where compiled code finds R's base: a context word the x86-64 tier does not otherwise
    /// use (RISCVNative's access-group slots).
    static let baseOffset: Int32 = 64
    static let enabled = FrameArena.shared != nil && X86Assembler.hostHasBMI2
    /// Never mapped after R: an access that starts below `size` and runs past it faults there.
    static let guardBytes = 1 << 16

    /// A host code range whose faults go to `stub` (one per compiled memory access).
    struct Site {
        var start: UInt
        var end: UInt
        var stub: UInt
    }

    let base: UnsafeMutableRawPointer
    private unowned(unsafe) let memory: GuestMemory
    private let arena: FrameArena
    private let readTLB: UnsafeMutablePointer<TLBEntry>
    private let writeTLB: UnsafeMutablePointer<TLBEntry>
    private var sites: UnsafeMutablePointer<Site>
    private var count = 0
    private var capacity = 1024
    private(set) var mapped = 0, faults = 0
    /// Per guest page of R: 0 inaccessible, `readable` (mapped read-only), `writable`.
    private let state: UnsafeMutablePointer<UInt8>
    /// The pages mapped in R (each once; a large invalidation goes through them).
    private var pages: [Int] = []
    static let readable: UInt8 = 1, writable: UInt8 = 2

    init?(memory: GuestMemory) {
        guard Self.enabled, let arena = FrameArena.shared,
              let p = mmap(nil, Self.size + Self.guardBytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              p != MAP_FAILED
        else { return nil }
        guard let m = mmap(nil, Self.size >> 12, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              m != MAP_FAILED
        else { munmap(p, Self.size + Self.guardBytes); return nil }
        state = m.bindMemory(to: UInt8.self, capacity: Self.size >> 12)
        base = p
        self.memory = memory
        self.arena = arena
        readTLB = memory.readTLB
        writeTLB = memory.writeTLB
        sites = .allocate(capacity: capacity)
        Self.install()
        Self.register(self)
    }

    deinit {
        Self.unregister(self)
        munmap(base, Self.size + Self.guardBytes)
        munmap(state, Self.size >> 12)
        sites.deallocate()
    }

    /// Pages [first, end) are no longer what R shows (`writesOnly`: their write TLB entries went,
    /// e.g. at fork or when a page starts holding code, so they stay readable): their mappings
    /// in R go (are made read-only). Only pages mapped are touched, a run at a time.
    func invalidate(_ first: UInt64, _ end: UInt64, writesOnly: Bool) {
        let limit = UInt64(Self.size >> 12)
        let lo = Int(min(first, limit)), hi = Int(min(end, limit))
        if lo >= hi || pages.isEmpty { return }
        let least = writesOnly ? Self.writable : Self.readable
        var run = (start: 0, end: 0)
        func flushRun() {
            if run.end == run.start { return }
            let at = base + run.start << 12, length = (run.end - run.start) << 12
            if writesOnly {
                mprotect(at, length, PROT_READ)
            } else {
                mmap(at, length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0)
            }
            run = (0, 0)
        }
        func drop(_ vpn: Int) {
            guard state[vpn] >= least else { return flushRun() }
            state[vpn] = writesOnly ? Self.readable : 0
            if run.end != vpn { flushRun(); run = (vpn, vpn) }
            run.end = vpn + 1
        }
        if hi - lo <= 64 {
            for vpn in lo..<hi { drop(vpn) }
            flushRun()
            return
        }
        // A large range: through the list of mapped pages, in order, runs coalesced.
        pages.sort()
        var kept: [Int] = []
        kept.reserveCapacity(pages.count)
        for vpn in pages where kept.last != vpn {
            if vpn >= lo && vpn < hi { drop(vpn) }
            if state[vpn] != 0 { kept.append(vpn) }
        }
        flushRun()
        pages = kept
    }

    /// Records a compiled block's access sites (in host address order: blocks are placed one
    /// after the other until the buffer is flushed).
    func add(_ new: [Site]) {
        for s in new {
            if count == capacity {
                let bigger = UnsafeMutablePointer<Site>.allocate(capacity: capacity * 2)
                bigger.moveInitialize(from: sites, count: count)
                sites.deallocate()
                sites = bigger
                capacity *= 2
            }
            sites[count] = s
            count += 1
        }
    }

    /// The code buffer was flushed: no site is left.
    func clearSites() { count = 0 }

    /// A host fault at `pc` on host address `address`: the pc to continue at (the same one once
    /// the page is mapped, or the access's stub), nil when the fault is not one of ours.
    func handle(pc: UInt, address: UInt, write: Bool) -> UInt? {
        guard count > 0, pc >= sites[0].start, pc < sites[count - 1].end else { return nil }
        let offset = address &- UInt(bitPattern: base)
        if offset < UInt(Self.size) {
            let vpn = UInt64(offset >> 12)
            let slot = Int(vpn & TLB.mask)
            // Not in the TLB the access needs: fill it as a TLB miss of compiled code does (the
            // fault is synchronous, in compiled code, which holds no lock: this is as safe as
            // the call a probe's miss makes). An access the fast path cannot take goes to the stub.
            if (write ? writeTLB : readTLB)[slot].tag != vpn && !memory.refillForDirect(UInt64(offset), write: write) {
                return stub(pc)
            }
            var frame: UInt?
            var protection = PROT_READ
            if writeTLB[slot].tag == vpn {
                frame = UInt(truncatingIfNeeded: writeTLB[slot].addend &+ (vpn << 12))
                protection |= PROT_WRITE
            } else if !write && readTLB[slot].tag == vpn {
                frame = UInt(truncatingIfNeeded: readTLB[slot].addend &+ (vpn << 12))
            }
            if let frame, let p = UnsafeRawPointer(bitPattern: frame), arena.contains(p),
               mmap(base + Int(offset & ~0xfff), 4096, protection, MAP_SHARED | MAP_FIXED | MAP_POPULATE, arena.fd,
                    off_t(Int(bitPattern: frame) - Int(bitPattern: arena.base))) != MAP_FAILED {
                let page = Int(vpn)
                if state[page] == 0 { pages.append(page) }
                state[page] = protection & PROT_WRITE != 0 ? Self.writable : Self.readable
                mapped += 1
                return pc
            }
        }
        return stub(pc)
    }

    /// The stub of the access at `pc`: the last site starting at or before it.
    private func stub(_ pc: UInt) -> UInt? {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sites[mid].start <= pc { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0, pc < sites[lo - 1].end else { return nil }
        faults += 1
        return sites[lo - 1].stub
    }

    // MARK: The host signal handler

    private static var active: [DirectMemory] = []
    private static var installed = false
    /// The actions before ours (HostTerminalMode's, which restores the terminal), put back for a
    /// fault that is not compiled code's.
    private static var previous = (sigaction(), sigaction())

    private static func register(_ d: DirectMemory) { active.append(d) }
    private static func unregister(_ d: DirectMemory) { active.removeAll { $0 === d } }

    private static func install() {
        if installed { return }
        installed = true
        var sa = sigaction()
        sa.sa_flags = SA_SIGINFO | SA_NODEFER
        sigemptyset(&sa.sa_mask)
        sa.__sigaction_handler.sa_sigaction = { sig, info, context in
            guard let info, let context else { return }
            let uc = context.assumingMemoryBound(to: ucontext_t.self)
            let address = UInt(bitPattern: info.pointee._sifields._sigfault.si_addr)
            let handled: Bool = withUnsafeMutablePointer(to: &uc.pointee.uc_mcontext.gregs) { g in
                // gregs: REG_RIP is 16, REG_ERR 19 (bit 1: a write).
                let regs = UnsafeMutableRawPointer(g).assumingMemoryBound(to: Int64.self)
                let pc = UInt(bitPattern: Int(regs[16]))
                let write = regs[19] & 2 != 0
                for d in DirectMemory.active {
                    if let next = d.handle(pc: pc, address: address, write: write) {
                        regs[16] = Int64(Int(bitPattern: next))
                        return true
                    }
                }
                return false
            }
            if !handled {
                // Not compiled code's: the fault it always was, for the handler before ours
                // (or the default action) when the instruction runs again.
                var old = sig == SIGSEGV ? DirectMemory.previous.0 : DirectMemory.previous.1
                sigaction(sig, &old, nil)
            }
        }
        sigaction(SIGSEGV, &sa, &previous.0)
        sigaction(SIGBUS, &sa, &previous.1)
    }
}
#endif
