#if !SKIFF_SINGLE_MODULE
import LinuxKernel
#endif

// The WASI command's entry point. A module made by `skiff convert` runs the image it carries
// (ConvertedModule.swift); the plain core module runs a Linux riscv64 program from a directory the runtime
// preopened, on the same kernel `skiff run --rootfs` uses. The root is the directory preopened as
// "/" (wasmtime --dir ROOTFS::/, node's preopens {"/": ROOTFS}), else the only one preopened
// (WasmKit's --dir ROOTFS, which names it by its host path), else the one `--root NAME` picks.
//
//   wasmtime run --dir ROOTFS::/ skiff-core.wasm [-e K=V]... [-w DIR] [--debug] [--] PROG [ARG...]
//   wasmkit run --dir ROOTFS skiff-core.wasm -- [OPTIONS] PROG [ARG...]
//
// Exit status: the program's (128+N when it dies of signal N); 125 for a usage or set-up error,
// 126 when PROG cannot be executed, 127 when it is not found (as docker and shells report).

/// wasi-libc's `__main_void` collects the WASI arguments and calls this.
@_cdecl("__main_argc_argv")
func wasiMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>) -> Int32 {
    var arguments: [String] = []
    for i in 1..<Int(max(argc, 1)) {
        if let p = argv[i] { arguments.append(String(cString: p)) }
    }
    // An image the web page pulled from a registry (PulledImage.swift) runs instead of the one
    // the module carries.
    switch PulledImage.load() {
    case .image(let image): return ConvertedRunner.run(image.configuration, filesystem: image.reader, arguments: arguments)
    case .failure(let message):
        standardError("skiff: \(message)\n")
        return 125
    case .none: break
    }
    // A module made by `skiff convert` carries its image (ConvertedModule.swift).
    switch EmbeddedBundle.load() {
    case .bundle(let bundle): return ConvertedRunner.run(bundle.configuration, filesystem: bundle.reader, arguments: arguments)
    case .failure(let message):
        standardError("skiff: \(message)\n")
        return 125
    case .none: break
    }
    switch WasiCommandLine.parse(arguments) {
    case .failure(let message):
        standardError("skiff-core: \(message)\n\(WasiCommandLine.usage)")
        return 125
    case .success(let commandLine):
        return WasiRunner.run(commandLine)
    }
}

/// The options the module understands (a subset of `skiff run`'s).
struct WasiCommandLine {
    var environment: [String] = []
    var workingDirectory = "/"
    var debug = false
    /// Which preopened directory is the root, by the name the runtime gave it.
    var root: String?
    var command: [String] = []

    static let usage = "usage: skiff-core.wasm [-e K=V]... [-w DIR] [--root PREOPEN] [--debug] [--] PROG [ARG...]\n"

    enum Parsed {
        case success(WasiCommandLine)
        case failure(String)
    }

    static func parse(_ arguments: [String]) -> Parsed {
        var result = WasiCommandLine()
        // WasmKit hands its own `--` separator on to the module: a leading one is the runtime's.
        var i = arguments.first == "--" ? 1 : 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--" { i += 1; break }
            if !a.hasPrefix("-") { break }
            if a == "-e" || a == "--env" || a == "-w" || a == "--workdir" || a == "--root" {
                guard i + 1 < arguments.count else { return .failure("\(a) needs a value") }
                let value = arguments[i + 1]
                if a == "-e" || a == "--env" { result.environment.append(value) }
                else if a == "--root" { result.root = value }
                else { result.workingDirectory = value }
                i += 2
            } else if a == "--debug" {
                result.debug = true
                i += 1
            } else {
                return .failure("unknown option \(a)")
            }
        }
        result.command = Array(arguments[i...])
        if result.command.isEmpty { return .failure("no command given") }
        return .success(result)
    }
}

enum WasiRunner {
    static let defaultPath = ContainerEnvironment.defaultPath

