/// Bounded per-family statistics gathered by `CensusAccumulator` (mergeable, fixed-size).
///
/// TTL quantiles are exact while a family has at most 64 TTL keys, then come from a log histogram with
/// 16 sub-buckets per power of two (relative error ≤ 3 %); min and max are always exact. Every PTTL Redis
/// can return (0 … 2^63−1 ms; negatives are "no TTL") has a bucket: the histogram covers all of `Int64`,
/// and the log2 buckets end at 2^54 s. Counts saturate instead of trapping. Expiries within the
/// next hour (plus the pass's length, up to 10 min) are counted per second (lazily allocated) for the forecast
/// and lockstep detection.
struct FamilyStats: Sendable {
    var sampled = 0
    var types: [String: Int] = [:]
    var noTTL = 0
    var ttlKeys = 0
    var ttlMinMilliseconds = Int64.max
    var ttlMaxMilliseconds = Int64.min
    var exactTTLs: [Int64]? = []
    var quantileBuckets: [Int32] = []
    /// Index k counts TTLs in (2^(k-1), 2^k] seconds (index 0: ≤ 1 s).
    var log2Buckets: [Int32] = []
    var bands = [Int](repeating: 0, count: 7)
    var memorySumBytes = 0
    var memorySampled = 0
    var examples: [[UInt8]] = []
    /// What the census read for each of `examples` (same order).
    var exampleFacts: [ExampleFact] = []
    var expiryPerSecond: [Int32] = []
    /// Pages 1…10 of paginated families: TTL keys and the longest TTL (ms) per page.
    var pageTTLKeys: [Int32] = []
    var pageMaxTTLMilliseconds: [Int64] = []
    static let trackedPages = 10
    /// Value probes reserved in this pass (the per-family budget counts these) and answered.
    var valueProbesReserved = 0
    var valuesProbed = 0
    /// Probed values that were exactly `__NOT_FOUND__`; those with a TTL above 120 s or none; those without TTL.
    var notFoundKeys = 0
    var notFoundLongKeys = 0
    var notFoundNoTTL = 0
    /// The longest TTL (ms) of a probed `__NOT_FOUND__` value that has one (-1: none seen).
    var notFoundMaxTTLMilliseconds: Int64 = -1
    /// Probed values the boilerplate reads back as a miss (`[]`, `{}`, `0`, `""` …).
    var falsyKeys = 0
    /// Memcached: keys whose metadump said whether they were read (`fetch=`), and those never read (`fetch=no`).
    var fetchKnown = 0
    var neverRead = 0
    /// The guide's longest negative-cache TTL.
    static let negativeCacheMaxTTLMilliseconds: Int64 = 120_000

    static let exactLimit = 64
    static let subBuckets = 16
    static let horizonSeconds = 3600
    /// Expiries are counted up to this many seconds after the pass's first observation (a pass may last 10 min).
    static let expirySpanSeconds = 3600 + 600
    static let maxTypes = 16
    static let exampleBytes = 256

    // MARK: - Adding

    /// `offsetMilliseconds`: when the PTTL was read, after the pass's first observation.
    mutating func add(key: UnsafeBufferPointer<UInt8>, type: String?, pttlMilliseconds: Int64, memoryBytes: Int?, offsetMilliseconds: Int64 = 0) {
        sampled += 1
        if let type {
            if types[type] != nil || types.count < Self.maxTypes { types[type, default: 0] += 1 } else { types["other", default: 0] += 1 }
        }
        if let memoryBytes, memoryBytes >= 0 {
            memorySumBytes = Clamp.sum(memorySumBytes, memoryBytes)
            memorySampled += 1
        }
        if examples.count < 3 {
            let example = Array(key.prefix(Self.exampleBytes))
            if !examples.contains(example) {
                examples.append(example)
                exampleFacts.append(ExampleFact(type: type, pttlMilliseconds: pttlMilliseconds, memoryBytes: memoryBytes))
            }
        }
        guard pttlMilliseconds >= 0 else {
            noTTL += 1
            bands[6] += 1
            return
        }
        let ms = pttlMilliseconds
        ttlKeys += 1
        ttlMinMilliseconds = min(ttlMinMilliseconds, ms)
        ttlMaxMilliseconds = max(ttlMaxMilliseconds, ms)
        if exactTTLs != nil {
            if exactTTLs!.count < Self.exactLimit { exactTTLs!.append(ms) } else { exactTTLs = nil }
        }
        if quantileBuckets.isEmpty { quantileBuckets = Array(repeating: 0, count: Self.quantileBucketCount) }
        Self.bump(&quantileBuckets, Self.bucketIndex(ms))
        let log2 = Self.log2Index(ms)
        if log2Buckets.count <= log2 { log2Buckets.append(contentsOf: repeatElement(0, count: log2 + 1 - log2Buckets.count)) }
        Self.bump(&log2Buckets, log2)
        bands[TTLBands.index(ttlSeconds: Double(ms) / 1000)] += 1
        // Saturating: a PTTL near 2^63 ms plus the pass's offset must not overflow.
        let expiresAtMilliseconds = Clamp.sum(max(0, offsetMilliseconds), ms)
        if expiresAtMilliseconds < Int64(Self.expirySpanSeconds) * 1000 {
            let second = Int(expiresAtMilliseconds / 1000)
            if expiryPerSecond.isEmpty { expiryPerSecond = Array(repeating: 0, count: Self.expirySpanSeconds) }
            Self.bump(&expiryPerSecond, second)
        }
    }

