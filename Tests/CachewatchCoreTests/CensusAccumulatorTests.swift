import Foundation
import XCTest
@testable import CachewatchCore

final class CensusAccumulatorTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_795_700_000)

    func add(_ census: inout CensusAccumulator, _ key: String, _ pttl: Int64, type: String? = "string", memory: Int? = nil) {
        census.add(key: Array(key.utf8), type: type, pttlMilliseconds: pttl, memoryBytes: memory)
    }

    /// 10 widget keys: TTL 5 s ×1, 30 s ×4, 90 s ×3, none ×2.
    func widgets() -> CensusAccumulator {
        var census = CensusAccumulator(db: 0)
        let ttls: [Int64] = [5000, 30_000, 30_000, 30_000, 30_000, 90_000, 90_000, 90_000, -1, -1]
        for (i, ttl) in ttls.enumerated() {
            add(&census, "widget:\(i + 1)", ttl, type: i == 9 ? "hash" : "string", memory: i < 2 ? (i == 0 ? 100 : 300) : nil)
        }
        return census
    }

    func testCountsHistogramBandsAndForecastAreExact() throws {
        let report = widgets().report(dbsizeKeys: 10, complete: true, keysPerSecond: 1000, now: now)
        XCTAssertEqual(report.scannedKeys, 10)
        XCTAssertEqual(report.estimatedKeys, 10)
        XCTAssertTrue(report.complete)
        let family = try XCTUnwrap(report.families.first)
        XCTAssertEqual(report.families.count, 1)
        XCTAssertEqual(family.pattern, "widget:{id}")
        XCTAssertEqual(family.keys, 10)
        XCTAssertEqual(family.sampled, 10)
        XCTAssertEqual(family.share, 1)
        XCTAssertEqual(family.types, ["string": 9, "hash": 1])
        XCTAssertEqual(family.noTTL, 2)
        XCTAssertEqual(family.ttlMinSeconds, 5)
        XCTAssertEqual(family.ttlP50Seconds, 30)
        XCTAssertEqual(family.ttlP90Seconds, 90)
        XCTAssertEqual(family.ttlMaxSeconds, 90)
        XCTAssertEqual(family.ttlHistogram, [TTLBucket(upperSeconds: 8, keys: 1), TTLBucket(upperSeconds: 32, keys: 4),
                                             TTLBucket(upperSeconds: 128, keys: 3), TTLBucket(upperSeconds: nil, keys: 2)])
        XCTAssertEqual(family.ttlBands, [8, 0, 0, 0, 0, 0, 2])
        XCTAssertEqual(family.memoryBytes, 2000)  // mean 200 B × 10 keys
        XCTAssertEqual(family.examples, ["widget:1", "widget:2", "widget:3"])
        XCTAssertEqual(Array(family.forecast.prefix(3)), [5, 3, 0])
        XCTAssertEqual(family.forecast.reduce(0, +), 8)
        XCTAssertEqual(report.forecast.count, 60)
        XCTAssertEqual(Array(report.forecast.prefix(2)), [5, 3])
        XCTAssertNil(family.lockstep)
        XCTAssertEqual(report.json["families"].map { if case let .array(a) = $0 { return a.count } else { return -1 } }, 1)
    }

    func testBandBoundariesAndLog2Edges() throws {
        var census = CensusAccumulator(db: 0)
        for (i, ms) in [Int64(0), 1000, 1001, 120_000, 120_001, 300_000, 900_000, 3_600_000, 86_400_000, 86_400_001].enumerated() {
            add(&census, "t:\(i)", ms)
        }
        let family = try XCTUnwrap(census.report(dbsizeKeys: 0, complete: true, keysPerSecond: 0, now: now).families.first)
        XCTAssertEqual(family.ttlBands, [4, 2, 1, 1, 1, 1, 0])  // 120 s is still ≤ 2m
        XCTAssertEqual(family.ttlHistogram.first, TTLBucket(upperSeconds: 1, keys: 2))   // 0 ms and 1000 ms
        XCTAssertEqual(family.ttlHistogram[1], TTLBucket(upperSeconds: 2, keys: 1))      // 1001 ms
        XCTAssertEqual(family.ttlHistogram.reduce(0) { $0 + $1.keys }, 10)
        XCTAssertFalse(family.ttlHistogram.contains { $0.upperSeconds == nil })
    }

    func testVanishedKeysCountAsExpiredNotAsKeys() throws {
        var census = widgets()
        add(&census, "widget:99", -2)
        add(&census, "widget:98", -2)
        let report = census.report(dbsizeKeys: 12, complete: true, keysPerSecond: 0, now: now)
        XCTAssertEqual(report.scannedKeys, 10)
        XCTAssertEqual(report.families.first?.keys, 10)
        XCTAssertEqual(census.vanishedKeys, 2)
        XCTAssertEqual(report.notes.count, 1)
        XCTAssertTrue(report.notes[0].hasPrefix("2 keys expired"))
    }

    func testPartialPassIsScaledByDBSIZE() throws {
        let report = widgets().report(dbsizeKeys: 100, complete: false, keysPerSecond: 0, now: now)
        XCTAssertEqual(report.estimatedKeys, 100)
        XCTAssertEqual(report.scannedKeys, 10)
        let family = try XCTUnwrap(report.families.first)
        XCTAssertEqual(family.keys, 100)
        XCTAssertEqual(family.sampled, 10)
        XCTAssertEqual(family.noTTL, 20)
        XCTAssertEqual(family.types, ["string": 90, "hash": 10])
        XCTAssertEqual(family.ttlBands, [80, 0, 0, 0, 0, 0, 20])
        XCTAssertEqual(Array(family.forecast.prefix(2)), [50, 30])
        XCTAssertEqual(Array(report.forecast.prefix(2)), [50, 30])
        XCTAssertEqual(family.memoryBytes, 20_000)
    }

    func testExampleKeysCarryWhatTheCensusRead() throws {
        var census = CensusAccumulator(db: 0)
        add(&census, "cart:1:items", -1, type: "hash", memory: 512)
        add(&census, "cart:2:items", 90_000, type: "hash")
        let family = try XCTUnwrap(census.report(dbsizeKeys: 2, complete: true, keysPerSecond: 0, now: now).families.first)
        XCTAssertEqual(family.examples, ["cart:1:items", "cart:2:items"])
        XCTAssertEqual(family.exampleKeys, [
            ExampleKey(key: "cart:1:items", type: "hash", ttlSeconds: nil, memoryBytes: 512),
            ExampleKey(key: "cart:2:items", type: "hash", ttlSeconds: 90, memoryBytes: nil),
        ])
    }

    func testEmptyCensus() {
        let report = CensusAccumulator(db: 3).report(dbsizeKeys: 0, complete: true, keysPerSecond: 0, now: now)
        XCTAssertEqual(report.db, 3)
        XCTAssertEqual(report.families, [])
        XCTAssertEqual(report.forecast, Array(repeating: 0, count: 60))
        XCTAssertEqual(Findings.evaluate(report), [])
    }

    func testFamiliesSortedAndCappedWithOtherLast() {
        var census = CensusAccumulator(db: 0, maxFamilies: 2)
        for i in 0..<30 { add(&census, "widget:\(i)", 60_000) }
        for i in 0..<20 { add(&census, "session:\(UUID().uuidString)", -1); _ = i }
        for i in 0..<10 { add(&census, "tier:\(i)", 86_400_000) }
        for i in 0..<5 { add(&census, "bull:email:\(i)", -1) }
        let report = census.report(dbsizeKeys: 65, complete: true, keysPerSecond: 0, now: now)
        XCTAssertEqual(report.families.map(\.pattern), ["widget:{id}", "session:{uuid}", "(other)"])
        XCTAssertEqual(report.families.map(\.keys), [30, 20, 15])
        XCTAssertEqual(report.families.last?.noTTL, 5)
    }

    func testLockstepWaveIsDetected() throws {
        var census = CensusAccumulator(db: 0)
        for i in 0..<100 { add(&census, "top:\(i)", 1_800_000 + Int64(i * 30)) }  // all within 3 s
        for i in 0..<20 { add(&census, "top:\(100 + i)", 600_000 + Int64(i) * 7000) }
        let family = try XCTUnwrap(census.report(dbsizeKeys: 0, complete: true, keysPerSecond: 0, now: now).families.first)
        let wave = try XCTUnwrap(family.lockstep)
        XCTAssertEqual(wave.startsInSeconds, 1800)
        XCTAssertEqual(wave.windowSeconds, 3)
        XCTAssertEqual(wave.keys, 100)
        XCTAssertEqual(wave.fraction, 100.0 / 120.0, accuracy: 1e-9)
        let findings = Findings.evaluate(census.report(dbsizeKeys: 0, complete: true, keysPerSecond: 0, now: now))
        XCTAssertEqual(findings.map(\.code), ["lockstep-expiry"])
        XCTAssertTrue(findings[0].message.contains("jitter"))
    }

    func testJitteredOrSmallFamiliesHaveNoWave() throws {
        var jittered = CensusAccumulator(db: 0)
        for i in 0..<200 { add(&jittered, "score:\(i)", 1_740_000 + Int64(i) * 600) }  // ±60 s around 30 min
        XCTAssertNil(jittered.report(dbsizeKeys: 0, complete: true, keysPerSecond: 0, now: now).families.first?.lockstep)
        var small = CensusAccumulator(db: 0)
        for i in 0..<5 { add(&small, "score:\(i)", 1_800_000) }
        XCTAssertNil(small.report(dbsizeKeys: 0, complete: true, keysPerSecond: 0, now: now).families.first?.lockstep)
        var beyondHour = CensusAccumulator(db: 0)
        for i in 0..<50 { add(&beyondHour, "score:\(i)", 7_200_000) }
        XCTAssertNil(beyondHour.report(dbsizeKeys: 0, complete: true, keysPerSecond: 0, now: now).families.first?.lockstep)
    }

    func testLargeFamilyQuantilesAreClose() throws {
        var census = CensusAccumulator(db: 0)
        for i in 1...10_000 { add(&census, "w:\(i)", Int64(i) * 100) }  // 0.1 s … 1000 s, uniform
        let family = try XCTUnwrap(census.report(dbsizeKeys: 0, complete: true, keysPerSecond: 0, now: now).families.first)
        XCTAssertEqual(family.ttlMinSeconds, 0.1)
        XCTAssertEqual(family.ttlMaxSeconds, 1000)
        XCTAssertEqual(try XCTUnwrap(family.ttlP50Seconds), 500, accuracy: 500 * 0.04)
        XCTAssertEqual(try XCTUnwrap(family.ttlP90Seconds), 900, accuracy: 900 * 0.04)
    }

    func testFindings() {
        var census = CensusAccumulator(db: 0)
        for i in 0..<40 { add(&census, "user_\(i)_widgets:page_\(i % 5 + 1):size_10:\(i)", 600_000 + Int64(i) * 9000) }
        for i in 0..<40 { add(&census, "widget_search:\(String(repeating: "ab", count: 10))\(String(format: "%012x", i))", 1_800_000 + Int64(i) * 9000) }
        for i in 0..<40 { add(&census, "widget:\(i)", i < 4 ? -1 : 120_000 + Int64(i) * 9000) }
        for i in 0..<40 { add(&census, "popular:\(i)", 60_000 + Int64(i) * 3000) }
        let findings = Findings.evaluate(census.report(dbsizeKeys: 0, complete: true, keysPerSecond: 0, now: now))
        let summary = Set(findings.map { "\($0.code) \($0.pattern ?? "")" })
        XCTAssertEqual(summary, ["ttl-too-long user_{id}_widgets:page_{n}:size_{n}:{id}", "ttl-too-long widget_search:{hash}",
                                 "no-ttl widget:{id}"])
        XCTAssertTrue(findings.allSatisfy { $0.severity == .warn && !$0.message.contains("\n") })
        XCTAssertTrue(findings.contains { $0.message.hasPrefix("4 of 40 keys of widget:{id} have no TTL") })
    }

    func testHostileKeysAreEscapedInExamples() throws {
        var census = CensusAccumulator(db: 0)
        add(&census, "evil:\u{1b}]0;pwned\u{07}", -1)
        census.add(key: Array("blob:".utf8) + Array(repeating: 0x41, count: 65_536), type: "string", pttlMilliseconds: -1, memoryBytes: nil)
        let report = census.report(dbsizeKeys: 2, complete: true, keysPerSecond: 0, now: now)
        XCTAssertEqual(report.families.reduce(0) { $0 + $1.keys }, 2)
        for family in report.families {
            for text in [family.pattern] + family.examples {
                XCTAssertFalse(text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, text)
                XCTAssertLessThan(text.utf8.count, 1200)
            }
        }
        XCTAssertTrue(report.families.contains { $0.examples == ["evil:\\x1b]0;pwned\\x07"] })
    }
}

