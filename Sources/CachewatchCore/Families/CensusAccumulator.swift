import Foundation

/// Accumulates a census pass (one key at a time, bounded memory) and turns it into a `CensusReport`.
///
/// The runner calls `add` for every key SCAN returned, with its TYPE and PTTL, then `report` at any time.
/// Untimed adds take each PTTL as of the report's `now` (fine for a full pass of a few seconds); the
/// `observedAt:` variant lets a long budgeted pass forecast from `now` (expired keys drop out).
/// - `pttlMilliseconds` ≥ 0: the TTL; -1: no TTL; -2 (or any other negative): the key vanished between
///   SCAN and PTTL, so it is counted as expired (`vanishedKeys`) and not as a key.
/// - Partial pass: counts are scaled by `dbsizeKeys / scannedKeys`; complete pass: exact counts.
/// - TTL histogram: non-empty log2 buckets (`upper_seconds` 1, 2, 4 … : keys with TTL ≤ that and above the
///   previous power of two; TTL ≤ 1 s counts in the 1 s bucket), then the no-TTL bucket (`upper_seconds`
///   null) when some keys have no TTL.
/// - Families are capped at `maxFamilies` rows; the rest (and keys past the internal budget) form `(other)`.
public struct CensusAccumulator: Sendable {
    public let db: Int
    public let maxFamilies: Int
    /// Keys whose PTTL said they vanished (expired or deleted) after SCAN returned them.
    public private(set) var vanishedKeys = 0
    /// Keys added (not counting vanished ones).
    public private(set) var scannedKeys = 0

    private var trie = FamilyTrie()
    /// When the first timed PTTL of this pass was read (ms since 1970), nil when adds are untimed.
    private var originMilliseconds: Int64?
    var stats: [Int32: FamilyStats] = [:]
    /// The most rows `maxFamilies` can ask for (`--max-families`, `max_families`).
    public static let maximumFamilies = 100_000
    /// The highest `--scan-budget` / `scan_budget`, in keys per second.
    public static let maximumScanBudget = 10_000_000

    /// Distinct families with their own statistics before new ones go to `(other)`.
    private let statsBudget: Int
    /// Value probes `addReservingValueProbe` reserves per family and pass, at most.
    public let valueProbesPerFamily: Int

    /// Starts an empty census of `db`; at most `maxFamilies` rows are reported (the rest is `(other)`), and at
    /// most `valueProbesPerFamily` values per family are looked at in a pass.
    public init(db: Int, maxFamilies: Int = 200, valueProbesPerFamily: Int = 64) {
        self.db = db
        self.maxFamilies = min(max(1, maxFamilies), Self.maximumFamilies)
        self.valueProbesPerFamily = max(0, valueProbesPerFamily)
        self.statsBudget = max(1024, 4 * self.maxFamilies)
    }

    // MARK: - Adding

    /// Adds one scanned key (binary-safe) with its TYPE (nil when unknown/denied), PTTL and MEMORY USAGE;
    /// the PTTL is taken as read at the pass's first observation (or at `report`'s `now` if none was timed).
    /// `valueClass`: what a look at its value said, when the caller already knows (see `ValueClass`).
    public mutating func add(key: [UInt8], type: String?, pttlMilliseconds: Int64, memoryBytes: Int?,
                             valueClass: ValueClass = .notProbed) {
        guard let id = add(key: key, type: type, pttlMilliseconds: pttlMilliseconds, memoryBytes: memoryBytes, offsetMilliseconds: 0)
        else { return }
        stats[id]!.addValue(valueClass, pttlMilliseconds: pttlMilliseconds)
    }

    /// Like `add(key:type:pttlMilliseconds:memoryBytes:)`, with the time the PTTL was read, so a long
    /// (budgeted) pass forecasts expiries from `report`'s `now` correctly.
    public mutating func add(key: [UInt8], type: String?, pttlMilliseconds: Int64, memoryBytes: Int?, observedAt: Date,
                             valueClass: ValueClass = .notProbed) {
        guard let id = add(key: key, type: type, pttlMilliseconds: pttlMilliseconds, memoryBytes: memoryBytes,
                           offsetMilliseconds: offset(observedAt)) else { return }
        stats[id]!.addValue(valueClass, pttlMilliseconds: pttlMilliseconds)
    }

    /// Like `add(key:type:pttlMilliseconds:memoryBytes:observedAt:)`, and reserves a look at the key's value
    /// when it is a `string` whose family has had fewer than `valueProbesPerFamily` looks reserved in this pass:
    /// the caller probes it (`STRLEN`, `GETRANGE key 0 12`) and hands the ticket back to `addValue(_:ticket:)`.
    public mutating func addReservingValueProbe(key: [UInt8], type: String?, pttlMilliseconds: Int64, memoryBytes: Int?,
                                                observedAt: Date) -> ValueProbeTicket? {
        guard let id = add(key: key, type: type, pttlMilliseconds: pttlMilliseconds, memoryBytes: memoryBytes,
                           offsetMilliseconds: offset(observedAt)),
              type == "string", stats[id]!.valueProbesReserved < valueProbesPerFamily else { return nil }
        stats[id]!.valueProbesReserved += 1
        return ValueProbeTicket(family: id, pttlMilliseconds: pttlMilliseconds)
    }

