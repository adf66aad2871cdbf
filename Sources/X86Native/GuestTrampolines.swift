import RISCV
import RISCVNative
import X86

// The register roles of compiled x86-64 guest code (x86-64 System V host):
//
//   rbx  the guest CPU's register file (`X86Registers`: an operand is [rbx + its byte offset])
//   r14  the context (RISCVNative's `NativeContext`: registers, TLBs, budget, pc and jump cache
//        at the same offsets; the rest unused here)
//   r15  the instruction budget left (exits subtract what they retired)
//   rbp, r10-r13  the guest registers a block keeps in host registers (`BlockTranslator.cache`)
//   rax  the guest flags saved around a TLB probe (lahf + seto)
//   rcx, rdx, rsi, rdi, r8, r9  scratch: rdx a memory operand's guest address, rsi its host one
//
// The guest's arithmetic flags live in the host's RFLAGS while compiled code runs: `enter`
// loads them from the flags word, the epilogue stores them back (Trampolines).

// Exit codes in eax are RISCVNative's `NativeExit`; rbx, r14 and r15 its `X86Register`
// roles `guestRegisters`, `context` and `budget`.

// The code at the start of the tier's buffer that every block shares:
//   enter(context, block)  saves the callee-saved registers, loads the fixed ones and the
//                          guest's arithmetic flags into RFLAGS, jumps to the block;
//   epilogue               where exits jump with the exit code in eax: stores RFLAGS' arithmetic
//                          flags into the guest's flags word (its other bits, DF and AC, kept)
//                          and the budget, and returns from `enter`;
//   refillRead/refillWrite a probe's TLB miss calls one (guest address in rdx): it fills the TLB
//                          entry through `Helpers.refillTLB` (RISCVNative) with every caller-saved register
//                          preserved (a block's values, the saved flags in eax, the probe's rcx,
//                          rsi and rdi) and returns with ZF clear when it did (the probe compares
//                          the tag again: an access crossing into the next page still misses).
// Chained blocks jump to each other with the flags still in RFLAGS.

struct GuestTrampolines {
    var enter: UInt
    var epilogue: UInt
    var refillRead: UInt = 0
    var refillWrite: UInt = 0

    static let flagsSlot = Int32(X86Registers.flags * 8)
    static let arithmetic = Int32(X86Flags.arithmetic)

    static func assemble(base: UInt) -> (bytes: [UInt8], at: GuestTrampolines) {
        var a = X86Assembler(base: base)
        a.enterCompiledCode()
        loadGuestFlags(&a)
        a.jump(to: .rsi)

        let epilogue = a.offset
        storeGuestFlags(&a)
        a.leaveCompiledCode()

        // Blocks run with rsp 16-byte aligned: the call's 8 bytes and nine pushes align it again.
        var refills: [UInt] = []
        for write in [false, true] {
            refills.append(base &+ UInt(a.offset))
            let saved: [X86Register] = [.rax, .rcx, .rdx, .rsi, .rdi, .r8, .r9, .r10, .r11]
            for r in saved { a.push(r) }
            // RISCVNative's `Helpers.refillTLB` for the byte at the address (size 1).
            a.load(.rdi, .context, NativeContext.memoryOffset)
            a.move(.rsi, .rdx)
            a.move(.rdx, imm: 1)
            a.move(.rcx, imm: write ? 1 : 0)
            a.move(.rax, imm: Helpers.address(Helpers.refillTLB))
            a.call(.rax)
            a.test(.rax, imm: 0xff)
            for r in saved.reversed() { a.pop(r) }
            a.ret()
        }
        return (a.bytes, GuestTrampolines(enter: base, epilogue: base &+ UInt(epilogue),
                                          refillRead: refills[0], refillWrite: refills[1]))
    }

    /// RFLAGS' arithmetic flags = the guest flags word's (rax clobbered).
    static func loadGuestFlags(_ a: inout X86Assembler) {
        a.load(.rax, .guestRegisters, flagsSlot)
        a.alu(.and, .rax, imm: arithmetic, w: false)
        a.push(.rax)
        a.popFlags()
    }

    /// The guest flags word's arithmetic flags = RFLAGS' (its other bits, DF and AC, kept; rcx
    /// and rdx clobbered).
    static func storeGuestFlags(_ a: inout X86Assembler) {
        a.pushFlags()
        a.pop(.rcx)
        a.alu(.and, .rcx, imm: arithmetic, w: false)
        a.load(.rdx, .guestRegisters, flagsSlot)
        a.alu(.and, .rdx, imm: ~arithmetic)
        a.op([0x09], size: 8, reg: X86Register.rcx.rawValue, rm: .rdx)     // or rdx, rcx
        a.store(.rdx, .guestRegisters, flagsSlot)
    }

    /// (CPU, decoded instruction, its pc) -> `X86CPU.executeForNative`'s answer: the
    /// instructions compiled code has the interpreter perform in the middle of a block.
    typealias CallOut = @convention(c) (UnsafeMutableRawPointer, UnsafeMutableRawPointer, UInt64) -> UInt8
    static let callOut: CallOut = { cpu, instruction, pc in
        Unmanaged<X86CPU>.fromOpaque(cpu)._withUnsafeGuaranteedRef {
            $0.executeForNative(instruction.assumingMemoryBound(to: X86Instruction.self), pc: pc)
        }
    }
}
