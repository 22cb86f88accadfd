import Foundation

/// The bridge that lets memcached `stats` ride through the INFO-shaped store, rates, histories and header.
///
/// The synthesized `InfoSnapshot` maps memcached's counters onto the INFO names the rest of cachewatch
/// reads (`keyspace_hits` = `get_hits`, `used_memory` = `bytes`, `maxmemory` = `limit_maxbytes`,
/// `evicted_keys` = `evictions`, `connected_clients` = `curr_connections`, `total_commands_processed` =
/// `cmd_get` + `cmd_set` + deletes, `run_id` = `pid`, `db0` keys = `curr_items`), and keeps every raw
/// `stats` field in a `memcached` section, so `MemcachedStats(info:)` gets them back. Gets, sets, deletes,
/// evictions, unfetched expiries/evictions and rejected connections become `cmdstat_*` entries (names in
/// `MemcachedRates.Counter`), so their rates come out of `InfoRates` and `MemcachedRates(bridged:)`.
extension MemcachedStats {
    /// The INFO section that carries the raw memcached fields.
    public static let infoSection = "memcached"

    /// An INFO-shaped view of these stats (see the extension's comment).
    public var infoSnapshot: InfoSnapshot {
        var info = InfoSnapshot(text: "", takenAt: takenAt)
        var server: [String: String] = ["memcached_version": fields["version"] ?? ""]
        if let uptime = uptimeSeconds { server["uptime_in_seconds"] = String(uptime) }
        if let pid = fields["pid"] { server["run_id"] = pid }
        var clients: [String: String] = [:]
        if let connections = currentConnections { clients["connected_clients"] = String(connections) }
        var memory: [String: String] = [:]
        if let bytes { memory["used_memory"] = String(bytes) }
        if let limit = limitMaxBytes { memory["maxmemory"] = String(limit) }
        var stats: [String: String] = [:]
        if let gets = commandGets, let sets = commandSets, let deletes {
            let (partial, o1) = gets.addingReportingOverflow(sets)
            let (total, o2) = partial.addingReportingOverflow(deletes)
            stats["total_commands_processed"] = String(o1 || o2 ? Int.max : total)
        }
        if let hits = getHits { stats["keyspace_hits"] = String(hits) }
        if let misses = getMisses { stats["keyspace_misses"] = String(misses) }
        if let evictions { stats["evicted_keys"] = String(evictions) }
        if let rejected = rejectedConnections { stats["rejected_connections"] = String(rejected) }
        var commandStats: [String: CommandStat] = [:]
        var commandFields: [String: String] = [:]
        typealias Counter = MemcachedRates.Counter
        let counters = [(Counter.gets, commandGets), (Counter.sets, commandSets), (Counter.deletes, deletes),
                        (Counter.evictions, evictions), (Counter.expiredUnfetched, expiredUnfetched),
                        (Counter.evictedUnfetched, evictedUnfetched), (Counter.rejectedConnections, rejectedConnections)]
        for (name, calls) in counters {
            guard let calls else { continue }
            commandStats[name] = CommandStat(calls: calls, usec: 0, usecPerCall: 0)
            commandFields["cmdstat_" + name] = "calls=\(calls),usec=0,usec_per_call=0.00"
        }
        info.fields = ["server": server, "clients": clients, "memory": memory, "stats": stats,
                       "commandstats": commandFields, Self.infoSection: fields]
        info.sectionOrder = ["server", "clients", "memory", "stats", "commandstats", Self.infoSection]
        info.commandStats = commandStats
        if let items = currentItems { info.keyspace = [KeyspaceEntry(db: 0, keys: items, expires: 0, avgTTLMilliseconds: 0)] }
        return info
    }

    /// The memcached stats an INFO view made by `infoSnapshot` carries; nil for a Redis INFO.
    public init?(info: InfoSnapshot) {
        guard let fields = info.fields[Self.infoSection] else { return nil }
        self.init(fields: fields, takenAt: info.takenAt)
    }
}

extension InfoSnapshot {
    /// True when this INFO view was made from memcached `stats` (see `MemcachedStats.infoSnapshot`).
    public var isMemcached: Bool { fields[MemcachedStats.infoSection] != nil }
}
