import ArgumentParser
import OCI

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a stored image's config, layers and platform as JSON.")

    @Argument(help: "Images: names or digest prefixes.")
    var references: [String]

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let store = try storeOptions.setUp()
            var images: [StoredImage] = []
            for r in references { images.append(try store.image(r)) }
            print(try store.inspectJSON(images))
        }
    }
}
