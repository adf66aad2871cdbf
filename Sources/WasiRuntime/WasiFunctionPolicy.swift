import WasmKit
import WASI

/// Wraps WasmKit's WASI functions with what WasmKit's own WASI does not do:
/// - read-only preopens (`-v HOST:GUEST:ro`): every descriptor opened through a read-only
///   directory is read-only too, and anything that would change the host's files through one
///   (opening for writing, creating, truncating, removing, renaming, linking, setting sizes or
///   times) fails with EROFS before WasmKit sees it;
/// - `--debug`: one line per call with its arguments and the errno it returned.
final class WasiFunctionPolicy: @unchecked Sendable {
    typealias Implementation = @Sendable (Memory, [Value]) throws -> [Value]

    /// Descriptors whose writes are refused. Only the module's single thread touches this.
    private var readOnly: Set<UInt32> = []
    private let trace: (@Sendable (String) -> Void)?

    init(preopens: [WasiPreopen], trace: (@Sendable (String) -> Void)?) {
        // Preopens are numbered from 3 in order, after the standard streams.
        for (i, p) in preopens.enumerated() where p.readOnly { readOnly.insert(UInt32(3 + i)) }
        self.trace = trace
    }

    /// WASI errno EROFS.
    static let erofs: [Value] = [.i32(69)]

    // WASI preview 1 bits (wasi_snapshot_preview1.witx). wasi-libc asks for every right but the
    // writing ones of this list when it opens for reading (fd_filestat_set_times included), so
    // only these tell a write.
    static let oflagsCreate: UInt32 = 1, oflagsTruncate: UInt32 = 8
    static let rightsWriting: UInt64 = 1 << 0 /* fd_datasync */ | 1 << 6 /* fd_write */ | 1 << 8 /* fd_allocate */
        | 1 << 22 /* fd_filestat_set_size */
    static let fdflagsAppend: UInt32 = 1

    func wrap(_ name: String, _ implementation: @escaping Implementation) -> Implementation {
        let checked = readOnly.isEmpty ? implementation : guarded(name, implementation)
        guard let trace else { return checked }
        return { memory, arguments in
            do {
                let result = try checked(memory, arguments)
                trace("wasi: \(name)(\(Self.describe(arguments))) = \(Self.describe(result))")
                return result
            } catch {
                trace("wasi: \(name)(\(Self.describe(arguments))) -> \(error)")
                throw error
            }
        }
    }

    private func guarded(_ name: String, _ implementation: @escaping Implementation) -> Implementation {
        func fd(_ arguments: [Value], _ i: Int) -> UInt32 {
            if case .i32(let v) = arguments[i] { return v }
            return .max
        }
        func i32(_ arguments: [Value], _ i: Int) -> UInt32 { fd(arguments, i) }
        func i64(_ arguments: [Value], _ i: Int) -> UInt64 {
            if case .i64(let v) = arguments[i] { return v }
            return 0
        }
        switch name {
        case "path_open":
            // (fd, dirflags, path, path_len, oflags, rights_base, rights_inheriting, fdflags, opened_fd)
            return { [unowned self] memory, arguments in
                let inherited = readOnly.contains(fd(arguments, 0))
                if inherited {
                    let writes = i32(arguments, 4) & (Self.oflagsCreate | Self.oflagsTruncate) != 0
                        || i64(arguments, 5) & Self.rightsWriting != 0
                        || i32(arguments, 7) & Self.fdflagsAppend != 0
                    if writes { return Self.erofs }
                }
                let result = try implementation(memory, arguments)
                if inherited, result == [.i32(0)] {
                    readOnly.insert(Self.loadUInt32(memory, at: i32(arguments, 8)))
                }
                return result
            }
        case "path_create_directory", "path_remove_directory", "path_unlink_file", "path_filestat_set_times",
             "fd_filestat_set_size", "fd_filestat_set_times", "fd_allocate", "fd_write", "fd_pwrite":
            return { [unowned self] memory, arguments in
                if readOnly.contains(fd(arguments, 0)) { return Self.erofs }
                return try implementation(memory, arguments)
            }
        case "path_rename":
            // (fd, old_path, old_len, new_fd, new_path, new_len)
            return { [unowned self] memory, arguments in
                if readOnly.contains(fd(arguments, 0)) || readOnly.contains(fd(arguments, 3)) { return Self.erofs }
                return try implementation(memory, arguments)
            }
        case "path_link":
            // (old_fd, old_flags, old_path, old_len, new_fd, new_path, new_len)
            return { [unowned self] memory, arguments in
                if readOnly.contains(fd(arguments, 4)) { return Self.erofs }
                return try implementation(memory, arguments)
            }
        case "path_symlink":
            // (old_path, old_len, fd, new_path, new_len)
            return { [unowned self] memory, arguments in
                if readOnly.contains(fd(arguments, 2)) { return Self.erofs }
                return try implementation(memory, arguments)
            }
        case "fd_renumber":
            return { [unowned self] memory, arguments in
                let result = try implementation(memory, arguments)
                if result == [.i32(0)] {
                    let from = fd(arguments, 0), to = fd(arguments, 1)
                    if readOnly.remove(from) != nil { readOnly.insert(to) } else { readOnly.remove(to) }
                }
                return result
            }
        case "fd_close":
            return { [unowned self] memory, arguments in
                let result = try implementation(memory, arguments)
                if result == [.i32(0)] { readOnly.remove(fd(arguments, 0)) }
                return result
            }
        default:
            return implementation
        }
    }

    static func loadUInt32(_ memory: Memory, at address: UInt32) -> UInt32 {
        memory.withUnsafeMutableBufferPointer(offset: UInt(address), count: 4) { buffer in
            buffer.loadUnaligned(as: UInt32.self).littleEndian
        }
    }

    static func describe(_ values: [Value]) -> String {
        values.map { v -> String in
            switch v {
            case .i32(let x): return String(Int32(bitPattern: x))
            case .i64(let x): return String(Int64(bitPattern: x))
            default: return "\(v)"
            }
        }.joined(separator: ", ")
    }
}
