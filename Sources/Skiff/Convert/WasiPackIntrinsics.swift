/// The functions WasiModuleMerger writes into a packed module: the WASI pack layer's
/// `skiff_pack` imports (wasm/pack/wasi_pack.c declares them), and the code that keeps the
/// layer's memory region after the app's pages. `base` is the global holding the region's start
/// address, `pages` the one holding the app's page count, `packSegment` the passive data segment
/// with the pack. Each body is a locals vector, then code, then `end`.
struct WasiPackIntrinsics {
    let base: UInt32
    let pages: UInt32
    let packSegment: UInt32
    let packSize: Int
    /// The app memory's declared maximum, which its memory.grow still honours.
    let appMaxPages: UInt32?

    private static let i32: UInt8 = 0x7f
    private static let end: UInt8 = 0x0b

    private func get(_ local: UInt8) -> [UInt8] { [0x20, local] }
    private var getBase: [UInt8] { [0x23] + LEB128.unsigned(UInt64(base)) }
    private var getPages: [UInt8] { [0x23] + LEB128.unsigned(UInt64(pages)) }
    /// Adds the region's base to the address on the stack.
    private var toPhysical: [UInt8] { getBase + [0x6a] }
    private var memoryInit: [UInt8] { [0xfc, 0x08] + LEB128.unsigned(UInt64(packSegment)) + [0x00] }
    private static let memoryCopy: [UInt8] = [0xfc, 0x0a, 0x00, 0x00]
    private static let memoryFill: [UInt8] = [0xfc, 0x0b, 0x00]
    /// Turns a page count on the stack into bytes.
    private static let pagesToBytes: [UInt8] = [0x41, 16, 0x74]
    private static let returnMinusOne: [UInt8] = [0x04, 0x40, 0x41, 0x7f, 0x0f, 0x0b]

    /// A stub for a WASI function the app never imports (so the layer's wrapper is never called).
    static let enosys: [UInt8] = [0x00, 0x41, 52, 0x0b]

    /// The intrinsic `name`: its parameters, results and body; nil for an unknown name.
    func function(_ name: String) -> (parameters: [UInt8], results: [UInt8], body: [UInt8])? {
        let i32 = Self.i32, noLocals: [UInt8] = [0x00]
        switch name {
        case "pack_size":
            return ([], [i32], noLocals + [0x41] + LEB128.signed(Int64(Int32(truncatingIfNeeded: packSize))) + [Self.end])
        case "pack_read":  // (layer dst, pack offset, length)
            return ([i32, i32, i32], [], noLocals + get(0) + toPhysical + get(1) + get(2) + memoryInit + [Self.end])
        case "pack_read_app":  // (app dst, pack offset, length)
            return ([i32, i32, i32], [], noLocals + get(0) + get(1) + get(2) + memoryInit + [Self.end])
        case "from_app":  // (layer dst, app src, length)
            return ([i32, i32, i32], [], noLocals + get(0) + toPhysical + get(1) + get(2) + Self.memoryCopy + [Self.end])
        case "to_app":  // (app dst, layer src, length)
            return ([i32, i32, i32], [], noLocals + get(0) + get(1) + toPhysical + get(2) + Self.memoryCopy + [Self.end])
        case "physical":  // (layer address) -> the same byte's address in the memory
            return ([i32], [i32], noLocals + get(0) + toPhysical + [Self.end])
        default:
            return nil
        }
    }

    /// The layer's memory.size: pages from the region's base to the end of the memory.
    var regionSize: [UInt8] {
        [0x00, 0x3f, 0x00] + getBase + [0x41, 16, 0x76, 0x6b, Self.end]
    }

    /// The layer's memory.grow(n): the region is last, so it grows in place; the old size is
    /// counted from the region's base.
    var regionGrow: [UInt8] {
        [0x01, 0x01, Self.i32] + get(0) + [0x40, 0x00, 0x22, 1, 0x41, 0x7f, 0x46, 0x04, Self.i32, 0x41, 0x7f, 0x05]
            + get(1) + getBase + [0x41, 16, 0x76, 0x6b, Self.end, Self.end]
    }

    /// The app's memory.grow(n): grows the memory, moves the region up by n pages (memory.copy
    /// handles the overlap), zeroes the n pages it left (new pages are zero for the app) and
    /// returns the app's old page count; -1 when the memory cannot grow or the app's declared
    /// maximum would be passed.
    var appGrow: [UInt8] {
        var code: [UInt8] = [0x01, 0x02, Self.i32]  // locals: 1 = old pages, 2 = region bytes
        if let max = appMaxPages {
            code += getPages + get(0) + [0x6a, 0x41] + LEB128.signed(Int64(Int32(bitPattern: max))) + [0x4b] + Self.returnMinusOne
        }
        code += get(0) + [0x45, 0x04, 0x40] + getPages + [0x0f, Self.end]                    // grow(0): the size
        code += get(0) + [0x40, 0x00, 0x41, 0x7f, 0x46] + Self.returnMinusOne                 // cannot grow
        code += [0x3f, 0x00] + get(0) + [0x6b] + Self.pagesToBytes + getBase + [0x6b, 0x21, 2] // region bytes
        code += getBase + get(0) + Self.pagesToBytes + [0x6a] + getBase + get(2) + Self.memoryCopy
        code += getBase + [0x41, 0x00] + get(0) + Self.pagesToBytes + Self.memoryFill
        code += getBase + get(0) + Self.pagesToBytes + [0x6a, 0x24] + LEB128.unsigned(UInt64(base))
        code += getPages + [0x22, 1] + get(0) + [0x6a, 0x24] + LEB128.unsigned(UInt64(pages)) + get(1)
        return code + [Self.end]
    }
}
