// The run loop: dispatch over pre-decoded instructions of the current code page. Sequential
// execution walks the page's slot array; in-page branches move the slot pointer by a
// pre-computed delta; only leaving the page goes back through the code TLB. The pc is
// materialised from the slot pointer only where an instruction needs it. Each case reads just
// the fields it uses, straight from the slot.
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
    public func run(instructionBudget: Int) -> StopReason {
        let mem = memory
        let r = regs
        // The write TLB follows the read TLB in one allocation (`GuestMemory.readTLB`): one base
        // pointer for both.
        let rt = mem.readTLB
        let codeTLB = mem.codeTLB
        @inline(__always) var wt: UnsafeMutablePointer<TLBEntry> { rt + TLB.entries }
        // Instructions left in the budget (one counter, not a count and its limit: one value
        // fewer live across the loop). Retired so far: instructionBudget - left.
        var left = instructionBudget
        var pc = self.pc
        var stop = StopReason.budgetExhausted

        @inline(__always) func w(_ v: UInt64) -> UInt64 { sext32(v) }
        // The native tier (none in WebAssembly, or when disabled): block entries count their
        // executions in the slot's `native` field until it is worth compiling them. The wasm
        // build compiles its checks out: fewer values live across the loop for its register
        // allocator (Cranelift's, V8's) to keep out of memory.
        #if SKIFF_WASI
        let native: NativeEntry? = nil
        #else
        let native = mem.nativeTier?.entry
        #endif
        let jit = native != nil
        let threshold = native?.threshold ?? 0
        var run = NativeRun(pc: 0, executed: 0, interpretFirst: false)
        var interpretFirst = false
        @inline(__always) func hot(_ p: UnsafeMutablePointer<DecodedInstruction>) -> Bool {
            NativeSlot.countExecution(p, threshold: threshold)
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
        // add + ld: false if the load faulted (the add has retired).
        @inline(__always) func addLoad(_ p: UnsafeMutablePointer<DecodedInstruction>) -> Bool {
            let t = r[p.rs1] &+ r[p.rs2]
            r[p.rd] = t
            guard let v = load(rt, t &+ p.imm, UInt64.self) else { return false }
            r[p.rs3] = v
            return true
        }

        #if SKIFF_WASI
        // Where Cranelift places the dispatch decides the speed (docs/performance.md, "The
        // interpreter"): these two statistics move it into one 64-byte line of the wasmtime build
        // (`scripts/wasm-run-loop.sh` prints where it lands).
        Hart.runs &+= 1
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
                } else if hot(cur) {
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

            // `break inner` means: the instruction at `cur` raised `pendingFault`.
            // `break illegal` means: the instruction at `cur` is illegal right now.
            illegal: do {
            inner: while true {
                // Each case steps to the next slot by a constant (one slot for a compressed
                // instruction, two otherwise, its own arm for each) or falls out of the switch
                // into `cur += 2`: no value merged from the arms at the loop's back edge, so the
                // compiler copies the step and the dispatch (the jump-table jump) into the end
                // of every arm, each with its own indirect jump (Package.swift). For the same
                // reason a case that runs the next unit too (Fusion.fuseUnits) spells that
                // unit's code out again in a `do` block instead of a `fallthrough`: a case
                // entered both from the dispatch and from another case merges two slot pointers
                // at its entry, and LLVM then kept a second copy of the pointer in another
                // register, one more move in every copy of the dispatch.
                //
                // The hot arms run in `runHot` (HotLoop.swift), a function with few live values;
                // it comes back here for every slow or rare path, with `cur` not yet executed,
                // and this switch runs that slot (all of it, slow paths included).
                #if SKIFF_WASI
                let h = Hart.runHot(cur, left, r, rt, codeTLB, pcBias)
                #else
                let h = jit ? Hart.runHotCounting(cur, left, r, rt, codeTLB, pcBias, threshold)
                            : Hart.runHot(cur, left, r, rt, codeTLB, pcBias)
                #endif
                cur = h.cur
                left = h.left
                pcBias = h.pcBias
                if h.reason != 0 {
                    // A jump's target: for the native tier (1) or with the budget spent (2).
                    pc = pcOf(cur)
                    if h.reason == 1 { continue lookup }
                    break lookup
                }
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
                    pc = pcOf(cur)
                    continue lookup
                case .illegal:
                    break illegal
                // The rarer bit-manipulation forms (placed here, the case order moves where the
                // compiler lays out the dispatch: docs/performance.md, "The interpreter").
                case .sh1addUw, .sh2addUw, .sh3addUw, .slliUw, .orn, .xnor, .bitCount,
                     .max, .maxu, .min, .minu, .sextB, .sextH,
                     .rol, .rolw, .ror, .rori, .roriw, .rorw, .rev8,
                     .bclr, .bclri, .bext, .bexti, .binv, .binvi, .bset, .bseti:
                    r[cur.rd] = Hart.bitManipulation(cur, r[cur.rs1], r[cur.rs2])

                // Upper immediates and jumps.
                case .liC:
                    r[cur.rd] = cur.imm
                    cur += 1
                    continue inner
                case .li:
                    r[cur.rd] = cur.imm
                case .auipc:
                    r[cur.rd] = pcOf(cur) &+ cur.imm
                case .jalC:
                    r[cur.rd] = pcOf(cur) &+ UInt64(2)
                    cur += cur.slotDelta
                    if left <= 0 { pc = pcOf(cur); break lookup }
                    if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .jal:
                    r[cur.rd] = pcOf(cur) &+ UInt64(4)
                    cur += cur.slotDelta
                    if left <= 0 { pc = pcOf(cur); break lookup }
                    if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .jalFar:
                    // c.j and c.jal too (len 1).
                    let here = pcOf(cur)
                    r[cur.rd] = here &+ UInt64(cur.pointee.len) << 1
                    pc = here &+ cur.imm
                    if left <= 0 { break lookup }
                    continue lookup
                case .ldAddiJalr:
                    // ld + addi, then the jalr in the next slot (a function's return).
                    guard let v = load(rt, r[cur.rs1] &+ cur.pairFirstOffset, UInt64.self) else { break inner }
                    r[cur.rd] = v
                    r[cur.rs3] = r[cur.aux] &+ cur.pairSecondOffset
                    cur = cur.next
                    do {
                        let target = (r[cur.rs1] &+ cur.imm) & ~1
                        let here = pcOf(cur)
                        r[cur.rd] = here &+ UInt64(cur.pointee.len) << 1
                        if left <= 0 { pc = target; break lookup }
                        if (target ^ here) & ~GuestMemory.pageMask == 0 {
                            cur += Int(truncatingIfNeeded: Int64(bitPattern: target &- here) &>> 1)
                            if jit && hot(cur) { pc = target; continue lookup }
                            left &-= Int(cur.pointee.count)
                            continue inner
                        }
                        pc = target
                        continue lookup
                    }
                case .jalr, .jalrC:
                    let target = (r[cur.rs1] &+ cur.imm) & ~1
                    let here = pcOf(cur)
                    r[cur.rd] = here &+ UInt64(cur.pointee.len) << 1
                    if left <= 0 { pc = target; break lookup }
                    if (target ^ here) & ~GuestMemory.pageMask == 0 {
                        cur += Int(truncatingIfNeeded: Int64(bitPattern: target &- here) &>> 1)
                        if jit && hot(cur) { pc = target; continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    pc = target
                    continue lookup

                // Branches inside the page (imm = slot delta).
                case .beqC:
                    if r[cur.rs1] == r[cur.rs2] {
                        cur += cur.slotDelta
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += 1
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .beq:
                    if r[cur.rs1] == r[cur.rs2] {
                        cur += cur.slotDelta
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += 2
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .bneC:
                    if r[cur.rs1] != r[cur.rs2] {
                        cur += cur.slotDelta
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += 1
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .bne:
                    if r[cur.rs1] != r[cur.rs2] {
                        cur += cur.slotDelta
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += 2
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .blt:
                    if Int64(bitPattern: r[cur.rs1]) < Int64(bitPattern: r[cur.rs2]) {
                        cur += cur.slotDelta
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += 2
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .bge:
                    if Int64(bitPattern: r[cur.rs1]) >= Int64(bitPattern: r[cur.rs2]) {
                        cur += cur.slotDelta
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += 2
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .bltu:
                    if r[cur.rs1] < r[cur.rs2] {
                        cur += cur.slotDelta
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += 2
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .bgeu:
                    if r[cur.rs1] >= r[cur.rs2] {
                        cur += cur.slotDelta
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += 2
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .branchFar:
                    // c.beqz and c.bnez to another page too (len 1).
                    if Hart.branchTaken(cur.pointee.rm, r[cur.rs1], r[cur.rs2]) {
                        pc = pcOf(cur) &+ cur.imm
                        if left <= 0 { break lookup }
                        continue lookup
                    }
                    cur = cur.next
                    left &-= Int(cur.pointee.count)
                    continue inner

                // Fused add + in-page branch (Fusion.swift): rs3/aux are the branch operands,
                // `rm` the condition (addiBranch/addBranch: 0 beq, 1 bne; the others as
                // branchFar's). The addi forms keep their immediate and the target's slot delta
                // in imm's halves, the add forms the delta in imm.
                case .lbuAddiBranch:
                    // lbu, then the addi + beq/bne in the next slot.
                    guard let v = load(rt, r[cur.rs1] &+ cur.imm, UInt8.self) else { break inner }
                    r[cur.rd] = UInt64(v)
                    cur = cur.next
                    do {
                        r[cur.rd] = r[cur.rs1] &+ cur.pairFirstOffset
                        if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                            cur += Int(cur.pointee.imm >> 16)
                            if left <= 0 { pc = pcOf(cur); break lookup }
                            if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                            left &-= Int(cur.pointee.count)
                            continue inner
                        }
                        cur += Int(cur.pointee.len)
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                case .addiBranch:
                    r[cur.rd] = r[cur.rs1] &+ cur.pairFirstOffset
                    if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                        cur += Int(cur.pointee.imm >> 16)
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .addiBcmp:
                    let sum = r[cur.rs1] &+ cur.pairFirstOffset
                    r[cur.rd] = cur.pointee.rm & 8 != 0 ? w(sum) : sum
                    if Hart.branchTaken(cur.pointee.rm & 7, r[cur.rs3], r[cur.aux]) {
                        cur += Int(cur.pointee.imm >> 16)
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .addBranch:
                    r[cur.rd] = r[cur.rs1] &+ r[cur.rs2]
                    if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                        cur += Int(cur.pointee.imm)
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .addBcmp:
                    let sum = r[cur.rs1] &+ r[cur.rs2]
                    r[cur.rd] = cur.pointee.rm & 8 != 0 ? w(sum) : sum
                    if Hart.branchTaken(cur.pointee.rm & 7, r[cur.rs3], r[cur.aux]) {
                        cur += Int(cur.pointee.imm)
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .addiwAndiLiBranch:
                    // addiw;andi, then the li + branch in the next slot.
                    addWordMask(cur)
                    cur = cur.next
                    do {
                        r[cur.rd] = cur.pairFirstOffset
                        if Hart.branchTaken(cur.pointee.rm, r[cur.rs3], r[cur.aux]) {
                            cur += Int(cur.pointee.imm >> 16)
                            if left <= 0 { pc = pcOf(cur); break lookup }
                            if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                            left &-= Int(cur.pointee.count)
                            continue inner
                        }
                        cur += Int(cur.pointee.len)
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                // li (a 16-bit constant) + any in-page conditional branch, the condition in `rm`.
                case .liBranch:
                    r[cur.rd] = cur.pairFirstOffset
                    if Hart.branchTaken(cur.pointee.rm, r[cur.rs3], r[cur.aux]) {
                        cur += Int(cur.pointee.imm >> 16)
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue inner
                // mulw;addw, then the bne in the next slot.
                case .mulwAddwBne:
                    multiplyAdd(cur)
                    cur = cur.next
                    if r[cur.rs1] != r[cur.rs2] {
                        cur += cur.slotDelta
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue inner

                // A load or a shift fused with an in-page beq/bne (Fusion.swift): rs3/aux are the
                // branch operands, `rm` 0 for beq and 1 for bne; imm holds the first's immediate
                // (low half) and the branch target as a slot delta (high half). A faulting load
                // is reported at its own slot: nothing has retired.
                case .andiBranch:
                    r[cur.rd] = r[cur.rs1] & cur.pairFirstOffset
                    if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                        cur += Int(cur.pointee.imm >> 16)
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .ldBranch:
                    guard let v = load(rt, r[cur.rs1] &+ cur.pairFirstOffset, UInt64.self) else { break inner }
                    r[cur.rd] = v
                    if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                        cur += Int(cur.pointee.imm >> 16)
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .ldLbuBranch:
                    // ld, then the lbu + beq/bne in the next slot.
                    guard let v = load(rt, r[cur.rs1] &+ cur.imm, UInt64.self) else { break inner }
                    r[cur.rd] = v
                    cur = cur.next
                    do {
                        guard let v = load(rt, r[cur.rs1] &+ cur.pairFirstOffset, UInt8.self) else { break inner }
                        r[cur.rd] = UInt64(v)
                        if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                            cur += Int(cur.pointee.imm >> 16)
                            if left <= 0 { pc = pcOf(cur); break lookup }
                            if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                            left &-= Int(cur.pointee.count)
                            continue inner
                        }
                        cur += Int(cur.pointee.len)
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                case .lbuBranch:
                    guard let v = load(rt, r[cur.rs1] &+ cur.pairFirstOffset, UInt8.self) else { break inner }
                    r[cur.rd] = UInt64(v)
                    if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                        cur += Int(cur.pointee.imm >> 16)
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .ldLhBranch:
                    // ld, then the lh + beq/bne in the next slot.
                    guard let v = load(rt, r[cur.rs1] &+ cur.imm, UInt64.self) else { break inner }
                    r[cur.rd] = v
                    cur = cur.next
                    do {
                        guard let v = load(rt, r[cur.rs1] &+ cur.pairFirstOffset, UInt16.self) else { break inner }
                        r[cur.rd] = sext16(UInt64(v))
                        if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                            cur += Int(cur.pointee.imm >> 16)
                            if left <= 0 { pc = pcOf(cur); break lookup }
                            if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                            left &-= Int(cur.pointee.count)
                            continue inner
                        }
                        cur += Int(cur.pointee.len)
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                case .lhBranch:
                    guard let v = load(rt, r[cur.rs1] &+ cur.pairFirstOffset, UInt16.self) else { break inner }
                    r[cur.rd] = sext16(UInt64(v))
                    if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                        cur += Int(cur.pointee.imm >> 16)
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .crcStep:
                    // xor;addiw, srli, andi;andi, then the xor and srli + beq/bne in the slots
                    // after.
                    xorAddWord(cur)
                    cur = cur.next
                    r[cur.rd] = r[cur.rs1] &>> cur.shamt
                    cur = cur.next
                    maskPair(cur)
                    cur = cur.next
                    do {
                        // xor, then the srli + beq/bne in the next slot.
                        r[cur.rd] = r[cur.rs1] ^ r[cur.rs2]
                        cur = cur.next
                        do {
                            r[cur.rd] = r[cur.rs1] &>> (cur.pairFirstOffset & 63)
                            if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                                cur += Int(cur.pointee.imm >> 16)
                                if left <= 0 { pc = pcOf(cur); break lookup }
                                if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                                left &-= Int(cur.pointee.count)
                                continue inner
                            }
                            cur += Int(cur.pointee.len)
                            left &-= Int(cur.pointee.count)
                            continue inner
                        }
                    }
                case .xorSrliBranch:
                    // xor, then the srli + beq/bne in the next slot.
                    r[cur.rd] = r[cur.rs1] ^ r[cur.rs2]
                    cur = cur.next
                    do {
                        r[cur.rd] = r[cur.rs1] &>> (cur.pairFirstOffset & 63)
                        if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                            cur += Int(cur.pointee.imm >> 16)
                            if left <= 0 { pc = pcOf(cur); break lookup }
                            if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                            left &-= Int(cur.pointee.count)
                            continue inner
                        }
                        cur += Int(cur.pointee.len)
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                case .srliBranch:
                    r[cur.rd] = r[cur.rs1] &>> (cur.pairFirstOffset & 63)
                    if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                        cur += Int(cur.pointee.imm >> 16)
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue inner
                // Fused address arithmetic (Fusion.swift). A faulting indexed load reports the
                // fault at the load's own slot: the add before it has retired. Fused operations
                // advance by the pair's length (`next`).
                case .shlAdd:
                    shiftAdd(cur)
                    cur = cur.next
                    continue inner
                case .addLw:
                    let t = r[cur.rs1] &+ r[cur.rs2]
                    r[cur.rd] = t
                    guard let v = load(rt, t &+ cur.imm, UInt32.self) else { cur += cur.aux; break inner }
                    r[cur.rs3] = sext32(UInt64(v))
                    cur = cur.next
                    continue inner
                case .addLd:
                    guard addLoad(cur) else { cur += cur.aux; break inner }
                    cur = cur.next
                    continue inner
                case .addLdSd:
                    // add+ld, then the sd in the next slot (its length read before the store,
                    // which may reset this code page).
                    guard addLoad(cur) else { cur += cur.aux; break inner }
                    cur = cur.next
                    let length = Int(cur.pointee.len)
                    guard store(wt, r[cur.rs1] &+ cur.imm, r[cur.rs2]) else { break inner }
                    cur += length
                    continue inner
                case .addLdSdBranch:
                    // add+ld, sd, then the add + beq/bne in the slot after. A store that takes
                    // the slow path may reset this code page: the branch then runs from its own
                    // slot, decoded again if need be (the fast path never writes a code page).
                    // The branch is spelled out here: falling through into `addBranch` made
                    // Cranelift keep the register file's base in a stack slot, reloaded in
                    // every handler (docs/performance.md, "The interpreter").
                    guard addLoad(cur) else { cur += cur.aux; break inner }
                    cur = cur.next
                    let length = Int(cur.pointee.len)
                    if !TLB.store(wt, r[cur.rs1] &+ cur.imm, r[cur.rs2]) {
                        guard storeMiss(r[cur.rs1] &+ cur.imm, r[cur.rs2], 8) else { break inner }
                        cur += length
                        continue inner
                    }
                    cur += length
                    r[cur.rd] = r[cur.rs1] &+ r[cur.rs2]
                    if (r[cur.rs3] == r[cur.aux]) == (cur.pointee.rm == 0) {
                        cur += Int(cur.pointee.imm)
                        if left <= 0 { pc = pcOf(cur); break lookup }
                        if jit && hot(cur) { pc = pcOf(cur); continue lookup }
                        left &-= Int(cur.pointee.count)
                        continue inner
                    }
                    cur += Int(cur.pointee.len)
                    left &-= Int(cur.pointee.count)
                    continue inner
                case .addLbu:
                    let t = r[cur.rs1] &+ r[cur.rs2]
                    r[cur.rd] = t
                    guard let v = load(rt, t &+ cur.imm, UInt8.self) else { cur += cur.aux; break inner }
                    r[cur.rs3] = UInt64(v)
                    cur = cur.next
                    continue inner

                // Load and store pairs (Fusion.swift).
                case .ldPair:
                    let base = r[cur.rs1]
                    guard let v = load(rt, base &+ cur.pairFirstOffset, UInt64.self) else { break inner }
                    r[cur.rd] = v
                    guard let v2 = load(rt, base &+ cur.pairSecondOffset, UInt64.self) else { cur += cur.aux; break inner }
                    r[cur.rs3] = v2
                    cur = cur.next
                    continue inner
                case .slliSrliAddLh:
                    // slli;slli, srli;srli, then the add;add and lh;lh in the slots after.
                    shiftLeftPair(cur)
                    cur = cur.next
                    shiftRightPair(cur)
                    cur = cur.next
                    do {
                        // add;add, then the lh;lh in the next slot.
                        addPair(cur)
                        cur = cur.next
                        do {
                            // Two bases: the second (rs2) is read after the first load has written rd.
                            guard let v = load(rt, r[cur.rs1] &+ cur.pairFirstOffset, UInt16.self) else { break inner }
                            r[cur.rd] = sext16(UInt64(v))
                            guard let v2 = load(rt, r[cur.rs2] &+ cur.pairSecondOffset, UInt16.self) else { cur += Int(cur.pointee.rm); break inner }
                            r[cur.rs3] = sext16(UInt64(v2))
                            cur = cur.next
                            continue inner
                        }
                    }
                case .addLhQuad:
                    // add;add, then the lh;lh in the next slot.
                    addPair(cur)
                    cur = cur.next
                    do {
                        // Two bases: the second (rs2) is read after the first load has written rd.
                        guard let v = load(rt, r[cur.rs1] &+ cur.pairFirstOffset, UInt16.self) else { break inner }
                        r[cur.rd] = sext16(UInt64(v))
                        guard let v2 = load(rt, r[cur.rs2] &+ cur.pairSecondOffset, UInt16.self) else { cur += Int(cur.pointee.rm); break inner }
                        r[cur.rs3] = sext16(UInt64(v2))
                        cur = cur.next
                        continue inner
                    }
                case .lhPair:
                    // Two bases: the second (rs2) is read after the first load has written rd.
                    guard let v = load(rt, r[cur.rs1] &+ cur.pairFirstOffset, UInt16.self) else { break inner }
                    r[cur.rd] = sext16(UInt64(v))
                    guard let v2 = load(rt, r[cur.rs2] &+ cur.pairSecondOffset, UInt16.self) else { cur += Int(cur.pointee.rm); break inner }
                    r[cur.rs3] = sext16(UInt64(v2))
                    cur = cur.next
                    continue inner
                case .sdPair:
                    // Everything read before the first store: it may reset this code page.
                    let base = r[cur.rs1], first = cur.aux, length = Int(cur.pointee.len)
                    let value2 = r[cur.rs3], address2 = base &+ cur.pairSecondOffset
                    guard store(wt, base &+ cur.pairFirstOffset, r[cur.rs2]) else { break inner }
                    guard store(wt, address2, value2) else { cur += first; break inner }
                    cur += length
                    continue inner
                case .ldSd:
                    guard let v = load(rt, r[cur.rs1] &+ cur.pairFirstOffset, UInt64.self) else { break inner }
                    r[cur.rd] = v
                    let length = Int(cur.pointee.len), first = cur.aux
                    guard store(wt, r[cur.rs3] &+ cur.pairSecondOffset, r[cur.rs2]) else { cur += first; break inner }
                    cur += length
                    continue inner
                case .ldAddi:
                    guard let v = load(rt, r[cur.rs1] &+ cur.pairFirstOffset, UInt64.self) else { break inner }
                    r[cur.rd] = v
                    r[cur.rs3] = r[cur.aux] &+ cur.pairSecondOffset
                    cur = cur.next
                    continue inner
                case .ldSlli:
                    guard let v = load(rt, r[cur.rs1] &+ cur.pairFirstOffset, UInt64.self) else { break inner }
                    r[cur.rd] = v
                    r[cur.rs3] = r[cur.aux] &<< cur.pairSecondOffset
                    cur = cur.next
                    continue inner
                case .addiSd:
                    r[cur.rd] = r[cur.rs1] &+ cur.pairFirstOffset
                    let length = Int(cur.pointee.len), first = cur.aux
                    guard store(wt, r[cur.rs3] &+ cur.pairSecondOffset, r[cur.rs2]) else { cur += first; break inner }
                    cur += length
                    continue inner

                // Two ALU instructions in one slot, executed in order (Fusion.swift): the
                // second's destination in rs3, its sources in aux and rm; two immediates in imm's
                // halves, or the first's whole immediate when the second has none.
                case .slliPair:
                    shiftLeftPair(cur)
                    cur = cur.next
                    continue inner
                case .slliSrliQuad:
                    // slli;slli, then the srli;srli in the next slot.
                    shiftLeftPair(cur)
                    cur = cur.next
                    do {
                        shiftRightPair(cur)
                        cur = cur.next
                        continue inner
                    }
                case .srliPair:
                    shiftRightPair(cur)
                    cur = cur.next
                    continue inner
                case .slliSrli:
                    r[cur.rd] = r[cur.rs1] &<< cur.pairFirstOffset
                    r[cur.rs3] = r[cur.aux] &>> cur.pairSecondOffset
                    cur = cur.next
                    continue inner
                case .sraiwAndiQuad:
                    // sraiw;sraiw, then the andi;andi in the next slot.
                    shiftRightWordPair(cur)
                    cur = cur.next
                    maskPair(cur)
                    cur = cur.next
                    continue inner
                case .srliAndiPair:
                    // srli, then the andi;andi in the next slot.
                    r[cur.rd] = r[cur.rs1] &>> cur.shamt
                    cur = cur.next
                    do {
                        maskPair(cur)
                        cur = cur.next
                        continue inner
                    }
                case .andiPair:
                    maskPair(cur)
                    cur = cur.next
                    continue inner
                case .sraiwPair:
                    shiftRightWordPair(cur)
                    cur = cur.next
                    continue inner
                case .srliAdd:
                    r[cur.rd] = r[cur.rs1] &>> cur.shamt
                    r[cur.rs3] = r[cur.aux] &+ r[cur.rm]
                    cur = cur.next
                    continue inner
                case .addiwAddw:
                    addAddWord(cur)
                    cur = cur.next
                    continue inner
                case .addPair:
                    addPair(cur)
                    cur = cur.next
                    continue inner
                case .addiwAddwMulwAddw:
                    // addiw;addw, then the mulw;addw in the next slot.
                    addAddWord(cur)
                    cur = cur.next
                    do {
                        multiplyAdd(cur)
                        cur = cur.next
                        continue inner
                    }
                case .mulwAddw:
                    multiplyAdd(cur)
                    cur = cur.next
                    continue inner
                case .addwMulw:
                    r[cur.rd] = w(r[cur.rs1] &+ r[cur.rs2])
                    r[cur.rs3] = w(r[cur.aux] &* r[cur.rm])
                    cur = cur.next
                    continue inner
                case .xorAddiw:
                    xorAddWord(cur)
                    cur = cur.next
                    continue inner
                case .addiwAndi:
                    addWordMask(cur)
                    cur = cur.next
                    continue inner
                case .andiShlAddLdPair:
                    // andi, slli+add, ld, then the andi;srli in the slot after (a table jump's
                    // target and operands). A faulting ld is reported at its own slot.
                    r[cur.rd] = r[cur.rs1] & cur.imm
                    cur = cur.next
                    shiftAdd(cur)
                    cur = cur.next
                    guard let v = load(rt, r[cur.rs1] &+ cur.imm, UInt64.self) else { break inner }
                    r[cur.rd] = v
                    cur = cur.next
                    do {
                        maskShift(cur)
                        cur = cur.next
                        continue inner
                    }
                case .andiSrli:
                    maskShift(cur)
                    cur = cur.next
                    continue inner

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
                    continue inner

                // Two register-register operations (Fusion.fuseAluPair), as addwMulw.
                case .xorAddw:
                    r[cur.rd] = r[cur.rs1] ^ r[cur.rs2]
                    r[cur.rs3] = w(r[cur.aux] &+ r[cur.rm])
                    cur = cur.next
                    continue inner
                case .orXor:
                    r[cur.rd] = r[cur.rs1] | r[cur.rs2]
                    r[cur.rs3] = r[cur.aux] ^ r[cur.rm]
                    cur = cur.next
                    continue inner
                case .addwXor:
                    r[cur.rd] = w(r[cur.rs1] &+ r[cur.rs2])
                    r[cur.rs3] = r[cur.aux] ^ r[cur.rm]
                    cur = cur.next
                    continue inner
                case .xorPair:
                    r[cur.rd] = r[cur.rs1] ^ r[cur.rs2]
                    r[cur.rs3] = r[cur.aux] ^ r[cur.rm]
                    cur = cur.next
                    continue inner
                case .orPair:
                    r[cur.rd] = r[cur.rs1] | r[cur.rs2]
                    r[cur.rs3] = r[cur.aux] | r[cur.rm]
                    cur = cur.next
                    continue inner
                case .addwPair:
                    r[cur.rd] = w(r[cur.rs1] &+ r[cur.rs2])
                    r[cur.rs3] = w(r[cur.aux] &+ r[cur.rm])
                    cur = cur.next
                    continue inner
                case .srliwXor:
                    r[cur.rd] = w((r[cur.rs1] & 0xffff_ffff) &>> cur.shamt)
                    r[cur.rs3] = r[cur.aux] ^ r[cur.rm]
                    cur = cur.next
                    continue inner

                case .liPair:
                    r[cur.rd] = cur.imm
                    cur = cur.next
                    continue inner
                case .auipcPair:
                    r[cur.rd] = pcOf(cur) &+ cur.imm
                    cur = cur.next
                    continue inner
                case .auipcLd:
                    let t = pcOf(cur) &+ cur.imm
                    r[cur.rd] = t
                    guard let v = load(rt, t &+ cur.fusedLoadOffset, UInt64.self) else { cur += cur.aux; break inner }
                    r[cur.rs3] = v
                    cur = cur.next
                    continue inner

                // Loads.
                case .lb:
                    guard let v = load(rt, r[cur.rs1] &+ cur.imm, UInt8.self) else { break inner }
                    r[cur.rd] = sext8(UInt64(v))
                case .lh:
                    guard let v = load(rt, r[cur.rs1] &+ cur.imm, UInt16.self) else { break inner }
                    r[cur.rd] = sext16(UInt64(v))
                case .lwC:
                    guard let v = load(rt, r[cur.rs1] &+ cur.imm, UInt32.self) else { break inner }
                    r[cur.rd] = sext32(UInt64(v))
                    cur += 1
                    continue inner
                case .lw:
                    guard let v = load(rt, r[cur.rs1] &+ cur.imm, UInt32.self) else { break inner }
                    r[cur.rd] = sext32(UInt64(v))
                case .ldC:
                    guard let v = load(rt, r[cur.rs1] &+ cur.imm, UInt64.self) else { break inner }
                    r[cur.rd] = v
                    cur += 1
                    continue inner
                case .ld:
                    guard let v = load(rt, r[cur.rs1] &+ cur.imm, UInt64.self) else { break inner }
                    r[cur.rd] = v
                case .fld:
                    // c.fld and c.fldsp too (len 1): steps by the slot's length.
                    guard let v = load(rt, r[cur.rs1] &+ cur.imm, UInt64.self) else { break inner }
                    r[cur.rd] = v
                    cur = cur.next
                    continue inner
                case .lbu:
                    guard let v = load(rt, r[cur.rs1] &+ cur.imm, UInt8.self) else { break inner }
                    r[cur.rd] = UInt64(v)
                case .lhu:
                    guard let v = load(rt, r[cur.rs1] &+ cur.imm, UInt16.self) else { break inner }
                    r[cur.rd] = UInt64(v)
                case .lwu:
                    guard let v = load(rt, r[cur.rs1] &+ cur.imm, UInt32.self) else { break inner }
                    r[cur.rd] = UInt64(v)
                case .flw:
                    guard let v = load(rt, r[cur.rs1] &+ cur.imm, UInt32.self) else { break inner }
                    r[cur.rd] = UInt64(v) | Hart.boxMask

                // Stores.
                case .sb:
                    guard store(wt, r[cur.rs1] &+ cur.imm, UInt8(truncatingIfNeeded: r[cur.rs2])) else { break inner }
                case .sh:
                    guard store(wt, r[cur.rs1] &+ cur.imm, UInt16(truncatingIfNeeded: r[cur.rs2])) else { break inner }
                case .swC:
                    guard store(wt, r[cur.rs1] &+ cur.imm, UInt32(truncatingIfNeeded: r[cur.rs2])) else { break inner }
                    cur += 1
                    continue inner
                case .sw, .fsw:
                    guard store(wt, r[cur.rs1] &+ cur.imm, UInt32(truncatingIfNeeded: r[cur.rs2])) else { break inner }
                case .sdC:
                    guard store(wt, r[cur.rs1] &+ cur.imm, r[cur.rs2]) else { break inner }
                    cur += 1
                    continue inner
                case .sd:
                    guard store(wt, r[cur.rs1] &+ cur.imm, r[cur.rs2]) else { break inner }
                case .fsd:
                    // c.fsd and c.fsdsp too (len 1); the length is read before the store, which
                    // may reset this code page.
                    let length = Int(cur.pointee.len)
                    guard store(wt, r[cur.rs1] &+ cur.imm, r[cur.rs2]) else { break inner }
                    cur += length
                    continue inner

                // Integer register-immediate.
                case .addiC:
                    r[cur.rd] = r[cur.rs1] &+ cur.imm
                    cur += 1
                    continue inner
                case .addi: r[cur.rd] = r[cur.rs1] &+ cur.imm
                case .slti: r[cur.rd] = Int64(bitPattern: r[cur.rs1]) < Int64(bitPattern: cur.imm) ? 1 : 0
                case .sltiu: r[cur.rd] = r[cur.rs1] < cur.imm ? 1 : 0
                case .xori: r[cur.rd] = r[cur.rs1] ^ cur.imm
                case .ori: r[cur.rd] = r[cur.rs1] | cur.imm
                case .andiC:
                    r[cur.rd] = r[cur.rs1] & cur.imm
                    cur += 1
                    continue inner
                case .andi: r[cur.rd] = r[cur.rs1] & cur.imm
                case .slliC:
                    r[cur.rd] = r[cur.rs1] << cur.shamt
                    cur += 1
                    continue inner
                case .slli: r[cur.rd] = r[cur.rs1] << cur.shamt
                case .srliC:
                    r[cur.rd] = r[cur.rs1] >> cur.shamt
                    cur += 1
                    continue inner
                case .srli: r[cur.rd] = r[cur.rs1] >> cur.shamt
                case .srai:
                    // c.srai too (len 1).
                    r[cur.rd] = UInt64(bitPattern: Int64(bitPattern: r[cur.rs1]) >> Int64(cur.shamt))
                    cur = cur.next
                    continue inner
                case .addiwC:
                    r[cur.rd] = w(r[cur.rs1] &+ cur.imm)
                    cur += 1
                    continue inner
                case .addiw: r[cur.rd] = w(r[cur.rs1] &+ cur.imm)
                case .slliw: r[cur.rd] = w(r[cur.rs1] << cur.shamt)
                case .srliw: r[cur.rd] = w((r[cur.rs1] & 0xffff_ffff) &>> cur.shamt)
                case .sraiw: r[cur.rd] = UInt64(bitPattern: Int64(bitPattern: w(r[cur.rs1])) &>> cur.shamt)

                // Integer register-register.
                case .addC:
                    r[cur.rd] = r[cur.rs1] &+ r[cur.rs2]
                    cur += 1
                    continue inner
                case .add: r[cur.rd] = r[cur.rs1] &+ r[cur.rs2]
                case .sub:
                    // c.sub too (len 1).
                    r[cur.rd] = r[cur.rs1] &- r[cur.rs2]
                    cur = cur.next
                    continue inner
                case .sll: r[cur.rd] = r[cur.rs1] << (r[cur.rs2] & 63)
                case .slt: r[cur.rd] = Int64(bitPattern: r[cur.rs1]) < Int64(bitPattern: r[cur.rs2]) ? 1 : 0
                case .sltu: r[cur.rd] = r[cur.rs1] < r[cur.rs2] ? 1 : 0
                case .xorC:
                    r[cur.rd] = r[cur.rs1] ^ r[cur.rs2]
                    cur += 1
                    continue inner
                case .xor: r[cur.rd] = r[cur.rs1] ^ r[cur.rs2]
                case .srl: r[cur.rd] = r[cur.rs1] >> (r[cur.rs2] & 63)
                case .sra: r[cur.rd] = UInt64(bitPattern: Int64(bitPattern: r[cur.rs1]) >> Int64(r[cur.rs2] & 63))
                case .orC:
                    r[cur.rd] = r[cur.rs1] | r[cur.rs2]
                    cur += 1
                    continue inner
                case .or: r[cur.rd] = r[cur.rs1] | r[cur.rs2]
                case .andC:
                    r[cur.rd] = r[cur.rs1] & r[cur.rs2]
                    cur += 1
                    continue inner
                case .and: r[cur.rd] = r[cur.rs1] & r[cur.rs2]
                case .addwC:
                    r[cur.rd] = w(r[cur.rs1] &+ r[cur.rs2])
                    cur += 1
                    continue inner
                case .addw: r[cur.rd] = w(r[cur.rs1] &+ r[cur.rs2])
                case .subw:
                    // c.subw too (len 1).
                    r[cur.rd] = w(r[cur.rs1] &- r[cur.rs2])
                    cur = cur.next
                    continue inner
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
                case .mulh, .mulhsu, .div, .rem, .divw, .divuw, .remw, .remuw:
                    r[cur.rd] = Hart.multiplyDivide(cur, r[cur.rs1], r[cur.rs2])

                // Bit manipulation.
                case .sh1add: r[cur.rd] = r[cur.rs2] &+ (r[cur.rs1] << 1)
                case .sh2add: r[cur.rd] = r[cur.rs2] &+ (r[cur.rs1] << 2)
                case .sh3add: r[cur.rd] = r[cur.rs2] &+ (r[cur.rs1] << 3)
                case .addUw: r[cur.rd] = r[cur.rs2] &+ (r[cur.rs1] & 0xffff_ffff)
                case .zextH: r[cur.rd] = r[cur.rs1] & 0xffff
                case .andn: r[cur.rd] = r[cur.rs1] & ~r[cur.rs2]

                // System.
                case .fence:
                    // Not an empty arm: one that goes straight back to the dispatch makes the
                    // dispatch a loop of its own, which the compiler never copies into the arms.
                    r[Int(Registers.scratch)] = 0
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
                case .fsgnjD:
                    r[cur.rd] = (r[cur.rs1] & ~(1 << 63)) | (r[cur.rs2] & (1 << 63))
                case .fmvXD, .fmvDX:
                    r[cur.rd] = r[cur.rs1]
                case .fmvXW:
                    r[cur.rd] = w(r[cur.rs1])
                case .fmvWX:
                    r[cur.rd] = r[cur.rs1] | Hart.boxMask
                case .feqD, .fltD, .fleD:
                    if !fastCompareDouble(cur) && !executeFloat(cur.pointee) { break illegal }
                case .fcvtDW, .fcvtDL, .fcvtDS, .fcvtSD, .fcvtWD, .fcvtLD:
                    if !fastConvert(cur) && !executeFloat(cur.pointee) { break illegal }
                case .fsgnjnD, .fsgnjxD, .fsgnjS, .fsgnjnS, .fsgnjxS, .fminS, .fmaxS, .fminD, .fmaxD,
                     .fcvtWS, .fcvtWUS, .fcvtLS, .fcvtLUS, .fcvtSW, .fcvtSWU, .fcvtSL, .fcvtSLU,
                     .fcvtWUD, .fcvtLUD, .fcvtDWU, .fcvtDLU,
                     .feqS, .fltS, .fleS, .fclassS, .fclassD:
                    if !executeFloat(cur.pointee) { break illegal }
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
    /// The largest budget `run` was given (a second statistic, for the same reason).
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

    // MARK: Memory access from the run loop

    @inline(__always)
    func load<T: FixedWidthInteger & BitwiseCopyable>(_ tlb: UnsafeMutablePointer<TLBEntry>, _ address: UInt64, _: T.Type) -> T? {
        if let v = TLB.load(tlb, address, T.self) { return v }
        return loadMiss(address, T.self)
    }

    @inline(never)
    func loadMiss<T: FixedWidthInteger>(_ address: UInt64, _: T.Type) -> T? {
        // The run loop holds the memory: no retain/release per miss (they were 5% of sqlite).
        Unmanaged.passUnretained(memory)._withUnsafeGuaranteedRef {
            $0.loadMiss(address, MemoryLayout<T>.size, fault: &pendingFault)
        }.map { T(truncatingIfNeeded: $0) }
    }

    @inline(__always)
    func store<T: FixedWidthInteger & BitwiseCopyable>(_ tlb: UnsafeMutablePointer<TLBEntry>, _ address: UInt64, _ value: T) -> Bool {
        TLB.store(tlb, address, value) || storeMiss(address, UInt64(truncatingIfNeeded: value), MemoryLayout<T>.size)
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
