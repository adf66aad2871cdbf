/// JSON text written by hand, pretty-printed as JSONEncoder's `.prettyPrinted` (two-space
/// indentation, `"key" : value`), for documents written on the start-up path of `skiff run`
/// where JSONEncoder's first use costs too much (see ContainerRecordJSON.swift).
struct JSONTextWriter {
    private(set) var bytes: [UInt8] = []
    private var depth = 0
    private var empty = true

    mutating func object(_ body: (inout JSONTextWriter) -> Void) {
        container(open: UInt8(ascii: "{"), close: UInt8(ascii: "}"), body)
    }

    mutating func array<T>(_ elements: [T], _ element: (inout JSONTextWriter, T) -> Void) {
        container(open: UInt8(ascii: "["), close: UInt8(ascii: "]")) { w in
            for e in elements {
                w.next()
                element(&w, e)
            }
        }
    }

    /// One member of the object being written (keys are written in the order given).
    mutating func member(_ key: String, _ value: (inout JSONTextWriter) -> Void) {
        next()
        string(key)
        bytes += Array(" : ".utf8)
        value(&self)
    }

    mutating func strings(_ values: [String]) { array(values) { $0.string($1) } }

    mutating func bool(_ b: Bool) { bytes += Array((b ? "true" : "false").utf8) }

    mutating func integer<I: BinaryInteger>(_ i: I) { bytes += Array(String(i).utf8) }

    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        let hex = Array("0123456789abcdef".utf8)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), b]
            case 0x0a: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0d: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20: bytes += Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func container(open: UInt8, close: UInt8, _ body: (inout JSONTextWriter) -> Void) {
        bytes.append(open)
        depth += 1
        empty = true
        body(&self)
        depth -= 1
        if !empty { newline() }
        empty = false
        bytes.append(close)
    }

    /// Before an element or member: the separator and the indentation.
    private mutating func next() {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
        newline()
    }

    private mutating func newline() {
        bytes.append(0x0a)
        bytes += [UInt8](repeating: 0x20, count: 2 * depth)
    }
}
