// Operand-size specialisation of the hottest integer instructions. The decoder gives each
// operation one X86Op for every operand size; the run loop then computes masks, merges partial
// registers and picks a load or store width from `size` at every execution. The forms below
// (from a qemu trace of amd64 CoreMark: 32- and 64-bit register moves, loads and stores,
// add/sub/and/xor/cmp/test on registers and immediates, byte and word loads widened by movzx
// and movsx, together over half of its instructions; byte compares with an immediate and byte
// tests of low byte registers, 5.6%; shifts by an immediate and cmov, and the byte and word
// forms of CoreMark's CRC loop, sub and shr of a byte, shr and xor of a word, 7%) get an
// operation per size instead, chosen once when the block is decoded, whose run-loop arm has
// the sizes as constants.

// Not in the wasm core (SKIFF_WASI): the per-size memory forms, `cmp r16,r16`, the `Z` forms
// below and `condition`'s e/ne shortcut. With them the wasm build's run loop crossed a limit of
// Cranelift's register allocator: the linear memory's base went to a stack slot, reloaded at
// every dispatch and access, and amd64 CoreMark on wasmtime took 1.2x main's CPU time (the
// memory forms and the e/ne shortcut alone did too; without all of them the core runs as
// main's; docs/x86-64.md).

extension X86Op {
    /// This operation specialised for operand size `size` (log2 of its bytes) and, for movzx
    /// and movsx, source size `source`; or itself. The byte forms only when both register
    /// operands are low bytes (`lowBytes`: not ah, ch, dh, bh), whose arms read them unshifted.
    /// `form`: the memory operand's `scale` flags (`X86Instruction.indexed`, `slowAddress`).
    func specialised(size: UInt8, source: UInt8, lowBytes: Bool, form: UInt8 = 0) -> X86Op {
        if size == 0 {
#if !SKIFF_WASI
            if self == .cmpMI { return .cmpMI8 }    // no register operand
#endif
            guard lowBytes else { return self }
            switch self {
            case .cmpRI: return .cmpRI8
            case .testRR: return .testRR8
            case .subRI: return .subRI8
            case .shrRI: return .shrRI8
            default: return self
            }
        }
        if size == 1 {
            switch self {
            case .shrRI: return .shrRI16
            case .xorRI: return .xorRI16
#if !SKIFF_WASI
            case .cmpRM: return .cmpRM16
#endif
#if !SKIFF_WASI
            case .cmpRR: return .cmpRR16
#endif
            default: return self
            }
        }
        let wide = size == 3
        switch self {
        // A 32-bit destination is zero-extended, so movzx to 32 or 64 bits is the same.
#if SKIFF_WASI
        case .movzxRM where source == 0: return .movzxRM8
        case .movzxRM where source == 1: return .movzxRM16
        case .movRM: return wide ? .movRM64 : .movRM32
        case .movMR: return wide ? .movMR64 : .movMR32
        case .movsxRM where source == 1 && !wide: return .movsxRM16to32
#else
        // By address form (`X86Core.addressBD`): base + disp, or with an index; an operand with
        // fs/gs or 0x67 keeps the generic operation.
        case .movzxRM where source == 0:
            return form == 0 ? .movzxRM8 : form == X86Instruction.indexed ? .movzxRM8X : self
        case .movzxRM where source == 1: return .movzxRM16
        case .movRM where !wide: return .movRM32
        case .movMR where !wide: return .movMR32
        case .movsxRM where source == 1 && !wide:
            return form == 0 ? .movsxRM16to32 : form == X86Instruction.indexed ? .movsxRM16to32X : self
        case .movRM: return form == 0 ? .movRM64 : form == X86Instruction.indexed ? .movRM64X : self
        case .movMR: return form == 0 ? .movMR64 : form == X86Instruction.indexed ? .movMR64X : self
#endif
        case .movRR: return wide ? .movRR64 : .movRR32
        case .addRR: return wide ? .addRR64 : .addRR32
        case .addRI: return wide ? .addRI64 : .addRI32
        case .subRR: return wide ? .subRR64 : .subRR32
        case .subRI: return wide ? .subRI64 : .subRI32
        case .andRI: return wide ? .andRI64 : .andRI32
        case .xorRR: return wide ? .xorRR64 : .xorRR32
        case .cmpRR: return wide ? .cmpRR64 : .cmpRR32
        case .cmpRI: return wide ? .cmpRI64 : .cmpRI32
        case .testRR: return wide ? .testRR64 : .testRR32
        case .shlRI: return wide ? .shlRI64 : .shlRI32
        case .shrRI: return wide ? .shrRI64 : .shrRI32
        case .sarRI: return wide ? .sarRI64 : .sarRI32
        case .cmovRR: return wide ? .cmovRR64 : .cmovRR32
        case .imulRR where !wide: return .imulRR32
#if !SKIFF_WASI
        case .cmpRM: return wide ? .cmpRM64 : .cmpRM32
#endif
#if !SKIFF_WASI
        case .addMI where !wide: return .addMI32
#endif
        default: return self
        }
    }
}

