import Dispatch
import Foundation
import LinuxKernel
import Logging
import OCI
import WasiRuntime
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SkiffError.Code {
    /// The container ran out of its memory limit before it started (exit status 137, an OOM kill).
    public static let memoryLimit = SkiffError.Code("memoryLimit")
}

/// Containers whose process is a WebAssembly module: WASI images (platform `wasip1/wasm` or
/// `wasi/wasm`, wasm layer media types) and any image whose entrypoint file begins with
/// `\0asm`. They run on WasmKit (module WasiRuntime) instead of the RISC-V emulator, with the
/// same container life cycle: record, log, `--rm`, `ps`, `stop`/`kill`, exit statuses.
///
/// WASI preview 1 reaches files only through preopened host directories, so the container's
/// root is a host directory: the image's tree copied out once into the container's directory
/// (`rootfs/`), kept between starts as its writable state (removed with the container). Bind
/// mounts are preopens at their targets (`:ro` enforced), `--tmpfs` an empty directory.
/// What WASI has no notion of (users, terminals' attributes, sockets, signals in the guest) is
/// not emulated: see docs/wasi-workloads.md.
struct WasiContainer {
    let images: ImageStore
    let containers: ContainerStore
    let logger: Logger
    let traceSystemCalls: Bool
    /// The resolved program: its canonical path in the container.
    let program: String

    /// Whether the image says it is WASI (platform or layer media types).
    static func isWASI(_ image: StoredImage) -> Bool {
        image.platform.isWASI || image.layers.contains { MediaType.wasmLayers.contains($0.mediaType) }
    }

    /// The container's program when it is a WebAssembly module (by the image, or by the
    /// `\0asm` at the start of its entrypoint file); nil for a Linux program.
    static func program(for record: ContainerRecord, image: StoredImage, root: ContainerFileSystem) throws(SkiffError) -> String? {
        let byImage = isWASI(image)
        guard let first = record.process.arguments.first else { return nil }
        let found = resolveProgram(first, environment: record.process.environment, root: root)
        if let found, WasiRuntime.isModule(root.readFile(found, limit: 4) ?? []) { return found }
        guard byImage else { return nil }
        guard let found else {
            throw SkiffError(.commandNotFound, "exec: \"\(first)\": module file not found in the container")
        }
        return found
    }

    /// `name` as a path in the container: itself when it has a slash, else the first PATH entry
    /// holding a regular file of that name. Canonical (symlinks resolved inside the container).
    static func resolveProgram(_ name: String, environment: [String], root: ContainerFileSystem) -> String? {
        var candidates: [String]
        if name.contains("/") {
            candidates = [name.hasPrefix("/") ? name : "/" + name]
        } else {
            let path = environment.last(where: { $0.hasPrefix("PATH=") }).map { String($0.dropFirst(5)) } ?? RootfsRunner.defaultPath
            candidates = path.split(separator: ":").map { ($0.hasSuffix("/") ? String($0) : $0 + "/") + name }
            // runwasi's images name the module relative to the root (Entrypoint ["app.wasm"]).
            candidates.append("/" + name)
        }
        for c in candidates {
            guard let resolved = try? root.resolve(c), let status = resolved.status, status.isRegular else { continue }
            return resolved.path
        }
        return nil
    }

    /// The container's root directory on the host.
    func rootDirectory(_ record: ContainerRecord) -> String { containers.directory(record.id) + "/rootfs" }

