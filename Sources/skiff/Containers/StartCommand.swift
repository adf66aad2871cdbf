import ArgumentParser
import OCI
import Skiff

struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Run a stopped container again, with the same writable layer.",
        discussion: """
            The container's process runs again as it was created (command, environment, user, mounts), \
            over the files it left. Skiff has no daemon, so a container runs attached to the skiff \
            process that starts it: give -a. The exit status is the container's.
            """)

    @Flag(name: .shortAndLong, help: "Attach stdout and stderr (required: Skiff runs containers in the foreground).")
    var attach = false

    @Flag(name: .shortAndLong, help: "Attach stdin as well.")
    var interactive = false

    @Flag(name: .long, help: "Log every system call the guest makes (to stderr).")
    var debug = false

    @Argument(help: "The container's name or id.")
    var container: String

    func run() async throws {
        CommandLogging.bootstrap(debug: debug)
        let status: Int32
        do {
            guard attach else {
                throw SkiffError(.unsupported, "skiff start runs a container in the foreground, attached: use skiff start -a \(container) (Skiff has no daemon to run it detached)")
            }
            let images = try ImageStore.openDefault()
            let containers = try ContainerStore(imageStore: images)
            var record = try containers.find(container)
            if interactive { record.process.interactive = true }
            var runner = ContainerRunner(images: images, containers: containers)
            runner.traceSystemCalls = debug
            status = try runner.start(record)
        } catch let error as SkiffError {
            printError(error.message)
            HostProcess.exit(error.runExitStatus)
        }
        HostProcess.exit(status)
    }
}
