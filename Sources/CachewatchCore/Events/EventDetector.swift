import Foundation

/// Turns what cachewatch already reads (INFO, PING, the connection, census passes, fail-open
/// transitions, app log lines) into timeline events. Pure: the store feeds it, in order.
public struct EventDetector: Sendable {
    public let thresholds: EventThresholds
    public private(set) var log: EventLog

    private var previousInfo: InfoSnapshot?
    private var disconnectedSince: Date?
    private var disconnectReason: String?
    private var memoryAlarmed = false
    private var lastEvictionAt: Date?
    private var evictingSince: Date?
    private var recentPings: [Double] = []
    private var latencyAlarmed = false
    private var knownFamilies: Set<String>?
    private var lastCompleteCensus: CensusReport?
    private var pendingDropID: Int?
    /// Several databases: the DBs whose keys fell with the pending drop; it waits for each one's next complete pass.
    private var pendingDropDatabases: Set<Int> = []

    public init(thresholds: EventThresholds = EventThresholds(), log: EventLog = EventLog()) {
        self.thresholds = thresholds
        self.log = log
    }

    // MARK: - Connection

    /// A connection state seen by the collector.
    public mutating func observe(connection state: ConnectionState, at now: Date) {
        switch state {
        case let .disconnected(since, reason):
            guard disconnectedSince == nil else { return }
            disconnectedSince = since
            disconnectReason = reason
            log.append(Event(at: since, kind: .connectionLost, severity: .crit,
                             message: "Connection to the cache lost: \(DisplayEscaper.escape(reason)).",
                             evidence: [("reason", .string(DisplayEscaper.escape(reason)))]))
        case .connected:
            guard let since = disconnectedSince else { return }
            let outage = max(0, now.timeIntervalSince(since))
            disconnectedSince = nil
            log.append(Event(at: now, kind: .connectionRestored, severity: .ok,
                             message: "Connection restored after \(EventDetector.duration(outage)).",
                             evidence: [("outage_seconds", .number(outage)), ("reason", .text(disconnectReason.map { DisplayEscaper.escape($0) }))]))
        case .connecting:
            break
        }
    }

    /// An event detected elsewhere (a cluster failover seen by comparing two discoveries) joins the timeline.
    public mutating func record(_ event: Event) {
        log.append(event)
    }

    // MARK: - INFO and PING

    /// One INFO sample (and the PING of the same tick, when known).
    public mutating func observe(info: InfoSnapshot, pingMilliseconds: Double?) {
        let now = info.takenAt
        if let previous = previousInfo {
            detectRestart(previous, info, now)
            detectRole(previous, info, now)
            detectConfig(previous, info, now)
            detectKeyspaceDrop(previous, info, now)
            detectEvictions(previous, info, now)
        }
        detectMemory(info, now)
        if let pingMilliseconds { detectLatency(pingMilliseconds, now) }
        previousInfo = info
    }

    private mutating func detectRestart(_ previous: InfoSnapshot, _ info: InfoSnapshot, _ now: Date) {
        let runChanged = previous.runID != nil && info.runID != nil && previous.runID != info.runID
        let uptimeBack = (info.uptimeSeconds ?? Int.max) < (previous.uptimeSeconds ?? 0)
        guard runChanged || uptimeBack else { return }
        let uptime = info.uptimeSeconds
        log.append(Event(at: now, kind: .restart, severity: .warn,
                         message: "The cache server restarted\(uptime.map { " (up \(EventDetector.duration(Double($0))))" } ?? ""): its counters and non-persisted keys start again.",
                         evidence: [("uptime_seconds", .integer(uptime)), ("run_id_changed", .bool(runChanged))]))
    }

