import OCI

/// Rewrites function bodies when the WASI pack layer is merged into an app module
/// (WasiModuleMerger, docs/convert.md "Packing a WASI image"). It walks every instruction,
/// decoding its immediates (core 2.0, tail calls, exceptions, typed function references, SIMD,
/// atomics on an unshared memory), and copies it unchanged unless it refers to something the
/// merge renumbers or moves:
///
/// - `.app`: function indices (call, return_call, ref.func) are renumbered; memory.size reads
///   the global that holds the app's page count; memory.grow calls the merged grow function
///   (which moves the layer's region up). Loads and stores stay as they are.
/// - `.region`: code of the pack layer, whose memory is a region of the app's memory starting at
///   the address in `base`: every load and store adds `base` to its address (a store keeps its
///   value in a scratch local meanwhile), memory.size and memory.grow call the region's own;
///   function, global and type indices are renumbered. Instructions the layer is not built to
///   contain (tables, bulk memory, references) are refused.
struct WasmCodeRewriter {
    enum Mode {
        case app(pagesGlobal: UInt32, grow: UInt32)
        case region(base: UInt32, size: UInt32, grow: UInt32)
    }

    let mode: Mode
    /// Old function index -> new.
    let functions: [UInt32]
    /// Old global index -> new (`.region` only; the app's globals keep their indices).
    let globals: [UInt32]
    /// Added to type indices (`.region` only).
    let typeOffset: UInt32

    static func unsupported(_ what: String) -> SkiffError {
        SkiffError(.unsupported, "cannot pack this module: \(what)")
    }

    /// The body (locals and code, without its size prefix) of a function with `parameters`
    /// parameters, rewritten.
    func rewrite(_ bytes: [UInt8], _ range: Range<Int>, parameters: Int) throws(SkiffError) -> [UInt8] {
        var c = WasmCursor(bytes, range)
        var out: [UInt8] = []
        out.reserveCapacity(range.count + range.count / 8)
        let localsStart = c.at
        let groups = try c.u32()
        let groupsStart = c.at
        var locals = parameters
        for _ in 0..<groups {
            locals += Int(try c.u32())
            try skipValueType(&c)
        }
        var scratch: UInt32 = 0
        if case .region = mode {
            // Four scratch locals (i32, i64, f32, f64) for the value of a store.
            scratch = UInt32(locals)
            out += LEB128.unsigned(UInt64(groups) + 4)
            out += bytes[groupsStart..<c.at]
            for type: UInt8 in [0x7f, 0x7e, 0x7d, 0x7c] { out += [0x01, type] }
        } else {
            out += bytes[localsStart..<c.at]
        }
        while !c.atEnd {
            try instruction(&c, into: &out, scratch: scratch)
        }
        return out
    }

    /// A constant expression (element segment items and offsets), rewritten.
    func rewriteExpression(_ bytes: [UInt8], _ c: inout WasmCursor, into out: inout [UInt8]) throws(SkiffError) {
        while true {
            let start = c.at
            try instruction(&c, into: &out, scratch: 0)
            if bytes[start] == 0x0b { return }
        }
    }

    private func function(_ index: UInt32) throws(SkiffError) -> [UInt8] {
        guard Int(index) < functions.count else { throw WasmCursor.malformed("function index \(index) out of range") }
        return LEB128.unsigned(UInt64(functions[Int(index)]))
    }

