import OCI

/// Merges the WASI pack layer (wasm/pack/wasi_pack.c, prebuilt) into an app's WASI preview 1
/// module and appends the pack (the image's tree) as a passive data segment: one module that
/// sees the image's files with no `--dir`. How the module is rewritten is in docs/convert.md,
/// "Packing a WASI image"; in short:
///
/// - the app's `wasi_snapshot_preview1` imports that the layer exports become calls to the
///   layer's functions; the layer's own imports of those names become the real imports (shared
///   with the app's), or stubs returning ENOSYS when the app never imports them;
/// - one memory: the layer's memory is a region after the app's pages. Two globals hold the
///   region's base address and the app's page count; the app's memory.size reads the latter and
///   its memory.grow calls a function that grows the memory and moves the region up;
/// - the layer's `skiff_pack` imports are functions written here (copies between the region,
///   the app's memory and the pack segment).
///
/// Custom sections are dropped (debug information's code offsets change), except the app's
/// function names, renumbered.
struct WasiModuleMerger {
    static let wasi = "wasi_snapshot_preview1"
    static let intrinsics = "skiff_pack"
    /// WASI functions the layer calls for itself (file times), kept even when the app has none.
    static let layerOwnImports: Set<String> = ["clock_time_get"]

    let app: WasmModule
    let layer: WasmModule

    struct Import {
        var module: String
        var name: String
        var kind: UInt8
        /// Function imports: the type index.
        var type: UInt32
        /// The whole entry, as it is in the module.
        var bytes: ArraySlice<UInt8>
    }

    typealias Signature = (parameters: [UInt8], results: [UInt8])

    // MARK: Reading

    static func imports(_ m: WasmModule) throws(SkiffError) -> [Import] {
        guard let s = m.section(.import) else { return [] }
        var c = m.cursor(s)
        var result: [Import] = []
        for _ in 0..<(try c.u32()) {
            let start = c.at
            let module = try c.name(), name = try c.name()
            let kind = try c.byte()
            var type: UInt32 = 0
            switch kind {
            case 0x00: type = try c.u32()
            case 0x01: _ = try c.byte(); try c.limits()
            case 0x02: try c.limits()
            case 0x03: _ = try c.byte(); _ = try c.byte()
            case 0x04: _ = try c.byte(); _ = try c.u32()
            default: throw WasmCursor.malformed("unknown import kind")
            }
            result.append(Import(module: module, name: name, kind: kind, type: type, bytes: m.bytes[start..<c.at]))
        }
        return result
    }

    /// Function exports by name.
    static func functionExports(_ m: WasmModule) throws(SkiffError) -> [String: UInt32] {
        guard let s = m.section(.export) else { return [:] }
        var c = m.cursor(s)
        var result: [String: UInt32] = [:]
        for _ in 0..<(try c.u32()) {
            let name = try c.name()
            let kind = try c.byte()
            let index = try c.u32()
            if kind == 0x00 { result[name] = index }
        }
        return result
    }

    /// The one defined memory's limits (min pages, max pages).
    static func memory(_ m: WasmModule, _ what: String) throws(SkiffError) -> (min: UInt32, max: UInt32?) {
        guard let s = m.section(.memory) else { throw SkiffError(.unsupported, "cannot pack this module: \(what) defines no memory") }
        var c = m.cursor(s)
        guard try c.u32() == 1 else { throw WasmCodeRewriter.unsupported("\(what) has more than one memory") }
        let flags = try c.byte()
        guard flags <= 1 else { throw WasmCodeRewriter.unsupported("\(what)'s memory is shared or 64-bit") }
        let min = try c.u32()
        let max = flags == 1 ? try c.u32() : nil
        return (min, max)
    }

    static func count(_ m: WasmModule, _ id: WasmSectionID) throws(SkiffError) -> Int {
        guard let s = m.section(id) else { return 0 }
        var c = m.cursor(s)
        return Int(try c.u32())
    }

    // MARK: Merging