    /// Records what a value probe said about one key of this family (`.notProbed` records nothing).
    mutating func addValue(_ valueClass: ValueClass, pttlMilliseconds: Int64) {
        switch valueClass {
        case .notProbed:
            return
        case .notFoundSentinel:
            notFoundKeys += 1
            if pttlMilliseconds < 0 {
                notFoundNoTTL += 1
                notFoundLongKeys += 1
            } else {
                notFoundMaxTTLMilliseconds = max(notFoundMaxTTLMilliseconds, pttlMilliseconds)
                if pttlMilliseconds > Self.negativeCacheMaxTTLMilliseconds { notFoundLongKeys += 1 }
            }
        case .falsy:
            falsyKeys += 1
        case .other:
            break
        }
        valuesProbed += 1
    }

    /// Records the TTL of a key on page `page` (1…10) of a paginated family.
    mutating func addPage(_ page: Int, pttlMilliseconds: Int64) {
        guard (1...Self.trackedPages).contains(page), pttlMilliseconds >= 0 else { return }
        if pageTTLKeys.isEmpty {
            pageTTLKeys = Array(repeating: 0, count: Self.trackedPages)
            pageMaxTTLMilliseconds = Array(repeating: -1, count: Self.trackedPages)
        }
        pageTTLKeys[page - 1] += 1
        pageMaxTTLMilliseconds[page - 1] = max(pageMaxTTLMilliseconds[page - 1], pttlMilliseconds)
    }

    /// Longest TTL per page (seconds) for pages with at least `minimumKeys` TTL keys.
    func pageMaxTTLSeconds(minimumKeys: Int = 5) -> [Int: Double] {
        var result: [Int: Double] = [:]
        for (index, count) in pageTTLKeys.enumerated() where Int(count) >= minimumKeys {
            result[index + 1] = Double(pageMaxTTLMilliseconds[index]) / 1000
        }
        return result
    }

    mutating func merge(_ other: FamilyStats) {
        sampled += other.sampled
        for (type, count) in other.types { types[type, default: 0] += count }
        noTTL += other.noTTL
        ttlKeys += other.ttlKeys
        ttlMinMilliseconds = min(ttlMinMilliseconds, other.ttlMinMilliseconds)
        ttlMaxMilliseconds = max(ttlMaxMilliseconds, other.ttlMaxMilliseconds)
        if let mine = exactTTLs, let theirs = other.exactTTLs, mine.count + theirs.count <= Self.exactLimit {
            exactTTLs = mine + theirs
        } else {
            exactTTLs = nil
        }
        Self.add(&quantileBuckets, other.quantileBuckets)
        Self.add(&log2Buckets, other.log2Buckets)
        for i in 0..<7 { bands[i] += other.bands[i] }
        memorySumBytes += other.memorySumBytes
        memorySampled += other.memorySampled
        valueProbesReserved += other.valueProbesReserved
        valuesProbed += other.valuesProbed
        notFoundKeys += other.notFoundKeys
        notFoundLongKeys += other.notFoundLongKeys
        notFoundNoTTL += other.notFoundNoTTL
        notFoundMaxTTLMilliseconds = max(notFoundMaxTTLMilliseconds, other.notFoundMaxTTLMilliseconds)
        falsyKeys += other.falsyKeys
        fetchKnown += other.fetchKnown
        neverRead += other.neverRead
        for (example, facts) in zip(other.examples, other.exampleFacts) where examples.count < 3 && !examples.contains(example) {
            examples.append(example)
            exampleFacts.append(facts)
        }
        Self.add(&expiryPerSecond, other.expiryPerSecond)
        if !other.pageTTLKeys.isEmpty {
            if pageTTLKeys.isEmpty {
                pageTTLKeys = other.pageTTLKeys
                pageMaxTTLMilliseconds = other.pageMaxTTLMilliseconds
            } else {
                for i in pageTTLKeys.indices {
                    pageTTLKeys[i] += other.pageTTLKeys[i]
                    pageMaxTTLMilliseconds[i] = max(pageMaxTTLMilliseconds[i], other.pageMaxTTLMilliseconds[i])
                }
            }
        }
    }

    private static func add(_ into: inout [Int32], _ other: [Int32]) {
        if into.count < other.count { into.append(contentsOf: repeatElement(0, count: other.count - into.count)) }
        for i in other.indices { into[i] = Clamp.sum(into[i], other[i]) }
    }

    /// Counts one in `counts[index]` (saturating at `Int32.max`); an index outside the array is ignored.
    private static func bump(_ counts: inout [Int32], _ index: Int) {
        guard counts.indices.contains(index) else { return }
        counts[index] = Clamp.sum(counts[index], 1)
    }

