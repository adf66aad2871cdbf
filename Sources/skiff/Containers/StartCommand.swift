import ArgumentParser
import OCI
import Skiff

struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Run stopped containers again, with the same writable layer.",
        discussion: """
            The container's process runs again as it was created (command, environment, user, mounts), \
            over the files it left. Without -a it runs detached, in a skiff process of its own (see \
            skiff ps, logs, stop); with -a it runs attached to this one, whose exit status is the container's.
            """)

    @Flag(name: .shortAndLong, help: "Attach stdout and stderr (the container runs in this process).")
    var attach = false

    @Flag(name: .shortAndLong, help: "Attach stdin as well.")
    var interactive = false

    @Argument(help: "The containers' names or ids (one with -a).")
    var containers: [String]

    /// --debug: with -a, also every system call the guest makes.
    @OptionGroup var storeOptions: StoreOptions
    var debug: Bool { storeOptions.debug }

    func run() async throws {
        CommandLogging.bootstrap(debug: debug)
        guard attach || interactive else {
            try await forEachContainer(containers, storeOptions: storeOptions) { store, record, key in
                if !store.isRunning(record) { try DetachedContainer.launch(record) }
                return key
            }
            return
        }
        let status: Int32
        do {
            guard containers.count == 1 else {
                throw SkiffError(.invalidArgument, "you cannot start and attach multiple containers at once")
            }
            let images = try ImageStore.openDefault()
            let containers = try ContainerStore(imageStore: images)
            var record = try containers.find(self.containers[0])
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
