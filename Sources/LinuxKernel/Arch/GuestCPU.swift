#if !SKIFF_SINGLE_MODULE
import RISCV
import X86
#endif

/// The seam between the kernel and a guest CPU. Linux is the same on every ISA; what differs
/// is here: how a system call's number, arguments and result travel in registers, the signal
/// frame, a new program's and a new thread's registers, and the ISA's numbering and structure
/// layouts (`Architecture`). Each ISA conforms its CPU class in Arch/<ISA>/. The CPUs' run
/// loops stay concrete and per ISA; the kernel calls through this protocol only at the edges
/// (once per slice or system call).
protocol GuestCPU: AnyObject {
    var architecture: Architecture { get }
    /// The address space (replaced on execve).
    var memory: GuestMemory { get set }
    var instructionsRetired: UInt64 { get }
    /// Where the CPU's clock (rdtime, rdtsc) comes from.
    var timeSource: (() -> UInt64)? { get set }
    /// The address of the next instruction (after a stop: of the one that stopped).
    var programCounter: UInt64 { get }
    var stackPointer: UInt64 { get set }

    /// Runs guest code until a system call, a trap or about `instructionBudget` instructions.
    func run(instructionBudget: Int) -> GuestStop

    /// The system call the CPU stopped at: its number in the ISA's own table and its six
    /// arguments, as the registers hold them.
    func systemCall() -> SystemCallRegisters
    /// Stores a system call's result and steps past the instruction that made it.
    func finishSystemCall(_ result: Int64)

    /// A CPU for a new thread or process made by clone: the same registers, returning 0 from
    /// the system call.
    func makeClone(memory: GuestMemory) -> any GuestCPU
    /// CLONE_SETTLS: the thread pointer (tp on riscv64, the FS base on x86-64).
    func setThreadPointer(_ value: UInt64)
    /// Forgets any LR/SC reservation (every task switch).
    func clearReservation()
    /// execve: every register reset, the new address space, the entry point and stack.
    func startProgram(memory: GuestMemory, entry: UInt64, stackPointer: UInt64)

    /// Pushes a signal frame for `action`'s handler on `frameTop` (the stack pointer to build
    /// below, already moved to the alternate stack if needed) and points the CPU at the
    /// handler. `context` has what the frame records besides the registers. False when the
    /// frame cannot be written.
    func enterSignalHandler(_ task: Task, frameTop: UInt64, info: [UInt8], action: SignalAction,
                            context: SignalContext) -> Bool
    /// rt_sigreturn: restores the registers from the frame at the stack pointer and returns
    /// the signal mask and alternate stack it saved, or nil when it cannot be read.
    func returnFromSignalHandler(_ task: Task) -> SignalContext?
}

/// Why a CPU returned control to the kernel.
enum GuestStop {
    case systemCall
    case budgetExhausted
    /// A load, store or fetch faulted (the kernel may fill a lazily mapped page and resume).
    case memoryFault(MemoryFault)
    /// A trap the ISA turns into a synchronous signal (SIGILL, SIGTRAP, SIGFPE, SIGSEGV...).
    case signal(Int32, code: Int32, address: UInt64)
}

/// A system call as the registers hold it.
struct SystemCallRegisters {
    var number: Int
    var arguments: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
}

/// What a signal frame saves besides the registers (the ucontext's uc_stack and uc_sigmask).
struct SignalContext {
    var mask: UInt64
    var alternateStack: (base: UInt64, size: UInt64, flags: Int32)
}

/// A guest ISA's Linux ABI.
enum Architecture: Equatable {
    case riscv64
    case x86_64

    /// ELF e_machine values.
    static let machineRISCV: UInt16 = 243
    static let machineX86_64: UInt16 = 62

    init?(machine: UInt16) {
        switch machine {
        case Architecture.machineRISCV: self = .riscv64
        case Architecture.machineX86_64: self = .x86_64
        default: return nil
        }
    }

    /// uname's machine, and what /proc and diagnostics call it.
    var name: String {
        switch self {
        case .riscv64: return "riscv64"
        case .x86_64: return "x86_64"
        }
    }

    /// A CPU of this ISA on `memory`.
    func makeCPU(memory: GuestMemory) -> any GuestCPU {
        switch self {
        case .riscv64: return Hart(memory: memory)
        case .x86_64: return X86CPU(memory: memory)
        }
    }

    /// The auxiliary vector entries that describe the CPU: AT_HWCAP (and AT_HWCAP2) and the
    /// AT_PLATFORM string (nil: none).
    var hardwareCapabilities: (hwcap: UInt64, hwcap2: UInt64?, platform: [UInt8]?) {
        switch self {
        case .riscv64: return (AuxVector.hwcapRV64GC, nil, nil)
        case .x86_64: return (UInt64(X86CPU.features1EDX), 0, Array("x86_64".utf8))
        }
    }

    /// The code of the page signal handlers return through when the program gave no
    /// restorer (riscv64 Linux's vDSO provides it; x86-64 programs always give SA_RESTORER).
    var signalTrampoline: [UInt8] {
        switch self {
        case .riscv64:
            // li a7, 139; ecall
            return [0x93, 0x08, 0xb0, 0x08, 0x73, 0x00, 0x00, 0x00]
        case .x86_64:
            // mov eax, 15; syscall
            return [0xb8, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05]
        }
    }

    /// The system call in the kernel's own numbering (the generic table, SyscallTable.swift)
    /// with its arguments in that call's order.
    func translate(_ call: SystemCallRegisters) -> SystemCallRegisters {
        switch self {
        case .riscv64: return call
        case .x86_64: return X86_64SystemCalls.translate(call)
        }
    }

    /// Bytes below the stack pointer a signal frame must not touch (x86-64's ABI red zone).
    var redZone: UInt64 { self == .x86_64 ? 128 : 0 }

    /// struct kernel_sigaction has sa_restorer (between sa_flags and sa_mask).
    var sigactionHasRestorer: Bool { self == .x86_64 }
    /// struct epoll_event is packed (12 bytes) rather than 16.
    var epollEventIsPacked: Bool { self == .x86_64 }
}

extension Task {
    var architecture: Architecture { cpu.architecture }
}
