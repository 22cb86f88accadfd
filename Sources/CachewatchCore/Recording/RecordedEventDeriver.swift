import Foundation

/// Rebuilds the events timeline of a recording whose documents carry no `events` (written before documents had
/// them, or with the field lost): the recorded metrics, server fields, keyspace, censuses, fail-open history and
/// deploy lines are fed, document by document, to the same `EventDetector` the live store runs.
///
/// What a document does not hold cannot be rebuilt: markers typed with `M`, and a restart that kept its uptime
/// counting up (documents carry no `run_id`). Every field is read bounded, like any recorded value.
public struct RecordedEventDeriver: Sendable {
    public private(set) var detector: EventDetector
    /// `evicted_keys` rebuilt from the recorded per-second rates (the detector compares totals).
    private var evictedTotal = 0.0
    private var previousTakenAt: Date?
    private var errorSince: Date?
    private var lastAlertAt: Date?
    private var failOpenState: AlertLevel?
    private var deployTotal: Int?
    private var deploySequence = 0

    /// A replay keeps the whole recording's timeline (the live 24 h / 1,000 bound would drop a long recording's start).
    public init(thresholds: EventThresholds = EventThresholds(), log: EventLog = EventLog(maxCount: 100_000, maxAgeSeconds: 1e10)) {
        detector = EventDetector(thresholds: thresholds, log: log)
    }

    /// The events so far, oldest first.
    public var events: [Event] { detector.log.events }

    /// One recorded document (in recording order); `census` is its census when it differs from the previous one.
    public mutating func observe(document: JSONValue, at takenAt: Date, census: CensusReport? = nil) {
        let error = document["error"]?.text(maximumLength: 300)
        let server = document["server"] ?? .null
        if let error, server == .null, previousTakenAt != nil || !error.hasPrefix("Connecting to ") {
            // The collector could not reach the server: the connection was lost at the first such document (the
            // first moments of a recording, still connecting, are not an outage).
            let since = errorSince ?? takenAt
            errorSince = since
            detector.observe(connection: .disconnected(since: since, reason: error), at: takenAt)
        } else if server != .null {
            errorSince = nil
            detector.observe(connection: .connected, at: takenAt)
            let info = Self.info(document, takenAt: takenAt, evictedTotal: &evictedTotal, previousTakenAt: previousTakenAt)
            let ping = document["metrics"]?["ping_ms"]?.finite(in: 0...1e9)
            detector.observe(info: info, pingMilliseconds: ping)
            previousTakenAt = takenAt
        }
        if let census, census.complete { detector.observe(census: census, at: takenAt) }
        observeLogs(document["logs"] ?? .null, at: takenAt)
    }

    /// The fail-open transitions and deploy lines the document's `logs` added since the previous document.
    private mutating func observeLogs(_ logs: JSONValue, at takenAt: Date) {
        guard case .object = logs else { return }
        if let failOpen = logs["fail_open"], case .object = failOpen {
            let summary = DocumentModels.failOpen(failOpen)
            var transitions = 0
            for transition in summary.history.sorted(by: { $0.at < $1.at }) where lastAlertAt.map({ transition.at > $0 }) ?? true {
                detector.observe(alert: transition)
                lastAlertAt = transition.at
                transitions += 1
            }
            // A document without `history` (or with it cut) still says the level: a change of `state` is a transition.
            if transitions == 0, let before = failOpenState, before != summary.state {
                let at = max(summary.since ?? takenAt, lastAlertAt ?? .distantPast)
                detector.observe(alert: AlertTransition(at: at, from: before, to: summary.state, ratePerMinute: Double(summary.last1m)))
                lastAlertAt = at
            }
            failOpenState = summary.state
        }
        let deploys = logs["deploy_lines"] ?? .null
        guard let total = deploys["total"]?.count(limit: 1 << 40) else { return }
        let recent = (deploys["recent"] ?? .null).elements(limit: DeployLines.maximumRecent)
        // `recent` holds the newest lines, oldest first; `total` grows by the lines added since the last document.
        let added = total - (deployTotal ?? 0)
        deployTotal = total
        guard added > 0 else { return }
        for item in recent.suffix(added) {
            guard let at = item["at"]?.text(maximumLength: 40).flatMap(RecordingTime.parseISO) else { continue }
            deploySequence += 1
            let line = item["line"]?.text(maximumLength: DeployLines.maximumLineBytes) ?? ""
            detector.observe(deployLine: DeployLine(sequence: deploySequence, at: at, line: line))
        }
    }

    /// The INFO fields a document records (server, memory, keyspace), as the snapshot the detector reads.
    static func info(_ document: JSONValue, takenAt: Date, evictedTotal: inout Double, previousTakenAt: Date?) -> InfoSnapshot {
        var info = InfoSnapshot(text: "", takenAt: takenAt)
        let server = document["server"] ?? .null
        let metrics = document["metrics"] ?? .null
        var serverFields: [String: String] = [:]
        var memory: [String: String] = [:]
        var replication: [String: String] = [:]
        var stats: [String: String] = [:]
        if let uptime = server["uptime_seconds"]?.count(limit: 1 << 40) { serverFields["uptime_in_seconds"] = String(uptime) }
        if let version = server["version"]?.text(maximumLength: 40) { serverFields["redis_version"] = version }
        if let runID = server["run_id"]?.text(maximumLength: 64) { serverFields["run_id"] = runID }
        if let used = metrics["used_memory_bytes"]?.count(limit: 1 << 60) { memory["used_memory"] = String(used) }
        if let limit = server["maxmemory_bytes"]?.count(limit: 1 << 60) { memory["maxmemory"] = String(limit) }
        if let policy = server["maxmemory_policy"]?.text(maximumLength: 40) { memory["maxmemory_policy"] = policy }
        if let role = server["role"]?.text(maximumLength: 20) { replication["role"] = role }
        // Evictions: the rate times the interval, at least one eviction when the rate was positive.
        if let rate = metrics["evicted_keys_per_second"]?.finite(in: 0...1e9), rate > 0 {
            let seconds = previousTakenAt.map { min(max(takenAt.timeIntervalSince($0), 0), 3600) } ?? 1
            evictedTotal = min(evictedTotal + max(1, (rate * seconds).rounded()), 1e15)
        }
        stats["evicted_keys"] = String(Int(evictedTotal))
        info.fields = ["server": serverFields, "memory": memory, "replication": replication, "stats": stats]
        info.sectionOrder = ["server", "memory", "stats", "replication"]
        info.keyspace = (document["keyspace"] ?? .null).elements(limit: 1024).compactMap { entry in
            guard let db = entry["db"]?.count(limit: 1 << 20), let keys = entry["keys"]?.count(limit: 1 << 50) else { return nil }
            return KeyspaceEntry(db: db, keys: keys, expires: entry["expires"]?.count(limit: 1 << 50) ?? 0,
                                 avgTTLMilliseconds: entry["avg_ttl_ms"]?.count(limit: 1 << 50) ?? 0)
        }
        return info
    }
}
