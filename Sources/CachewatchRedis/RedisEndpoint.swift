/// Where and how to connect to Redis. `displayAddress` never includes the password.
public struct RedisEndpoint: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    public var host: String
    public var port: Int
    /// A unix socket path; when set it wins over host/port.
    public var socketPath: String?
    /// ACL user name (nil: the default user).
    public var username: String?
    public var password: String?
    /// The logical database to SELECT.
    public var db: Int
    public var connectTimeoutMilliseconds: Int
    public var commandTimeoutMilliseconds: Int
    /// The name set with CLIENT SETNAME so operators see us in CLIENT LIST.
    public var clientName: String
    /// Sends `READONLY` after connecting (`--scan-replicas`: the census reads a Redis Cluster replica).
    public var clusterReadOnly = false

    public init(host: String = "127.0.0.1", port: Int = 6379, socketPath: String? = nil, username: String? = nil,
                password: String? = nil, db: Int = 0, connectTimeoutMilliseconds: Int = 2000,
                commandTimeoutMilliseconds: Int = 5000, clientName: String = "cachewatch") {
        self.host = host
        self.port = port
        self.socketPath = socketPath
        self.username = username
        self.password = password
        self.db = db
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.commandTimeoutMilliseconds = commandTimeoutMilliseconds
        self.clientName = clientName
    }

    /// `host:port` (IPv6 hosts in brackets) or the socket path; never the password.
    public var displayAddress: String {
        if let socketPath, !socketPath.isEmpty { return socketPath }
        // A byte search: `String.contains(String)` goes through Foundation's `range(of:)`, and this is built per census page.
        return host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// `user@address (db N)`; the password is never shown.
    public var description: String {
        (username.map { "\($0)@" } ?? "") + displayAddress + (db != 0 ? " (db \(db))" : "") + (password != nil ? " (password set)" : "")
    }

    /// Mirrors (dump, debugger) show the password as `****`.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "host": host, "port": port, "socketPath": socketPath as Any, "username": username as Any,
            "password": password == nil ? "nil" : "****", "db": db,
            "connectTimeoutMilliseconds": connectTimeoutMilliseconds, "commandTimeoutMilliseconds": commandTimeoutMilliseconds,
            "clientName": clientName,
        ])
    }
}