    // MARK: - Buckets

    /// Fine buckets: enough for every non-negative `Int64` (the last holds up to 2^63−1 ms).
    static let quantileBucketCount = bucketIndex(.max) + 1

    /// Fine bucket of a TTL in ms: exact below 16, then 16 sub-buckets per power of two; always
    /// in `0..<quantileBucketCount` (negative values count as 0).
    static func bucketIndex(_ ms: Int64) -> Int {
        if ms < 16 { return Int(max(0, ms)) }
        let exponent = 63 - ms.leadingZeroBitCount
        let sub = Int((ms >> (exponent - 4)) & 15)
        return 16 + (exponent - 4) * 16 + sub
    }

    /// The middle of a fine bucket, in ms.
    static func bucketValue(_ index: Int) -> Double {
        if index < 16 { return Double(index) }
        let exponent = (index - 16) / 16 + 4
        let sub = (index - 16) % 16
        let width = Double(Int64(1) << (exponent - 4))
        return Double(16 + sub) * width + width / 2
    }

    /// The last log2 bucket: 2^54 s is above the longest PTTL (2^63−1 ms ≈ 2^53 s).
    static let log2MaxIndex = 54

    /// Index k of the log2 bucket whose upper bound 2^k seconds is the smallest ≥ the TTL (0…`log2MaxIndex`).
    static func log2Index(_ ms: Int64) -> Int {
        var k = 0
        var upper: Int64 = 1000
        while upper < ms {
            // 1000 ms · 2^k would overflow past here: the next bound is above every Int64.
            if upper > Int64.max / 2 { return min(k + 1, log2MaxIndex) }
            upper <<= 1
            k += 1
        }
        return k
    }

    // MARK: - Derived values

    /// Nearest-rank quantile in seconds (nil without TTL keys).
    func quantileSeconds(_ q: Double) -> Double? {
        guard ttlKeys > 0 else { return nil }
        let rank = max(1, Int((q * Double(ttlKeys)).rounded(.up)))
        if let exact = exactTTLs, exact.count == ttlKeys {
            return Double(exact.sorted()[rank - 1]) / 1000
        }
        var seen = 0
        for (index, count) in quantileBuckets.enumerated() where count > 0 {
            seen += Int(count)
            if seen >= rank {
                let value = min(max(Self.bucketValue(index), Double(ttlMinMilliseconds)), Double(ttlMaxMilliseconds))
                return value / 1000
            }
        }
        return Double(ttlMaxMilliseconds) / 1000
    }

    /// Sampled keys expiring in each of the next 60 minutes, `shiftSeconds` after the pass's first observation.
    func forecastSampled(shiftSeconds: Int = 0) -> [Int] {
        var minutes = [Int](repeating: 0, count: 60)
        // A budgeted pass can run longer than the tracked span (hours on a big keyspace): nothing left to forecast.
        guard !expiryPerSecond.isEmpty, shiftSeconds >= 0, shiftSeconds < expiryPerSecond.count else { return minutes }
        for second in shiftSeconds..<min(shiftSeconds + Self.horizonSeconds, expiryPerSecond.count) where expiryPerSecond[second] > 0 {
            minutes[(second - shiftSeconds) / 60] += Int(expiryPerSecond[second])
        }
        return minutes
    }

    /// The densest window of ≤ 5 s in the next hour when it holds ≥ half of the TTL keys (and ≥ 10 keys).
    func lockstep(shiftSeconds: Int = 0, windowSeconds: Int = 5, minimumKeys: Int = 10, minimumFraction: Double = 0.5)
        -> (startSecond: Int, widthSeconds: Int, keys: Int, fraction: Double)? {
        guard !expiryPerSecond.isEmpty, ttlKeys > 0, shiftSeconds >= 0 else { return nil }
        let end = min(shiftSeconds + Self.horizonSeconds, expiryPerSecond.count)
        guard shiftSeconds < end else { return nil }
        var best = 0, bestStart = shiftSeconds, running = 0
        for second in shiftSeconds..<end {
            running += Int(expiryPerSecond[second])
            if second - windowSeconds >= shiftSeconds { running -= Int(expiryPerSecond[second - windowSeconds]) }
            let start = max(shiftSeconds, second - windowSeconds + 1)
            if running > best { best = running; bestStart = start }
        }
        let fraction = Double(best) / Double(ttlKeys)
        guard best >= minimumKeys, fraction >= minimumFraction else { return nil }
        var first = bestStart, last = min(bestStart + windowSeconds, end) - 1
        while expiryPerSecond[first] == 0 { first += 1 }
        while expiryPerSecond[last] == 0 { last -= 1 }
        return (first - shiftSeconds, last - first + 1, best, fraction)
    }
}

/// The type, TTL and size the census read for one example key.
struct ExampleFact: Sendable, Equatable {
    var type: String?
    /// PTTL as read: -1 without TTL.
    var pttlMilliseconds: Int64
    var memoryBytes: Int?
}