    /// The merged module's bytes before the pack's (the pack segment's payload ends the data
    /// section, so it is written from its buffer, never copied) and after them (the names).
    func merge(packSize: Int) throws(SkiffError) -> (head: [UInt8], tail: [UInt8]) {
        let appImports = try Self.imports(app), layerImports = try Self.imports(layer)
        guard !appImports.contains(where: { $0.kind == 0x02 }) else { throw WasmCodeRewriter.unsupported("it imports its memory") }
        if let old = appImports.first(where: { $0.module == "wasi_unstable" }) {
            throw WasmCodeRewriter.unsupported("it imports \(old.module).\(old.name) (WASI preview 0); only wasi_snapshot_preview1 modules can be packed")
        }
        guard !layerImports.contains(where: { $0.kind != 0x00 }) else { throw SkiffError(.invalidData, "the WASI pack layer imports more than functions") }
        let appTypes = try app.functionTypes(), layerTypes = try layer.functionTypes()
        let appDefined = try app.definedFunctionTypes(), layerDefined = try layer.definedFunctionTypes()
        let appBodies = try app.functionBodies(), layerBodies = try layer.functionBodies()
        let layerExports = try Self.functionExports(layer)
        let appMemory = try Self.memory(app, "the module"), layerMemory = try Self.memory(layer, "the WASI pack layer")
        guard UInt64(appMemory.min) + UInt64(layerMemory.min) <= 65536 else { throw WasmCodeRewriter.unsupported("its initial memory leaves no room for the packed files' layer") }
        guard appDefined.count == appBodies.count, layerDefined.count == layerBodies.count else { throw WasmCursor.malformed("function and code sections disagree") }
        guard layer.section(.element) == nil, layer.section(.start) == nil else { throw SkiffError(.invalidData, "the WASI pack layer has element segments or a start function") }
        func signature(_ types: [Signature], _ index: UInt32) throws(SkiffError) -> Signature {
            guard Int(index) < types.count else { throw WasmCursor.malformed("type index out of range") }
            return types[Int(index)]
        }

        // Types: the app's, the layer's, then those of the functions written here.
        var extraTypes: [[UInt8]] = []
        var extraTypeIndex: [[UInt8]: UInt32] = [:]
        let layerTypeOffset = UInt32(appTypes.count)
        func typeIndex(_ parameters: [UInt8], _ results: [UInt8]) -> UInt32 {
            let encoded = [0x60] + LEB128.unsigned(UInt64(parameters.count)) + parameters + LEB128.unsigned(UInt64(results.count)) + results
            if let index = extraTypeIndex[encoded] { return index }
            let index = UInt32(appTypes.count + layerTypes.count + extraTypes.count)
            extraTypes.append(encoded)
            extraTypeIndex[encoded] = index
            return index
        }

        // Function imports of the merged module: the app's, minus those the layer serves, plus
        // the layer's real WASI imports the app shares (or the layer needs for itself).
        var imports: [Import] = []
        var importIndex: [String: UInt32] = [:]  // "module.name" -> new function index
        var appFunctions: [UInt32] = []          // old app function index -> new (imports filled below)
        var redirected: [(appIndex: Int, export: String)] = []
        for entry in appImports {
            if entry.kind != 0x00 { imports.append(entry); continue }
            if entry.module == Self.wasi, layerExports[entry.name] != nil {
                redirected.append((appFunctions.count, entry.name))
                appFunctions.append(0)
                continue
            }
            let key = entry.module + "." + entry.name
            if let existing = importIndex[key] { appFunctions.append(existing); continue }
            let index = UInt32(importIndex.count)
            importIndex[key] = index
            imports.append(entry)
            appFunctions.append(index)
        }
        let appImportedNames = Set(appImports.filter { $0.kind == 0x00 && $0.module == Self.wasi }.map(\.name))
        var layerImportTargets: [Int] = []  // per layer function import: its new import index, or -1 (written here)
        var stubs: [Int] = []                                      // layer import positions answered by ENOSYS stubs
        var intrinsicImports: [(position: Int, name: String)] = []
        for (position, entry) in layerImports.enumerated() {
            if entry.module == Self.intrinsics {
                intrinsicImports.append((position, entry.name))
                layerImportTargets.append(-1)
            } else if entry.module == Self.wasi, appImportedNames.contains(entry.name) || Self.layerOwnImports.contains(entry.name) {
                let key = entry.module + "." + entry.name
                var index = importIndex[key]
                if index == nil {
                    index = UInt32(importIndex.count)
                    importIndex[key] = index
                    var copy = entry
                    let declared = try signature(layerTypes, entry.type)
                    let newType = typeIndex(declared.parameters, declared.results)
                    copy.bytes = ArraySlice(Self.encodeName(entry.module) + Self.encodeName(entry.name) + [0x00] + LEB128.unsigned(UInt64(newType)))
                    imports.append(copy)
                } else if let appEntry = appImports.first(where: { $0.kind == 0x00 && $0.module == entry.module && $0.name == entry.name }) {
                    let a = try signature(appTypes, appEntry.type), l = try signature(layerTypes, entry.type)
                    guard a.parameters == l.parameters, a.results == l.results else {
                        throw WasmCodeRewriter.unsupported("it imports \(entry.module).\(entry.name) with a signature WASI preview 1 does not give it")
                    }
                }
                layerImportTargets.append(Int(index!))
            } else if entry.module == Self.wasi {
                stubs.append(position)
                layerImportTargets.append(-1)
            } else {
                throw SkiffError(.invalidData, "the WASI pack layer imports \(entry.module).\(entry.name)")
            }
        }
        let importCount = UInt32(importIndex.count)
        for i in 0..<appDefined.count { appFunctions.append(importCount + UInt32(i)) }
        let layerFirst = importCount + UInt32(appDefined.count)
        let synthesizedFirst = layerFirst + UInt32(layerDefined.count)

        // Functions written here, in order: the intrinsics, the stubs, the region's size and
        // grow, the app's grow.
        let appGlobals = try globalCount(appImports)
        let layerGlobalCount = try Self.count(layer, .global)
        let baseGlobal = UInt32(appGlobals + layerGlobalCount), pagesGlobal = baseGlobal + 1
        let packSegment = UInt32(try Self.count(app, .data) + Self.count(layer, .data))
        var synthesized: [(type: UInt32, body: [UInt8])] = []
        var layerFunctions = [UInt32](repeating: 0, count: layerImports.count)
        let intrinsicWriter = WasiPackIntrinsics(base: baseGlobal, pages: pagesGlobal, packSegment: packSegment,
                                                 packSize: packSize, appMaxPages: appMemory.max)
        for (position, name) in intrinsicImports {
            guard let intrinsic = intrinsicWriter.function(name) else {
                throw SkiffError(.invalidData, "the WASI pack layer imports an unknown \(Self.intrinsics).\(name)")
            }
            let (parameters, results, body) = intrinsic
            let declared = try signature(layerTypes, layerImports[position].type)
            guard declared.parameters == parameters, declared.results == results else {
                throw SkiffError(.invalidData, "the WASI pack layer's \(Self.intrinsics).\(name) has an unexpected signature")
            }
            layerFunctions[position] = synthesizedFirst + UInt32(synthesized.count)
            synthesized.append((typeIndex(parameters, results), body))
        }
        for position in stubs {
            let declared = try signature(layerTypes, layerImports[position].type)
            guard declared.results == [0x7f] else { throw SkiffError(.invalidData, "the WASI pack layer imports \(layerImports[position].name) with no errno result") }
            layerFunctions[position] = synthesizedFirst + UInt32(synthesized.count)
            synthesized.append((typeIndex(declared.parameters, declared.results), WasiPackIntrinsics.enosys))
        }
        for (position, target) in layerImportTargets.enumerated() where target >= 0 {
            layerFunctions[position] = UInt32(target)
        }
        for i in 0..<layerDefined.count { layerFunctions.append(layerFirst + UInt32(i)) }
        let regionSize = synthesizedFirst + UInt32(synthesized.count)
        synthesized.append((typeIndex([], [0x7f]), intrinsicWriter.regionSize))
        let regionGrow = regionSize + 1
        synthesized.append((typeIndex([0x7f], [0x7f]), intrinsicWriter.regionGrow))
        let appGrow = regionGrow + 1
        synthesized.append((typeIndex([0x7f], [0x7f]), intrinsicWriter.appGrow))

        for (appIndex, name) in redirected {
            let target = layerExports[name]!
            guard Int(target) >= layerImports.count, Int(target) < layerFunctions.count else {
                throw SkiffError(.invalidData, "the WASI pack layer's export \(name) is not one of its functions")
            }
            let a = try signature(appTypes, appImports.filter { $0.kind == 0x00 }[appIndex].type)
            let l = try signature(layerTypes, UInt32(layerDefined[Int(target) - layerImports.count]))
            guard a.parameters == l.parameters, a.results == l.results else {
                throw WasmCodeRewriter.unsupported("it imports \(Self.wasi).\(name) with a signature WASI preview 1 does not give it")
            }
            appFunctions[appIndex] = layerFunctions[Int(target)]
        }

        let appRewriter = WasmCodeRewriter(mode: .app(pagesGlobal: pagesGlobal, grow: appGrow), functions: appFunctions,
                                           globals: [], typeOffset: 0)
        var layerGlobals: [UInt32] = []
        for i in 0..<layerGlobalCount { layerGlobals.append(UInt32(appGlobals + i)) }
        let layerRewriter = WasmCodeRewriter(mode: .region(base: baseGlobal, size: regionSize, grow: regionGrow),
                                             functions: layerFunctions, globals: layerGlobals, typeOffset: layerTypeOffset)

        // The sections, in the order the format requires.
        var head = Array(app.bytes[0..<8])
        func section(_ id: WasmSectionID, _ payload: [UInt8]) {
            head += [id.rawValue] + LEB128.unsigned(UInt64(payload.count)) + payload
        }
        func vector(_ items: [[UInt8]]) -> [UInt8] {
            var out = LEB128.unsigned(UInt64(items.count))
            for item in items { out += item }
            return out
        }
        func raw(_ m: WasmModule, _ id: WasmSectionID) throws(SkiffError) -> ArraySlice<UInt8> {
            guard let s = m.section(id) else { return [] }
            var c = m.cursor(s)
            _ = try c.u32()
            return m.bytes[c.at..<s.payload.upperBound]
        }

        var typeSection = LEB128.unsigned(UInt64(appTypes.count + layerTypes.count + extraTypes.count))
        typeSection += try raw(app, .type)
        typeSection += try raw(layer, .type)
        for t in extraTypes { typeSection += t }
        section(.type, typeSection)
        section(.import, vector(imports.map { Array($0.bytes) }))
        var functionSection = LEB128.unsigned(UInt64(appDefined.count + layerDefined.count + synthesized.count))
        for t in appDefined { functionSection += LEB128.unsigned(UInt64(t)) }
        for t in layerDefined { functionSection += LEB128.unsigned(UInt64(UInt32(t) + layerTypeOffset)) }
        for s in synthesized { functionSection += LEB128.unsigned(UInt64(s.type)) }
        section(.function, functionSection)
        if let s = app.section(.table) { head += app.bytes[s.start..<s.payload.upperBound] }
        section(.memory, [0x01, 0x00] + LEB128.unsigned(UInt64(appMemory.min + layerMemory.min)))
        if let s = app.section(.tag) { head += app.bytes[s.start..<s.payload.upperBound] }
        section(.global, try globals(appRewriter: appRewriter, base: appMemory.min, layerCount: layerGlobalCount))
        if let s = app.section(.export) { section(.export, try exports(s, appRewriter: appRewriter, functions: appFunctions)) }
        if let s = app.section(.start) {
            var c = app.cursor(s)
            let index = Int(try c.u32())
            guard index < appFunctions.count else { throw WasmCursor.malformed("start function out of range") }
            section(.start, LEB128.unsigned(UInt64(appFunctions[index])))
        }
        if let s = app.section(.element) { section(.element, try elements(s, rewriter: appRewriter)) }
        section(.dataCount, LEB128.unsigned(UInt64(packSegment) + 1))

        var code = LEB128.unsigned(UInt64(appBodies.count + layerBodies.count + synthesized.count))
        for (i, range) in appBodies.enumerated() {
            let body = try appRewriter.rewrite(app.bytes, range, parameters: try signature(appTypes, UInt32(appDefined[i])).parameters.count)
            code += LEB128.unsigned(UInt64(body.count)) + body
        }
        for (i, range) in layerBodies.enumerated() {
            let body = try layerRewriter.rewrite(layer.bytes, range, parameters: try signature(layerTypes, UInt32(layerDefined[i])).parameters.count)
            code += LEB128.unsigned(UInt64(body.count)) + body
        }
        for s in synthesized { code += LEB128.unsigned(UInt64(s.body.count)) + s.body }
        section(.code, code)

        // Data: the app's segments as they are, the layer's moved to the region, the pack.
        var data = LEB128.unsigned(UInt64(packSegment) + 1) + (try raw(app, .data))
        data += try layerData(base: appMemory.min)
        data += [0x01] + LEB128.unsigned(UInt64(packSize))
        let dataSize = UInt64(data.count) + UInt64(packSize)
        guard dataSize <= UInt64(UInt32.max) else {
            throw SkiffError(.unsupported, "the image is too large for one WebAssembly module (\(dataSize >> 20) MiB of data; the format allows 4 GiB)")
        }
        head += [WasmSectionID.data.rawValue] + LEB128.unsigned(dataSize) + data
        let redirectedIndices = Set(redirected.map(\.appIndex))
        return (head, try names(functions: appFunctions, skipping: redirectedIndices))
    }

