// A guest address space: page-granular mappings with permissions, copy-on-write fork, the
// kernel's checked copy-in/copy-out, and the bookkeeping that keeps the software TLBs, the
// decode cache and the native tier's compiled code coherent with every change: a store into a
// page holding code drops only the decoded instructions and compiled blocks it overlaps (data
// sharing a page with code costs a slow-path store, never an invalidation); unmap, remap and
// removing execute permission drop the page's code.

public final class GuestMemory {
    public static let pageSize: UInt64 = 4096
    static let pageMask: UInt64 = pageSize - 1

    var table = PageTable()
    package let readTLB = TLB.allocate(count: 2)
    /// Right after the read TLB: run loops address both from one base pointer.
    package var writeTLB: UnsafeMutablePointer<TLBEntry> { readTLB + TLB.entries }
    let codeTLB = TLB.allocateCode()
    /// Where shared pages take their frames from (see SharedPages.swift).
    var sharedRanges: [SharedRange] = []

    /// The native tier of this address space (created on first use by `makeNativeTier`, once
    /// the warm-up below is over; until then nil: interpret).
    package var nativeTier: (any NativeTier)? {
        get {
            if tierMade { return tier }
            if nativeWarmUp > 0 { return nil }
            tierMade = true
            tier = GuestMemory.makeNativeTier?(self)
            return tier
        }
        set {
            tier = newValue
            tierMade = true
        }
    }
    private var tier: (any NativeTier)?
    private var tierMade = false
    /// Instructions this address space is still to retire interpreted before it gets a native
    /// tier (the kernel counts them down): a short-lived process (a shell's `true`, the dynamic
    /// loader's start-up of a program that exits at once) does not pay for compiling code it
    /// runs a few hundred times, and compiled code is not made for an image that is about to be
    /// replaced by exec. Starts at `nativeTierWarmUp` for every new address space (exec, fork).
    package var nativeWarmUp = GuestMemory.nativeTierWarmUp
    /// Set once at start-up with the tier (0: a tier from the first instruction).
    package nonisolated(unsafe) static var nativeTierWarmUp = 0

    /// The decoded-code store of a CPU whose decoded instructions live outside the code
    /// slots (the x86-64 CPU's block arena), kept with the address space it was decoded from.
    package var codeCache: AnyObject?
    /// Called with a page's code slots before its decoded code is dropped (the x86-64 CPU
    /// turns the instructions its index points to into block ends). Its pages are dropped
    /// whole: its index is per byte, not per decoded instruction.
    package var codeResetHook: ((UnsafeMutablePointer<DecodedInstruction>) -> Void)?
    /// Counts the times decoded code was dropped (a store into it, unmap, mprotect): compiled code
    /// that called out to the interpreter checks it did not change under it.
    package private(set) var codeChanges = 0
    /// Told the pages [first, end) whenever their read or write TLB entries are dropped: a
    /// native tier that maps guest pages directly (`FrameArena`, `SKIFF_JIT_DIRECT`) unmaps them.
    package var directInvalidate: ((_ first: UInt64, _ end: UInt64, _ writesOnly: Bool) -> Void)?
    /// Counts the times read or write TLB entries were dropped (a translation changed: map,
    /// unmap, mprotect, fork, a copy-on-write break, a page that became code): the x86-64 run
    /// loop's per-instruction cached pages, copies of TLB entries, are dropped when it moved.
    /// (Native only: the wasm core's interpreter has no cached pages.)
#if !SKIFF_WASI
    package private(set) var tlbGeneration: UInt64 = 0
#endif

    public init() {}

    /// Read or write TLB entries of the pages [first, end) were dropped (`writesOnly`: only write
    /// entries): the generation moves and a direct mapping drops them too.
    private func translationsDropped(_ first: UInt64, _ end: UInt64, _ writesOnly: Bool) {
#if !SKIFF_WASI
        tlbGeneration &+= 1
#endif
        directInvalidate?(first, end, writesOnly)
    }