extension X86Op {
    /// The form of this operation whose fused jcc (`X86Attrs.fusedBranch`) is je or jne
    /// (`X86Attrs.fusedZero`), if it has one: its arm takes the branch from the stored result
    /// without testing `attrs` at run time. `pairAttrs`: the attrs of the instruction after it,
    /// the compare or test of a pair (Pairs.swift); `attrs`: its own.
    func zeroFused(attrs: UInt8, pairAttrs: UInt8) -> X86Op? {
#if SKIFF_WASI
        return nil
#else
        let zero = X86Attrs.fusedBranch | X86Attrs.fusedZero
        switch self {
        case .addCmpRR32: return pairAttrs & zero == zero ? .addCmpRR32Z : nil
        case .movTestRR64: return pairAttrs & zero == zero ? .movTestRR64Z : nil
        case .loadTestRR64: return pairAttrs & zero == zero ? .loadTestRR64Z : nil
        default: break
        }
        guard attrs & zero == zero else { return nil }
        switch self {
        case .cmpRI8: return .cmpRI8Z
        case .subRI8: return .subRI8Z
        case .testRR8: return .testRR8Z
        case .cmpRR32: return .cmpRR32Z
        case .cmpRR64: return .cmpRR64Z
        case .cmpRI32: return .cmpRI32Z
        case .cmpRI64: return .cmpRI64Z
        case .subRI32: return .subRI32Z
        case .subRI64: return .subRI64Z
        case .testRR32: return .testRR32Z
        case .testRR64: return .testRR64Z
        case .cmpRM16: return .cmpRM16Z
        case .cmpRM32: return .cmpRM32Z
        case .cmpRM64: return .cmpRM64Z
        case .cmpMI8: return .cmpMI8Z
        case .cmpRR16: return .cmpRR16Z
        default: return nil
        }
#endif
    }
}

extension X86Op {
    /// The `NZ` form of a `Z` form (its jcc jne; the `Z` form then runs only with je), and how
    /// far after this instruction its jcc is (2 for a pair), if it has one. (Native only: the
    /// `Z` forms are.) The je/jne test of `zeroTaken` took six host instructions (the result's
    /// test, sete, the condition's load and mask, a compare and the branch); these arms branch
    /// on the result alone.
    var notEqualForm: (op: X86Op, jccAfter: Int)? {
#if SKIFF_WASI
        return nil
#else
        switch self {
        case .addCmpRR32Z: return (.addCmpRR32NZ, 2)
        case .cmpRI8Z: return (.cmpRI8NZ, 1)
        case .loadTestRR64Z: return (.loadTestRR64NZ, 2)
        case .movTestRR64Z: return (.movTestRR64NZ, 2)
        case .subRI8Z: return (.subRI8NZ, 1)
        case .testRR8Z: return (.testRR8NZ, 1)
        case .cmpRR16Z: return (.cmpRR16NZ, 1)
        default: return nil
        }
#endif
    }
}