    private var isRegion: Bool { if case .region = mode { return true } else { return false } }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    private func instruction(_ c: inout WasmCursor, into out: inout [UInt8], scratch: UInt32) throws(SkiffError) {
        let start = c.at
        let op = try c.byte()
        switch op {
        case 0x02, 0x03, 0x04, 0x06:  // block, loop, if, try: a block type
            let value = try c.signed()
            if value >= 0 && isRegion {
                out += [op] + LEB128.signed(value + Int64(typeOffset))
                return
            }
            if value == -29 || value == -28 { _ = try c.signed() }  // (ref null? ht)
        case 0x07, 0x08: try needApp("exception tags"); _ = try c.u32()  // catch, throw
        case 0x09, 0x0c, 0x0d, 0x18, 0xd5, 0xd6: _ = try c.u32()        // labels
        case 0x0e:
            for _ in 0...(try c.u32()) { _ = try c.u32() }                // br_table
        case 0x1f:                                                         // try_table
            try needApp("exception handling")
            let value = try c.signed()
            if value == -29 || value == -28 { _ = try c.signed() }
            for _ in 0..<(try c.u32()) {
                let kind = try c.byte()
                if kind <= 1 { _ = try c.u32() }
                _ = try c.u32()
            }
        case 0x10, 0x12:  // call, return_call
            out += [op] + (try function(try c.u32()))
            return
        case 0xd2:  // ref.func
            try needApp("function references")
            out += [op] + (try function(try c.u32()))
            return
        case 0x11, 0x13:  // call_indirect, return_call_indirect
            try needApp("indirect calls")
            _ = try c.u32(); _ = try c.u32()
        case 0x14, 0x15: try needApp("typed function references"); _ = try c.u32()
        case 0x1c:  // select t*
            for _ in 0..<(try c.u32()) { try skipValueType(&c) }
        case 0x20, 0x21, 0x22: _ = try c.u32()  // locals
        case 0x23, 0x24:  // global.get, global.set
            let index = try c.u32()
            if isRegion {
                guard Int(index) < globals.count else { throw WasmCursor.malformed("global index \(index) out of range") }
                out += [op] + LEB128.unsigned(UInt64(globals[Int(index)]))
                return
            }
        case 0x25, 0x26: try needApp("tables"); _ = try c.u32()
        case 0x28...0x3e:  // loads and stores
            let align = try c.u32()
            if align & 0x40 != 0 { guard try c.u32() == 0 else { throw Self.unsupported("it uses more than one memory") } }
            _ = try c.unsigned()
            if case .region(let base, _, _) = mode {
                if op >= 0x36 {  // a store: [address, value]
                    let local = scratch + (op == 0x37 || op >= 0x3c ? 1 : op == 0x38 ? 2 : op == 0x39 ? 3 : 0)
                    out += [0x21] + LEB128.unsigned(UInt64(local))
                    out += [0x23] + LEB128.unsigned(UInt64(base)) + [0x6a]
                    out += [0x20] + LEB128.unsigned(UInt64(local))
                } else {
                    out += [0x23] + LEB128.unsigned(UInt64(base)) + [0x6a]
                }
            }
        case 0x3f, 0x40:  // memory.size, memory.grow
            guard try c.u32() == 0 else { throw Self.unsupported("it uses more than one memory") }
            switch mode {
            case .app(let pages, let grow):
                out += op == 0x3f ? [0x23] + LEB128.unsigned(UInt64(pages)) : [0x10] + LEB128.unsigned(UInt64(grow))
            case .region(_, let size, let grow):
                out += [0x10] + LEB128.unsigned(UInt64(op == 0x3f ? size : grow))
            }
            return
        case 0x41: _ = try c.signed()
        case 0x42: _ = try c.signed()
        case 0x43: try c.skip(4)
        case 0x44: try c.skip(8)
        case 0xd0: try needApp("references"); _ = try c.signed()  // ref.null heap type
        case 0xfb: throw Self.unsupported("it uses garbage-collection instructions (0xFB prefix)")
        case 0xfc: try prefixedFC(&c)
        case 0xfd: try needApp("SIMD"); try prefixedSIMD(&c)
        case 0xfe:  // atomics
            try needApp("atomics")
            let sub = try c.u32()
            if sub == 0x03 { _ = try c.byte() } else {
                let align = try c.u32()
                if align & 0x40 != 0 { _ = try c.u32() }
                _ = try c.unsigned()
            }
        case 0x00, 0x01, 0x05, 0x0a, 0x0b, 0x0f, 0x19, 0x1a, 0x1b, 0x45...0xc4, 0xd1, 0xd3, 0xd4:
            break
        default:
            throw WasmCursor.malformed("unknown opcode \(op)")
        }
        out += c.bytes[start..<c.at]
    }

    private func needApp(_ what: String) throws(SkiffError) {
        if isRegion { throw SkiffError(.invalidData, "the WASI pack layer uses \(what), which the packer cannot relocate (rebuild it with scripts/build-wasm.sh)") }
    }

    private func prefixedFC(_ c: inout WasmCursor) throws(SkiffError) {
        let sub = try c.u32()
        switch sub {
        case 0...7: return  // saturating truncations
        default: try needApp("bulk memory or table instructions")
        }
        switch sub {
        case 8: _ = try c.u32(); guard try c.u32() == 0 else { throw Self.unsupported("it uses more than one memory") }
        case 9, 13, 15, 16, 17: _ = try c.u32()
        case 10:
            guard try c.u32() == 0, try c.u32() == 0 else { throw Self.unsupported("it uses more than one memory") }
        case 11: guard try c.u32() == 0 else { throw Self.unsupported("it uses more than one memory") }
        case 12, 14: _ = try c.u32(); _ = try c.u32()
        default: throw WasmCursor.malformed("unknown 0xFC instruction \(sub)")
        }
    }

    private func prefixedSIMD(_ c: inout WasmCursor) throws(SkiffError) {
        let sub = try c.u32()
        func memarg(_ c: inout WasmCursor) throws(SkiffError) {
            let align = try c.u32()
            if align & 0x40 != 0 { guard try c.u32() == 0 else { throw Self.unsupported("it uses more than one memory") } }
            _ = try c.unsigned()
        }
        switch sub {
        case 0...11, 92, 93: try memarg(&c)
        case 12, 13: try c.skip(16)
        case 21...34: try c.skip(1)
        case 84...91: try memarg(&c); try c.skip(1)
        default: break
        }
    }

    private func skipValueType(_ c: inout WasmCursor) throws(SkiffError) {
        let type = try c.byte()
        if type == 0x63 || type == 0x64 { _ = try c.signed() }
    }
}