    /// Runs the container's module to its end; its exit status.
    func run(_ record: inout ContainerRecord, saved: Bool, mount: ContainerRootMount) throws(SkiffError) -> Int32 {
        let root = rootDirectory(record)
        try materializeRoot(at: root, from: mount.root, record: record)
        let modulePath = root + program
        let bytes: [UInt8]
        do {
            bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: modulePath)))
        } catch {
            throw SkiffError(.commandNotFound, "exec: \"\(program)\": cannot read the module: \(error.localizedDescription)")
        }
        guard WasiRuntime.isModule(bytes) else {
            throw SkiffError(.commandNotExecutable, "exec: \"\(program)\": not a WebAssembly module (a WASI image's entrypoint must be one)")
        }

        var preopens = [WasiPreopen(guestPath: "/", hostPath: root, readOnly: record.readOnly)]
        for m in record.mounts {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: m.source, isDirectory: &isDirectory) else {
                throw SkiffError(.notFound, "bind source \(m.source) does not exist")
            }
            guard isDirectory.boolValue else {
                throw SkiffError(.unsupported, "bind mount of the file \(m.source): a WASI module reaches only directories (WASI preopens); bind its directory instead")
            }
            preopens.append(WasiPreopen(guestPath: m.target, hostPath: m.source, readOnly: m.readOnly))
        }
        var temporaries: [String] = []
        defer { for t in temporaries { _ = ContainerStore.removeTree(t) } }
        for (i, t) in record.tmpfs.enumerated() {
            let directory = containers.directory(record.id) + "/tmpfs-\(i)"
            _ = ContainerStore.removeTree(directory)
            guard mkdir(directory, 0o1777) == 0 else {
                throw SkiffError(.io, "cannot make the --tmpfs directory for \(t): \(String(cString: strerror(errno)))")
            }
            temporaries.append(directory)
            preopens.append(WasiPreopen(guestPath: t, hostPath: directory))
        }
        if record.network?.publish.isEmpty == false {
            logger.warning("-p is ignored: a WASI (preview 1) module has no sockets")
        }

        var configuration = WasiProcessConfiguration(arguments: record.process.arguments, preopens: preopens)
        // WASI has no working directory: programs built on wasi-libc start in "/". PWD tells the
        // others (and shells) where the container meant them to be.
        var environment = record.process.environment
        if !environment.contains(where: { $0.hasPrefix("PWD=") }) { environment.append("PWD=" + record.process.workingDirectory) }
        configuration.environment = environment
        configuration.memoryLimit = record.limits?.memory
        if traceSystemCalls {
            configuration.trace = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }

        let streams = try ContainerRunner.beginRun(&record, saved: saved, containers: containers)
        defer { streams.end() }
        let capture = streams.capture
        // A module cannot be interrupted: SIGINT/SIGTERM/SIGHUP end the container (128+N) as
        // they would end a Linux process without handlers, with its record kept right.
        let signals = SignalExit(record: record, containers: containers, capture: capture)
        defer { signals.cancel() }

        logger.debug("starting the WASI module \(program) in container \(record.shortID) on \(WasiRuntime.engine)")
        let termination: WasiTermination
        do {
            termination = try WasiRuntime.run(module: bytes, configuration)
        } catch {
            switch error.kind {
            case .invalidModule, .notRunnable: throw SkiffError(.commandNotExecutable, "exec: \"\(program)\": \(error.message)")
            case .memoryLimit: throw SkiffError(.memoryLimit, error.message)
            case .preopen: throw SkiffError(.io, error.message)
            }
        }
        if case .trapped(let reason) = termination {
            FileHandle.standardError.write(Data("wasm trap: \(reason)\n".utf8))
        }
        return termination.exitStatus
    }

    /// Copies the image's tree into `directory` the first time the container starts.
    private func materializeRoot(at directory: String, from root: ContainerFileSystem, record: ContainerRecord) throws(SkiffError) {
        var st = stat()
        if lstat(directory, &st) == 0 { return }
        let staging = directory + ".new"
        _ = ContainerStore.removeTree(staging)
        guard mkdir(staging, 0o755) == 0 else {
            throw SkiffError(.io, "cannot make the root directory of container \(record.name): \(String(cString: strerror(errno)))")
        }
        let oldMask = umask(0)
        defer { umask(oldMask) }
        do throws(SkiffError) {
            try ContainerCopy.copyOut(from: "/.", to: staging, root: root)
        } catch {
            _ = ContainerStore.removeTree(staging)
            throw SkiffError(error.code, "cannot copy the image's files for the WASI module: \(error.message)")
        }
        guard rename(staging, directory) == 0 else {
            throw SkiffError(.io, "cannot make the root directory of container \(record.name): \(String(cString: strerror(errno)))")
        }
    }
}

/// Ends a WASI container on SIGINT, SIGTERM or SIGHUP with status 128+N.
private final class SignalExit: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    init(record: ContainerRecord, containers: ContainerStore, capture: ContainerOutputCapture) {
        let queue = DispatchQueue(label: "skiff.wasi.signals")
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler {
                capture.end()
                var ended = record
                ended.state.status = .exited
                ended.state.exitCode = 128 + signalNumber
                ended.state.finishedAt = Timestamp.now()
                ended.state.pid = nil
                if ended.autoRemove { try? containers.remove(ended) } else { try? containers.save(ended) }
                _exit(128 + signalNumber)
            }
            source.resume()
            sources.append(source)
        }
        #if os(Linux)
        // libdispatch arms a signal source later, on its own thread, by installing its handler;
        // until then the signal is ignored (above) and lost. Wait for the three handlers (a few
        // milliseconds; at most two seconds each), so that a container shown as running always
        // hears them (under load a SIGTERM sent right after `skiff ps` showed it was lost).
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            for _ in 0..<2000 where SignalExit.isIgnored(signalNumber) { usleep(1000) }
        }
        #endif
    }

    private static func isIgnored(_ signalNumber: Int32) -> Bool {
        var current = sigaction()
        guard sigaction(signalNumber, nil, &current) == 0 else { return false }
        return unsafeBitCast(current.__sigaction_handler, to: UInt.self) == 1   // SIG_IGN
    }

    func cancel() {
        for s in sources { s.cancel() }
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] { signal(signalNumber, SIG_DFL) }
    }
}