    /// Bytes of host memory backing guest pages in every address space of this host process
    /// (a page shared copy-on-write counts once; untouched pages count nothing): the guest's RSS.
    public static var residentBytes: UInt64 { UInt64(Frame.live) * pageSize }

    deinit {
        table.forEachEntry(from: 0, to: UInt64(1) << PageTable.vpnBits) { _, e in
            GuestMemory.clear(e)
        }
        table.deallocate()
        readTLB.deallocate()
        codeTLB.deallocate()
    }

    // MARK: Mapping management

    /// Maps fresh zero-filled pages over [address, address + length), replacing whatever was
    /// there. Address and length are page-aligned; pages beyond the 48-bit guest space are ignored.
    public func map(at address: UInt64, length: UInt64, protection: MemoryProtection) {
        let (first, end) = GuestMemory.pageRange(address, length)
        flushTLBs(first, end)
        forgetSharedRanges(first, end)
        var vpn = first
        while vpn < end && vpn >> PageTable.vpnBits == 0 {
            let e = table.entryCreating(vpn)
            invalidateNeighbourCode(vpn)
            dropCompiledCode(e, vpn)
            GuestMemory.clear(e)
            e.pointee.isMapped = true
            e.pointee.protection = protection.rawValue
            vpn += 1
        }
    }

    public func unmap(at address: UInt64, length: UInt64) {
        let (first, end) = GuestMemory.pageRange(address, length)
        flushTLBs(first, end)
        forgetSharedRanges(first, end)
        table.forEachEntry(from: first, to: end) { vpn, e in
            if e.pointee.isMapped { invalidateNeighbourCode(vpn) }
            dropCompiledCode(e, vpn)
            GuestMemory.clear(e)
        }
    }

    /// Changes the permissions of [address, address + length). Returns false (and changes
    /// nothing) if any page in the range is unmapped. The bytes stay as they are, so decoded
    /// code survives while the page stays executable (W^X flips cost nothing); a page that
    /// loses execute permission drops its code. Stores stay tracked either way (`noteCode`
    /// keeps code pages out of the write TLB).
    public func protect(at address: UInt64, length: UInt64, protection: MemoryProtection) -> Bool {
        let (first, end) = GuestMemory.pageRange(address, length)
        var vpn = first
        while vpn < end {
            guard let e = table.entry(vpn), e.pointee.isMapped else { return false }
            vpn += 1
        }
        flushTLBs(first, end)
        let keep = protection.contains(.execute) && codeResetHook == nil
        table.forEachEntry(from: first, to: end) { vpn, e in
            if !keep, let code = e.pointee.code {
                dropCompiledCode(e, vpn)
                CodePage.free(code)
                e.pointee.code = nil
                invalidateNeighbourCode(vpn)
            }
            e.pointee.protection = protection.rawValue
        }
        return true
    }

    /// The permissions of the page holding `address`, or nil when it is unmapped.
    public func protection(at address: UInt64) -> MemoryProtection? {
        guard let e = table.entry(address >> 12), e.pointee.isMapped else { return nil }
        return MemoryProtection(rawValue: e.pointee.protection)
    }

    /// A copy-on-write duplicate: both address spaces share every private frame until one
    /// writes it; shared pages stay shared.
    public func fork() -> GuestMemory {
        let child = GuestMemory()
        child.sharedRanges = sharedRanges
        table.forEachEntry(from: 0, to: UInt64(1) << PageTable.vpnBits) { vpn, e in
            guard e.pointee.isMapped else { return }
            let c = child.table.entryCreating(vpn)
            if let f = e.pointee.frame { Frame.retain(f) }
            c.pointee = PageEntry(frame: e.pointee.frame, code: nil, protection: e.pointee.protection, isMapped: true,
                                  isShared: e.pointee.isShared)
        }
        // Our frames are now shared: writes must go through the copy-on-write slow path.
        TLB.flush(writeTLB)
        translationsDropped(0, UInt64.max, true)
        return child
    }

