import ArgumentParser
import Foundation
import Logging
import OCI

/// Options every image command shares.
struct StoreOptions: ParsableArguments {
    @Flag(name: .long, help: "Print diagnostics (also: SKIFF_LOG=debug|trace).")
    var debug = false

    func setUp() throws -> ImageStore {
        CommandLogging.bootstrap(debug: debug)
        return try ImageStore.openDefault()
    }
}

/// Options of commands that talk to a registry.
struct RegistryFlags: ParsableArguments {
    @Flag(name: .long, help: "Use plain HTTP for the registry (always the case for localhost and 127.0.0.1).")
    var insecure = false

    @Option(name: .long, help: "Layers transferred at once.")
    var parallel = 3

    var options: RegistryOptions {
        var o = RegistryOptions()
        o.insecure = insecure
        o.maxConcurrentTransfers = max(1, parallel)
        return o
    }
}

enum CommandLogging {
    nonisolated(unsafe) private static var done = false

    /// Sends swift-log output to stderr at `debug` (or `SKIFF_LOG`'s level), warnings otherwise.
    static func bootstrap(debug: Bool) {
        guard !done else { return }
        done = true
        let env = logSetting.flatMap { Logger.Level(rawValue: $0) }
        let level = debug ? (env ?? .debug) : (env ?? .warning)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// `SKIFF_LOG`, lowercased (getenv: ProcessInfo's environment costs `skiff run` start-up time).
    private static var logSetting: String? {
        getenv("SKIFF_LOG").map { String(cString: $0).lowercased() }
    }

    static var isDebug: Bool {
        let env = logSetting
        return env == "debug" || env == "trace"
    }
}

/// Runs a command body, turning errors into one clear line on stderr and exit status 1
/// (with the error code and cause under --debug).
func reportingErrors(debug: Bool, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as SkiffError {
        printError((debug || CommandLogging.isDebug) ? error.debugDescription : error.message)
        throw ExitCode.failure
    } catch let error as ExitCode {
        throw error
    } catch is CancellationError {
        printError("cancelled")
        throw ExitCode.failure
    } catch {
        printError("\(error)")
        throw ExitCode.failure
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("skiff: \(message)\n".utf8))
}

/// The progress display for a transfer: live on a terminal, silent otherwise or with -q.
func makeProgress(quiet: Bool, verb: String) -> any TransferProgress {
    (!quiet && TerminalProgress.stderrIsTerminal) ? TerminalProgress(verb: verb) : SilentProgress()
}

func parseReference(_ s: String) throws -> ImageReference {
    try ImageReference(parsing: s)
}
