// A raw DEFLATE decoder (RFC 1951): what a converted module made with `skiff convert --compress`
// uses to read its filesystem's blocks. Portable (Embedded Swift): no Foundation, typed throws.
// Huffman codes are decoded through a 9-bit lookup table, longer codes bit by bit in canonical
// order (as zlib's puff does). Every input and output access is bounds-checked: a corrupt block
// is an error, never a read or write outside the buffers.

public enum InflateError: Error {
    case corrupt
}

public enum Inflate {
    /// Decompresses the raw DEFLATE stream `input` into `output`; returns the bytes written. The
    /// stream must end (final block) within `output.count` bytes.
    public static func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(InflateError) -> Int {
        var state = InflateState(input: input, output: output)
        try state.run()
        return state.written
    }
}

/// A canonical Huffman code: how many codes of each length, the symbols in code order, and a
/// table for codes of up to `fastBits` bits (indexed by the next bits of input, LSB first).
struct HuffmanCode {
    static let fastBits = 9
    var counts = [UInt16](repeating: 0, count: 16)
    var symbols: [UInt16] = []
    /// symbol << 4 | length, or 0 when the code is longer than fastBits.
    var fast = [UInt16](repeating: 0, count: 1 << HuffmanCode.fastBits)

    init(lengths: [UInt8]) throws(InflateError) {
        for l in lengths { counts[Int(l)] += 1 }
        counts[0] = 0
        // An over-subscribed set of lengths is corrupt (an incomplete one is allowed, as zlib does
        // for a single distance code).
        var left = 1
        for len in 1...15 {
            left <<= 1
            left -= Int(counts[len])
            if left < 0 { throw .corrupt }
        }
        var offsets = [Int](repeating: 0, count: 16)
        for len in 1..<15 { offsets[len + 1] = offsets[len] + Int(counts[len]) }
        symbols = [UInt16](repeating: 0, count: lengths.count)
        for (symbol, l) in lengths.enumerated() where l != 0 {
            symbols[offsets[Int(l)]] = UInt16(symbol)
            offsets[Int(l)] += 1
        }
        // The fast table: walk the codes in canonical order, each reversed into LSB-first order.
        var code = 0, index = 0
        for len in 1...HuffmanCode.fastBits {
            for _ in 0..<Int(counts[len]) {
                var reversed = 0
                for b in 0..<len where code & (1 << b) != 0 { reversed |= 1 << (len - 1 - b) }
                let entry = UInt16(truncatingIfNeeded: Int(symbols[index]) << 4 | len)
                var slot = reversed
                while slot < (1 << HuffmanCode.fastBits) {
                    fast[slot] = entry
                    slot += 1 << len
                }
                code += 1
                index += 1
            }
            code <<= 1
        }
    }
}

struct InflateState {
    let input: UnsafeRawBufferPointer
    let output: UnsafeMutableRawBufferPointer
    var position = 0
    var bitBuffer: UInt64 = 0
    var bitCount = 0
    var written = 0

    init(input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer) {
        self.input = input
        self.output = output
    }

    static let lengthBase: [UInt16] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [UInt16] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra: [UInt8] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// Makes at least `n` (<= 32) bits available; past the end of input it supplies zeros, but a
    /// stream that uses them is corrupt (checked when the stream ends, and by `bits`).
    @inline(__always) mutating func need(_ n: Int) {
        while bitCount < n {
            if position < input.count { bitBuffer |= UInt64(input[position]) << UInt64(bitCount) }
            position += 1
            bitCount += 8
        }
    }

    @inline(__always) mutating func bits(_ n: Int) throws(InflateError) -> Int {
        if n == 0 { return 0 }
        need(n)
        let v = Int(bitBuffer & ((1 << UInt64(n)) - 1))
        bitBuffer >>= UInt64(n)
        bitCount -= n
        if position - bitCount / 8 > input.count { throw .corrupt }
        return v
    }

