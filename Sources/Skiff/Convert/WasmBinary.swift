import OCI

// Just enough of the WebAssembly binary format to add data segments to a module and replace
// function bodies (WebAssembly Core Specification 2.0, chapter 5): LEB128 numbers, the section
// list, and the index spaces of imports, exports, types and functions.

enum WasmSectionID: UInt8 {
    case custom = 0, type = 1, `import` = 2, function = 3, table = 4, memory = 5, global = 6
    case export = 7, start = 8, element = 9, code = 10, data = 11, dataCount = 12, tag = 13
}

struct WasmSection {
    var id: UInt8
    /// Where the section starts (its id byte) in the module's bytes.
    var start: Int
    /// The payload's range in the module's bytes.
    var payload: Range<Int>
}

enum LEB128 {
    static func unsigned(_ value: UInt64) -> [UInt8] {
        var v = value, out: [UInt8] = []
        repeat {
            var byte = UInt8(v & 0x7f)
            v >>= 7
            if v != 0 { byte |= 0x80 }
            out.append(byte)
        } while v != 0
        return out
    }

    static func signed(_ value: Int64) -> [UInt8] {
        var v = value, out: [UInt8] = []
        while true {
            let byte = UInt8(v & 0x7f)
            v >>= 7
            if (v == 0 && byte & 0x40 == 0) || (v == -1 && byte & 0x40 != 0) {
                out.append(byte)
                return out
            }
            out.append(byte | 0x80)
        }
    }
}

/// A cursor over module bytes; every read is bounds-checked (a malformed module is an error).
struct WasmCursor {
    let bytes: [UInt8]
    var at: Int
    let end: Int

    init(_ bytes: [UInt8], _ range: Range<Int>) {
        self.bytes = bytes
        self.at = range.lowerBound
        self.end = range.upperBound
    }

    static func malformed(_ what: String) -> SkiffError {
        SkiffError(.invalidData, "not a valid WebAssembly module (\(what))")
    }

    var atEnd: Bool { at >= end }

    mutating func byte() throws(SkiffError) -> UInt8 {
        guard at < end else { throw Self.malformed("unexpected end") }
        defer { at += 1 }
        return bytes[at]
    }

    mutating func unsigned() throws(SkiffError) -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw Self.malformed("LEB128 too long") }
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// A signed LEB128 (s32, s64 and s33 block and heap types).
    mutating func signed() throws(SkiffError) -> Int64 {
        var result: Int64 = 0, shift: Int64 = 0, b: UInt8
        repeat {
            b = try byte()
            guard shift < 64 else { throw Self.malformed("LEB128 too long") }
            result |= Int64(b & 0x7f) << shift
            shift += 7
        } while b & 0x80 != 0
        if shift < 64 && b & 0x40 != 0 { result |= -1 << shift }
        return result
    }

    mutating func u32() throws(SkiffError) -> UInt32 {
        let v = try unsigned()
        guard v <= UInt64(UInt32.max) else { throw Self.malformed("u32 out of range") }
        return UInt32(v)
    }

    mutating func skip(_ n: Int) throws(SkiffError) {
        guard n >= 0, n <= end - at else { throw Self.malformed("length out of range") }
        at += n
    }

    mutating func name() throws(SkiffError) -> String {
        let n = Int(try u32())
        let start = at
        try skip(n)
        return String(decoding: bytes[start..<at], as: UTF8.self)
    }

    /// Table or memory limits.
    mutating func limits() throws(SkiffError) {
        let flags = try byte()
        _ = try unsigned()
        if flags & 1 != 0 { _ = try unsigned() }
    }
}

/// A parsed module: its bytes and sections, with the facts the writer needs.
struct WasmModule {
    let bytes: [UInt8]
    let sections: [WasmSection]