    /// Forgets all decoded instructions (the x86-64 CPU, when its decoded-code arena is full).
    /// `fence.i` needs none of this: every store into code is tracked already.
    package func invalidateAllCode() {
        table.forEachEntry(from: 0, to: UInt64(1) << PageTable.vpnBits) { vpn, e in
            if let code = e.pointee.code, CodePage.holdsCode(code) { resetCode(code, vpn: vpn) }
        }
    }

    // MARK: Internals

    static func pageRange(_ address: UInt64, _ length: UInt64) -> (UInt64, UInt64) {
        let first = address >> 12
        let (endAddress, overflow) = address.addingReportingOverflow(length)
        let end = overflow ? UInt64(1) << 52 : (endAddress + pageMask) >> 12
        return (first, end)
    }

    /// Drops a page's frame reference and decoded code, leaving it unmapped (the caller told
    /// the native tier first: `dropCompiledCode`).
    static func clear(_ e: UnsafeMutablePointer<PageEntry>) {
        if let f = e.pointee.frame { Frame.release(f) }
        if let c = e.pointee.code { CodePage.free(c) }
        e.pointee = PageEntry(frame: nil, code: nil, protection: 0, isMapped: false)
    }

    /// Tells the native tier to forget its compiled blocks in page `vpn`, if it has any.
    func dropCompiledCode(_ e: UnsafeMutablePointer<PageEntry>, _ vpn: UInt64) {
        if let code = e.pointee.code, CodePage.nativeLines(code) != 0 {
            nativeTier?.invalidate(from: vpn << 12, to: (vpn + 1) << 12)
        }
    }

    /// Forgets all of a page's decoded instructions and compiled blocks.
    func resetCode(_ code: UnsafeMutablePointer<DecodedInstruction>, vpn: UInt64) {
        codeChanges &+= 1
        codeResetHook?(code)
        if CodePage.nativeLines(code) != 0 { nativeTier?.invalidate(from: vpn << 12, to: (vpn + 1) << 12) }
        CodePage.reset(code)
    }

    /// Bytes [offset, offset + count) of page `vpn`, which holds code, are about to change:
    /// drops the decoded instructions and compiled blocks that overlap them (qemu's
    /// per-translation-block invalidation), and the previous page's last instruction when it
    /// straddles into the changed bytes. Returns whether the page still holds code (then its
    /// stores keep taking the slow path).
    func invalidateCode(_ code: UnsafeMutablePointer<DecodedInstruction>, vpn: UInt64, offset: Int, count: Int) -> Bool {
        if codeResetHook != nil {
            resetCode(code, vpn: vpn)
            invalidateNeighbourCode(vpn)
            return false
        }
        codeChanges &+= 1
        let end = min(offset + count, Frame.size)
        CodePage.reset(code, from: offset, to: end)
        if offset < 2 { invalidateNeighbourCode(vpn) }
        if CodePage.nativeLines(code) & CodePage.lines(from: offset, to: end) != 0 {
            let base = vpn << 12
            nativeTier?.invalidate(from: base + UInt64(offset), to: base + UInt64(end))
        }
        return !CodePage.releaseIfEmpty(code)
    }

    /// The last instruction of the previous page may straddle into the first bytes of page
    /// `vpn`: drops it (and a fused pair ending in it). Compiled blocks never hold an instruction
    /// that straddles pages (a block running into the next page is dropped through either page).
    func invalidateNeighbourCode(_ vpn: UInt64) {
        if vpn > 0, let prev = table.entry(vpn - 1), let code = prev.pointee.code, CodePage.holdsCode(code) {
            if codeResetHook != nil { return resetCode(code, vpn: vpn - 1) }
            CodePage.reset(code, from: Frame.size, to: Frame.size + 2)
            _ = CodePage.releaseIfEmpty(code)
        }
    }

