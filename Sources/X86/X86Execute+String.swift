// String instructions: movs, stos, lods, cmps, scas, with rep/repe/repne and the direction
// flag. rcx, rsi and rdi move element by element, so a fault in the middle leaves them where
// Linux would (the instruction restarts with the rest). 0x67 makes them use ecx/esi/edi.
#if !SKIFF_SINGLE_MODULE
import RISCV
#endif

extension X86CPU {
    func executeString(_ p: UnsafeMutablePointer<X86Instruction>) -> UInt8 {
        let r = regs
        let s = p.pointee.size
        let width = UInt64(1) << UInt64(s)
        let step = r[X86Registers.flags] & X86Flags.df != 0 ? 0 &- width : width
        let attrs = p.pointee.attrs
        let repeated = attrs & (X86Attrs.rep | X86Attrs.repne) != 0
        let narrow = attrs & X86Attrs.address32 != 0
        let addressMask: UInt64 = narrow ? 0xffff_ffff : UInt64.max
        // es: is always 0; ds: may be overridden by fs/gs (not for the rdi operand).
        let sourceBase = reg64(p.pointee.seg)
        @inline(__always) func setIndex(_ i: Int, _ v: UInt64) {
            if narrow { r[i] = v & 0xffff_ffff } else { r[i] = v }
        }
        var count = r[X86Registers.rcx] & addressMask
        if repeated && count == 0 { return X86Status.next }
        let op = p.pointee.op

        // Fast path: rep stos/movs forwards over whole pages of the fast-path TLB.
        if repeated && step == width && !narrow && p.pointee.seg == X86Registers.zeroOffset && (op == .stos || op == .movs) {
            return repeatForward(op, s, count: count)
        }

        while true {
            let si = r[X86Registers.rsi] & addressMask, di = r[X86Registers.rdi] & addressMask
            switch op {
            case .movs:
                guard let v = load(sourceBase &+ si, s), store(di, s, v) else { return X86Status.fault }
                setIndex(X86Registers.rsi, si &+ step)
                setIndex(X86Registers.rdi, di &+ step)
            case .stos:
                guard store(di, s, reg(0, s)) else { return X86Status.fault }
                setIndex(X86Registers.rdi, di &+ step)
            case .lods:
                guard let v = load(sourceBase &+ si, s) else { return X86Status.fault }
                setReg(0, s, v)
                setIndex(X86Registers.rsi, si &+ step)
            case .cmps:
                guard let a = load(sourceBase &+ si, s), let b = load(di, s) else { return X86Status.fault }
                _ = alu(7, a, b, s)
                setIndex(X86Registers.rsi, si &+ step)
                setIndex(X86Registers.rdi, di &+ step)
            default:   // scas
                guard let b = load(di, s) else { return X86Status.fault }
                _ = alu(7, reg(0, s), b, s)
                setIndex(X86Registers.rdi, di &+ step)
            }
            if !repeated { return X86Status.next }
            count = (count &- 1) & addressMask
            setIndex(X86Registers.rcx, count)
            if count == 0 { return X86Status.next }
            if op == .cmps || op == .scas {
                let equal = regs[X86Registers.ccRes] == 0
                if attrs & X86Attrs.rep != 0 && !equal { return X86Status.next }
                if attrs & X86Attrs.repne != 0 && equal { return X86Status.next }
            }
        }
    }

    /// rep stos / rep movs with DF clear and 64-bit addresses: element by element, but the
    /// registers are written back only when it stops.
    private func repeatForward(_ op: X86Op, _ s: UInt8, count total: UInt64) -> UInt8 {
        let r = regs
        let width = UInt64(1) << UInt64(s)
        var count = total
        var si = r[X86Registers.rsi], di = r[X86Registers.rdi]
        let value = reg(0, s)
        var status = X86Status.next
        while count != 0 {
            if op == .stos {
                guard store(di, s, value) else { status = X86Status.fault; break }
            } else {
                guard let v = load(si, s), store(di, s, v) else { status = X86Status.fault; break }
                si &+= width
            }
            di &+= width
            count &-= 1
        }
        r[X86Registers.rcx] = count
        r[X86Registers.rdi] = di
        if op == .movs { r[X86Registers.rsi] = si }
        return status
    }
}
