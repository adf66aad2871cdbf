// Skiff as a WASI *runtime*: it loads a WASI preview 1 command module (a WASI image's
// entrypoint) and runs it on WasmKit, as wasmtime or runwasi would. Not to be confused with
// wasm/WasiHost.swift, the other direction: Skiff's own kernel compiled *to* wasm, running as a
// WASI guest on someone else's runtime (`skiff convert`).
//
// Everything here is the engine side: a module, its arguments, environment, preopened
// directories (read-only ones enforced in WasiFunctionPolicy.swift), standard streams and a
// memory cap in; an exit status out. Containers, images and the CLI live in the Skiff module
// (Sources/Skiff/Containers/WasiContainer.swift) and in `skiff`.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(Fuzzing) import WasmKit
import WasmKitWASI
import WASI

/// A host directory the module sees at `guestPath` (a WASI preopen).
public struct WasiPreopen: Sendable, Equatable {
    public var guestPath: String
    public var hostPath: String
    /// Writes through this directory (and anything opened below it) fail with EROFS.
    public var readOnly: Bool

    public init(guestPath: String, hostPath: String, readOnly: Bool = false) {
        self.guestPath = guestPath
        self.hostPath = hostPath
        self.readOnly = readOnly
    }
}

/// How to run one WASI command module.
public struct WasiProcessConfiguration: Sendable {
    /// argv; argv[0] is the program's name as the module sees it.
    public var arguments: [String]
    /// `KEY=VALUE` entries (a later entry for the same key wins).
    public var environment: [String]
    /// In order: file descriptors 3, 4, … are these directories.
    public var preopens: [WasiPreopen]
    /// The most bytes the module's memories may grow to (`--memory`); nil: no cap beyond WASI's 4 GiB.
    public var memoryLimit: UInt64?
    public var stdin: Int32 = 0
    public var stdout: Int32 = 1
    public var stderr: Int32 = 2
    /// Called with one line per WASI call (`--debug`).
    public var trace: (@Sendable (String) -> Void)?

    public init(arguments: [String], environment: [String] = [], preopens: [WasiPreopen] = []) {
        self.arguments = arguments
        self.environment = environment
        self.preopens = preopens
    }
}

/// Why a module could not run, with the exit status a container reports for it.
public struct WasiRuntimeError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// Not a WebAssembly module, or one WasmKit refuses (bad encoding, failed validation).
        case invalidModule
        /// The module imports something Skiff does not provide, or has no `_start`.
        case notRunnable
        /// Its initial memory is already over `memoryLimit`.
        case memoryLimit
        /// A preopened directory cannot be opened.
        case preopen
    }
    public var kind: Kind
    public var message: String
    public var description: String { message }

    /// 126 (cannot execute, as for a corrupt ELF), 137 for the memory cap (docker's OOM kill),
    /// 125 for the host's own failures.
    public var exitStatus: Int32 {
        switch kind {
        case .invalidModule, .notRunnable: return 126
        case .memoryLimit: return 137
        case .preopen: return 125
        }
    }
}

/// How a module ended.
public enum WasiTermination: Sendable, Equatable {
    /// `proc_exit(code)` or a return from `_start` (0).
    case exited(Int32)
    /// A trap (unreachable, out-of-bounds access, stack exhaustion…), with WasmKit's reason.
    case trapped(String)

    /// The status a container reports: the exit code, or 134 for a trap (128 + SIGABRT, as the
    /// wasmtime CLI exits on Unix).
    public var exitStatus: Int32 {
        switch self {
        case .exited(let code): return code
        case .trapped: return 134
        }
    }
}

public enum WasiRuntime {
    /// The version of the engine, for `skiff version` and docs.
    public static let engine = "WasmKit 0.4.2"

    /// Whether `prefix` starts with the WebAssembly binary magic `\0asm`.
    public static func isModule<C: Collection>(_ prefix: C) -> Bool where C.Element == UInt8 {
        prefix.starts(with: [0x00, 0x61, 0x73, 0x6d])
    }

    /// Whether the file at `path` starts with `\0asm`.
    public static func isModule(atPath path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var magic = [UInt8](repeating: 0, count: 4)
        return read(fd, &magic, 4) == 4 && isModule(magic)
    }