    /// Drops the TLB entries of pages [first, end): one by one for small ranges, else all.
    func flushTLBs(_ first: UInt64, _ end: UInt64) {
        if end &- first > 64 { return flushAllTLBs() }
        translationsDropped(first, end, false)
        var vpn = first
        while vpn < end {
            TLB.flush(readTLB, vpn: vpn)
            TLB.flush(writeTLB, vpn: vpn)
            TLB.flush(codeTLB, vpn: vpn)
            vpn += 1
        }
    }

    func flushAllTLBs() {
        translationsDropped(0, UInt64.max, false)
        TLB.flush(readTLB)
        TLB.flush(writeTLB)
        TLB.flush(codeTLB)
    }

    /// The host page backing `vpn` for an access of `kind`, after the permission check (skipped
    /// when `force`), allocating its frame on first touch and, for writes, breaking copy-on-write
    /// sharing and invalidating the code in the bytes [offset, offset + count) about to be
    /// written. Fills the matching TLB (for writes only when no code is left in the page).
    package func translate(_ vpn: UInt64, _ kind: AccessKind, force: Bool = false,
                           offset: Int = 0, count: Int = Frame.size) -> UnsafeMutableRawPointer? {
        guard let e = table.entry(vpn), e.pointee.isMapped else { return nil }
        return translate(e, vpn, kind, force: force, offset: offset, count: count)
    }

    /// `translate` for the page table entry `e` of `vpn`, already looked up (and mapped).
    private func translate(_ e: UnsafeMutablePointer<PageEntry>, _ vpn: UInt64, _ kind: AccessKind, force: Bool = false,
                           offset: Int = 0, count: Int = Frame.size) -> UnsafeMutableRawPointer? {
        let prot = MemoryProtection(rawValue: e.pointee.protection)
        switch kind {
        case .read:
            if !force && !prot.contains(.read) { return nil }
            let f = frame(e, vpn)
            if prot.contains(.read) {
                readTLB[Int(vpn & TLB.mask)] = TLBEntry(tag: vpn, addend: UInt64(UInt(bitPattern: f)) &- (vpn << 12))
            }
            return f
        case .execute:
            if !force && !prot.contains(.execute) { return nil }
            return frame(e, vpn)
        case .write:
            if !force && !prot.contains(.write) { return nil }
            var f = frame(e, vpn)
            if !e.pointee.isShared && Frame.referenceCount(f) > 1 {
                let copy = Frame.copy(f)
                Frame.release(f)
                f = copy
                e.pointee.frame = copy
                TLB.flush(readTLB, vpn: vpn)
                translationsDropped(vpn, vpn + 1, false)
            }
            if let code = e.pointee.code, CodePage.holdsCode(code),
               invalidateCode(code, vpn: vpn, offset: offset, count: count) {
                return f
            }
            // Only readable pages: the native tier's groups of loads and stores read through it.
            if prot.contains(.write) && prot.contains(.read) {
                writeTLB[Int(vpn & TLB.mask)] = TLBEntry(tag: vpn, addend: UInt64(UInt(bitPattern: f)) &- (vpn << 12))
            }
            return f
        }
    }

    @inline(__always) func frame(_ e: UnsafeMutablePointer<PageEntry>, _ vpn: UInt64) -> UnsafeMutableRawPointer {
        if let f = e.pointee.frame { return f }
        let f = e.pointee.isShared ? sharedFrame(vpn) : Frame.allocateZeroed()
        e.pointee.frame = f
        return f
    }

    package func fault(_ address: UInt64, _ kind: AccessKind) -> MemoryFault {
        let mapped = table.entry(address >> 12)?.pointee.isMapped ?? false
        return MemoryFault(address: address, kind: kind, isUnmapped: !mapped)
    }

    // MARK: Code pages

    /// The code TLB's slots for the page holding `pc`, or nil on a miss.
    @inline(__always) package func codeTLBHit(_ pc: UInt64) -> UnsafeMutablePointer<DecodedInstruction>? {
        let vpn = pc >> 12
        let t = codeTLB[Int(vpn & TLB.codeMask)]
        return t.tag == vpn ? t.slots : nil
    }

