// Why layers could not be flattened into a filesystem image. `description` is meant for a person.

public struct LayerError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
