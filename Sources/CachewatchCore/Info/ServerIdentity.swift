import Foundation

/// Which server answered INFO and its own version: Redis, Valkey, Dragonfly, Garnet, KeyDB.
///
/// Forks keep `redis_version` as a compatibility level (Valkey 8.1.8 says 7.2.4, Dragonfly 1.40 says 7.4.0)
/// and name themselves elsewhere: `server_name:valkey` with `valkey_version:8.1.8`, `dragonfly_version:df-v1.40.1`,
/// `garnet_version`, `keydb_version`. The name comes from `server_name` when present, else from the first
/// known `<name>_version` field, else it is `redis`; the version from `<name>_version` (Dragonfly's `df-v`
/// prefix dropped; `redis_version` for Redis itself, never for a fork). `server_mode` (Valkey) and `redis_mode` (Redis) are both read.
/// Every value is bounded (printable ASCII, at most 40 bytes): anything else reads as unknown (nil).
public struct ServerIdentity: Sendable, Equatable {
    /// `redis`, `valkey`, `dragonfly`, `garnet`, `keydb`, or the `server_name` as given (lower-cased).
    public var name: String
    /// The server's own version (`8.1.8` for Valkey 8.1.8); nil when unknown.
    public var version: String?
    /// `redis_version`: the Redis compatibility level the server announces; nil when missing.
    public var redisVersion: String?
    /// `standalone`, `cluster` or `sentinel` (`server_mode` or `redis_mode`); nil when missing.
    public var mode: String?

    public init(name: String, version: String?, redisVersion: String?, mode: String?) {
        self.name = name
        self.version = version
        self.redisVersion = redisVersion
        self.mode = mode
    }

    /// Forks that announce themselves in a `<name>_version` field without `server_name`.
    static let knownForks = ["valkey", "dragonfly", "garnet", "keydb"]
    static let maxValueBytes = 40

    /// Reads the identity from INFO (`server` section first, then any section).
    public init(info: InfoSnapshot) {
        func field(_ key: String) -> String? { Self.bounded(info.value(key, preferring: "server")) }
        let redisVersion = field("redis_version")
        var name = "redis"
        if let declared = field("server_name")?.lowercased(), !declared.isEmpty {
            name = declared
        } else if let fork = Self.knownForks.first(where: { info.value($0 + "_version", preferring: "server") != nil }) {
            name = fork
        }
        // A fork's `redis_version` is not its version: without its own field, the version is unknown.
        var version = name == "redis" ? redisVersion : field(name + "_version")
        if name == "dragonfly", let raw = version {
            var trimmed = Substring(raw)
            if trimmed.hasPrefix("df-") { trimmed = trimmed.dropFirst(3) }
            if trimmed.hasPrefix("v") { trimmed = trimmed.dropFirst() }
            version = trimmed.isEmpty ? raw : String(trimmed)
        }
        self.init(name: name, version: version, redisVersion: redisVersion, mode: field("server_mode") ?? field("redis_mode"))
    }

    /// `valkey 8.1.8`, `redis 7.0.15`, `dragonfly ?` (version unknown).
    public var displayText: String { name + " " + (version ?? "?") }

    /// A value fit to show and report: trimmed, printable ASCII without spaces, at most 40 bytes; else nil.
    static func bounded(_ value: String?) -> String? {
        guard let value else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.count <= maxValueBytes,
              trimmed.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        return trimmed
    }
}

extension InfoSnapshot {
    /// The server's name, own version and mode (see `ServerIdentity`).
    public var server: ServerIdentity { ServerIdentity(info: self) }
}