    private mutating func detectRole(_ previous: InfoSnapshot, _ info: InfoSnapshot, _ now: Date) {
        guard let before = previous.role, let after = info.role, before != after else { return }
        let promoted = after == "master" && before != "master"
        log.append(Event(at: now, kind: promoted ? .failover : .roleChange, severity: .warn,
                         message: promoted ? "Failover: this node was a \(DisplayEscaper.escape(before)) and is now the primary."
                                           : "Role changed from \(DisplayEscaper.escape(before)) to \(DisplayEscaper.escape(after)).",
                         evidence: [("from", .string(DisplayEscaper.escape(before))), ("to", .string(DisplayEscaper.escape(after)))]))
    }

    private mutating func detectConfig(_ previous: InfoSnapshot, _ info: InfoSnapshot, _ now: Date) {
        var changes: [(String, String, String)] = []
        if let a = previous.maxmemoryBytes, let b = info.maxmemoryBytes, a != b { changes.append(("maxmemory", String(a), String(b))) }
        if let a = previous.maxmemoryPolicy, let b = info.maxmemoryPolicy, a != b {
            changes.append(("maxmemory-policy", DisplayEscaper.escape(a), DisplayEscaper.escape(b)))
        }
        guard !changes.isEmpty else { return }
        let text = changes.map { "\($0.0) \($0.1) -> \($0.2)" }.joined(separator: ", ")
        log.append(Event(at: now, kind: .configChange, severity: .warn, message: "Configuration changed: \(text).",
                         evidence: changes.map { ($0.0, .object([("before", .string($0.1)), ("after", .string($0.2))])) }))
    }

    private mutating func detectKeyspaceDrop(_ previous: InfoSnapshot, _ info: InfoSnapshot, _ now: Date) {
        let before = EventDetector.totalKeys(previous), after = EventDetector.totalKeys(info)
        guard before > 0, after < before else { return }
        let dropped = before - after
        let fraction = Double(dropped) / Double(before)
        guard fraction >= thresholds.keyspaceDropFraction, dropped >= thresholds.keyspaceDropMinimumKeys else { return }
        let fallen = previous.keyspace.filter { entry in (info.keyspace.first { $0.db == entry.db }?.keys ?? 0) < entry.keys }.map(\.db)
        pendingDropDatabases = Set(fallen)
        pendingDropID = log.append(Event(at: now, kind: .keyspaceDrop, severity: .warn,
            message: "Keys fell from \(before) to \(after) (-\(EventDetector.percent(fraction))) between two polls: a FLUSHDB, a mass invalidation or a deploy wiping a prefix.",
            evidence: [("keys_before", .int(before)), ("keys_after", .int(after)), ("fraction", .number(fraction))]))
    }

    private mutating func detectEvictions(_ previous: InfoSnapshot, _ info: InfoSnapshot, _ now: Date) {
        guard let a = previous.evictedKeys, let b = info.evictedKeys else { return }
        guard b > a else {
            if let last = lastEvictionAt, now.timeIntervalSince(last) >= thresholds.evictionsQuietSeconds { evictingSince = nil }
            return
        }
        let quietEnough = lastEvictionAt.map { now.timeIntervalSince($0) >= thresholds.evictionsQuietSeconds } ?? true
        lastEvictionAt = now
        guard evictingSince == nil || quietEnough else { return }
        evictingSince = now
        log.append(Event(at: now, kind: .evictionsStarted, severity: .warn,
                         message: "Redis started evicting keys (\(b - a) since the last poll): memory is full for the cache's working set.",
                         evidence: [("evicted", .int(b - a)), ("maxmemory_policy", .text(info.maxmemoryPolicy.map { DisplayEscaper.escape($0) }))]))
    }

    private mutating func detectMemory(_ info: InfoSnapshot, _ now: Date) {
        guard let used = info.usedMemoryBytes, let limit = info.maxmemoryBytes, limit > 0 else { return }
        let fraction = Double(used) / Double(limit)
        if memoryAlarmed {
            if fraction < thresholds.memoryRearmFraction { memoryAlarmed = false }
            return
        }
        guard fraction >= thresholds.memoryNearMaxFraction else { return }
        memoryAlarmed = true
        log.append(Event(at: now, kind: .memoryNearMax, severity: fraction >= 0.98 ? .crit : .warn,
                         message: "Memory at \(EventDetector.percent(fraction)) of maxmemory (\(used) of \(limit) bytes).",
                         evidence: [("used_memory_bytes", .int(used)), ("maxmemory_bytes", .int(limit)), ("fraction", .number(fraction))]))
    }

