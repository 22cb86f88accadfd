/// The thresholds of every finding (the `[findings]` section of the config file; defaults from the guide).
public struct FindingThresholds: Equatable, Sendable {
    /// `ttl-too-long`: median TTL above which a paginated list is too long-lived (guide: 1–5 minutes).
    public var paginatedTTLMaxSeconds: Double = 300
    /// `ttl-too-long`: median TTL above which a search cache is too long-lived (guide: 5–15 minutes).
    public var searchTTLMaxSeconds: Double = 900
    /// `mixed-ttl-pages`: how many times longer one TTL setting must be than another.
    public var mixedTTLRatio: Double = 2
    /// `mixed-ttl-pages`: and by at least this many seconds.
    public var mixedTTLMinDifferenceSeconds: Double = 60
    /// `free-text-key`: a key segment this long (not a hash) counts as free text.
    public var freeTextMinLength: Int = 48
    /// `generic-prefix`: top-level prefixes that say nothing about what is cached.
    public var genericPrefixes: [String] = ["data", "cache", "tmp", "temp", "obj", "object", "item", "key", "value", "misc", "stuff"]
    /// `pattern-invalidation`: the app's SCAN calls per second above which it is reported.
    public var scanPerSecond: Double = 10
    /// `keys-command`: KEYS calls per minute above which it is reported (0: any call).
    public var keysPerMinute: Double = 0
    /// `low-hit-ratio`: warn below this hit ratio (0–1).
    public var hitRatioWarn: Double = 0.8
    /// `low-hit-ratio`: crit below this hit ratio (0–1).
    public var hitRatioCrit: Double = 0.5
    /// `low-hit-ratio`: judged only with at least this many lookups (GET hits + misses) per second.
    public var hitRatioMinLookupsPerSecond: Double = 1
    /// `evictions`: warn above this many evicted keys per second (0: any eviction).
    public var evictionsWarnPerSecond: Double = 0
    /// `evictions`: crit above this many evicted keys per second.
    public var evictionsCritPerSecond: Double = 100
    /// `memory-near-max`: warn at this fraction of `maxmemory`.
    public var memoryWarnFraction: Double = 0.8
    /// `memory-near-max`: crit at this fraction of `maxmemory`.
    public var memoryCritFraction: Double = 0.95
    /// `noeviction-cache`: the share of keys with a TTL from which a server is taken for a cache.
    public var cacheTTLShare: Double = 0.5
    /// `errorstats`: errors per minute (of `errorCodes`) above which they are reported (0: any).
    public var errorsPerMinute: Double = 0
    /// `errorstats`: the `errorstat_*` prefixes watched (`OOM` has its own finding, `oom-errors`).
    public var errorCodes: [String] = ["NOAUTH", "WRONGPASS", "MISCONF", "READONLY", "LOADING", "BUSY", "MASTERDOWN",
                                       "CLUSTERDOWN", "NOREPLICAS", "WRONGTYPE", "EXECABORT"]

    public init() {}
}

/// A `[[silence]]` entry: hides findings by code, by family pattern, or both.
public struct FindingSilence: Equatable, Sendable {
    /// The finding code (`no-ttl`), nil for every code.
    public var code: String?
    /// The family pattern exactly as shown (`cart:{id}:items`), nil for every family.
    public var pattern: String?

    public init(code: String?, pattern: String?) {
        self.code = code
        self.pattern = pattern
    }

    /// Whether this silence hides `finding`.
    public func matches(_ finding: Finding) -> Bool {
        (code == nil || code == finding.code) && (pattern == nil || pattern == finding.pattern)
    }
}
