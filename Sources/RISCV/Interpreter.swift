// The run loop: dispatch over pre-decoded instructions of the current code page. Sequential
// execution walks the page's slot array; in-page branches move the slot pointer by a
// pre-computed delta; only leaving the page goes back through the code TLB. The pc is
// materialised from the slot pointer only where an instruction needs it.

extension Hart {
    /// Runs guest code until an ecall, a trap, or about `instructionBudget` instructions have
    /// retired (the budget is checked at taken branches and jumps, so straight-line code may
    /// overshoot by at most one page's worth).
    public func run(instructionBudget: Int) -> StopReason {
        let mem = memory
        let r = regs
        let rt = mem.readTLB, wt = mem.writeTLB
        let budget = instructionBudget
        var executed = 0
        var pc = self.pc
        var stop = StopReason.budgetExhausted

        @inline(__always) func sx(_ v: Int32) -> UInt64 { UInt64(bitPattern: Int64(v)) }
        @inline(__always) func w(_ v: UInt64) -> UInt64 { UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: v))) }

        lookup: while true {
            guard let slots = mem.codeSlots(pc) else {
                stop = .memoryFault(mem.fault(pc, .execute))
                break lookup
            }
            let pageBase = pc & ~GuestMemory.pageMask
            var cur = slots + Int((pc & GuestMemory.pageMask) >> 1)

            inner: while true {
                let d = cur.pointee
                executed &+= 1
                let rd = Int(d.rd), rs1 = Int(d.rs1), rs2 = Int(d.rs2)
                switch d.op {
                case .undecoded:
                    executed &-= 1
                    let here = pageBase &+ UInt64(cur - slots) << 1
                    if let f = decodeSlot(cur, pc: here, slots: slots) {
                        pc = here
                        stop = .memoryFault(f)
                        break lookup
                    }
                    continue inner
                case .pageEnd:
                    executed &-= 1
                    pc = pageBase &+ UInt64(cur - slots) << 1
                    continue lookup
                case .illegal:
                    executed &-= 1
                    pc = pageBase &+ UInt64(cur - slots) << 1
                    stop = .illegalInstruction(UInt32(bitPattern: d.imm))
                    break lookup

                // Upper immediates and jumps.
                case .li:
                    r[rd] = sx(d.imm)
                case .auipc:
                    r[rd] = (pageBase &+ UInt64(cur - slots) << 1) &+ sx(d.imm)
                case .jal:
                    r[rd] = (pageBase &+ UInt64(cur - slots) << 1) &+ UInt64(d.len) << 1
                    cur += Int(d.imm)
                    if executed >= budget { pc = pageBase &+ UInt64(cur - slots) << 1; break lookup }
                    continue inner
                case .jalFar:
                    let here = pageBase &+ UInt64(cur - slots) << 1
                    r[rd] = here &+ UInt64(d.len) << 1
                    pc = here &+ sx(d.imm)
                    if executed >= budget { break lookup }
                    continue lookup
                case .jalr:
                    let target = (r[rs1] &+ sx(d.imm)) & ~1
                    r[rd] = (pageBase &+ UInt64(cur - slots) << 1) &+ UInt64(d.len) << 1
                    if executed >= budget { pc = target; break lookup }
                    if target & ~GuestMemory.pageMask == pageBase {
                        cur = slots + Int((target & GuestMemory.pageMask) >> 1)
                        continue inner
                    }
                    pc = target
                    continue lookup

                // Branches inside the page (imm = slot delta).
                case .beq:
                    if r[rs1] == r[rs2] {
                        cur += Int(d.imm)
                        if executed >= budget { pc = pageBase &+ UInt64(cur - slots) << 1; break lookup }
                        continue inner
                    }
                case .bne:
                    if r[rs1] != r[rs2] {
                        cur += Int(d.imm)
                        if executed >= budget { pc = pageBase &+ UInt64(cur - slots) << 1; break lookup }
                        continue inner
                    }
                case .blt:
                    if Int64(bitPattern: r[rs1]) < Int64(bitPattern: r[rs2]) {
                        cur += Int(d.imm)
                        if executed >= budget { pc = pageBase &+ UInt64(cur - slots) << 1; break lookup }
                        continue inner
                    }
                case .bge:
                    if Int64(bitPattern: r[rs1]) >= Int64(bitPattern: r[rs2]) {
                        cur += Int(d.imm)
                        if executed >= budget { pc = pageBase &+ UInt64(cur - slots) << 1; break lookup }
                        continue inner
                    }
                case .bltu:
                    if r[rs1] < r[rs2] {
                        cur += Int(d.imm)
                        if executed >= budget { pc = pageBase &+ UInt64(cur - slots) << 1; break lookup }
                        continue inner
                    }
                case .bgeu:
                    if r[rs1] >= r[rs2] {
                        cur += Int(d.imm)
                        if executed >= budget { pc = pageBase &+ UInt64(cur - slots) << 1; break lookup }
                        continue inner
                    }
                case .branchFar:
                    if Hart.branchTaken(d.rm, r[rs1], r[rs2]) {
                        pc = (pageBase &+ UInt64(cur - slots) << 1) &+ sx(d.imm)
                        if executed >= budget { break lookup }
                        continue lookup
                    }

                // Loads.
                case .lb:
                    guard let v = load(rt, r[rs1] &+ sx(d.imm), UInt8.self) else { break inner }
                    r[rd] = UInt64(bitPattern: Int64(Int8(bitPattern: v)))
                case .lh:
                    guard let v = load(rt, r[rs1] &+ sx(d.imm), UInt16.self) else { break inner }
                    r[rd] = UInt64(bitPattern: Int64(Int16(bitPattern: v)))
                case .lw:
                    guard let v = load(rt, r[rs1] &+ sx(d.imm), UInt32.self) else { break inner }
                    r[rd] = UInt64(bitPattern: Int64(Int32(bitPattern: v)))
                case .ld:
                    guard let v = load(rt, r[rs1] &+ sx(d.imm), UInt64.self) else { break inner }
                    r[rd] = v
                case .lbu:
                    guard let v = load(rt, r[rs1] &+ sx(d.imm), UInt8.self) else { break inner }
                    r[rd] = UInt64(v)
                case .lhu:
                    guard let v = load(rt, r[rs1] &+ sx(d.imm), UInt16.self) else { break inner }
                    r[rd] = UInt64(v)
                case .lwu:
                    guard let v = load(rt, r[rs1] &+ sx(d.imm), UInt32.self) else { break inner }
                    r[rd] = UInt64(v)
                case .flw:
                    guard let v = load(rt, r[rs1] &+ sx(d.imm), UInt32.self) else { break inner }
                    r[rd] = UInt64(v) | 0xffff_ffff_0000_0000
                case .fld:
                    guard let v = load(rt, r[rs1] &+ sx(d.imm), UInt64.self) else { break inner }
                    r[rd] = v

                // Stores.
                case .sb:
                    guard store(wt, r[rs1] &+ sx(d.imm), UInt8(truncatingIfNeeded: r[rs2])) else { break inner }
                case .sh:
                    guard store(wt, r[rs1] &+ sx(d.imm), UInt16(truncatingIfNeeded: r[rs2])) else { break inner }
                case .sw, .fsw:
                    guard store(wt, r[rs1] &+ sx(d.imm), UInt32(truncatingIfNeeded: r[rs2])) else { break inner }
                case .sd, .fsd:
                    guard store(wt, r[rs1] &+ sx(d.imm), r[rs2]) else { break inner }

                // Integer register-immediate.
                case .addi: r[rd] = r[rs1] &+ sx(d.imm)
                case .slti: r[rd] = Int64(bitPattern: r[rs1]) < Int64(d.imm) ? 1 : 0
                case .sltiu: r[rd] = r[rs1] < sx(d.imm) ? 1 : 0
                case .xori: r[rd] = r[rs1] ^ sx(d.imm)
                case .ori: r[rd] = r[rs1] | sx(d.imm)
                case .andi: r[rd] = r[rs1] & sx(d.imm)
                case .slli: r[rd] = r[rs1] << UInt64(d.imm)
                case .srli: r[rd] = r[rs1] >> UInt64(d.imm)
                case .srai: r[rd] = UInt64(bitPattern: Int64(bitPattern: r[rs1]) >> Int64(d.imm))
                case .addiw: r[rd] = w(r[rs1] &+ sx(d.imm))
                case .slliw: r[rd] = w(r[rs1] << UInt64(d.imm))
                case .srliw: r[rd] = w(UInt64(UInt32(truncatingIfNeeded: r[rs1]) >> UInt32(d.imm)))
                case .sraiw: r[rd] = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: r[rs1]) >> Int32(d.imm)))

                // Integer register-register.
                case .add: r[rd] = r[rs1] &+ r[rs2]
                case .sub: r[rd] = r[rs1] &- r[rs2]
                case .sll: r[rd] = r[rs1] << (r[rs2] & 63)
                case .slt: r[rd] = Int64(bitPattern: r[rs1]) < Int64(bitPattern: r[rs2]) ? 1 : 0
                case .sltu: r[rd] = r[rs1] < r[rs2] ? 1 : 0
                case .xor: r[rd] = r[rs1] ^ r[rs2]
                case .srl: r[rd] = r[rs1] >> (r[rs2] & 63)
                case .sra: r[rd] = UInt64(bitPattern: Int64(bitPattern: r[rs1]) >> Int64(r[rs2] & 63))
                case .or: r[rd] = r[rs1] | r[rs2]
                case .and: r[rd] = r[rs1] & r[rs2]
                case .addw: r[rd] = w(r[rs1] &+ r[rs2])
                case .subw: r[rd] = w(r[rs1] &- r[rs2])
                case .sllw: r[rd] = w(r[rs1] << (r[rs2] & 31))
                case .srlw: r[rd] = w(UInt64(UInt32(truncatingIfNeeded: r[rs1]) >> UInt32(r[rs2] & 31)))
                case .sraw: r[rd] = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: r[rs1]) >> Int32(r[rs2] & 31)))

                // M.
                case .mul: r[rd] = r[rs1] &* r[rs2]
                case .mulh, .mulhsu, .mulhu, .div, .divu, .rem, .remu, .mulw, .divw, .divuw, .remw, .remuw:
                    r[rd] = Hart.multiplyDivide(d.op, r[rs1], r[rs2])

                // Bit manipulation.
                case .addUw, .sh1add, .sh2add, .sh3add, .sh1addUw, .sh2addUw, .sh3addUw, .slliUw,
                     .andn, .orn, .xnor, .clz, .clzw, .ctz, .ctzw, .cpop, .cpopw,
                     .max, .maxu, .min, .minu, .sextB, .sextH, .zextH,
                     .rol, .rolw, .ror, .rori, .roriw, .rorw, .orcB, .rev8,
                     .bclr, .bclri, .bext, .bexti, .binv, .binvi, .bset, .bseti:
                    r[rd] = Hart.bitManipulation(d.op, r[rs1], r[rs2], d.imm)

                // System.
                case .fence:
                    break
                case .fenceI:
                    mem.invalidateAllCode()
                case .ecall:
                    pc = pageBase &+ UInt64(cur - slots) << 1
                    stop = .ecall
                    break lookup
                case .ebreak:
                    executed &-= 1
                    pc = pageBase &+ UInt64(cur - slots) << 1
                    stop = .breakpoint
                    break lookup
                case .csr:
                    if !executeCSR(d, retiredBefore: instructionsRetired &+ UInt64(executed &- 1)) {
                        executed &-= 1
                        pc = pageBase &+ UInt64(cur - slots) << 1
                        stop = .illegalInstruction(rawInstruction(at: pc))
                        break lookup
                    }

                // Atomics.
                case .lrW, .lrD, .scW, .scD, .amoW, .amoD:
                    if !executeAtomic(d) { break inner }

                // Floating point.
                default:
                    if !executeFloat(d) {
                        executed &-= 1
                        pc = pageBase &+ UInt64(cur - slots) << 1
                        stop = .illegalInstruction(rawInstruction(at: pc))
                        break lookup
                    }
                }
                cur += Int(d.len)
            }
            // `break inner`: the instruction at `cur` raised `pendingFault`.
            executed &-= 1
            pc = pageBase &+ UInt64(cur - slots) << 1
            stop = .memoryFault(pendingFault)
            break lookup
        }
        self.pc = pc
        instructionsRetired &+= UInt64(executed)
        return stop
    }

    /// Decodes the instruction at `pc` into `slot`; returns a fault if fetching it failed.
    @inline(never)
    func decodeSlot(_ slot: UnsafeMutablePointer<DecodedInstruction>, pc: UInt64,
                    slots: UnsafeMutablePointer<DecodedInstruction>) -> MemoryFault? {
        let (raw, fault) = memory.fetch(pc)
        if let fault { return fault }
        if !CodePage.holdsCode(slots) { memory.noteCode(slots, vpn: pc >> 12) }
        if raw & 3 == 3 {
            slot.pointee = Decoder.decode(raw, pc: pc)
        } else {
            slot.pointee = CompressedDecoder.decode(raw, pc: pc)
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
    func load<T: FixedWidthInteger>(_ tlb: UnsafeMutablePointer<TLBEntry>, _ address: UInt64, _: T.Type) -> T? {
        if let p = TLB.lookup(tlb, address, size: UInt64(MemoryLayout<T>.size)) {
            return p.loadUnaligned(as: T.self)
        }
        return loadMiss(address, T.self)
    }

    @inline(never)
    func loadMiss<T: FixedWidthInteger>(_ address: UInt64, _: T.Type) -> T? {
        let (v, f) = memory.loadSlow(address, MemoryLayout<T>.size)
        if let f {
            pendingFault = f
            return nil
        }
        return T(truncatingIfNeeded: v)
    }

    @inline(__always)
    func store<T: FixedWidthInteger>(_ tlb: UnsafeMutablePointer<TLBEntry>, _ address: UInt64, _ value: T) -> Bool {
        if let p = TLB.lookup(tlb, address, size: UInt64(MemoryLayout<T>.size)) {
            p.storeBytes(of: value, as: T.self)
            return true
        }
        return storeMiss(address, UInt64(truncatingIfNeeded: value), MemoryLayout<T>.size)
    }

    @inline(never)
    func storeMiss(_ address: UInt64, _ value: UInt64, _ size: Int) -> Bool {
        if let f = memory.storeSlow(address, size, value) {
            pendingFault = f
            return false
        }
        return true
    }

    // MARK: Helpers of the run loop

    /// Conditions of `branchFar` (and `rm` of in-page branches): beq, bne, blt, bge, bltu, bgeu.
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