extension CensusAccumulatorTests {
    func testMixedTTLPagesAreFound() throws {
        var mixed = CensusAccumulator(db: 0)
        for i in 0..<60 {
            let page = i % 3 + 1
            let ttl: Int64 = page == 1 ? 3_600_000 - Int64(i) * 1000 : 300_000 - Int64(i) * 1000  // page 1: 1 h, pages 2–3: 5 min
            add(&mixed, "widgets:page_\(page):size_10", ttl)
        }
        let report = mixed.report(dbsizeKeys: 0, complete: true, keysPerSecond: 0, now: now)
        let family = try XCTUnwrap(report.families.first)
        XCTAssertEqual(family.pattern, "widgets:page_{n}:size_{n}")
        XCTAssertEqual(family.ttlMaxSecondsByPage, [1: 3600, 2: 299, 3: 298])
        let codes = Findings.evaluate(report).map(\.code)
        XCTAssertTrue(codes.contains("mixed-ttl-pages"), "\(codes)")

        var uniform = CensusAccumulator(db: 0)
        for i in 0..<60 { add(&uniform, "widgets:page_\(i % 3 + 1):size_10", 120_000 - Int64(i) * 1000) }
        XCTAssertEqual(Findings.evaluate(uniform.report(dbsizeKeys: 0, complete: true, keysPerSecond: 0, now: now)), [])
    }
}

