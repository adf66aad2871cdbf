// The run loop: dispatch over the pre-decoded instructions of a block (CodeCache.swift). The
// common integer instructions are executed here; the rest in Execute+*.swift, which report
// back an `X86Status`. Taken branches to a decoded instruction of the same page go straight
// to it through the page's index; anything else goes back through the code TLB. rip is
// materialised from the instruction's page offset only where an instruction needs it.
#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

extension X86CPU {
    /// Runs guest code until a system call, a trap, or about `instructionBudget` instructions
    /// have retired (the budget is checked at taken branches, so a block may overshoot it).
    public func run(instructionBudget: Int) -> X86Stop {
        readTLB = memory.readTLB
        writeTLB = memory.writeTLB
        return core.run(instructionBudget: instructionBudget)
    }
}

extension X86Core {
    func run(instructionBudget: Int) -> X86Stop {
        let mem = cpu.memory
        let r = regs
        // The budget minus the instructions retired so far (counted per block entry): one
        // value to test at taken branches, where a count and the budget were two.
        var left = instructionBudget
        var pc = cpu.rip
        var stop = X86Stop.budgetExhausted
        let pageMask = GuestMemory.pageSize - 1
        // The native tier (X86NativeHook.swift): block entries reached by a jump are counted;
        // hot ones run compiled until compiled code leaves (`interpretFirst`: at an instruction
        // the interpreter must perform itself).
        let native = cpu.codeCache.nativeEntry
        let threshold = native?.threshold ?? NativeSlot.never
        let jit = native != nil
        let tierOff = !jit
        var run = NativeRun(pc: 0, executed: 0, interpretFirst: false)
        var interpretFirst = false
#if !SKIFF_WASI
        // The page the run loop left last, besides the one it runs in (`pageBase`, `index`): a
        // jump, call or return to a decoded instruction there switches the two without the code
        // TLB and the page-cache check of a look-up (amd64 CoreMark went through a look-up
        // ~3,300 times per iteration, ~57 host instructions each, mostly calls and returns
        // between two pages). Valid for this call of `run` only: a page's code slots are freed
        // only by map, unmap and mprotect (system calls, outside the run loop), and an
        // instruction dropped meanwhile (a store into code, a full arena) is no longer in its
        // page's index, so the switch finds nothing and looks up as before. Native tier off only
        // (with it on, look-ups count block entries). `1` is no page's base.
        var pageBase: UInt64 = 1
        var index = UnsafeMutablePointer<UInt>(bitPattern: 8).unsafelyUnwrapped
        var otherBase: UInt64 = 1
        var otherIndex = index
#endif

        lookup: while true {
#if !SKIFF_WASI
            withCPU { $0.syncPageCaches() }
#endif
            guard let slots = mem.codeTLBHit(pc) ?? mem.codeSlots(pc) else {
                stop = .memoryFault(mem.fault(pc, .execute))
                break lookup
            }
#if SKIFF_WASI
            let index = X86CodeCache.index(slots)
            let pageBase = pc & ~pageMask
#else
            if pc & ~pageMask != pageBase {
                otherBase = pageBase
                otherIndex = index
                pageBase = pc & ~pageMask
                index = X86CodeCache.index(slots)
            }
#endif
            var cur: UnsafeMutablePointer<X86Instruction>
            if let p = UnsafeMutablePointer<X86Instruction>(bitPattern: index[Int(pc & pageMask)]) {
                cur = p
            } else {
                let (p, fault) = withCPU { $0.decodeBlock(slots, pc: pc) }
                guard let p else {
                    stop = .memoryFault(fault!)
                    break lookup
                }
                cur = p
            }
            if interpretFirst {
                interpretFirst = false
            } else if let native, cur.pointee.countExecution(threshold: threshold) {
                native.run(native.tier, Unmanaged.passUnretained(cpu).toOpaque(), pc, UnsafeMutableRawPointer(cur), left, &run)
                left &-= run.executed
                pc = run.pc
                if left <= 0 { break lookup }
                interpretFirst = run.interpretFirst
                continue lookup
            }
            left &-= Int(cur.pointee.count)

            @inline(__always) func pcOf(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt64 {
                pageBase &+ UInt64(p.pointee.offset)
            }
            @inline(__always) func nextPC(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt64 {
                pageBase &+ UInt64(p.pointee.offset) &+ UInt64(p.pointee.length)
            }
            /// The decoded instruction at `target` when it is in this page.
            @inline(__always) func decoded(_ target: UInt64) -> UnsafeMutablePointer<X86Instruction>? {
                target & ~pageMask == pageBase ? UnsafeMutablePointer<X86Instruction>(bitPattern: index[Int(target & pageMask)]) : nil
            }

            var status = X86Status.next
            // The loop steps to the next instruction first, so that the step and the dispatch
            // are one block, which the compiler copies into the end of every arm (each arm then
            // has its own indirect jump; see Package.swift): whatever goes on at an instruction
            // `p` sets `cur` to `p - 1`.
            cur -= 1
            fault: do {
            inner: while true {
                cur += 1
                // An arm breaks out of `taken` when the branch at `cur` to its `imm` is taken,
                // out of `jumped` when it has set `pc` to where execution goes on.
                jumped: do {
                taken: do {
                    // Read by each arm that uses it: a value read before the switch made the
                    // dispatch block too long to be copied into the arms.
                    var s: UInt8 { cur.pointee.size }
                    switch cur.pointee.op {
                    case .blockEnd:
                        // An instruction whose page was invalidated under it (a block's end is
                        // a jmp: `X86Instruction.end`): it runs again from its page's index
                        // (decoded afresh, through lookup, when it is no longer there).
                        left &+= Int(cur.pointee.count)
                        pc = pcOf(cur)
                        if left > 0, let p = decoded(pc), p != cur {
                            cur = p - 1
                            left &-= Int(p.pointee.count)
                            continue inner
                        }
                        if left <= 0 { break lookup }
                        continue lookup
                    case .truncated, .illegal:
                        status = X86Status.illegal
                        break fault
                    case .privileged:
                        status = X86Status.generalProtection
                        break fault
                    case .nop:
                        // Not an empty arm: one that jumps straight back to the dispatch makes the
                        // dispatch a loop of its own, which the compiler does not copy into the
                        // arms. Storing 0 into the always-zero register changes nothing.
                        r[X86Registers.zero] = 0
                    case .syscall:
                        pc = pcOf(cur)
                        stop = .syscall
                        break lookup
                    case .int3:
                        pc = nextPC(cur)
                        stop = .breakpoint
                        break lookup

                    // MARK: Moves
                    case .movRR:
                        setReg(cur.pointee.reg, s, reg(cur.pointee.rm, s))
                    case .movRR32:
                        setReg(cur.pointee.reg, 2, reg(cur.pointee.rm, 2))
                    case .movRR64:
                        setReg64(cur.pointee.reg, reg64(cur.pointee.rm))
                    case .movRM:
                        guard let v = cload(cur, address(cur), s) else { break fault }
                        setReg(cur.pointee.reg, s, v)
                    case .movRM32:
                        guard let v = cload(cur, address(cur), 2) else { break fault }
                        setReg(cur.pointee.reg, 2, v)
                    case .movRM64:
                        guard let v = cload(cur, addressBD(cur), 3) else { break fault }
                        setReg64(cur.pointee.reg, v)
                    case .movMR:
                        guard cstore(cur, address(cur), s, reg(cur.pointee.reg, s)) else { break fault }
                    case .movMR32:
                        guard cstore(cur, address(cur), 2, reg(cur.pointee.reg, 2)) else { break fault }
                    case .movMR64:
                        guard cstore(cur, addressBD(cur), 3, reg64(cur.pointee.reg)) else { break fault }
                    case .movRI:
                        setReg(cur.pointee.reg, s, cur.pointee.imm)
                    case .movMI:
                        guard cstore(cur, address(cur), s, cur.pointee.imm) else { break fault }
                    case .movzxRR:
                        setReg(cur.pointee.reg, s, reg(cur.pointee.rm, cur.pointee.cond))
                    case .movzxRM:
                        guard let v = cload(cur, address(cur), cur.pointee.cond) else { break fault }
                        setReg(cur.pointee.reg, s, v)
                    case .movzxRM8:
                        guard let v = cload(cur, addressBD(cur), 0) else { break fault }
                        setReg64(cur.pointee.reg, v)
                    case .movzxRM16:
                        guard let v = cload(cur, address(cur), 1) else { break fault }
                        setReg64(cur.pointee.reg, v)
#if SKIFF_WASI
                    // Not in the wasm core (`specialised`): never decoded there.
                    case .movRM64X, .movMR64X, .movzxRM8X, .movsxRM16to32X,
                         .addCmpRR32NZ, .cmpRI8NZ, .loadTestRR64NZ, .movTestRR64NZ, .subRI8NZ, .testRR8NZ, .cmpRR16NZ:
                        status = X86Status.illegal
                        break fault
#else
                    case .movRM64X:
                        guard let v = cload(cur, addressIndexed(cur), 3) else { break fault }
                        setReg64(cur.pointee.reg, v)
                    case .movMR64X:
                        guard cstore(cur, addressIndexed(cur), 3, reg64(cur.pointee.reg)) else { break fault }
                    case .movzxRM8X:
                        guard let v = cload(cur, addressIndexed(cur), 0) else { break fault }
                        setReg64(cur.pointee.reg, v)
                    case .movsxRM16to32X:
                        guard loadSigned16to32X(cur) else { break fault }
#endif
                    case .movsxRM16to32:
                        guard let v = cload(cur, addressBD(cur), 1) else { break fault }
                        setReg(cur.pointee.reg, 2, X86CPU.signExtend(v, 1))
                    case .movsxRR:
                        setReg(cur.pointee.reg, s, X86CPU.signExtend(reg(cur.pointee.rm, cur.pointee.cond), cur.pointee.cond))
                    case .movsxRM:
                        guard let v = cload(cur, address(cur), cur.pointee.cond) else { break fault }
                        setReg(cur.pointee.reg, s, X86CPU.signExtend(v, cur.pointee.cond))
                    case .lea:
                        setReg(cur.pointee.reg, s, offset(cur))
                    case .xchgRR:
                        let a = reg(cur.pointee.reg, s), b = reg(cur.pointee.rm, s)
                        setReg(cur.pointee.reg, s, b)
                        setReg(cur.pointee.rm, s, a)
                    case .xchgRM:
                        let a = address(cur)
                        guard let v = load(a, s), store(a, s, reg(cur.pointee.reg, s)) else { break fault }
                        setReg(cur.pointee.reg, s, v)
                    case .cmovRR32:
                        let v = condition(cur.pointee.cond) ? reg(cur.pointee.rm, 2) : reg(cur.pointee.reg, 2)
                        setReg(cur.pointee.reg, 2, v)
                    case .cmovRR64:
                        if condition(cur.pointee.cond) { setReg64(cur.pointee.reg, reg64(cur.pointee.rm)) }
                    case .cmovRR:
                        if condition(cur.pointee.cond) { setReg(cur.pointee.reg, s, reg(cur.pointee.rm, s)) }
                        else if s == 2 { setReg(cur.pointee.reg, 2, reg(cur.pointee.reg, 2)) }
                    case .cmovRM:
                        guard let v = cload(cur, address(cur), s) else { break fault }
                        if condition(cur.pointee.cond) { setReg(cur.pointee.reg, s, v) }
                        else if s == 2 { setReg(cur.pointee.reg, 2, reg(cur.pointee.reg, 2)) }
                    case .setccR:
                        setReg(cur.pointee.reg, 0, condition(cur.pointee.cond) ? 1 : 0)
                    case .setccM:
                        guard cstore(cur, address(cur), 0, condition(cur.pointee.cond) ? 1 : 0) else { break fault }
                    case .push:
#if !SKIFF_WASI
                        // 64-bit pushes and pops (nearly all) without the size's shifts and
                        // switches: push/pop were ~35 host instructions each.
                        if _fastPath(s == 3) {
                            let sp = r[X86Registers.rsp] &- 8
                            guard cwrite(cur, sp, 0, reg64(cur.pointee.reg)) else { break fault }
                            r[X86Registers.rsp] = sp
                            continue inner
                        }
#endif
                        let v = reg(cur.pointee.reg, s)
                        let sp = r[X86Registers.rsp] &- (UInt64(1) &<< UInt64(s))
                        guard sstore(cur, sp, s, v) else { break fault }
                        r[X86Registers.rsp] = sp
                    case .pushI:
                        let sp = r[X86Registers.rsp] &- (UInt64(1) &<< UInt64(s))
                        guard sstore(cur, sp, s, cur.pointee.imm) else { break fault }
                        r[X86Registers.rsp] = sp
                    case .pushM:
                        guard let v = cload(cur, address(cur), s) else { break fault }
                        let sp = r[X86Registers.rsp] &- (UInt64(1) &<< UInt64(s))
                        guard store(sp, s, v) else { break fault }
                        r[X86Registers.rsp] = sp
                    case .pop:
                        let sp = r[X86Registers.rsp]
#if !SKIFF_WASI
                        if _fastPath(s == 3) {
                            guard let v = cread(cur, sp, 0, UInt64.self) else { break fault }
                            r[X86Registers.rsp] = sp &+ 8
                            setReg64(cur.pointee.reg, v)     // pop rsp: the loaded value wins
                            continue inner
                        }
#endif
                        guard let v = sload(cur, sp, s) else { break fault }
                        r[X86Registers.rsp] = sp &+ (UInt64(1) &<< UInt64(s))
                        setReg(cur.pointee.reg, s, v)     // pop rsp: the loaded value wins
                    case .popM:
                        let sp = r[X86Registers.rsp]
                        guard let v = load(sp, s) else { break fault }
                        // The address is computed with rsp already incremented.
                        r[X86Registers.rsp] = sp &+ (UInt64(1) &<< UInt64(s))
                        guard cstore(cur, address(cur), s, v) else { r[X86Registers.rsp] = sp; break fault }
                    case .leave:
                        let bp = r[X86Registers.rbp]
                        guard let v = sload(cur, bp, 3) else { break fault }
                        r[X86Registers.rsp] = bp &+ 8
                        r[X86Registers.rbp] = v
                    case .cbw:
                        switch s {
                        case 1: setReg(0, 1, X86CPU.signExtend(reg(0, 0), 0))
                        case 2: setReg(0, 2, X86CPU.signExtend(reg(0, 1), 1))
                        default: r[0] = X86CPU.signExtend(reg(0, 2), 2)
                        }
                    case .cwd:
                        let negative = reg(0, s) & X86Flags.signBit(Int(s)) != 0
                        setReg(X86Registers.offset(X86Registers.rdx), s, negative ? UInt64.max : 0)
                    case .bswap:
                        switch s {
                        case 3: r[Int(cur.pointee.reg >> 3)] = r[Int(cur.pointee.reg >> 3)].byteSwapped
                        case 2: setReg(cur.pointee.reg, 2, UInt64(UInt32(truncatingIfNeeded: reg(cur.pointee.reg, 2)).byteSwapped))
                        default: setReg(cur.pointee.reg, 1, 0)
                        }

                    // MARK: Arithmetic
                    // The common operations get an arm each, so that `alu` folds to that
                    // operation; the hottest also one per operand size (Specialise.swift).
                    case .addRR: sized(X86Sized.aluRR + 0, cur, s)
                    case .addRR32: aluRR(0, cur, 2)
                    case .addRR64: aluRR(0, cur, 3)
                    case .orRR: sized(X86Sized.aluRR + 1, cur, s)
                    case .andRR: sized(X86Sized.aluRR + 4, cur, s)
                    case .subRR: sized(X86Sized.aluRR + 5, cur, s)
                    case .subRR32: aluRR(5, cur, 2)
                    case .subRR64: aluRR(5, cur, 3)
                    case .xorRR: sized(X86Sized.aluRR + 6, cur, s)
                    case .xorRR32: aluRR(6, cur, 2)
                    case .xorRR64: aluRR(6, cur, 3)
                    case .adcRR, .sbbRR: aluRR(Int(cur.pointee.cond), cur, s)
                    // A compare or test with a jcc after it (`X86Attrs.fusedBranch`) does the jcc:
                    // when not taken it is skipped.
                    case .cmpRR:
                        sized(X86Sized.aluRR + 7, cur, s)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpRR32:
                        aluRR(7, cur, 2)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpRR64:
                        aluRR(7, cur, 3)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .addRI: sized(X86Sized.aluRI + 0, cur, s)
                    case .addRI32: aluRI(0, cur, 2)
                    case .addRI64: aluRI(0, cur, 3)
                    case .orRI: sized(X86Sized.aluRI + 1, cur, s)
                    case .andRI: sized(X86Sized.aluRI + 4, cur, s)
                    case .andRI32: aluRI(4, cur, 2)
                    case .andRI64: aluRI(4, cur, 3)
                    // sub r,imm, dec and inc also take a jcc after them (loop counters).
                    case .subRI:
                        sized(X86Sized.aluRI + 5, cur, s)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .subRI8:
                        setLowByte(cur.pointee.reg, subLowByteImmediate(cur))
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .subRI32:
                        aluRI(5, cur, 2)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .subRI64:
                        aluRI(5, cur, 3)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .xorRI: sized(X86Sized.aluRI + 6, cur, s)
                    case .xorRI16: aluRI(6, cur, 1)
                    case .adcRI, .sbbRI: aluRI(Int(cur.pointee.cond), cur, s)
                    // Byte forms of low byte registers (Specialise.swift): the low byte of the word.
                    case .cmpRI8:
                        _ = subLowByteImmediate(cur)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpRI:
                        sized(X86Sized.aluRI + 7, cur, s)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpRI32:
                        aluRI(7, cur, 2)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpRI64:
                        aluRI(7, cur, 3)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .addRM: guard aluRM(0, cur) else { break fault }
                    case .orRM: guard aluRM(1, cur) else { break fault }
                    case .andRM: guard aluRM(4, cur) else { break fault }
                    case .subRM: guard aluRM(5, cur) else { break fault }
                    case .xorRM: guard aluRM(6, cur) else { break fault }
                    case .adcRM, .sbbRM: guard aluRM(Int(cur.pointee.cond), cur) else { break fault }
                    case .cmpRM:
                        guard let v = cload(cur, address(cur), s) else { break fault }
                        _ = alu(7, reg(cur.pointee.reg, s), v, s)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    // Per size (Specialise.swift): the load and the compare without `s`.
#if SKIFF_WASI
                    case .cmpRR16, .cmpRM16, .cmpRM32, .cmpRM64, .cmpMI8, .addMI32:
                        status = X86Status.illegal
                        break fault
#else
                    case .cmpRR16:
                        aluRR(7, cur, 1)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpRM16:
                        guard let v = cload(cur, address(cur), 1) else { break fault }
                        _ = alu(7, reg(cur.pointee.reg, 1), v, 1)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpRM32:
                        guard let v = cload(cur, address(cur), 2) else { break fault }
                        _ = alu(7, reg(cur.pointee.reg, 2), v, 2)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpRM64:
                        guard let v = cload(cur, address(cur), 3) else { break fault }
                        _ = alu(7, reg64(cur.pointee.reg), v, 3)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpMI8:
                        guard let v = cload(cur, address(cur), 0) else { break fault }
                        _ = alu(7, v, cur.pointee.imm & 0xff, 0)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .addMI32:
                        // The flags after the store (no saved state to restore when it faults).
                        let a = address(cur)
                        if let h = cmodify(cur, a, 4) {
                            let v = UInt64(X86Core.hostLoad32(h))
                            let b = cur.pointee.imm & 0xffff_ffff
                            let res = (v &+ b) & 0xffff_ffff
                            X86Core.hostStore32(h, UInt32(truncatingIfNeeded: res))
                            setFlags(X86Flags.add, 2, v, b, res)
                            continue inner
                        }
                        guard let v = load(a, 2) else { break fault }
                        let b = cur.pointee.imm & 0xffff_ffff
                        let res = (v &+ b) & 0xffff_ffff
                        guard store(a, 2, res) else { break fault }
                        setFlags(X86Flags.add, 2, v, b, res)
#endif
                    case .addMR, .orMR, .adcMR, .sbbMR, .andMR, .subMR, .xorMR:
                        let kind = Int(cur.pointee.cond)
                        let a = address(cur)
                        guard let v = load(a, s) else { break fault }
                        let saved = saveFlags()
                        guard store(a, s, alu(kind, v, reg(cur.pointee.reg, s), s)) else { restoreFlags(saved); break fault }
                    case .cmpMR:
                        guard let v = cload(cur, address(cur), s) else { break fault }
                        _ = alu(7, v, reg(cur.pointee.reg, s), s)
                    case .addMI, .orMI, .adcMI, .sbbMI, .andMI, .subMI, .xorMI:
                        let kind = Int(cur.pointee.cond)
                        let a = address(cur)
                        guard let v = load(a, s) else { break fault }
                        let saved = saveFlags()
                        guard store(a, s, alu(kind, v, cur.pointee.imm & X86Flags.mask(Int(s)), s)) else { restoreFlags(saved); break fault }
                    case .cmpMI:
                        guard let v = cload(cur, address(cur), s) else { break fault }
                        _ = alu(7, v, cur.pointee.imm & X86Flags.mask(Int(s)), s)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .testRR8:
                        setLogicFlags(0, reg64(cur.pointee.reg) & reg64(cur.pointee.rm) & 0xff)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .testRR:
                        sized(X86Sized.testRR, cur, s)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .testRR32:
                        setLogicFlags(2, reg(cur.pointee.reg, 2) & reg(cur.pointee.rm, 2))
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .testRR64:
                        setLogicFlags(3, reg64(cur.pointee.reg) & reg64(cur.pointee.rm))
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .testRI:
                        sized(X86Sized.testRI, cur, s)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .testMR:
                        guard let v = cload(cur, address(cur), s) else { break fault }
                        setLogicFlags(s, v & reg(cur.pointee.reg, s))
                    case .testMI:
                        guard let v = cload(cur, address(cur), s) else { break fault }
                        setLogicFlags(s, v & cur.pointee.imm & X86Flags.mask(Int(s)))
                    // (No arm reads `cur.pointee.op` again: one that did kept the dispatch's
                    // loaded operation alive in a register, one more instruction per dispatch.)
                    case .incR:
                        setReg(cur.pointee.reg, s, incDec(true, reg(cur.pointee.reg, s), s))
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .decR:
                        setReg(cur.pointee.reg, s, incDec(false, reg(cur.pointee.reg, s), s))
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .incM:
                        let a = address(cur)
                        guard let v = load(a, s) else { break fault }
                        let saved = saveFlags()
                        guard store(a, s, incDec(true, v, s)) else { restoreFlags(saved); break fault }
                    case .decM:
                        let a = address(cur)
                        guard let v = load(a, s) else { break fault }
                        let saved = saveFlags()
                        guard store(a, s, incDec(false, v, s)) else { restoreFlags(saved); break fault }
                    case .negR:
                        let v = reg(cur.pointee.reg, s)
                        let res = (0 &- v) & X86Flags.mask(Int(s))
                        setReg(cur.pointee.reg, s, res)
                        setFlags(X86Flags.sub, s, 0, v, res)
                    case .negM:
                        let a = address(cur)
                        guard let v = load(a, s) else { break fault }
                        let res = (0 &- v) & X86Flags.mask(Int(s))
                        guard store(a, s, res) else { break fault }
                        setFlags(X86Flags.sub, s, 0, v, res)
                    case .notR:
                        setReg(cur.pointee.reg, s, ~reg(cur.pointee.reg, s))
                    case .notM:
                        let a = address(cur)
                        guard let v = load(a, s), store(a, s, ~v) else { break fault }

                    // MARK: Fused pairs (Pairs.swift): the first, then the second at its own `cur`.
                    case .addCmpRR32:
                        // The add's flags are the compare's to overwrite (FlagsLiveness.swift).
                        addCmp32(&cur)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .movMovRR32:
                        movMov32(&cur)
                    case .movAddRI32:
                        setReg(cur.pointee.reg, 2, reg(cur.pointee.rm, 2))
                        cur += 1
                        aluRI(0, cur, 2)
                    case .loadTestRR64:
                        guard loadTest64(&cur) else { break fault }
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .movTestRR64:
                        movTest64(&cur)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .loadImulRR:
                        guard loadSigned16to32(cur) else { break fault }
                        cur += 1
                        imul32(cur)
                    case .loadLoadSx16:
                        guard loadLoadSx16(&cur) else { break fault }
                    case .loadStore64:
                        guard load64(cur) else { break fault }
                        cur += 1
                        guard cstore(cur, addressBD(cur), 3, reg64(cur.pointee.reg)) else { break fault }
                    case .movLoad64:
                        guard movLoad64(&cur) else { break fault }
                    case .addAddRIRR32:
                        addAdd32(&cur)

#if SKIFF_WASI
                    // Not in the wasm core (`zeroFused`): never decoded there.
                    case .cmpRI8Z, .addCmpRR32Z, .movTestRR64Z, .loadTestRR64Z, .subRI8Z, .testRR8Z, .cmpRR32Z, .cmpRR64Z,
                         .cmpRI32Z, .cmpRI64Z, .subRI32Z, .subRI64Z, .testRR32Z, .testRR64Z, .cmpRM16Z, .cmpRM32Z, .cmpRM64Z, .cmpMI8Z, .cmpRR16Z:
                        status = X86Status.illegal
                        break fault
#else
                    // MARK: The same with a fused je or jne (`X86Op.zeroFused`): no test of `attrs`.
                    case .cmpRI8Z:
                        _ = subLowByteImmediate(cur)
                        if equalTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpRI8NZ:
                        _ = subLowByteImmediate(cur)
                        if notEqualTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .addCmpRR32Z:
                        addCmp32(&cur)
                        if equalTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .addCmpRR32NZ:
                        addCmp32(&cur)
                        if notEqualTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .movTestRR64Z:
                        movTest64(&cur)
                        if equalTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .movTestRR64NZ:
                        movTest64(&cur)
                        if notEqualTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .loadTestRR64Z:
                        guard loadTest64(&cur) else { break fault }
                        if equalTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .loadTestRR64NZ:
                        guard loadTest64(&cur) else { break fault }
                        if notEqualTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .subRI8Z:
                        setLowByte(cur.pointee.reg, subLowByteImmediate(cur))
                        if equalTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .subRI8NZ:
                        setLowByte(cur.pointee.reg, subLowByteImmediate(cur))
                        if notEqualTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .testRR8Z:
                        setLogicFlags(0, reg64(cur.pointee.reg) & reg64(cur.pointee.rm) & 0xff)
                        if equalTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .testRR8NZ:
                        setLogicFlags(0, reg64(cur.pointee.reg) & reg64(cur.pointee.rm) & 0xff)
                        if notEqualTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpRR32Z:
                        aluRR(7, cur, 2)
                        if zeroTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpRR64Z:
                        aluRR(7, cur, 3)
                        if zeroTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpRI32Z:
                        aluRI(7, cur, 2)
                        if zeroTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpRI64Z:
                        aluRI(7, cur, 3)
                        if zeroTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .subRI32Z:
                        aluRI(5, cur, 2)
                        if zeroTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .subRI64Z:
                        aluRI(5, cur, 3)
                        if zeroTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .testRR32Z:
                        setLogicFlags(2, reg(cur.pointee.reg, 2) & reg(cur.pointee.rm, 2))
                        if zeroTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .testRR64Z:
                        setLogicFlags(3, reg64(cur.pointee.reg) & reg64(cur.pointee.rm))
                        if zeroTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpRM16Z:
                        guard let v = cload(cur, address(cur), 1) else { break fault }
                        _ = alu(7, reg(cur.pointee.reg, 1), v, 1)
                        if zeroTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpRM32Z:
                        guard let v = cload(cur, address(cur), 2) else { break fault }
                        _ = alu(7, reg(cur.pointee.reg, 2), v, 2)
                        if zeroTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpRM64Z:
                        guard let v = cload(cur, address(cur), 3) else { break fault }
                        _ = alu(7, reg64(cur.pointee.reg), v, 3)
                        if zeroTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpMI8Z:
                        guard let v = cload(cur, address(cur), 0) else { break fault }
                        _ = alu(7, v, cur.pointee.imm & 0xff, 0)
                        if zeroTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpRR16Z:
                        aluRR(7, cur, 1)
                        if equalTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpRR16NZ:
                        aluRR(7, cur, 1)
                        if notEqualTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
#endif

                    // MARK: Flags that nothing reads (FlagsLiveness.swift): the result alone
                    // (setReg masks 32- and 16-bit results).
                    case .addRR32nf:
                        setReg(cur.pointee.reg, 2, reg(cur.pointee.reg, 2) &+ reg(cur.pointee.rm, 2))
                    case .addRI32nf:
                        setReg(cur.pointee.reg, 2, reg(cur.pointee.reg, 2) &+ cur.pointee.imm)
                    case .addRI64nf:
                        setReg64(cur.pointee.reg, reg64(cur.pointee.reg) &+ cur.pointee.imm)
                    case .andRI32nf:
                        setReg(cur.pointee.reg, 2, reg(cur.pointee.reg, 2) & cur.pointee.imm)
                    case .subRI32nf:
                        setReg(cur.pointee.reg, 2, reg(cur.pointee.reg, 2) &- cur.pointee.imm)
                    case .xorRR32nf:
                        setReg(cur.pointee.reg, 2, reg(cur.pointee.reg, 2) ^ reg(cur.pointee.rm, 2))
                    case .sarRI32nf:
                        let v = Int32(truncatingIfNeeded: reg64(cur.pointee.reg))
                        setReg(cur.pointee.reg, 2, UInt64(UInt32(bitPattern: v &>> Int32(truncatingIfNeeded: cur.pointee.imm & 31))))
                    case .shrRI8nf:
                        setLowByte(cur.pointee.reg, (reg64(cur.pointee.reg) & 0xff) &>> (cur.pointee.imm & 31))
                    case .shrRI16nf:
                        setReg(cur.pointee.reg, 1, reg(cur.pointee.reg, 1) &>> (cur.pointee.imm & 31))
                    case .xorRI16nf:
                        setReg(cur.pointee.reg, 1, reg(cur.pointee.reg, 1) ^ cur.pointee.imm)
                    case .imulRR32nf:
                        imul32NoFlags(cur)
                    case .loadImulRR32nf:
                        guard loadSigned16to32(cur) else { break fault }
                        cur += 1
                        imul32NoFlags(cur)

#if SKIFF_WASI
                    // Not in the wasm core (`paired(with:)`): never decoded there.
                    case .movShrRI8nf, .xorShrRI16nf, .movXorRI16nf, .andCmovRR32, .movSarRI32nf, .sarAndRI32nf,
                         .andImulRR32nf, .loadCmpRM16Z, .loadLoadZx8, .loadZx8AddRI64nf, .movAndRI32nf,
                         .movLoadStoreMovTest64NZ, .crcLoopNZ, .matrixLoadImul, .matrixLoadImulAddCmpNZ,
                         .bitExtractAddCmpNZ, .loadTestLoadZx8CmpNZ, .loadTestLoadCmpZ, .loadZx8AddTestNZ,
                         .cmpCmpSubCmpRI8, .subCmpRI8, .cmpMovAndCmpRI8NZ:
                        status = X86Status.illegal
                        break fault
#else
                    // MARK: Register-only pairs of CoreMark's inner loops (Pairs.swift).
                    case .movShrRI8nf:
                        movShr8(&cur)
                    case .xorShrRI16nf:
                        xorShr16(&cur)
                    case .movXorRI16nf:
                        movXor16(&cur)
                    case .andCmovRR32:
                        andCmov32(&cur)
                    case .movSarRI32nf:
                        movSar32(&cur)
                    case .sarAndRI32nf:
                        sarAnd32(&cur)
                    case .andImulRR32nf:
                        andImul32(&cur)
                    case .movAndRI32nf:
                        movAnd32(&cur)
                    // With loads: a fault in the first leaves nothing done, in the second the first.
                    case .loadCmpRM16Z:
                        guard loadCmp16(&cur) else { break fault }
                        if zeroTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .loadLoadZx8:
                        guard loadLoadZx8(&cur) else { break fault }
                    case .loadZx8AddRI64nf:
                        guard loadZx8Add64(&cur) else { break fault }

                    // MARK: Chains (Pairs.swift): their parts one after the other, each as its
                    // own arm runs it; a fault stops at the faulting instruction with the ones
                    // before it done, a taken jcc in the middle leaves as the part's arm would.
                    case .movLoadStoreMovTest64NZ:
                        // `mov D,A; mov (A),D; mov C,(A); mov A,C; test D,D` with A, C, D three
                        // different registers (`X86CodeCache.reverseRegisters`): the pointer and
                        // the loaded value go on in host registers.
                        let q = cur
                        let a = reg64(q.pointee.rm)
                        setReg64(q.pointee.reg, a)
                        cur = q + 1
                        guard let d = cload(cur, a &+ cur.pointee.disp, 3) else { break fault }
                        setReg64(cur.pointee.reg, d)
                        cur = q + 2
                        // The store goes on with the rest only through the instruction's cached
                        // page, which never holds decoded code (those pages leave the write TLB,
                        // and their cached pages go with it); a store that takes the miss path may
                        // turn the instructions after it into end markers, so they are then
                        // dispatched one by one.
                        let at = a &+ cur.pointee.disp
                        if let h = cmodify(cur, at, 8) {
                            X86Core.hostStore64(h, reg64(cur.pointee.reg))
                        } else {
                            guard cstore(cur, at, 3, reg64(cur.pointee.reg)) else { break fault }
                            continue inner
                        }
                        cur = q + 3
                        setReg64(cur.pointee.reg, a)
                        cur += 1
                        setLogicFlags(3, d)
                        if notEqualTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .crcLoopNZ:
                        // The registers as `chain` checked them: A (p[0].rm, edi), B (p[0].reg,
                        // esi), C (p[2].rm, eax), D (p[4].reg, ecx), four different ones. Each is
                        // read once and written once, its value passed on in a host register: the
                        // parts one by one stored and reloaded eax and ecx four times along the
                        // loop's dependency chain (each reload waits for the store before it).
                        let p = cur
                        let ra = p.pointee.rm, rb = p.pointee.reg, rc = p[2].rm, rd = p[4].reg
                        let a = reg64(ra), c = reg64(rc)
                        var b = a & 0xffff_ffff                                          // mov %edi,%esi
                        let a1 = (a & ~0xff) | ((a & 0xff) &>> (p[1].imm & 31))          // shr %dil
                        b ^= c & 0xffff_ffff                                             // xor %eax,%esi
                        let c1 = (c & ~0xffff) | ((c & 0xffff) &>> (p[3].imm & 31))      // shr %ax
                        let d1 = (c1 & 0xffff_ffff) ^ (p[5].imm & 0xffff)                // mov %eax,%ecx; xor $imm,%cx
                        let b1 = b & p[6].imm & 0xffff_ffff                              // and $imm,%esi
                        setLogicFlags(2, b1)
                        let cc = p[7].cond
                        let move = cc & 0xe == 4 ? (b1 == 0) != (cc & 1 != 0) : condition(cc)
                        setReg64(ra, a1)
                        setReg64(rb, b1)
                        setReg64(rc, move ? d1 : c1 & 0xffff_ffff)                       // cmovcc %ecx,%eax
                        setReg64(rd, d1)
                        cur = p + 8
                        setLowByte(cur.pointee.reg, subLowByteImmediate(cur))
                        if notEqualTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .matrixLoadImul:
                        guard matrixLoadImul(&cur) else { break fault }
                    case .matrixLoadImulAddCmpNZ:
                        guard matrixLoadImul(&cur) else { break fault }
                        cur += 1
                        addCmp32(&cur)
                        if notEqualTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .bitExtractAddCmpNZ:
                        movSar32(&cur)
                        cur += 1
                        sarAnd32(&cur)
                        cur += 1
                        andImul32(&cur)
                        cur += 1
                        addCmp32(&cur)
                        if notEqualTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .loadTestLoadZx8CmpNZ:
                        guard loadTest64(&cur) else { break fault }
                        if equalTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                        cur += 1
                        guard loadLoadZx8(&cur) else { break fault }
                        cur += 1
                        aluRR(7, cur, 1)
                        if notEqualTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .loadTestLoadCmpZ:
                        guard loadTest64(&cur) else { break fault }
                        if equalTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                        cur += 1
                        guard loadCmp16(&cur) else { break fault }
                        if zeroTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .loadZx8AddTestNZ:
                        guard loadZx8Add64(&cur) else { break fault }
                        cur += 1
                        setLogicFlags(0, reg64(cur.pointee.reg) & reg64(cur.pointee.rm) & 0xff)
                        if notEqualTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpCmpSubCmpRI8:
                        _ = subLowByteImmediate(cur)
                        if equalTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                        cur += 1
                        _ = subLowByteImmediate(cur)
                        if equalTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                        cur += 1
                        setReg(cur.pointee.reg, 2, reg(cur.pointee.reg, 2) &- cur.pointee.imm)
                        cur += 1
                        _ = subLowByteImmediate(cur)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .subCmpRI8:
                        setReg(cur.pointee.reg, 2, reg(cur.pointee.reg, 2) &- cur.pointee.imm)
                        cur += 1
                        _ = subLowByteImmediate(cur)
                        if fusedBranchTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .cmpMovAndCmpRI8NZ:
                        _ = subLowByteImmediate(cur)
                        if equalTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
                        cur += 1
                        movAnd32(&cur)
                        cur += 1
                        _ = subLowByteImmediate(cur)
                        if notEqualTaken(&cur) { if followCached(&cur, &left) { continue inner }; break taken }
#endif

                    case .shlRI: sized(X86Sized.shl, cur, s)
                    case .shrRI: sized(X86Sized.shr, cur, s)
                    case .sarRI: sized(X86Sized.sar, cur, s)
                    case .shlRI32: shiftRI(X86Flags.shl, cur, 2)
                    case .shlRI64: shiftRI(X86Flags.shl, cur, 3)
                    case .shrRI32: shiftRI(X86Flags.shr, cur, 2)
                    case .shrRI64: shiftRI(X86Flags.shr, cur, 3)
                    case .sarRI32: shiftRI(X86Flags.sar, cur, 2)
                    case .sarRI64: shiftRI(X86Flags.sar, cur, 3)
                    case .shrRI16: shiftRI(X86Flags.shr, cur, 1)
                    case .shrRI8:
                        let v = reg64(cur.pointee.reg) & 0xff, n = cur.pointee.imm & 31
                        let res = v &>> n
                        setLowByte(cur.pointee.reg, res)
                        setFlags(X86Flags.shr, 0, v, n, res)
                    case .shiftR, .shiftM, .shldR, .shrdR, .shldM, .shrdM:
                        status = withCPU { $0.executeShift(cur) }
                        if status != X86Status.next { break fault }
                    case .imulRR:
                        imulRegister(cur)
                    case .imulRR32:
                        imul32(cur)
                    case .mulDivR, .mulDivM, .imulRM:
                        status = withCPU { $0.executeMultiply(cur) }
                        if status != X86Status.next { break fault }
                    case .btRR, .btMR, .btRI, .btMI, .bitScanRR, .bitScanRM:
                        status = withCPU { $0.executeBits(cur) }
                        if status != X86Status.next { break fault }
                    case .xaddRR, .xaddMR, .cmpxchgRR, .cmpxchgMR, .cmpxchg16b:
                        status = withCPU { $0.executeExchange(cur) }
                        if status != X86Status.next { break fault }
                    case .flagSystem,
                         .sseControl:
                        status = withCPU { $0.executeSystem(cur) }
                        if status != X86Status.next { break fault }
                    case .movs, .stos, .lods, .cmps, .scas:
                        status = withCPU { $0.executeString(cur) }
                        if status != X86Status.next { break fault }
                    case .sse:
                        status = withCPU { $0.executeSSE(cur) }
                        if status != X86Status.next { break fault }
                    case .sse4:
                        status = withCPU { $0.executeSSE4(cur) }
                        if status != X86Status.next { break fault }
                    case .bmi:
                        status = withCPU { $0.executeBMI(cur) }
                        if status != X86Status.next { break fault }
                    case .x87:
                        status = withCPU { $0.executeX87(cur, pc: pcOf(cur)) }
                        if status != X86Status.next { break fault }
                    case .mmx:
                        status = withCPU { $0.executeMMX(cur, ssse3: false) }
                        if status != X86Status.next { break fault }
                    case .mmxSSSE3:
                        status = withCPU { $0.executeMMX(cur, ssse3: true) }
                        if status != X86Status.next { break fault }
                    case .mmxOther:
                        status = withCPU { $0.executeMMXOther(cur) }
                        if status != X86Status.next { break fault }

                    // MARK: Control transfer
                    case .jcc:
                        if condition(cur.pointee.cond) { if followCached(&cur, &left) { continue inner }; break taken }
                    case .jmp:
                        if followCached(&cur, &left) { continue inner }
                        break taken
                    case .call:
                        let sp = r[X86Registers.rsp] &- 8
                        guard sstore(cur, sp, 3, nextPC(cur)) else { break fault }
                        r[X86Registers.rsp] = sp
                        if followCached(&cur, &left) { continue inner }
                        break taken
                    case .callR:
                        let target = reg64(cur.pointee.reg)
                        let sp = r[X86Registers.rsp] &- 8
                        guard sstore(cur, sp, 3, nextPC(cur)) else { break fault }
                        r[X86Registers.rsp] = sp
                        pc = target
                        break jumped
                    case .callM:
                        guard let target = read(address(cur), UInt64.self) else { break fault }
                        let sp = r[X86Registers.rsp] &- 8
                        guard write(sp, nextPC(cur)) else { break fault }
                        r[X86Registers.rsp] = sp
                        pc = target
                        break jumped
                    case .jmpR:
                        pc = reg64(cur.pointee.reg)
                        break jumped
                    case .jmpM:
                        guard let t = read(address(cur), UInt64.self) else { break fault }
                        pc = t
                        break jumped
                    case .ret, .retImm:
                        let sp = r[X86Registers.rsp]
                        guard let t = sload(cur, sp, 3) else { break fault }
                        r[X86Registers.rsp] = sp &+ 8 &+ cur.pointee.imm
                        pc = t
                        // To this page: on from the arm itself (its own copy of the dispatch).
                        if tierOff, left > 0, let p = decoded(t) { cur = p - 1; left &-= Int(p.pointee.count); continue inner }
                        break jumped
                    case .loop:
                        var jump: Bool
                        let c = cur.pointee.cond
                        let address32 = cur.pointee.attrs & X86Attrs.address32 != 0
                        var count = address32 ? r[X86Registers.rcx] & 0xffff_ffff : r[X86Registers.rcx]
                        if c == 3 {
                            jump = count == 0
                        } else {
                            count = (count &- 1) & (address32 ? 0xffff_ffff : UInt64.max)
                            if address32 { setReg(X86Registers.offset(1), 2, count) } else { r[X86Registers.rcx] = count }
                            jump = count != 0
                            if c == 0 { jump = jump && !condition(4) }
                            if c == 1 { jump = jump && condition(4) }
                        }
                        if jump { break taken }
                    }
                    continue inner
                }
                // A taken jcc (alone or fused), jmp or call: the rest of its block was counted
                // when the block was entered.
                left &+= Int(cur.pointee.count) &- 1
                pc = cur.pointee.imm
                // With the native tier off, direct branches keep the decoded instruction before
                // their target, when it is in their page, in `disp` (unused by them; both are
                // dropped together) and the change of `left` when they are taken in
                // `branchDelta`: followCached's fast path. (With the tier on, a target is counted
                // at every jump to it, through the page's index.)
                if left > 0, let p = decoded(pc) {
                    if tierOff {
                        cur.pointee.disp = UInt64(UInt(bitPattern: p - 1))
                        cur.pointee.branchDelta = Int16(cur.pointee.count) &- 1 &- Int16(p.pointee.count)
                    } else if p.pointee.countExecution(threshold: threshold) {
                        continue lookup
                    }
                    cur = p - 1
                    left &-= Int(p.pointee.count)
                    continue inner
                }
                }
                // Direct and indirect jumps, calls and returns to a decoded instruction of
                // this page go on without the code TLB.
                if left > 0, let p = decoded(pc), !(jit && p.pointee.countExecution(threshold: threshold)) {
                    cur = p - 1; left &-= Int(p.pointee.count); continue inner
                }
#if !SKIFF_WASI
                // Or to one of the page left last (see `otherBase`).
                if tierOff, left > 0, pc & ~pageMask == otherBase,
                   let p = UnsafeMutablePointer<X86Instruction>(bitPattern: otherIndex[Int(pc & pageMask)]) {
                    otherBase = pageBase
                    pageBase = pc & ~pageMask
                    swap(&index, &otherIndex)
                    cur = p - 1; left &-= Int(p.pointee.count); continue inner
                }
#endif
                if left <= 0 { break lookup }
                continue lookup
            }
            }
            // The instruction at `cur` did not complete: a fault, or a trap that ends the run.
            left &+= Int(cur.pointee.count)
            pc = pcOf(cur)
            switch status {
            case X86Status.next, X86Status.fault: stop = .memoryFault(cpu.pendingFault)
            case X86Status.divideError: stop = .divideError
            case X86Status.illegal: stop = .illegalInstruction
            case X86Status.simdException: stop = .simdException
            case X86Status.x87Exception: stop = .x87Exception
            default: stop = .generalProtection
            }
            break lookup
        }
        cpu.rip = pc
        cpu.instructionsRetired &+= UInt64(instructionBudget &- left)
        return stop
    }

    /// Group-1 operation `kind` (see `alu`) on register operands, on a register and the
    /// immediate, on a register and memory (false: the load faulted).
    /// (Size `s` is a constant in the specialised arms.) cmp (kind 7) writes no register.
    @_transparent func aluRR(_ kind: Int, _ p: UnsafeMutablePointer<X86Instruction>, _ s: UInt8) {
        let res = alu(kind, reg(p.pointee.reg, s), reg(p.pointee.rm, s), s)
        if kind != 7 { setReg(p.pointee.reg, s, res) }
    }

    @_transparent func aluRI(_ kind: Int, _ p: UnsafeMutablePointer<X86Instruction>, _ s: UInt8) {
        let res = alu(kind, reg(p.pointee.reg, s), p.pointee.imm & X86Flags.mask(Int(s)), s)
        if kind != 7 { setReg(p.pointee.reg, s, res) }
    }

    /// Operation `op` (`X86Sized`) on `p`'s operands of size `s`, with the size a constant in
    /// an arm per size so that the helpers fold their masks, merges and widths: for the forms
    /// that have no operation per size (8- and 16-bit operands, CoreMark's CRC) one jump per
    /// execution instead of variable shifts throughout. (Not a closure per arm: the optimizer
    /// left some of those out of line, and a closure's captured `cur` lives in memory.)
    @_transparent func sized(_ op: Int, _ p: UnsafeMutablePointer<X86Instruction>, _ s: UInt8) {
        switch s {
        case 0: sizedOperation(op, p, 0)
        case 1: sizedOperation(op, p, 1)
        case 2: sizedOperation(op, p, 2)
        default: sizedOperation(op, p, 3)
        }
    }

    @_transparent func sizedOperation(_ op: Int, _ p: UnsafeMutablePointer<X86Instruction>, _ s: UInt8) {
        switch op {
        case X86Sized.testRR: setLogicFlags(s, reg(p.pointee.reg, s) & reg(p.pointee.rm, s))
        case X86Sized.testRI: setLogicFlags(s, reg(p.pointee.reg, s) & p.pointee.imm & X86Flags.mask(Int(s)))
        case X86Sized.shl: shiftRI(X86Flags.shl, p, s)
        case X86Sized.shr: shiftRI(X86Flags.shr, p, s)
        case X86Sized.sar: shiftRI(X86Flags.sar, p, s)
        case X86Sized.aluRI...: aluRI(op &- X86Sized.aluRI, p, s)
        default: aluRR(op, p, s)
        }
    }

    /// shl, shr or sar (`kind`: its lazy-flags kind) of a register by the immediate.
    @_transparent func shiftRI(_ kind: UInt64, _ p: UnsafeMutablePointer<X86Instruction>, _ s: UInt8) {
        let v = reg(p.pointee.reg, s)
        let n = p.pointee.imm & (s == 3 ? 63 : 31)
        let res: UInt64
        switch kind {
        case X86Flags.shl: res = (v &<< n) & X86Flags.mask(Int(s))
        case X86Flags.shr: res = v &>> n
        default: res = UInt64(bitPattern: Int64(bitPattern: X86CPU.signExtend(v, s)) &>> Int64(n)) & X86Flags.mask(Int(s))
        }
        setReg(p.pointee.reg, s, res)
        setFlags(kind, s, v, n, res)
    }

    /// A taken branch at `p` whose target is decoded and cached in `disp` (only with the native
    /// tier off), with `left` after it still positive: `p` (the instruction before the target)
    /// and `left` set for the target and true; else false with nothing changed (the run loop's
    /// shared taken path does the rest: near the budget's end, or the target not cached yet).
    @_transparent func followCached(_ p: inout UnsafeMutablePointer<X86Instruction>, _ left: inout Int) -> Bool {
        guard let t = UnsafeMutablePointer<X86Instruction>(bitPattern: UInt(truncatingIfNeeded: p.pointee.disp)) else { return false }
        let l = left &+ Int(p.pointee.branchDelta)
        guard l > 0 else { return false }
        left = l
        p = t
        return true
    }

    /// After a compare or test: whether the jcc fused with it (`X86Attrs.fusedBranch`) is
    /// taken; `p` is moved to that jcc when there is one.
    /// A je or jne (`X86Attrs.fusedZero`) tests the result the compare or test just stored
    /// (every operation that fuses a jcc stores it masked to its size, so ZF is `res == 0`).
    @_transparent func fusedBranchTaken(_ p: inout UnsafeMutablePointer<X86Instruction>) -> Bool {
        let attrs = p.pointee.attrs
        guard attrs & X86Attrs.fusedBranch != 0 else { return false }
        p += 1
        if attrs & X86Attrs.fusedZero != 0 { return (regs[X86Registers.ccRes] == 0) != (p.pointee.cond & 1 != 0) }
        return condition(p.pointee.cond)
    }

    /// After an operation whose fused jcc is je or jne (its `Z` form): `p` moved to that jcc,
    /// whether it is taken (ZF is the stored result being 0 for every such operation).
    @_transparent func zeroTaken(_ p: inout UnsafeMutablePointer<X86Instruction>) -> Bool {
        p += 1
        return (regs[X86Registers.ccRes] == 0) != (p.pointee.cond & 1 != 0)
    }

    /// The same for a `Z` form that has a `NZ` form (`X86Op.notEqualForm`): its jcc is je.
    @_transparent func equalTaken(_ p: inout UnsafeMutablePointer<X86Instruction>) -> Bool {
        p += 1
        return regs[X86Registers.ccRes] == 0
    }

    /// A `NZ` form's jcc (jne).
    @_transparent func notEqualTaken(_ p: inout UnsafeMutablePointer<X86Instruction>) -> Bool {
        p += 1
        return regs[X86Registers.ccRes] != 0
    }

    @_transparent func aluRM(_ kind: Int, _ p: UnsafeMutablePointer<X86Instruction>) -> Bool {
        let s = p.pointee.size
        guard let v = cload(p, address(p), s) else { return false }
        setReg(p.pointee.reg, s, alu(kind, reg(p.pointee.reg, s), v, s))
        return true
    }

    /// inc or dec of an operand of size `s`; CF is kept.
    @inline(__always) func incDec(_ increment: Bool, _ v: UInt64, _ s: UInt8) -> UInt64 {
        let r = regs
        let carry = carryFlag()
        r[X86Registers.flags] = (r[X86Registers.flags] & ~X86Flags.cf) | carry
        let res = (increment ? v &+ 1 : v &- 1) & X86Flags.mask(Int(s))
        setFlags(increment ? X86Flags.inc : X86Flags.dec, s, v, 1, res)
        return res
    }

    /// The lazy flag state, to undo an instruction whose store faulted after it set the flags.
    @inline(__always) func saveFlags() -> (UInt64, UInt64, UInt64, UInt64, UInt64) {
        let r = regs
        return (r[X86Registers.ccOp], r[X86Registers.ccA], r[X86Registers.ccB], r[X86Registers.ccRes], r[X86Registers.flags])
    }

    @inline(__always) func restoreFlags(_ f: (UInt64, UInt64, UInt64, UInt64, UInt64)) {
        let r = regs
        r[X86Registers.ccOp] = f.0
        r[X86Registers.ccA] = f.1
        r[X86Registers.ccB] = f.2
        r[X86Registers.ccRes] = f.3
        r[X86Registers.flags] = f.4
    }
}

extension X86CPU {
    /// `v` (an operand of size `s`) sign-extended to 64 bits.
    @inline(__always) static func signExtend(_ v: UInt64, _ s: UInt8) -> UInt64 {
        let shift = UInt64(64) &- X86Flags.bits(Int(s))
        return UInt64(bitPattern: Int64(bitPattern: v &<< shift) &>> Int64(shift))
    }
}

/// The operations of `X86Core.sized`: the group-1 operations (`alu`'s kinds) on registers and on
/// a register and the immediate, test, and the shifts by an immediate.
enum X86Sized {
    static let aluRR = 0, testRR = 8, testRI = 9, shl = 10, shr = 11, sar = 12, aluRI = 16
}
