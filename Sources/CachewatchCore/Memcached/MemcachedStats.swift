import Foundation

/// One parsed memcached `stats` reply (`STAT name value` lines up to `END`); numbers are bounded.
///
/// Parsing never throws and never traps: lines that are not `STAT name value` are counted in
/// `unparsedLineCount`; a value that is not a non-negative integer makes the typed accessor return nil;
/// integers above `Int.max` (memcached counters are 64-bit unsigned) are clamped to `Int.max`.
public struct MemcachedStats: Sendable, Equatable {
    /// When the reply was received (local clock; rates divide by differences of these).
    public var takenAt: Date
    /// `name` → raw value, exactly as sent (at most `maximumFields`, names and values capped in length).
    public var fields: [String: String]
    /// Non-empty lines that were not `STAT name value`, `END` or `OK`.
    public var unparsedLineCount: Int

    /// More fields than this are ignored (memcached 1.6 sends about 90).
    public static let maximumFields = 1024
    /// Names and values longer than this are cut.
    public static let maximumTextBytes = 256

    /// Parses the text of a `stats` (or `stats settings`) reply. Never fails.
    public init(text: String, takenAt: Date) {
        self.takenAt = takenAt
        var fields: [String: String] = [:]
        var unparsed = 0
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line == "END" || line == "OK" { continue }
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard parts.count >= 2, parts[0] == "STAT" else {
                unparsed += 1
                continue
            }
            guard fields.count < Self.maximumFields else { continue }
            let name = String(parts[1].prefix(Self.maximumTextBytes))
            let value = parts.count == 3 ? String(parts[2].prefix(Self.maximumTextBytes)) : ""
            fields[name] = value
        }
        self.fields = fields
        self.unparsedLineCount = unparsed
    }

    /// Stats built from fields directly (tests, combining several servers).
    public init(fields: [String: String], takenAt: Date) {
        self.takenAt = takenAt
        self.fields = fields
        self.unparsedLineCount = 0
    }

    // MARK: - Typed access

    /// A non-negative integer field (clamped to `Int.max`), nil when missing or not a number.
    public func integer(_ name: String) -> Int? {
        guard let text = fields[name] else { return nil }
        return Self.boundedInteger(text)
    }

    /// Digits only → Int (clamped to `Int.max`); anything else → nil.
    static func boundedInteger(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 40, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        if let value = Int(text) { return value }
        return Int.max   // all digits but too large
    }

    /// `version`, e.g. `1.6.18` (escaped for display).
    public var version: String? { fields["version"].map { DisplayEscaper.escape($0) } }
    /// `pid`: changes when the server restarts.
    public var pid: Int? { integer("pid") }
    /// `uptime` in seconds.
    public var uptimeSeconds: Int? { integer("uptime") }
    /// `time`: the server's own clock (unix seconds); TTLs are computed against it.
    public var serverTime: Int? { integer("time") }
    /// `curr_items`.
    public var currentItems: Int? { integer("curr_items") }
    /// `bytes` used by items.
    public var bytes: Int? { integer("bytes") }
    /// `limit_maxbytes` (memory limit, `-m`).
    public var limitMaxBytes: Int? { integer("limit_maxbytes") }
    /// `curr_connections`.
    public var currentConnections: Int? { integer("curr_connections") }
    /// `rejected_connections` (counter).
    public var rejectedConnections: Int? { integer("rejected_connections") }
    /// `get_hits` (counter).
    public var getHits: Int? { integer("get_hits") }
    /// `get_misses` (counter).
    public var getMisses: Int? { integer("get_misses") }
    /// `cmd_get` (counter).
    public var commandGets: Int? { integer("cmd_get") }
    /// `cmd_set` (counter).
    public var commandSets: Int? { integer("cmd_set") }
    /// `delete_hits` + `delete_misses` (counter).
    public var deletes: Int? {
        guard let hits = integer("delete_hits"), let misses = integer("delete_misses") else { return nil }
        return hits.addingReportingOverflow(misses).overflow ? Int.max : hits + misses
    }
    /// `evictions` (counter).
    public var evictions: Int? { integer("evictions") }
    /// `expired_unfetched` (counter): items that expired without ever being read.
    public var expiredUnfetched: Int? { integer("expired_unfetched") }
    /// `evicted_unfetched` (counter): items evicted without ever being read.
    public var evictedUnfetched: Int? { integer("evicted_unfetched") }

    // MARK: - Several servers

    /// Fields summed across servers (the app's client hashes keys over all of them).
    static let additiveFields = [
        "curr_items", "total_items", "bytes", "limit_maxbytes", "curr_connections", "total_connections", "rejected_connections",
        "cmd_get", "cmd_set", "cmd_flush", "cmd_touch", "get_hits", "get_misses", "get_expired", "delete_hits", "delete_misses",
        "incr_hits", "incr_misses", "decr_hits", "decr_misses", "cas_hits", "cas_misses", "touch_hits", "touch_misses",
        "evictions", "expired_unfetched", "evicted_unfetched", "reclaimed", "bytes_read", "bytes_written",
    ]

    /// One view of several servers: counters and sizes summed, the smallest uptime, the first server's
    /// `time`, versions and pids joined with `,` (a restart of any server changes `pid`). Nil for no servers.
    public static func combined(_ servers: [MemcachedStats]) -> MemcachedStats? {
        guard let first = servers.first else { return nil }
        if servers.count == 1 { return first }
        var fields: [String: String] = [:]
        for name in additiveFields {
            var total = 0
            var seen = false
            for server in servers {
                guard let value = server.integer(name) else { continue }
                seen = true
                total = total.addingReportingOverflow(value).overflow ? Int.max : total + value
            }
            if seen { fields[name] = String(total) }
        }
        let uptimes = servers.compactMap(\.uptimeSeconds)
        if let smallest = uptimes.min() { fields["uptime"] = String(smallest) }
        if let time = first.fields["time"] { fields["time"] = time }
        var versions: [String] = []
        for server in servers { if let v = server.fields["version"], !versions.contains(v) { versions.append(v) } }
        if !versions.isEmpty { fields["version"] = versions.joined(separator: ",") }
        fields["pid"] = servers.map { $0.fields["pid"] ?? "?" }.joined(separator: ",")
        return MemcachedStats(fields: fields, takenAt: servers.map(\.takenAt).max() ?? first.takenAt)
    }
}
