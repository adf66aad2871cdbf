/// The one error type of the Skiff tool: a code a program can match on and a message a person
/// can act on ("image has no linux/riscv64 variant (available: linux/amd64, linux/arm64)"), with
/// the underlying error kept for `--debug` output. Modelled on apple/containerization's
/// `ContainerizationError`. Other modules (Skiff, the CLI) reuse it.
public struct SkiffError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The user asked for something malformed (a bad reference, platform, flag combination).
        public static let invalidArgument = Code("invalidArgument")
        /// An image, tag, blob or file that does not exist.
        public static let notFound = Code("notFound")
        /// The registry refused the credentials (or none were given where they are needed).
        public static let unauthorized = Code("unauthorized")
        /// The registry denied an operation even with valid credentials.
        public static let denied = Code("denied")
        /// Content did not match its digest or declared size.
        public static let digestMismatch = Code("digestMismatch")
        /// Well-formed input that Skiff does not handle (a media type, a platform, a feature).
        public static let unsupported = Code("unsupported")
        /// Malformed data from a registry or file (bad JSON, truncated archive).
        public static let invalidData = Code("invalidData")
        /// A network failure that persisted after retries.
        public static let network = Code("network")
        /// The registry answered with an error status.
        public static let registry = Code("registry")
        /// A local file-system failure (permissions, disk full).
        public static let io = Code("io")
        /// Something that should not happen: a bug in Skiff.
        public static let internalError = Code("internalError")
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }

    /// The message with its code and the underlying error, for `--debug`.
    public var debugDescription: String {
        var s = "[\(code)] \(message)"
        if let underlying { s += " (underlying: \(String(reflecting: underlying)))" }
        return s
    }

    /// Wraps any error as a SkiffError, keeping SkiffErrors as they are.
    public static func wrap(_ error: any Error, _ code: Code = .internalError, _ context: String) -> SkiffError {
        if let e = error as? SkiffError { return e }
        return SkiffError(code, "\(context): \(error)", underlying: error)
    }
}

/// A POSIX failure described for a person: "cannot open /x: Permission denied".
func posixError(_ what: String, _ path: String, errno e: Int32 = currentErrno()) -> SkiffError {
    SkiffError(.io, "cannot \(what) \(path): \(errnoDescription(e))")
}
