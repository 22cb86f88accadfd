import CachewatchCore
import CachewatchUI

extension TextSummary {
    /// The health lines of a memcached target: version, uptime, rates from `stats`, items and memory.
    static func memcachedLines(_ stats: MemcachedStats, document: SnapshotDocument, rates: InfoRates?) -> String {
        let out = "memcached \(stats.version ?? "?") at \(document.target.address) up \(Humanize.uptime(Double(stats.uptimeSeconds ?? 0)))\n"
        var health: [String] = []
        if let rates {
            let memcached = MemcachedRates(bridged: rates)
            func rate(_ value: Double?) -> String { value.map { Humanize.count($0) } ?? "-" }
            health.append("ops/s \(rate(memcached.operationsPerSecond))")
            health.append("hit \(memcached.hitRatio.map { Humanize.percent($0) } ?? "-")")
            health.append("evicted/s \(rate(memcached.evictionsPerSecond))")
            health.append("unread expired/s \(rate(memcached.expiredUnfetchedPerSecond))")
            health.append("unread evicted/s \(rate(memcached.evictedUnfetchedPerSecond))")
        }
        let limit = stats.limitMaxBytes.flatMap { $0 > 0 ? Humanize.bytes(Double($0)) : nil } ?? "no limit"
        health.append("mem \(Humanize.bytes(Double(stats.bytes ?? 0)))/\(limit)")
        health.append("items \(Humanize.count(Double(stats.currentItems ?? 0)))")
        health.append("conns \(stats.currentConnections ?? 0)")
        if let rejected = stats.rejectedConnections, rejected > 0 { health.append("rejected \(rejected)") }
        if let ping = document.pingMilliseconds { health.append("ping \(Humanize.milliseconds(ping))") }
        return out + health.joined(separator: "  ") + "\n"
    }
}
