/// Which cache cachewatch watches (`target` in the snapshot JSON).
public struct TargetDescription: Equatable, Sendable {
    /// `redis` (memcached may follow).
    public var kind: String
    /// `host:port` or the unix socket path; never holds a password.
    public var address: String
    /// The selected logical database.
    public var db: Int
    /// `standalone` or `cluster`.
    public var mode: String

    public init(kind: String = "redis", address: String, db: Int, mode: String = "standalone") {
        self.kind = kind
        self.address = address
        self.db = db
        self.mode = mode
    }

    /// The `target` object of the snapshot document.
    public var json: JSONValue {
        .object([("kind", .string(kind)), ("address", .string(address)), ("db", .int(db)), ("mode", .string(mode))])
    }
}
