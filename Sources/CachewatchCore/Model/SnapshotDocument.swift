import Foundation

/// The document `cachewatch snapshot --json` prints (schema 1; field order as in the README).
///
/// `server` and `metrics` are null when there is no INFO (Redis unreachable or INFO denied);
/// rate fields are null when `rates` is nil (only one INFO sample); `app_scan_per_second` (the
/// application's SCANs: give `rates` with the observer excluded) and `del_per_second` are also null
/// when INFO had no commandstats. `census` and `logs` appear
/// only when given; `error` only when `redisError` is set.
public struct SnapshotDocument: Sendable, Equatable {
    /// The schema version printed as `schema`.
    public static let schemaVersion = 1

    public var takenAt: Date
    public var target: TargetDescription
    public var info: InfoSnapshot?
    public var rates: InfoRates?
    public var pingMilliseconds: Double?
    public var census: CensusReport?
    public var logs: LogsReport?
    public var findings: [Finding]
    /// One sentence explaining why Redis could not be read (never holding the password).
    public var redisError: String?
    /// How old the server numbers are when the poll is late (`stale_seconds`, only then; `watch`).
    public var staleSeconds: Double?
    /// `watch` between census passes: how old the complete census is (its TTLs are aged by that) and when the next
    /// pass is due (`census_freshness`, only then).
    public var censusFreshness: CensusFreshness?
    /// Other cachewatch processes on the server (`metrics.other_cachewatch`): their load is in the rates. nil: unknown.
    public var otherCachewatch: Int?
    /// The timeline, newest first (`events`; written when set: `watch`, `snapshot`, recordings).
    public var events: [Event]?
    /// Every watched database's census, in the order of `-n` (`censuses`, written last, only when `-n` is a list or
    /// `all`); `census` stays the first one's.
    public var censuses: [CensusReport]?

    public init(takenAt: Date, target: TargetDescription, info: InfoSnapshot?, rates: InfoRates?, pingMilliseconds: Double?,
                census: CensusReport?, logs: LogsReport?, findings: [Finding] = [], redisError: String?) {
        self.takenAt = takenAt
        self.target = target
        self.info = info
        self.rates = rates
        self.pingMilliseconds = pingMilliseconds
        self.census = census
        self.logs = logs
        self.findings = findings
        self.redisError = redisError
    }

    // MARK: - JSON

    /// The whole document, keys in schema order.
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("schema", .int(SnapshotDocument.schemaVersion)),
            ("taken_at", .string(ISOTime.format(takenAt))),
            ("target", targetJSON),
            ("server", serverJSON),
            ("metrics", metricsJSON),
            ("keyspace", .array(info?.isMemcached == true ? [] : (info?.keyspace ?? []).map(keyspaceJSON))),
        ]
        if let census { pairs.append(("census", census.json)) }
        if let logs { pairs.append(("logs", logs.json)) }
        pairs.append(("findings", .array(findings.map(\.json))))
        if let redisError { pairs.append(("error", .string(redisError))) }
        if let staleSeconds { pairs.append(("stale_seconds", .number((staleSeconds * 10).rounded() / 10))) }
        if let censusFreshness { pairs.append(("census_freshness", censusFreshness.json)) }
        if let events { pairs.append(("events", .array(events.map(\.json)))) }
        if let censuses { pairs.append(("censuses", .array(censuses.map(\.json)))) }
        return .object(pairs)
    }

    /// A `keyspace` element; on Redis ≥ 8 with its `INFO keysizes` histograms added last as `key_sizes`.
    func keyspaceJSON(_ entry: KeyspaceEntry) -> JSONValue {
        let histograms = info?.keySizes.filter { $0.db == entry.db } ?? []
        guard !histograms.isEmpty, case .object(var pairs) = entry.json else { return entry.json }
        pairs.append(("key_sizes", .array(histograms.map(\.json))))
        return .object(pairs)
    }

    /// `target`, with `mode` = `cluster` when INFO says `cluster_enabled:1`.
    var targetJSON: JSONValue {
        var described = target
        if info?.clusterEnabled == true { described.mode = "cluster" }
        return described.json
    }

    var serverJSON: JSONValue {
        guard let info else { return .null }
        if let memcached = MemcachedStats(info: info) { return Self.memcachedServerJSON(memcached) }
        let server = info.server
        return .object([
            ("version", .text(server.version)),
            ("uptime_seconds", .integer(info.uptimeSeconds)),
            ("role", .text(info.role)),
            ("maxmemory_bytes", .integer(info.maxmemoryBytes)),
            ("maxmemory_policy", .text(info.maxmemoryPolicy)),
            ("name", .string(server.name)),
            ("redis_version", .text(server.redisVersion)),
        ])
    }

    var metricsJSON: JSONValue {
        guard let info else { return .null }
        if let memcached = MemcachedStats(info: info) { return memcachedMetricsJSON(memcached) }
        return .object([
            ("ops_per_second", .number(rates?.opsPerSecond)),
            ("hits_per_second", .number(rates?.hitsPerSecond)),
            ("misses_per_second", .number(rates?.missesPerSecond)),
            ("hit_ratio", .number(rates?.hitRatio)),
            ("used_memory_bytes", .integer(info.usedMemoryBytes)),
            ("expired_keys_per_second", .number(rates?.expiredKeysPerSecond)),
            ("evicted_keys_per_second", .number(rates?.evictedKeysPerSecond)),
            ("connected_clients", .integer(info.connectedClients)),
            ("blocked_clients", .integer(info.blockedClients)),
            ("ping_ms", .number(pingMilliseconds)),
            ("app_scan_per_second", .number(rates?.scanCallsPerSecond)),
            ("del_per_second", .number(rates?.delCallsPerSecond)),
            ("other_cachewatch", .integer(otherCachewatch)),
        ] + watchedKeyspaceJSON(info))
    }

    /// Several databases (`censuses`): INFO keyspace's `keys` and `expires` summed over the watched databases, added
    /// last to `metrics` (`watched_keys`, `watched_expires`); nothing for one database.
    func watchedKeyspaceJSON(_ info: InfoSnapshot) -> [(String, JSONValue)] {
        guard let censuses else { return [] }
        let totals = DatabaseCensuses.keyspaceTotals(info.keyspace, databases: censuses.map(\.db))
        return [("watched_keys", .int(totals.keys)), ("watched_expires", .int(totals.expires))]
    }
}

/// How old a complete census shown between passes is, and when the next pass is due (`census_freshness`).
public struct CensusFreshness: Sendable, Equatable {
    /// Seconds since the pass completed; the census's TTL figures are aged by this much.
    public var completedSecondsAgo: Double
    /// Seconds until the next pass is due (nil: due now, running, or not known).
    public var nextPassInSeconds: Double?

    public init(completedSecondsAgo: Double, nextPassInSeconds: Double?) {
        self.completedSecondsAgo = completedSecondsAgo
        self.nextPassInSeconds = nextPassInSeconds
    }

    public var json: JSONValue {
        func tenths(_ value: Double) -> Double { value.isFinite ? (max(0, value) * 10).rounded() / 10 : 0 }
        return .object([("completed_seconds_ago", .double(tenths(completedSecondsAgo))),
                        ("next_pass_in_seconds", .number(nextPassInSeconds.map(tenths)))])
    }
}
