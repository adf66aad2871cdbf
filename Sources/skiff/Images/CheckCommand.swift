import ArgumentParser
import OCI
import Skiff

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify the store: every blob against its digest, every image against its blobs, every cached root filesystem, every container record.",
        discussion: "Exits 1 if anything is damaged. Leftovers of interrupted work are listed but harmless; skiff prune removes them.")

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let store = try storeOptions.setUp()
            var report = try store.check()
            let containers = try ContainerStore(imageStore: store)
            let listed = containers.all()
            for (id, why) in containers.unlistedDirectories() {
                if why.hasPrefix("no config.json") {
                    report.leftovers.append("container directory \(id): \(why)")
                } else {
                    report.problems.append("container \(id): \(why)")
                }
            }
            for line in report.problems { print("damaged: \(line)") }
            for line in report.leftovers { print("leftover: \(line)") }
            print("checked \(report.blobsChecked) blobs, \(report.imagesChecked) images, \(report.rootFilesystemsChecked) root filesystems, \(listed.count) containers: \(report.problems.isEmpty ? "no damage" : "\(report.problems.count) damaged")\(report.leftovers.isEmpty ? "" : ", \(report.leftovers.count) leftovers (skiff prune)")")
            if !report.problems.isEmpty { throw ExitCode(1) }
        }
    }
}
