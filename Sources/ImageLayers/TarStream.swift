// A portable reader of layer tarballs (ustar, pax and GNU tar's long names), for where libarchive
// is not at hand: a converted module flattening an image the web page pulled (wasm/PulledImage.swift).
// It reads a plain (already decompressed) stream front to back and never seeks. Every header is
// checked (checksum, numeric fields, sizes of pax and long-name records), so corrupt or hostile
// input gives a LayerError. GNU sparse files and multi-volume archives are refused with a message.

/// Where a tar stream's bytes come from.
public protocol LayerByteStream: AnyObject {
    /// Reads up to `buffer.count` bytes into `buffer`; 0 at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(LayerError) -> Int
}

public final class TarStream: LayerEntrySource {
    static let blockSize = 512
    /// Largest pax record block or GNU long name accepted (a name is at most 4096 bytes on Linux).
    static let maxMetadataSize: Int64 = 1 << 20

    let input: LayerByteStream
    /// Names the stream in messages ("layer 2 of 3").
    let name: String
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var atEnd = false
    /// Bytes of the current entry's data not yet read, and the padding after them.
    private var dataLeft: Int64 = 0
    private var paddingLeft = 0
    private var dataOffset: Int64 = 0

    public init(_ input: LayerByteStream, name: String) {
        self.input = input
        self.name = name
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
    }

    deinit { buffer.deallocate() }

    func corrupt(_ why: String) -> LayerError {
        LayerError("\(name) is not a readable tar archive: \(why)")
    }

    /// Makes at least one byte available; false at the end of the input.
    private func fill() throws(LayerError) -> Bool {
        if start < end { return true }
        if atEnd { return false }
        start = 0
        end = try input.read(into: buffer)
        if end == 0 { atEnd = true }
        return end > 0
    }

