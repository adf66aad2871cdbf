/// Byte-string formatting for generated files (/proc) and diagnostics, without Foundation.
enum Text {
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    static func string(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }

    static func decimal<T: BinaryInteger>(_ v: T) -> [UInt8] { Array("\(v)".utf8) }

    /// Lower-case hexadecimal, at least `width` digits.
    static func hex(_ v: UInt64, width: Int = 1) -> [UInt8] {
        var digits: [UInt8] = []
        var x = v
        repeat {
            let d = UInt8(x & 0xf)
            digits.append(d < 10 ? 0x30 + d : 0x57 + d)
            x >>= 4
        } while x != 0
        while digits.count < width { digits.append(0x30) }
        return digits.reversed()
    }

    static func hexString(_ v: UInt64) -> String { "0x" + string(hex(v)) }
}

/// Guest path helpers: paths are byte strings, as on Linux.
enum Path {
    static let slash: UInt8 = 0x2f

    /// The non-empty components of a path ("a//b/" -> ["a", "b"]).
    static func components(_ path: [UInt8]) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var current: [UInt8] = []
        for b in path {
            if b == slash {
                if !current.isEmpty { result.append(current); current = [] }
            } else {
                current.append(b)
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    static func join(_ components: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for (i, c) in components.enumerated() {
            if i > 0 { out.append(slash) }
            out.append(contentsOf: c)
        }
        return out
    }

    /// "/" + components joined.
    static func absolute(_ components: [[UInt8]]) -> [UInt8] {
        if components.isEmpty { return [slash] }
        var out: [UInt8] = []
        for c in components { out.append(slash); out.append(contentsOf: c) }
        return out
    }

    static func isAbsolute(_ path: [UInt8]) -> Bool { path.first == slash }

    static func lastComponent(_ path: [UInt8]) -> [UInt8] { components(path).last ?? [] }
}
