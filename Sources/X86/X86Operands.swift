// Operand access for the run loop: registers by byte offset and operand size, the memory
// operand's address, and guest loads and stores through the software TLBs (one compare and
// one add on the fast path, as in the RISC-V interpreter).
#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

/// What an out-of-line instruction handler reports to the run loop.
enum X86Status {
    static let next: UInt8 = 0
    static let fault: UInt8 = 1          // pendingFault
    static let divideError: UInt8 = 2
    static let illegal: UInt8 = 3
    static let generalProtection: UInt8 = 4
    static let simdException: UInt8 = 5    // an unmasked SSE exception (#XM)
    static let x87Exception: UInt8 = 6     // a pending unmasked x87 exception (#MF)
}

/// The run loop's view of the CPU: the register file and the TLBs as values. Read through the
/// class's properties, the register file's address was loaded again after every store into it
/// (the optimizer cannot know that a store through it leaves the object's fields alone) and
/// kept in up to nine registers and stack slots, all copied at every dispatch; held here as
/// `let`s of a struct the run loop is a method of, it is one value for the whole loop. The
/// operand, memory and flag helpers live here; `X86CPU` forwards to them for the handlers in
/// Execute+*.swift.
struct X86Core {
    let cpuRef: Unmanaged<X86CPU>
    let regs: UnsafeMutablePointer<UInt64>
    let readTLB: UnsafeMutablePointer<TLBEntry>
    let writeTLB: UnsafeMutablePointer<TLBEntry>
}

extension X86CPU {
    @_transparent var core: X86Core {
        X86Core(cpuRef: Unmanaged.passUnretained(self), regs: regs, readTLB: readTLB, writeTLB: writeTLB)
    }

