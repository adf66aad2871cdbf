/// A small, strict JSON parser for the few store documents `skiff run` reads at every start (the
/// tag index, an image manifest and its config). Foundation's JSONDecoder costs ~1 ms there, most
/// of it the Swift runtime instantiating the generic metadata of the Codable machinery on first
/// use (conformance scans over the whole binary); this reader uses none of it.
///
/// It is an accelerator only: anything it is not sure to read exactly as JSONDecoder would
/// (invalid or unusual JSON: duplicate keys, integers too long for a Double, nesting deeper than
/// 64, malformed UTF-8 or escapes) gives nil, and the caller decodes with Codable instead, which
/// also produces the error messages. The `init?(json:)` readers of the model types (in
/// Sources/OCI/Store/StoreDocumentReading.swift, Sources/Skiff/Containers/ContainerRecordJSON.swift)
/// follow the same rule, with JSONFields and JSONRead below.
public enum JSONReader {
    /// The value `bytes` hold (one JSON text, surrounding blanks allowed), or nil.
    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        bytes.withUnsafeBufferPointer { buffer in
            var parser = Parser(bytes: buffer)
            guard let value = parser.value(depth: 0) else { return nil }
            parser.skipBlanks()
            return parser.position == buffer.count ? value : nil
        }
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func skipBlanks() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0a, 0x0d: position += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) -> JSONValue? {
            skipBlanks()
            guard position < bytes.count, depth < 64 else { return nil }
            switch bytes[position] {
            case UInt8(ascii: "{"): return object(depth: depth)
            case UInt8(ascii: "["): return array(depth: depth)
            case UInt8(ascii: "\""): return string().map(JSONValue.string)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "n"): return literal("null", .null)
            default: return number()
            }
        }

        mutating func literal(_ word: StaticString, _ value: JSONValue) -> JSONValue? {
            let count = word.utf8CodeUnitCount
            guard position + count <= bytes.count else { return nil }
            for i in 0..<count where bytes[position + i] != word.utf8Start[i] { return nil }
            position += count
            return value
        }

        mutating func object(depth: Int) -> JSONValue? {
            position += 1
            var members: [String: JSONValue] = [:]
            skipBlanks()
            if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            while true {
                skipBlanks()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\""), let key = string() else { return nil }
                skipBlanks()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { return nil }
                position += 1
                guard let member = value(depth: depth + 1), members.updateValue(member, forKey: key) == nil else { return nil }
                skipBlanks()
                guard position < bytes.count else { return nil }
                let separator = bytes[position]
                position += 1
                if separator == UInt8(ascii: "}") { return .object(members) }
                guard separator == UInt8(ascii: ",") else { return nil }
            }
        }

        mutating func array(depth: Int) -> JSONValue? {
            position += 1
            var elements: [JSONValue] = []
            skipBlanks()
            if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            }
            while true {
                guard let element = value(depth: depth + 1) else { return nil }
                elements.append(element)
                skipBlanks()
                guard position < bytes.count else { return nil }
                let separator = bytes[position]
                position += 1
                if separator == UInt8(ascii: "]") { return .array(elements) }
                guard separator == UInt8(ascii: ",") else { return nil }
            }
        }

        /// A string at `position` (its opening quote); nil on a control character, a bad escape,
        /// a lone surrogate or malformed UTF-8.
        mutating func string() -> String? {
            position += 1
            var out: [UInt8] = []
            var ascii = true
            while position < bytes.count {
                let b = bytes[position]
                position += 1
                switch b {
                case UInt8(ascii: "\""):
                    if ascii { return String(decoding: out, as: UTF8.self) }
                    return String(validating: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard position < bytes.count else { return nil }
                    let e = bytes[position]
                    position += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0c)
                    case UInt8(ascii: "n"): out.append(0x0a)
                    case UInt8(ascii: "r"): out.append(0x0d)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        guard var scalar = hex4() else { return nil }
                        if scalar >= 0xd800 && scalar < 0xdc00 {
                            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                                  bytes[position + 1] == UInt8(ascii: "u") else { return nil }
                            position += 2
                            guard let low = hex4(), low >= 0xdc00 && low < 0xe000 else { return nil }
                            scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                        }
                        guard let s = Unicode.Scalar(scalar) else { return nil }
                        if scalar >= 0x80 { ascii = false }
                        out.append(contentsOf: UTF8.encode(s)!)
                    default: return nil
                    }
                case 0..<0x20: return nil
                default:
                    if b >= 0x80 { ascii = false }
                    out.append(b)
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard position + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[position]
                position += 1
                let digit: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
                default: return nil
                }
                v = v << 4 | UInt32(digit)
            }
            return v
        }

        /// An integer of at most 15 digits (a Double holds each exactly, and JSONDecoder reads it
        /// as the same Int or Double); fractions and exponents give nil, as none of the
        /// documents read here has them.
        mutating func number() -> JSONValue? {
            var negative = false
            if position < bytes.count && bytes[position] == UInt8(ascii: "-") {
                negative = true
                position += 1
            }
            let start = position
            var magnitude: Int64 = 0
            while position < bytes.count && bytes[position] >= UInt8(ascii: "0") && bytes[position] <= UInt8(ascii: "9") {
                magnitude = magnitude * 10 + Int64(bytes[position] - UInt8(ascii: "0"))
                position += 1
                if position - start > 15 { return nil }
            }
            let count = position - start
            guard count > 0, count == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
            if position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return nil
                default: break
                }
            }
            return .number(Double(negative ? -magnitude : magnitude))
        }
    }
}

