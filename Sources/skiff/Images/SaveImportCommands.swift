import ArgumentParser
import Foundation
import OCI

struct SaveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save",
        abstract: "Write stored images to a tar file as an OCI image layout.",
        discussion: "The file is readable by skiff import, skopeo (oci-archive:FILE) and docker load.")

    @Option(name: .shortAndLong, help: "The tar file to write ('-' for standard output).")
    var output: String

    @Argument(help: "The stored images.")
    var references: [String]

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let store = try storeOptions.setUp()
            var images: [StoredImage] = []
            for r in references { images.append(try store.image(r)) }
            try store.save(images, to: output)
        }
    }
}

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import images from a docker save tar, an OCI layout (directory or tar), or a root filesystem tar.",
        discussion: """
            A root filesystem tar (optionally gzip, zstd, bzip2 or xz compressed) becomes a one-layer \
            image for --platform, as docker import does; it needs a NAME. Archives that name their \
            images keep those names unless NAME is given.
            """)

    @Option(help: "The platform of a root filesystem tar, or the one to pick from a multi-platform layout.")
    var platform = "linux/riscv64"

    @Flag(name: .shortAndLong, help: "Print only the imported names.")
    var quiet = false

    @Argument(help: "The archive or OCI layout directory.")
    var file: String

    @Argument(help: "Name for the imported image, e.g. myimage:1.")
    var name: String?

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors(debug: storeOptions.debug) {
            let store = try storeOptions.setUp()
            let importer = ImageImporter(store: store, platform: try Platform(parsing: platform))
            let images = try importer.importImages(from: file, name: try name.map(ImageReference.init(parsing:)))
            for image in images {
                do throws(SkiffError) {
                    try store.rootFilesystem(for: image)
                } catch {
                    throw SkiffError(error.code, "imported \(image.name), but could not build its root filesystem: \(error.message)")
                }
                print(quiet ? image.name : "Imported \(image.name) (\(image.platform), \(image.digest))")
            }
        }
    }
}
