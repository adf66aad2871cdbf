import Foundation
import OCI

/// `skiff convert --web DIR IMAGE`: a static site that runs the converted module in a browser
/// page with a terminal (docs/web.md). DIR receives
///
///     index.html, skiff*.js                    the page, its worker, the network relay, /files, image pulls (web/)
///     xterm/xterm.js, xterm-addon-fit.js, xterm.css   xterm.js 4, taken from where it is installed
///     container.wasm                           the module (ImageConverter)
///     site.json                                what the page shows and loads
///
/// Nothing is downloaded: the page's files are found as the core module is (next to `skiff`, in
/// ../share/skiff, in the checkout), and xterm.js in $SKIFF_XTERM_DIR, in the page's own folder
/// (an installation can put it there), or in the browser build PyPI's `webssh` package ships.
public struct WebSiteWriter {
    /// The name of the module inside the site.
    public static let moduleName = "container.wasm"
    static let pageFiles = ["index.html", "skiff.js", "skiff-page-files.js", "skiff-worker.js", "skiff-sockets.js", "skiff-files.js", "skiff-pull.js"]
    static let xtermFiles = ["xterm.js", "xterm-addon-fit.js", "xterm.css"]

    public let pageDirectory: String
    public let xtermDirectory: String

    /// Finds the page's files and xterm.js, or explains what to install.
    public static func locate() throws(SkiffError) -> WebSiteWriter {
        let page = try locatePage()
        return WebSiteWriter(pageDirectory: page, xtermDirectory: try locateXterm(page: page))
    }

    /// Creates `directory` (or reuses it) and writes the page into it; the module is written to
    /// `modulePath(in:)` by the caller.
    public func write(to directory: String, imageName: String) throws(SkiffError) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: directory + "/xterm", withIntermediateDirectories: true)
            for name in Self.pageFiles {
                try replace(directory + "/" + name, with: pageDirectory + "/" + name)
            }
            for name in Self.xtermFiles {
                try replace(directory + "/xterm/" + name, with: xtermDirectory + "/" + Self.name(name, in: xtermDirectory))
            }
            let site: [String: String] = ["image": imageName, "module": Self.moduleName]
            let json = try JSONSerialization.data(withJSONObject: site, options: [.prettyPrinted, .sortedKeys])
            try json.write(to: URL(fileURLWithPath: directory + "/site.json"))
        } catch {
            throw SkiffError(.io, "cannot write the site to \(directory): \(error.localizedDescription)")
        }
    }

    public static func modulePath(in directory: String) -> String { directory + "/" + moduleName }

    private func replace(_ destination: String, with source: String) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: destination) { try fm.removeItem(atPath: destination) }
        try fm.copyItem(atPath: source, toPath: destination)
    }

    /// `name` as found in `directory`: webssh names its files xterm.min.js,
    /// xterm-addon-fit.min.js and (in css/) xterm.min.css.
    private static func name(_ name: String, in directory: String) -> String {
        let fm = FileManager.default
        let minified = name.replacingOccurrences(of: ".js", with: ".min.js").replacingOccurrences(of: ".css", with: ".min.css")
        for candidate in [name, minified, "../css/" + name, "../css/" + minified] where fm.isReadableFile(atPath: directory + "/" + candidate) {
            return candidate
        }
        return name
    }

    private static func hasXterm(_ directory: String) -> Bool {
        xtermFiles.allSatisfy { FileManager.default.isReadableFile(atPath: directory + "/" + name($0, in: directory)) }
    }

    /// The repository's web/ folder: $SKIFF_WEB_DIR, else `web` next to the `skiff` executable or
    /// in ../share/skiff, else the checkout's web/ (a build from a checkout).
    static func locatePage() throws(SkiffError) -> String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["SKIFF_WEB_DIR"], !path.isEmpty {
            guard pageFiles.allSatisfy({ FileManager.default.isReadableFile(atPath: path + "/" + $0) }) else {
                throw SkiffError(.notFound, "SKIFF_WEB_DIR names \(path), which does not hold \(pageFiles.joined(separator: ", "))")
            }
            return path
        }
        let candidates = InstalledFiles.candidates("web", checkoutPath: "web")
        if let found = candidates.first(where: { c in pageFiles.allSatisfy { FileManager.default.isReadableFile(atPath: c + "/" + $0) } }) {
            return found
        }
        throw SkiffError(.notFound, "the web page's files (index.html, skiff.js, skiff-worker.js, skiff-sockets.js) were not found next to skiff, in ../share/skiff/web or in the checkout's web/: set SKIFF_WEB_DIR")
    }

    /// xterm.js 4 with its fit add-on: $SKIFF_XTERM_DIR, else `xterm/` inside the page's folder,
    /// else the browser build in PyPI's `webssh` (webssh/static/js, found through python3).
    static func locateXterm(page: String) throws(SkiffError) -> String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["SKIFF_XTERM_DIR"], !path.isEmpty {
            guard hasXterm(path) else {
                throw SkiffError(.notFound, "SKIFF_XTERM_DIR names \(path), which does not hold xterm.js, xterm-addon-fit.js and xterm.css")
            }
            return path
        }
        if hasXterm(page + "/xterm") { return page + "/xterm" }
        if let webssh = pythonPackageDirectory("webssh"), hasXterm(webssh + "/static/js") { return webssh + "/static/js" }
        throw SkiffError(.notFound, "xterm.js was not found: install PyPI's webssh (python3 -m pip install webssh), which ships xterm.js 4 and its fit add-on, or set SKIFF_XTERM_DIR to a folder with xterm.js, xterm-addon-fit.js and xterm.css")
    }

    /// Where python3 (on PATH) imports `package` from, if it can.
    static func pythonPackageDirectory(_ package: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import os, \(package); print(os.path.dirname(\(package).__file__))"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return path.isEmpty ? nil : path
    }
}
