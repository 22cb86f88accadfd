// libFuzzer target: the family inference on keys as raw bytes.
//
// The input is `redis-cli --scan` output (one key per line, any bytes). It goes through the offline
// table (`cachewatch families`: FamiliesTable, its text and both TSV writers), the census
// accumulator (FamilyTrie/KeyTokenizer, TTL statistics, value probes, the report, its JSON and the
// findings) and the log-side KeyFamilyNamer. Each key's TYPE, PTTL and MEMORY USAGE are picked
// from a hash of the key; PTTLs go up to Int64.max ms (issue 8 §1: any PTTL lands in a defined TTL bucket).
import Foundation
@testable import CachewatchCore

private let types: [String?] = ["string", "hash", "list", "set", "zset", "stream", nil, "ReJSON-RL"]
private let ttls: [Int64] = [-2, -1, 0, 1, 999, 1000, 1001, 60_000, 3_600_000, 86_400_000, 604_800_000, 31_536_000_000,
                             (1 << 61) - 1, 1 << 61, 1 << 62, 9_000_000_000_000_000_000, Int64.max]
private let now = Date(timeIntervalSince1970: 1_764_196_201)

private func keyHash(_ key: ArraySlice<UInt8>) -> UInt32 {
    var hash: UInt32 = 2_166_136_261
    for byte in key { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
    return hash
}

private func checkReport(_ report: CensusReport, complete: Bool) {
    var keys = 0
    for family in report.families {
        keys += family.sampled
        fuzzCheck(isDisplaySafe(family.pattern), "pattern not display-safe: \(family.pattern.unicodeScalars.map(\.value))")
        for example in family.examples { fuzzCheck(isDisplaySafe(example), "example not display-safe") }
        fuzzCheck(family.share.isFinite && family.share >= 0 && family.share <= 1, "share \(family.share)")
        let quantiles = [family.ttlMinSeconds, family.ttlP50Seconds, family.ttlP90Seconds, family.ttlMaxSeconds].compactMap { $0 }
        for q in quantiles { fuzzCheck(q.isFinite && q >= 0, "TTL quantile \(q)") }
        if quantiles.count == 4 {
            fuzzCheck(quantiles[0] <= quantiles[1] && quantiles[1] <= quantiles[2] && quantiles[2] <= quantiles[3],
                      "TTL quantiles out of order: \(quantiles)")
        }
        fuzzCheck(family.forecast.allSatisfy { $0 >= 0 }, "negative forecast")
        fuzzCheck(family.ttlHistogram.allSatisfy { $0.keys >= 0 && ($0.upperSeconds ?? 1).isFinite }, "bad histogram bucket")
        if let wave = family.lockstep { fuzzCheck(wave.fraction.isFinite && wave.startsInSeconds.isFinite, "lockstep not finite") }
    }
    if complete { fuzzCheck(keys == report.scannedKeys, "families hold \(keys) keys, scanned \(report.scannedKeys)") }
    let json = report.json.serialized()
    fuzzCheck(!json.contains("\u{1B}") && !json.unicodeScalars.contains { $0.value < 0x20 }, "control byte in the JSON text")
    for finding in Findings.evaluate(report) { fuzzCheck(isDisplaySafe(finding.message), "finding not display-safe") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func familiesFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let maxFamilies = [1, 3, 200][Int(fuzzHash(bytes) % 3)]

    // 1. The offline table.
    let table = FamiliesTable(lines: bytes, maxFamilies: maxFamilies)
    let lineCount = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).count - (bytes.last == 0x0A || bytes.isEmpty ? 1 : 0)
    fuzzCheck(table.totalKeys + table.skippedEmptyLines == lineCount, "keys \(table.totalKeys) + empty \(table.skippedEmptyLines) != lines \(lineCount)")
    fuzzCheck(table.rows.reduce(0) { $0 + $1.keys } == table.totalKeys, "rows do not add up to the keys")
    fuzzCheck(table.rows.count <= maxFamilies + 1, "more rows than max families")
    for row in table.rows { fuzzCheck(isDisplaySafe(row.pattern), "table pattern not display-safe: \(row.pattern.unicodeScalars.map(\.value))") }
    var viaStrings: [UInt8] = []
    table.writeTSV { viaStrings.append(contentsOf: $0.utf8); viaStrings.append(0x0A) }
    var viaBytes: [UInt8] = []
    table.writeTSVBytes(blockBytes: 64) { viaBytes.append(contentsOf: $0) }
    fuzzCheck(viaStrings == viaBytes, "writeTSVBytes differs from writeTSV")
    fuzzCheck(viaBytes.filter { $0 == 0x0A }.count == table.totalKeys, "TSV lines != keys")
    fuzzCheck(isDisplaySafe(table.tableText().replacingOccurrences(of: "\n", with: "")), "table text not display-safe")

    // 2. The census accumulator, one key at a time, as the runner feeds it.
    var census = CensusAccumulator(db: 0, maxFamilies: maxFamilies, valueProbesPerFamily: 2)
    let namer = KeyFamilyNamer(maxNodes: 256)
    var index = 0
    for key in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
        let hash = keyHash(key)
        let type = types[Int(hash % UInt32(types.count))]
        var pttl = ttls[Int((hash >> 4) % UInt32(ttls.count))]
        if hash & 0x8000 != 0 { pttl = Int64(hash >> 8) * 1000 }
        let memory: Int? = hash & 0x10000 != 0 ? Int(hash >> 20) : nil
        let observed = now.addingTimeInterval(Double(index) * 0.25)
        if let ticket = census.addReservingValueProbe(key: Array(key), type: type, pttlMilliseconds: pttl,
                                                      memoryBytes: memory, observedAt: observed) {
            let value = Array(key.prefix(ValueClass.maximumProbedBytes))
            census.addValue(ValueClass.classify(lengthBytes: key.count, bytes: value) ?? .notProbed, ticket: ticket)
        }
        fuzzCheck(isDisplaySafe(namer.family(of: Array(key))), "namer family not display-safe")
        index += 1
    }
    // One report per input (each walks every family's per-second expiry table): complete or partial.
    let hash = fuzzHash(bytes)
    if hash & 1 == 0 {
        checkReport(census.report(dbsizeKeys: index, complete: true, keysPerSecond: 100, now: now.addingTimeInterval(30)), complete: true)
    } else if hash & 2 == 0 {
        checkReport(census.report(dbsizeKeys: index * 7 + 1, complete: false, keysPerSecond: 0, now: now), complete: false)
    } else {
        census.startNewPass()
        for key in bytes.split(separator: 0x0A).prefix(8) {
            census.add(key: Array(key), type: "string", pttlMilliseconds: -1, memoryBytes: nil)
        }
        checkReport(census.report(dbsizeKeys: 0, complete: true, keysPerSecond: 1, now: now), complete: true)
    }
    return 0
}