    /// A "name" section with the app's module name and function names (renumbered; the imports
    /// the layer serves lose theirs), or nothing when the app has none.
    private func names(functions: [UInt32], skipping: Set<Int>) throws(SkiffError) -> [UInt8] {
        for s in app.sections where s.id == WasmSectionID.custom.rawValue {
            var c = app.cursor(s)
            guard try c.name() == "name" else { continue }
            var payload = Self.encodeName("name")
            while !c.atEnd {
                let id = try c.byte()
                let size = Int(try c.u32())
                let start = c.at
                try c.skip(size)
                if id == 0 { payload += [0] + LEB128.unsigned(UInt64(size)) + app.bytes[start..<c.at] }
                guard id == 1 else { continue }
                var d = WasmCursor(app.bytes, start..<c.at)
                var entries: [UInt8] = [], count = 0, last: Int64 = -1
                for _ in 0..<(try d.u32()) {
                    let index = Int(try d.u32())
                    let nameStart = d.at
                    _ = try d.name()
                    // Indices only grow in a name map; merged imports can repeat one.
                    guard index < functions.count, !skipping.contains(index), Int64(functions[index]) > last else { continue }
                    last = Int64(functions[index])
                    entries += LEB128.unsigned(UInt64(functions[index])) + app.bytes[nameStart..<d.at]
                    count += 1
                }
                let map = LEB128.unsigned(UInt64(count)) + entries
                payload += [1] + LEB128.unsigned(UInt64(map.count)) + map
            }
            return [WasmSectionID.custom.rawValue] + LEB128.unsigned(UInt64(payload.count)) + payload
        }
        return []
    }

