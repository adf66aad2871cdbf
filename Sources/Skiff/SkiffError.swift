/// The tool-level error: a code for scripts and a message a person can act on.
public struct SkiffError: Error, CustomStringConvertible {
    public enum Code: String {
        case invalidArgument
        case notFound
        case notExecutable
        case ioError
    }
    public var code: Code
    public var message: String
    /// The exit status the CLI uses (125 for Skiff's own failures, 126/127 as a shell would).
    public var exitStatus: Int32

    public init(_ code: Code, _ message: String, exitStatus: Int32 = 125) {
        self.code = code
        self.message = message
        self.exitStatus = exitStatus
    }

    public var description: String { message }
}