    /// Parses, validates and instantiates `module`, then runs its `_start` to the end.
    public static func run(module bytes: [UInt8], _ configuration: WasiProcessConfiguration) throws(WasiRuntimeError) -> WasiTermination {
        guard isModule(bytes) else {
            throw WasiRuntimeError(kind: .invalidModule, message: "not a WebAssembly module (no \\0asm header)")
        }
        let module: Module
        do {
            module = try parseWasm(bytes: bytes)
        } catch {
            throw WasiRuntimeError(kind: .invalidModule, message: "invalid WebAssembly module: \(error)")
        }
        if module.exports.contains(where: { $0.name == "_start" }) == false {
            let reactor = module.exports.contains { $0.name == "_initialize" }
            throw WasiRuntimeError(kind: .notRunnable, message: reactor
                ? "the module is a WASI reactor (it exports _initialize, not _start); only command modules can run"
                : "the module exports no _start function: not a WASI command module")
        }
        let bridge: WASIBridgeToHost
        do {
            bridge = try WASIBridgeToHost(
                args: configuration.arguments,
                environment: environmentDictionary(configuration.environment),
                preopens: configuration.preopens.map { WASIBridgeToHost.Preopen(guestPath: $0.guestPath, hostPath: $0.hostPath) },
                stdin: configuration.stdin, stdout: configuration.stdout, stderr: configuration.stderr)
        } catch {
            throw WasiRuntimeError(kind: .preopen, message: "cannot set up the module's WASI environment: \(error)")
        }
        defer { try? bridge.close() }

        let engine = Engine()
        let store = Store(engine: engine)
        let cap = configuration.memoryLimit.map(MemoryCap.init(limit:))
        if let cap { store.resourceLimiter = cap }
        var imports = Imports()
        let policy = WasiFunctionPolicy(preopens: configuration.preopens, trace: configuration.trace)
        for (name, function) in bridge.hostFunctions(capabilities: WASICapability.all) {
            let implementation = policy.wrap(name, function.implementation)
            imports.define(module: "wasi_snapshot_preview1", name: name,
                           Function(store: store, type: function.type) { caller, arguments in
                               guard case .memory(let memory) = caller.instance?.export("memory") else {
                                   throw WASIError(description: "the module exports no \"memory\"")
                               }
                               return try implementation(memory, arguments)
                           })
        }
        let instance: Instance
        do {
            instance = try module.instantiate(store: store, imports: imports)
        } catch {
            if let cap, let refused = cap.refused {
                throw WasiRuntimeError(kind: .memoryLimit, message: "the module's initial memory (\(refused) bytes) is over the memory limit (\(cap.limit) bytes)")
            }
            throw WasiRuntimeError(kind: .notRunnable, message: "cannot instantiate the module: \(error)")
        }
        guard let start = instance.exports[function: "_start"] else {
            throw WasiRuntimeError(kind: .notRunnable, message: "the module exports no _start function")
        }
        do {
            _ = try start()
            return .exited(0)
        } catch let exit as WASIExitCode {
            return .exited(Int32(bitPattern: exit.code))

        } catch let trap as Trap {
            return .trapped(trap.description)
        } catch {
            return .trapped("\(error)")
        }
    }

    /// `KEY=VALUE` entries as WASI's environment (the last entry for a key wins; `KEY` alone is empty).
    static func environmentDictionary(_ entries: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            result[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return result
    }
}

/// `--memory`: memory.grow beyond the cap returns -1 to the module (its malloc returns NULL);
/// an initial memory over it fails at instantiation.
final class MemoryCap: ResourceLimiter, @unchecked Sendable {
    let limit: UInt64
    init(limit: UInt64) { self.limit = limit }
    /// The last size refused (at instantiation: the initial memory).
    private(set) var refused: UInt64?
    func limitMemoryGrowth(to desired: Int) throws -> Bool {
        if UInt64(desired) <= limit { return true }
        refused = UInt64(desired)
        return false
    }
    func limitTableGrowth(to desired: Int) throws -> Bool { true }
}