    static func encodeName(_ name: String) -> [UInt8] {
        let bytes = Array(name.utf8)
        return LEB128.unsigned(UInt64(bytes.count)) + bytes
    }

    private func globalCount(_ appImports: [Import]) throws(SkiffError) -> Int {
        appImports.filter { $0.kind == 0x03 }.count + (try Self.count(app, .global))
    }

    /// The app's globals (initializers rewritten: they may hold ref.func), the layer's, then
    /// the region's base address and the app's page count.
    private func globals(appRewriter: WasmCodeRewriter, base: UInt32, layerCount: Int) throws(SkiffError) -> [UInt8] {
        var count = 2 + layerCount
        var out: [UInt8] = []
        if let s = app.section(.global) {
            var c = app.cursor(s)
            let n = Int(try c.u32())
            count += n
            for _ in 0..<n {
                let start = c.at
                let type = try c.byte()
                if type == 0x63 || type == 0x64 { _ = try c.unsigned() }
                _ = try c.byte()
                out += app.bytes[start..<c.at]
                try appRewriter.rewriteExpression(app.bytes, &c, into: &out)
            }
        }
        if let s = layer.section(.global) {
            var c = layer.cursor(s)
            _ = try c.u32()
            out += layer.bytes[c.at..<s.payload.upperBound]
        }
        let baseBytes = Int32(bitPattern: base &* 65536)
        out += [0x7f, 0x01, 0x41] + LEB128.signed(Int64(baseBytes)) + [0x0b]
        out += [0x7f, 0x01, 0x41] + LEB128.signed(Int64(base)) + [0x0b]
        return LEB128.unsigned(UInt64(count)) + out
    }

