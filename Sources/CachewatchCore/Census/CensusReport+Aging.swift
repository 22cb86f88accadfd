/// TTLs aged by the clock between census passes: what a complete report says `seconds` after it completed.
extension CensusReport {
    /// This report as it stands `seconds` later, assuming no writes: every TTL is `seconds` shorter, keys whose
    /// TTL ran out leave the TTL histogram, the bands and the forecast, and the forecast shifts. Key counts, types
    /// and no-TTL keys stay as the pass read them. Deterministic; keys are assumed spread evenly inside each
    /// histogram bucket and forecast minute. Only complete reports age (a partial one is returned as is).
    public func aged(by seconds: Double) -> CensusReport {
        guard complete, seconds.isFinite, seconds > 0, !families.isEmpty || forecast.contains(where: { $0 > 0 }) else { return self }
        let shift = min(seconds, 365 * 86_400)
        var aged = self
        aged.families = families.map { $0.aged(by: shift) }
        if families.isEmpty {
            aged.forecast = TTLDensity(forecast: forecast, histogram: []).forecast(after: shift)
        } else {
            var total = Array(repeating: 0, count: forecast.count)
            for family in aged.families {
                for (index, keys) in family.forecast.enumerated() where index < total.count {
                    total[index] = Clamp.int(Double(total[index]) + Double(keys))
                }
            }
            aged.forecast = total
        }
        return aged
    }
}

extension FamilyReport {
    /// This family `seconds` later (see `CensusReport.aged(by:)`).
    public func aged(by seconds: Double) -> FamilyReport {
        guard seconds > 0, ttlMaxSeconds != nil || ttlHistogram.contains(where: { $0.upperSeconds != nil }) else { return self }
        var aged = self
        let density = TTLDensity(forecast: forecast, histogram: ttlHistogram, minSeconds: ttlMinSeconds, maxSeconds: ttlMaxSeconds)
        aged.forecast = density.forecast(after: seconds)
        aged.ttlHistogram = ttlHistogram.compactMap { bucket in
            guard let upper = bucket.upperSeconds else { return bucket }
            let kept = density.histogramKeys(from: TTLDensity.lowerBound(ofBucket: upper) + seconds, to: upper + seconds)
            return kept > 0 ? TTLBucket(upperSeconds: upper, keys: kept) : nil
        }
        // Each timed band loses the keys within `seconds` of its lower edge (to the band below, or expired) and gains
        // those within `seconds` above its upper edge.
        var lower = 0.0
        for index in 0..<min(6, ttlBands.count) {
            let upper = TTLBands.upperSeconds[index]
            let leaving = density.histogramKeys(from: lower, to: lower + seconds)
            let entering = upper.isFinite ? density.histogramKeys(from: upper, to: upper + seconds) : 0
            aged.ttlBands[index] = max(0, ttlBands[index] - leaving + entering)
            lower = upper
        }
        func older(_ value: Double?) -> Double? { value.map { max(0, $0 - seconds) } }
        if let maxSeconds = ttlMaxSeconds, maxSeconds <= seconds {
            // Every key with a TTL ran out.
            aged.ttlMinSeconds = nil
            aged.ttlP50Seconds = nil
            aged.ttlP90Seconds = nil
            aged.ttlMaxSeconds = nil
            for index in 0..<min(6, aged.ttlBands.count) { aged.ttlBands[index] = 0 }
        } else {
            aged.ttlMinSeconds = older(ttlMinSeconds)
            aged.ttlP50Seconds = older(ttlP50Seconds)
            aged.ttlP90Seconds = older(ttlP90Seconds)
            aged.ttlMaxSeconds = older(ttlMaxSeconds)
        }
        if let wave = lockstep {
            let start = wave.startsInSeconds - seconds
            aged.lockstep = start + wave.windowSeconds <= 0 ? nil
                : LockstepWave(startsInSeconds: max(0, start), windowSeconds: wave.windowSeconds, keys: wave.keys, fraction: wave.fraction)
        }
        aged.exampleKeys = exampleKeys.map { example in
            var example = example
            example.ttlSeconds = older(example.ttlSeconds)
            return example
        }
        return aged
    }
}

/// Keys per TTL range of one family as its pass read them: per minute from the forecast (the first hour), from the
/// log2 histogram beyond it, keys spread evenly inside each minute or bucket.
struct TTLDensity {
    /// Keys expiring in each minute of the first hour.
    let forecast: [Int]
    /// `(lower, upper, keys)` of each timed histogram bucket.
    let buckets: [(lower: Double, upper: Double, keys: Int)]

    /// `minSeconds`/`maxSeconds`: the shortest and longest TTL read (they narrow the first and last buckets).
    init(forecast: [Int], histogram: [TTLBucket], minSeconds: Double? = nil, maxSeconds: Double? = nil) {
        self.forecast = forecast
        buckets = histogram.compactMap { bucket in
            guard let upper = bucket.upperSeconds, upper.isFinite, bucket.keys > 0 else { return nil }
            var lower = Self.lowerBound(ofBucket: upper)
            var top = upper
            if let maxSeconds, maxSeconds.isFinite, maxSeconds > lower, maxSeconds < top { top = maxSeconds }
            if let minSeconds, minSeconds.isFinite, minSeconds > lower, minSeconds < top { lower = minSeconds }
            return (lower, top, bucket.keys)
        }
    }

    /// The lower bound of the log2 bucket whose upper bound is `upper` (`2^k` holds TTLs in `(2^(k-1), 2^k]`).
    static func lowerBound(ofBucket upper: Double) -> Double { upper >= 2 ? upper / 2 : 0 }

    /// Keys whose TTL is in `(from, to]` by the histogram (rounded).
    func histogramKeys(from: Double, to: Double) -> Int {
        Clamp.int(buckets.reduce(0.0) { $0 + Double($1.keys) * Self.overlap(from, to, $1.lower, $1.upper) }.rounded())
    }

    /// The per-minute forecast `seconds` later: minute `i` holds the keys whose TTL was in `(60i + s, 60(i+1) + s]`.
    func forecast(after seconds: Double) -> [Int] {
        let horizon = Double(forecast.count) * 60
        return (0..<forecast.count).map { minute in
            let from = Double(minute) * 60 + seconds
            let to = from + 60
            var keys = 0.0
            // The part within the forecast's hour comes from its minutes, the rest from the histogram.
            if from < horizon {
                let first = Int(from / 60)
                for index in first..<min(forecast.count, Int((min(to, horizon) / 60).rounded(.up))) {
                    keys += Double(forecast[index]) * Self.overlap(from, min(to, horizon), Double(index) * 60, Double(index + 1) * 60)
                }
            }
            if to > horizon {
                let lower = max(from, horizon)
                keys += buckets.reduce(0.0) { $0 + Double($1.keys) * Self.overlap(lower, to, $1.lower, $1.upper) }
            }
            return Clamp.int(keys.rounded())
        }
    }

    /// The share of `(lower, upper]` that `(from, to]` covers (0…1).
    static func overlap(_ from: Double, _ to: Double, _ lower: Double, _ upper: Double) -> Double {
        guard upper > lower else { return 0 }
        let covered = min(to, upper) - max(from, lower)
        return covered > 0 ? covered / (upper - lower) : 0
    }
}