    static func run(_ commandLine: WasiCommandLine) -> Int32 {
        let preopens = WasiHost.preopenedDirectories()
        let chosen: [(name: String, fd: HostFD)]
        if let wanted = commandLine.root {
            chosen = preopens.filter { $0.name == wanted }
        } else {
            let slash = preopens.filter { $0.name == "/" }
            chosen = slash.isEmpty ? preopens : slash
        }
        guard chosen.count == 1 else {
            var names = ""
            for p in preopens { names += (names.isEmpty ? "" : ", ") + p.name }
            standardError(chosen.isEmpty && commandLine.root != nil
                ? "skiff-core: no directory is preopened as \(commandLine.root!) (preopened: \(names.isEmpty ? "none" : names))\n"
                : preopens.isEmpty
                ? "skiff-core: no root file system: preopen the container's root directory (wasmtime: --dir ROOTFS::/, wasmkit: --dir ROOTFS)\n"
                : "skiff-core: several directories are preopened (\(names)): preopen the root as / or pick it with --root NAME\n")
            return 125
        }
        let root = chosen[0].fd
        let host = WasiHost()
        var configuration = KernelConfiguration()
        let hostname = containerID(host)
        configuration.hostname = Array(hostname.utf8)
        configuration.traceSystemCalls = commandLine.debug
        // WASI (preview 1) has no sockets: the container gets a loopback network of its own,
        // as with `skiff run --network none`.
        configuration.network = .loopback
        if commandLine.debug { configuration.log = { message in standardError(message + "\n") } }
        let kernel = Kernel(host: host, configuration: configuration)
        kernel.mountHostDirectory(root, at: "/", readOnly: false)

        let environment = ContainerEnvironment.make(commandLine.environment, hostname: hostname, terminal: host.isTerminal(1)) {
            wasiEnvironmentValue($0)
        }
        return runFirstProcess(kernel, arguments: commandLine.command, environment: environment,
                               workingDirectory: commandLine.workingDirectory, messagePrefix: "skiff-core")
    }

    /// Starts `arguments` (a bare name is looked up in the environment's PATH inside the guest's
    /// tree) as the container's first process and runs the kernel until it ends: the exit
    /// status, or 127/126 (with a message) when the program is missing or cannot run.
    static func runFirstProcess(_ kernel: Kernel, arguments: [String], environment: [String], workingDirectory: String,
                                messagePrefix: String) -> Int32 {
        var program = arguments[0]
        if !program.contains("/") {
            var searchPath = defaultPath
            for entry in environment where entry.hasPrefix("PATH=") { searchPath = String(entry.dropFirst(5)) }
            guard let found = kernel.findExecutable(program, searchPath: searchPath) else {
                standardError("\(messagePrefix): \(program): executable file not found in $PATH\n")
                return 127
            }
            program = found
        }
        do throws(Errno) {
            try kernel.start(path: program, arguments: arguments, environment: environment, workingDirectory: workingDirectory)
        } catch {
            let reason = kernel.diagnostic ?? "\(program): cannot execute (\(error.name))"
            standardError("\(messagePrefix): \(reason)\n")
            return error == .ENOENT ? 127 : 126
        }
        return kernel.run().exitCode
    }

    /// A docker-style short container id (12 hex digits), used as the hostname.
    static func containerID(_ host: WasiHost) -> String {
        var bytes = [UInt8](repeating: 0, count: 6)
        bytes.withUnsafeMutableBytes { host.randomBytes($0) }
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for b in bytes { text.append(digits[Int(b >> 4)]); text.append(digits[Int(b & 15)]) }
        return String(decoding: text, as: UTF8.self)
    }
}

@_extern(c, "getenv")
func wasiGetenv(_ name: UnsafePointer<UInt8>) -> UnsafePointer<UInt8>?

func wasiEnvironmentValue(_ name: String) -> String? {
    var bytes = Array(name.utf8)
    bytes.append(0)
    guard let value = bytes.withUnsafeBufferPointer({ wasiGetenv($0.baseAddress!) }) else { return nil }
    return String(cString: value)
}

func standardError(_ text: String) {
    var bytes = Array(text.utf8)
    var at = 0
    while at < bytes.count {
        let n = bytes.withUnsafeMutableBytes { b in wasiWrite(2, b.baseAddress! + at, b.count - at) }
        if n <= 0 { return }
        at += Int(n)
    }
}
