/// Findings about the server as a whole: INFO, its rates, and the app's fail-open log lines (pattern nil).
///
/// Codes, most urgent first: `redis-unreachable`, `fail-open`, `oom-errors`, `memory-near-max`,
/// `noeviction-cache`, `no-ttl-under-volatile-policy`, `evictions`, `low-hit-ratio`, `errorstats`,
/// `keys-command`, `pattern-invalidation`. Thresholds in `FindingThresholds`.
public enum ServerFindings {
    public static func evaluate(_ input: DoctorInput, thresholds t: FindingThresholds = FindingThresholds()) -> [Finding] {
        var findings: [Finding] = []
        if let error = input.redisError, input.info == nil {
            findings.append(Finding(severity: .crit, code: "redis-unreachable", pattern: nil, message:
                "Redis cannot be read: \(error) The app's cache is probably failing open too; check its logs for "
                + "\"Cache backend not available\"."))
        }
        if let failOpen = input.logs?.failOpen, failOpen.state >= .warn { findings.append(failOpenFinding(failOpen)) }
        if let info = input.info {
            findings += memoryFindings(info, thresholds: t)
        }
        if let rates = input.rates {
            findings += rateFindings(rates, info: input.info, thresholds: t)
        }
        return findings
    }

    private static func failOpenFinding(_ summary: FailOpenSummary) -> Finding {
        let threshold = summary.state == .crit ? summary.critPerMinute : summary.warnPerMinute
        return Finding(severity: summary.state, code: "fail-open", pattern: nil, message:
            "The app logged \(summary.last1m) \"Cache backend not available\" lines in the last minute (\(summary.state.rawValue) ≥ "
            + "\(number(threshold))/min): it is serving without its cache, which looks like a slow database from outside.",
            evidence: [FindingEvidence("last_1m", summary.last1m), FindingEvidence("last_5m", summary.last5m),
                       FindingEvidence("warn_per_minute", summary.warnPerMinute), FindingEvidence("crit_per_minute", summary.critPerMinute)])
    }

    // MARK: - Memory and policy

    static func memoryFindings(_ info: InfoSnapshot, thresholds t: FindingThresholds) -> [Finding] {
        var findings: [Finding] = []
        let maxmemory = info.maxmemoryBytes ?? 0
        let policy = info.maxmemoryPolicy ?? ""
        if maxmemory > 0, let used = info.usedMemoryBytes, used >= 0 {
            let fraction = Double(used) / Double(maxmemory)
            if fraction >= t.memoryWarnFraction {
                let severity: AlertLevel = fraction >= t.memoryCritFraction ? .crit : .warn
                findings.append(Finding(severity: severity, code: "memory-near-max", pattern: nil, message:
                    "Redis uses \(percent(fraction)) of maxmemory (\(megabytes(used)) of \(megabytes(maxmemory))); "
                    + (policy == "noeviction" ? "with noeviction, writes will fail with OOM and the app fails open."
                                              : "it is evicting or about to (\(policy.isEmpty ? "policy unknown" : policy))."),
                    evidence: [FindingEvidence("used_memory_bytes", used), FindingEvidence("maxmemory_bytes", maxmemory),
                               FindingEvidence("fraction", fraction), FindingEvidence("warn", t.memoryWarnFraction),
                               FindingEvidence("crit", t.memoryCritFraction)]))
            }
        }
        let keys = info.keyspace.reduce(0) { $0 + max(0, $1.keys) }
        let expires = info.keyspace.reduce(0) { $0 + max(0, min($1.expires, $1.keys)) }
        guard keys > 0 else { return findings }
        let ttlShare = Double(expires) / Double(keys)
        if (policy == "noeviction" || maxmemory == 0) && ttlShare >= t.cacheTTLShare {
            let why = maxmemory == 0 ? "maxmemory is 0 (no limit: Redis grows until the machine runs out)"
                                     : "maxmemory-policy is noeviction (at the limit every SET fails with OOM and the app fails open)"
            findings.append(Finding(severity: .warn, code: "noeviction-cache", pattern: nil, message:
                "This Redis holds a cache (\(percent(ttlShare)) of \(grouped(keys)) keys have a TTL) but \(why); "
                + "set maxmemory and an evicting policy such as allkeys-lru.",
                evidence: [FindingEvidence("keys", keys), FindingEvidence("keys_with_ttl", expires), FindingEvidence("ttl_share", ttlShare),
                           FindingEvidence("maxmemory_bytes", maxmemory)]))
        }
        if policy.hasPrefix("volatile-"), expires < keys {
            findings.append(Finding(severity: .warn, code: "no-ttl-under-volatile-policy", pattern: nil, message:
                "\(grouped(keys - expires)) of \(grouped(keys)) keys have no TTL while maxmemory-policy is \(policy): they can never "
                + "be evicted, so when memory fills writes fail with OOM and the app fails open; give them a TTL or use allkeys-*.",
                evidence: [FindingEvidence("keys_without_ttl", keys - expires), FindingEvidence("keys", keys)]))
        }
        return findings
    }

