// A raw DEFLATE decoder (RFC 1951): what a converted module made with `skiff convert --compress`
// uses to read its filesystem's blocks. Portable (Embedded Swift): no Foundation, typed throws.
//
// Huffman codes are decoded through a 10-bit lookup table, longer codes bit by bit in canonical
// order (as zlib's puff does). The tables live in one scratch allocation per call and are reached
// through plain pointers (no arrays on the hot path: no reference counting, no copy checks); the
// bit buffer is refilled 8 bytes at a time. Every input and output access is still checked: a
// corrupt block is an error, never a read or write outside the buffers.

public enum InflateError: Error {
    case corrupt
}

public enum Inflate {
    /// Decompresses the raw DEFLATE stream `input` into `output`; returns the bytes written. The
    /// stream must end (final block) within `output.count` bytes.
    public static func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(InflateError) -> Int {
        let scratch = UnsafeMutablePointer<UInt16>.allocate(capacity: HuffmanCode.scratchSize)
        defer { scratch.deallocate() }
        var state = InflateState(input: input, output: output, scratch: scratch)
        try state.run()
        return state.written
    }
}

/// A canonical Huffman code in scratch memory: how many codes of each length, the symbols in code
/// order, and a table for codes of up to `fastBits` bits (indexed by the next bits of input, LSB
/// first; each entry symbol << 4 | length, 0 when the code is longer).
struct HuffmanCode {
    static let fastBits = 10
    static let fastMask: UInt64 = (1 << 10) - 1
    /// counts (16) + symbols (up to 288) + fast table, for one code.
    static let size = 16 + 288 + (1 << fastBits)
    /// Literal/length, distance and code-length codes, 16 entries of offsets for building, and
    /// the length and distance bases and extra bits (29 + 29 + 30 + 30).
    static let scratchSize = 3 * size + 16 + 118

    let counts: UnsafeMutablePointer<UInt16>
    let symbols: UnsafeMutablePointer<UInt16>
    let fast: UnsafeMutablePointer<UInt16>

    init(at base: UnsafeMutablePointer<UInt16>) {
        counts = base
        symbols = base + 16
        fast = base + 16 + 288
    }

