import Foundation

/// Where and how to connect to Redis, resolved from flags, a URL, the environment and `.env`.
///
/// Precedence, field by field — each field takes the first value found in:
/// 1. flags (`-h`, `-p`, `-s`, `-a`, `--user`, `-n`),
/// 2. the `-u/--url` URL,
/// 3. the environment: `CACHE_REDIS_HOST`, `CACHE_REDIS_PORT`, `CACHE_REDIS_DB`,
///    `REDISCLI_AUTH` then `CACHE_REDIS_PASSWORD` for the password, `CACHE_REDIS_CONNECT_TIMEOUT`,
/// 4. the `.env` file's `CACHE_REDIS_*` values (the environment beats `.env`, as in pydantic-settings),
/// 5. defaults: 127.0.0.1, 6379, db 0, no password, 5 s connect timeout.
///
/// Empty values count as not given. A socket (from `-s`, or a `unix://` URL when no `-h`/`-p`
/// flag was given) replaces host and port. The password never appears in `description`,
/// `displayAddress` or any error message.
public struct ConnectionOptions: Sendable, Equatable {
    /// Where the password came from.
    public enum PasswordSource: String, Sendable {
        case flag, url, env, dotenv, none
    }

    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 6379
    public static let defaultConnectTimeoutSeconds = 5.0

    public var host: String
    public var port: Int
    /// A unix socket path; when set, host and port are not used.
    public var socketPath: String?
    /// The ACL user name (AUTH user password), nil for the default user.
    public var username: String?
    public var password: String?
    public var db: Int
    /// The databases to census (`-n 0,1,3`, `-n all`); `.single(db)` unless a list or `all` was given.
    public var databases: DatabaseSelection = .single(0)
    public var connectTimeoutSeconds: Double
    public var passwordSource: PasswordSource

    public init(host: String = ConnectionOptions.defaultHost, port: Int = ConnectionOptions.defaultPort,
                socketPath: String? = nil, username: String? = nil, password: String? = nil, db: Int = 0,
                connectTimeoutSeconds: Double = ConnectionOptions.defaultConnectTimeoutSeconds,
                passwordSource: PasswordSource = .none) {
        self.host = host
        self.port = port
        self.socketPath = socketPath
        self.username = username
        self.password = password
        self.db = db
        self.databases = .single(db)
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.passwordSource = passwordSource
    }

    // MARK: - Resolution

    /// Resolves the options (see the type's comment for the precedence); throws one-sentence errors.
    public static func resolve(flags: ConnectionFlags, environment: [String: String],
                               dotEnv: [String: String]) throws -> ConnectionOptions {
        do {
            return try resolveUnredacted(flags: flags, environment: environment, dotEnv: dotEnv)
        } catch var error as ConnectionOptionsError {
            // Belt and braces: no error may quote a password, even one typed into the wrong flag.
            let candidates = [flags.pass, environment["REDISCLI_AUTH"], environment["CACHE_REDIS_PASSWORD"], dotEnv["CACHE_REDIS_PASSWORD"]]
            for candidate in candidates.compactMap({ $0 }) where !candidate.isEmpty {
                error.message = ConnectionOptions(password: candidate).redact(error.message)
            }
            throw error
        }
    }

