import ArgumentParser
import Skiff

@main
struct SkiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skiff",
        abstract: "Run Linux container images anywhere: natively on a RISC-V emulator, or as one WebAssembly file.",
        subcommands: [
            RunCommand.self, PsCommand.self, StartCommand.self, StopCommand.self, RestartCommand.self, KillCommand.self,
            WaitCommand.self, AttachCommand.self, ExecCommand.self, CopyCommand.self, TopCommand.self, LogsCommand.self, RemoveContainerCommand.self, ContainerProcessCommand.self,
            ExportCommand.self, CommitCommand.self, PullCommand.self, PushCommand.self, ImagesCommand.self, InspectCommand.self, TagCommand.self,
            RemoveImageCommand.self, PruneCommand.self, CheckCommand.self, SaveCommand.self, ImportCommand.self, LoginCommand.self, LogoutCommand.self,
            ConvertCommand.self, BuildWasmCommand.self, ServeCommand.self,
        ]
    )

    /// `skiff run --rootfs` in its plain form skips ArgumentParser (see `QuickRun`); everything
    /// else, help and errors included, goes through it.
    static func main() async {
        if let quick = QuickRun(arguments: CommandLine.arguments) { quick.run() }
        await main(nil)
    }
}
