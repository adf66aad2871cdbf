#if !SKIFF_SINGLE_MODULE
import RISCV
import X86
#endif

/// The legacy vsyscall page as Linux's default `vsyscall=xonly` provides it: static binaries
/// built against old glibc call gettimeofday at 0xffffffffff600000, time at ...400 and getcpu
/// at ...800. Nothing is mapped there (a read or a write faults with SIGSEGV, as on Linux);
/// a call to one of the three entries faults on the fetch, and is emulated: the system call
/// runs with the caller's arguments, then a `ret` (rax the result, other registers kept).
/// Another address in the page faults as it would without emulation.
enum X86_64Vsyscall {
    static let base: UInt64 = 0xffff_ffff_ff60_0000

    /// The x86-64 system call number the entry at `address` stands for.
    static func systemCall(at address: UInt64) -> UInt64? {
        switch address {
        case base: return 96            // gettimeofday
        case base + 0x400: return 201   // time
        case base + 0x800: return 309   // getcpu
        default: return nil
        }
    }
}

extension X86CPU {
    /// A fetch fault at a vsyscall entry with a readable return address: rax set to the call's
    /// number, ready to be served as a system call (`finishSystemCall` then returns).
    func enterVsyscall(_ fault: MemoryFault) -> Bool {
        guard fault.kind == .execute, let number = X86_64Vsyscall.systemCall(at: rip),
              (try? memory.load(UInt64.self, at: register(4))) != nil else { return false }
        setRegister(0, number)
        return true
    }

    /// After an emulated vsyscall: the `ret` to the caller.
    func leaveVsyscall() {
        let sp = register(4)
        rip = (try? memory.load(UInt64.self, at: sp)) ?? 0
        setRegister(4, sp &+ 8)
    }
}

extension X86_64Vsyscall {
    /// The page's line in /proc/PID/maps (the last line, as Linux prints it: execute-only).
    static let mapsLine = Array("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n".utf8)
}
