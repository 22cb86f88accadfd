import Foundation

/// What the log followers saw (`logs` in the snapshot JSON).
public struct LogsReport: Equatable, Sendable {
    public var sources: [LogSourceStatus]
    public var failOpen: FailOpenSummary
    /// Memcached pattern invalidations the app logged as impossible, per pattern (all sources).
    public var patternDeletions: PatternDeletionCounts
    /// App startup lines (deploy markers) of all sources, numbered in the order the monitor saw them.
    public var deployLines: DeployLines

    public init(sources: [LogSourceStatus], failOpen: FailOpenSummary, patternDeletions: PatternDeletionCounts = PatternDeletionCounts(),
                deployLines: DeployLines = DeployLines()) {
        self.sources = sources
        self.failOpen = failOpen
        self.patternDeletions = patternDeletions
        self.deployLines = deployLines
    }

    public var json: JSONValue {
        .object([("sources", .array(sources.map(\.json))), ("fail_open", failOpen.json),
                 ("memcached_pattern_deletions", patternDeletions.json), ("deploy_lines", deployLines.json)])
    }
}

/// One followed source (`logs.sources[]`).
public struct LogSourceStatus: Equatable, Sendable {
    /// The path as given (`-` for stdin), escaped for display.
    public var path: String
    /// `detailed`, `classic`, `structured`, `json`, `plain`, or `unknown` before the first line.
    public var format: String
    public var lines: Int
    public var unparsed: Int
    public var truncated: Int
    /// Fail-open lines whose own time was unusable (not finite, before 1970, > 1 day ahead) and counted at arrival.
    public var unparsedTime: Int
    /// `following`, `missing`, `unreadable` or `stale`.
    public var status: String
    /// A sentence for people when the status is not `following` (e.g. permission denied).
    public var detail: String?

    public init(path: String, format: String, lines: Int, unparsed: Int, truncated: Int, status: String, detail: String? = nil,
                unparsedTime: Int = 0) {
        self.unparsedTime = unparsedTime
        self.path = path
        self.format = format
        self.lines = lines
        self.unparsed = unparsed
        self.truncated = truncated
        self.status = status
        self.detail = detail
    }

    public var json: JSONValue {
        .object([("path", .string(path)), ("format", .string(format)), ("lines", .int(lines)),
                 ("unparsed", .int(unparsed)), ("truncated", .int(truncated)), ("status", .string(status)),
                 ("detail", .text(detail)), ("unparsed_time", .int(unparsedTime))])
    }
}

/// Alert level of the fail-open rule.
public enum AlertLevel: String, Comparable, Sendable, CaseIterable {
    case ok, warn, crit

    public static func < (lhs: AlertLevel, rhs: AlertLevel) -> Bool {
        let order: [AlertLevel] = [.ok, .warn, .crit]
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }
}

/// One change of alert level.
public struct AlertTransition: Equatable, Sendable {
    public var at: Date
    public var from: AlertLevel
    public var to: AlertLevel
    /// Events per minute over the alert window when it happened.
    public var ratePerMinute: Double

    public init(at: Date, from: AlertLevel, to: AlertLevel, ratePerMinute: Double) {
        self.at = at
        self.from = from
        self.to = to
        self.ratePerMinute = ratePerMinute
    }

    public var json: JSONValue {
        .object([("at", .string(ISOTime.format(at))), ("from", .string(from.rawValue)), ("to", .string(to.rawValue)),
                 ("rate_per_minute", .double(ratePerMinute))])
    }
}

/// Fail-open counts, series and alert state (`logs.fail_open`).
public struct FailOpenSummary: Equatable, Sendable {
    public var last1m: Int
    public var last5m: Int
    public var last15m: Int
    public var total: Int
    /// The last 60 minutes, oldest first (60 values).
    public var perMinute: [Int]
    public var state: AlertLevel
    /// When the current state began (nil before any evaluation).
    public var since: Date?
    /// Top error texts, largest first.
    public var byError: [(error: String, count: Int)]
    /// Failing key families, largest first.
    public var byFamily: [(pattern: String, count: Int)]
    public var warnPerMinute: Double
    public var critPerMinute: Double
    /// Transitions, oldest first (at most 100).
    public var history: [AlertTransition]

    public init(last1m: Int = 0, last5m: Int = 0, last15m: Int = 0, total: Int = 0,
                perMinute: [Int] = Array(repeating: 0, count: 60), state: AlertLevel = .ok, since: Date? = nil,
                byError: [(error: String, count: Int)] = [], byFamily: [(pattern: String, count: Int)] = [],
                warnPerMinute: Double = 10, critPerMinute: Double = 50, history: [AlertTransition] = []) {
        self.last1m = last1m
        self.last5m = last5m
        self.last15m = last15m
        self.total = total
        self.perMinute = perMinute
        self.state = state
        self.since = since
        self.byError = byError
        self.byFamily = byFamily
        self.warnPerMinute = warnPerMinute
        self.critPerMinute = critPerMinute
        self.history = history
    }

    public static func == (lhs: FailOpenSummary, rhs: FailOpenSummary) -> Bool {
        lhs.json == rhs.json
    }

    public var json: JSONValue {
        .object([
            ("last_1m", .int(last1m)), ("last_5m", .int(last5m)), ("last_15m", .int(last15m)), ("total", .int(total)),
            ("per_minute", .array(perMinute.map(JSONValue.int))),
            ("state", .string(state.rawValue)),
            ("since", since.map { .string(ISOTime.format($0)) } ?? .null),
            ("by_error", .array(byError.map { .object([("error", .string($0.error)), ("count", .int($0.count))]) })),
            ("by_family", .array(byFamily.map { .object([("pattern", .string($0.pattern)), ("count", .int($0.count))]) })),
            ("warn_per_minute", .double(warnPerMinute)), ("crit_per_minute", .double(critPerMinute)),
            ("history", .array(history.map(\.json))),
        ])
    }
}
