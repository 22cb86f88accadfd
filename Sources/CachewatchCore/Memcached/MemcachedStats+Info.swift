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
    public var infoSnapshot: InfoSnapshot { InfoSnapshot(text: infoText, takenAt: takenAt) }

    /// The INFO text `infoSnapshot` parses (what a collector posts where an INFO reply would go).
    public var infoText: String {
        var lines = ["# Server", "memcached_version:" + (fields["version"] ?? "")]
        if let uptime = uptimeSeconds { lines.append("uptime_in_seconds:\(uptime)") }
        if let pid = fields["pid"] { lines.append("run_id:" + pid) }
        lines.append("# Clients")
        if let connections = currentConnections { lines.append("connected_clients:\(connections)") }
        lines.append("# Memory")
        if let bytes { lines.append("used_memory:\(bytes)") }
        if let limit = limitMaxBytes { lines.append("maxmemory:\(limit)") }
        lines.append("# Stats")
        if let gets = commandGets, let sets = commandSets, let deletes {
            let (partial, o1) = gets.addingReportingOverflow(sets)
            let (total, o2) = partial.addingReportingOverflow(deletes)
            lines.append("total_commands_processed:\(o1 || o2 ? Int.max : total)")
        }
        if let hits = getHits { lines.append("keyspace_hits:\(hits)") }
        if let misses = getMisses { lines.append("keyspace_misses:\(misses)") }
        if let evictions { lines.append("evicted_keys:\(evictions)") }
        if let rejected = rejectedConnections { lines.append("rejected_connections:\(rejected)") }
        lines.append("# Commandstats")
        typealias Counter = MemcachedRates.Counter
        let counters = [(Counter.gets, commandGets), (Counter.sets, commandSets), (Counter.deletes, deletes),
                        (Counter.evictions, evictions), (Counter.expiredUnfetched, expiredUnfetched),
                        (Counter.evictedUnfetched, evictedUnfetched), (Counter.rejectedConnections, rejectedConnections)]
        for (name, calls) in counters {
            if let calls { lines.append("cmdstat_\(name):calls=\(calls),usec=0,usec_per_call=0.00") }
        }
        lines.append("# Keyspace")
        if let items = currentItems { lines.append("db0:keys=\(items),expires=0,avg_ttl=0") }
        lines.append("# " + Self.infoSection)
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) where Self.isSafeRawName(name) {
            lines.append(name + ":" + value)
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Raw field names that cannot be taken for another INFO line (`cmdstat_…`, `dbN`, a colon).
    static func isSafeRawName(_ name: String) -> Bool {
        guard !name.isEmpty, !name.contains(":"), !name.hasPrefix("#"), !name.hasPrefix("cmdstat_"), !name.hasPrefix("errorstat_"),
              !name.hasPrefix("latency_percentiles_usec_") else { return false }
        if name.hasPrefix("db"), name.dropFirst(2).allSatisfy(\.isNumber) { return false }
        return name.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F }
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