    mutating func decode(_ h: HuffmanCode) throws(InflateError) -> Int {
        need(HuffmanCode.fastBits)
        let entry = h.fast[Int(bitBuffer & UInt64((1 << HuffmanCode.fastBits) - 1))]
        if entry != 0 {
            let len = Int(entry & 15)
            bitBuffer >>= UInt64(len)
            bitCount -= len
            if position - bitCount / 8 > input.count { throw .corrupt }
            return Int(entry >> 4)
        }
        // Longer codes: canonical decoding one bit at a time.
        var code = 0, first = 0, index = 0
        for len in 1...15 {
            code |= try bits(1)
            let count = Int(h.counts[len])
            if code - first < count { return Int(h.symbols[index + code - first]) }
            index += count
            first += count
            first <<= 1
            code <<= 1
        }
        throw .corrupt
    }

    mutating func run() throws(InflateError) {
        var last = false
        while !last {
            last = try bits(1) == 1
            switch try bits(2) {
            case 0: try stored()
            case 1: try codes(InflateState.fixedLengths, InflateState.fixedDistances)
            case 2:
                let (lengths, distances) = try dynamicCodes()
                try codes(lengths, distances)
            default: throw .corrupt
            }
        }
    }

    mutating func stored() throws(InflateError) {
        // Back to a byte boundary; the bytes already in the bit buffer are given back.
        bitBuffer >>= UInt64(bitCount & 7)
        bitCount -= bitCount & 7
        position -= bitCount / 8
        bitBuffer = 0
        bitCount = 0
        guard position + 4 <= input.count else { throw .corrupt }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        position += 4
        guard length == ~complement & 0xFFFF, position + length <= input.count, written + length <= output.count
        else { throw .corrupt }
        for i in 0..<length { output[written + i] = input[position + i] }
        position += length
        written += length
    }

    static let fixedLengths: HuffmanCode = {
        var lengths = [UInt8](repeating: 8, count: 288)
        for i in 144..<256 { lengths[i] = 9 }
        for i in 256..<280 { lengths[i] = 7 }
        return try! HuffmanCode(lengths: lengths)
    }()
    static let fixedDistances: HuffmanCode = try! HuffmanCode(lengths: [UInt8](repeating: 5, count: 30))

    mutating func dynamicCodes() throws(InflateError) -> (HuffmanCode, HuffmanCode) {
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeLengthCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw .corrupt }
        var codeLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<codeLengthCount { codeLengths[InflateState.codeLengthOrder[i]] = UInt8(try bits(3)) }
        let codeLengthCode = try HuffmanCode(lengths: codeLengths)
        var lengths: [UInt8] = []
        lengths.reserveCapacity(literalCount + distanceCount)
        while lengths.count < literalCount + distanceCount {
            let symbol = try decode(codeLengthCode)
            if symbol < 16 { lengths.append(UInt8(symbol)); continue }
            var repeated: UInt8 = 0, times: Int
            switch symbol {
            case 16:
                guard let previous = lengths.last else { throw .corrupt }
                repeated = previous
                times = 3 + (try bits(2))
            case 17: times = 3 + (try bits(3))
            default: times = 11 + (try bits(7))
            }
            guard lengths.count + times <= literalCount + distanceCount else { throw .corrupt }
            for _ in 0..<times { lengths.append(repeated) }
        }
        guard lengths[256] != 0 else { throw .corrupt } // no end-of-block code
        return (try HuffmanCode(lengths: Array(lengths[0..<literalCount])),
                try HuffmanCode(lengths: Array(lengths[literalCount...])))
    }

    mutating func codes(_ literals: HuffmanCode, _ distances: HuffmanCode) throws(InflateError) {
        while true {
            let symbol = try decode(literals)
            if symbol < 256 {
                guard written < output.count else { throw .corrupt }
                output[written] = UInt8(symbol)
                written += 1
            } else if symbol == 256 {
                return
            } else {
                let l = symbol - 257
                guard l < 29 else { throw .corrupt }
                let length = Int(InflateState.lengthBase[l]) + (try bits(Int(InflateState.lengthExtra[l])))
                let d = try decode(distances)
                guard d < 30 else { throw .corrupt }
                let distance = Int(InflateState.distanceBase[d]) + (try bits(Int(InflateState.distanceExtra[d])))
                guard distance <= written, written + length <= output.count else { throw .corrupt }
                for _ in 0..<length {
                    output[written] = output[written - distance]
                    written += 1
                }
            }
        }
    }
}