    /// Records what the value probe of a reserved key said (`.notProbed`: the probe gave no answer).
    public mutating func addValue(_ valueClass: ValueClass, ticket: ValueProbeTicket) {
        let id = trie.canonical(ticket.family)
        // A ticket from before `startNewPass` has no family to count in any more.
        guard valueClass != .notProbed, stats[id] != nil else { return }
        stats[id]!.addValue(valueClass, pttlMilliseconds: ticket.pttlMilliseconds)
    }

    mutating func offset(_ observedAt: Date) -> Int64 {
        let milliseconds = Clamp.int64((observedAt.timeIntervalSince1970 * 1000).rounded())
        if originMilliseconds == nil { originMilliseconds = milliseconds }
        return Clamp.difference(milliseconds, originMilliseconds!)
    }

    /// Counts the key; returns the id of the family it was counted in (nil when it vanished).
    mutating func add(key: [UInt8], type: String?, pttlMilliseconds: Int64, memoryBytes: Int?, offsetMilliseconds: Int64) -> Int32? {
        guard pttlMilliseconds >= -1 else {
            vanishedKeys += 1
            return nil
        }
        scannedKeys += 1
        return key.withUnsafeBufferPointer { buffer in
            var family = trie.classify(buffer)
            if stats[family] == nil && stats.count >= statsBudget {
                compact()
                if stats[trie.canonical(family)] == nil && stats.count >= statsBudget { family = FamilyTrie.overflow }
            }
            let id = trie.canonical(family)
            stats[id, default: FamilyStats()].add(key: buffer, type: type, pttlMilliseconds: pttlMilliseconds, memoryBytes: memoryBytes,
                                                  offsetMilliseconds: offsetMilliseconds)
            if pttlMilliseconds >= 0, let page = trie.lastPageNumber(buffer) {
                stats[id]!.addPage(page, pttlMilliseconds: pttlMilliseconds)
            }
            return id
        }
    }

    /// Starts a new SCAN pass: clears the counts but keeps the learned families, so names stay stable
    /// from one pass to the next (budgeted mode walks the keyspace again and again).
    public mutating func startNewPass() {
        stats = [:]
        originMilliseconds = nil
        scannedKeys = 0
        vanishedKeys = 0
    }

    /// Folds statistics of merged families into their survivors.
    private mutating func compact() {
        var merged: [Int32: FamilyStats] = [:]
        for (id, stat) in stats { merged[trie.canonical(id), default: FamilyStats()].merge(stat) }
        stats = merged
    }

    // MARK: - Report

    /// The census so far. `dbsizeKeys`: DBSIZE at the start of the pass; `complete`: a full SCAN pass ended.
    /// Families are named from a settled copy of the trie (`FamilyTrie.settle(seenFraction:)` with
    /// scanned / `dbsizeKeys`, or 1 when `complete`): small keyspaces group as well as big ones, the evidence
    /// needed falls as the pass nears DBSIZE. Without DBSIZE a partial pass keeps the streaming evidence.
    public func report(dbsizeKeys: Int, complete: Bool, keysPerSecond: Double, now: Date) -> CensusReport {
        var trie = self.trie
        let seenFraction = complete ? 1 : (dbsizeKeys > 0 ? Double(scannedKeys) / Double(dbsizeKeys) : 0)
        trie.settle(seenFraction: seenFraction)
        // Group by canonical family, then by rendered pattern (two families could render alike).
        var byID: [Int32: FamilyStats] = [:]
        for (id, stat) in stats { byID[trie.canonical(id), default: FamilyStats()].merge(stat) }
        let texts = byID.keys.map { ($0, trie.pattern(of: $0)) }
        let final = FamilyTrie.unified(texts.map(\.1))
        var byPattern: [String: FamilyStats] = [:]
        for (id, text) in texts { byPattern[final[text]!, default: FamilyStats()].merge(byID[id]!) }
        var other = byPattern.removeValue(forKey: "(other)")
        var ordered = byPattern.sorted { $0.value.sampled != $1.value.sampled ? $0.value.sampled > $1.value.sampled : $0.key < $1.key }
        if ordered.count > maxFamilies {
            for (_, stat) in ordered[maxFamilies...] {
                if other == nil { other = FamilyStats() }
                other!.merge(stat)
            }
            ordered = Array(ordered[..<maxFamilies])
        }
        if let other { ordered.append(("(other)", other)) }

        let scale: Double = complete || scannedKeys == 0 || dbsizeKeys <= 0 ? 1 : Double(dbsizeKeys) / Double(scannedKeys)
        let estimatedKeys = complete || dbsizeKeys <= 0 ? scannedKeys : dbsizeKeys
        var shiftSeconds = 0
        if let originMilliseconds {
            shiftSeconds = max(0, Clamp.int((now.timeIntervalSince1970 * 1000 - Double(originMilliseconds)) / 1000))
        }
        var overall = [Int](repeating: 0, count: 60)
        var families: [FamilyReport] = []
        for (pattern, stat) in ordered {
            let family = Self.familyReport(pattern: pattern, stat: stat, scale: scale, totalSampled: scannedKeys, shiftSeconds: shiftSeconds)
            let sampledForecast = stat.forecastSampled(shiftSeconds: shiftSeconds)
            for m in 0..<60 { overall[m] += sampledForecast[m] }
            families.append(family)
        }
        var notes: [String] = []
        if vanishedKeys > 0 {
            notes.append("\(vanishedKeys) keys expired or were deleted between SCAN and PTTL; they are counted as expired, not as keys.")
        }
        return CensusReport(db: db, complete: complete, scannedKeys: scannedKeys, estimatedKeys: estimatedKeys,
                            dbsizeKeys: dbsizeKeys, keysPerSecond: keysPerSecond, families: families,
                            forecast: overall.map { Self.scaled($0, scale) }, notes: notes)
    }

