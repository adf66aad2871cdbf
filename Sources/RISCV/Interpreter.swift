// The run loop: dispatch over pre-decoded instructions of the current code page. Sequential
// execution walks the page's slot array; in-page branches move the slot pointer by a
// pre-computed delta; only leaving the page goes back through the code TLB. The pc is
// materialised from the slot pointer only where an instruction needs it. Each case reads just
// the fields it uses, straight from the slot. The instructions' arms are in HotLoop.swift
// (`hotLoop`); `Hart.run` here keeps the slow and rare paths around it.
// The dispatch's speed depends on where it lands (Package.swift aligns the module's functions;
// docs/performance.md, "The interpreter").

extension UnsafeMutablePointer where Pointee == DecodedInstruction {
    @inline(__always) var rd: Int { Int(pointee.rd) }
    @inline(__always) var rs1: Int { Int(pointee.rs1) }
    @inline(__always) var rs2: Int { Int(pointee.rs2) }
    @inline(__always) var rs3: Int { Int(pointee.rs3) }
    @inline(__always) var aux: Int { Int(pointee.aux) }
    @inline(__always) var rm: Int { Int(pointee.rm) }
    /// The immediate sign-extended to 64 bits.
    @inline(__always) var imm: UInt64 { sext(pointee.imm) }
    @inline(__always) var shamt: UInt64 { UInt64(UInt32(bitPattern: pointee.imm)) }
    @inline(__always) var slotDelta: Int { Int(pointee.imm) }
    /// Fused auipc+ld: the load's 12-bit offset, kept in rs1 (low byte) and rs2 (high byte).
    @inline(__always) var fusedLoadOffset: UInt64 {
        sext16(UInt64(pointee.rs1) | UInt64(pointee.rs2) << 8)
    }
    @inline(__always) var next: UnsafeMutablePointer<DecodedInstruction> { self + Int(pointee.len) }
    /// Fused pairs with two 12-bit immediates (load/store pairs, ld+addi, addi+sd): the first
    /// and the second instruction's immediate (16 bits each in imm).
    @inline(__always) var pairFirstOffset: UInt64 { sext16(UInt64(UInt32(bitPattern: pointee.imm))) }
    @inline(__always) var pairSecondOffset: UInt64 { UInt64(bitPattern: Int64(bitPattern: sext(pointee.imm)) &>> 16) }
}

