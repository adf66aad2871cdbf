import Foundation
import OCI

/// Writes a converted module: Skiff's core module with the bundle's segments appended as passive
/// data segments, and the bodies of the core's three bundle functions (wasm/embedded_bundle.c,
/// found by their export names) replaced by code that answers for those segments:
///
///   skiff_bundle_segment_count() -> i32             i32.const N
///   skiff_bundle_segment_size(i32) -> i32           the byte length of segment i
///   skiff_bundle_segment_copy(i32, i32, i32, i32)   memory.init of segment i (dst, offset, length)
///
/// Every other byte of the core is copied as it is. A data count section is added (memory.init
/// needs one) or updated. The segments are streamed from their buffers (a mapped filesystem
/// image), never copied whole.
struct WasmModuleWriter {
    static let countFunction = "skiff_bundle_segment_count"
    static let sizeFunction = "skiff_bundle_segment_size"
    static let copyFunction = "skiff_bundle_segment_copy"

    let core: WasmModule

    init(core: WasmModule) { self.core = core }

    /// Writes the module to `output` (created; an existing file is an error for the caller to
    /// have handled). `segments[0]` is the bundle's segment 0, the rest its content segments.
    func write(segments: [UnsafeRawBufferPointer], to output: OutputFile) throws(SkiffError) {
        let imports = try core.importedFunctionCount()
        let exports = try core.exportedFunctions()
        let types = try core.functionTypes()
        let functionTypes = try core.definedFunctionTypes()
        let bodies = try core.functionBodies()
        let (existingSegments, existingRange) = try core.dataSegments()
        guard segments.count <= Int(Int32.max) else { throw SkiffError(.unsupported, "too many segments") }

        // The three functions, checked against the signatures embedded_bundle.c gives them.
        let i32: UInt8 = 0x7f
        let wanted: [(String, [UInt8], [UInt8])] = [
            (Self.countFunction, [], [i32]),
            (Self.sizeFunction, [i32], [i32]),
            (Self.copyFunction, [i32, i32, i32, i32], []),
        ]
        var replaced: [Int: [UInt8]] = [:]
        for (name, parameters, results) in wanted {
            guard let index = exports[name], index >= imports, index - imports < bodies.count,
                  index - imports < functionTypes.count, functionTypes[index - imports] < types.count
            else {
                throw SkiffError(.invalidData, "the core module has no \(name) function: it is not a Skiff core module, or one built before `skiff convert` existed (rebuild it with scripts/build-wasm.sh)")
            }
            let type = types[functionTypes[index - imports]]
            guard type.parameters == parameters, type.results == results else {
                throw SkiffError(.invalidData, "the core module's \(name) has an unexpected signature")
            }
            let replacement = body(for: name, segments: segments, firstIndex: existingSegments)
            replaced[index - imports] = replacement
            // wasm-ld wraps each export of a command module (crt1-command) in a function that runs
            // the constructors, calls the real one and runs the destructors; the core's own calls go
            // to the real one, so its body is replaced too.
            if let target = Self.wrappedFunction(core.bytes[bodies[index - imports]]), target >= imports,
               target - imports < bodies.count, target - imports < functionTypes.count,
               functionTypes[target - imports] == functionTypes[index - imports] {
                replaced[target - imports] = replacement
            }
        }

        try output.write(Array(core.bytes[0..<8]))
        var wroteDataCount = false
        for section in core.sections {
            switch WasmSectionID(rawValue: section.id) {
            case .dataCount:
                try writeDataCount(existingSegments + segments.count, to: output)
                wroteDataCount = true
            case .code:
                if !wroteDataCount {
                    try writeDataCount(existingSegments + segments.count, to: output)
                    wroteDataCount = true
                }
                try writeCode(bodies: bodies, replaced: replaced, to: output)
            case .data:
                try writeData(existingCount: existingSegments, existing: existingRange, segments: segments, to: output)
            default:
                try output.write(Array(core.bytes[section.start..<section.payload.upperBound]))
            }
        }
        if core.section(.data) == nil {
            try writeData(existingCount: 0, existing: 0..<0, segments: segments, to: output)
        }
    }

    private func writeSection(_ id: WasmSectionID, _ payload: [UInt8], to output: OutputFile) throws(SkiffError) {
        try output.write([id.rawValue] + LEB128.unsigned(UInt64(payload.count)) + payload)
    }

