import Foundation

/// One parsed `INFO everything` reply: every field kept as text, the common ones typed.
///
/// Parsing never throws and never traps: lines without a colon are counted in
/// `unparsedLineCount` and skipped, values that are not numbers make the typed
/// accessor return nil, and every field stays reachable as a string through
/// `fields` / `subscript(section:key:)`. Section names are lower-cased
/// (`server`, `commandstats`, …); fields before any `# Section` header go under `""`.
public struct InfoSnapshot: Sendable, Equatable {
    /// When the reply was received (rates divide by the difference of two of these).
    public var takenAt: Date
    /// Section (lower-cased) → field → raw value, exactly as Redis sent it (CR stripped).
    public var fields: [String: [String: String]]
    /// Section names in the order they appeared.
    public var sectionOrder: [String]
    /// Per-command statistics from `cmdstat_<name>` lines (subcommands as `client|setname`).
    public var commandStats: [String: CommandStat]
    /// Error prefix → count from `errorstat_<PREFIX>:count=N` lines (Redis ≥ 6.2).
    public var errorStats: [String: Int]
    /// Command → percentile name (`p50`, `p99.9`) → microseconds, from `latency_percentiles_usec_<cmd>` (Redis ≥ 7).
    public var latencyPercentiles: [String: [String: Double]]
    /// One entry per `dbN:` line, sorted by database number.
    public var keyspace: [KeyspaceEntry]
    /// Redis ≥ 8 `INFO keysizes` histograms (`dbN_distrib_…` lines), sorted by DB then metric; empty before 8.
    public var keySizes: [KeySizeHistogram] = []
    /// Non-empty lines that were neither a section header nor `key:value`.
    public var unparsedLineCount: Int

    // MARK: - Parsing

    /// Parses the text of an `INFO` reply (LF or CRLF line endings). Never fails.
    ///
    /// Works on the text's UTF-8 bytes (`InfoSnapshot+Parsing.swift`): the collector parses a reply of a few hundred
    /// lines every interval for every node, and splitting it by `Character` cost about 1 ms a reply.
    public init(text: String, takenAt: Date) {
        var text = text
        self = text.withUTF8 { InfoSnapshot(utf8: $0, takenAt: takenAt) }
    }

    // MARK: - Raw access

    /// The raw value of `key` in `section` (lower-case section name, e.g. `"memory"`).
    public subscript(section section: String, key key: String) -> String? {
        fields[section.lowercased()]?[key]
    }

    /// The raw value of `key`, looked up in `section` first and then in every other section
    /// (fields have moved between sections across Redis versions).
    public func value(_ key: String, preferring section: String) -> String? {
        if let value = fields[section]?[key] { return value }
        for name in sectionOrder where name != section {
            if let value = fields[name]?[key] { return value }
        }
        return nil
    }

    /// Every typed integer is a count, size or duration: a negative value (Dragonfly and others print -1
    /// for what they do not track) reads as unknown.
    private func int(_ key: String, _ section: String) -> Int? {
        value(key, preferring: section).flatMap { Int($0.trimmingBlanks()) }.flatMap { $0 >= 0 ? $0 : nil }
    }

    private func string(_ key: String, _ section: String) -> String? {
        value(key, preferring: section)
    }

    /// A finite, non-negative decimal below 10^15 (CPU seconds), or nil.
    private func seconds(_ key: String, _ section: String) -> Double? {
        value(key, preferring: section).flatMap { Double($0.trimmingBlanks()) }.flatMap { $0.isFinite && $0 >= 0 && $0 < 1e15 ? $0 : nil }
    }

    // MARK: - CPU

    /// `used_cpu_sys` + `used_cpu_user`: the CPU seconds the server process has used since it started (nil when either
    /// is missing or not a sane number).
    public var usedCPUSeconds: Double? {
        guard let system = seconds("used_cpu_sys", "cpu"), let user = seconds("used_cpu_user", "cpu") else { return nil }
        return system + user
    }

    // MARK: - Server

    /// `redis_version`, e.g. `7.0.15`.
    public var redisVersion: String? { string("redis_version", "server") }
    /// `redis_mode`: `standalone`, `cluster` or `sentinel`.
    public var redisMode: String? { string("redis_mode", "server") }
    /// `run_id`: changes on every restart.
    public var runID: String? { string("run_id", "server") }
    /// `uptime_in_seconds`.
    public var uptimeSeconds: Int? { int("uptime_in_seconds", "server") }

    // MARK: - Clients

    /// `connected_clients`.
    public var connectedClients: Int? { int("connected_clients", "clients") }
    /// `blocked_clients`.
    public var blockedClients: Int? { int("blocked_clients", "clients") }

