import Foundation

/// Sums the INFO of a cluster's primaries into one INFO text, so the header, rates, sparklines and findings read
/// the cluster as one cache: integer fields of `clients`, `memory`, `stats` and `cpu` are summed (ops, hits and
/// misses, memory, clients, `maxmemory`: the capacity), text fields come from the first primary; `commandstats`
/// and `keyspace` are summed per command and per DB. `server` is the first primary's without `run_id` and uptime
/// (a failover must not look like a restart of the whole cache); `role` is `master`.
public enum ClusterAggregate {
    /// Sections whose integer fields are summed.
    static let summedSections = ["clients", "memory", "stats", "cpu"]

    /// The INFO text of the sum of `infos` (nil when there is none).
    /// With `cluster` (its `CLUSTER INFO`) and `nodesDown` (primaries that did not answer), `# Cluster` also carries
    /// `cluster_state`, `cluster_slots_ok`, `cluster_slots_pfail`, `cluster_slots_fail` and `cachewatch_nodes_down`.
    public static func infoText(_ infos: [InfoSnapshot], cluster: ClusterInfo? = nil, nodesDown: Int = 0) -> String? {
        guard let first = infos.first else { return nil }
        var lines: [String] = ["# Server"]
        // No run_id and no uptime: the set of primaries changes with a failover, and that must not look like a restart
        // of the whole cache (a node's own restart is its own event, see ClusterCollector).
        for (key, value) in (first.fields["server"] ?? [:]).sorted(by: { $0.key < $1.key })
        where !["run_id", "uptime_in_seconds", "uptime_in_days"].contains(key) {
            lines.append("\(key):\(value)")
        }
        for section in summedSections {
            lines.append("# " + section.prefix(1).uppercased() + section.dropFirst())
            for (key, value) in summed(section: section, infos) { lines.append("\(key):\(value)") }
        }
        lines.append("# Replication")
        lines.append("role:master")
        lines.append("connected_slaves:\(infos.reduce(0) { Clamp.sum($0, $1.int(section: "replication", "connected_slaves") ?? 0) })")
        lines.append("# Commandstats")
        for (name, stat) in summedCommandStats(infos) {
            let perCall = stat.calls > 0 ? Double(stat.usec) / Double(stat.calls) : 0
            lines.append("cmdstat_\(name):calls=\(stat.calls),usec=\(stat.usec),usec_per_call=\(String(format: "%.2f", perCall)),rejected_calls=\(stat.rejected),failed_calls=\(stat.failed)")
        }
        lines.append("# Cluster")
        lines.append("cluster_enabled:1")
        if let cluster {
            if let state = cluster.state { lines.append("cluster_state:\(state)") }
            if let value = cluster.slotsOK { lines.append("cluster_slots_ok:\(value)") }
            if let value = cluster.slotsPFail { lines.append("cluster_slots_pfail:\(value)") }
            if let value = cluster.slotsFail { lines.append("cluster_slots_fail:\(value)") }
        }
        lines.append("cachewatch_nodes_down:\(max(0, nodesDown))")
        lines.append("# Keyspace")
        for entry in summedKeyspace(infos) {
            lines.append("db\(entry.db):keys=\(entry.keys),expires=\(entry.expires),avg_ttl=\(entry.avgTTLMilliseconds)")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// One section's fields: summed where every node that has the field sends an integer, else the first node's text.
    static func summed(section: String, _ infos: [InfoSnapshot]) -> [(String, String)] {
        var order: [String] = []
        var texts: [String: String] = [:]
        var sums: [String: Int] = [:]
        var summable: [String: Bool] = [:]
        for info in infos {
            for (key, value) in (info.fields[section] ?? [:]).sorted(by: { $0.key < $1.key }) {
                if texts[key] == nil {
                    order.append(key)
                    texts[key] = value
                    summable[key] = true
                }
                if value.utf8.count <= 19, let number = Int(value), summable[key] == true {
                    sums[key] = Clamp.sum(sums[key] ?? 0, number)
                } else {
                    summable[key] = false
                }
            }
        }
        return order.map { key in (key, summable[key] == true ? String(sums[key] ?? 0) : texts[key] ?? "") }
    }

    struct SummedStat {
        var calls = 0, usec = 0, rejected = 0, failed = 0
    }

    static func summedCommandStats(_ infos: [InfoSnapshot]) -> [(String, SummedStat)] {
        var out: [String: SummedStat] = [:]
        for info in infos {
            for (name, stat) in info.commandStats {
                var sum = out[name] ?? SummedStat()
                sum.calls = Clamp.sum(sum.calls, max(0, stat.calls))
                sum.usec = Clamp.sum(sum.usec, max(0, stat.usec))
                sum.rejected = Clamp.sum(sum.rejected, max(0, stat.rejectedCalls ?? 0))
                sum.failed = Clamp.sum(sum.failed, max(0, stat.failedCalls ?? 0))
                out[name] = sum
            }
        }
        return out.sorted { $0.key < $1.key }
    }

    /// Keys and expires summed per DB; `avg_ttl` the mean weighted by each node's keys with a TTL.
    static func summedKeyspace(_ infos: [InfoSnapshot]) -> [KeyspaceEntry] {
        var out: [Int: KeyspaceEntry] = [:]
        var ttlWeight: [Int: Double] = [:]
        for info in infos {
            for entry in info.keyspace {
                var sum = out[entry.db] ?? KeyspaceEntry(db: entry.db, keys: 0, expires: 0, avgTTLMilliseconds: 0)
                sum.keys = Clamp.sum(sum.keys, entry.keys)
                sum.expires = Clamp.sum(sum.expires, entry.expires)
                ttlWeight[entry.db, default: 0] += Double(entry.expires) * Double(entry.avgTTLMilliseconds)
                out[entry.db] = sum
            }
        }
        return out.values.sorted { $0.db < $1.db }.map { entry in
            var entry = entry
            entry.avgTTLMilliseconds = entry.expires > 0 ? Clamp.int((ttlWeight[entry.db] ?? 0) / Double(entry.expires)) : 0
            return entry
        }
    }
}

extension InfoSnapshot {
    /// An integer field of `section` (nil when missing or not a number).
    func int(section: String, _ key: String) -> Int? {
        guard let text = fields[section]?[key], text.utf8.count <= 19 else { return nil }
        return Int(text)
    }
}
