/// The raw connection values given on the command line (nil = flag not given).
///
/// Kept as strings so that `ConnectionOptions.resolve` can validate them and say,
/// in one sentence, which flag was wrong.
public struct ConnectionFlags: Sendable, Equatable {
    /// `-h/--host`.
    public var host: String?
    /// `-p/--port`.
    public var port: String?
    /// `-s/--socket`.
    public var socket: String?
    /// `-a/--pass` (visible in `ps`: the CLI should warn).
    public var pass: String?
    /// `--user`.
    public var user: String?
    /// `-n/--db`.
    public var db: String?
    /// `-u/--url`.
    public var url: String?
    /// `--connect-timeout` in seconds, if the CLI offers it.
    public var connectTimeout: String?

    public init(host: String? = nil, port: String? = nil, socket: String? = nil, pass: String? = nil,
                user: String? = nil, db: String? = nil, url: String? = nil, connectTimeout: String? = nil) {
        self.host = host
        self.port = port
        self.socket = socket
        self.pass = pass
        self.user = user
        self.db = db
        self.url = url
        self.connectTimeout = connectTimeout
    }
}

extension ConnectionFlags: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Like the synthesized description, with the password replaced by `***`.
    public var description: String {
        "ConnectionFlags(host: \(host ?? "nil"), port: \(port ?? "nil"), socket: \(socket ?? "nil"), "
            + "pass: \(pass == nil ? "nil" : "***"), user: \(user ?? "nil"), db: \(db ?? "nil"), "
            + "url: \(url == nil ? "nil" : "<given>"), connectTimeout: \(connectTimeout ?? "nil"))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["description": description], displayStyle: .struct)
    }
}