extension Hart {
    /// Runs guest code until an ecall, a trap, or about `instructionBudget` instructions have
    /// retired (the budget is checked at taken branches and jumps, so straight-line code may
    /// overshoot by at most one page's worth).
    ///
    /// The instructions run in `runHot` (HotLoop.swift), a function with few live values; it
    /// comes back here for every slow or rare path, and this loop keeps only those: the code
    /// TLB's misses and the decode of new code, a slot that missed the data TLB (`runStep`: the
    /// slot with the slow path, then `runHot` again), and the slow and rare operations (ecall,
    /// CSRs, floating point, atomics, the rarer bit-manipulation and M forms).
    public func run(instructionBudget: Int) -> StopReason {
        let mem = memory
        let r = regs
        // The write TLB follows the read TLB in one allocation (`GuestMemory.readTLB`): one base
        // pointer for both.
        let rt = mem.readTLB
        let codeTLB = mem.codeTLB
        // Instructions left in the budget (one counter, not a count and its limit: one value
        // fewer live across the loop). Retired so far: instructionBudget - left.
        var left = instructionBudget
        var pc = self.pc
        var stop = StopReason.budgetExhausted

        // The native tier (none in WebAssembly, or when disabled): block entries count their
        // executions in the slot's `native` field until it is worth compiling them. The wasm
        // build compiles its checks out.
        #if SKIFF_WASI
        let native: NativeEntry? = nil
        #else
        let native = mem.nativeTier?.entry
        #endif
        let jit = native != nil
        let threshold = native?.threshold ?? 0
        var run = NativeRun(pc: 0, executed: 0, interpretFirst: false)
        var interpretFirst = false

        #if SKIFF_WASI
        Hart.runs &+= 1
        // Unused statistic, updated for the core's layout: with it `runHot` starts at 0 mod 64
        // (its dispatch in one 64-byte line; docs/performance.md).
        Hart.largestBudget = max(Hart.largestBudget, instructionBudget)
        Hart.hotCodeTLB = codeTLB
        #endif
        lookup: while true {
            guard let slots = mem.codeTLBHit(pc) ?? mem.codeSlots(pc) else {
                stop = .memoryFault(mem.fault(pc, .execute))
                break lookup
            }
            var cur = slots + Int((pc & GuestMemory.pageMask) >> 1)
            // A slot's pc from its address alone: slots are 16 bytes per 2-byte granule and
            // at least 8-byte aligned, so pc = address / 8 + a per-page bias. One value live
            // across the loop instead of two (`slots` and the page base), and no exact division
            // of a pointer difference (with its overflow check) per use.
            var pcBias = (pc & ~GuestMemory.pageMask) &- Hart.slotAddressShifted(slots)
            @inline(__always) func pcOf(_ p: UnsafeMutablePointer<DecodedInstruction>) -> UInt64 {
                pcBias &+ Hart.slotAddressShifted(p)
            }
            if jit {
                if interpretFirst {
                    interpretFirst = false
                } else if NativeSlot.countExecution(cur, threshold: threshold) {
                    // Hot code: the native tier runs from here (NativeTier.swift).
                    run = enterNative(native.unsafelyUnwrapped, pc, cur, left)
                    left &-= run.executed
                    pc = run.pc
                    if left <= 0 { break lookup }
                    interpretFirst = run.interpretFirst
                    continue lookup
                }
            }
            left &-= Int(cur.pointee.count)
            // `cur`'s slot (a hot operation) left `runHot`: it missed the data TLB, and
            // `runStep` runs it with the slow path.
            var slow = false

            // `break inner` means: the instruction at `cur` raised `pendingFault`.
            // `break illegal` means: the instruction at `cur` is illegal right now.
            illegal: do {
            inner: while true {
                let h: HotExit
                if slow {
                    slow = false
                    h = runStep(cur, left, r, rt, codeTLB, pcBias, jit: jit, threshold: threshold)
                } else {
                    #if SKIFF_WASI
                    h = Hart.runHot(cur, left, r, rt, codeTLB, pcBias)
                    #else
                    h = jit ? Hart.runHotCounting(cur, left, r, rt, codeTLB, pcBias, threshold)
                            : Hart.runHot(cur, left, r, rt, codeTLB, pcBias)
                    #endif
                }
                cur = h.cur
                left = h.left
                switch h.reason {
                case .slot:
                    pcBias = h.pcBias
                case .resume:
                    pcBias = h.pcBias
                    continue inner
                case .fault:
                    pcBias = h.pcBias
                    break inner
                case .native:
                    pcBias = h.pcBias
                    pc = pcOf(cur)
                    continue lookup
                case .budget:
                    pcBias = h.pcBias
                    pc = pcOf(cur)
                    break lookup
                case .far:
                    pc = r[Int(Registers.scratch)]
                    if left <= 0 { break lookup }
                    continue lookup
                }
                // The slow and rare slots.
                switch cur.pointee.op {
                case .undecoded:
                    if let f = decodeRun(cur, pc: pcOf(cur)) {
                        pc = pcOf(cur)
                        stop = .memoryFault(f)
                        break lookup
                    }
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .pageEnd:
                    // Into a page the code TLB does not hold.
                    pc = pcOf(cur)
                    continue lookup
                case .illegal:
                    break illegal
                case .sh1addUw, .sh2addUw, .sh3addUw, .slliUw, .orn, .xnor, .bitCount,
                     .max, .maxu, .min, .minu, .sextB, .sextH,
                     .rol, .rolw, .ror, .rori, .roriw, .rorw, .rev8,
                     .bitSingle, .bclri, .bexti, .binvi, .bseti:
                    r[cur.rd] = Hart.bitManipulation(cur, r[cur.rs1], r[cur.rs2])
                case .mulh, .mulhsu, .div, .rem, .divw, .divuw, .remw, .remuw:
                    r[cur.rd] = Hart.multiplyDivide(cur, r[cur.rs1], r[cur.rs2])

                // System.
                case .fence:
                    break
                case .fenceI:
                    // Nothing to drop: every store into code already dropped what it changed
                    // (GuestMemory.invalidateCode). It ends the run, like a jump.
                    cur += 2
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .ecall:
                    left &+= Int(cur.pointee.count) &- 1
                    pc = pcOf(cur)
                    stop = .ecall
                    break lookup
                case .ebreak:
                    left &+= Int(cur.pointee.count)
                    pc = pcOf(cur)
                    stop = .breakpoint
                    break lookup
                case .csr:
                    if !executeCSR(cur.pointee, retiredBefore: instructionsRetired &+ UInt64(instructionBudget &- left &- Int(cur.pointee.count))) { break illegal }

                // Atomics.
                case .lrW, .lrD, .scW, .scD, .amoW, .amoD:
                    if !executeAtomic(cur.pointee) { break inner }

                // Floating point: the common cases inline, everything else (and every case the
                // host cannot do exactly) in `executeFloat`.
                case .faddD:
                    if !fastDouble(cur, .add) && !executeFloat(cur.pointee) { break illegal }
                case .fsubD:
                    if !fastDouble(cur, .sub) && !executeFloat(cur.pointee) { break illegal }
                case .fmulD:
                    if !fastDouble(cur, .mul) && !executeFloat(cur.pointee) { break illegal }
                case .fdivD:
                    if !fastDouble(cur, .div) && !executeFloat(cur.pointee) { break illegal }
                case .fsqrtD:
                    if !fastDouble(cur, .sqrt) && !executeFloat(cur.pointee) { break illegal }
                case .fmaddD:
                    if !fastDouble(cur, .madd) && !executeFloat(cur.pointee) { break illegal }
                case .fmsubD:
                    if !fastDouble(cur, .msub) && !executeFloat(cur.pointee) { break illegal }
                case .fnmsubD:
                    if !fastDouble(cur, .nmsub) && !executeFloat(cur.pointee) { break illegal }
                case .fnmaddD:
                    if !fastDouble(cur, .nmadd) && !executeFloat(cur.pointee) { break illegal }
                case .faddS:
                    if !fastSingle(cur, .add) && !executeFloat(cur.pointee) { break illegal }
                case .fsubS:
                    if !fastSingle(cur, .sub) && !executeFloat(cur.pointee) { break illegal }
                case .fmulS:
                    if !fastSingle(cur, .mul) && !executeFloat(cur.pointee) { break illegal }
                case .fdivS:
                    if !fastSingle(cur, .div) && !executeFloat(cur.pointee) { break illegal }
                case .fsqrtS:
                    if !fastSingle(cur, .sqrt) && !executeFloat(cur.pointee) { break illegal }
                case .fmaddS:
                    if !fastSingle(cur, .madd) && !executeFloat(cur.pointee) { break illegal }
                case .fmsubS:
                    if !fastSingle(cur, .msub) && !executeFloat(cur.pointee) { break illegal }
                case .fnmsubS:
                    if !fastSingle(cur, .nmsub) && !executeFloat(cur.pointee) { break illegal }
                case .fnmaddS:
                    if !fastSingle(cur, .nmadd) && !executeFloat(cur.pointee) { break illegal }
                case .feqD, .fltD, .fleD:
                    if !fastCompareDouble(cur) && !executeFloat(cur.pointee) { break illegal }
                case .fcvtDW, .fcvtDL, .fcvtDS, .fcvtSD, .fcvtWD, .fcvtLD:
                    if !fastConvert(cur) && !executeFloat(cur.pointee) { break illegal }
                case .fsgnjnD, .fsgnjxD, .fsgnjS, .fsgnjnS, .fsgnjxS, .fminS, .fmaxS, .fminD, .fmaxD,
                     .fcvtWS, .fcvtWUS, .fcvtLS, .fcvtLUS, .fcvtSW, .fcvtSWU, .fcvtSL, .fcvtSLU,
                     .fcvtWUD, .fcvtLUD, .fcvtDWU, .fcvtDLU,
                     .feqS, .fltS, .fleS, .fclass:
                    if !executeFloat(cur.pointee) { break illegal }
                default:
                    // Every other operation lives in `hotLoop`, and `runHot` leaves at it only
                    // for a TLB miss: `runStep` runs the slot with the slow path.
                    slow = true
                    continue inner
                }
                cur += 2
            }
            // The instruction at `cur` raised `pendingFault`.
            left &+= Int(cur.pointee.count)
            pc = pcOf(cur)
            stop = .memoryFault(pendingFault)
            break lookup
            }
            // The instruction at `cur` is illegal.
            left &+= Int(cur.pointee.count)
            pc = pcOf(cur)
            stop = .illegalInstruction(rawInstruction(at: pc))
            break lookup
        }
        self.pc = pc
        instructionsRetired &+= UInt64(instructionBudget &- left)
        return stop
    }

