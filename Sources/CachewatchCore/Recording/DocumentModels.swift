import Foundation

/// Decoding the parts of a recorded snapshot document back into the reports the dashboard draws.
///
/// Lenient (missing fields take defaults, unknown ones are ignored) and bounded (counts clamped,
/// lists capped, strings cut), so a hostile recording draws something odd rather than crashing.
public enum DocumentModels {
    /// The `census` object, nil when absent or not an object.
    public static func census(_ value: JSONValue?) -> CensusReport? {
        guard let value, case .object = value else { return nil }
        let families = (value["families"] ?? .null).elements(limit: 5_000).compactMap(family)
        let forecast = (value["forecast"] ?? .null).elements(limit: 60).map { $0["keys"]?.count() ?? 0 }
        return CensusReport(db: value["db"]?.count(limit: 1 << 20) ?? 0, complete: value["complete"]?.boolValue ?? false,
                            scannedKeys: value["scanned_keys"]?.count() ?? 0, estimatedKeys: value["estimated_keys"]?.count() ?? 0,
                            families: families, forecast: forecast + Array(repeating: 0, count: max(0, 60 - forecast.count)),
                            notes: (value["notes"] ?? .null).elements(limit: 20).compactMap { $0.text(maximumLength: 300) })
    }

    /// One element of `census.families`.
    static func family(_ value: JSONValue) -> FamilyReport? {
        guard let pattern = value["pattern"]?.text(maximumLength: 500) else { return nil }
        var types: [String: Int] = [:]
        if case let .object(pairs)? = value["types"] {
            for (name, count) in pairs.prefix(16) { types[String(name.prefix(32))] = count.count() ?? 0 }
        }
        let ttl = value["ttl_seconds"] ?? .null
        let seconds: (String) -> Double? = { ttl[$0]?.finite(in: 0...1e12) }
        let histogram = (value["ttl_histogram"] ?? .null).elements(limit: 64).map {
            TTLBucket(upperSeconds: $0["upper_seconds"]?.finite(in: 0...1e12), keys: $0["keys"]?.count() ?? 0)
        }
        var bands = (value["ttl_bands"] ?? .null).elements(limit: 7).map { $0["keys"]?.count() ?? 0 }
        bands += Array(repeating: 0, count: 7 - bands.count)
        var lockstep: LockstepWave?
        if let wave = value["lockstep"], case .object = wave {
            lockstep = LockstepWave(startsInSeconds: wave["starts_in_seconds"]?.finite(in: 0...1e9) ?? 0,
                                    windowSeconds: wave["window_seconds"]?.finite(in: 0...1e9) ?? 0,
                                    keys: wave["keys"]?.count() ?? 0, fraction: wave["fraction"]?.finite(in: 0...1) ?? 0)
        }
        var report = FamilyReport(pattern: pattern, keys: value["keys"]?.count() ?? 0, sampled: value["sampled"]?.count() ?? 0,
                                  share: value["share"]?.finite(in: 0...1) ?? 0, types: types, noTTL: value["no_ttl"]?.count() ?? 0,
                                  ttlMinSeconds: seconds("min"), ttlP50Seconds: seconds("p50"), ttlP90Seconds: seconds("p90"),
                                  ttlMaxSeconds: seconds("max"), ttlHistogram: histogram, ttlBands: bands,
                                  memoryBytes: value["memory_bytes"]?.count(),
                                  examples: (value["examples"] ?? .null).elements(limit: 3).compactMap { $0.text(maximumLength: 300) },
                                  lockstep: lockstep)
        report.valuesProbed = value["values_probed"]?.count() ?? 0
        let negative = value["negative_cache"] ?? .null
        report.negativeCacheKeys = negative["keys"]?.count() ?? 0
        report.negativeCacheLongTTLKeys = negative["long_ttl"]?.count() ?? 0
        report.negativeCacheNoTTL = negative["no_ttl"]?.count() ?? 0
        report.negativeCacheMaxTTLSeconds = negative["max_ttl_seconds"]?.finite(in: 0...1e12)
        report.falsyValueKeys = value["falsy_values"]?.count() ?? 0
        if case let .object(pairs)? = value["nodes"] {
            // Redis Cluster: the family's keys per node (the replay's `n`).
            var perNode: [String: Int] = [:]
            for (address, keys) in pairs.prefix(1024) { perNode[String(address.prefix(300))] = keys.count() ?? 0 }
            report.nodeKeys = perNode
        }
        return report
    }