    /// Builds the code for `count` symbols' code lengths (0: unused). `offsets` is 16 entries of
    /// scratch.
    func build(_ lengths: UnsafePointer<UInt8>, _ count: Int, offsets: UnsafeMutablePointer<UInt16>) throws(InflateError) {
        counts.update(repeating: 0, count: 16)
        for i in 0..<count { counts[Int(lengths[i])] += 1 }
        counts[0] = 0
        // An over-subscribed set of lengths is corrupt (an incomplete one is allowed, as zlib does
        // for a single distance code).
        var left = 1
        for len in 1...15 {
            left <<= 1
            left -= Int(counts[len])
            if left < 0 { throw .corrupt }
        }
        offsets[1] = 0
        for len in 1..<15 { offsets[len + 1] = offsets[len] + counts[len] }
        for symbol in 0..<count where lengths[symbol] != 0 {
            let l = Int(lengths[symbol])
            symbols[Int(offsets[l])] = UInt16(symbol)
            offsets[l] += 1
        }
        // The fast table: walk the codes in canonical order, each reversed into LSB-first order.
        fast.update(repeating: 0, count: 1 << HuffmanCode.fastBits)
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
    let literals: HuffmanCode
    let distances: HuffmanCode
    let codeLengths: HuffmanCode
    let offsets: UnsafeMutablePointer<UInt16>
    /// The tables below, copied into scratch memory: a global array would be checked for its
    /// one-time initialisation at every use.
    let lengthBases: UnsafeMutablePointer<UInt16>
    let lengthExtras: UnsafeMutablePointer<UInt16>
    let distanceBases: UnsafeMutablePointer<UInt16>
    let distanceExtras: UnsafeMutablePointer<UInt16>
    var position = 0
    var bitBuffer: UInt64 = 0
    var bitCount = 0
    var written = 0

    init(input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer, scratch: UnsafeMutablePointer<UInt16>) {
        self.input = input
        self.output = output
        literals = HuffmanCode(at: scratch)
        distances = HuffmanCode(at: scratch + HuffmanCode.size)
        codeLengths = HuffmanCode(at: scratch + 2 * HuffmanCode.size)
        offsets = scratch + 3 * HuffmanCode.size
        lengthBases = offsets + 16
        lengthExtras = lengthBases + 29
        distanceBases = lengthExtras + 29
        distanceExtras = distanceBases + 30
        for i in 0..<29 {
            lengthBases[i] = InflateState.lengthBase[i]
            lengthExtras[i] = UInt16(InflateState.lengthExtra[i])
        }
        for i in 0..<30 {
            distanceBases[i] = InflateState.distanceBase[i]
            distanceExtras[i] = UInt16(InflateState.distanceExtra[i])
        }
    }

    static let lengthBase: [UInt16] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [UInt16] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra: [UInt8] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// Makes at least `n` (<= 56) bits available. With 8 input bytes left it loads them at once:
    /// the bits it ORs in beyond the whole bytes it counts are the next bytes' own, so loading
    /// them again later changes nothing. Past the end of input it supplies zeros, but a stream
    /// that uses them is corrupt (checked by `bits` and `decode`).
    @inline(__always) mutating func need(_ n: Int) {
        if bitCount >= n { return }
        if position + 8 <= input.count {
            bitBuffer |= UInt64(littleEndian: input.loadUnaligned(fromByteOffset: position, as: UInt64.self)) << UInt64(bitCount)
            position += (63 - bitCount) >> 3
            bitCount |= 56
            return
        }
        while bitCount < n {
            if position < input.count { bitBuffer |= UInt64(input[position]) << UInt64(bitCount) }
            position += 1
            bitCount += 8
        }
    }

    /// The input is over-read when bytes the decoder consumed lie beyond its end.
    @inline(__always) var overRead: Bool { position - bitCount / 8 > input.count }

    @inline(__always) mutating func bits(_ n: Int) throws(InflateError) -> Int {
        if n == 0 { return 0 }
        need(n)
        let v = Int(bitBuffer & ((1 << UInt64(n)) - 1))
        bitBuffer >>= UInt64(n)
        bitCount -= n
        if overRead { throw .corrupt }
        return v
    }

    @inline(__always) mutating func decode(_ h: HuffmanCode) throws(InflateError) -> Int {
        need(HuffmanCode.fastBits)
        let entry = h.fast[Int(bitBuffer & HuffmanCode.fastMask)]
        if entry != 0 {
            let len = Int(entry & 15)
            bitBuffer >>= UInt64(len)
            bitCount -= len
            if overRead { throw .corrupt }
            return Int(entry >> 4)
        }
        return try decodeLong(h)
    }

    /// Codes longer than the fast table: canonical decoding one bit at a time.
    mutating func decodeLong(_ h: HuffmanCode) throws(InflateError) -> Int {
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
            case 1:
                try fixedCodes()
                try codes()
            case 2:
                try dynamicCodes()
                try codes()
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
        if length > 0 { (output.baseAddress! + written).copyMemory(from: input.baseAddress! + position, byteCount: length) }
        position += length
        written += length
    }

    /// The fixed codes of block type 1 (RFC 1951 3.2.6).
    mutating func fixedCodes() throws(InflateError) {
        let lengths = UnsafeMutablePointer<UInt8>.allocate(capacity: 288)
        defer { lengths.deallocate() }
        lengths.update(repeating: 8, count: 144)
        (lengths + 144).update(repeating: 9, count: 112)
        (lengths + 256).update(repeating: 7, count: 24)
        (lengths + 280).update(repeating: 8, count: 8)
        try literals.build(lengths, 288, offsets: offsets)
        lengths.update(repeating: 5, count: 30)
        try distances.build(lengths, 30, offsets: offsets)
    }

    mutating func dynamicCodes() throws(InflateError) {
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeLengthCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw .corrupt }
        let total = literalCount + distanceCount
        let lengths = UnsafeMutablePointer<UInt8>.allocate(capacity: 320)
        defer { lengths.deallocate() }
        lengths.update(repeating: 0, count: 19)
        for i in 0..<codeLengthCount { lengths[InflateState.codeLengthOrder[i]] = UInt8(try bits(3)) }
        try codeLengths.build(lengths, 19, offsets: offsets)
        var count = 0
        while count < total {
            let symbol = try decode(codeLengths)
            if symbol < 16 {
                lengths[count] = UInt8(symbol)
                count += 1
                continue
            }
            var repeated: UInt8 = 0, times: Int
            switch symbol {
            case 16:
                guard count > 0 else { throw .corrupt }
                repeated = lengths[count - 1]
                times = 3 + (try bits(2))
            case 17: times = 3 + (try bits(3))
            default: times = 11 + (try bits(7))
            }
            guard count + times <= total else { throw .corrupt }
            (lengths + count).update(repeating: repeated, count: times)
            count += times
        }
        guard lengths[256] != 0 else { throw .corrupt } // no end-of-block code
        try literals.build(lengths, literalCount, offsets: offsets)
        try distances.build(lengths + literalCount, distanceCount, offsets: offsets)
    }

    mutating func codes() throws(InflateError) {
        let out = output.baseAddress!
        let limit = output.count
        while true {
            let symbol = try decode(literals)
            if symbol < 256 {
                guard written < limit else { throw .corrupt }
                out.storeBytes(of: UInt8(truncatingIfNeeded: symbol), toByteOffset: written, as: UInt8.self)
                written += 1
            } else if symbol == 256 {
                return
            } else {
                let l = symbol - 257
                guard l < 29 else { throw .corrupt }
                let length = Int(lengthBases[l]) + (try bits(Int(lengthExtras[l])))
                let d = try decode(distances)
                guard d < 30 else { throw .corrupt }
                let distance = Int(distanceBases[d]) + (try bits(Int(distanceExtras[d])))
                guard distance <= written, written + length <= limit else { throw .corrupt }
                if distance >= length {
                    (out + written).copyMemory(from: out + written - distance, byteCount: length)
                } else {
                    // Overlapping: each byte may be one this copy just wrote.
                    let to = out.assumingMemoryBound(to: UInt8.self)
                    for i in written..<(written + length) { to[i] = to[i - distance] }
                }
                written += length
            }
        }
    }
}