    // MARK: - Memory

    /// `used_memory`.
    public var usedMemoryBytes: Int? { int("used_memory", "memory") }
    /// `used_memory_rss`.
    public var usedMemoryRSSBytes: Int? { int("used_memory_rss", "memory") }
    /// `maxmemory` (0 means no limit).
    public var maxmemoryBytes: Int? { int("maxmemory", "memory") }
    /// `maxmemory_policy`, e.g. `allkeys-lru`.
    public var maxmemoryPolicy: String? { string("maxmemory_policy", "memory") }

    // MARK: - Stats

    /// `total_commands_processed` (counter).
    public var totalCommandsProcessed: Int? { int("total_commands_processed", "stats") }
    /// `keyspace_hits` (counter).
    public var keyspaceHits: Int? { int("keyspace_hits", "stats") }
    /// `keyspace_misses` (counter).
    public var keyspaceMisses: Int? { int("keyspace_misses", "stats") }
    /// `expired_keys` (counter).
    public var expiredKeys: Int? { int("expired_keys", "stats") }
    /// `evicted_keys` (counter).
    public var evictedKeys: Int? { int("evicted_keys", "stats") }
    /// `total_net_input_bytes` (counter).
    public var totalNetInputBytes: Int? { int("total_net_input_bytes", "stats") }
    /// `total_net_output_bytes` (counter).
    public var totalNetOutputBytes: Int? { int("total_net_output_bytes", "stats") }
    /// `instantaneous_ops_per_sec` (Redis's own sampled estimate).
    public var instantaneousOpsPerSecond: Int? { int("instantaneous_ops_per_sec", "stats") }
    /// `rejected_connections` (counter).
    public var rejectedConnections: Int? { int("rejected_connections", "stats") }

    // MARK: - Replication and cluster

    /// `role`: `master` or `slave`.
    public var role: String? { string("role", "replication") }
    /// `cluster_enabled:1` → true, `0` → false, missing → nil.
    public var clusterEnabled: Bool? {
        switch int("cluster_enabled", "cluster") {
        case .some(0): return false
        case .some: return true
        case .none: return nil
        }
    }
}

// MARK: - Parts

/// One `cmdstat_<name>` line.
public struct CommandStat: Sendable, Equatable {
    public var calls: Int
    public var usec: Int
    public var usecPerCall: Double
    /// Calls rejected before running (ACL, OOM …); nil before Redis 6.2.
    public var rejectedCalls: Int?
    /// Calls that ran and returned an error; nil before Redis 6.2.
    public var failedCalls: Int?

    public init(calls: Int, usec: Int, usecPerCall: Double, rejectedCalls: Int? = nil, failedCalls: Int? = nil) {
        self.calls = calls
        self.usec = usec
        self.usecPerCall = usecPerCall
        self.rejectedCalls = rejectedCalls
        self.failedCalls = failedCalls
    }

    init(pairs: [String: String]) {
        let calls = pairs["calls"].flatMap { Int($0) } ?? 0
        let usec = pairs["usec"].flatMap { Int($0) } ?? 0
        let perCall = pairs["usec_per_call"].flatMap { Double($0) }.flatMap { $0.isFinite ? $0 : nil }
        self.init(calls: calls, usec: usec,
                  usecPerCall: perCall ?? (calls > 0 ? Double(usec) / Double(calls) : 0),
                  rejectedCalls: pairs["rejected_calls"].flatMap { Int($0) },
                  failedCalls: pairs["failed_calls"].flatMap { Int($0) })
    }
}

/// One `dbN:keys=…,expires=…,avg_ttl=…` line.
public struct KeyspaceEntry: Sendable, Equatable {
    public var db: Int
    public var keys: Int
    /// Keys with a TTL.
    public var expires: Int
    /// Redis's sampled average TTL of keys with a TTL, in milliseconds (0 when none).
    public var avgTTLMilliseconds: Int

    public init(db: Int, keys: Int, expires: Int, avgTTLMilliseconds: Int) {
        self.db = db
        self.keys = keys
        self.expires = expires
        self.avgTTLMilliseconds = avgTTLMilliseconds
    }

    /// An element of the snapshot document's `keyspace` array.
    public var json: JSONValue {
        .object([("db", .int(db)), ("keys", .int(keys)), ("expires", .int(expires)), ("avg_ttl_ms", .int(avgTTLMilliseconds))])
    }
}

// MARK: - Helpers

extension StringProtocol {
    /// Without leading and trailing spaces and tabs. INFO is ASCII, and Foundation's `trimmingCharacters(in:)` goes
    /// through NSString (the collector parses a few hundred lines every interval).
    func trimmingBlanks() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
