#if !SKIFF_SINGLE_MODULE
import LinuxKernel
import ModuleBundle
#endif

// The entry point of a module made by `skiff convert`: the image's filesystem is embedded, the
// root is writable (an in-memory layer over the image, gone at exit), and the command line is
// shaped like container2wasm's so its users can switch:
//
//   wasmtime out.wasm [--entrypoint CMD] [--no-stdin] [-e K=V]... [-w DIR] [--debug] [--] [COMMAND [ARG...]]
//
// COMMAND replaces the image's Cmd, --entrypoint its Entrypoint (and drops Cmd), as docker run.
// The environment is the image's, then the runtime's own variables, then -e. Directories the
// runtime maps (wasmtime --dir HOST::/mnt/x, node's preopens) appear at their guest paths.

struct ConvertedCommandLine {
    var entrypoint: String?
    var noStandardInput = false
    var environment: [String] = []
    var workingDirectory: String?
    /// `-u USER[:GROUP]`, looked up in the image's /etc/passwd and /etc/group.
    var user: String?
    var debug = false
    /// `-t`: the container runs on a terminal (WasiTerminal.swift), first of this size.
    var terminal: WindowSize?
    var command: [String] = []

    static let usage = """
        usage: MODULE.wasm [--entrypoint CMD] [--no-stdin] [-e K=V]... [-w DIR] [-u USER] [--debug] [--] [COMMAND [ARG...]]
          --entrypoint CMD  replace the image's entrypoint (and its default command)
          --no-stdin        the container reads /dev/null as its standard input
          -e, --env K=V     set an environment variable (K alone: the runtime's value of K)
          -w, --workdir DIR working directory inside the container
          -u, --user USER   user name or uid, optionally :group or :gid (the image's passwd and group)
          --debug           trace the container's system calls on stderr
          -t, --tty         run on a terminal: stdin is typed keys, stdout the screen (docs/web.md)
          --tty-size RxC    its first window size (default 24x80; implies -t)

        """

    static func parse(_ arguments: [String]) -> Result<ConvertedCommandLine, CommandLineError> {
        var result = ConvertedCommandLine()
        // WasmKit hands its own `--` separator on to the module: a leading one is the runtime's.
        var i = arguments.first == "--" ? 1 : 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--" { i += 1; break }
            if !a.hasPrefix("-") || a == "-" { break }
            // --option=value as well as --option value.
            var name = a, inline: String?
            if a.hasPrefix("--"), let eq = a.firstIndex(of: "=") {
                name = String(a[..<eq])
                inline = String(a[a.index(after: eq)...])
            }
            switch name {
            case "--no-stdin": result.noStandardInput = true
            case "--debug": result.debug = true
            case "-t", "--tty": result.terminal = result.terminal ?? WindowSize(rows: 24, columns: 80)
            case "-h", "--help": return .failure(CommandLineError(message: "", status: 0))
            case "--entrypoint", "-e", "--env", "-w", "--workdir", "-u", "--user", "--tty-size":
                let value: String
                if let inline { value = inline } else {
                    guard i + 1 < arguments.count else { return .failure(CommandLineError(message: "\(a) needs a value", status: 125)) }
                    i += 1
                    value = arguments[i]
                }
                switch name {
                case "--entrypoint": result.entrypoint = value
                case "-w", "--workdir": result.workingDirectory = value
                case "-u", "--user": result.user = value
                case "--tty-size":
                    guard let size = WasiTerminal.parseSize(value) else { return .failure(CommandLineError(message: "--tty-size wants ROWSxCOLUMNS, not \(value)", status: 125)) }
                    result.terminal = size
                default: result.environment.append(value)
                }
            default:
                return .failure(CommandLineError(message: "unknown option \(a)", status: 125))
            }
            i += 1
        }
        result.command = Array(arguments[i...])
        return .success(result)
    }
}

struct CommandLineError: Error {
    var message: String
    var status: Int32
}