    // MARK: - Rates

    static func rateFindings(_ rates: InfoRates, info: InfoSnapshot?, thresholds t: FindingThresholds) -> [Finding] {
        var findings: [Finding] = []
        if let oom = rates.errorsPerSecond["OOM"], oom > 0 {
            findings.append(Finding(severity: .crit, code: "oom-errors", pattern: nil, message:
                "Redis answered \(number(oom * 60)) OOM errors per minute: writes are refused (maxmemory reached) and the app is "
                + "failing open on them right now.",
                evidence: [FindingEvidence("per_minute", oom * 60), FindingEvidence("total", info?.errorStats["OOM"] ?? 0)]))
        }
        let evicted = rates.evictedKeysPerSecond
        if evicted > t.evictionsWarnPerSecond {
            findings.append(Finding(severity: evicted > t.evictionsCritPerSecond ? .crit : .warn, code: "evictions", pattern: nil, message:
                "Redis evicts \(number(evicted)) keys/s to stay under maxmemory: cached values disappear before their TTL; "
                + "raise maxmemory or cache less.",
                evidence: [FindingEvidence("evicted_per_second", evicted), FindingEvidence("warn", t.evictionsWarnPerSecond),
                           FindingEvidence("crit", t.evictionsCritPerSecond)]))
        }
        let lookups = rates.hitsPerSecond + rates.missesPerSecond
        if let ratio = rates.hitRatio, lookups >= t.hitRatioMinLookupsPerSecond, ratio < t.hitRatioWarn {
            findings.append(Finding(severity: ratio < t.hitRatioCrit ? .crit : .warn, code: "low-hit-ratio", pattern: nil, message:
                "Only \(percent(ratio)) of \(number(lookups)) lookups/s hit the cache (warn below \(percent(t.hitRatioWarn))): "
                + "the app recomputes most answers; look for keys that expire too soon, falsy values, or a cold cache after a deploy.",
                evidence: [FindingEvidence("hit_ratio", ratio), FindingEvidence("lookups_per_second", lookups),
                           FindingEvidence("warn", t.hitRatioWarn), FindingEvidence("crit", t.hitRatioCrit)]))
        }
        findings += errorFindings(rates, thresholds: t)
        if rates.commandStatsKnown, let keys = rates.callsPerSecond("keys"), keys > 0, keys * 60 > t.keysPerMinute {
            findings.append(Finding(severity: .warn, code: "keys-command", pattern: nil, message:
                "Another client runs KEYS (\(number(keys * 60))/min): it blocks Redis while it walks every key; use SCAN "
                + "(redis-cli --scan) even for debugging in production.",
                evidence: [FindingEvidence("per_minute", keys * 60), FindingEvidence("total", info?.commandStats["keys"]?.calls ?? 0)]))
        }
        if let scans = rates.scanCallsPerSecond, scans > t.scanPerSecond {
            findings.append(Finding(severity: .warn, code: "pattern-invalidation", pattern: nil, message:
                "The app runs \(RateFindings.perSecond(scans)) SCAN/s (pattern invalidation): every write with pattern_to_invalidate_extra "
                + "scans the keyspace; prefer narrow invalidation (guide: Anti-Patterns).",
                evidence: [FindingEvidence("scan_per_second", scans), FindingEvidence("threshold", t.scanPerSecond)]))
        }
        return findings
    }

    private static func errorFindings(_ rates: InfoRates, thresholds t: FindingThresholds) -> [Finding] {
        let watched = rates.errorsPerSecond.filter { t.errorCodes.contains($0.key) && $0.value > 0 }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        let perMinute = watched.reduce(0) { $0 + $1.value } * 60
        guard !watched.isEmpty, perMinute > t.errorsPerMinute else { return [] }
        let list = watched.prefix(4).map { "\($0.key) \(number($0.value * 60))/min" }.joined(separator: ", ")
        return [Finding(severity: .warn, code: "errorstats", pattern: nil, message:
            "Redis is answering errors to its clients (\(list)): these are what the app is getting right now (INFO errorstats).",
            evidence: [FindingEvidence("per_minute", perMinute)] + watched.map { FindingEvidence($0.key.lowercased() + "_per_minute", $0.value * 60) })]
    }

    // MARK: - Formatting

    /// `92 %`, `2.5 %`; INFO is hostile, so the value is clamped before it becomes an integer.
    static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "? %" }
        let value = min(max(fraction * 100, -1e12), 1e12)
        return value < 10 && value != value.rounded() ? String(format1(value)) + " %" : "\(Int(value.rounded())) %"
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "?" }
        let clamped = min(max(value, -9e15), 9e15)
        return abs(clamped) >= 10 || clamped == clamped.rounded() ? "\(Int(clamped.rounded()))" : format1(clamped)
    }

    private static func format1(_ value: Double) -> String { String(Double((value * 10).rounded()) / 10) }

    static func megabytes(_ bytes: Int) -> String { "\(number(Double(bytes) / 1_048_576)) MB" }

    static func grouped(_ value: Int) -> String { Findings.grouped(value) }
}
