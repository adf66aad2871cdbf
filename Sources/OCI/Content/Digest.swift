import Crypto

/// A content digest, `algorithm:hex`. Skiff verifies and stores sha256 content; other algorithms
/// parse (so they can be reported) but are rejected where content must be checked.
public struct Digest: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let algorithm: String
    public let encoded: String

    public init(parsing string: String) throws(SkiffError) {
        guard let colon = string.firstIndex(of: ":") else {
            throw SkiffError(.invalidArgument, "invalid digest '\(string)': expected algorithm:hex, e.g. sha256:…")
        }
        let algorithm = String(string[..<colon])
        let encoded = String(string[string.index(after: colon)...])
        let expectedLength: Int
        switch algorithm {
        case "sha256": expectedLength = 64
        case "sha512": expectedLength = 128
        default: throw SkiffError(.unsupported, "unsupported digest algorithm '\(algorithm)' in '\(string)' (Skiff handles sha256)")
        }
        guard encoded.utf8.count == expectedLength,
              encoded.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw SkiffError(.invalidArgument, "invalid digest '\(string)': \(algorithm) needs \(expectedLength) lowercase hex digits")
        }
        self.algorithm = algorithm
        self.encoded = encoded
    }

    /// The sha256 digest of `bytes`.
    public static func sha256<C: Collection>(of bytes: C) -> Digest where C.Element == UInt8 {
        var h = SHA256()
        if let done: Void = bytes.withContiguousStorageIfAvailable({ h.update(bufferPointer: UnsafeRawBufferPointer($0)) }) {
            _ = done
        } else {
            h.update(data: Array(bytes))
        }
        return Digest(sha256: h.finalize())
    }

    init(sha256 d: SHA256.Digest) {
        algorithm = "sha256"
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        d.withUnsafeBytes { for b in $0 { hex.append(digits[Int(b >> 4)]); hex.append(digits[Int(b & 15)]) } }
        encoded = String(decoding: hex, as: UTF8.self)
    }

    public var description: String { "\(algorithm):\(encoded)" }

    /// The first 12 hex digits, as docker shows image IDs.
    public var short: String { String(encoded.prefix(12)) }

    /// Throws unless Skiff can verify and store content of this digest.
    func requireSHA256() throws(SkiffError) {
        if algorithm != "sha256" {
            throw SkiffError(.unsupported, "content digest \(self) uses \(algorithm); Skiff verifies and stores sha256 content only")
        }
    }

    public static func < (a: Digest, b: Digest) -> Bool { a.description < b.description }

    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        do { self = try Digest(parsing: s) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// An incremental sha256 with a byte count, for streams (downloads, uploads, archive members).
struct DigestingCounter {
    private var hasher = SHA256()
    private(set) var count: Int64 = 0

    mutating func update(_ buffer: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: buffer)
        count += Int64(buffer.count)
    }

    func finalize() -> Digest { Digest(sha256: hasher.finalize()) }
}
