import Foundation

/// Paths as NUL-terminated bytes, for walking trees a guest wrote: its names need not be UTF-8
/// (as Strings they come back with U+FFFD and name nothing).
enum BytePath {
    /// The names in directory `path` ("." and ".." left out); nil (errno set) if it cannot be read.
    static func entries(of path: [CChar]) -> [[CChar]]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [[CChar]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.bindMemory(to: CChar.self).prefix { $0 != 0 })
            }
            if name != [0x2e] && name != [0x2e, 0x2e] { names.append(name) }
        }
        return names
    }

    /// `path`/`name`, NUL-terminated.
    static func child(_ path: [CChar], _ name: [CChar]) -> [CChar] {
        path.dropLast() + [0x2f] + name + [0]
    }

    /// A byte path for messages: bytes that are not UTF-8 shown as U+FFFD.
    static func display(_ path: [UInt8]) -> String { String(decoding: path, as: UTF8.self) }
}
