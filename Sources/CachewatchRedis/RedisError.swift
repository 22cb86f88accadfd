import CachewatchCore

/// Everything that can go wrong talking to Redis, each as one clear sentence naming the address.
/// No case ever carries the password.
public enum RedisError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing listens on the address (ECONNREFUSED, or no socket file).
    case connectionRefused(address: String)
    /// The host name does not resolve.
    case hostNotFound(address: String)
    /// Connecting or waiting for a reply took longer than the timeout.
    case timeout(address: String, milliseconds: Int)
    /// The server requires a password and none (or no AUTH) was given (`NOAUTH`).
    case authRequired(address: String)
    /// The password, or the user/password pair, was rejected (`WRONGPASS`, `invalid password`).
    case wrongPassword(address: String, username: String?)
    /// The ACL user may not run the command (`NOPERM`); the connection stays usable.
    case noPermission(address: String, command: String)
    /// The server is loading its dataset (`LOADING`), typically right after a restart.
    case loading(address: String)
    /// A replica whose link to its master is down refuses reads (`MASTERDOWN`).
    case masterDown(address: String)
    /// The bytes read are not RESP, or hiredis reported a protocol error.
    case protocolError(address: String, detail: String)
    /// Any other error reply (e.g. `ERR unknown command` for a renamed CONFIG).
    case serverError(address: String, command: String, message: String)
    /// The server closed the connection or the socket failed.
    case connectionClosed(address: String, detail: String)
    /// cachewatch refused to send a command that is not on the read-only allow-list.
    case commandNotAllowed(command: String)
    /// The server turned the connection away: it already has `maxclients` clients (`ERR max number of clients reached`).
    case maxClients(address: String)
    /// `SELECT db` failed: the server has fewer databases (`ERR DB index is out of range`).
    case noSuchDatabase(address: String, db: Int)
    /// The unix socket path does not exist (ENOENT).
    case socketNotFound(path: String)

    /// One sentence for people.
    public var message: String {
        switch self {
        case .connectionRefused(let address):
            return "Could not connect to Redis at \(address): connection refused (is redis-server running there?)."
        case .hostNotFound(let address):
            return "Could not connect to Redis at \(address): host not found."
        case .timeout(let address, let milliseconds):
            return "Redis at \(address) did not answer within \(milliseconds) ms (timeout)."
        case .authRequired(let address):
            return "Redis at \(address) requires a password (NOAUTH): pass -a/--pass, REDISCLI_AUTH or CACHE_REDIS_PASSWORD."
        case .wrongPassword(let address, let username):
            if let username { return "Redis at \(address) rejected the password for user \(username) (WRONGPASS)." }
            return "Redis at \(address) rejected the password (WRONGPASS / invalid password)."
        case .noPermission(let address, let command):
            return "Redis at \(address) denies the '\(command)' command to this user (ACL NOPERM)."
        case .loading(let address):
            return "Redis at \(address) is loading its dataset into memory (LOADING); try again shortly."
        case .masterDown(let address):
            return "Redis at \(address) is a replica whose link to its master is down (MASTERDOWN)."
        case .protocolError(let address, let detail):
            return "Redis at \(address) sent a reply cachewatch cannot read (protocol error: \(detail))."
        case .serverError(let address, let command, let message):
            return "Redis at \(address) answered '\(command)' with an error: \(message)."
        case .connectionClosed(let address, let detail):
            return "The connection to Redis at \(address) was closed (\(detail))."
        case .commandNotAllowed(let command):
            return "cachewatch refused to send '\(command)': it only sends read-only commands."
        case .maxClients(let address):
            return "Redis at \(address) refused the connection: max number of clients reached (its maxclients setting)."
        case .noSuchDatabase(let address, let db):
            return "Redis at \(address) has no database \(db) (SELECT: DB index is out of range; see its `databases` setting)."
        case .socketNotFound(let path):
            return "Could not connect to Redis at \(path): no such file (is redis-server listening on that unix socket?)."
        }
    }

    public var description: String { message }

    /// A few words for a status line: `connection refused`, `timeout`, `wrong password` …
    public var summary: String {
        switch self {
        case .connectionRefused: return "connection refused"
        case .hostNotFound: return "host not found"
        case .timeout: return "timeout"
        case .authRequired: return "password required"
        case .wrongPassword: return "wrong password"
        case .noPermission(_, let command): return "'\(command)' denied by ACL"
        case .loading: return "loading dataset"
        case .masterDown: return "master link down"
        case .protocolError: return "protocol error"
        case .serverError(_, let command, _): return "'\(command)' failed"
        case .connectionClosed: return "connection closed"
        case .commandNotAllowed: return "command not allowed"
        case .maxClients: return "max number of clients reached"
        case .noSuchDatabase(_, let db): return "no database \(db) on this server"
        case .socketNotFound: return "no such socket file"
        }
    }

    /// True when the connection that produced this error is unusable and must be reopened.
    public var isConnectionError: Bool {
        switch self {
        case .connectionRefused, .hostNotFound, .timeout, .protocolError, .connectionClosed, .authRequired, .wrongPassword,
             .maxClients, .noSuchDatabase, .socketNotFound:
            return true
        case .noPermission, .loading, .masterDown, .serverError, .commandNotAllowed:
            return false
        }
    }

    /// True for a refusal that asking again will not change: denied by ACL, not on the allow-list, or an unknown
    /// (renamed, too new) command. LOADING, MASTERDOWN, BUSY and other server errors pass; so does a lost connection.
    public var isLastingRefusal: Bool {
        switch self {
        case .noPermission, .commandNotAllowed: return true
        case .serverError(_, _, let message): return message.lowercased().contains("unknown")
        default: return false
        }
    }

    // MARK: - Mapping

    /// Maps an error reply's text (`NOPERM …`, `LOADING …`) to a case; `command` is the command's name.
    /// The password, when given, is masked out of any server text.
    public static func fromReply(_ text: String, command: String, address: String, password: String? = nil,
                                 username: String? = nil) -> RedisError {
        let code = text.prefix { $0 != " " }.uppercased()
        let lowerCommand = command.lowercased()
        switch code {
        case "NOAUTH": return .authRequired(address: address)
        case "WRONGPASS": return .wrongPassword(address: address, username: username)
        case "NOPERM": return .noPermission(address: address, command: lowerCommand)
        case "LOADING": return .loading(address: address)
        case "MASTERDOWN": return .masterDown(address: address)
        default:
            if text.lowercased().contains("max number of clients reached") { return .maxClients(address: address) }
            if text.lowercased().contains("invalid password") { return .wrongPassword(address: address, username: username) }
            var clean = text
            if let password, !password.isEmpty { clean = clean.replacingOccurrences(of: password, with: "****") }
            // C0 and C1 controls (ESC, CSI U+009B), bidi overrides: escaped, never drawn (found by `make fuzz`).
            clean = DisplayEscaper.escape(clean)
            if clean.hasSuffix(".") { clean.removeLast() }
            return .serverError(address: address, command: lowerCommand, message: clean)
        }
    }

    /// Maps a hiredis context error (err code + errstr) to a case.
    static func fromContext(code: Int32, text: String, address: String, timeoutMilliseconds: Int) -> RedisError {
        let lower = text.lowercased()
        if lower.contains("no such file") { return .socketNotFound(path: address) }
        if lower.contains("refused") { return .connectionRefused(address: address) }
        if lower.contains("name or service not known") || lower.contains("nodename nor servname") || lower.contains("no address associated")
            || lower.contains("temporary failure in name resolution") || lower.contains("can't resolve") || lower.contains("not known") {
            return .hostNotFound(address: address)
        }
        if lower.contains("timed out") || lower.contains("temporarily unavailable") || lower.contains("would block") {
            return .timeout(address: address, milliseconds: timeoutMilliseconds)
        }
        if code == 4 /* REDIS_ERR_PROTOCOL */ { return .protocolError(address: address, detail: text) }
        if code == 3 /* REDIS_ERR_EOF */ { return .connectionClosed(address: address, detail: "server closed the connection") }
        return .connectionClosed(address: address, detail: text.isEmpty ? "I/O error" : lower)
    }
}
