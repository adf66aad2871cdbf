/// `config.json` of a container written by hand: JSONEncoder costs a noticeable part of a
/// container's start (the first use of the Codable machinery instantiates its generic metadata
/// through conformance scans over the whole binary). The record is still read with its Codable
/// conformance; the tests check that what is written here decodes to the same record and has the
/// same members as JSONEncoder's output, so a field added to ContainerRecord cannot be forgotten.
extension ContainerRecord {
    /// The record as JSON (keys sorted, two-space indentation, absent optionals left out, as
    /// JSONEncoder writes it).
    func jsonBytes() -> [UInt8] {
        var w = JSONTextWriter()
        w.object { w in
            w.member("autoRemove") { $0.bool(autoRemove) }
            w.member("created") { $0.string(created) }
            w.member("hostname") { $0.string(hostname) }
            w.member("id") { $0.string(id) }
            w.member("image") { $0.string(image) }
            w.member("imageDigest") { $0.string(imageDigest) }
            w.member("imageName") { $0.string(imageName) }
            w.member("labels") { w in
                w.object { w in for key in labels.keys.sorted() { w.member(key) { $0.string(labels[key]!) } } }
            }
            if let limits {
                w.member("limits") { w in
                    w.object { w in
                        if let memory = limits.memory { w.member("memory") { $0.integer(memory) } }
                        if let pids = limits.pids { w.member("pids") { $0.integer(pids) } }
                    }
                }
            }
            w.member("mounts") { w in
                w.array(mounts) { w, m in
                    w.object { w in
                        w.member("readOnly") { $0.bool(m.readOnly) }
                        w.member("source") { $0.string(m.source) }
                        w.member("target") { $0.string(m.target) }
                    }
                }
            }
            w.member("name") { $0.string(name) }
            if let network {
                w.member("network") { w in
                    w.object { w in
                        w.member("mode") { $0.string(network.mode) }
                        w.member("publish") { $0.strings(network.publish) }
                    }
                }
            }
            w.member("process") { w in
                w.object { w in
                    w.member("arguments") { $0.strings(process.arguments) }
                    w.member("environment") { $0.strings(process.environment) }
                    w.member("gid") { $0.integer(process.gid) }
                    w.member("groups") { $0.array(process.groups) { $0.integer($1) } }
                    w.member("interactive") { $0.bool(process.interactive) }
                    w.member("uid") { $0.integer(process.uid) }
                    w.member("userSpec") { $0.string(process.userSpec) }
                    w.member("workingDirectory") { $0.string(process.workingDirectory) }
                }
            }
            w.member("readOnly") { $0.bool(readOnly) }
            if let reapsOrphans { w.member("reapsOrphans") { $0.bool(reapsOrphans) } }
            w.member("state") { w in
                w.object { w in
                    w.member("exitCode") { $0.integer(state.exitCode) }
                    if let finishedAt = state.finishedAt { w.member("finishedAt") { $0.string(finishedAt) } }
                    if let pid = state.pid { w.member("pid") { $0.integer(pid) } }
                    if let startedAt = state.startedAt { w.member("startedAt") { $0.string(startedAt) } }
                    w.member("status") { $0.string(state.status.rawValue) }
                }
            }
            w.member("tmpfs") { $0.strings(tmpfs) }
            if let tty { w.member("tty") { $0.bool(tty) } }
        }
        return w.bytes + [0x0a]
    }
}

/// Pretty-printed JSON text, written value by value.
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
