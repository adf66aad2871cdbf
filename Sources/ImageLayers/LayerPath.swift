// Names inside layer tarballs, made safe: the lexical clean-up every tar entry name and hard
// link target goes through before it touches the tree.

public enum LayerPath {
    public static let slash = UInt8(ascii: "/")
    public static let dot = UInt8(ascii: ".")

    /// The components of a tar entry name: a leading "/" is stripped (as docker and GNU tar do),
    /// empty and "." components dropped, ".." applied lexically. Nil when ".." would climb above
    /// the image root: such an entry is rejected, never clamped.
    public static func components(_ path: [UInt8]) -> [[UInt8]]? {
        var result: [[UInt8]] = []
        for component in path.split(separator: slash, omittingEmptySubsequences: true) {
            if component.count == 1 && component.first == dot { continue }
            if component.count == 2 && component.allSatisfy({ $0 == dot }) {
                if result.isEmpty { return nil }
                result.removeLast()
                continue
            }
            result.append(Array(component))
        }
        return result
    }

    /// Printable form of raw name bytes, for error messages.
    public static func display(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    public static func display(_ components: [[UInt8]]) -> String {
        components.map { display($0) }.joined(separator: "/")
    }
}
