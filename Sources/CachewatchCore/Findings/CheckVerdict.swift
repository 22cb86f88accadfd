import Foundation

/// A Nagios plugin status (`cachewatch check`): OK 0, WARNING 1, CRITICAL 2, UNKNOWN 3.
public enum CheckStatus: String, Sendable, CaseIterable {
    case ok = "OK", warning = "WARNING", critical = "CRITICAL", unknown = "UNKNOWN"

    public var exitCode: Int32 {
        switch self {
        case .ok: return 0
        case .warning: return 1
        case .critical: return 2
        case .unknown: return 3
        }
    }
}

/// The numbers `check` reports as perfdata, whatever the backend (Redis today; Memcached fills the same fields).
public struct CheckMetrics: Equatable, Sendable {
    public var opsPerSecond: Double?
    public var hitRatio: Double?
    public var evictedPerSecond: Double?
    /// used memory / the limit (nil without a limit).
    public var memoryUsedRatio: Double?
    public var keys: Int?
    public var pingMilliseconds: Double?
    /// Fail-open lines in the last minute (nil without logs).
    public var failOpenPerMinute: Double?

    public init(opsPerSecond: Double? = nil, hitRatio: Double? = nil, evictedPerSecond: Double? = nil, memoryUsedRatio: Double? = nil,
                keys: Int? = nil, pingMilliseconds: Double? = nil, failOpenPerMinute: Double? = nil) {
        self.opsPerSecond = opsPerSecond
        self.hitRatio = hitRatio
        self.evictedPerSecond = evictedPerSecond
        self.memoryUsedRatio = memoryUsedRatio
        self.keys = keys
        self.pingMilliseconds = pingMilliseconds
        self.failOpenPerMinute = failOpenPerMinute
    }

    /// The metrics of one Redis sample.
    public init(info: InfoSnapshot?, rates: InfoRates?, pingMilliseconds: Double?, logs: LogsReport?) {
        self.init(opsPerSecond: rates?.opsPerSecond, hitRatio: rates?.hitRatio, evictedPerSecond: rates?.evictedKeysPerSecond,
                  keys: info.map { $0.keyspace.reduce(0) { $0 + max(0, $1.keys) } }, pingMilliseconds: pingMilliseconds,
                  failOpenPerMinute: logs.map { Double($0.failOpen.last1m) })
        if let info, let max = info.maxmemoryBytes, max > 0, let used = info.usedMemoryBytes, used >= 0 {
            memoryUsedRatio = Double(used) / Double(max)
        }
    }
}

/// The outcome of `cachewatch check`: one Nagios line, an exit code, and the findings behind them.
public struct CheckVerdict: Equatable, Sendable {
    public var status: CheckStatus
    public var summary: String
    /// `label=value;warn;crit;min;max` items, in a fixed order.
    public var perfdata: [String]
    public var findings: [Finding]
    /// The lowest finding severity that fails the check (`warn` or `crit`).
    public var failOn: AlertLevel

    /// `CACHEWATCH OK - summary | perfdata`.
    public var line: String {
        let text = "CACHEWATCH \(status.rawValue) - \(summary)"
        return perfdata.isEmpty ? text : text + " | " + perfdata.joined(separator: " ")
    }

