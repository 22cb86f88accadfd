import Foundation

/// Per-second rates between two INFO samples.
///
/// Counter resets: when the server restarted between the samples (`uptime_in_seconds`
/// went down or `run_id` changed), every counter's delta is its current value; when a
/// single counter went backwards without a restart (`CONFIG RESETSTAT`), that counter's
/// delta is its current value. Either way the counter was reset inside the interval, so
/// the current value is what was counted since, and the rate is a lower bound, never
/// negative. `counterReset` tells the UI to say so. A counter missing from either sample
/// gives a rate of 0. A zero or negative interval gives all-zero rates (and a nil hit ratio).
/// A negative counter (garbage from a hostile or broken server) counts as a reset too, and no
/// arithmetic on counters can overflow. Readers use `overInterval`, which turns a reset into
/// unknown rates (`null` in the JSON) for that one interval.
public struct InfoRates: Sendable, Equatable {
    /// Seconds between the two samples' `takenAt`.
    public var intervalSeconds: Double
    /// `total_commands_processed` per second.
    public var opsPerSecond: Double
    /// `keyspace_hits` per second.
    public var hitsPerSecond: Double
    /// `keyspace_misses` per second.
    public var missesPerSecond: Double
    /// hits / (hits + misses) over the interval, 0…1; nil when there were no lookups.
    public var hitRatio: Double?
    /// `expired_keys` per second.
    public var expiredKeysPerSecond: Double
    /// `evicted_keys` per second.
    public var evictedKeysPerSecond: Double
    /// `total_net_input_bytes` per second.
    public var netInputBytesPerSecond: Double
    /// `total_net_output_bytes` per second.
    public var netOutputBytesPerSecond: Double
    /// Command name (as in `commandStats`) → calls per second, for every command in the current sample.
    public var commandCallsPerSecond: [String: Double]
    /// True when the server restarted or any counter went backwards between the samples.
    public var counterReset: Bool
    /// True when both samples had a `commandstats` section (so a command missing from it was not called).
    public var commandStatsKnown: Bool
    /// `errorstat_<PREFIX>` increases per second (Redis ≥ 6.2; empty before, or when INFO errorstats is missing).
    public var errorsPerSecond: [String: Double] = [:]

    public init(intervalSeconds: Double, opsPerSecond: Double, hitsPerSecond: Double, missesPerSecond: Double,
                hitRatio: Double?, expiredKeysPerSecond: Double, evictedKeysPerSecond: Double,
                netInputBytesPerSecond: Double, netOutputBytesPerSecond: Double,
                commandCallsPerSecond: [String: Double], counterReset: Bool, commandStatsKnown: Bool = true) {
        self.intervalSeconds = intervalSeconds
        self.opsPerSecond = opsPerSecond
        self.hitsPerSecond = hitsPerSecond
        self.missesPerSecond = missesPerSecond
        self.hitRatio = hitRatio
        self.expiredKeysPerSecond = expiredKeysPerSecond
        self.evictedKeysPerSecond = evictedKeysPerSecond
        self.netInputBytesPerSecond = netInputBytesPerSecond
        self.netOutputBytesPerSecond = netOutputBytesPerSecond
        self.commandCallsPerSecond = commandCallsPerSecond
        self.counterReset = counterReset
        self.commandStatsKnown = commandStatsKnown
    }

    // MARK: - Command rates

    /// Calls per second of one command (lower-case, as in `commandStats`: `scan`, `del`); 0 when it was not
    /// called, nil when INFO had no commandstats or the interval is not positive.
    public func callsPerSecond(_ command: String) -> Double? {
        guard commandStatsKnown, intervalSeconds > 0 else { return nil }
        return commandCallsPerSecond[command] ?? 0
    }

    /// `SCAN` calls per second; after `excludingObserver(…scans:…)` only the application's (pattern invalidation).
    public var scanCallsPerSecond: Double? { callsPerSecond("scan") }

    /// `DEL` calls per second (cachewatch never sends DEL, so all of them are the application's).
    public var delCallsPerSecond: Double? { callsPerSecond("del") }

