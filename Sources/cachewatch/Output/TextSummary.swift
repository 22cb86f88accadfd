import CachewatchCore
import CachewatchUI
import Foundation

/// The plain-text form of a snapshot (`cachewatch snapshot` without `--json`, and the demo without a terminal).
enum TextSummary {
    /// A few aligned lines: health, key families, fail-open state, findings.
    static func render(document: SnapshotDocument, info: InfoSnapshot?, rates: InfoRates?) -> String {
        var out = ""
        let target = document.target
        // Several databases: `db0,1,3` (the families table then holds every one's families, as `db1 …` rows).
        let databases = document.censuses.map { $0.map { String($0.db) }.joined(separator: ",") } ?? String(target.db)
        if let info, let stats = MemcachedStats(info: info) {
            out += memcachedLines(stats, document: document, rates: rates)
        } else if let info {
            out += "\(info.server.displayText) at \(target.address) db\(databases) \(info.role ?? "") up \(info.uptimeSeconds.map { Humanize.uptime(Double($0)) } ?? "?")\n"
            var health: [String] = []
            if let rates {
                health.append("ops/s \(Humanize.count(rates.opsPerSecond))")
                health.append("hit \(rates.hitRatio.map { Humanize.percent($0) } ?? "-")")
                health.append("evicted/s \(Humanize.count(rates.evictedKeysPerSecond))")
                health.append("expired/s \(Humanize.count(rates.expiredKeysPerSecond))")
            }
            // Unknown (missing or -1, e.g. Dragonfly) shows as `?`, never as 0 or "no limit".
            let used = info.usedMemoryBytes.map { Humanize.bytes(Double($0)) } ?? "?"
            let limit = info.maxmemoryBytes.map { $0 > 0 ? Humanize.bytes(Double($0)) : "no limit" } ?? "?"
            health.append("mem \(used)/\(limit)")
            health.append("clients \(info.connectedClients.map(String.init) ?? "?")")
            if let ping = document.pingMilliseconds { health.append("ping \(Humanize.milliseconds(ping))") }
            out += health.joined(separator: "  ") + "\n"
            if let cluster = target.cluster { out += ClusterSummaryText.lines(cluster) }
        } else {
            out += target.kind == "memcached" ? "memcached at \(target.address): unreachable\n"
                : "redis at \(target.address) db\(target.db): \(document.census == nil ? "unreachable" : "no INFO")\n"
        }
        if let error = document.redisError { out += "error: \(DisplayEscaper.escape(error))\n" }
        if let census = document.census {
            out += "\n" + familiesTable(census, scope: target.kind == "memcached" ? "" : " in db\(document.censuses == nil ? String(census.db) : databases)")
        }
        if let logs = document.logs {
            let failOpen = logs.failOpen
            out += "\nfail-open \(failOpen.state.rawValue.uppercased())  1m \(failOpen.last1m)  5m \(failOpen.last5m)  15m \(failOpen.last15m)  total \(failOpen.total)"
            out += "  (warn ≥\(Humanize.count(failOpen.warnPerMinute))/m crit ≥\(Humanize.count(failOpen.critPerMinute))/m)\n"
            for error in failOpen.byError.prefix(3) { out += "  \(error.count)  \(DisplayEscaper.escape(error.error))\n" }
            for source in logs.sources {
                out += "  log \(safe(source.path)): \(source.status), \(source.format), \(source.lines) lines"
                if source.unparsedTime > 0 { out += ", \(source.unparsedTime) counted at arrival (unusable time)" }
                if let detail = source.detail { out += " — \(safe(detail))" }
                out += "\n"
            }
        }
        for finding in document.findings {
            out += "[\(finding.severity.rawValue)] \(finding.code): \(safe(finding.message))\n"
        }
        return out
    }

    private static func familiesTable(_ census: CensusReport, scope where: String) -> String {
        let scope = census.complete ? "full pass" : "sample of \(Humanize.count(census.scannedKeys))"
        var out = "families\(`where`): \(census.families.count) (\(scope), ~\(Humanize.count(census.estimatedKeys)) keys)\n"
        out += pad("KEYS", 8) + pad("SHARE", 7) + pad("NO-TTL", 8) + pad("P50", 7) + pad("P90", 7) + "  FAMILY\n"
        for family in census.families.prefix(20) {
            out += pad(Humanize.count(family.keys), 8) + pad(Humanize.percent(family.share), 7)
                + pad(Humanize.count(family.noTTL), 8) + pad(Humanize.shortDuration(family.ttlP50Seconds), 7)
                + pad(Humanize.shortDuration(family.ttlP90Seconds), 7) + "  " + safe(family.pattern) + "\n"
        }
        if census.families.count > 20 { out += "… \(census.families.count - 20) more (use --json)\n" }
        for note in census.notes { out += "note: \(safe(note))\n" }
        return out
    }

    /// Patterns, findings, notes and log paths/details are escaped by their producers: escape again only when
    /// something unsafe slipped through (so `\x1b` stays `\x1b`, not `\\x1b`), as the dashboard does.
    private static func safe(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        for scalar in text.unicodeScalars where scalar != "\\" {
            let one = String(Character(scalar))
            if DisplayEscaper.escape(one) != one { return DisplayEscaper.escape(text) }
        }
        return text
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(1, width - text.count)) + text
    }
}
