/// Merges the census passes of a cluster's primaries into one report: families with the same pattern are added
/// up (keys, types, TTL histogram and bands, forecast, memory), each keeping its keys per node (`nodeKeys`).
/// TTL minimum and maximum are exact; p50/p90 of a family spread over several nodes are the mean of the nodes'
/// percentiles weighted by their keys with a TTL (the slots spread a family's keys evenly, so they agree closely).
public enum ClusterCensusMerge {
    /// One primary's part: its report (nil while it has none) or why it has none.
    public struct Part: Sendable {
        public var address: String
        public var slots: [SlotRange]
        public var report: CensusReport?
        public var error: String?

        public init(address: String, slots: [SlotRange], report: CensusReport?, error: String? = nil) {
            self.address = address
            self.slots = slots
            self.report = report
            self.error = error
        }
    }

    /// The cluster's census: complete only when every part is; the slots of parts that failed (an error, no report) are
    /// uncovered.
    public static func merge(_ parts: [Part], db: Int, maxFamilies: Int = 200) -> CensusReport {
        var byPattern: [String: FamilyReport] = [:]
        var weights: [String: (p50: Double, p90: Double, ttlKeys: Double)] = [:]
        var forecast = Array(repeating: 0, count: 60)
        var notes: [String] = []
        var scanned = 0, estimated = 0, dbsize = 0
        var rate = 0.0
        var uncovered: [SlotRange] = []
        var nodes: [ClusterCensusNode] = []
        for part in parts {
            guard let report = part.report else {
                // A node that failed leaves its slots uncovered; one whose first report is still to come is only pending.
                if part.error != nil { uncovered += part.slots }
                nodes.append(ClusterCensusNode(address: part.address, slots: part.slots, keys: 0, dbsizeKeys: 0, complete: false, error: part.error))
                continue
            }
            nodes.append(ClusterCensusNode(address: part.address, slots: part.slots, keys: report.estimatedKeys,
                                           dbsizeKeys: report.dbsizeKeys, complete: report.complete, error: part.error))
            scanned = Clamp.sum(scanned, report.scannedKeys)
            estimated = Clamp.sum(estimated, report.estimatedKeys)
            dbsize = Clamp.sum(dbsize, report.dbsizeKeys)
            if report.keysPerSecond.isFinite { rate += max(0, report.keysPerSecond) }
            for (index, value) in report.forecast.prefix(60).enumerated() { forecast[index] = Clamp.sum(forecast[index], value) }
            for note in report.notes where !notes.contains(note) { notes.append(note) }
            for family in report.families {
                let ttlKeys = Double(max(0, family.keys - family.noTTL))
                var w = weights[family.pattern] ?? (0, 0, 0)
                if let p50 = family.ttlP50Seconds, let p90 = family.ttlP90Seconds, ttlKeys > 0, p50.isFinite, p90.isFinite {
                    w = (w.p50 + p50 * ttlKeys, w.p90 + p90 * ttlKeys, w.ttlKeys + ttlKeys)
                }
                weights[family.pattern] = w
                var merged = byPattern[family.pattern].map { add($0, family) } ?? family
                merged.nodeKeys = (byPattern[family.pattern]?.nodeKeys ?? [:]).merging([part.address: family.keys]) { Clamp.sum($0, $1) }
                byPattern[family.pattern] = merged
            }
        }
        var families = Array(byPattern.values)
        for index in families.indices {
            if let w = weights[families[index].pattern], w.ttlKeys > 0 {
                families[index].ttlP50Seconds = w.p50 / w.ttlKeys
                families[index].ttlP90Seconds = w.p90 / w.ttlKeys
            }
        }
        families = capped(families, maxFamilies: max(1, maxFamilies))
        let total = families.reduce(0) { Clamp.sum($0, $1.keys) }
        for index in families.indices {
            families[index].share = total > 0 ? Double(families[index].keys) / Double(total) : 0
        }
        // Slots no part serves (a failed primary left out before its replica took over) are not covered either; a
        // cluster without any slot assigned yet has nothing to cover.
        let served = parts.filter { $0.report != nil || $0.error == nil }.flatMap(\.slots)
        if parts.contains(where: { !$0.slots.isEmpty }) { uncovered += SlotRange.complement(of: served + uncovered) }
        let normalizedUncovered = SlotRange.normalized(uncovered)
        let complete = !parts.isEmpty && parts.allSatisfy { $0.report?.complete == true } && normalizedUncovered.isEmpty
        if !normalizedUncovered.isEmpty {
            let down = nodes.filter { $0.error != nil && $0.keys == 0 }.map(\.address)
            let why = down.isEmpty ? "no primary that answers serves them" : "\(down.joined(separator: ", ")) did not answer"
            notes.append("Slots \(normalizedUncovered.map(\.description).joined(separator: ",")) were not censused (\(why)): the census is partial.")
        }
        var report = CensusReport(db: db, complete: complete, scannedKeys: scanned, estimatedKeys: estimated, dbsizeKeys: dbsize,
                                  keysPerSecond: rate, families: families, forecast: forecast, notes: notes)
        report.clusterNodes = nodes
        report.uncoveredSlots = normalizedUncovered
        return report
    }