    init(_ bytes: [UInt8]) throws(SkiffError) {
        guard bytes.count >= 8, bytes[0..<4] == [0x00, 0x61, 0x73, 0x6d] else { throw WasmCursor.malformed("no \\0asm magic") }
        guard bytes[4..<8] == [0x01, 0x00, 0x00, 0x00] else { throw WasmCursor.malformed("not binary format version 1") }
        self.bytes = bytes
        var cursor = WasmCursor(bytes, 8..<bytes.count)
        var sections: [WasmSection] = []
        while !cursor.atEnd {
            let sectionStart = cursor.at
            let id = try cursor.byte()
            let size = Int(try cursor.u32())
            let start = cursor.at
            try cursor.skip(size)
            sections.append(WasmSection(id: id, start: sectionStart, payload: start..<cursor.at))
        }
        self.sections = sections
    }

    func section(_ id: WasmSectionID) -> WasmSection? { sections.first { $0.id == id.rawValue } }

    func cursor(_ section: WasmSection) -> WasmCursor { WasmCursor(bytes, section.payload) }

    /// Function imports come first in the function index space.
    func importedFunctionCount() throws(SkiffError) -> Int {
        guard let s = section(.import) else { return 0 }
        var c = cursor(s)
        var functions = 0
        for _ in 0..<(try c.u32()) {
            _ = try c.name()
            _ = try c.name()
            switch try c.byte() {
            case 0x00: _ = try c.u32(); functions += 1   // function: type index
            case 0x01: _ = try c.byte(); try c.limits()  // table: reference type, limits
            case 0x02: try c.limits()                    // memory
            case 0x03: _ = try c.byte(); _ = try c.byte() // global: value type, mutability
            case 0x04: _ = try c.byte(); _ = try c.u32() // tag
            default: throw WasmCursor.malformed("unknown import kind")
            }
        }
        return functions
    }

    /// The function index of each named function, from the "name" custom section's function
    /// names (subsection 1). wasm-ld writes it unless told to strip all symbols.
    func functionNames() throws(SkiffError) -> [String: Int] {
        var result: [String: Int] = [:]
        for s in sections where s.id == WasmSectionID.custom.rawValue {
            var c = cursor(s)
            guard try c.name() == "name" else { continue }
            while !c.atEnd {
                let id = try c.byte()
                let size = Int(try c.u32())
                let start = c.at
                if id == 1 {
                    for _ in 0..<(try c.u32()) {
                        let index = Int(try c.u32())
                        result[try c.name()] = index
                    }
                }
                c.at = start
                try c.skip(size)
            }
        }
        return result
    }

    /// The parameter and result types of every type in the type section.
    func functionTypes() throws(SkiffError) -> [(parameters: [UInt8], results: [UInt8])] {
        guard let s = section(.type) else { return [] }
        var c = cursor(s)
        var types: [(parameters: [UInt8], results: [UInt8])] = []
        for _ in 0..<(try c.u32()) {
            guard try c.byte() == 0x60 else { throw WasmCursor.malformed("type is not a function type") }
            var parameters: [UInt8] = [], results: [UInt8] = []
            for _ in 0..<(try c.u32()) { parameters.append(try c.byte()) }
            for _ in 0..<(try c.u32()) { results.append(try c.byte()) }
            types.append((parameters, results))
        }
        return types
    }

    /// The type index of each defined (not imported) function.
    func definedFunctionTypes() throws(SkiffError) -> [Int] {
        guard let s = section(.function) else { return [] }
        var c = cursor(s)
        var result: [Int] = []
        for _ in 0..<(try c.u32()) { result.append(Int(try c.u32())) }
        return result
    }

    /// The ranges of each defined function's body (without its size prefix), in order.
    func functionBodies() throws(SkiffError) -> [Range<Int>] {
        guard let s = section(.code) else { return [] }
        var c = cursor(s)
        var result: [Range<Int>] = []
        for _ in 0..<(try c.u32()) {
            let size = Int(try c.u32())
            let start = c.at
            try c.skip(size)
            result.append(start..<c.at)
        }
        return result
    }

    /// The data section's segment count and the range of its segments (after the count).
    func dataSegments() throws(SkiffError) -> (count: Int, segments: Range<Int>) {
        guard let s = section(.data) else { return (0, 0..<0) }
        var c = cursor(s)
        let count = Int(try c.u32())
        return (count, c.at..<s.payload.upperBound)
    }
}
