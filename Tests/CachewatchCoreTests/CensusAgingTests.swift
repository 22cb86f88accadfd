import CachewatchCore
import Foundation
import XCTest

final class CensusAgingTests: XCTestCase {
    /// A family of 1,000 keys: 600 with TTLs spread over the first 10 minutes (60 per minute), 400 without TTL.
    func family() -> FamilyReport {
        var forecast = Array(repeating: 0, count: 60)
        for minute in 0..<10 { forecast[minute] = 60 }
        // log2 buckets: (64, 128] holds 60 keys, (128, 256] 120, (256, 512] 240, (512, 1024] 180 (≈ 600 over 0…600 s).
        let histogram = [TTLBucket(upperSeconds: 64, keys: 0), TTLBucket(upperSeconds: 128, keys: 60),
                         TTLBucket(upperSeconds: 256, keys: 120), TTLBucket(upperSeconds: 512, keys: 240),
                         TTLBucket(upperSeconds: 1024, keys: 180), TTLBucket(upperSeconds: nil, keys: 400)]
        return FamilyReport(pattern: "user:{id}", keys: 1000, sampled: 1000, share: 1, types: ["string": 1000], noTTL: 400,
                            ttlMinSeconds: 65, ttlP50Seconds: 300, ttlP90Seconds: 540, ttlMaxSeconds: 600, ttlHistogram: histogram,
                            ttlBands: [60, 120, 420, 0, 0, 0, 400], forecast: forecast,
                            lockstep: LockstepWave(startsInSeconds: 100, windowSeconds: 5, keys: 50, fraction: 0.1))
    }

    func report(complete: Bool = true) -> CensusReport {
        let family = family()
        return CensusReport(db: 0, complete: complete, scannedKeys: 1000, estimatedKeys: 1000, families: [family], forecast: family.forecast)
    }

    func testZeroOrPartialReportsAreUnchanged() {
        XCTAssertEqual(report().aged(by: 0), report())
        XCTAssertEqual(report().aged(by: -5), report())
        XCTAssertEqual(report().aged(by: .nan), report())
        XCTAssertEqual(report(complete: false).aged(by: 120), report(complete: false))
    }

    func testTheForecastShiftsAndExpiredKeysDropOut() {
        let aged = report().aged(by: 120)
        var expected = Array(repeating: 0, count: 60)
        for minute in 0..<8 { expected[minute] = 60 }
        XCTAssertEqual(aged.families[0].forecast, expected)
        XCTAssertEqual(aged.forecast, expected)
        // Half a minute: each minute keeps half its keys and takes half of the next one's.
        let half = report().aged(by: 30).forecast
        XCTAssertEqual(Array(half[0..<10]), [60, 60, 60, 60, 60, 60, 60, 60, 60, 30])
    }

    func testPercentilesBandsAndHistogramAge() {
        let aged = report().aged(by: 120).families[0]
        XCTAssertEqual(aged.ttlP50Seconds, 180)
        XCTAssertEqual(aged.ttlP90Seconds, 420)
        XCTAssertEqual(aged.ttlMaxSeconds, 480)
        XCTAssertEqual(aged.ttlMinSeconds, 0)
        XCTAssertEqual(aged.noTTL, 400)
        XCTAssertEqual(aged.keys, 1000)
        XCTAssertEqual(aged.ttlBands[6], 400)
        // Fewer keys with a TTL than before, none more than there were.
        let timed = aged.ttlBands[0..<6].reduce(0, +)
        XCTAssertLessThan(timed, 600)
        XCTAssertGreaterThan(timed, 400)
        XCTAssertEqual(aged.ttlHistogram.last, TTLBucket(upperSeconds: nil, keys: 400))
        XCTAssertLessThan(aged.ttlHistogram.compactMap { $0.upperSeconds == nil ? nil : $0.keys }.reduce(0, +), 600)
        XCTAssertEqual(aged.lockstep, nil)   // the wave was due 100 s after the pass
        XCTAssertEqual(report().aged(by: 50).families[0].lockstep?.startsInSeconds, 50)
    }

    func testEverythingWithATTLRunsOut() {
        let aged = report().aged(by: 700).families[0]
        XCTAssertEqual(aged.forecast, Array(repeating: 0, count: 60))
        XCTAssertNil(aged.ttlP50Seconds)
        XCTAssertNil(aged.ttlMaxSeconds)
        XCTAssertEqual(Array(aged.ttlBands), [0, 0, 0, 0, 0, 0, 400])
        XCTAssertEqual(aged.ttlHistogram, [TTLBucket(upperSeconds: nil, keys: 400)])
    }

    func testKeysBeyondTheHourEnterTheForecast() {
        // 2,048 keys spread over (2048, 4096]: none in the first hour's forecast until the clock moves.
        let family = FamilyReport(pattern: "long:{id}", keys: 2048, sampled: 2048, share: 1, types: [:], noTTL: 0,
                                  ttlMaxSeconds: 4096, ttlHistogram: [TTLBucket(upperSeconds: 4096, keys: 2048)])
        let aged = family.aged(by: 600)
        // Minute 50 after aging covers TTLs (3600, 3660] of the pass: 60 of the bucket's 2048 keys per 2048 s.
        XCTAssertEqual(aged.forecast[50], 60)
        XCTAssertEqual(aged.forecast[57], 60)
        XCTAssertEqual(aged.forecast[59], 0, "past the longest TTL read (4,096 s)")
        XCTAssertEqual(aged.forecast[0], 0)
    }
}