    /// The decoded-instruction slots of the page holding `pc` (which must be executable).
    package func codeSlots(_ pc: UInt64) -> UnsafeMutablePointer<DecodedInstruction>? {
        let vpn = pc >> 12
        let t = codeTLB[Int(vpn & TLB.codeMask)]
        if _fastPath(t.tag == vpn) { return t.slots }
        guard let e = table.entry(vpn), e.pointee.isMapped,
              MemoryProtection(rawValue: e.pointee.protection).contains(.execute) else { return nil }
        let slots: UnsafeMutablePointer<DecodedInstruction>
        if let c = e.pointee.code {
            slots = c
        } else {
            slots = CodePage.allocate()
            e.pointee.code = slots
        }
        codeTLB[Int(vpn & TLB.codeMask)] = CodeTLBEntry(tag: vpn, slots: slots)
        return slots
    }

    /// Marks a code page live: from now on stores into it take the slow path.
    package func noteCode(_ slots: UnsafeMutablePointer<DecodedInstruction>, vpn: UInt64) {
        CodePage.setHoldsCode(slots)
        TLB.flush(writeTLB, vpn: vpn)
        translationsDropped(vpn, vpn + 1, true)
    }

    /// The native tier compiled guest bytes [from, to) of one page: stores into them must reach
    /// `NativeTier.invalidate`.
    package func noteCompiledCode(_ slots: UnsafeMutablePointer<DecodedInstruction>, from: UInt64, to: UInt64) {
        let base = from & ~GuestMemory.pageMask
        let lines = CodePage.lines(from: Int(from - base), to: Int(to - base))
        CodePage.setNativeLines(slots, CodePage.nativeLines(slots) | lines)
        if !CodePage.holdsCode(slots) { noteCode(slots, vpn: from >> 12) }
    }

    /// The lines of page `vpn` the native tier still has compiled code in (after it dropped some).
    package func setCompiledLines(vpn: UInt64, _ lines: UInt64) {
        if let e = table.entry(vpn), let code = e.pointee.code { CodePage.setNativeLines(code, lines) }
    }

    /// The page at `address` holds the upper half of an instruction decoded on the page before:
    /// mark it so that stores into it take the slow path, which drops that instruction.
    package func noteCodeSpill(intoPageAt address: UInt64) {
        if let slots = codeSlots(address) {
            if !CodePage.holdsCode(slots) {
                TLB.flush(writeTLB, vpn: address >> 12)
                translationsDropped(address >> 12, (address >> 12) + 1, true)
            }
            CodePage.setHoldsSpill(slots)
        }
    }

    /// Fills the read or write TLB entry for an access of `size` bytes at `address` if the
    /// access may take the fast path (within one page, permitted, and for writes no decoded
    /// code to invalidate and no copy-on-write left to break afterwards). For the native tier's
    /// TLB misses: false sends the access to the interpreter.
    package func refillTLB(_ address: UInt64, size: Int, write: Bool) -> Bool {
        if (address & GuestMemory.pageMask) &+ UInt64(size) > GuestMemory.pageSize { return false }
        let vpn = address >> 12
        guard let e = table.entry(vpn), e.pointee.isMapped else { return false }
        return refill(e, vpn, write: write)
    }

    /// `refillTLB` for the page table entry `e` of `vpn`, already looked up (and mapped).
    private func refill(_ e: UnsafeMutablePointer<PageEntry>, _ vpn: UInt64, write: Bool) -> Bool {
        if !write { return translate(e, vpn, .read) != nil && readTLB[Int(vpn & TLB.mask)].tag == vpn }
        if let code = e.pointee.code, CodePage.holdsCode(code) { return false }
        return translate(e, vpn, .write) != nil && writeTLB[Int(vpn & TLB.mask)].tag == vpn
    }