    // MARK: - Computing

    /// The rates readers show for the interval from `previous` to `current`; nil (unknown, `null` in the JSON)
    /// when a counter was reset or went backwards in it (a restart, `CONFIG RESETSTAT`, a garbled or wrapped
    /// counter) or the interval is not a positive, finite time. Never negative, never a trap.
    public static func overInterval(_ previous: InfoSnapshot, _ current: InfoSnapshot) -> InfoRates? {
        let rates = between(previous, current)
        guard !rates.counterReset, rates.intervalSeconds > 0 else { return nil }
        return rates
    }

    /// The rates from `previous` to `current` (normally `current.takenAt > previous.takenAt`); after a reset,
    /// lower bounds (see the type's comment).
    public static func between(_ previous: InfoSnapshot, _ current: InfoSnapshot) -> InfoRates {
        let interval = current.takenAt.timeIntervalSince(previous.takenAt)
        var restarted = false
        if let before = previous.uptimeSeconds, let after = current.uptimeSeconds, after < before { restarted = true }
        if let before = previous.runID, let after = current.runID, before != after { restarted = true }

        var dropped = false
        /// The counter's increase over the interval, never negative (see the type's comment).
        func delta(_ before: Int?, _ after: Int?) -> Int {
            guard let after else { return 0 }
            guard after >= 0 else {
                dropped = true
                return 0
            }
            if restarted { return after }
            guard let before else { return 0 }
            // Both are ≥ 0 past here, so `after - before` cannot overflow.
            if after < before || before < 0 {
                dropped = true
                return after
            }
            return after - before
        }

        let commands = delta(previous.totalCommandsProcessed, current.totalCommandsProcessed)
        let hits = delta(previous.keyspaceHits, current.keyspaceHits)
        let misses = delta(previous.keyspaceMisses, current.keyspaceMisses)
        let expired = delta(previous.expiredKeys, current.expiredKeys)
        let evicted = delta(previous.evictedKeys, current.evictedKeys)
        let netIn = delta(previous.totalNetInputBytes, current.totalNetInputBytes)
        let netOut = delta(previous.totalNetOutputBytes, current.totalNetOutputBytes)
        var callDeltas: [String: Int] = [:]
        for (name, stat) in current.commandStats {
            // A command absent before had 0 calls then (Redis lists only commands called at least once).
            callDeltas[name] = delta(previous.commandStats[name]?.calls ?? 0, stat.calls)
        }
        // CONFIG RESETSTAT empties commandstats: a command that vanished is a reset too.
        if !restarted, previous.commandStats.keys.contains(where: { current.commandStats[$0] == nil }) {
            dropped = true
        }

        let valid = interval > 0 && interval.isFinite
        func perSecond(_ count: Int) -> Double { valid ? Double(count) / interval : 0 }
        let lookups = Clamp.sum(hits, misses)

        var errorDeltas: [String: Int] = [:]
        for (name, count) in current.errorStats {
            errorDeltas[name] = delta(previous.errorStats[name] ?? 0, count)
        }
        var rates = InfoRates(
            intervalSeconds: interval.isFinite ? interval : 0,
            opsPerSecond: perSecond(commands),
            hitsPerSecond: perSecond(hits),
            missesPerSecond: perSecond(misses),
            hitRatio: valid && lookups > 0 ? Double(hits) / Double(lookups) : nil,
            expiredKeysPerSecond: perSecond(expired),
            evictedKeysPerSecond: perSecond(evicted),
            netInputBytesPerSecond: perSecond(netIn),
            netOutputBytesPerSecond: perSecond(netOut),
            commandCallsPerSecond: callDeltas.mapValues(perSecond),
            counterReset: restarted || dropped,
            commandStatsKnown: previous.sectionOrder.contains("commandstats") && current.sectionOrder.contains("commandstats")
        )
        rates.errorsPerSecond = errorDeltas.mapValues(perSecond)
        return rates
    }
}