    private func exports(_ s: WasmSection, appRewriter: WasmCodeRewriter, functions: [UInt32]) throws(SkiffError) -> [UInt8] {
        var c = app.cursor(s)
        let n = try c.u32()
        var out = LEB128.unsigned(UInt64(n))
        for _ in 0..<n {
            let start = c.at
            _ = try c.name()
            let kind = try c.byte()
            let nameAndKind = app.bytes[start..<c.at]
            let index = try c.u32()
            out += nameAndKind
            if kind == 0x00 {
                guard Int(index) < functions.count else { throw WasmCursor.malformed("export of a function out of range") }
                out += LEB128.unsigned(UInt64(functions[Int(index)]))
            } else {
                out += LEB128.unsigned(UInt64(index))
            }
        }
        return out
    }

    /// The app's element segments with their function indices renumbered.
    private func elements(_ s: WasmSection, rewriter: WasmCodeRewriter) throws(SkiffError) -> [UInt8] {
        var c = app.cursor(s)
        let n = try c.u32()
        var out = LEB128.unsigned(UInt64(n))
        for _ in 0..<n {
            let flags = try c.u32()
            out += LEB128.unsigned(UInt64(flags))
            if flags & 2 != 0 && flags & 1 == 0 { out += LEB128.unsigned(UInt64(try c.u32())) }  // table index
            if flags & 1 == 0 { try rewriter.rewriteExpression(app.bytes, &c, into: &out) }      // offset
            if flags & 3 != 0 {  // element kind (0x00) or reference type
                let start = c.at
                let type = try c.byte()
                if type == 0x63 || type == 0x64 { _ = try c.signed() }
                out += app.bytes[start..<c.at]
            }
            let items = try c.u32()
            out += LEB128.unsigned(UInt64(items))
            for _ in 0..<items {
                if flags & 4 != 0 {
                    try rewriter.rewriteExpression(app.bytes, &c, into: &out)
                } else {
                    let index = Int(try c.u32())
                    guard index < rewriter.functions.count else { throw WasmCursor.malformed("element function out of range") }
                    out += LEB128.unsigned(UInt64(rewriter.functions[index]))
                }
            }
        }
        return out
    }

    /// The layer's data segments, active ones moved by the region's initial base.
    private func layerData(base: UInt32) throws(SkiffError) -> [UInt8] {
        guard let s = layer.section(.data) else { return [] }
        var c = layer.cursor(s)
        var out: [UInt8] = []
        for _ in 0..<(try c.u32()) {
            let flags = try c.u32()
            if flags == 1 {
                out.append(0x01)
            } else {
                if flags == 2 { guard try c.u32() == 0 else { throw WasmCursor.malformed("layer data for another memory") } }
                guard flags == 0 || flags == 2, try c.byte() == 0x41 else { throw SkiffError(.invalidData, "the WASI pack layer has a data segment with a computed address") }
                let offset = try c.signed()
                guard try c.byte() == 0x0b else { throw SkiffError(.invalidData, "the WASI pack layer has a data segment with a computed address") }
                let moved = UInt32(truncatingIfNeeded: offset) &+ base &* 65536
                out += [0x00, 0x41] + LEB128.signed(Int64(Int32(bitPattern: moved))) + [0x0b]
            }
            let size = Int(try c.u32())
            let start = c.at
            try c.skip(size)
            out += LEB128.unsigned(UInt64(size)) + layer.bytes[start..<c.at]
        }
        return out
    }
}