    /// Exactly `count` bytes, or nil when the input ends first (after some bytes: an error).
    private func readExactly(_ count: Int) throws(LayerError) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(count)
        while result.count < count {
            guard try fill() else {
                if result.isEmpty { return nil }
                throw LayerError("\(name) is truncated (it ends inside a header)")
            }
            let n = min(count - result.count, end - start)
            result.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start..<start + n]))
            start += n
        }
        return result
    }

    private func skip(_ count: Int64) throws(LayerError) {
        var left = count
        while left > 0 {
            guard try fill() else { throw LayerError("\(name) is truncated (an entry's data is cut short)") }
            let n = Int(min(left, Int64(end - start)))
            start += n
            left -= Int64(n)
        }
    }

    public func nextEntry() throws(LayerError) -> LayerEntry? {
        try skip(dataLeft)
        try skip(Int64(paddingLeft))
        dataLeft = 0
        paddingLeft = 0
        dataOffset = 0
        var pax = PaxFields()
        var longName: [UInt8]?
        var longLink: [UInt8]?
        while true {
            guard let header = try readExactly(TarStream.blockSize) else { return nil }  // no end blocks: ended anyway
            if header.allSatisfy({ $0 == 0 }) { return nil }
            try verifyChecksum(header)
            let type = header[156]
            let size = try number(header, 124, 12, "size")
            guard size >= 0 else { throw corrupt("an entry has a negative size") }
            switch type {
            case UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "L"), UInt8(ascii: "K"):
                guard size <= TarStream.maxMetadataSize else { throw corrupt("an extended header of \(size) bytes") }
                guard let data = try readExactly(Int(size)) else { throw LayerError("\(name) is truncated") }
                try skip(Int64(TarStream.padding(size)))
                switch type {
                case UInt8(ascii: "x"): try pax.parse(data, self)
                case UInt8(ascii: "L"): longName = TarStream.cString(data[...])
                case UInt8(ascii: "K"): longLink = TarStream.cString(data[...])
                default: break  // global pax headers carry nothing an entry needs here
                }
                continue
            case UInt8(ascii: "S"):
                throw LayerError("\(name): GNU sparse files are not supported here (unpack the layer with `skiff pull`)")
            case UInt8(ascii: "V"), UInt8(ascii: "M"):
                throw LayerError("\(name): multi-volume tar archives are not supported")
            default: break
            }
            var entry = try makeEntry(header, type: type, size: size)
            if let path = pax.path ?? longName { entry.path = path }
            if let target = pax.linkPath ?? longLink {
                switch entry.kind {
                case .symlink: entry.kind = .symlink(target: target)
                case .hardLink: entry.kind = .hardLink(target: target)
                default: break
                }
            }
            if let v = pax.size { entry.size = v }
            if let v = pax.uid { entry.uid = v }
            if let v = pax.gid { entry.gid = v }
            if let v = pax.mtime { entry.mtimeSeconds = v.seconds; entry.mtimeNanoseconds = v.nanoseconds }
            if let v = pax.deviceMajor { entry.rdevMajor = v }
            if let v = pax.deviceMinor { entry.rdevMinor = v }
            guard !entry.path.isEmpty else { throw corrupt("an entry has no name") }
            // Only regular files carry data that is theirs; the data of other entries is skipped.
            dataLeft = entry.size
            paddingLeft = TarStream.padding(entry.size)
            if entry.kind != .regular { entry.size = 0 }
            return entry
        }
    }

    public func readData(_ body: (Int64, UnsafeRawBufferPointer) throws(LayerError) -> Void) throws(LayerError) -> Int64 {
        while dataLeft > 0 {
            guard try fill() else { throw LayerError("\(name) is truncated (an entry's data is cut short)") }
            let n = Int(min(dataLeft, Int64(end - start)))
            let block = UnsafeRawBufferPointer(rebasing: buffer[start..<start + n])
            start += n
            dataLeft -= Int64(n)
            try body(dataOffset, block)
            dataOffset += Int64(n)
        }
        return dataOffset
    }

    static func padding(_ size: Int64) -> Int {
        Int((Int64(blockSize) - size % Int64(blockSize)) % Int64(blockSize))
    }

    func verifyChecksum(_ header: [UInt8]) throws(LayerError) {
        let stored = try number(header, 148, 8, "checksum")
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for (i, b) in header.enumerated() {
            let v = (148..<156).contains(i) ? UInt8(ascii: " ") : b
            unsigned += Int64(v)
            signed += Int64(Int8(bitPattern: v))
        }
        guard stored == unsigned || stored == signed else { throw corrupt("a header's checksum does not match") }
    }

    func makeEntry(_ h: [UInt8], type: UInt8, size: Int64) throws(LayerError) -> LayerEntry {
        var path = TarStream.cString(h[0..<100])
        // POSIX ustar splits long names into prefix/name; GNU tar's "ustar  " header uses that
        // space for other fields.
        let isUstar = h[257..<263].elementsEqual(Array("ustar\0".utf8))
        if isUstar {
            let prefix = TarStream.cString(h[345..<500])
            if !prefix.isEmpty { path = prefix + [LayerPath.slash] + path }
        }
        let link = TarStream.cString(h[157..<257])
        let kind: LayerEntry.Kind
        switch type {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
            // Old tars mark directories with a trailing slash on a regular entry.
            kind = path.last == LayerPath.slash && !isUstar ? .directory : .regular
        case UInt8(ascii: "1"): kind = .hardLink(target: link)
        case UInt8(ascii: "2"): kind = .symlink(target: link)
        case UInt8(ascii: "3"): kind = .characterDevice
        case UInt8(ascii: "4"): kind = .blockDevice
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "6"): kind = .fifo
        default:
            throw LayerError("\(name): entry '\(LayerPath.display(path))' has an unsupported type '\(String(decoding: [type], as: UTF8.self))'")
        }
        let hasDevice = kind == .characterDevice || kind == .blockDevice
        return LayerEntry(
            path: path, kind: kind,
            permissions: UInt32(truncatingIfNeeded: try number(h, 100, 8, "mode")) & 0o7777,
            uid: try number(h, 108, 8, "uid"), gid: try number(h, 116, 8, "gid"),
            mtimeSeconds: try number(h, 136, 12, "mtime"), mtimeNanoseconds: 0, size: size,
            rdevMajor: hasDevice ? UInt32(truncatingIfNeeded: try number(h, 329, 8, "devmajor")) : 0,
            rdevMinor: hasDevice ? UInt32(truncatingIfNeeded: try number(h, 337, 8, "devminor")) : 0)
    }

    /// A numeric header field: octal digits (spaces and NULs around them), or GNU's base-256
    /// form (first byte 0x80) for values too large for octal.
    func number(_ h: [UInt8], _ offset: Int, _ length: Int, _ field: String) throws(LayerError) -> Int64 {
        let bytes = h[offset..<offset + length]
        if let first = bytes.first, first & 0x80 != 0 {
            guard first == 0x80 else { throw corrupt("a negative or oversized \(field) field") }
            var value: Int64 = 0
            for b in bytes.dropFirst() {
                guard value <= (Int64.max >> 8) else { throw corrupt("an oversized \(field) field") }
                value = value << 8 | Int64(b)
            }
            return value
        }
        var value: Int64 = 0
        var seenDigit = false
        var ended = false
        for b in bytes {
            if b == 0 || b == UInt8(ascii: " ") {
                if seenDigit { ended = true }
                continue
            }
            guard !ended, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "7") else { throw corrupt("a malformed \(field) field") }
            guard value <= (Int64.max >> 3) else { throw corrupt("an oversized \(field) field") }
            value = value << 3 | Int64(b - UInt8(ascii: "0"))
            seenDigit = true
        }
        return value
    }

    static func cString(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        if let nul = bytes.firstIndex(of: 0) { return Array(bytes[..<nul]) }
        return Array(bytes)
    }
}

