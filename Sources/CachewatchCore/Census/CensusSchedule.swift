import Foundation

/// When the background census walks the keyspace again after a complete pass (pure; the session asks it about
/// once a second between passes).
///
/// The next pass starts `refreshSeconds` after the last one started, or later on a big keyspace: passes are spaced
/// so that the census reads on average at most `averageKeysPerSecond` keys (80 by default: TYPE + PTTL for each
/// stays under 200 commands/s over time; 113 k keys: one pass every ~24 min).
/// It starts early when INFO keyspace (`keys` or `expires` of the censused DB) moved by more than
/// `changeThreshold` since the last pass started, but never sooner than `earlyFloorSeconds` (or four times the
/// last pass's length) after that pass ended.
public struct CensusSchedule: Sendable, Equatable {
    /// `keys` and `expires` of the censused DB in INFO keyspace.
    public struct Keyspace: Sendable, Equatable {
        public var keys: Int
        public var expires: Int

        public init(keys: Int, expires: Int) {
            self.keys = keys
            self.expires = expires
        }
    }

    /// What to do now.
    public enum Decision: Sendable, Equatable {
        /// Start a pass now (`early`: the keyspace changed before the refresh was due).
        case startNow(early: Bool)
        /// Wait; the next pass is due at this date unless the keyspace changes.
        case waitUntil(Date)
    }

    /// Minimum time between the starts of two passes (`--refresh`).
    public var refreshSeconds: Double
    /// The average key rate passes are spaced for.
    public var averageKeysPerSecond: Double
    /// A relative change of `keys` or `expires` above this starts a pass early (0.10 = 10 %).
    public var changeThreshold: Double
    /// An early pass waits at least this long after the last one ended.
    public var earlyFloorSeconds: Double

    public init(refreshSeconds: Double, averageKeysPerSecond: Double = 80, changeThreshold: Double = 0.10,
                earlyFloorSeconds: Double = 10) {
        self.refreshSeconds = refreshSeconds.isFinite ? max(0, refreshSeconds) : 300
        self.averageKeysPerSecond = averageKeysPerSecond.isFinite && averageKeysPerSecond > 0 ? averageKeysPerSecond : 80
        self.changeThreshold = changeThreshold.isFinite ? max(0, changeThreshold) : 0.10
        self.earlyFloorSeconds = earlyFloorSeconds.isFinite ? max(0, earlyFloorSeconds) : 10
    }

    /// The seconds between the starts of two passes over `passKeys` keys.
    public func intervalSeconds(passKeys: Int) -> Double {
        max(refreshSeconds, Double(max(0, passKeys)) / averageKeysPerSecond)
    }

    /// The decision after a complete pass that started at `passStarted`, ended at `passEnded`, read `passKeys`
    /// keys, and saw `keyspaceAtStart` in INFO when it started (nil: unknown); `keyspaceNow` is INFO's latest.
    public func decide(passStarted: Date, passEnded: Date, passKeys: Int, keyspaceAtStart: Keyspace?,
                       keyspaceNow: Keyspace?, now: Date) -> Decision {
        let due = passStarted.addingTimeInterval(intervalSeconds(passKeys: passKeys))
        if now >= due { return .startNow(early: false) }
        if let before = keyspaceAtStart, let after = keyspaceNow, changed(before, after) {
            let passSeconds = max(0, passEnded.timeIntervalSince(passStarted))
            let earliest = passEnded.addingTimeInterval(max(earlyFloorSeconds, 4 * passSeconds))
            if now >= earliest { return .startNow(early: true) }
            return .waitUntil(min(due, earliest))
        }
        return .waitUntil(due)
    }

    /// True when `keys` or `expires` moved by more than the threshold (relative to the earlier value; from 0, any key).
    public func changed(_ before: Keyspace, _ after: Keyspace) -> Bool {
        func moved(_ old: Int, _ new: Int) -> Bool {
            let difference = abs(Double(new) - Double(old))
            return old <= 0 ? new > 0 : difference / Double(old) > changeThreshold
        }
        return moved(before.keys, after.keys) || moved(before.expires, after.expires)
    }
}
