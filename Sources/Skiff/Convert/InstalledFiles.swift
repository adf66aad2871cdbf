import Foundation
import OCI

/// Where `skiff` finds what it ships beside itself (the core module, the web page's files):
/// next to the executable, in ../share/skiff, and, for a build from a checkout
/// (.build/<triple>/release/skiff), in the executable's folder and its five nearest ancestors.
enum InstalledFiles {
    /// Candidate paths for `name` as installed, then for `checkoutPath` in a checkout, in order.
    static func candidates(_ name: String, checkoutPath: String) -> [String] {
        let executable = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        var result = [directory.appendingPathComponent(name).path,
                      directory.appendingPathComponent("../share/skiff/" + name).standardized.path]
        for _ in 0..<5 {
            result.append(directory.appendingPathComponent(checkoutPath).path)
            directory = directory.deletingLastPathComponent()
        }
        return result
    }

    /// The path of `name`: $`variable` when set, else the first readable candidate; an error
    /// naming `what` and how to build it otherwise.
    static func locate(_ name: String, checkoutPath: String, variable: String, what: String,
                       build: String) throws(SkiffError) -> String {
        if let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw SkiffError(.notFound, "\(variable) names \(path), which cannot be read")
            }
            return path
        }
        if let found = candidates(name, checkoutPath: checkoutPath).first(where: { FileManager.default.isReadableFile(atPath: $0) }) {
            return found
        }
        throw SkiffError(.notFound, "\(what) (\(name)) was not found next to skiff, in ../share/skiff or in the checkout's .build-wasm: build it with \(build), or set \(variable)")
    }
}