enum ConvertedRunner {
    /// Runs the container of `filesystem` (the module's embedded image, or one the page pulled:
    /// PulledImage.swift) with `image`'s Entrypoint, Cmd, Env, WorkingDir and user.
    static func run(_ image: BundleConfiguration, filesystem: FSImageReader, arguments: [String]) -> Int32 {
        let commandLine: ConvertedCommandLine
        switch ConvertedCommandLine.parse(arguments) {
        case .failure(let error):
            standardError((error.message.isEmpty ? "" : "skiff: \(error.message)\n") + ConvertedCommandLine.usage)
            return error.status
        case .success(let parsed):
            commandLine = parsed
        }
        // Entrypoint + Cmd as docker run: COMMAND replaces Cmd; --entrypoint replaces Entrypoint and drops Cmd.
        var entrypoint = image.entrypoint
        var command = image.command
        if let e = commandLine.entrypoint {
            entrypoint = e.isEmpty ? [] : [e]
            command = []
        }
        if !commandLine.command.isEmpty { command = commandLine.command }
        let argv = entrypoint + command
        guard !argv.isEmpty else {
            standardError("skiff: no command specified: the image \(image.imageName) has no Entrypoint or Cmd; give one after the options\n")
            return 125
        }
        let workingDirectory = commandLine.workingDirectory ?? image.workingDirectory
        guard workingDirectory.hasPrefix("/") else {
            standardError("skiff: the working directory '\(workingDirectory)' is invalid: it needs to be an absolute path\n")
            return 125
        }

        let host = WasiHost()
        let hostname = WasiRunner.containerID(host)
        var configuration = KernelConfiguration()
        configuration.hostname = Array(hostname.utf8)
        configuration.traceSystemCalls = commandLine.debug
        // WASI preview 1 has no sockets: guest TCP connections go out through a relay when the
        // runtime passed one in (the web page with `skiff serve --network host`), else the
        // container has a loopback network of its own (see docs/convert.md).
        if let relay = WasiRelay.find() {
            host.relay = relay
            configuration.network = .host
        } else {
            configuration.network = .loopback
        }
        configuration.standardInputIsNull = commandLine.noStandardInput
        if commandLine.debug { configuration.log = { message in standardError(message + "\n") } }
        if let size = commandLine.terminal {
            host.terminal = WasiTerminal(input: commandLine.noStandardInput ? nil : 0, size: size)
            configuration.terminal = host.terminal!.setup
        }
        let root = ContainerFileSystem(image: filesystem, inMemoryUpperOver: host)
        var imageEnvironment = image.environment
        configuration.user = ContainerUser(uid: image.uid, gid: image.gid, groups: image.groups)
        if let spec = commandLine.user {
            do throws(UserLookupError) {
                let resolved = try ContainerUserResolver(root: root).resolve(spec)
                configuration.user = resolved.user
                // HOME from the passwd entry unless the image sets it, as runc does.
                if !imageEnvironment.contains(where: { $0.hasPrefix("HOME=") }) { imageEnvironment.append("HOME=" + resolved.home) }
            } catch {
                standardError("skiff: \(error.message)\n")
                return 125
            }
        }
        let kernel = Kernel(host: host, configuration: configuration)
        kernel.mountContainerRoot(root, at: "/")
        for preopen in WasiHost.preopenedDirectories() where preopen.name != PulledImage.preopenName {
            guard preopen.name.hasPrefix("/"), preopen.name != "/" else {
                standardError("skiff: the runtime's directory '\(preopen.name)' is not mapped: map host directories to absolute paths other than / (wasmtime --dir HOST::/mnt/x)\n")
                continue
            }
            do throws(Errno) {
                let target = try root.prepareMountPoint(preopen.name, directory: true)
                kernel.mountHostDirectory(preopen.fd, at: target, readOnly: false)
            } catch {
                standardError("skiff: cannot map a directory at \(preopen.name): \(error.name)\n")
                return 125
            }
        }

        var outside: [String] = []
        for i in 0..<wasiEnvironCount() { outside.append(String(cString: wasiEnvironEntry(i))) }
        let environment = ContainerEnvironment.merge(imageEnvironment + ["HOSTNAME=" + hostname] + (host.terminal == nil ? [] : ["TERM=xterm"]) + outside,
                                                     commandLine.environment) { wasiEnvironmentValue($0) }
        return WasiRunner.runFirstProcess(kernel, arguments: argv, environment: environment,
                                          workingDirectory: workingDirectory, messagePrefix: "skiff")
    }
}
