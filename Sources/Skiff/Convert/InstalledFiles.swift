import Foundation

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
}
