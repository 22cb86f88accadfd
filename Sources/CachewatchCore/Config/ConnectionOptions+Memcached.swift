import Foundation

/// One memcached server to watch.
public struct MemcachedServerAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port` (`[v6]:port` for IPv6).
    public var displayAddress: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Choosing memcached: `--memcached host:port` flags, or the app's `CACHE_BACKEND=memcached` settings.
extension ConnectionOptions {
    public static let defaultMemcachedPort = 11211

    /// The memcached servers to watch, or nil to watch Redis.
    ///
    /// - `--memcached` values (`host:port`, `host`, `[v6]:port`) win; given with Redis flags they are an error.
    /// - With no connection flags at all, `CACHE_BACKEND=memcached` (environment, then `.env`) selects
    ///   `CACHE_MEMCACHED_HOST` / `CACHE_MEMCACHED_PORT` (each: environment, then `.env`, then 127.0.0.1 / 11211).
    public static func memcachedServers(flags memcachedFlags: [String], redisFlags: ConnectionFlags,
                                        environment: [String: String], dotEnv: [String: String]) throws -> [MemcachedServerAddress]? {
        let redisGiven = [redisFlags.host, redisFlags.port, redisFlags.socket, redisFlags.url, redisFlags.db, redisFlags.user, redisFlags.pass]
            .contains { given($0) != nil }
        if !memcachedFlags.isEmpty {
            if redisGiven {
                throw ConnectionOptionsError(kind: .badHost, message: "--memcached cannot be combined with Redis connection flags (-h, -p, -s, -u, -n, -a, --user); give one or the other.")
            }
            return try memcachedFlags.map(parseMemcachedAddress)
        }
        guard !redisGiven else { return nil }
        func setting(_ name: String) -> (value: String, source: String)? {
            if let value = given(environment[name]) { return (value, "\(name) in the environment") }
            if let value = given(dotEnv[name]) { return (value, "\(name) in .env") }
            return nil
        }
        guard let backend = setting("CACHE_BACKEND"), backend.value.trimmingCharacters(in: .whitespaces).lowercased() == "memcached" else {
            return nil
        }
        var server = MemcachedServerAddress(host: defaultHost, port: defaultMemcachedPort)
        if let found = setting("CACHE_MEMCACHED_HOST") { server.host = try validHost(found.value, source: found.source) }
        if let found = setting("CACHE_MEMCACHED_PORT") { server.port = try validPort(found.value, source: found.source) }
        return [server]
    }

    /// `host:port`, `host` (port 11211) or `[v6]:port`, validated like `--host`/`--port`.
    public static func parseMemcachedAddress(_ raw: String) throws -> MemcachedServerAddress {
        let text = raw.trimmingCharacters(in: .whitespaces)
        var host = text
        var port: String?
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") { port = String(rest.dropFirst()) } else if !rest.isEmpty { host = text }
        } else if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon {
            host = String(text[..<colon])
            port = String(text[text.index(after: colon)...])
        }
        return MemcachedServerAddress(host: try validHost(host, source: "--memcached"),
                                      port: try port.map { try validPort($0, source: "--memcached") } ?? defaultMemcachedPort)
    }
}