    private func writeDataCount(_ count: Int, to output: OutputFile) throws(SkiffError) {
        try writeSection(.dataCount, LEB128.unsigned(UInt64(count)), to: output)
    }

    private func writeCode(bodies: [Range<Int>], replaced: [Int: [UInt8]], to output: OutputFile) throws(SkiffError) {
        var payload = LEB128.unsigned(UInt64(bodies.count))
        payload.reserveCapacity(bodies.last.map { $0.upperBound - bodies[0].lowerBound + 64 } ?? 16)
        for (i, range) in bodies.enumerated() {
            if let body = replaced[i] {
                payload += LEB128.unsigned(UInt64(body.count)) + body
            } else {
                payload += LEB128.unsigned(UInt64(range.count))
                payload += core.bytes[range]
            }
        }
        try writeSection(.code, payload, to: output)
    }

    /// The data section: the core's segments, then each bundle segment as a passive one.
    private func writeData(existingCount: Int, existing: Range<Int>, segments: [UnsafeRawBufferPointer],
                           to output: OutputFile) throws(SkiffError) {
        let count = LEB128.unsigned(UInt64(existingCount + segments.count))
        var size = UInt64(count.count + existing.count)
        for s in segments { size += 1 + UInt64(LEB128.unsigned(UInt64(s.count)).count) + UInt64(s.count) }
        guard size <= UInt64(UInt32.max) else {
            throw SkiffError(.unsupported, "the image is too large for one WebAssembly module (\(size >> 20) MiB of data; the format allows 4 GiB)")
        }
        try output.write([WasmSectionID.data.rawValue] + LEB128.unsigned(size) + count)
        try output.write(Array(core.bytes[existing]))
        for s in segments {
            try output.write([0x01] + LEB128.unsigned(UInt64(s.count))) // passive segment
            try output.write(s)
        }
    }

    /// The function a command export's wrapper calls: a body with no locals made only of
    /// `local.get`s and exactly three `call`s (constructors, the function, destructors); nil otherwise.
    static func wrappedFunction(_ body: ArraySlice<UInt8>) -> Int? {
        var bytes = Array(body)
        guard bytes.first == 0, bytes.last == 0x0B else { return nil }
        bytes.removeFirst()
        bytes.removeLast()
        var calls: [Int] = []
        var i = 0
        while i < bytes.count {
            let opcode = bytes[i]
            guard opcode == 0x10 || opcode == 0x20 else { return nil }
            i += 1
            var value = 0, shift = 0
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                value |= Int(b & 0x7F) << shift
                shift += 7
                if b & 0x80 == 0 { break }
            }
            if opcode == 0x10 { calls.append(value) }
        }
        return calls.count == 3 ? calls[1] : nil
    }

    /// A replacement body: no locals, then the code.
    private func body(for name: String, segments: [UnsafeRawBufferPointer], firstIndex: Int) -> [UInt8] {
        let localGet: UInt8 = 0x20, i32Const: UInt8 = 0x41, i32Eq: UInt8 = 0x46, ifVoid: [UInt8] = [0x04, 0x40]
        let ret: UInt8 = 0x0f, end: UInt8 = 0x0b
        var code: [UInt8] = [0x00]
        switch name {
        case Self.countFunction:
            code += [i32Const] + LEB128.signed(Int64(segments.count))
        case Self.sizeFunction:
            for (i, s) in segments.enumerated() {
                code += [localGet, 0, i32Const] + LEB128.signed(Int64(i)) + [i32Eq] + ifVoid
                code += [i32Const] + LEB128.signed(Int64(s.count)) + [ret, end]
            }
            code += [i32Const, 0]
        default: // copy: memory.init (0xfc 8) of data segment firstIndex + i into memory 0
            for i in segments.indices {
                code += [localGet, 0, i32Const] + LEB128.signed(Int64(i)) + [i32Eq] + ifVoid
                code += [localGet, 1, localGet, 2, localGet, 3, 0xfc] + LEB128.unsigned(8)
                code += LEB128.unsigned(UInt64(firstIndex + i)) + [0x00, ret, end]
            }
            code += [0x00] // unreachable: no such segment
        }
        return code + [end]
    }
}
