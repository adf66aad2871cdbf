import Foundation

/// Any JSON value, for embedding documents Skiff does not model field by field (an image
/// config in `skiff inspect`, annotations) without losing anything.
public enum JSONValue: Codable, Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n):
            if n == n.rounded(), abs(n) < 1e15 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

/// JSON coding shared by the module: stable key order, no escaped slashes.
enum JSON {
    static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws(SkiffError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
                                          : [.sortedKeys, .withoutEscapingSlashes]
        do { return Array(try encoder.encode(value)) }
        catch { throw SkiffError(.internalError, "cannot encode \(T.self) as JSON: \(error)") }
    }

    /// Decodes `bytes`; `what` names the document in the error ("manifest of docker.io/library/busybox").
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String) throws(SkiffError) -> T {
        do { return try JSONDecoder().decode(type, from: Data(bytes)) }
        catch let DecodingError.keyNotFound(key, ctx) {
            throw SkiffError(.invalidData, "\(what) is not valid: missing field '\(pathString(ctx.codingPath + [key]))'")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw SkiffError(.invalidData, "\(what) is not valid: wrong type at '\(pathString(ctx.codingPath))'")
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw SkiffError(.invalidData, "\(what) is not valid: null at '\(pathString(ctx.codingPath))'")
        } catch {
            throw SkiffError(.invalidData, "\(what) is not valid JSON")
        }
    }

    /// Decodes `bytes` with `read` (see StoreDocumentReading.swift) when JSONReader parses them
    /// and `read` accepts the tree; otherwise as `decode(_:from:what:)` does, errors included.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String,
                                     quickly read: (JSONValue) -> T?) throws(SkiffError) -> T {
        if let tree = JSONReader.parse(bytes), let value = read(tree) { return value }
        return try decode(type, from: bytes, what: what)
    }

    private static func pathString(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
