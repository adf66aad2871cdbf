// A tiny RV64 encoder for tests: enough instruction formats to write programs by hand.
@testable import RISCV

enum A {
    static func r(_ f7: UInt32, _ rs2: UInt32, _ rs1: UInt32, _ f3: UInt32, _ rd: UInt32, _ op: UInt32) -> UInt32 {
        f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
    }
    static func i(_ imm: Int32, _ rs1: UInt32, _ f3: UInt32, _ rd: UInt32, _ op: UInt32) -> UInt32 {
        UInt32(bitPattern: imm << 20) | rs1 << 15 | f3 << 12 | rd << 7 | op
    }
    static func s(_ imm: Int32, _ rs2: UInt32, _ rs1: UInt32, _ f3: UInt32, _ op: UInt32) -> UInt32 {
        let u = UInt32(bitPattern: imm)
        return (u >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 31) << 7 | op
    }
    static func b(_ imm: Int32, _ rs2: UInt32, _ rs1: UInt32, _ f3: UInt32) -> UInt32 {
        let u = UInt32(bitPattern: imm)
        return (u >> 12 & 1) << 31 | (u >> 5 & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12
            | (u >> 1 & 0xf) << 8 | (u >> 11 & 1) << 7 | 0x63
    }
    static func j(_ imm: Int32, _ rd: UInt32) -> UInt32 {
        let u = UInt32(bitPattern: imm)
        return (u >> 20 & 1) << 31 | (u >> 1 & 0x3ff) << 21 | (u >> 11 & 1) << 20 | (u >> 12 & 0xff) << 12 | rd << 7 | 0x6f
    }

    static func addi(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { i(imm, rs1, 0, rd, 0x13) }
    static func add(_ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32) -> UInt32 { r(0, rs2, rs1, 0, rd, 0x33) }
    static func sub(_ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32) -> UInt32 { r(0x20, rs2, rs1, 0, rd, 0x33) }
    static func lui(_ rd: UInt32, _ imm20: UInt32) -> UInt32 { imm20 << 12 | rd << 7 | 0x37 }
    static func auipc(_ rd: UInt32, _ imm20: UInt32) -> UInt32 { imm20 << 12 | rd << 7 | 0x17 }
    static func ld(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { i(imm, rs1, 3, rd, 0x03) }
    static func lw(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { i(imm, rs1, 2, rd, 0x03) }
    static func lbu(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { i(imm, rs1, 4, rd, 0x03) }
    static func sd(_ rs2: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { s(imm, rs2, rs1, 3, 0x23) }
    static func sw(_ rs2: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { s(imm, rs2, rs1, 2, 0x23) }
    static func sh(_ rs2: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { s(imm, rs2, rs1, 1, 0x23) }
    static func sb(_ rs2: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { s(imm, rs2, rs1, 0, 0x23) }
    static func beq(_ rs1: UInt32, _ rs2: UInt32, _ off: Int32) -> UInt32 { b(off, rs2, rs1, 0) }
    static func bne(_ rs1: UInt32, _ rs2: UInt32, _ off: Int32) -> UInt32 { b(off, rs2, rs1, 1) }
    static func blt(_ rs1: UInt32, _ rs2: UInt32, _ off: Int32) -> UInt32 { b(off, rs2, rs1, 4) }
    static func jal(_ rd: UInt32, _ off: Int32) -> UInt32 { j(off, rd) }
    static func jalr(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { i(imm, rs1, 0, rd, 0x67) }
    static let ecall: UInt32 = 0x73
    static let ebreak: UInt32 = 0x0010_0073
    static let fenceI: UInt32 = 0x0000_100f
    static func csrrs(_ rd: UInt32, _ csr: UInt32, _ rs1: UInt32) -> UInt32 { csr << 20 | rs1 << 15 | 2 << 12 | rd << 7 | 0x73 }
    static func csrrw(_ rd: UInt32, _ csr: UInt32, _ rs1: UInt32) -> UInt32 { csr << 20 | rs1 << 15 | 1 << 12 | rd << 7 | 0x73 }
    static func csrrwi(_ rd: UInt32, _ csr: UInt32, _ uimm: UInt32) -> UInt32 { csr << 20 | uimm << 15 | 5 << 12 | rd << 7 | 0x73 }
}

/// A hart with `code` at `codeBase` (r-x) and a zeroed read-write data page at `dataBase`.
final class Machine {
    static let codeBase: UInt64 = 0x10000
    static let dataBase: UInt64 = 0x20000
    let memory = GuestMemory()
    let hart: Hart

    init(_ code: [UInt32], dataPages: UInt64 = 1) {
        memory.map(at: Machine.codeBase, length: 0x4000, protection: [.read, .execute])
        memory.map(at: Machine.dataBase, length: dataPages * GuestMemory.pageSize, protection: [.read, .write])
        hart = Hart(memory: memory)
        load(code, at: Machine.codeBase)
        hart.pc = Machine.codeBase
        hart.setX(2, Machine.dataBase + dataPages * GuestMemory.pageSize)
    }

    /// Writes 32-bit words (force: the code pages are read-only to the guest).
    func load(_ words: [UInt32], at address: UInt64) {
        var bytes: [UInt8] = []
        for w in words { for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: w >> (8 * UInt32(k)))) } }
        loadBytes(bytes, at: address)
    }

    func loadHalves(_ halves: [UInt16], at address: UInt64) {
        var bytes: [UInt8] = []
        for h in halves { bytes.append(UInt8(h & 0xff)); bytes.append(UInt8(h >> 8)) }
        loadBytes(bytes, at: address)
    }

    func loadBytes(_ bytes: [UInt8], at address: UInt64) {
        bytes.withUnsafeBytes { try! memory.write(at: address, from: $0, force: true) }
    }

    /// Runs until the first stop.
    @discardableResult
    func run(budget: Int = 1_000_000) -> StopReason {
        hart.run(instructionBudget: budget)
    }
}
