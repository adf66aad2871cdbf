// The OCI harness compiles the document parsers of Sources/OCI with the fuzzer's
// instrumentation; they import swift-crypto for `Digest.sha256`, which parsing never calls.
// This module stands in for it in the fuzz build only (building swift-crypto with the sanitizers
// would be a large extra compilation): a deterministic 32-byte mix, NOT a hash to trust.
public struct SHA256 {
    var state: [UInt64] = [0x6a09_e667_f3bc_c908, 0xbb67_ae85_84ca_a73b, 0x3c6e_f372_fe94_f82b, 0xa54f_f53a_5f1d_36f1]
    public init() {}
    public mutating func update(bufferPointer: UnsafeRawBufferPointer) {
        for (i, b) in bufferPointer.enumerated() { state[i & 3] = (state[i & 3] ^ UInt64(b)) &* 0x100_0000_01b3 }
    }
    public mutating func update(data: [UInt8]) { data.withUnsafeBytes { update(bufferPointer: $0) } }
    public func finalize() -> Digest { Digest(words: state) }

    public struct Digest {
        let words: [UInt64]
        public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            try words.withUnsafeBytes(body)
        }
    }
}
