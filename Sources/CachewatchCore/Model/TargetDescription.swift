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
    /// Redis Cluster: every node and the cluster's state (`target.nodes`, `target.cluster`); nil otherwise.
    public var cluster: ClusterStatus?

    public init(kind: String = "redis", address: String, db: Int, mode: String = "standalone") {
        self.kind = kind
        self.address = address
        self.db = db
        self.mode = mode
    }

    /// The `target` object of the snapshot document.
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [("kind", .string(kind)), ("address", .string(address)), ("db", .int(db)), ("mode", .string(mode))]
        if let cluster {
            fields.append(("nodes", .array(cluster.nodes.map(\.json))))
            fields.append(("cluster", cluster.json))
        }
        return .object(fields)
    }
}
