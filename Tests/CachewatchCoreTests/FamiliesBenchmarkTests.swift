import Foundation
import XCTest
import CachewatchCore

/// Offline `families` throughput on ~1 M corpus keys. Runs only with CACHEWATCH_BENCH=1 (use a release
/// build: `CACHEWATCH_BENCH=1 swift test -c release --filter FamiliesBenchmarkTests`); prints, never asserts time.
final class FamiliesBenchmarkTests: XCTestCase {
    func testOfflineFamiliesThroughput() throws {
        guard ProcessInfo.processInfo.environment["CACHEWATCH_BENCH"] != nil else { throw XCTSkip("set CACHEWATCH_BENCH=1") }
        print(FamiliesBenchmark.run(scale: 10))
    }
}

enum FamiliesBenchmark {
    /// Generates the corpus `scale` times over, then times `FamiliesTable(lines:)` and `CensusAccumulator.add`.
    static func run(scale: Int) -> String {
        let corpus = CensusCorpus.generate(scale: scale)
        var data: [UInt8] = []
        for item in corpus { data += item.key; data.append(0x0A) }
        let start = Date()
        let table = FamiliesTable(lines: data)
        let tableSeconds = Date().timeIntervalSince(start)
        var census = CensusAccumulator(db: 0)
        let censusStart = Date()
        for (i, item) in corpus.enumerated() {
            census.add(key: item.key, type: "string", pttlMilliseconds: i % 7 == 0 ? -1 : Int64(i % 3_600_000), memoryBytes: nil)
        }
        let report = census.report(dbsizeKeys: corpus.count, complete: true, keysPerSecond: 0, now: Date())
        let censusSeconds = Date().timeIntervalSince(censusStart)
        return "families offline: \(table.totalKeys) keys, \(table.familyCount) families in \(String(format: "%.3f", tableSeconds)) s = "
            + "\(Int(Double(table.totalKeys) / tableSeconds)) keys/s; census accumulator: \(report.families.count) families in "
            + "\(String(format: "%.3f", censusSeconds)) s = \(Int(Double(corpus.count) / censusSeconds)) keys/s"
    }
}
