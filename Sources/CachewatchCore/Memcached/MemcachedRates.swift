import Foundation

/// Per-second rates between two memcached `stats` samples, read from the INFO bridge's `InfoRates`.
///
/// Counter resets (a restart, `stats reset`) make every rate nil, never negative; see `init(bridged:)`.
public struct MemcachedRates: Sendable, Equatable {
    /// Seconds between the two samples' `takenAt` (0 when not positive and finite).
    public var intervalSeconds: Double
    /// `get_hits` per second.
    public var hitsPerSecond: Double?
    /// `get_misses` per second.
    public var missesPerSecond: Double?
    /// get_hits / (get_hits + get_misses) over the interval; nil without lookups (metadump reads do not count).
    public var hitRatio: Double?
    /// `cmd_get` per second.
    public var getsPerSecond: Double?
    /// `cmd_set` per second.
    public var setsPerSecond: Double?
    /// `delete_hits` + `delete_misses` per second.
    public var deletesPerSecond: Double?
    /// `evictions` per second.
    public var evictionsPerSecond: Double?
    /// `expired_unfetched` per second: items that expired without ever being read.
    public var expiredUnfetchedPerSecond: Double?
    /// `evicted_unfetched` per second: items evicted without ever being read.
    public var evictedUnfetchedPerSecond: Double?
    /// `rejected_connections` per second.
    public var rejectedConnectionsPerSecond: Double?
    /// True when the server restarted or a counter went backwards between the samples.
    public var counterReset: Bool

    public init(intervalSeconds: Double, hitsPerSecond: Double?, missesPerSecond: Double?, hitRatio: Double?,
                getsPerSecond: Double?, setsPerSecond: Double?, deletesPerSecond: Double?, evictionsPerSecond: Double?,
                expiredUnfetchedPerSecond: Double?, evictedUnfetchedPerSecond: Double?, rejectedConnectionsPerSecond: Double?,
                counterReset: Bool) {
        self.intervalSeconds = intervalSeconds
        self.hitsPerSecond = hitsPerSecond
        self.missesPerSecond = missesPerSecond
        self.hitRatio = hitRatio
        self.getsPerSecond = getsPerSecond
        self.setsPerSecond = setsPerSecond
        self.deletesPerSecond = deletesPerSecond
        self.evictionsPerSecond = evictionsPerSecond
        self.expiredUnfetchedPerSecond = expiredUnfetchedPerSecond
        self.evictedUnfetchedPerSecond = evictedUnfetchedPerSecond
        self.rejectedConnectionsPerSecond = rejectedConnectionsPerSecond
        self.counterReset = counterReset
    }

    /// get + set + delete per second (nil when any is unknown).
    public var operationsPerSecond: Double? {
        guard let gets = getsPerSecond, let sets = setsPerSecond, let deletes = deletesPerSecond else { return nil }
        return gets + sets + deletes
    }

    /// Commands-stats names the INFO bridge gives memcached's counters (see `MemcachedStats.infoSnapshot`).
    public enum Counter {
        public static let gets = "get"
        public static let sets = "set"
        public static let deletes = "delete"
        public static let evictions = "memcached_evictions"
        public static let expiredUnfetched = "memcached_expired_unfetched"
        public static let evictedUnfetched = "memcached_evicted_unfetched"
        public static let rejectedConnections = "memcached_rejected_connections"
    }

    /// The memcached rates carried by the INFO bridge's rates. Every rate is nil when a counter was reset
    /// in the interval (a restart: `uptime` went down or `pid` changed; or `stats reset`), or the interval
    /// is not positive.
    public init(bridged rates: InfoRates) {
        let valid = rates.intervalSeconds > 0 && !rates.counterReset
        func rate(_ name: String) -> Double? { valid ? rates.callsPerSecond(name) : nil }
        self.init(intervalSeconds: rates.intervalSeconds,
                  hitsPerSecond: valid ? rates.hitsPerSecond : nil, missesPerSecond: valid ? rates.missesPerSecond : nil,
                  hitRatio: valid ? rates.hitRatio : nil,
                  getsPerSecond: rate(Counter.gets), setsPerSecond: rate(Counter.sets), deletesPerSecond: rate(Counter.deletes),
                  evictionsPerSecond: rate(Counter.evictions), expiredUnfetchedPerSecond: rate(Counter.expiredUnfetched),
                  evictedUnfetchedPerSecond: rate(Counter.evictedUnfetched),
                  rejectedConnectionsPerSecond: rate(Counter.rejectedConnections), counterReset: rates.counterReset)
    }
}
