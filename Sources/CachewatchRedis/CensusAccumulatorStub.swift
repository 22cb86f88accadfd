// TEMPORARY STUB — delete before merging `families` (the real CensusAccumulator lives in CachewatchCore).
import CachewatchCore
import Foundation

public struct CensusAccumulator: Sendable {
    private struct Fam: Sendable {
        var keys = 0, noTTL = 0, memory = 0, memorySampled = 0
        var types: [String: Int] = [:]
        var bands = Array(repeating: 0, count: 7)
        var log2: [Int: Int] = [:]
        var examples: [String] = []
    }
    private var db: Int
    private var families: [String: Fam] = [:]
    private var scanned = 0

    public init(db: Int, maxFamilies: Int = 200) { self.db = db }

    public mutating func add(key: [UInt8], type: String?, pttlMilliseconds: Int64, memoryBytes: Int?) {
        scanned += 1
        if pttlMilliseconds == -2 { return }
        let head = key.split(separator: UInt8(ascii: ":"), maxSplits: 1, omittingEmptySubsequences: false).first.map(Array.init) ?? []
        let pattern = DisplayEscaper.escape(head) + (head.count < key.count ? ":{id}" : "")
        var fam = families[pattern] ?? Fam()
        fam.keys += 1
        if let type { fam.types[type, default: 0] += 1 }
        if let memoryBytes { fam.memory += memoryBytes; fam.memorySampled += 1 }
        let seconds: Double? = pttlMilliseconds >= 0 ? Double(pttlMilliseconds) / 1000 : nil
        if seconds == nil { fam.noTTL += 1 }
        fam.bands[TTLBands.index(ttlSeconds: seconds)] += 1
        let bucket = seconds.map { $0 <= 1 ? 0 : Int(ceil(log2($0))) } ?? -1
        fam.log2[bucket, default: 0] += 1
        if fam.examples.count < 3 { fam.examples.append(DisplayEscaper.escape(key)) }
        families[pattern] = fam
    }

    public func report(dbsizeKeys: Int, complete: Bool, keysPerSecond: Double, now: Date) -> CensusReport {
        let total = families.values.reduce(0) { $0 + $1.keys }
        let reports = families.map { pattern, fam in
            FamilyReport(pattern: pattern, keys: fam.keys, sampled: fam.keys, share: total == 0 ? 0 : Double(fam.keys) / Double(total),
                         types: fam.types, noTTL: fam.noTTL,
                         ttlHistogram: fam.log2.keys.sorted { ($0 < 0 ? Int.max : $0) < ($1 < 0 ? Int.max : $1) }.map {
                             TTLBucket(upperSeconds: $0 < 0 ? nil : pow(2, Double($0)), keys: fam.log2[$0]!) },
                         ttlBands: fam.bands, memoryBytes: fam.memorySampled > 0 ? fam.memory : nil, examples: fam.examples)
        }.sorted { $0.keys > $1.keys }
        return CensusReport(db: db, complete: complete, scannedKeys: scanned, estimatedKeys: complete ? total : max(total, dbsizeKeys),
                            dbsizeKeys: dbsizeKeys, keysPerSecond: keysPerSecond, families: reports,
                            forecast: Array(repeating: 0, count: 60))
    }
}
