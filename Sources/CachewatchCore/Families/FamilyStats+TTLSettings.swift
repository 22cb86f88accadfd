/// Two TTL settings told apart in one family's remaining TTLs (for `mixed-ttl-pages`).
///
/// A key written with TTL S shows a remaining TTL spread evenly over [0, S], so a family written with one
/// setting has an even density up to its longest TTL, and a family written with a short setting S1 and a long
/// one S2 has a denser plateau below S1: the upper edge of that plateau is the short setting.
public struct TTLSettingSplit: Equatable, Sendable {
    /// Upper edge of the dense low plateau: the short setting, in seconds.
    public var shortSeconds: Double
    /// The longest remaining TTL: about the long setting, in seconds.
    public var longSeconds: Double
    /// Share of the family's TTL keys at or below `shortSeconds`.
    public var shortShare: Double
    /// Keys per second of TTL below the edge divided by keys per second above it (1 for one setting).
    public var densityRatio: Double
    /// TTL keys looked at.
    public var keys: Int

    public init(shortSeconds: Double, longSeconds: Double, shortShare: Double, densityRatio: Double, keys: Int) {
        self.shortSeconds = shortSeconds
        self.longSeconds = longSeconds
        self.shortShare = shortShare
        self.densityRatio = densityRatio
        self.keys = keys
    }

    /// The densest split: the edge x (longest ≥ `ratio` × x and longest − x ≥ `minimumDifferenceSeconds`) where the density below x over the density above is highest,
    /// with at least `minimumSide` keys on each side and an even plateau below x (a burst of keys written together
    /// is a lockstep wave, not a setting). Nil when none qualifies.
    public static func densest(_ profile: TTLProfile, ratio: Double, minimumDifferenceSeconds: Double,
                               minimumSide: Int = 20) -> TTLSettingSplit? {
        let cumulative = profile.points, total = profile.keys, longestMilliseconds = profile.longestSeconds * 1000
        guard total >= 2 * minimumSide, longestMilliseconds > 0, ratio >= 1 else { return nil }
        func atMost(_ ms: Double) -> Int {
            var low = 0, high = cumulative.count
            while low < high {
                let mid = (low + high) / 2
                if cumulative[mid].edgeMilliseconds <= ms { low = mid + 1 } else { high = mid }
            }
            return low == 0 ? 0 : cumulative[low - 1].atMost
        }
        var best: TTLSettingSplit?
        for (edge, below) in cumulative where edge > 0 && edge * ratio <= longestMilliseconds
            && longestMilliseconds - edge >= minimumDifferenceSeconds * 1000 {
            let above = total - below
            guard below >= minimumSide, above >= minimumSide else { continue }
            // An even plateau: each quarter of [0, edge] within 3 standard deviations (+2) of a quarter of the keys.
            let expected = Double(below) / 4
            let tolerance = 3 * expected.squareRoot() + 2
            var previous = 0, even = true
            for quarter in 1...4 {
                let upTo = quarter == 4 ? below : atMost(edge * Double(quarter) / 4)
                if abs(Double(upTo - previous) - expected) > tolerance { even = false; break }
                previous = upTo
            }
            guard even else { continue }
            let ratio = (Double(below) / edge) / (Double(above) / (longestMilliseconds - edge))
            guard ratio.isFinite, ratio > (best?.densityRatio ?? 1) else { continue }
            best = TTLSettingSplit(shortSeconds: edge / 1000, longSeconds: longestMilliseconds / 1000,
                                   shortShare: Double(below) / Double(total), densityRatio: ratio, keys: total)
        }
        return best
    }
}

/// A family's remaining TTLs as a cumulative count (sampled keys, not scaled), for `TTLSettingSplit`.
public struct TTLProfile: Equatable, Sendable {
    /// (edge in ms, TTL keys at or below it), edges ascending.
    public var points: [(edgeMilliseconds: Double, atMost: Int)]
    /// TTL keys looked at.
    public var keys: Int
    /// The longest remaining TTL.
    public var longestSeconds: Double

    public init(points: [(edgeMilliseconds: Double, atMost: Int)], keys: Int, longestSeconds: Double) {
        self.points = points
        self.keys = keys
        self.longestSeconds = longestSeconds
    }

    /// A profile of exact TTLs (tests, small families).
    public init(ttlSeconds: [Double]) {
        var points: [(edgeMilliseconds: Double, atMost: Int)] = []
        for (index, seconds) in ttlSeconds.sorted().enumerated() {
            let ms = seconds * 1000
            if let last = points.last, last.edgeMilliseconds == ms { points[points.count - 1].atMost = index + 1 } else {
                points.append((ms, index + 1))
            }
        }
        self.init(points: points, keys: ttlSeconds.count, longestSeconds: ttlSeconds.max() ?? 0)
    }

    public static func == (lhs: TTLProfile, rhs: TTLProfile) -> Bool {
        lhs.keys == rhs.keys && lhs.longestSeconds == rhs.longestSeconds && lhs.points.count == rhs.points.count
            && zip(lhs.points, rhs.points).allSatisfy { $0.edgeMilliseconds == $1.edgeMilliseconds && $0.atMost == $1.atMost }
    }
}

extension FamilyStats {
    /// The family's remaining TTLs as a `TTLProfile`, from the exact TTLs or the fine buckets (nil below 40 TTL keys).
    func ttlProfile() -> TTLProfile? {
        guard ttlKeys >= 40, ttlMaxMilliseconds > 0 else { return nil }
        var cumulative: [(edgeMilliseconds: Double, atMost: Int)] = []
        if let exact = exactTTLs, exact.count == ttlKeys {
            for (index, ms) in exact.sorted().enumerated() {
                if let last = cumulative.last, last.edgeMilliseconds == Double(ms) { cumulative[cumulative.count - 1].atMost = index + 1 } else {
                    cumulative.append((Double(ms), index + 1))
                }
            }
        } else {
            var seen = 0
            for (index, count) in quantileBuckets.enumerated() where count > 0 {
                seen += Int(count)
                // The bucket's upper edge, capped at the longest TTL seen.
                cumulative.append((min(Self.bucketLowerBound(index + 1), Double(ttlMaxMilliseconds)), seen))
            }
        }
        return TTLProfile(points: cumulative, keys: ttlKeys, longestSeconds: Double(ttlMaxMilliseconds) / 1000)
    }

    /// The smallest TTL (ms) of a fine bucket.
    static func bucketLowerBound(_ index: Int) -> Double {
        if index < 16 { return Double(index) }
        let exponent = (index - 16) / 16 + 4
        let sub = (index - 16) % 16
        return Double(16 + sub) * Double(Int64(1) << (exponent - 4))
    }
}