    private mutating func detectLatency(_ milliseconds: Double, _ now: Date) {
        guard milliseconds.isFinite, milliseconds >= 0 else { return }
        let median = EventDetector.median(recentPings)
        recentPings.append(milliseconds)
        if recentPings.count > 60 { recentPings.removeFirst(recentPings.count - 60) }
        guard let median else { return }
        if latencyAlarmed {
            if milliseconds < max(2 * median, thresholds.latencySpikeMilliseconds / 2) { latencyAlarmed = false }
            return
        }
        guard milliseconds >= thresholds.latencySpikeMilliseconds, milliseconds >= thresholds.latencySpikeFactor * median else { return }
        latencyAlarmed = true
        log.append(Event(at: now, kind: .latencySpike, severity: .warn,
                         message: String(format: "PING took %.1f ms (median of the last minute %.2f ms).", milliseconds, median),
                         evidence: [("ping_ms", .number(milliseconds)), ("median_ms", .number(median))]))
    }

    // MARK: - Census

    /// A census report; only complete passes name new families and the families a drop shrank.
    public mutating func observe(census: CensusReport, at now: Date) {
        guard census.complete else { return }
        observeComplete(census, at: now, settlesDrop: true)
    }

    /// Several databases: database `db` completed a pass and `combined` is every database's shown census
    /// (`DatabaseCensuses.displayReport`, families named `db1 ratelimit:{id}`), observed when complete. A pending
    /// `keyspace-drop` names the shrunk `dbN` families as soon as one appears, and waits until every database whose
    /// keys fell has passed again before it gives up.
    public mutating func observe(databaseCensus db: Int, combined: CensusReport, at now: Date) {
        guard combined.complete else { return }
        pendingDropDatabases.remove(db)
        observeComplete(combined, at: now, settlesDrop: pendingDropDatabases.isEmpty)
    }

    private mutating func observeComplete(_ census: CensusReport, at now: Date, settlesDrop: Bool) {
        let patterns = Set(census.families.map(\.pattern).filter { $0 != "(other)" })
        if let known = knownFamilies {
            let fresh = census.families.filter { $0.pattern != "(other)" && !known.contains($0.pattern) }
            for family in fresh.prefix(thresholds.newFamiliesPerPass) {
                log.append(Event(at: now, kind: .newFamily, severity: .ok,
                                 message: "New key family \(family.pattern) (\(family.keys) keys) since the previous census.",
                                 evidence: [("pattern", .string(family.pattern)), ("keys", .int(family.keys))]))
            }
            if fresh.count > thresholds.newFamiliesPerPass {
                let more = fresh.count - thresholds.newFamiliesPerPass
                log.append(Event(at: now, kind: .newFamily, severity: .ok, message: "\(more) more new key families since the previous census.",
                                 evidence: [("more", .int(more))]))
            }
        }
        knownFamilies = (knownFamilies ?? []).union(patterns)
        if let dropID = pendingDropID, let previous = lastCompleteCensus, var drop = log.events.last(where: { $0.id == dropID }) {
            let shrunk = EventDetector.shrunkFamilies(from: previous, to: census)
            if !shrunk.isEmpty {
                drop.message += " Shrank: " + shrunk.prefix(5).map { "\($0.pattern) \($0.before) -> \($0.after)" }.joined(separator: ", ") + "."
                drop.evidence.append(("families", .array(shrunk.map {
                    .object([("pattern", .string($0.pattern)), ("keys_before", .int($0.before)), ("keys_after", .int($0.after))])
                })))
                log.update(drop)
                pendingDropID = nil
                pendingDropDatabases = []
            }
        }
        if settlesDrop {
            pendingDropID = nil
            pendingDropDatabases = []
        }
        lastCompleteCensus = census
    }