/// The fields of a pax extended header ("LENGTH KEY=VALUE\n" records) that apply to the next entry.
struct PaxFields {
    var path: [UInt8]?
    var linkPath: [UInt8]?
    var size: Int64?
    var uid: Int64?
    var gid: Int64?
    var mtime: (seconds: Int64, nanoseconds: Int)?
    var deviceMajor: UInt32?
    var deviceMinor: UInt32?

    mutating func parse(_ data: [UInt8], _ stream: TarStream) throws(LayerError) {
        var at = 0
        while at < data.count {
            if data[at] == 0 { break }  // NUL padding after the last record
            var length = 0
            var i = at
            while i < data.count, data[i] >= UInt8(ascii: "0"), data[i] <= UInt8(ascii: "9"), length < 1 << 24 {
                length = length * 10 + Int(data[i] - UInt8(ascii: "0"))
                i += 1
            }
            guard i < data.count, data[i] == UInt8(ascii: " "), length > i - at, at + length <= data.count,
                  data[at + length - 1] == UInt8(ascii: "\n") else {
                throw stream.corrupt("a malformed pax extended header")
            }
            let record = data[(i + 1)..<(at + length - 1)]
            guard let eq = record.firstIndex(of: UInt8(ascii: "=")) else { throw stream.corrupt("a pax record without '='") }
            let key = record[..<eq]
            let value = Array(record[(eq + 1)...])
            func matches(_ k: String) -> Bool { key.elementsEqual(k.utf8) }
            func decimal() throws(LayerError) -> Int64 {
                guard let v = PaxFields.decimal(value[...]) else { throw stream.corrupt("a malformed pax number") }
                return v
            }
            if matches("path") { path = value }
            else if matches("linkpath") { linkPath = value }
            else if matches("size") { size = try decimal() }
            else if matches("uid") { uid = try decimal() }
            else if matches("gid") { gid = try decimal() }
            else if matches("SCHILY.devmajor") { deviceMajor = UInt32(truncatingIfNeeded: try decimal()) }
            else if matches("SCHILY.devminor") { deviceMinor = UInt32(truncatingIfNeeded: try decimal()) }
            else if matches("mtime") {
                // Seconds with an optional fraction: "1700000000.123456789" (negative: before 1970).
                let dot = value.firstIndex(of: UInt8(ascii: ".")) ?? value.count
                let negative = value.first == UInt8(ascii: "-")
                guard let seconds = PaxFields.decimal(value[(negative ? 1 : 0)..<dot]) else { throw stream.corrupt("a malformed pax mtime") }
                var nanoseconds = 0
                var scale = 100_000_000
                for d in value[min(dot + 1, value.count)...] {
                    guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { throw stream.corrupt("a malformed pax mtime") }
                    nanoseconds += Int(d - UInt8(ascii: "0")) * scale
                    scale /= 10
                }
                mtime = negative ? (-seconds, 0) : (seconds, nanoseconds)
            } else if key.starts(with: "GNU.sparse".utf8) {
                throw LayerError("\(stream.name): GNU sparse files are not supported here (unpack the layer with `skiff pull`)")
            }
            at += length
        }
    }

    static func decimal(_ digits: ArraySlice<UInt8>) -> Int64? {
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var v: Int64 = 0
        for d in digits {
            guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { return nil }
            v = v * 10 + Int64(d - UInt8(ascii: "0"))
        }
        return v
    }
}
