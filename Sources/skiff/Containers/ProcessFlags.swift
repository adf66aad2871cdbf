import ArgumentParser
import Skiff

/// The options that decide a container's process, shared by `skiff run` and `skiff convert`
/// (which bakes them into the module) with docker run's spellings.
struct ProcessFlags: ParsableArguments {
    @Option(name: [.customShort("e"), .customLong("env")], help: "Set an environment variable (K=V, or K to take the host's value).")
    var environment: [String] = []

    @Option(name: .customLong("env-file"), help: "Read environment variables from a file (K=V lines).")
    var environmentFiles: [String] = []

    @Option(name: [.customShort("w"), .customLong("workdir")], help: "Working directory inside the container.")
    var workingDirectory: String?

    @Option(name: [.customShort("u"), .customLong("user")], help: "Run as this user: name|uid[:group|gid], looked up in the image's /etc/passwd and /etc/group.")
    var user: String?

    @Option(name: .customLong("entrypoint"), help: "Replace the image's Entrypoint (and its Cmd); \"\" clears it.")
    var entrypoint: String?

    func apply(to options: inout ContainerOptions) {
        options.entrypoint = entrypoint
        options.environment = environment
        options.environmentFiles = environmentFiles
        options.workingDirectory = workingDirectory
        options.user = user
    }
}
