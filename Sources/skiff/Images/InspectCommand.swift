import ArgumentParser
import Foundation
import OCI
import Skiff

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show containers (their config, labels, state) or stored images (config, layers, platform) as JSON.",
        discussion: "A name is looked up among the containers first, then among the images, as docker does.")

    @Argument(help: "Container names or ids; image names or digest prefixes.")
    var references: [String]

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let store = try storeOptions.setUp()
            let containers = try ContainerStore(imageStore: store)
            var objects: [Any] = []
            for r in references {
                if let record = try? containers.find(r) {
                    objects.append(try JSONSerialization.jsonObject(with: JSONEncoder().encode(containers.current(record))))
                    continue
                }
                let json = try store.inspectJSON([try store.image(r)])
                objects += (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any]) ?? []
            }
            let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
