/// The parts of an ELF64 file the loader needs: the file header and program headers.
struct ELFHeader {
    static let size = 64
    static let machineRISCV: UInt16 = 243
    static let typeExecutable: UInt16 = 2
    static let typeShared: UInt16 = 3

    var type: UInt16
    var machine: UInt16
    var entry: UInt64
    var programHeaderOffset: UInt64
    var flags: UInt32
    var programHeaderEntrySize: UInt16
    var programHeaderCount: UInt16
}

struct ProgramHeader {
    static let size = 56
    static let load: UInt32 = 1
    static let interpreter: UInt32 = 3
    static let programHeaders: UInt32 = 6
    static let gnuStack: UInt32 = 0x6474e551

    var type: UInt32
    var flags: UInt32
    var offset: UInt64
    var virtualAddress: UInt64
    var fileSize: UInt64
    var memorySize: UInt64
    var alignment: UInt64

    var isExecutable: Bool { flags & 1 != 0 }
    var isWritable: Bool { flags & 2 != 0 }
    var isReadable: Bool { flags & 4 != 0 }
}

/// Why a file cannot be run, with the words the user sees.
struct ExecFailure: Error {
    var errno: Errno
    var message: String
}

enum ELFParser {
    static func isELF(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x7f && bytes[1] == 0x45 && bytes[2] == 0x4c && bytes[3] == 0x46
    }

    static func machineName(_ m: UInt16) -> String {
        switch m {
        case 3: return "i386"
        case 8: return "MIPS"
        case 20: return "PowerPC"
        case 21: return "PowerPC64"
        case 22: return "s390"
        case 40: return "ARM"
        case 62: return "x86-64"
        case 183: return "AArch64"
        case 243: return "RISC-V"
        case 258: return "LoongArch"
        default: return "machine \(m)"
        }
    }

    /// Parses and checks the file header of a riscv64 or x86-64 executable.
    static func header(_ bytes: [UInt8], fileSize: Int64) throws(ExecFailure) -> ELFHeader {
        guard bytes.count >= ELFHeader.size else {
            throw ExecFailure(errno: .ENOEXEC, message: "truncated ELF file (\(bytes.count) bytes)")
        }
        let r = ByteReader(bytes)
        let elfClass = bytes[4], data = bytes[5]
        let machine = r.u16(18)
        if elfClass != 2 || data != 1 || Architecture(machine: machine) == nil {
            let bits = elfClass == 1 ? "32-bit" : elfClass == 2 ? "64-bit" : "unknown-class"
            let endian = data == 2 ? " big-endian" : ""
            throw ExecFailure(errno: .ENOEXEC,
                              message: "ELF for \(machineName(machine)) (\(bits)\(endian)), not riscv64 or x86-64: cannot execute binary file")
        }
        let h = ELFHeader(type: r.u16(16), machine: machine, entry: r.u64(24), programHeaderOffset: r.u64(32),
                          flags: r.u32(48), programHeaderEntrySize: r.u16(54), programHeaderCount: r.u16(56))
        guard h.type == ELFHeader.typeExecutable || h.type == ELFHeader.typeShared else {
            throw ExecFailure(errno: .ENOEXEC, message: "ELF file is neither an executable nor a shared object (type \(h.type))")
        }
        guard Int(h.programHeaderEntrySize) == ProgramHeader.size, h.programHeaderCount > 0,
              Int(h.programHeaderCount) * ProgramHeader.size <= 65536 else {
            throw ExecFailure(errno: .ENOEXEC, message: "corrupt ELF file: bad program header table")
        }
        let tableEnd = h.programHeaderOffset &+ UInt64(h.programHeaderCount) * UInt64(ProgramHeader.size)
        guard tableEnd >= h.programHeaderOffset, tableEnd <= UInt64(max(fileSize, 0)) else {
            throw ExecFailure(errno: .ENOEXEC, message: "truncated ELF file: program headers lie past its end")
        }
        return h
    }

    static func programHeaders(_ bytes: [UInt8], count: Int) -> [ProgramHeader] {
        let r = ByteReader(bytes)
        var result: [ProgramHeader] = []
        for i in 0..<count {
            let o = i * ProgramHeader.size
            result.append(ProgramHeader(type: r.u32(o), flags: r.u32(o + 4), offset: r.u64(o + 8),
                                        virtualAddress: r.u64(o + 16), fileSize: r.u64(o + 32),
                                        memorySize: r.u64(o + 40), alignment: r.u64(o + 48)))
        }
        return result
    }
}
