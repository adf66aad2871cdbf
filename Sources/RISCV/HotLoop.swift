// The RISC-V run loop's instructions (issue 14): every arm except the slow and rare ones, written
// once and compiled three ways from `hotLoop`:
// - `runHot` (and `runHotCounting`, natively with the native tier's execution counts): the hot
//   loop, with few values live across its dispatch (the slot pointer, the budget, the register
//   file, the TLB base and the page's pc bias). It leaves for `Hart.run` at every slow or rare
//   path with the slot still unexecuted (`HotExit.Reason.slot`: a TLB miss, or one of the arms
//   `run` keeps: decode, ecall, CSRs, floating point, atomics, the rarer bit-manipulation and M
//   forms) or with a jump's target outside the code TLB (`.far`, the jump done).
// - `runStep`: the same arms for one slot, with the TLB misses' slow path (page-table walk,
//   refill, faults into `pendingFault`): `run` calls it for a slot that missed, then `runHot`
//   again. A slot that faults leaves with the pc and registers exact: the exits are the places
//   where the old single loop reported a fault at `cur`.
// In Cranelift's code the old single loop kept the slot pointer, the budget, the TLB base and
// `self` in stack slots, a load and a store per arm (docs/performance.md).

/// Where `hotLoop` stopped: `cur` and `left` as the run loop's, and why.
struct HotExit {
    var cur: UnsafeMutablePointer<DecodedInstruction>
    var left: Int
    /// `cur`'s page's pc bias (`run`'s `pcBias`): jumps to another page that the code TLB holds
    /// stay in `runHot`.
    var pcBias: UInt64
    var reason: Reason

    enum Reason: UInt8 {
        /// The native tier wants `cur` (a jump's target, counted).
        case native
        /// `run` takes `cur`'s slot (nothing of it has executed): a slow or rare operation, a
        /// slot not yet decoded, the page's end into a page the code TLB does not hold, or a
        /// slot that missed the data TLB (`run` sends it to `runStep`). One reason for all: with
        /// a second constant for the misses Cranelift kept the pc bias in a register that every
        /// jump-table edge moved (two more instructions per dispatch in `runHot`).
        case slot
        /// The budget is spent at `cur` (a jump's target, its instructions not counted yet).
        case budget
        /// A jump (its link written) to the pc in the register file's scratch slot
        /// (`Registers.scratch`), on a page the code TLB does not hold or with the budget spent:
        /// `run`'s lookup.
        case far
        /// `runStep` only: `cur`'s slot faulted (`pendingFault`), pc and registers exact.
        case fault
        /// `runStep` only: the slot ran; `runHot` goes on at `cur`.
        case resume
    }
}

extension Hart {
    #if SKIFF_WASI
    /// The code TLB for `runHot`'s jumps to another page, in the wasm build (one thread) a global
    /// instead of a value live across the dispatch: with it Cranelift kept the pc bias in a
    /// stack slot, loaded and stored on every taken branch (367 stack references in `runHot`
    /// against 281 without; `scripts/wasm-run-loop.sh`). Set by `run` (set here, the store
    /// before the loop moved the dispatch across a 64-byte line of the core).
    nonisolated(unsafe) static var hotCodeTLB: UnsafeMutablePointer<CodeTLBEntry>? = nil
    #endif

    @inline(never)
    static func runHot(_ cur: UnsafeMutablePointer<DecodedInstruction>, _ left: Int, _ r: UnsafeMutablePointer<UInt64>,
                       _ rt: UnsafeMutablePointer<TLBEntry>, _ codeTLB: UnsafeMutablePointer<CodeTLBEntry>,
                       _ pcBias: UInt64) -> HotExit {
        hotLoop(cur, left, r, rt, codeTLB, pcBias, jit: false, threshold: 0, step: nil)
    }

    #if !SKIFF_WASI
    /// `runHot` with the native tier's execution counts at taken jumps.
    @inline(never)
    static func runHotCounting(_ cur: UnsafeMutablePointer<DecodedInstruction>, _ left: Int, _ r: UnsafeMutablePointer<UInt64>,
                               _ rt: UnsafeMutablePointer<TLBEntry>, _ codeTLB: UnsafeMutablePointer<CodeTLBEntry>,
                               _ pcBias: UInt64, _ threshold: UInt16) -> HotExit {
        hotLoop(cur, left, r, rt, codeTLB, pcBias, jit: true, threshold: threshold, step: nil)
    }
    #endif

    /// One slot (`cur`'s, which missed the TLB in `runHot`) with the slow path of its loads and
    /// stores: `.resume` after it, `.fault` if it faulted.
    @inline(never)
    func runStep(_ cur: UnsafeMutablePointer<DecodedInstruction>, _ left: Int, _ r: UnsafeMutablePointer<UInt64>,
                 _ rt: UnsafeMutablePointer<TLBEntry>, _ codeTLB: UnsafeMutablePointer<CodeTLBEntry>,
                 _ pcBias: UInt64, jit: Bool, threshold: UInt16) -> HotExit {
        Hart.hotLoop(cur, left, r, rt, codeTLB, pcBias, jit: jit, threshold: threshold, step: self)
    }

