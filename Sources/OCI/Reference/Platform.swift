/// A platform `os/architecture[/variant]` as OCI indexes and `--platform` spell it.
public struct Platform: Codable, Hashable, Sendable, CustomStringConvertible {
    public var os: String
    public var architecture: String
    public var variant: String?
    public var osVersion: String?
    public var osFeatures: [String]?

    enum CodingKeys: String, CodingKey {
        case os, architecture, variant
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    public init(os: String, architecture: String, variant: String? = nil) {
        self.os = os
        self.architecture = architecture
        self.variant = variant.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The platforms Skiff's emulators run: RV64GC and x86-64 Linux programs (WASI modules
    /// run on WasmKit besides).
    public static let linuxRISCV64 = Platform(os: "linux", architecture: "riscv64")
    public static let linuxAMD64 = Platform(os: "linux", architecture: "amd64")
    public static let runnable: [Platform] = [.linuxAMD64, .linuxRISCV64]

    /// The platform taken when none is asked for, as docker picks it: the host's own when Skiff
    /// runs it (riscv64 on a riscv64 host), else linux/amd64, which nearly every image has and
    /// Skiff runs on any host.
    public static var hostDefault: Platform {
        #if arch(riscv64)
        return .linuxRISCV64
        #else
        return .linuxAMD64
        #endif
    }

    /// Whether Skiff takes an image for `image` when asked for `request` (nil: no --platform):
    /// without a request any platform it runs (the host default first, see `ImageIndex.select`);
    /// with one, what `accepts` says.
    public static func takes(_ image: Platform, for request: Platform?) -> Bool {
        guard let request else { return image.isWASI || runnable.contains { $0.matches(image) } }
        return request.accepts(image)
    }

    /// How a request reads in messages: the platform, or Skiff's default and what it runs.
    public static func describe(_ request: Platform?) -> String {
        request?.description ?? "\(hostDefault) (the default; Skiff runs \(runnable.map(\.description).joined(separator: ", ")) and WASI images)"
    }

    /// Parses `os/arch[/variant]`; architecture aliases (x86_64, aarch64, armhf) are normalised
    /// the way docker does.
    public init(parsing string: String) throws(SkiffError) {
        let parts = string.lowercased().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isPlatformChar) }) else {
            throw SkiffError(.invalidArgument, "invalid platform '\(string)': expected os/arch[/variant], e.g. linux/riscv64 or linux/arm64/v8")
        }
        var arch = parts[1]
        var variant = parts.count == 3 ? parts[2] : nil
        switch arch {
        case "x86_64", "x86-64": arch = "amd64"
        case "aarch64": arch = "arm64"; if variant == "8" { variant = "v8" }
        case "armhf": arch = "arm"; variant = variant ?? "v7"
        case "armel": arch = "arm"; variant = variant ?? "v6"
        case "i686", "i586", "i486": arch = "386"
        default: break
        }
        self.init(os: parts[0], architecture: arch, variant: variant)
    }

    public var description: String {
        variant.map { "\(os)/\(architecture)/\($0)" } ?? "\(os)/\(architecture)"
    }

    /// WASI preview 1 modules (runwasi's images say `wasi/wasm`, the CNCF wasm artifact `wasip1/wasm`).
    public static let wasip1 = Platform(os: "wasip1", architecture: "wasm")

    /// A WASI (preview 1) image: its entrypoint is a WebAssembly module Skiff runs on WasmKit.
    public var isWASI: Bool { architecture == "wasm" && (os == "wasip1" || os == "wasi") }

    /// Whether an image for `other` satisfies a request for `self`: os and architecture equal,
    /// and the variant equal when the request names one (arm64's implicit variant is v8).
    /// `wasi/wasm` and `wasip1/wasm` are the same platform.
    public func matches(_ other: Platform) -> Bool {
        if isWASI && other.isWASI { return true }
        guard os == other.os, architecture == other.architecture else { return false }
        guard let wanted = normalizedVariant else { return true }
        return wanted == other.normalizedVariant
    }

    /// Whether Skiff takes an image for `other` when asked for `self`: a match, or a WASI image
    /// when `self` is linux/riscv64 (the default before amd64 guests; Skiff runs both, an
    /// index's riscv64 entry is preferred, see `ImageIndex.select`).
    public func accepts(_ other: Platform) -> Bool {
        matches(other) || (os == "linux" && architecture == "riscv64" && other.isWASI)
    }

    private var normalizedVariant: String? {
        if architecture == "arm64" && (variant == nil || variant == "v8") { return "v8" }
        return variant
    }
}

private func isPlatformChar(_ c: Character) -> Bool {
    c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-" || c == ".")
}