/// A JSON object's members, read with Codable's rules for required and optional fields.
public struct JSONFields {
    public let members: [String: JSONValue]

    public init?(_ value: JSONValue) {
        guard case .object(let members) = value else { return nil }
        self.members = members
    }

    /// A required field: nil when it is absent, null or not what `read` reads.
    @inlinable
    public func required<T>(_ key: String, _ read: (JSONValue) -> T?) -> T? {
        members[key].flatMap(read)
    }

    /// An optional field: `.some(nil)` when it is absent or null, nil when `read` cannot read it.
    @inlinable
    public func optional<T>(_ key: String, _ read: (JSONValue) -> T?) -> T?? {
        guard let value = members[key], value != .null else { return .some(nil) }
        return read(value).map { .some($0) }
    }
}

/// Readers of single values, as JSONDecoder decodes them (no conversions between JSON types).
public enum JSONRead {
    public static func string(_ v: JSONValue) -> String? {
        if case .string(let s) = v { return s }
        return nil
    }

    public static func int(_ v: JSONValue) -> Int? {
        if case .number(let n) = v { return Int(exactly: n) }
        return nil
    }

    public static func int64(_ v: JSONValue) -> Int64? {
        if case .number(let n) = v { return Int64(exactly: n) }
        return nil
    }

    public static func bool(_ v: JSONValue) -> Bool? {
        if case .bool(let b) = v { return b }
        return nil
    }

    public static func digest(_ v: JSONValue) -> Digest? {
        string(v).flatMap { try? Digest(parsing: $0) }
    }

    @inlinable
    public static func array<T>(_ v: JSONValue, _ read: (JSONValue) -> T?) -> [T]? {
        guard case .array(let elements) = v else { return nil }
        var out: [T] = []
        out.reserveCapacity(elements.count)
        for e in elements {
            guard let x = read(e) else { return nil }
            out.append(x)
        }
        return out
    }

    public static func strings(_ v: JSONValue) -> [String]? { array(v, string) }

    public static func stringMap(_ v: JSONValue) -> [String: String]? {
        guard case .object(let members) = v else { return nil }
        var out: [String: String] = [:]
        for (k, e) in members {
            guard let s = string(e) else { return nil }
            out[k] = s
        }
        return out
    }

    public static func valueMap(_ v: JSONValue) -> [String: JSONValue]? {
        guard case .object(let members) = v else { return nil }
        return members
    }
}