    @inline(__always)
    static func hotLoop(_ start: UnsafeMutablePointer<DecodedInstruction>, _ budget: Int, _ r: UnsafeMutablePointer<UInt64>,
                        _ rt: UnsafeMutablePointer<TLBEntry>, _ codeTLB: UnsafeMutablePointer<CodeTLBEntry>,
                        _ bias: UInt64, jit: Bool, threshold: UInt16, step hart: Hart?) -> HotExit {
        var cur = start
        var left = budget
        var pcBias = bias
        // `runStep`'s instantiation (a constant in each of them).
        let step = hart != nil
        @inline(__always) func exit(_ reason: HotExit.Reason) -> HotExit {
            HotExit(cur: cur, left: left, pcBias: pcBias, reason: reason)
        }
        // The target goes in the register file's scratch slot (x0's sink, written by nothing
        // between here and `run`'s lookup): in `HotExit.pcBias`, merged with the bias at the
        // common return, Cranelift kept the bias in a register moved at every arm's start.
        @inline(__always) func far(_ target: UInt64) -> HotExit {
            r[Int(Registers.scratch)] = target
            return exit(.far)
        }
        // A load or store that returned nil or false: in `runHot` a TLB miss (`run` finds the
        // slot's operation hot and gives it to `runStep`), in `runStep` a fault (the slow path
        // took the misses).
        let missed: HotExit.Reason = step ? .fault : .slot
        @inline(__always) var wt: UnsafeMutablePointer<TLBEntry> { rt + TLB.entries }
        @inline(__always) func w(_ v: UInt64) -> UInt64 { sext32(v) }
        @inline(__always) func pcOf(_ p: UnsafeMutablePointer<DecodedInstruction>) -> UInt64 {
            pcBias &+ Hart.slotAddressShifted(p)
        }
        // Another page's slots for `target` when the code TLB holds it (as `run`'s lookup, which
        // takes the misses): `cur` and `pcBias` move there.
        @inline(__always) func enterPage(_ target: UInt64) -> Bool {
            let vpn = target >> 12
            #if SKIFF_WASI
            let e = Hart.hotCodeTLB.unsafelyUnwrapped[Int(vpn & TLB.codeMask)]
            #else
            let e = codeTLB[Int(vpn & TLB.codeMask)]
            #endif
            guard e.tag == vpn, let slots = e.slots else { return false }
            cur = slots + Int((target & GuestMemory.pageMask) >> 1)
            pcBias = (target & ~GuestMemory.pageMask) &- Hart.slotAddressShifted(slots)
            return true
        }
        // Fused ALU pairs that also run as the first unit of a two-unit slot (Fusion.fuseUnits):
        // the second's destination in rs3, its sources in aux and rm or its immediate in imm's
        // upper half.
        @inline(__always) func addPair(_ p: UnsafeMutablePointer<DecodedInstruction>) {
            r[p.rd] = r[p.rs1] &+ r[p.rs2]
            r[p.rs3] = r[p.aux] &+ r[p.rm]
        }
        @inline(__always) func addAddWord(_ p: UnsafeMutablePointer<DecodedInstruction>) {
            r[p.rd] = w(r[p.rs1] &+ p.imm)
            r[p.rs3] = w(r[p.aux] &+ r[p.rm])
        }
        @inline(__always) func multiplyAdd(_ p: UnsafeMutablePointer<DecodedInstruction>) {
            r[p.rd] = w(r[p.rs1] &* r[p.rs2])
            r[p.rs3] = w(r[p.aux] &+ r[p.rm])
        }
        @inline(__always) func shiftRightWordPair(_ p: UnsafeMutablePointer<DecodedInstruction>) {
            r[p.rd] = UInt64(bitPattern: Int64(bitPattern: sext32(r[p.rs1])) &>> (p.shamt & 31))
            r[p.rs3] = UInt64(bitPattern: Int64(bitPattern: sext32(r[p.aux])) &>> ((p.shamt &>> 16) & 31))
        }
        @inline(__always) func shiftLeftPair(_ p: UnsafeMutablePointer<DecodedInstruction>) {
            r[p.rd] = r[p.rs1] &<< p.pairFirstOffset
            r[p.rs3] = r[p.aux] &<< p.pairSecondOffset
        }
        @inline(__always) func shiftRightPair(_ p: UnsafeMutablePointer<DecodedInstruction>) {
            r[p.rd] = r[p.rs1] &>> p.pairFirstOffset
            r[p.rs3] = r[p.aux] &>> p.pairSecondOffset
        }
        @inline(__always) func maskPair(_ p: UnsafeMutablePointer<DecodedInstruction>) {
            r[p.rd] = r[p.rs1] & p.pairFirstOffset
            r[p.rs3] = r[p.aux] & p.pairSecondOffset
        }
        @inline(__always) func maskShift(_ p: UnsafeMutablePointer<DecodedInstruction>) {
            r[p.rd] = r[p.rs1] & p.pairFirstOffset
            r[p.rs3] = r[p.aux] &>> p.pairSecondOffset
        }
        @inline(__always) func xorAddWord(_ p: UnsafeMutablePointer<DecodedInstruction>) {
            r[p.rd] = r[p.rs1] ^ r[p.rs2]
            r[p.rs3] = w(r[p.aux] &+ p.imm)
        }
        @inline(__always) func addWordMask(_ p: UnsafeMutablePointer<DecodedInstruction>) {
            r[p.rd] = w(r[p.rs1] &+ p.pairFirstOffset)
            r[p.rs3] = r[p.aux] & p.pairSecondOffset
        }
        @inline(__always) func shiftAdd(_ p: UnsafeMutablePointer<DecodedInstruction>) {
            r[p.rd] = r[p.rs2] &+ (r[p.rs1] &<< p.shamt)
        }
        // A two-unit operation ending in a branch (Fusion.branchUnits): the offsets of the slot
        // after it (bits 0-3) and of the branch's target (bits 4-15, signed), in rs2 and rm.
        @inline(__always) func branchUnits(_ p: UnsafeMutablePointer<DecodedInstruction>) -> Int {
            Int(Int16(bitPattern: UInt16(p.pointee.rs2) | UInt16(p.pointee.rm) &<< 8))
        }
        // TLB.load and TLB.store with the value put together from bytes (LLVM joins them into one
        // access): natively the stdlib's `loadUnaligned` and `storeBytes` stayed calls in this
        // function (3% of CoreMark's host instructions).
        @inline(__always) func host(_ tlb: UnsafeMutablePointer<TLBEntry>, _ address: UInt64, _ size: UInt64) -> UInt? {
            let e = tlb[Int((address >> 12) & TLB.mask)]
            return _fastPath(e.tag == (address &+ (size &- 1)) >> 12) ? UInt(truncatingIfNeeded: address &+ e.addend) : nil
        }
        @inline(__always) func bytes(_ h: UInt) -> UnsafeMutablePointer<UInt8> {
            UnsafeMutablePointer<UInt8>(bitPattern: h).unsafelyUnwrapped
        }
        @inline(__always) func load8(_ address: UInt64) -> UInt8? {
            guard let h = host(rt, address, 1) else { return step ? hart.unsafelyUnwrapped.loadMiss(address, UInt8.self) : nil }
            return bytes(h)[0]
        }
        @inline(__always) func load16(_ address: UInt64) -> UInt16? {
            guard let h = host(rt, address, 2) else { return step ? hart.unsafelyUnwrapped.loadMiss(address, UInt16.self) : nil }
            let p = bytes(h)
            return UInt16(p[0]) | UInt16(p[1]) &<< 8
        }
        @inline(__always) func load32(_ address: UInt64) -> UInt32? {
            guard let h = host(rt, address, 4) else { return step ? hart.unsafelyUnwrapped.loadMiss(address, UInt32.self) : nil }
            let p = bytes(h)
            let low = UInt32(p[0]) | UInt32(p[1]) &<< 8
            return low | UInt32(p[2]) &<< 16 | UInt32(p[3]) &<< 24
        }
        @inline(__always) func load64(_ address: UInt64) -> UInt64? {
            guard let h = host(rt, address, 8) else { return step ? hart.unsafelyUnwrapped.loadMiss(address, UInt64.self) : nil }
            let p = bytes(h)
            let a = UInt64(p[0]) | UInt64(p[1]) &<< 8 | UInt64(p[2]) &<< 16
            let b = a | UInt64(p[3]) &<< 24 | UInt64(p[4]) &<< 32
            let c = b | UInt64(p[5]) &<< 40 | UInt64(p[6]) &<< 48
            return c | UInt64(p[7]) &<< 56
        }
        @inline(__always) func store(_ address: UInt64, _ v: UInt64, _ size: UInt64) -> Bool {
            guard let h = host(wt, address, size) else {
                return step && hart.unsafelyUnwrapped.storeMiss(address, v, Int(size))
            }
            let p = bytes(h)
            p[0] = UInt8(truncatingIfNeeded: v)
            if size > 1 { p[1] = UInt8(truncatingIfNeeded: v &>> 8) }
            if size > 2 {
                p[2] = UInt8(truncatingIfNeeded: v &>> 16)
                p[3] = UInt8(truncatingIfNeeded: v &>> 24)
            }
            if size > 4 {
                p[4] = UInt8(truncatingIfNeeded: v &>> 32)
                p[5] = UInt8(truncatingIfNeeded: v &>> 40)
                p[6] = UInt8(truncatingIfNeeded: v &>> 48)
                p[7] = UInt8(truncatingIfNeeded: v &>> 56)
            }
            return true
        }
        // A taken in-page branch or jump by `delta` slots: the budget and the native tier's
        // count at the target, then nil (on in this loop) or the exit.
        @inline(__always) func taken(_ delta: Int) -> HotExit? {
            cur += delta
            if left <= 0 { return exit(.budget) }
            if jit && NativeSlot.countExecution(cur, threshold: threshold) { return exit(.native) }
            left &-= Int(cur.pointee.count)
            return nil
        }
        // jalr at `cur`: the link written, and on in this loop (nil), or the target for a `.far`
        // exit (another page the code TLB does not hold, or the budget spent).
        @inline(__always) func jumpRegister() -> UInt64? {
            let target = (r[cur.rs1] &+ cur.imm) & ~1
            let here = pcOf(cur)
            r[cur.rd] = here &+ UInt64(cur.pointee.len) << 1
            if left <= 0 { return target }
            if (target ^ here) & ~GuestMemory.pageMask == 0 {
                cur += Int(truncatingIfNeeded: Int64(bitPattern: target &- here) &>> 1)
            } else if !enterPage(target) {
                return target
            }
            return nil
        }
        // add + ld: false if the load missed the TLB or faulted (the add has retired).
        @inline(__always) func addLoad(_ p: UnsafeMutablePointer<DecodedInstruction>) -> Bool {
            let t = r[p.rs1] &+ r[p.rs2]
            r[p.rd] = t
            guard let v = load64(t &+ p.imm) else { return false }
            r[p.rs3] = v
            return true
        }

        // Each arm steps by a constant or falls out of the switch into `cur += 2`: no value
        // merged from the arms at the loop's back edge, so the compiler copies the step and the
        // dispatch (the jump-table jump) into the end of every arm, each with its own indirect
        // jump (Package.swift). For the same reason a case that runs the next unit too
        // (Fusion.fuseUnits) spells that unit's code out again in a `do` block instead of a
        // `fallthrough`: a case entered both from the dispatch and from another case merges two
        // slot pointers at its entry, and LLVM then kept a second copy of the pointer in another
        // register, one more move in every copy of the dispatch.
        var stepped = false
        while true {
                if step {
                    if stepped { return exit(.resume) }
                    stepped = true
                }
                switch cur.pointee.op {
                // Upper immediates and jumps.
                case .liC:
                    r[cur.rd] = cur.imm
                    cur += 1
                    continue
                case .li:
                    r[cur.rd] = cur.imm
                case .auipc:
                    r[cur.rd] = pcOf(cur) &+ cur.imm
                case .jalC:
                    r[cur.rd] = pcOf(cur) &+ UInt64(2)
                    if let e = taken(cur.slotDelta) { return e }
                    continue
                case .jal:
                    r[cur.rd] = pcOf(cur) &+ UInt64(4)
                    if let e = taken(cur.slotDelta) { return e }
                    continue
                case .ldAddiJalr:
                    // ld + addi, then the jalr in the next slot (a function's return).
                    guard let v = load64(r[cur.rs1] &+ cur.pairFirstOffset) else { return exit(missed) }
                    r[cur.rd] = v
                    r[cur.rs3] = r[cur.aux] &+ cur.pairSecondOffset
                    cur = cur.next
                    do {
                        if let target = jumpRegister() { return far(target) }
                        if jit && NativeSlot.countExecution(cur, threshold: threshold) { return exit(.native) }
                        left &-= Int(cur.pointee.count)
                        continue
                    }
                case .jalr, .jalrC:
                    if let target = jumpRegister() { return far(target) }
                    if jit && NativeSlot.countExecution(cur, threshold: threshold) { return exit(.native) }
                    left &-= Int(cur.pointee.count)
                    continue

                case .jalFar:
                    // c.j and c.jal too (len 1).
                    let here = pcOf(cur)
                    let target = here &+ cur.imm
                    r[cur.rd] = here &+ UInt64(cur.pointee.len) << 1
                    if left <= 0 || !enterPage(target) { return far(target) }
                    if jit && NativeSlot.countExecution(cur, threshold: threshold) { return exit(.native) }
                    left &-= Int(cur.pointee.count)
                    continue
                case .branchFar:
                    // c.beqz and c.bnez to another page too (len 1).
                    if Hart.branchTaken(cur.pointee.rm, r[cur.rs1], r[cur.rs2]) {
                        let target = pcOf(cur) &+ cur.imm
                        if left <= 0 || !enterPage(target) { return far(target) }
                        if jit && NativeSlot.countExecution(cur, threshold: threshold) { return exit(.native) }
                        left &-= Int(cur.pointee.count)
                        continue
                    }
                    cur = cur.next
                    left &-= Int(cur.pointee.count)
                    continue
                case .pageEnd:
                    // Straight on into the next page (its run's count taken, as in `run`'s lookup).
                    if !enterPage(pcOf(cur)) { return exit(.slot) }
                    if jit && NativeSlot.countExecution(cur, threshold: threshold) { return exit(.native) }
                    left &-= Int(cur.pointee.count)
                    continue

                // Branches inside the page (imm = slot delta).
                case .beqC:
                    if r[cur.rs1] == r[cur.rs2] {
                        if let e = taken(cur.slotDelta) { return e }
                        continue
                    }
                    cur += 1
                    left &-= Int(cur.pointee.count)
                    continue
                case .beq:
                    if r[cur.rs1] == r[cur.rs2] {
                        if let e = taken(cur.slotDelta) { return e }
                        continue
                    }
                    cur += 2
                    left &-= Int(cur.pointee.count)
                    continue
                case .bneC:
                    if r[cur.rs1] != r[cur.rs2] {
                        if let e = taken(cur.slotDelta) { return e }
                        continue
                    }
                    cur += 1
                    left &-= Int(cur.pointee.count)
                    continue
                case .bne:
                    if r[cur.rs1] != r[cur.rs2] {
                        if let e = taken(cur.slotDelta) { return e }
                        continue
                    }
                    cur += 2
                    left &-= Int(cur.pointee.count)
                    continue
                case .blt:
                    if Int64(bitPattern: r[cur.rs1]) < Int64(bitPattern: r[cur.rs2]) {
                        if let e = taken(cur.slotDelta) { return e }
                        continue
                    }
                    cur += 2
                    left &-= Int(cur.pointee.count)
                    continue
                case .bge:
                    if Int64(bitPattern: r[cur.rs1]) >= Int64(bitPattern: r[cur.rs2]) {
                        if let e = taken(cur.slotDelta) { return e }
                        continue
                    }
                    cur += 2
                    left &-= Int(cur.pointee.count)
                    continue
                case .bltu:
                    if r[cur.rs1] < r[cur.rs2] {
                        if let e = taken(cur.slotDelta) { return e }
                        continue
                    }
                    cur += 2
                    left &-= Int(cur.pointee.count)
                    continue
                case .bgeu:
                    if r[cur.rs1] >= r[cur.rs2] {
                        if let e = taken(cur.slotDelta) { return e }
                        continue
                    }
                    cur += 2
                    left &-= Int(cur.pointee.count)
                    continue
                // Fused add + in-page branch (Fusion.swift): rs3/aux are the branch operands,
                // `rm` the condition (addiBranch/addBranch: 0 beq, 1 bne; the others as
                // branchFar's). The addi forms keep their immediate and the target's slot delta
                // in imm's halves, the add forms the delta in imm.
                case .lbuAddiBranch:
                    // lbu, then the addi + beq/bne in the next slot; the end's and the target's
                    // offsets from this slot in rs2 and rm (Fusion.branchUnits).
                    guard let v = load8(r[cur.rs1] &+ cur.imm) else { return exit(missed) }
                    r[cur.rd] = UInt64(v)
                    let u = cur.next
                    r[u.rd] = r[u.rs1] &+ u.pairFirstOffset
                    if (r[u.rs3] == r[u.aux]) == (u.pointee.rm == 0) {
                        if let e = taken(branchUnits(cur) &>> 4) { return e }
                        continue
                    }
                    cur += branchUnits(cur) & 15
                    left &-= Int(cur.pointee.count)
                    continue
                case .addiBranch:
                    r[cur.rd] = r[cur.rs1] &+ cur.pairFirstOffset
                    if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                        if let e = taken(Int(cur.pointee.imm >> 16)) { return e }
                        continue
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue
                case .addiBcmp:
                    let sum = r[cur.rs1] &+ cur.pairFirstOffset
                    r[cur.rd] = cur.pointee.rm & 8 != 0 ? w(sum) : sum
                    if Hart.branchTaken(cur.pointee.rm & 7, r[cur.rs3], r[cur.aux]) {
                        if let e = taken(Int(cur.pointee.imm >> 16)) { return e }
                        continue
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue
                case .addBranch:
                    r[cur.rd] = r[cur.rs1] &+ r[cur.rs2]
                    if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                        if let e = taken(Int(cur.pointee.imm)) { return e }
                        continue
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue
                case .addBcmp:
                    let sum = r[cur.rs1] &+ r[cur.rs2]
                    r[cur.rd] = cur.pointee.rm & 8 != 0 ? w(sum) : sum
                    if Hart.branchTaken(cur.pointee.rm & 7, r[cur.rs3], r[cur.aux]) {
                        if let e = taken(Int(cur.pointee.imm)) { return e }
                        continue
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue
                case .addiwAndiLiBranch:
                    // addiw;andi, then the li + branch in the next slot (offsets as lbuAddiBranch).
                    let u = cur.next
                    addWordMask(cur)
                    r[u.rd] = u.pairFirstOffset
                    if Hart.branchTaken(u.pointee.rm, r[u.rs3], r[u.aux]) {
                        if let e = taken(branchUnits(cur) &>> 4) { return e }
                        continue
                    }
                    cur += branchUnits(cur) & 15
                    left &-= Int(cur.pointee.count)
                    continue
                // li (a 16-bit constant) + any in-page conditional branch, the condition in `rm`.
                case .liBranch:
                    r[cur.rd] = cur.pairFirstOffset
                    if Hart.branchTaken(cur.pointee.rm, r[cur.rs3], r[cur.aux]) {
                        if let e = taken(Int(cur.pointee.imm >> 16)) { return e }
                        continue
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue
                // mulw;addw, then the bne in the next slot; the offsets as lbuAddiBranch's, in imm.
                case .mulwAddwBne:
                    let u = cur.next
                    multiplyAdd(cur)
                    if r[u.rs1] != r[u.rs2] {
                        if let e = taken(Int(cur.pointee.imm) &>> 4) { return e }
                        continue
                    }
                    cur += Int(cur.pointee.imm) & 15
                    left &-= Int(cur.pointee.count)
                    continue
                // A load or a shift fused with an in-page beq/bne (Fusion.swift): rs3/aux are the
                // branch operands, `rm` 0 for beq and 1 for bne; imm holds the first's immediate
                // (low half) and the branch target as a slot delta (high half). A faulting load
                // is reported at its own slot: nothing has retired.
                case .andiBranch:
                    r[cur.rd] = r[cur.rs1] & cur.pairFirstOffset
                    if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                        if let e = taken(Int(cur.pointee.imm >> 16)) { return e }
                        continue
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue
                case .ldBranch:
                    guard let v = load64(r[cur.rs1] &+ cur.pairFirstOffset) else { return exit(missed) }
                    r[cur.rd] = v
                    if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                        if let e = taken(Int(cur.pointee.imm >> 16)) { return e }
                        continue
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue
                case .ldLbuBranch:
                    // ld, then the lbu + beq/bne in the next slot (offsets as lbuAddiBranch).
                    let u = cur.next
                    guard let v = load64(r[cur.rs1] &+ cur.imm) else { return exit(missed) }
                    r[cur.rd] = v
                    guard let b = load8(r[u.rs1] &+ u.pairFirstOffset) else { cur = u; return exit(missed) }
                    r[u.rd] = UInt64(b)
                    if (r[u.rs3] == r[u.aux]) == (u.pointee.rm == 0) {
                        if let e = taken(branchUnits(cur) &>> 4) { return e }
                        continue
                    }
                    cur += branchUnits(cur) & 15
                    left &-= Int(cur.pointee.count)
                    continue
                case .lbuBranch:
                    guard let v = load8(r[cur.rs1] &+ cur.pairFirstOffset) else { return exit(missed) }
                    r[cur.rd] = UInt64(v)
                    if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                        if let e = taken(Int(cur.pointee.imm >> 16)) { return e }
                        continue
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue
                case .ldLhBranch:
                    // ld, then the lh + beq/bne in the next slot (offsets as lbuAddiBranch).
                    let u = cur.next
                    guard let v = load64(r[cur.rs1] &+ cur.imm) else { return exit(missed) }
                    r[cur.rd] = v
                    guard let h = load16(r[u.rs1] &+ u.pairFirstOffset) else { cur = u; return exit(missed) }
                    r[u.rd] = sext16(UInt64(h))
                    if (r[u.rs3] == r[u.aux]) == (u.pointee.rm == 0) {
                        if let e = taken(branchUnits(cur) &>> 4) { return e }
                        continue
                    }
                    cur += branchUnits(cur) & 15
                    left &-= Int(cur.pointee.count)
                    continue
                case .lhBranch:
                    guard let v = load16(r[cur.rs1] &+ cur.pairFirstOffset) else { return exit(missed) }
                    r[cur.rd] = sext16(UInt64(v))
                    if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                        if let e = taken(Int(cur.pointee.imm >> 16)) { return e }
                        continue
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue
                case .crcStep:
                    // xor;addiw, srli, andi;andi, then the xor and srli + beq/bne in the slots
                    // after. The units' addresses from the first slot's `len` and `rm`
                    // (Fusion.fuseUnits), not each from the one before: fewer loads on the slot
                    // pointer's chain.
                    let units = cur.rm, srli = cur.next
                    let masks = cur + ((units &>> 4) & 7), xor = cur + (units & 15)
                    let last = xor + 1 + (units &>> 7)
                    xorAddWord(cur)
                    r[srli.rd] = r[srli.rs1] &>> srli.shamt
                    maskPair(masks)
                    cur = last
                    do {
                        // xor, then the srli + beq/bne in the next slot.
                        r[xor.rd] = r[xor.rs1] ^ r[xor.rs2]
                        do {
                            r[cur.rd] = r[cur.rs1] &>> (cur.pairFirstOffset & 63)
                            if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                                if let e = taken(Int(cur.pointee.imm >> 16)) { return e }
                                continue
                            }
                            cur += Int(cur.pointee.len)
                            left &-= Int(cur.pointee.count)
                            continue
                        }
                    }
                case .xorSrliBranch:
                    // xor, then the srli + beq/bne in the next slot; the offsets as
                    // lbuAddiBranch's, in imm.
                    let u = cur.next
                    r[cur.rd] = r[cur.rs1] ^ r[cur.rs2]
                    r[u.rd] = r[u.rs1] &>> (u.pairFirstOffset & 63)
                    if (r[u.rs3] == r[u.aux]) == (u.pointee.rm == 0) {
                        if let e = taken(Int(cur.pointee.imm) &>> 4) { return e }
                        continue
                    }
                    cur += Int(cur.pointee.imm) & 15
                    left &-= Int(cur.pointee.count)
                    continue
                case .srliBranch:
                    r[cur.rd] = r[cur.rs1] &>> (cur.pairFirstOffset & 63)
                    if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                        if let e = taken(Int(cur.pointee.imm >> 16)) { return e }
                        continue
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue
                // Fused address arithmetic (Fusion.swift). A faulting indexed load reports the
                // fault at the load's own slot: the add before it has retired. Fused operations
                // advance by the pair's length (`next`).
                case .shlAdd:
                    shiftAdd(cur)
                    cur = cur.next
                    continue
                case .addLw:
                    let t = r[cur.rs1] &+ r[cur.rs2]
                    r[cur.rd] = t
                    guard let v = load32(t &+ cur.imm) else { cur += cur.aux; return exit(missed) }
                    r[cur.rs3] = sext32(UInt64(v))
                    cur = cur.next
                    continue
                case .addLd:
                    guard addLoad(cur) else { cur += cur.aux; return exit(missed) }
                    cur = cur.next
                    continue
                case .addLdSd:
                    // add+ld, then the sd in the next slot (its length read before the store,
                    // which may reset this code page).
                    guard addLoad(cur) else { cur += cur.aux; return exit(missed) }
                    cur = cur.next
                    let length = Int(cur.pointee.len)
                    guard store(r[cur.rs1] &+ cur.imm, r[cur.rs2], 8) else { return exit(missed) }
                    cur += length
                    continue
                case .addLdSdBranch:
                    // add+ld, sd, then the add + beq/bne in the slot after. In `runStep` the
                    // store may take the slow path and reset this code page: the branch then runs
                    // from its own slot (decoded again if need be) in the next `runHot`; the fast
                    // path never writes a code page. The branch is spelled out here: falling
                    // through into `addBranch` made Cranelift keep the register file's base in a
                    // stack slot, reloaded in every handler (docs/performance.md).
                    guard addLoad(cur) else { cur += cur.aux; return exit(missed) }
                    cur = cur.next
                    let length = Int(cur.pointee.len)
                    guard store(r[cur.rs1] &+ cur.imm, r[cur.rs2], 8) else { return exit(missed) }
                    cur += length
                    if step { continue }
                    r[cur.rd] = r[cur.rs1] &+ r[cur.rs2]
                    if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                        if let e = taken(Int(cur.pointee.imm)) { return e }
                        continue
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue
                case .addLbu:
                    let t = r[cur.rs1] &+ r[cur.rs2]
                    r[cur.rd] = t
                    guard let v = load8(t &+ cur.imm) else { cur += cur.aux; return exit(missed) }
                    r[cur.rs3] = UInt64(v)
                    cur = cur.next
                    continue
                // Load and store pairs (Fusion.swift).
                case .ldPair:
                    let base = r[cur.rs1]
                    guard let v = load64(base &+ cur.pairFirstOffset) else { return exit(missed) }
                    r[cur.rd] = v
                    guard let v2 = load64(base &+ cur.pairSecondOffset) else { cur += cur.aux; return exit(missed) }
                    r[cur.rs3] = v2
                    cur = cur.next
                    continue
                case .slliSrliAddLh:
                    // slli;slli, srli;srli, then the add;add and lh;lh in the slots after; their
                    // offsets and the end's in the first slot's rs2 and rm (Fusion.fuseUnits).
                    let units = cur.rs2, shifts = cur.next
                    let adds = cur + (units & 15), loads = cur + (units &>> 4), end = cur + cur.rm
                    shiftLeftPair(cur)
                    shiftRightPair(shifts)
                    addPair(adds)
                    cur = loads
                    do {
                        // Two bases: the second (rs2) is read after the first load has written rd.
                        guard let v = load16(r[cur.rs1] &+ cur.pairFirstOffset) else { return exit(missed) }
                        r[cur.rd] = sext16(UInt64(v))
                        guard let v2 = load16(r[cur.rs2] &+ cur.pairSecondOffset) else { cur += Int(cur.pointee.rm); return exit(missed) }
                        r[cur.rs3] = sext16(UInt64(v2))
                        cur = end
                        continue
                    }
                case .slliSrliAddLhChain:
                    // slliSrliAddLh whose srli, add and lh each read the result of the one before
                    // (Fusion.matrixChain): those values from host registers. Every result is
                    // stored in order; the adds' other operands are read after the stores before
                    // them. rm's bit 7: the loads' bases crossed.
                    let units = cur.rs2, p = cur, q = cur.next, ends = cur.rm
                    let a = cur + (units & 15), loads = cur + (units &>> 4), end = cur + (ends & 31)
                    let d1 = r[p.rs1] &<< p.pairFirstOffset
                    r[p.rd] = d1
                    let d2 = r[p.aux] &<< p.pairSecondOffset
                    r[p.rs3] = d2
                    let e1 = d1 &>> q.pairFirstOffset
                    r[q.rd] = e1
                    let e2 = d2 &>> q.pairSecondOffset
                    r[q.rs3] = e2
                    let f1 = e1 &+ r[a.rs2]
                    r[a.rd] = f1
                    let f2 = e2 &+ r[a.rm]
                    r[a.rs3] = f2
                    let crossed = ends & 0x80 != 0
                    let b1 = crossed ? f2 : f1, b2 = crossed ? f1 : f2
                    cur = loads
                    guard let v = load16(b1 &+ cur.pairFirstOffset) else { return exit(missed) }
                    r[cur.rd] = sext16(UInt64(v))
                    guard let v2 = load16(b2 &+ cur.pairSecondOffset) else { cur += Int(cur.pointee.rm); return exit(missed) }
                    r[cur.rs3] = sext16(UInt64(v2))
                    cur = end
                    continue
                case .addLhQuad:
                    // add;add, then the lh;lh in the next slot.
                    addPair(cur)
                    cur = cur.next
                    do {
                        // Two bases: the second (rs2) is read after the first load has written rd.
                        guard let v = load16(r[cur.rs1] &+ cur.pairFirstOffset) else { return exit(missed) }
                        r[cur.rd] = sext16(UInt64(v))
                        guard let v2 = load16(r[cur.rs2] &+ cur.pairSecondOffset) else { cur += Int(cur.pointee.rm); return exit(missed) }
                        r[cur.rs3] = sext16(UInt64(v2))
                        cur = cur.next
                        continue
                    }
                case .lhPair:
                    // Two bases: the second (rs2) is read after the first load has written rd.
                    guard let v = load16(r[cur.rs1] &+ cur.pairFirstOffset) else { return exit(missed) }
                    r[cur.rd] = sext16(UInt64(v))
                    guard let v2 = load16(r[cur.rs2] &+ cur.pairSecondOffset) else { cur += Int(cur.pointee.rm); return exit(missed) }
                    r[cur.rs3] = sext16(UInt64(v2))
                    cur = cur.next
                    continue
                case .sdPair:
                    // Everything read before the first store: it may reset this code page.
                    let base = r[cur.rs1], first = cur.aux, length = Int(cur.pointee.len)
                    let value2 = r[cur.rs3], address2 = base &+ cur.pairSecondOffset
                    guard store(base &+ cur.pairFirstOffset, r[cur.rs2], 8) else { return exit(missed) }
                    guard store(address2, value2, 8) else { cur += first; return exit(missed) }
                    cur += length
                    continue
                case .ldSd:
                    guard let v = load64(r[cur.rs1] &+ cur.pairFirstOffset) else { return exit(missed) }
                    r[cur.rd] = v
                    let length = Int(cur.pointee.len), first = cur.aux
                    guard store(r[cur.rs3] &+ cur.pairSecondOffset, r[cur.rs2], 8) else { cur += first; return exit(missed) }
                    cur += length
                    continue
                case .ldAddi:
                    guard let v = load64(r[cur.rs1] &+ cur.pairFirstOffset) else { return exit(missed) }
                    r[cur.rd] = v
                    r[cur.rs3] = r[cur.aux] &+ cur.pairSecondOffset
                    cur = cur.next
                    continue
                case .ldSlli:
                    guard let v = load64(r[cur.rs1] &+ cur.pairFirstOffset) else { return exit(missed) }
                    r[cur.rd] = v
                    r[cur.rs3] = r[cur.aux] &<< cur.pairSecondOffset
                    cur = cur.next
                    continue
                case .addiSd:
                    r[cur.rd] = r[cur.rs1] &+ cur.pairFirstOffset
                    let length = Int(cur.pointee.len), first = cur.aux
                    guard store(r[cur.rs3] &+ cur.pairSecondOffset, r[cur.rs2], 8) else { cur += first; return exit(missed) }
                    cur += length
                    continue
                // Two ALU instructions in one slot, executed in order (Fusion.swift): the
                // second's destination in rs3, its sources in aux and rm; two immediates in imm's
                // halves, or the first's whole immediate when the second has none.
                case .slliPair:
                    shiftLeftPair(cur)
                    cur = cur.next
                    continue
                case .slliSrliQuad:
                    // slli;slli, then the srli;srli in the next slot (the end's offset in rs2).
                    let end = cur + cur.rs2
                    shiftLeftPair(cur)
                    cur = cur.next
                    do {
                        shiftRightPair(cur)
                        cur = end
                        continue
                    }
                case .srliPair:
                    shiftRightPair(cur)
                    cur = cur.next
                    continue
                case .slliSrli:
                    r[cur.rd] = r[cur.rs1] &<< cur.pairFirstOffset
                    r[cur.rs3] = r[cur.aux] &>> cur.pairSecondOffset
                    cur = cur.next
                    continue
                case .slliSrliChain:
                    // slli t, s, k, then srli d, t, j from t's value in a host register.
                    let t = r[cur.rs1] &<< cur.pairFirstOffset
                    r[cur.rd] = t
                    r[cur.rs3] = t &>> cur.pairSecondOffset
                    cur = cur.next
                    continue
                case .slliSrliOr:
                    // slli;srli, then the or of their results into rs2, from host registers.
                    let x = r[cur.rs1] &<< cur.pairFirstOffset
                    r[cur.rd] = x
                    let y = r[cur.aux] &>> cur.pairSecondOffset
                    r[cur.rs3] = y
                    r[cur.rs2] = x | y
                    cur = cur.next
                    continue
                case .shiftPairOr:
                    // Two shifts by a register (sll if imm's bit 0 or 1 is set), then the or of
                    // their results into imm's bits 8-15.
                    let a = r[cur.rs1], sa = r[cur.rs2] & 63
                    let x = cur.pointee.imm & 1 != 0 ? a &<< sa : a &>> sa
                    r[cur.rd] = x
                    let b = r[cur.aux], sb = r[cur.rm] & 63
                    let y = cur.pointee.imm & 2 != 0 ? b &<< sb : b &>> sb
                    r[cur.rs3] = y
                    r[Int((cur.pointee.imm &>> 8) & 0xff)] = x | y
                    cur = cur.next
                    continue
                case .sraiwAndiQuad:
                    // sraiw;sraiw, then the andi;andi in the next slot (the end's offset in rs2).
                    let end = cur + cur.rs2
                    shiftRightWordPair(cur)
                    cur = cur.next
                    maskPair(cur)
                    cur = end
                    continue
                case .srliAndiPair:
                    // srli, then the andi;andi in the next slot.
                    r[cur.rd] = r[cur.rs1] &>> cur.shamt
                    cur = cur.next
                    do {
                        maskPair(cur)
                        cur = cur.next
                        continue
                    }
                case .andiPair:
                    maskPair(cur)
                    cur = cur.next
                    continue
                case .sraiwPair:
                    shiftRightWordPair(cur)
                    cur = cur.next
                    continue
                case .srliAdd:
                    r[cur.rd] = r[cur.rs1] &>> cur.shamt
                    r[cur.rs3] = r[cur.aux] &+ r[cur.rm]
                    cur = cur.next
                    continue
                case .addiwAddw:
                    addAddWord(cur)
                    cur = cur.next
                    continue
                case .addPair:
                    addPair(cur)
                    cur = cur.next
                    continue
                case .addiwAddwMulwAddw:
                    // addiw;addw, then the mulw;addw in the next slot (the end's offset in rs2).
                    let end = cur + cur.rs2
                    addAddWord(cur)
                    cur = cur.next
                    do {
                        multiplyAdd(cur)
                        cur = end
                        continue
                    }
                case .mulwAddw:
                    multiplyAdd(cur)
                    cur = cur.next
                    continue
                case .addwMulw:
                    r[cur.rd] = w(r[cur.rs1] &+ r[cur.rs2])
                    r[cur.rs3] = w(r[cur.aux] &* r[cur.rm])
                    cur = cur.next
                    continue
                case .xorAddiw:
                    xorAddWord(cur)
                    cur = cur.next
                    continue
                case .addiwAndi:
                    addWordMask(cur)
                    cur = cur.next
                    continue
                case .andiShlAddLdPair:
                    // andi, slli+add, ld, then the andi;srli in the slot after (a table jump's
                    // target and operands). A faulting ld is reported at its own slot.
                    r[cur.rd] = r[cur.rs1] & cur.imm
                    cur = cur.next
                    shiftAdd(cur)
                    cur = cur.next
                    guard let v = load64(r[cur.rs1] &+ cur.imm) else { return exit(missed) }
                    r[cur.rd] = v
                    cur = cur.next
                    do {
                        maskShift(cur)
                        cur = cur.next
                        continue
                    }
                case .andiSrli:
                    maskShift(cur)
                    cur = cur.next
                    continue
                case .rotateWord:
                    // srliw and slliw of one register (either order), and the `or` of the two
                    // results if it came right after them; without it rs2 is the scratch
                    // register (Fusion.fuseRotate).
                    let x = r[cur.rs1] & 0xffff_ffff
                    let low = x &>> cur.shamt
                    let high = w(x &<< (32 &- cur.shamt))
                    r[cur.rd] = low
                    r[cur.rs3] = high
                    r[cur.rs2] = low | high
                    cur = cur.next
                    continue
                // Two register-register operations (Fusion.fuseAluPair), as addwMulw.
                case .xorAddw:
                    r[cur.rd] = r[cur.rs1] ^ r[cur.rs2]
                    r[cur.rs3] = w(r[cur.aux] &+ r[cur.rm])
                    cur = cur.next
                    continue
                case .orXor:
                    r[cur.rd] = r[cur.rs1] | r[cur.rs2]
                    r[cur.rs3] = r[cur.aux] ^ r[cur.rm]
                    cur = cur.next
                    continue
                case .addwXor:
                    r[cur.rd] = w(r[cur.rs1] &+ r[cur.rs2])
                    r[cur.rs3] = r[cur.aux] ^ r[cur.rm]
                    cur = cur.next
                    continue
                case .xorPair:
                    r[cur.rd] = r[cur.rs1] ^ r[cur.rs2]
                    r[cur.rs3] = r[cur.aux] ^ r[cur.rm]
                    cur = cur.next
                    continue
                case .orPair:
                    r[cur.rd] = r[cur.rs1] | r[cur.rs2]
                    r[cur.rs3] = r[cur.aux] | r[cur.rm]
                    cur = cur.next
                    continue
                case .addwPair:
                    r[cur.rd] = w(r[cur.rs1] &+ r[cur.rs2])
                    r[cur.rs3] = w(r[cur.aux] &+ r[cur.rm])
                    cur = cur.next
                    continue
                case .srliwXor:
                    r[cur.rd] = w((r[cur.rs1] & 0xffff_ffff) &>> cur.shamt)
                    r[cur.rs3] = r[cur.aux] ^ r[cur.rm]
                    cur = cur.next
                    continue
                case .liPair:
                    r[cur.rd] = cur.imm
                    cur = cur.next
                    continue
                case .auipcPair:
                    r[cur.rd] = pcOf(cur) &+ cur.imm
                    cur = cur.next
                    continue
                case .auipcLd:
                    let t = pcOf(cur) &+ cur.imm
                    r[cur.rd] = t
                    guard let v = load64(t &+ cur.fusedLoadOffset) else { cur += cur.aux; return exit(missed) }
                    r[cur.rs3] = v
                    cur = cur.next
                    continue
                // Loads.
                case .lb:
                    guard let v = load8(r[cur.rs1] &+ cur.imm) else { return exit(missed) }
                    r[cur.rd] = sext8(UInt64(v))
                case .lh:
                    guard let v = load16(r[cur.rs1] &+ cur.imm) else { return exit(missed) }
                    r[cur.rd] = sext16(UInt64(v))
                case .lwC:
                    guard let v = load32(r[cur.rs1] &+ cur.imm) else { return exit(missed) }
                    r[cur.rd] = sext32(UInt64(v))
                    cur += 1
                    continue
                case .lw:
                    guard let v = load32(r[cur.rs1] &+ cur.imm) else { return exit(missed) }
                    r[cur.rd] = sext32(UInt64(v))
                case .ldC:
                    guard let v = load64(r[cur.rs1] &+ cur.imm) else { return exit(missed) }
                    r[cur.rd] = v
                    cur += 1
                    continue
                case .ld:
                    guard let v = load64(r[cur.rs1] &+ cur.imm) else { return exit(missed) }
                    r[cur.rd] = v
                case .fld:
                    // c.fld and c.fldsp too (len 1): steps by the slot's length.
                    guard let v = load64(r[cur.rs1] &+ cur.imm) else { return exit(missed) }
                    r[cur.rd] = v
                    cur = cur.next
                    continue
                case .lbu:
                    guard let v = load8(r[cur.rs1] &+ cur.imm) else { return exit(missed) }
                    r[cur.rd] = UInt64(v)
                case .lhu:
                    guard let v = load16(r[cur.rs1] &+ cur.imm) else { return exit(missed) }
                    r[cur.rd] = UInt64(v)
                case .lwu:
                    guard let v = load32(r[cur.rs1] &+ cur.imm) else { return exit(missed) }
                    r[cur.rd] = UInt64(v)
                case .flw:
                    guard let v = load32(r[cur.rs1] &+ cur.imm) else { return exit(missed) }
                    r[cur.rd] = UInt64(v) | Hart.boxMask
                // Stores.
                case .sb:
                    guard store(r[cur.rs1] &+ cur.imm, r[cur.rs2], 1) else { return exit(missed) }
                case .sh:
                    guard store(r[cur.rs1] &+ cur.imm, r[cur.rs2], 2) else { return exit(missed) }
                case .swC:
                    guard store(r[cur.rs1] &+ cur.imm, r[cur.rs2], 4) else { return exit(missed) }
                    cur += 1
                    continue
                case .sw, .fsw:
                    guard store(r[cur.rs1] &+ cur.imm, r[cur.rs2], 4) else { return exit(missed) }
                case .sdC:
                    guard store(r[cur.rs1] &+ cur.imm, r[cur.rs2], 8) else { return exit(missed) }
                    cur += 1
                    continue
                case .sd:
                    guard store(r[cur.rs1] &+ cur.imm, r[cur.rs2], 8) else { return exit(missed) }
                case .fsd:
                    // c.fsd and c.fsdsp too (len 1); the length is read before the store, which
                    // may reset this code page.
                    let length = Int(cur.pointee.len)
                    guard store(r[cur.rs1] &+ cur.imm, r[cur.rs2], 8) else { return exit(missed) }
                    cur += length
                    continue
                // Integer register-immediate.
                case .addiC:
                    r[cur.rd] = r[cur.rs1] &+ cur.imm
                    cur += 1
                    continue
                case .addi: r[cur.rd] = r[cur.rs1] &+ cur.imm
                case .slti: r[cur.rd] = Int64(bitPattern: r[cur.rs1]) < Int64(bitPattern: cur.imm) ? 1 : 0
                case .sltiu: r[cur.rd] = r[cur.rs1] < cur.imm ? 1 : 0
                case .xori: r[cur.rd] = r[cur.rs1] ^ cur.imm
                case .ori: r[cur.rd] = r[cur.rs1] | cur.imm
                case .andiC:
                    r[cur.rd] = r[cur.rs1] & cur.imm
                    cur += 1
                    continue
                case .andi: r[cur.rd] = r[cur.rs1] & cur.imm
                case .slliC:
                    r[cur.rd] = r[cur.rs1] << cur.shamt
                    cur += 1
                    continue
                case .slli: r[cur.rd] = r[cur.rs1] << cur.shamt
                case .srliC:
                    r[cur.rd] = r[cur.rs1] >> cur.shamt
                    cur += 1
                    continue
                case .srli: r[cur.rd] = r[cur.rs1] >> cur.shamt
                case .srai:
                    // c.srai too (len 1).
                    r[cur.rd] = UInt64(bitPattern: Int64(bitPattern: r[cur.rs1]) >> Int64(cur.shamt))
                    cur = cur.next
                    continue
                case .addiwC:
                    r[cur.rd] = w(r[cur.rs1] &+ cur.imm)
                    cur += 1
                    continue
                case .addiw: r[cur.rd] = w(r[cur.rs1] &+ cur.imm)
                case .slliw: r[cur.rd] = w(r[cur.rs1] << cur.shamt)
                case .srliw: r[cur.rd] = w((r[cur.rs1] & 0xffff_ffff) &>> cur.shamt)
                case .sraiw: r[cur.rd] = UInt64(bitPattern: Int64(bitPattern: w(r[cur.rs1])) &>> cur.shamt)
                // Integer register-register.
                case .addC:
                    r[cur.rd] = r[cur.rs1] &+ r[cur.rs2]
                    cur += 1
                    continue
                case .add: r[cur.rd] = r[cur.rs1] &+ r[cur.rs2]
                case .sub:
                    // c.sub too (len 1).
                    r[cur.rd] = r[cur.rs1] &- r[cur.rs2]
                    cur = cur.next
                    continue
                case .sll: r[cur.rd] = r[cur.rs1] << (r[cur.rs2] & 63)
                case .slt: r[cur.rd] = Int64(bitPattern: r[cur.rs1]) < Int64(bitPattern: r[cur.rs2]) ? 1 : 0
                case .sltu: r[cur.rd] = r[cur.rs1] < r[cur.rs2] ? 1 : 0
                case .xorC:
                    r[cur.rd] = r[cur.rs1] ^ r[cur.rs2]
                    cur += 1
                    continue
                case .xor: r[cur.rd] = r[cur.rs1] ^ r[cur.rs2]
                case .srl: r[cur.rd] = r[cur.rs1] >> (r[cur.rs2] & 63)
                case .sra: r[cur.rd] = UInt64(bitPattern: Int64(bitPattern: r[cur.rs1]) >> Int64(r[cur.rs2] & 63))
                case .orC:
                    r[cur.rd] = r[cur.rs1] | r[cur.rs2]
                    cur += 1
                    continue
                case .or: r[cur.rd] = r[cur.rs1] | r[cur.rs2]
                case .andC:
                    r[cur.rd] = r[cur.rs1] & r[cur.rs2]
                    cur += 1
                    continue
                case .and: r[cur.rd] = r[cur.rs1] & r[cur.rs2]
                case .addwC:
                    r[cur.rd] = w(r[cur.rs1] &+ r[cur.rs2])
                    cur += 1
                    continue
                case .addw: r[cur.rd] = w(r[cur.rs1] &+ r[cur.rs2])
                case .subw:
                    // c.subw too (len 1).
                    r[cur.rd] = w(r[cur.rs1] &- r[cur.rs2])
                    cur = cur.next
                    continue
                case .sllw: r[cur.rd] = w(r[cur.rs1] << (r[cur.rs2] & 31))
                case .srlw: r[cur.rd] = w((r[cur.rs1] & 0xffff_ffff) &>> (r[cur.rs2] & 31))
                case .sraw: r[cur.rd] = UInt64(bitPattern: Int64(bitPattern: w(r[cur.rs1])) &>> (r[cur.rs2] & 31))
                // M.
                case .mul: r[cur.rd] = r[cur.rs1] &* r[cur.rs2]
                case .addiwAddwMulw:
                    // addiw;addw, then the mulw in the next slot (always 4 bytes: step 2).
                    addAddWord(cur)
                    cur = cur.next
                    do {
                        r[cur.rd] = w(r[cur.rs1] &* r[cur.rs2])
                    }
                case .mulw: r[cur.rd] = w(r[cur.rs1] &* r[cur.rs2])
                case .mulhu: r[cur.rd] = r[cur.rs1].multipliedFullWidth(by: r[cur.rs2]).high
                case .divu:
                    let b = r[cur.rs2]
                    r[cur.rd] = b == 0 ? UInt64.max : r[cur.rs1] / b
                case .remu:
                    let b = r[cur.rs2]
                    r[cur.rd] = b == 0 ? r[cur.rs1] : r[cur.rs1] % b
                // Bit manipulation.
                case .sh1add: r[cur.rd] = r[cur.rs2] &+ (r[cur.rs1] << 1)
                case .sh2add: r[cur.rd] = r[cur.rs2] &+ (r[cur.rs1] << 2)
                case .sh3add: r[cur.rd] = r[cur.rs2] &+ (r[cur.rs1] << 3)
                case .addUw: r[cur.rd] = r[cur.rs2] &+ (r[cur.rs1] & 0xffff_ffff)
                case .zextH: r[cur.rd] = r[cur.rs1] & 0xffff
                case .andn: r[cur.rd] = r[cur.rs1] & ~r[cur.rs2]
                case .fsgnjD:
                    r[cur.rd] = (r[cur.rs1] & ~(1 << 63)) | (r[cur.rs2] & (1 << 63))
                case .fmvXD, .fmvDX:
                    r[cur.rd] = r[cur.rs1]
                case .fmvXW:
                    r[cur.rd] = w(r[cur.rs1])
                case .fmvWX:
                    r[cur.rd] = r[cur.rs1] | Hart.boxMask
                // Everything slow or rare: `run`'s arm. Spelled out, not `default`: an exhaustive
                // switch needs no range check before the jump table, so the dispatch is one block
                // ending in the indirect jump, which LLVM copies into every arm (Package.swift).
                case .undecoded, .illegal, .fence, .fenceI, .ecall, .ebreak,
                     .mulh, .mulhsu, .div, .rem, .divw, .divuw, .remw, .remuw, .lrW, .lrD, .scW, .scD, .amoW,
                     .amoD, .csr, .sh1addUw, .sh2addUw, .sh3addUw, .slliUw, .orn, .xnor, .bitCount, .max,
                     .maxu, .min, .minu, .sextB, .sextH, .rol, .rolw, .ror, .rori, .roriw, .rorw, .rev8,
                     .bitSingle, .bclri, .bexti, .binvi, .bseti, .faddS, .fsubS, .fmulS,
                     .fdivS, .fsqrtS, .fminS, .fmaxS, .fmaddS, .fmsubS, .fnmsubS, .fnmaddS, .faddD, .fsubD,
                     .fmulD, .fdivD, .fsqrtD, .fminD, .fmaxD, .fmaddD, .fmsubD, .fnmsubD, .fnmaddD, .fsgnjS,
                     .fsgnjnS, .fsgnjxS, .fsgnjnD, .fsgnjxD, .fcvtWS, .fcvtWUS, .fcvtLS, .fcvtLUS, .fcvtSW,
                     .fcvtSWU, .fcvtSL, .fcvtSLU, .fcvtWD, .fcvtWUD, .fcvtLD, .fcvtLUD, .fcvtDW, .fcvtDWU,
                     .fcvtDL, .fcvtDLU, .fcvtSD, .fcvtDS, .feqS, .fltS, .fleS, .feqD, .fltD, .fleD, .fclass:
                    // The store gives this arm a block of its own: as a bare return, the jump
                    // table's edge went straight to the common return and Cranelift set the
                    // exit reason (a constant) in the dispatch, one instruction per dispatch.
                    r[Int(Registers.scratch)] = 0
                    return exit(.slot)
                }
                cur += 2
        }
    }
}