    /// Sorted by keys (descending, then pattern), `(other)` last; rows past `maxFamilies` fold into `(other)`.
    static func capped(_ families: [FamilyReport], maxFamilies: Int) -> [FamilyReport] {
        var rows = families.filter { $0.pattern != "(other)" }.sorted { $0.keys != $1.keys ? $0.keys > $1.keys : $0.pattern < $1.pattern }
        var other = families.first { $0.pattern == "(other)" }
        if rows.count > maxFamilies {
            for extra in rows[maxFamilies...] {
                var folded = extra
                folded.pattern = "(other)"
                folded.examples = []
                folded.exampleKeys = []
                folded.lockstep = nil
                other = other.map { add($0, folded) } ?? folded
            }
            rows.removeSubrange(maxFamilies...)
        }
        if let other { rows.append(other) }
        return rows
    }

    /// `a` and `b` added up (same pattern). Percentiles are set by the caller.
    static func add(_ a: FamilyReport, _ b: FamilyReport) -> FamilyReport {
        var out = a
        out.keys = Clamp.sum(a.keys, b.keys)
        out.sampled = Clamp.sum(a.sampled, b.sampled)
        out.types = a.types.merging(b.types) { Clamp.sum($0, $1) }
        out.noTTL = Clamp.sum(a.noTTL, b.noTTL)
        out.ttlMinSeconds = [a.ttlMinSeconds, b.ttlMinSeconds].compactMap { $0 }.min()
        out.ttlMaxSeconds = [a.ttlMaxSeconds, b.ttlMaxSeconds].compactMap { $0 }.max()
        var buckets: [Double?: Int] = [:]
        for bucket in a.ttlHistogram + b.ttlHistogram { buckets[bucket.upperSeconds, default: 0] = Clamp.sum(buckets[bucket.upperSeconds] ?? 0, bucket.keys) }
        out.ttlHistogram = buckets.map { TTLBucket(upperSeconds: $0.key, keys: $0.value) }
            .sorted { ($0.upperSeconds ?? .infinity) < ($1.upperSeconds ?? .infinity) }
        out.ttlBands = (0..<max(a.ttlBands.count, b.ttlBands.count)).map { index in
            Clamp.sum(index < a.ttlBands.count ? a.ttlBands[index] : 0, index < b.ttlBands.count ? b.ttlBands[index] : 0)
        }
        out.memoryBytes = a.memoryBytes == nil && b.memoryBytes == nil ? nil : Clamp.sum(a.memoryBytes ?? 0, b.memoryBytes ?? 0)
        out.examples = Array((a.examples + b.examples).prefix(3))
        out.exampleKeys = Array((a.exampleKeys + b.exampleKeys).prefix(3))
        out.forecast = (0..<60).map { index in
            Clamp.sum(index < a.forecast.count ? a.forecast[index] : 0, index < b.forecast.count ? b.forecast[index] : 0)
        }
        out.lockstep = mergedWave(a.lockstep, b.lockstep)
        for (page, seconds) in b.ttlMaxSecondsByPage { out.ttlMaxSecondsByPage[page] = max(out.ttlMaxSecondsByPage[page] ?? seconds, seconds) }
        out.valuesProbed = Clamp.sum(a.valuesProbed, b.valuesProbed)
        out.negativeCacheKeys = Clamp.sum(a.negativeCacheKeys, b.negativeCacheKeys)
        out.negativeCacheLongTTLKeys = Clamp.sum(a.negativeCacheLongTTLKeys, b.negativeCacheLongTTLKeys)
        out.negativeCacheNoTTL = Clamp.sum(a.negativeCacheNoTTL, b.negativeCacheNoTTL)
        out.negativeCacheMaxTTLSeconds = [a.negativeCacheMaxTTLSeconds, b.negativeCacheMaxTTLSeconds].compactMap { $0 }.max()
        out.falsyValueKeys = Clamp.sum(a.falsyValueKeys, b.falsyValueKeys)
        if let profile = b.ttlProfile, profile.keys > (a.ttlProfile?.keys ?? -1) { out.ttlProfile = profile }
        if a.neverReadKeys != nil || b.neverReadKeys != nil { out.neverReadKeys = Clamp.sum(a.neverReadKeys ?? 0, b.neverReadKeys ?? 0) }
        return out
    }

    /// Two nodes' waves of one family: when they start within a minute of each other they are one wave (keys added),
    /// otherwise the larger one.
    static func mergedWave(_ a: LockstepWave?, _ b: LockstepWave?) -> LockstepWave? {
        guard let a else { return b }
        guard let b else { return a }
        guard abs(a.startsInSeconds - b.startsInSeconds) <= 60 else { return a.keys >= b.keys ? a : b }
        let start = min(a.startsInSeconds, b.startsInSeconds)
        let end = max(a.startsInSeconds + a.windowSeconds, b.startsInSeconds + b.windowSeconds)
        let keysA = Double(a.keys), keysB = Double(b.keys)
        let ttlKeys = (a.fraction > 0 ? keysA / a.fraction : 0) + (b.fraction > 0 ? keysB / b.fraction : 0)
        return LockstepWave(startsInSeconds: start, windowSeconds: end - start, keys: Clamp.sum(a.keys, b.keys),
                            fraction: ttlKeys > 0 ? min(1, (keysA + keysB) / ttlKeys) : a.fraction)
    }
}