extension CensusAccumulatorTests {
    func testNewPassClearsCountsButKeepsFamilies() throws {
        var census = CensusAccumulator(db: 0)
        var rng = SplitMix64(state: 12)
        for _ in 0..<200 { add(&census, "user:" + CensusCorpus.username(&rng), 60_000) }
        add(&census, "gone", -2)
        census.startNewPass()
        add(&census, "user:zz_new_name", -1)
        let report = census.report(dbsizeKeys: 1, complete: true, keysPerSecond: 0, now: now)
        XCTAssertEqual(report.scannedKeys, 1)
        XCTAssertEqual(report.notes, [])
        XCTAssertEqual(report.families.map(\.pattern), ["user:{str}"])
        XCTAssertEqual(report.families.first?.keys, 1)
        XCTAssertEqual(report.families.first?.noTTL, 1)
    }
}

extension CensusAccumulatorTests {
    func testTimedObservationsForecastFromNow() throws {
        var census = CensusAccumulator(db: 0)
        let start = now
        // Read at t0: expires at t0+90 s. Read at t0+100 s: expires at t0+100+150 = t0+250 s.
        census.add(key: Array("w:1".utf8), type: "string", pttlMilliseconds: 90_000, memoryBytes: nil, observedAt: start)
        for i in 0..<20 {
            census.add(key: Array("w:\(i + 2)".utf8), type: "string", pttlMilliseconds: 150_000 + Int64(i) * 100, memoryBytes: nil,
                       observedAt: start.addingTimeInterval(100))
        }
        let report = census.report(dbsizeKeys: 0, complete: true, keysPerSecond: 0, now: start.addingTimeInterval(120))
        let family = try XCTUnwrap(report.families.first)
        // At now = t0+120 s, w:1 already expired; the 20 keys expire 130–132 s from now (minute 3).
        XCTAssertEqual(Array(family.forecast.prefix(4)), [0, 0, 20, 0])
        XCTAssertEqual(report.forecast.reduce(0, +), 20)
        let wave = try XCTUnwrap(family.lockstep)
        XCTAssertEqual(wave.startsInSeconds, 130)
        XCTAssertEqual(family.ttlMaxSeconds, 151.9)  // TTL statistics stay as read
    }
}