    /// For a fault of compiled code in a direct mapping of guest memory (`FrameArena`): as
    /// `refillTLB` for one byte at `address`; a read also fills the write TLB when a write would
    /// take the fast path without copying (the page writable, its frame not shared copy-on-write,
    /// no code in it), so that the page is mapped once for both.
    package func refillForDirect(_ address: UInt64, write: Bool) -> Bool {
        let vpn = address >> 12
        guard let e = table.entry(vpn), e.pointee.isMapped, refill(e, vpn, write: write) else { return false }
        if !write, MemoryProtection(rawValue: e.pointee.protection).contains(.write),
           let f = e.pointee.frame, e.pointee.isShared || Frame.referenceCount(f) == 1,
           !(e.pointee.code.map { CodePage.holdsCode($0) } ?? false) {
            _ = translate(e, vpn, .write)
        }
        return true
    }

    /// Reads the (up to 32-bit) instruction at `pc` for decoding. Only the second half of a
    /// 32-bit instruction may fault (the caller already holds the first page's code slots).
    package func fetch(_ pc: UInt64) -> (UInt32, MemoryFault?) {
        guard let p = translate(pc >> 12, .execute) else { return (0, fault(pc, .execute)) }
        let off = Int(pc & GuestMemory.pageMask)
        let lo = UInt32(p.loadUnaligned(fromByteOffset: off, as: UInt16.self))
        if lo & 3 != 3 { return (lo, nil) }
        if off + 2 < Frame.size {
            return (lo | UInt32(p.loadUnaligned(fromByteOffset: off + 2, as: UInt16.self)) << 16, nil)
        }
        guard let q = translate((pc + 2) >> 12, .execute) else { return (lo, fault(pc + 2, .execute)) }
        return (lo | UInt32(q.load(as: UInt16.self)) << 16, nil)
    }

    // MARK: Guest loads and stores that miss the TLB

