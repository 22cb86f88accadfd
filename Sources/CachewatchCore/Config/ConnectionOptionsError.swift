/// A connection setting that cannot be used, explained in one sentence that never contains the password.
public struct ConnectionOptionsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, for tests and callers that branch on it.
    public enum Kind: String, Sendable {
        case badHost, badPort, badDB, badTimeout, malformedURL, unsupportedScheme, tlsUnsupported
    }

    public var kind: Kind
    /// One sentence for the terminal, e.g. `The port "70000" (from --port) is not a number between 1 and 65535.`
    public var message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