    private static func resolveUnredacted(flags: ConnectionFlags, environment: [String: String],
                                          dotEnv: [String: String]) throws -> ConnectionOptions {
        let url = try given(flags.url).map(ParsedConnectionURL.parse)
        func setting(_ name: String) -> (value: String, source: String)? {
            if let value = given(environment[name]) { return (value, "\(name) in the environment") }
            if let value = given(dotEnv[name]) { return (value, "\(name) in .env") }
            return nil
        }

        var options = ConnectionOptions()

        // Host
        if let host = given(flags.host) {
            options.host = try validHost(host, source: "--host")
        } else if let host = url?.host {
            options.host = host
        } else if let found = setting("CACHE_REDIS_HOST") {
            options.host = try validHost(found.value, source: found.source)
        }

        // Port
        if let port = given(flags.port) {
            options.port = try validPort(port, source: "--port")
        } else if let port = url?.port {
            options.port = port
        } else if let found = setting("CACHE_REDIS_PORT") {
            options.port = try validPort(found.value, source: found.source)
        }

        // Socket
        if let socket = given(flags.socket) {
            options.socketPath = socket
        } else if given(flags.host) == nil, given(flags.port) == nil, let socket = url?.socketPath {
            options.socketPath = socket
        }

        // Database
        if let db = given(flags.db) {
            options.databases = try DatabaseSelection.parse(db, source: "--db")
        } else if let db = url?.db {
            options.databases = .single(db)
        } else if let found = setting("CACHE_REDIS_DB") {
            options.databases = try DatabaseSelection.parse(found.value, source: found.source)
        }
        options.db = options.databases.primary

        // User and password
        options.username = given(flags.user) ?? url?.username
        if let pass = given(flags.pass) {
            (options.password, options.passwordSource) = (pass, .flag)
        } else if let pass = url?.password {
            (options.password, options.passwordSource) = (pass, .url)
        } else if let pass = given(environment["REDISCLI_AUTH"]) ?? given(environment["CACHE_REDIS_PASSWORD"]) {
            (options.password, options.passwordSource) = (pass, .env)
        } else if let pass = given(dotEnv["CACHE_REDIS_PASSWORD"]) {
            (options.password, options.passwordSource) = (pass, .dotenv)
        }

        // Connect timeout
        if let timeout = given(flags.connectTimeout) {
            options.connectTimeoutSeconds = try validTimeout(timeout, source: "--connect-timeout")
        } else if let found = setting("CACHE_REDIS_CONNECT_TIMEOUT") {
            options.connectTimeoutSeconds = try validTimeout(found.value, source: found.source)
        }
        return options
    }

    // MARK: - Display

    /// `host:port` (`[v6]:port` for IPv6) or the socket path; never contains the password.
    public var displayAddress: String {
        if let socketPath { return socketPath }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Replaces every occurrence of the password (plain or percent-encoded) in `text` with `***`.
    public func redact(_ text: String) -> String {
        guard let password, !password.isEmpty else { return text }
        var out = text.replacingOccurrences(of: password, with: "***")
        // As a URL would carry it (RFC 3986 unreserved characters kept, %-hex in either case).
        if let encoded = password.addingPercentEncoding(withAllowedCharacters: ConnectionOptions.unreserved), encoded != password {
            out = out.replacingOccurrences(of: encoded, with: "***", options: .caseInsensitive)
        }
        return out
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    // MARK: - Validation

    static func given(_ value: String?) -> String? {
        guard let value else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : value
    }

    static func validHost(_ raw: String, source: String) throws -> String {
        var host = raw.trimmingCharacters(in: .whitespaces)
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.contains("://") {
            throw ConnectionOptionsError(kind: .badHost, message: "The host (from \(source)) looks like a URL; pass URLs with -u/--url.")
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } == true || $0 == "/" || $0 == "@" }) else {
            throw ConnectionOptionsError(kind: .badHost, message: "The host \"\(DisplayEscaper.escape(raw))\" (from \(source)) is not a valid host name or address.")
        }
        return host
    }

    static func validPort(_ raw: String, source: String) throws -> Int {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard text.allSatisfy(\.isASCIIDigit), let port = Int(text), (1...65535).contains(port) else {
            throw ConnectionOptionsError(kind: .badPort,
                                         message: "The port \"\(DisplayEscaper.escape(raw))\" (from \(source)) is not a number between 1 and 65535.")
        }
        return port
    }

    /// A connect timeout (`5`, `5s`, `500ms` …) within `DurationBounds.connectTimeout`.
    private static func validTimeout(_ raw: String, source: String) throws -> Double {
        do {
            return try BoundedDuration(raw.trimmingCharacters(in: .whitespaces), bounds: .connectTimeout).seconds
        } catch let error as DurationRangeError {
            throw ConnectionOptionsError(kind: .badTimeout, message: error.message(name: source) + ".")
        }
    }
}

// MARK: - Never print the password

extension ConnectionOptions: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The options with the password shown as `***`.
    public var description: String {
        "ConnectionOptions(address: \(displayAddress), username: \(username ?? "nil"), password: \(password == nil ? "nil" : "***"), "
            + "db: \(databases.description), connectTimeoutSeconds: \(connectTimeoutSeconds), passwordSource: \(passwordSource.rawValue))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["description": description], displayStyle: .struct)
    }
}