    /// Loads `size` (1, 2, 4 or 8) bytes, zero-extended. An access within one readable page
    /// (a plain TLB miss: large working sets miss often) walks the page table, refills the TLB
    /// and loads directly; page-crossing and faulting accesses take the byte-copying path.
    package func loadSlow(_ address: UInt64, _ size: Int) -> (UInt64, MemoryFault?) {
        let off = Int(address & GuestMemory.pageMask)
        if off &+ size <= Frame.size, let p = translate(address >> 12, .read) {
            switch size {
            case 1: return (UInt64(p.load(fromByteOffset: off, as: UInt8.self)), nil)
            case 2: return (UInt64(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: off, as: UInt16.self))), nil)
            case 4: return (UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: off, as: UInt32.self))), nil)
            default: return (UInt64(littleEndian: p.loadUnaligned(fromByteOffset: off, as: UInt64.self)), nil)
            }
        }
        var value: UInt64 = 0
        let f = withUnsafeMutableBytes(of: &value) { buf in
            copyOut(address, buf.baseAddress!, size)
        }
        return (UInt64(littleEndian: value), f)
    }

    package func storeSlow(_ address: UInt64, _ size: Int, _ value: UInt64) -> MemoryFault? {
        let off = Int(address & GuestMemory.pageMask)
        if off &+ size <= Frame.size, let p = translate(address >> 12, .write, offset: off, count: size) {
            switch size {
            case 1: p.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: off, as: UInt8.self)
            case 2: p.storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, toByteOffset: off, as: UInt16.self)
            case 4: p.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: off, as: UInt32.self)
            default: p.storeBytes(of: value.littleEndian, toByteOffset: off, as: UInt64.self)
            }
            return nil
        }
        var v = value.littleEndian
        return withUnsafeBytes(of: &v) { buf in
            copyIn(address, buf.baseAddress!, size, force: false)
        }
    }

    /// A run loop's access that missed its TLB (`TLB.load`/`TLB.store`), for both CPUs: the
    /// value (zero-extended) or success, else nil/false with the fault in `fault`.
    package func loadMiss(_ address: UInt64, _ size: Int, fault: inout MemoryFault) -> UInt64? {
        let (v, f) = loadSlow(address, size)
        if let f {
            fault = f
            return nil
        }
        return v
    }

    package func storeMiss(_ address: UInt64, _ size: Int, _ value: UInt64, fault: inout MemoryFault) -> Bool {
        if let f = storeSlow(address, size, value) {
            fault = f
            return false
        }
        return true
    }

    // MARK: Copying between guest and host memory

    /// Copies guest bytes out, checking read permission on every page first.
    func copyOut(_ address: UInt64, _ dst: UnsafeMutableRawPointer, _ count: Int) -> MemoryFault? {
        var done = 0
        while done < count {
            let a = address &+ UInt64(done)
            guard let p = translate(a >> 12, .read) else { return fault(a, .read) }
            let off = Int(a & GuestMemory.pageMask)
            let n = min(count - done, Frame.size - off)
            (dst + done).copyMemory(from: p + off, byteCount: n)
            done += n
        }
        return nil
    }

    /// Copies bytes into guest memory. All pages are checked before any byte is written, so a
    /// faulting copy writes nothing.
    func copyIn(_ address: UInt64, _ src: UnsafeRawPointer, _ count: Int, force: Bool) -> MemoryFault? {
        if count == 0 { return nil }
        var a = address & ~GuestMemory.pageMask
        let last = address &+ UInt64(count - 1)
        if last < address { return fault(0, .write) }
        while true {
            guard let e = table.entry(a >> 12), e.pointee.isMapped,
                  force || MemoryProtection(rawValue: e.pointee.protection).contains(.write)
            else { return fault(max(a, address), .write) }
            if a >> 12 == last >> 12 { break }
            a += GuestMemory.pageSize
        }
        var done = 0
        while done < count {
            let a = address &+ UInt64(done)
            let off = Int(a & GuestMemory.pageMask)
            let n = min(count - done, Frame.size - off)
            let p = translate(a >> 12, .write, force: force, offset: off, count: n)!
            (p + off).copyMemory(from: src + done, byteCount: n)
            done += n
        }
        return nil
    }

    // MARK: Kernel-side access (copy_from_user / copy_to_user)

    public func read(at address: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(MemoryFault) {
        guard let base = buffer.baseAddress else { return }
        if let f = copyOut(address, base, buffer.count) { throw f }
    }

    public func write(at address: UInt64, from buffer: UnsafeRawBufferPointer, force: Bool = false) throws(MemoryFault) {
        guard let base = buffer.baseAddress else { return }
        if let f = copyIn(address, base, buffer.count, force: force) { throw f }
    }

    public func load<T: FixedWidthInteger>(_: T.Type, at address: UInt64) throws(MemoryFault) -> T {
        var value = T.zero
        let f = withUnsafeMutableBytes(of: &value) { buf in
            copyOut(address, buf.baseAddress!, MemoryLayout<T>.size)
        }
        if let f { throw f }
        return T(littleEndian: value)
    }

    public func store<T: FixedWidthInteger>(_ value: T, at address: UInt64) throws(MemoryFault) {
        var v = value.littleEndian
        let f = withUnsafeBytes(of: &v) { buf in
            copyIn(address, buf.baseAddress!, MemoryLayout<T>.size, force: false)
        }
        if let f { throw f }
    }

    /// The bytes of the NUL-terminated string at `address`, without the NUL. At most `maxLength`
    /// bytes are examined; if none of them is NUL, all `maxLength` are returned (callers treat a
    /// result of `maxLength` bytes as "too long"). Faults only on a byte it had to read.
    public func readCString(at address: UInt64, maxLength: Int) throws(MemoryFault) -> [UInt8] {
        var out: [UInt8] = []
        var a = address
        while out.count < maxLength {
            guard let p = translate(a >> 12, .read) else { throw fault(a, .read) }
            var off = Int(a & GuestMemory.pageMask)
            while off < Frame.size && out.count < maxLength {
                let b = p.load(fromByteOffset: off, as: UInt8.self)
                if b == 0 { return out }
                out.append(b)
                off += 1
            }
            a = (a | GuestMemory.pageMask) &+ 1
        }
        return out
    }
}