    @_transparent func reg(_ o: UInt8, _ s: UInt8) -> UInt64 { core.reg(o, s) }
    @_transparent func setReg(_ o: UInt8, _ s: UInt8, _ v: UInt64) { core.setReg(o, s, v) }
    @_transparent func reg64(_ o: UInt8) -> UInt64 { core.reg64(o) }
    @_transparent func offset(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt64 { core.offset(p) }
    @_transparent func address(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt64 { core.address(p) }
    @_transparent func read<T: FixedWidthInteger>(_ a: UInt64, _ t: T.Type) -> T? { core.read(a, t) }
    @_transparent func write<T: FixedWidthInteger>(_ a: UInt64, _ v: T) -> Bool { core.write(a, v) }
    @_transparent func load(_ a: UInt64, _ s: UInt8) -> UInt64? { core.load(a, s) }
    @_transparent func store(_ a: UInt64, _ s: UInt8, _ v: UInt64) -> Bool { core.store(a, s, v) }
    @_transparent func setFlags(_ kind: UInt64, _ s: UInt8, _ a: UInt64, _ b: UInt64, _ res: UInt64) {
        core.setFlags(kind, s, a, b, res)
    }
    @_transparent func setMultiplyFlags(overflow: Bool) { core.setMultiplyFlags(overflow: overflow) }
    @_transparent func setArithmeticFlags(_ f: UInt64) { core.setArithmeticFlags(f) }
    @_transparent func alu(_ kind: Int, _ a: UInt64, _ b: UInt64, _ s: UInt8) -> UInt64 { core.alu(kind, a, b, s) }

#if SKIFF_WASI
    @inline(never)
    func readMiss<T: FixedWidthInteger>(_ address: UInt64, _: T.Type) -> T? {
        Unmanaged.passUnretained(memory)._withUnsafeGuaranteedRef {
            $0.loadMiss(address, MemoryLayout<T>.size, fault: &pendingFault)
        }.map { T(truncatingIfNeeded: $0) }
    }

    @inline(never)
    func writeMiss(_ address: UInt64, _ value: UInt64, _ size: Int) -> Bool {
        Unmanaged.passUnretained(memory)._withUnsafeGuaranteedRef { $0.storeMiss(address, size, value, fault: &pendingFault) }
    }
#else
    @inline(never)
    func readMiss<T: FixedWidthInteger>(_ address: UInt64, _: T.Type) -> T? {
        let v = Unmanaged.passUnretained(memory)._withUnsafeGuaranteedRef {
            $0.loadMiss(address, MemoryLayout<T>.size, fault: &pendingFault)
        }.map { T(truncatingIfNeeded: $0) }
        syncPageCaches()
        return v
    }

    @inline(never)
    func writeMiss(_ address: UInt64, _ value: UInt64, _ size: Int) -> Bool {
        let ok = Unmanaged.passUnretained(memory)._withUnsafeGuaranteedRef { $0.storeMiss(address, size, value, fault: &pendingFault) }
        // A copy-on-write break, the one change of a translation a store can make.
        syncPageCaches()
        return ok
    }
#endif

    /// Drops the decoded instructions' cached pages (`X86PageCache`) when a translation of the
    /// address space was dropped since they were last checked (`GuestMemory.tlbGeneration`).
    /// Called wherever the run loop may come back from something that can drop one: at every
    /// look-up (entry into `run`: system calls, other threads, signal frames; the native tier),
    /// after decoding (a page that becomes code leaves the write TLB) and after a TLB miss (a
    /// copy-on-write break).
    @inline(__always) func syncPageCaches() {
#if !SKIFF_WASI
        if let c = memory.codeCache {
            let cache = unsafeDowncast(c, to: X86CodeCache.self)
            if _slowPath(cache.seenGeneration != memory.tlbGeneration) { cache.dropPageCaches(memory.tlbGeneration) }
        }
#endif
    }

#if !SKIFF_WASI
    /// Records a cached page filled for the first time since the caches were dropped.
    @inline(never)
    func notePageCache(_ c: UnsafeMutablePointer<X86PageCache>) {
        codeCache.noteFilled(c)
    }
#endif

    /// Checks that a store of `count` bytes at `a` would succeed, without storing (for
    /// instructions that must not change anything when their store faults).
    func probeWrite(_ a: UInt64, _ count: Int) -> Bool {
        var v: UInt8 = 0
        guard let first = read(a, UInt8.self) else { return false }
        v = first
        if !write(a, v) { return false }
        let lastAddress = a &+ UInt64(count - 1)
        guard let last = read(lastAddress, UInt8.self) else { return false }
        return write(lastAddress, last)
    }
}

extension X86Core {
    /// `body` with the CPU, without the retain and release around the call that an
    /// `unowned(unsafe)` reference costs (the out-of-line handlers, the TLB misses).
    @_transparent func withCPU<R>(_ body: (X86CPU) -> R) -> R { cpuRef._withUnsafeGuaranteedRef(body) }
    @_transparent var cpu: X86CPU { cpuRef.takeUnretainedValue() }

    // Register operands are addressed by byte offset (8 × register number, +1 for ah/ch/dh/bh)
    // but accessed as whole 64-bit words through a typed pointer at that byte offset, whose
    // accessors are transparent: the raw pointer's generic `load(fromByteOffset:as:)`/
    // `storeBytes` stop being inlined once the run loop grows past the optimizer's size limits,
    // and then every register access is a call (amd64 CoreMark lost a third of its speed that
    // way). Only byte registers are at an offset that is not a multiple of 8.

    /// The 64-bit word at byte offset `o` (a multiple of 8) of the register file.
    @_transparent func word(_ o: UInt8) -> UnsafeMutablePointer<UInt64> {
        (UnsafeMutableRawPointer(regs) + Int(o)).assumingMemoryBound(to: UInt64.self)
    }

    /// The register at byte offset `o` as an operand of size `s` (zero-extended).
    @_transparent func reg(_ o: UInt8, _ s: UInt8) -> UInt64 {
        if s == 0 { return (word(o & ~7).pointee &>> UInt64((o & 7) &<< 3)) & 0xff }
        return word(o).pointee & X86Flags.mask(Int(s))
    }

    /// Writes a register operand: 8 and 16-bit writes keep the rest of the register, 32-bit
    /// writes zero its upper half.
    @_transparent func setReg(_ o: UInt8, _ s: UInt8, _ v: UInt64) {
        if s >= 2 {
            word(o).pointee = v & X86Flags.mask(Int(s))
        } else if s == 1 {
            // A word operand is a whole register's low half (only byte registers are at an
            // offset that is not a multiple of 8): no shift by the offset's low bits (the
            // generic merge below cost ~10 instructions in CoreMark's CRC loop).
            let w = word(o)
            w.pointee = (w.pointee & ~0xffff) | (v & 0xffff)
        } else {
            let w = word(o & ~7)
            let shift = UInt64((o & 7) &<< 3)
            let m = X86Flags.mask(Int(s)) &<< shift
            w.pointee = (w.pointee & ~m) | ((v &<< shift) & m)
        }
    }

    /// Writes the low byte of the register at byte offset `o` (a multiple of 8: al, cl, ...,
    /// sil, r8b...; the byte forms of Specialise.swift), keeping the rest.
    @_transparent func setLowByte(_ o: UInt8, _ v: UInt64) {
        let w = word(o)
        w.pointee = (w.pointee & ~0xff) | (v & 0xff)
    }

    /// The byte forms' `sub` and `cmp` of a low byte register and the immediate: sets the
    /// flags and returns the byte difference (`sub` writes it back, `cmp` does not).
    @_transparent func subLowByteImmediate(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt64 {
        let a = reg64(p.pointee.reg) & 0xff, b = p.pointee.imm & 0xff
        let res = (a &- b) & 0xff
        setFlags(X86Flags.sub, 0, a, b, res)
        return res
    }

    @_transparent func reg64(_ o: UInt8) -> UInt64 { word(o).pointee }
    @_transparent func setReg64(_ o: UInt8, _ v: UInt64) { word(o).pointee = v }

    /// base + index << scale + disp (the masking shift ignores `scale`'s `indexed` and
    /// `slowAddress` bits).
    @_transparent func sum(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt64 {
        reg64(p.pointee.base) &+ (reg64(p.pointee.index) &<< UInt64(p.pointee.scale)) &+ p.pointee.disp
    }

    /// The memory operand's offset (what lea computes: no segment base).
    @_transparent func offset(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt64 {
        let a = sum(p)
        if _slowPath(p.pointee.attrs & X86Attrs.address32 != 0) { return UInt64(UInt32(truncatingIfNeeded: a)) }
        return a
    }

    /// The memory operand's linear address (fs/gs base added). Without a segment override or
    /// 0x67 (`X86Instruction.slowAddress` clear) that is the sum alone: one test instead of the
    /// segment register's load and add and the address-size test; without an index either
    /// (`X86Instruction.indexed` clear too: three of four memory operands in amd64 CoreMark)
    /// it is base + disp, with no index load and shift.
    @_transparent func address(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt64 {
        let scale = p.pointee.scale
        if _fastPath(scale < X86Instruction.indexed) { return reg64(p.pointee.base) &+ p.pointee.disp }
        if _fastPath(scale < X86Instruction.slowAddress) { return sum(p) }
        return offset(p) &+ reg64(p.pointee.seg)
    }

    /// The address of a memory operand with neither an index nor a segment base or 0x67: the
    /// operations that `X86Op.specialised` gives only such operands (movRM64, movMR64, movzxRM8,
    /// movsxRM16to32 and the pairs made of them) compute base + disp without `address`'s test of
    /// `scale` (its load, compare and branch). The wasm core specialises as before (every
    /// operand form), so there it is `address`.
    @_transparent func addressBD(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt64 {
#if SKIFF_WASI
        return address(p)
#else
        return reg64(p.pointee.base) &+ p.pointee.disp
#endif
    }

    /// The address of a memory operand with an index and neither a segment base nor 0x67 (the
    /// `X` operations): base + index << scale + disp, without `address`'s tests.
    @_transparent func addressIndexed(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt64 {
#if SKIFF_WASI
        return address(p)
#else
        return sum(p)
#endif
    }

    // MARK: Memory

    /// Loads and stores through `GuestMemory`'s TLBs. The fast path repeats `TLB.load` and
    /// `TLB.store` (RISCV module): neither @inlinable nor @_transparent package functions were
    /// inlined into this module's run loop (a generic call per access: 2x slower CoreMark).
    #if SKIFF_WASI
    @_transparent static var tlbMask: UInt64 { 1023 }
    #else
    @_transparent static var tlbMask: UInt64 { 4095 }
    #endif

    // The host access itself, through one concrete function per width. Written generically in
    // `read`/`write` (transparent, so inlined into the run loop with `T` still generic), the raw
    // pointer's `loadUnaligned(fromByteOffset:as:)` and `storeBytes(of:as:)` were specialised in
    // the run loop and then left out of line there: the run loop is past the SIL inliner's size
    // limit for callers, and only always-inline callees go in. Each guest access was a call
    // (main e2246ba: 5.98 M host instructions per amd64 CoreMark iteration, ~70 K of these calls
    // per iteration). Here the generic access is inlined into a small function of its own, which
    // is always inlined into the run loop.
    @inline(__always) static func hostLoad8(_ h: UInt) -> UInt8 {
        UnsafeRawPointer(bitPattern: h).unsafelyUnwrapped.load(as: UInt8.self)
    }
    @inline(__always) static func hostLoad16(_ h: UInt) -> UInt16 {
        UnsafeRawPointer(bitPattern: h).unsafelyUnwrapped.loadUnaligned(as: UInt16.self)
    }
    @inline(__always) static func hostLoad32(_ h: UInt) -> UInt32 {
        UnsafeRawPointer(bitPattern: h).unsafelyUnwrapped.loadUnaligned(as: UInt32.self)
    }
    @inline(__always) static func hostLoad64(_ h: UInt) -> UInt64 {
        UnsafeRawPointer(bitPattern: h).unsafelyUnwrapped.loadUnaligned(as: UInt64.self)
    }
    @inline(__always) static func hostStore8(_ h: UInt, _ v: UInt8) {
        UnsafeMutableRawPointer(bitPattern: h).unsafelyUnwrapped.storeBytes(of: v, as: UInt8.self)
    }
    @inline(__always) static func hostStore16(_ h: UInt, _ v: UInt16) {
        UnsafeMutableRawPointer(bitPattern: h).unsafelyUnwrapped.storeBytes(of: v, as: UInt16.self)
    }
    @inline(__always) static func hostStore32(_ h: UInt, _ v: UInt32) {
        UnsafeMutableRawPointer(bitPattern: h).unsafelyUnwrapped.storeBytes(of: v, as: UInt32.self)
    }
    @inline(__always) static func hostStore64(_ h: UInt, _ v: UInt64) {
        UnsafeMutableRawPointer(bitPattern: h).unsafelyUnwrapped.storeBytes(of: v, as: UInt64.self)
    }

    @_transparent static func hostLoad<T: FixedWidthInteger>(_ h: UInt, _: T.Type) -> T {
#if SKIFF_WASI
        // The wasm core as before: with the functions per width, amd64 CoreMark took 1.10-1.12x
        // the CPU time on wasmtime (10 alternating rounds, 18:36 UTC 2026-12-07).
        return UnsafeMutableRawPointer(bitPattern: h).unsafelyUnwrapped.loadUnaligned(as: T.self)
#else
        switch MemoryLayout<T>.size {
        case 1: return T(truncatingIfNeeded: hostLoad8(h))
        case 2: return T(truncatingIfNeeded: hostLoad16(h))
        case 4: return T(truncatingIfNeeded: hostLoad32(h))
        default: return T(truncatingIfNeeded: hostLoad64(h))
        }
#endif
    }

    @_transparent static func hostStore<T: FixedWidthInteger>(_ h: UInt, _ v: T) {
#if SKIFF_WASI
        UnsafeMutableRawPointer(bitPattern: h).unsafelyUnwrapped.storeBytes(of: v, as: T.self)
#else
        switch MemoryLayout<T>.size {
        case 1: hostStore8(h, UInt8(truncatingIfNeeded: v))
        case 2: hostStore16(h, UInt16(truncatingIfNeeded: v))
        case 4: hostStore32(h, UInt32(truncatingIfNeeded: v))
        default: hostStore64(h, UInt64(truncatingIfNeeded: v))
        }
#endif
    }

    @_transparent
    func read<T: FixedWidthInteger>(_ address: UInt64, _: T.Type) -> T? {
        let e = readTLB[Int((address >> 12) & X86Core.tlbMask)]
        if _fastPath(e.tag == (address &+ UInt64(MemoryLayout<T>.size &- 1)) >> 12) {
            return X86Core.hostLoad(UInt(truncatingIfNeeded: address &+ e.addend), T.self)
        }
        return withCPU { $0.readMiss(address, T.self) }
    }

    @_transparent
    func write<T: FixedWidthInteger>(_ address: UInt64, _ value: T) -> Bool {
        let e = writeTLB[Int((address >> 12) & X86Core.tlbMask)]
        if _fastPath(e.tag == (address &+ UInt64(MemoryLayout<T>.size &- 1)) >> 12) {
            X86Core.hostStore(UInt(truncatingIfNeeded: address &+ e.addend), value)
            return true
        }
        return withCPU { $0.writeMiss(address, UInt64(truncatingIfNeeded: value), MemoryLayout<T>.size) }
    }

    // MARK: The per-instruction cached page (native only)

    /// The cached page of the decoded instruction `p` (X86CodeCache.swift: at a constant offset
    /// from it in its arena chunk).
    @_transparent func pageCache(_ p: UnsafeMutablePointer<X86Instruction>) -> UnsafeMutablePointer<X86PageCache> {
        (UnsafeMutableRawPointer(p) + X86CodeCache.pageCacheOffset).assumingMemoryBound(to: X86PageCache.self)
    }

    /// `read` of instruction `p`'s memory operand at `address`, through the page `p` touched
    /// last: a hit is a subtract, a compare and an add (`X86PageCache`); a miss goes through the
    /// read TLB as `read` does and, when that hits, caches its page. Only for instructions
    /// decoded in the arena (the run loop's), and only for one kind of access per instruction:
    /// an entry filled from the read TLB must never serve a write.
    @_transparent func cread<T: FixedWidthInteger>(_ p: UnsafeMutablePointer<X86Instruction>, _ address: UInt64, _ d: UInt64,
                                                   _: T.Type) -> T? {
#if SKIFF_WASI
        return read(address, T.self)
#else
        let c = pageCache(p)
        let t = address &- d &- c.pointee.key
        if _fastPath(t < c.pointee.limit) {
            return X86Core.hostLoad(UInt(truncatingIfNeeded: t &+ c.pointee.host), T.self)
        }
        let e = readTLB[Int((address >> 12) & X86Core.tlbMask)]
        if _fastPath(e.tag == (address &+ UInt64(MemoryLayout<T>.size &- 1)) >> 12) {
            fillPageCache(c, d, address, e.addend, MemoryLayout<T>.size)
            return X86Core.hostLoad(UInt(truncatingIfNeeded: address &+ e.addend), T.self)
        }
        return withCPU { $0.readMiss(address, T.self) }
#endif
    }

    /// `write` through the instruction's cached page, filled from the write TLB.
    @_transparent func cwrite<T: FixedWidthInteger>(_ p: UnsafeMutablePointer<X86Instruction>, _ address: UInt64, _ d: UInt64,
                                                    _ value: T) -> Bool {
#if SKIFF_WASI
        return write(address, value)
#else
        let c = pageCache(p)
        let t = address &- d &- c.pointee.key
        if _fastPath(t < c.pointee.limit) {
            X86Core.hostStore(UInt(truncatingIfNeeded: t &+ c.pointee.host), value)
            return true
        }
        let e = writeTLB[Int((address >> 12) & X86Core.tlbMask)]
        if _fastPath(e.tag == (address &+ UInt64(MemoryLayout<T>.size &- 1)) >> 12) {
            fillPageCache(c, d, address, e.addend, MemoryLayout<T>.size)
            X86Core.hostStore(UInt(truncatingIfNeeded: address &+ e.addend), value)
            return true
        }
        return withCPU { $0.writeMiss(address, UInt64(truncatingIfNeeded: value), MemoryLayout<T>.size) }
#endif
    }

#if !SKIFF_WASI
    /// Caches the page of an access of `size` bytes at `address` that hit the TLB entry with
    /// `addend` (so it lies within one page). An entry filled for the first time since the
    /// caches were last dropped is recorded (`X86CodeCache.noteFilled`), to be dropped with them.
    @_transparent func fillPageCache(_ c: UnsafeMutablePointer<X86PageCache>, _ d: UInt64,
                                     _ address: UInt64, _ addend: UInt64, _ size: Int) {
        if _slowPath(c.pointee.limit == 0) { withCPU { $0.notePageCache(c) } }
        let page = address & ~(GuestMemory.pageSize &- 1)
        c.pointee.key = page &- d
        c.pointee.limit = GuestMemory.pageSize &+ 1 &- UInt64(size)
        c.pointee.host = page &+ addend
    }
#endif

    /// `load` and `store` of instruction `p`'s memory operand through its cached page.
    @_transparent func cload(_ p: UnsafeMutablePointer<X86Instruction>, _ a: UInt64, _ s: UInt8) -> UInt64? {
        switch s {
        case 0: return cread(p, a, p.pointee.disp, UInt8.self).map { UInt64($0) }
        case 1: return cread(p, a, p.pointee.disp, UInt16.self).map { UInt64($0) }
        case 2: return cread(p, a, p.pointee.disp, UInt32.self).map { UInt64($0) }
        default: return cread(p, a, p.pointee.disp, UInt64.self)
        }
    }

    @_transparent func cstore(_ p: UnsafeMutablePointer<X86Instruction>, _ a: UInt64, _ s: UInt8, _ v: UInt64) -> Bool {
        switch s {
        case 0: return cwrite(p, a, p.pointee.disp, UInt8(truncatingIfNeeded: v))
        case 1: return cwrite(p, a, p.pointee.disp, UInt16(truncatingIfNeeded: v))
        case 2: return cwrite(p, a, p.pointee.disp, UInt32(truncatingIfNeeded: v))
        default: return cwrite(p, a, p.pointee.disp, v)
        }
    }

    /// `load` and `store` of the stack (push, pop, call, ret, leave) through the instruction's
    /// cached page, with no displacement folded into it (a direct call's `disp` holds its cached
    /// target, written after its first push).
    @_transparent func sload(_ p: UnsafeMutablePointer<X86Instruction>, _ a: UInt64, _ s: UInt8) -> UInt64? {
#if SKIFF_WASI
        return load(a, s)
#else
        switch s {
        case 1: return cread(p, a, 0, UInt16.self).map { UInt64($0) }
        case 2: return cread(p, a, 0, UInt32.self).map { UInt64($0) }
        default: return cread(p, a, 0, UInt64.self)
        }
#endif
    }

    @_transparent func sstore(_ p: UnsafeMutablePointer<X86Instruction>, _ a: UInt64, _ s: UInt8, _ v: UInt64) -> Bool {
#if SKIFF_WASI
        return store(a, s, v)
#else
        switch s {
        case 1: return cwrite(p, a, 0, UInt16(truncatingIfNeeded: v))
        case 2: return cwrite(p, a, 0, UInt32(truncatingIfNeeded: v))
        default: return cwrite(p, a, 0, v)
        }
#endif
    }

    /// The host address of a read-modify-write operand of `size` bytes at `address` through the
    /// instruction's cached page, filled from the write TLB (whose entries are all readable), or
    /// nil: then the caller takes its load and store as before.
    @_transparent func cmodify(_ p: UnsafeMutablePointer<X86Instruction>, _ address: UInt64, _ size: Int) -> UInt? {
#if SKIFF_WASI
        return nil
#else
        let c = pageCache(p)
        let d = p.pointee.disp
        let t = address &- d &- c.pointee.key
        if _fastPath(t < c.pointee.limit) { return UInt(truncatingIfNeeded: t &+ c.pointee.host) }
        let e = writeTLB[Int((address >> 12) & X86Core.tlbMask)]
        if _fastPath(e.tag == (address &+ UInt64(size &- 1)) >> 12) {
            fillPageCache(c, d, address, e.addend, size)
            return UInt(truncatingIfNeeded: address &+ e.addend)
        }
        return nil
#endif
    }

    /// A load of operand size `s`, zero-extended.
    @_transparent func load(_ a: UInt64, _ s: UInt8) -> UInt64? {
        switch s {
        case 0: return read(a, UInt8.self).map { UInt64($0) }
        case 1: return read(a, UInt16.self).map { UInt64($0) }
        case 2: return read(a, UInt32.self).map { UInt64($0) }
        default: return read(a, UInt64.self)
        }
    }

    @_transparent func store(_ a: UInt64, _ s: UInt8, _ v: UInt64) -> Bool {
        switch s {
        case 0: return write(a, UInt8(truncatingIfNeeded: v))
        case 1: return write(a, UInt16(truncatingIfNeeded: v))
        case 2: return write(a, UInt32(truncatingIfNeeded: v))
        default: return write(a, v)
        }
    }

    // MARK: Lazy flags

    @_transparent func setFlags(_ kind: UInt64, _ s: UInt8, _ a: UInt64, _ b: UInt64, _ res: UInt64) {
        let r = regs
        r[X86Registers.ccOp] = kind &<< 2 | UInt64(s)
        r[X86Registers.ccA] = a
        r[X86Registers.ccB] = b
        r[X86Registers.ccRes] = res
    }

    /// A multiplication's flags: CF = OF = `overflow` (the product does not fit its low half).
    /// The manuals leave SF, ZF, AF and PF undefined; AMD's CPUs (this CPUID's vendor) keep them.
    @inline(__always) func setMultiplyFlags(overflow: Bool) {
        let kept = flagsValue() & (X86Flags.sf | X86Flags.zf | X86Flags.af | X86Flags.pf)
        setArithmeticFlags(kept | (overflow ? X86Flags.cf | X86Flags.of : 0))
    }

    /// Replaces the arithmetic flags with `f` (OSZAPC bits) and marks them materialised.
    @inline(__always) func setArithmeticFlags(_ f: UInt64) {
        let r = regs
        r[X86Registers.flags] = (r[X86Registers.flags] & ~X86Flags.arithmetic) | (f & X86Flags.arithmetic)
        r[X86Registers.ccOp] = X86Flags.materialized
    }

    @_transparent func setLogicFlags(_ s: UInt8, _ res: UInt64) {
        let r = regs
        r[X86Registers.ccOp] = X86Flags.logic << 2 | UInt64(s)
        r[X86Registers.ccRes] = res
    }

    /// Group-1 arithmetic on masked operands of size `s`: the result (masked) and the flags.
    /// `kind`: 0 add, 1 or, 2 adc, 3 sbb, 4 and, 5 sub, 6 xor, 7 cmp.
    @_transparent func alu(_ kind: Int, _ a: UInt64, _ b: UInt64, _ s: UInt8) -> UInt64 {
        let m = X86Flags.mask(Int(s))
        switch kind {
        case 0:
            let res = (a &+ b) & m
            setFlags(X86Flags.add, s, a, b, res)
            return res
        case 1:
            let res = a | b
            setLogicFlags(s, res)
            return res
        case 2:
            let res = (a &+ b &+ carryFlag()) & m
            setFlags(X86Flags.adc, s, a, b, res)
            return res
        case 3:
            let res = (a &- b &- carryFlag()) & m
            setFlags(X86Flags.sbb, s, a, b, res)
            return res
        case 4:
            let res = a & b
            setLogicFlags(s, res)
            return res
        case 6:
            let res = a ^ b
            setLogicFlags(s, res)
            return res
        default:
            let res = (a &- b) & m
            setFlags(X86Flags.sub, s, a, b, res)
            return res
        }
    }
}
