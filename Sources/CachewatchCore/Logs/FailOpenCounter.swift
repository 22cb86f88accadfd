import Foundation

/// Counts fail-open events by their own time in per-second buckets covering the last hour.
///
/// Window rule: with `s = floor(now)`, "the last N seconds" are the buckets of seconds
/// `s-N+1 … s` (an event at exactly `now - N` whole seconds is outside, one at `now - N + 1` inside).
/// `perMinute(now:)` is 60 consecutive 60-second windows ending at `s`, oldest first, so its last
/// value equals `last_1m` and the sum of its last 5 equals `last_5m`.
/// Events from the future (the app's clock ahead of ours) are counted in the current second;
/// events older than an hour are counted in `total` and the breakdowns only.
/// Memory: 3600 buckets plus at most `maximumDistinct` error texts and families.
public struct FailOpenCounter: Sendable {
    public static let horizonSeconds = 3600
    /// Distinct error texts / families kept; the rest is counted as `(other)`.
    public static let maximumDistinct = 200

    private var bucketSecond: [Int64]
    private var bucketCount: [Int]
    public private(set) var total = 0
    /// Events whose time was ahead of `now` when recorded (clock skew).
    public private(set) var futureEvents = 0
    private var byError: [String: Int] = [:]
    private var byFamily: [String: Int] = [:]

    public init() {
        bucketSecond = Array(repeating: .min, count: Self.horizonSeconds)
        bucketCount = Array(repeating: 0, count: Self.horizonSeconds)
    }

    // MARK: - Recording

    /// Records one event; `now` decides what is in the future and what is too old to bucket.
    public mutating func record(_ event: FailOpenEvent, now: Date) {
        total += 1
        Self.bump(&byError, event.match.error)
        if let family = event.match.family { Self.bump(&byFamily, family) }
        guard event.timed else { return }
        let nowSecond = Self.second(now)
        var second = Self.second(event.timestamp)
        if second > nowSecond {
            futureEvents += 1
            second = nowSecond
        }
        guard second > Clamp.difference(nowSecond, Int64(Self.horizonSeconds)) else { return }
        let slot = Int(((second % Int64(Self.horizonSeconds)) + Int64(Self.horizonSeconds)) % Int64(Self.horizonSeconds))
        if bucketSecond[slot] != second {
            bucketSecond[slot] = second
            bucketCount[slot] = 0
        }
        bucketCount[slot] += 1
    }

    /// Counts `key` once (hashed once when already known); past `maximumDistinct` texts, new ones count as `(other)`.
    private static func bump(_ table: inout [String: Int], _ key: String) {
        if let index = table.index(forKey: key) {
            table.values[index] += 1
        } else if table.count < maximumDistinct {
            table[key] = 1
        } else {
            table["(other)", default: 0] += 1
        }
    }

    static func second(_ date: Date) -> Int64 {
        Clamp.int64(date.timeIntervalSince1970.rounded(.down))
    }

    // MARK: - Reading

    /// Events in the last `seconds` seconds (1…3600) ending with the current second.
    public func count(lastSeconds seconds: Int, now: Date) -> Int {
        let nowSecond = Self.second(now)
        let span = Int64(max(0, min(seconds, Self.horizonSeconds)))
        var sum = 0
        for slot in 0..<Self.horizonSeconds {
            let second = bucketSecond[slot]
            if second <= nowSecond, second > Clamp.difference(nowSecond, span) { sum += bucketCount[slot] }
        }
        return sum
    }

    /// Events per 60-second window for the last 60 minutes, oldest first (60 values).
    public func perMinute(now: Date) -> [Int] {
        let nowSecond = Self.second(now)
        var series = Array(repeating: 0, count: 60)
        for slot in 0..<Self.horizonSeconds {
            let second = bucketSecond[slot]
            guard second <= nowSecond, second > Clamp.difference(nowSecond, Int64(Self.horizonSeconds)) else { continue }
            let minutesAgo = Int((nowSecond - second) / 60)
            series[59 - minutesAgo] += bucketCount[slot]
        }
        return series
    }

    /// Error texts with counts, largest first (ties by text).
    public func topErrors(limit: Int = 10) -> [(error: String, count: Int)] {
        Self.top(byError, limit).map { (error: $0.0, count: $0.1) }
    }

    /// Key families with counts, largest first (ties by pattern).
    public func topFamilies(limit: Int = 10) -> [(pattern: String, count: Int)] {
        Self.top(byFamily, limit).map { (pattern: $0.0, count: $0.1) }
    }

    private static func top(_ table: [String: Int], _ limit: Int) -> [(String, Int)] {
        Array(table.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit)).map { ($0.key, $0.value) }
    }
}