    /// Families whose key count fell by at least a fifth, biggest loss first.
    static func shrunkFamilies(from previous: CensusReport, to current: CensusReport) -> [(pattern: String, before: Int, after: Int)] {
        var now: [String: Int] = [:]
        for family in current.families { now[family.pattern] = family.keys }
        return previous.families.compactMap { family -> (String, Int, Int)? in
            guard family.pattern != "(other)" else { return nil }
            let after = now[family.pattern] ?? 0
            guard family.keys > 0, after <= family.keys * 4 / 5 else { return nil }
            return (family.pattern, family.keys, after)
        }.sorted { ($0.1 - $0.2) > ($1.1 - $1.2) }
    }

    // MARK: - Logs and people

    /// A fail-open alert transition (warn/crit/ok).
    public mutating func observe(alert transition: AlertTransition) {
        let rate = transition.ratePerMinute.isFinite ? transition.ratePerMinute : 0
        log.append(Event(at: transition.at, kind: .failOpen, severity: transition.to,
                         message: "Fail-open \(transition.from.rawValue) -> \(transition.to.rawValue) at \(Int(min(rate, 1e9).rounded()))/min.",
                         evidence: [("from", .string(transition.from.rawValue)), ("to", .string(transition.to.rawValue)),
                                    ("rate_per_minute", .number(rate))]))
    }

    /// The timeline of a one-shot document (`snapshot`): the fail-open transitions and the app deploys (bursts of
    /// startup lines merged) its log backfill saw, newest first.
    public static func events(fromAlerts transitions: [AlertTransition], deployLines: [DeployLine] = []) -> [Event] {
        var detector = EventDetector()
        var alerts = transitions.sorted { $0.at < $1.at }[...]
        for line in deployLines.sorted(by: { ($0.at, $0.sequence) < ($1.at, $1.sequence) }) {
            while let next = alerts.first, next.at <= line.at {
                detector.observe(alert: next)
                alerts.removeFirst()
            }
            detector.observe(deployLine: line)
        }
        for transition in alerts { detector.observe(alert: transition) }
        return detector.log.newestFirst
    }

    /// An app startup line (`Application startup complete.` …): one `deploy` event per burst.
    public mutating func observe(deployLine summary: String, at now: Date) {
        observeDeploy(escaped: DisplayEscaper.escape(summary), at: now)
    }

    /// A deploy line from a `LogsReport` (its text is already escaped for display).
    public mutating func observe(deployLine line: DeployLine) {
        observeDeploy(escaped: line.line, at: line.at)
    }

    private mutating func observeDeploy(escaped text: String, at now: Date) {
        if var last = log.latest(.deploy), now.timeIntervalSince(last.at) < thresholds.deployBurstSeconds, now >= last.at {
            let lines = (last.evidence("lines").flatMap { if case let .int(n) = $0 { return n } else { return nil } } ?? 1) + 1
            last.evidence = [("lines", .int(lines)), ("first_line", last.evidence("first_line") ?? .string(text))]
            last.message = "Deploy or restart of the app: \(lines) startup lines from its workers."
            log.update(last)
            return
        }
        log.append(Event(at: now, kind: .deploy, severity: .ok, message: "Deploy or restart of the app: \(text)",
                         evidence: [("lines", .int(1)), ("first_line", .string(text))]))
    }

    /// A marker typed by the engineer (`M` in the dashboard).
    public mutating func mark(note: String, at now: Date) {
        let text = DisplayEscaper.escape(note)
        log.append(Event(at: now, kind: .marker, severity: .ok, message: text.isEmpty ? "Marker." : text,
                         evidence: [("note", .string(text))]))
    }

    // MARK: - Helpers

    static func totalKeys(_ info: InfoSnapshot) -> Int {
        info.keyspace.reduce(0) { $0 &+ max(0, $1.keys) }
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }

    static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "?%" }
        return "\(Int(min(max(fraction * 100, -1e6), 1e6).rounded()))%"
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(min(seconds, 1e9).rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m"
    }
}