    /// Judges one sample. `unreachable`: why the server could not be read (connection, auth): UNKNOWN, unless
    /// the app's logs prove a critical fail-open (CRITICAL). Warn findings fail only with `failOn` `.warn`.
    public static func evaluate(findings: [Finding], metrics: CheckMetrics, unreachable: String?, failOn: AlertLevel,
                                thresholds: FindingThresholds = FindingThresholds(), failOpenWarn: Double = 10,
                                failOpenCrit: Double = 50) -> CheckVerdict {
        let judged = findings.filter { $0.code != "redis-unreachable" }
        let crit = judged.filter { $0.severity == .crit }
        let warn = judged.filter { $0.severity == .warn }
        let status: CheckStatus
        if !crit.isEmpty {
            status = .critical
        } else if unreachable != nil {
            status = .unknown
        } else if !warn.isEmpty && failOn == .warn {
            status = .warning
        } else {
            status = .ok
        }
        var parts: [String] = []
        if let unreachable { parts.append(unreachable) }
        if judged.isEmpty {
            if unreachable == nil { parts.append("no findings" + describe(metrics)) }
        } else {
            var counts: [String] = []
            if !crit.isEmpty { counts.append("\(crit.count) crit") }
            if !warn.isEmpty { counts.append("\(warn.count) warn" + (failOn == .crit ? " (not failing: --fail-on crit)" : "")) }
            parts.append(counts.joined(separator: ", ") + ": " + list(crit + warn))
        }
        let summary = parts.joined(separator: "; ").replacingOccurrences(of: "|", with: "\\x7c")
            .replacingOccurrences(of: "\n", with: " ")
        return CheckVerdict(status: status, summary: summary,
                            perfdata: perfdata(metrics, findings: judged, thresholds: thresholds, failOpenWarn: failOpenWarn, failOpenCrit: failOpenCrit),
                            findings: findings, failOn: failOn)
    }

    /// `no-ttl cart:{id}:items, lockstep-expiry product:{id}:price, +3 more`.
    private static func list(_ findings: [Finding]) -> String {
        let shown = findings.prefix(5).map { finding in finding.displayPattern.map { "\(finding.code) \($0)" } ?? finding.code }
        let more = findings.count - shown.count
        return shown.joined(separator: ", ") + (more > 0 ? ", +\(more) more" : "")
    }

    private static func describe(_ metrics: CheckMetrics) -> String {
        var facts: [String] = []
        if let keys = metrics.keys { facts.append("\(keys) keys") }
        if let ratio = metrics.hitRatio, ratio.isFinite { facts.append("hit ratio \(ServerFindings.percent(ratio))") }
        if let failOpen = metrics.failOpenPerMinute { facts.append("fail-open \(perf(failOpen))/min") }
        return facts.isEmpty ? "" : " (" + facts.joined(separator: ", ") + ")"
    }

    static func perfdata(_ m: CheckMetrics, findings: [Finding], thresholds t: FindingThresholds,
                         failOpenWarn: Double, failOpenCrit: Double) -> [String] {
        var items: [String] = []
        func add(_ label: String, _ value: Double?, unit: String = "", warn: String = "", crit: String = "", min: String = "0", max: String = "") {
            guard let value, value.isFinite else { return }
            items.append("\(label)=\(perf(value))\(unit);\(warn);\(crit);\(min);\(max)")
        }
        add("ops_per_second", m.opsPerSecond)
        // Nagios ranges: `0.8:` alerts below 0.8.
        add("hit_ratio", m.hitRatio, warn: perf(t.hitRatioWarn) + ":", crit: perf(t.hitRatioCrit) + ":", max: "1")
        add("fail_open_per_minute", m.failOpenPerMinute, warn: perf(failOpenWarn), crit: perf(failOpenCrit))
        add("evicted_per_second", m.evictedPerSecond, warn: perf(t.evictionsWarnPerSecond), crit: perf(t.evictionsCritPerSecond))
        add("memory_used_ratio", m.memoryUsedRatio, warn: perf(t.memoryWarnFraction), crit: perf(t.memoryCritFraction), max: "1")
        add("keys", m.keys.map(Double.init))
        add("ping", m.pingMilliseconds, unit: "ms")
        add("findings_warn", Double(findings.filter { $0.severity == .warn }.count))
        add("findings_crit", Double(findings.filter { $0.severity == .crit }.count))
        return items
    }

    /// A perfdata number: no exponent, at most 4 decimals.
    static func perf(_ value: Double) -> String {
        guard value.isFinite else { return "" }
        if value == value.rounded(), abs(value) < 9e15 { return String(Int(value)) }
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// `--json`: the verdict and the findings.
    public func json(takenAt: Date) -> JSONValue {
        .object([
            ("taken_at", .string(ISOTime.format(takenAt))),
            ("status", .string(status.rawValue)),
            ("exit_code", .int(Int(status.exitCode))),
            ("fail_on", .string(failOn.rawValue)),
            ("summary", .string(summary)),
            ("line", .string(line)),
            ("findings", .array(findings.map(\.json))),
        ])
    }
}
