/// When an observation becomes an event (documented in the README's events table).
public struct EventThresholds: Equatable, Sendable {
    /// `keyspace-drop`: total keys fell by at least this fraction between two polls …
    public var keyspaceDropFraction = 0.2
    /// … and by at least this many keys (a 5 → 3 key cache is not a drop worth waking anyone).
    public var keyspaceDropMinimumKeys = 10
    /// `memory-near-max`: used memory reached this fraction of `maxmemory` …
    public var memoryNearMaxFraction = 0.9
    /// … and fires again only after falling below this fraction.
    public var memoryRearmFraction = 0.85
    /// `latency-spike`: PING took at least this long …
    public var latencySpikeMilliseconds = 50.0
    /// … and at least this many times the median of the recent PINGs.
    public var latencySpikeFactor = 5.0
    /// `evictions-started`: evictions after at least this long without any.
    public var evictionsQuietSeconds = 300.0
    /// `deploy`: startup lines closer together than this are one deploy (a burst across workers).
    public var deployBurstSeconds = 60.0
    /// `new-family`: at most this many new families are named one by one per census pass.
    public var newFamiliesPerPass = 10

    public init() {}
}
