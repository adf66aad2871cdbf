import ArgumentParser
import OCI

struct ImagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "images", abstract: "List the images in the local store.")

    @Flag(name: .shortAndLong, help: "Print only the image digests (short form).")
    var quiet = false

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let store = try storeOptions.setUp()
            let records = try store.records()
            if quiet {
                var seen = Set<String>()
                for r in records where seen.insert(r.digest.short).inserted { print(r.digest.short) }
                return
            }
            var rows = [["REPOSITORY", "TAG", "DIGEST", "PLATFORM", "SIZE"]]
            for r in records {
                let ref = r.reference
                var repo = ref.map { ImageReference(registry: $0.registry, repository: $0.repository).familiar } ?? r.name
                if repo.hasSuffix(":latest") { repo.removeLast(":latest".count) }
                let size = (try? store.load(r)).map { formatBytes($0.size) } ?? "damaged"
                rows.append([repo, ref?.tag ?? "<none>", r.digest.short, r.platform.description, size])
            }
            printTable(rows)
        }
    }
}

/// Left-aligned columns separated by three spaces.
func printTable(_ rows: [[String]]) {
    guard let first = rows.first else { return }
    var widths = first.map(\.count)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    for row in rows {
        let line = row.enumerated().map { i, cell in
            i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
        }.joined(separator: "   ")
        print(line)
    }
}
