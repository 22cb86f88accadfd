/// A recording that cannot be written or read, as one sentence for the user.
public struct RecordingError: Error, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