    /// `target.nodes` of a Redis Cluster document (the replay's nodes pane); empty when absent. Text is cut (and drawn
    /// through the renderer's escaping; `state`, drawn as is, is escaped here), numbers bounded, an element that is not
    /// an object or has no address is left out.
    public static func clusterNodes(_ value: JSONValue?) -> [ClusterNodeStatus] {
        (value ?? .null).elements(limit: 1024).compactMap { node in
            guard case .object = node, let address = node["address"]?.text(maximumLength: 300) else { return nil }
            let role: ClusterNode.Role = node["role"]?.text(maximumLength: 20) == "primary" ? .primary : .replica
            let slots = (node["slot_ranges"] ?? .null).elements(limit: 16384).compactMap { range -> SlotRange? in
                guard let text = range.text(maximumLength: 12) else { return nil }
                let bounds = text.split(separator: "-", maxSplits: 1).map { Int($0.prefix(5)) }
                guard let first = bounds.first ?? nil else { return nil }
                return SlotRange(first: first, last: bounds.count > 1 ? (bounds[1] ?? -1) : first)
            }
            var row = ClusterNodeStatus(id: node["id"]?.text(maximumLength: 64) ?? "", address: address,
                                        role: role, slots: slots, state: DisplayEscaper.escape(node["state"]?.text(maximumLength: 20) ?? "?"),
                                        keys: node["keys"]?.count(), opsPerSecond: node["ops_per_second"]?.finite(in: 0...1e12),
                                        usedMemoryBytes: node["used_memory_bytes"]?.count(), maxmemoryBytes: node["maxmemory_bytes"]?.count(),
                                        connectedClients: node["connected_clients"]?.count(),
                                        error: node["error"]?.text(maximumLength: 300))
            row.uptimeSeconds = node["uptime_seconds"]?.count()
            return row
        }
    }

    /// The `logs` object, nil when absent.
    public static func logs(_ value: JSONValue?) -> LogsReport? {
        guard let value, case .object = value else { return nil }
        let sources = (value["sources"] ?? .null).elements(limit: 64).map { source in
            LogSourceStatus(path: source["path"]?.text(maximumLength: 500) ?? "?", format: source["format"]?.text(maximumLength: 20) ?? "unknown",
                            lines: source["lines"]?.count() ?? 0, unparsed: source["unparsed"]?.count() ?? 0,
                            truncated: source["truncated"]?.count() ?? 0, status: source["status"]?.text(maximumLength: 20) ?? "unknown",
                            detail: source["detail"]?.text(maximumLength: 300))
        }
        return LogsReport(sources: sources, failOpen: failOpen(value["fail_open"] ?? .null))
    }

    static func failOpen(_ value: JSONValue) -> FailOpenSummary {
        var perMinute = (value["per_minute"] ?? .null).elements(limit: 60).map { $0.count() ?? 0 }
        perMinute = Array(repeating: 0, count: 60 - perMinute.count) + perMinute
        let history = (value["history"] ?? .null).elements(limit: 100).compactMap { item -> AlertTransition? in
            guard let at = item["at"]?.text(maximumLength: 40).flatMap(RecordingTime.parseISO) else { return nil }
            return AlertTransition(at: at, from: level(item["from"]), to: level(item["to"]),
                                   ratePerMinute: item["rate_per_minute"]?.finite(in: 0...1e12) ?? 0)
        }
        return FailOpenSummary(
            last1m: value["last_1m"]?.count() ?? 0, last5m: value["last_5m"]?.count() ?? 0, last15m: value["last_15m"]?.count() ?? 0,
            total: value["total"]?.count() ?? 0, perMinute: perMinute, state: level(value["state"]),
            since: value["since"]?.text(maximumLength: 40).flatMap(RecordingTime.parseISO),
            byError: (value["by_error"] ?? .null).elements(limit: 20).map { ($0["error"]?.text(maximumLength: 300) ?? "", $0["count"]?.count() ?? 0) },
            byFamily: (value["by_family"] ?? .null).elements(limit: 20).map { ($0["pattern"]?.text(maximumLength: 300) ?? "", $0["count"]?.count() ?? 0) },
            warnPerMinute: value["warn_per_minute"]?.finite(in: 0...1e12) ?? 10,
            critPerMinute: value["crit_per_minute"]?.finite(in: 0...1e12) ?? 50, history: history)
    }

    /// `findings`.
    public static func findings(_ value: JSONValue?) -> [Finding] {
        (value ?? .null).elements(limit: 500).compactMap { item in
            guard let code = item["code"]?.text(maximumLength: 80), let message = item["message"]?.text(maximumLength: 1000) else { return nil }
            var finding = Finding(severity: level(item["severity"]), code: code, pattern: item["pattern"]?.text(maximumLength: 500), message: message)
            finding.db = item["db"]?.count(limit: DatabaseSelection.maximumIndex)   // several databases
            return finding
        }
    }

    /// `events` (newest first in documents): oldest first (events of one time in the order they happened); an event
    /// without a time, or of a kind this version does not know, is left out; messages and evidence are bounded.
    public static func events(_ value: JSONValue?) -> [Event] {
        (value ?? .null).elements(limit: EventLog.defaultMaxCount).compactMap { item -> Event? in
            guard let at = item["at"]?.text(maximumLength: 40).flatMap(RecordingTime.parseISO),
                  let kind = item["kind"]?.text(maximumLength: 40).flatMap(Event.Kind.init(rawValue:)) else { return nil }
            var evidence: [(String, JSONValue)] = []
            if case let .object(pairs) = item["evidence"] ?? .null {
                evidence = pairs.prefix(20).map { ($0.0.count <= 60 ? $0.0 : String($0.0.prefix(60)), $0.1) }
            }
            return Event(at: at, kind: kind, severity: level(item["severity"]),
                         message: item["message"]?.text(maximumLength: 1000) ?? kind.rawValue, evidence: evidence)
        }.reversed().enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }

    /// An alert level word; unknown words read as `ok`.
    static func level(_ value: JSONValue?) -> AlertLevel {
        value?.text(maximumLength: 8).flatMap(AlertLevel.init(rawValue:)) ?? .ok
    }
}