    static func scaled(_ count: Int, _ scale: Double) -> Int {
        scale == 1 ? count : Clamp.int((Double(count) * scale).rounded())
    }

    private static func familyReport(pattern: String, stat: FamilyStats, scale: Double, totalSampled: Int, shiftSeconds: Int) -> FamilyReport {
        let keys = scaled(stat.sampled, scale)
        var histogram: [TTLBucket] = []
        for (k, count) in stat.log2Buckets.enumerated() where count > 0 {
            histogram.append(TTLBucket(upperSeconds: Double(Int64(1) << k), keys: scaled(Int(count), scale)))
        }
        if stat.noTTL > 0 { histogram.append(TTLBucket(upperSeconds: nil, keys: scaled(stat.noTTL, scale))) }
        var memory: Int?
        if stat.memorySampled > 0 {
            memory = Clamp.int((Double(stat.memorySumBytes) / Double(stat.memorySampled) * Double(keys)).rounded())
        }
        var wave: LockstepWave?
        if let found = stat.lockstep(shiftSeconds: shiftSeconds) {
            wave = LockstepWave(startsInSeconds: Double(found.startSecond), windowSeconds: Double(found.widthSeconds),
                                keys: scaled(found.keys, scale), fraction: found.fraction)
        }
        let hasTTL = stat.ttlKeys > 0
        var report = FamilyReport(
            pattern: pattern, keys: keys, sampled: stat.sampled,
            share: totalSampled > 0 ? Double(stat.sampled) / Double(totalSampled) : 0,
            types: stat.types.mapValues { scaled($0, scale) }, noTTL: scaled(stat.noTTL, scale),
            ttlMinSeconds: hasTTL ? Double(stat.ttlMinMilliseconds) / 1000 : nil,
            ttlP50Seconds: stat.quantileSeconds(0.5), ttlP90Seconds: stat.quantileSeconds(0.9),
            ttlMaxSeconds: hasTTL ? Double(stat.ttlMaxMilliseconds) / 1000 : nil,
            ttlHistogram: histogram, ttlBands: stat.bands.map { scaled($0, scale) }, memoryBytes: memory,
            examples: stat.examples.map { example in
                DisplayEscaper.escape(example) + (example.count >= FamilyStats.exampleBytes ? "…" : "")
            },
            forecast: stat.forecastSampled(shiftSeconds: shiftSeconds).map { scaled($0, scale) }, lockstep: wave)
        report.ttlMaxSecondsByPage = stat.pageMaxTTLSeconds()
        if Findings.isPaginated(pattern) { report.ttlProfile = stat.ttlProfile() }
        if stat.valuesProbed > 0 {
            // Probed values stand for the family's string keys.
            let stringKeys = Double(max(stat.types["string"] ?? 0, stat.valuesProbed)) * scale
            func estimated(_ count: Int) -> Int { Clamp.int((stringKeys * Double(count) / Double(stat.valuesProbed)).rounded()) }
            report.valuesProbed = stat.valuesProbed
            report.negativeCacheKeys = estimated(stat.notFoundKeys)
            report.negativeCacheLongTTLKeys = estimated(stat.notFoundLongKeys)
            report.negativeCacheNoTTL = estimated(stat.notFoundNoTTL)
            report.negativeCacheMaxTTLSeconds = stat.notFoundMaxTTLMilliseconds >= 0 ? Double(stat.notFoundMaxTTLMilliseconds) / 1000 : nil
            report.falsyValueKeys = estimated(stat.falsyKeys)
        }
        if stat.fetchKnown > 0 { report.neverReadKeys = scaled(stat.neverRead, scale) }
        report.exampleKeys = zip(report.examples, stat.exampleFacts).map { key, facts in
            ExampleKey(key: key, type: facts.type,
                       ttlSeconds: facts.pttlMilliseconds >= 0 ? Double(facts.pttlMilliseconds) / 1000 : nil,
                       memoryBytes: facts.memoryBytes)
        }
        return report
    }
}
