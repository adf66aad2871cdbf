/// A `#!` line: the interpreter and at most one argument (the rest of the line, as Linux does).
struct ScriptHeader {
    var interpreter: [UInt8]?
    var argument: [UInt8]?

    /// nil unless `prefix` (the first bytes of the file) starts with "#!".
    static func parse(_ prefix: [UInt8]) -> ScriptHeader? {
        guard prefix.count >= 2, prefix[0] == 0x23, prefix[1] == 0x21 else { return nil }
        var line = Array(prefix[2...])
        if let nl = line.firstIndex(of: 0x0a) { line.removeSubrange(nl...) }
        func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
        var i = 0
        while i < line.count && isBlank(line[i]) { i += 1 }
        var j = i
        while j < line.count && !isBlank(line[j]) && line[j] != 0 { j += 1 }
        if i == j { return ScriptHeader(interpreter: nil, argument: nil) }
        let interpreter = Array(line[i..<j])
        while j < line.count && isBlank(line[j]) { j += 1 }
        var end = line.count
        if let z = line[j...].firstIndex(of: 0) { end = z }
        while end > j && isBlank(line[end - 1]) { end -= 1 }
        return ScriptHeader(interpreter: interpreter, argument: end > j ? Array(line[j..<end]) : nil)
    }
}