    #if SKIFF_WASI
    /// Calls of `run` (the wasm build's only: see there).
    nonisolated(unsafe) static var runs = 0
    /// The largest budget `run` was given: an unused statistic whose update in `run` is there for
    /// the core's layout (removed on 2026-12-07 to put `runHot` at 0 mod 64, put back on
    /// 2026-12-08 for the same reason after `runHot`'s predecessors changed size:
    /// docs/performance.md). Any change before `runHot` in the module moves it again.
    nonisolated(unsafe) static var largestBudget = 0
    #endif

    /// Runs compiled code from `cur` (address `pc`). Out of line: the run loop's code before its
    /// dispatch stays short (where the dispatch lands matters: docs/performance.md).
    @inline(never)
    func enterNative(_ entry: NativeEntry, _ pc: UInt64, _ cur: UnsafeMutablePointer<DecodedInstruction>,
                     _ left: Int) -> NativeRun {
        var run = NativeRun(pc: 0, executed: 0, interpretFirst: false)
        entry.run(entry.tier, Unmanaged.passUnretained(self).toOpaque(), pc, UnsafeMutableRawPointer(cur), left, &run)
        return run
    }

    /// Decodes the straight-line run that starts at `first` (address `pc`): up to and
    /// including the next control-flow instruction, the page end, or an already decoded slot
    /// (the run then joins that slot's). Sets each slot's run count. Returns the fault if the
    /// first instruction cannot be fetched; a later unfetchable instruction just ends the run.
    @inline(never)
    func decodeRun(_ first: UnsafeMutablePointer<DecodedInstruction>, pc: UInt64) -> MemoryFault? {
        let pageBase = pc & ~GuestMemory.pageMask
        let slots = first - Int((pc & GuestMemory.pageMask) >> 1)
        if !CodePage.holdsCode(slots) { memory.noteCode(slots, vpn: pc >> 12) }
        var slot = first
        var n = 0
        // Instructions already counted after the run's last one (when it joins a decoded slot).
        var joined = 0
        while true {
            let offset = (slot - slots) << 1
            let here = pageBase &+ UInt64(offset)
            let (raw, fault) = memory.fetch(here)
            if let fault {
                if n == 0 { return fault }
                break
            }
            slot.pointee = raw & 3 == 3 ? Decoder.decode(raw, pc: here) : CompressedDecoder.decode(raw, pc: here)
            if raw & 3 == 3 && offset == Frame.size - 2 {
                // Its upper half lives on the next page: writes there must invalidate this page.
                memory.noteCodeSpill(intoPageAt: here &+ 2)
            }
            n += 1
            if slot.pointee.endsRun { break }
            slot = slot.next
            if slot.pointee.op != .undecoded {
                joined = Int(slot.pointee.count)
                break
            }
        }
        CodePage.addDecoded(slots, n)
        slot = first
        for i in 0..<n {
            slot.pointee.count = UInt16(n - i + joined)
            let next = slot.next
            // Each instruction may fuse with the next one in the run (or the slot it joins).
            if i < n - 1 || joined > 0 { Fusion.fuse(slot) }
            slot = next
        }
        // Then each unit (instruction or pair) may run with the unit after it in one dispatch:
        // every decoded slot of the run, including the second halves of pairs (jumps may land
        // there).
        var s = first
        while s < slot {
            if s.pointee.op != .undecoded { Fusion.fuseUnits(s) }
            s += 1
        }
        return nil
    }

