/// The `server` and `metrics` objects of a memcached target: the same names, null where they do not apply.
extension SnapshotDocument {
    /// `server`: `version` and `uptime_seconds` from `stats`, `maxmemory_bytes` = `limit_maxbytes`;
    /// `role` and `maxmemory_policy` null.
    static func memcachedServerJSON(_ stats: MemcachedStats) -> JSONValue {
        .object([
            ("version", .text(stats.version)),
            ("uptime_seconds", .integer(stats.uptimeSeconds)),
            ("role", .null),
            ("maxmemory_bytes", .integer(stats.limitMaxBytes)),
            ("maxmemory_policy", .null),
        ])
    }

    /// `metrics`: the Redis names filled from `stats` (hits = `get_hits`, ops = get + set + delete,
    /// used memory = `bytes`, evicted = `evictions`, clients = `curr_connections`, del = deletes),
    /// `expired_keys_per_second`, `blocked_clients` and `app_scan_per_second` null (memcached has no such
    /// counters), then a `memcached` object with its own counters. Rates are null over an interval with a reset.
    func memcachedMetricsJSON(_ stats: MemcachedStats) -> JSONValue {
        let memcachedRates = rates.map(MemcachedRates.init(bridged:))
        return .object([
            ("ops_per_second", .number(memcachedRates?.operationsPerSecond)),
            ("hits_per_second", .number(memcachedRates?.hitsPerSecond)),
            ("misses_per_second", .number(memcachedRates?.missesPerSecond)),
            ("hit_ratio", .number(memcachedRates?.hitRatio)),
            ("used_memory_bytes", .integer(stats.bytes)),
            ("expired_keys_per_second", .null),
            ("evicted_keys_per_second", .number(memcachedRates?.evictionsPerSecond)),
            ("connected_clients", .integer(stats.currentConnections)),
            ("blocked_clients", .null),
            ("ping_ms", .number(pingMilliseconds)),
            ("app_scan_per_second", .null),
            ("del_per_second", .number(memcachedRates?.deletesPerSecond)),
            ("memcached", .object([
                ("get_per_second", .number(memcachedRates?.getsPerSecond)),
                ("set_per_second", .number(memcachedRates?.setsPerSecond)),
                ("delete_per_second", .number(memcachedRates?.deletesPerSecond)),
                ("evictions_per_second", .number(memcachedRates?.evictionsPerSecond)),
                ("expired_unfetched_per_second", .number(memcachedRates?.expiredUnfetchedPerSecond)),
                ("evicted_unfetched_per_second", .number(memcachedRates?.evictedUnfetchedPerSecond)),
                ("rejected_connections_per_second", .number(memcachedRates?.rejectedConnectionsPerSecond)),
                ("curr_items", .integer(stats.currentItems)),
                ("bytes", .integer(stats.bytes)),
                ("limit_maxbytes", .integer(stats.limitMaxBytes)),
                ("curr_connections", .integer(stats.currentConnections)),
                ("rejected_connections", .integer(stats.rejectedConnections)),
                ("uptime_seconds", .integer(stats.uptimeSeconds)),
                ("server_time", .integer(stats.serverTime)),
                ("counter_reset", .bool(memcachedRates?.counterReset ?? false)),
            ])),
        ])
    }
}