    /// The encoding at `pc` (16 bits for a compressed instruction), for SIGILL reports.
    func rawInstruction(at pc: UInt64) -> UInt32 {
        let raw = memory.fetch(pc).0
        return raw & 3 == 3 ? raw : raw & 0xffff
    }

    // MARK: The slow path of the run loop's loads and stores (`runStep`)

    @inline(never)
    func loadMiss<T: FixedWidthInteger>(_ address: UInt64, _: T.Type) -> T? {
        // The run loop holds the memory: no retain/release per miss (they were 5% of sqlite).
        Unmanaged.passUnretained(memory)._withUnsafeGuaranteedRef {
            $0.loadMiss(address, MemoryLayout<T>.size, fault: &pendingFault)
        }.map { T(truncatingIfNeeded: $0) }
    }

    @inline(never)
    func storeMiss(_ address: UInt64, _ value: UInt64, _ size: Int) -> Bool {
        Unmanaged.passUnretained(memory)._withUnsafeGuaranteedRef { $0.storeMiss(address, size, value, fault: &pendingFault) }
    }

    /// A slot's address over 8: two slots (one 16-byte slot per 2-byte granule) per 4 bytes of
    /// guest code, so consecutive slots of a page differ by 2 (the run loop's `pcOf`).
    @inline(__always)
    static func slotAddressShifted(_ p: UnsafeMutablePointer<DecodedInstruction>) -> UInt64 {
        UInt64(UInt(bitPattern: p) / UInt(MemoryLayout<DecodedInstruction>.stride / 2))
    }

    /// Conditions of `branchFar`: beq, bne, blt, bge, bltu, bgeu.
    @inline(__always)
    static func branchTaken(_ cond: UInt8, _ a: UInt64, _ b: UInt64) -> Bool {
        switch cond {
        case 0: return a == b
        case 1: return a != b
        case 2: return Int64(bitPattern: a) < Int64(bitPattern: b)
        case 3: return Int64(bitPattern: a) >= Int64(bitPattern: b)
        case 4: return a < b
        default: return a >= b
        }
    }
}
