import Foundation
import XCTest
@testable import CachewatchCore

/// Numbers from Redis, logs and INFO that used to trap (issue 8): each lands somewhere defined.
final class HostileNumberTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_795_700_000)

    // MARK: - Clamp

    func testClampConvertsEveryDouble() {
        XCTAssertEqual(Clamp.int64(.nan), 0)
        XCTAssertEqual(Clamp.int64(.infinity), .max)
        XCTAssertEqual(Clamp.int64(-.infinity), .min)
        XCTAssertEqual(Clamp.int64(1e22), .max)
        XCTAssertEqual(Clamp.int64(-1e22), .min)
        XCTAssertEqual(Clamp.int64(9_223_372_036_854_775_807.0), .max, "2^63 as a Double is out of range")
        XCTAssertEqual(Clamp.int64(9_223_372_036_854_774_784.0), 9_223_372_036_854_774_784, "the largest Double below 2^63")
        XCTAssertEqual(Clamp.int(-2.7), -2)
        XCTAssertEqual(Clamp.sum(Int64.max, 1), .max)
        XCTAssertEqual(Clamp.sum(Int64.min, -1), .min)
        XCTAssertEqual(Clamp.sum(Int32.max, 5), .max)
        XCTAssertEqual(Clamp.difference(Int64.min, 1), .min)
        XCTAssertEqual(Clamp.difference(0, Int64.min), .max)
    }

    // MARK: - TTLs from Redis (PEXPIREAT k 9000000000000000000)

    /// Regression: `snapshot --json --full` died with "Index out of range" in the TTL quantile buckets.
    func testFarFutureTTLsLandInDefinedBuckets() throws {
        let hostile: [Int64] = [9_000_000_000_000_000_000 - 1_795_700_000_000, 1 << 62, (1 << 62) + 1, Int64.max, Int64.max - 1,
                                1 << 53, 31_536_000_000, 0, 1]
        var census = CensusAccumulator(db: 0)
        for (i, pttl) in hostile.enumerated() {
            census.add(key: Array("far:\(i + 1)".utf8), type: "string", pttlMilliseconds: pttl, memoryBytes: Int.max / 2,
                       observedAt: now.addingTimeInterval(Double(i)))
        }
        // Negative sentinels: -1 no TTL, -2 vanished, anything else negative counts as vanished.
        for (i, pttl) in [Int64(-1), -2, -3, Int64.min].enumerated() {
            census.add(key: Array("far:\(i + 100)".utf8), type: "string", pttlMilliseconds: pttl, memoryBytes: nil, observedAt: now)
        }
        let report = census.report(dbsizeKeys: Int.max, complete: true, keysPerSecond: 1, now: now.addingTimeInterval(20))
        let family = try XCTUnwrap(report.families.first)
        XCTAssertEqual(family.keys, hostile.count + 1)
        XCTAssertEqual(family.noTTL, 1)
        XCTAssertEqual(census.vanishedKeys, 3)
        XCTAssertEqual(family.ttlMaxSeconds, Double(Int64.max) / 1000)
        XCTAssertEqual(family.ttlMinSeconds, 0)
        XCTAssertEqual(family.ttlHistogram.map(\.keys).reduce(0, +), hostile.count + 1)
        XCTAssertEqual(family.ttlHistogram.last?.upperSeconds, nil)
        XCTAssertEqual(family.ttlHistogram.dropLast().last?.upperSeconds, Double(Int64(1) << 54), "the last log2 bucket")
        XCTAssertEqual(family.ttlBands[5], 7, "> 24h")
        XCTAssertNotNil(family.memoryBytes, "a huge MEMORY USAGE sum saturates instead of trapping")
        // The document serialises to valid JSON.
        let json = report.json.serialized()
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.utf8)))
    }

    /// Quantiles stay correct past the exact limit with TTLs near 2^63 ms: within the histogram's 3 %.
    func testQuantilesStayCorrectWithHugeTTLs() throws {
        var census = CensusAccumulator(db: 0)
        var ttls: [Int64] = []
        for i in 0..<200 { ttls.append(Int64(i + 1) * 60_000) }            // 1 … 200 min
        for i in 0..<100 { ttls.append(Int64.max - Int64(i)) }              // far future
        for (i, ttl) in ttls.enumerated() {
            census.add(key: Array("q:\(i)".utf8), type: "string", pttlMilliseconds: ttl, memoryBytes: nil)
        }
        let family = try XCTUnwrap(census.report(dbsizeKeys: 300, complete: true, keysPerSecond: 1, now: now).families.first)
        let p50 = try XCTUnwrap(family.ttlP50Seconds)
        XCTAssertEqual(p50, 150 * 60, accuracy: 150 * 60 * 0.035)
        let p90 = try XCTUnwrap(family.ttlP90Seconds)
        XCTAssertEqual(p90, Double(Int64.max) / 1000, accuracy: Double(Int64.max) / 1000 * 0.035)
        XCTAssertLessThanOrEqual(p90, family.ttlMaxSeconds!)
    }

    func testBucketIndexesCoverEveryInt64() {
        for ms: Int64 in [Int64.min, -1, 0, 15, 16, Int64(1) << 40, (Int64(1) << 62) - 1, Int64(1) << 62, Int64.max] {
            XCTAssertTrue((0..<FamilyStats.quantileBucketCount).contains(FamilyStats.bucketIndex(ms)), "\(ms)")
            XCTAssertTrue((0...FamilyStats.log2MaxIndex).contains(FamilyStats.log2Index(ms)), "\(ms)")
        }
        XCTAssertEqual(FamilyStats.log2Index(1000), 0)
        XCTAssertEqual(FamilyStats.log2Index(1001), 1)
        XCTAssertEqual(FamilyStats.log2Index(Int64.max), 54)
    }

    /// A budgeted pass longer than the tracked expiry span (hours on a big keyspace) must not build an empty range.
    func testForecastAfterAVeryLongPass() throws {
        var census = CensusAccumulator(db: 0)
        census.add(key: Array("slow:1".utf8), type: "string", pttlMilliseconds: 30_000, memoryBytes: nil, observedAt: now)
        let late = census.report(dbsizeKeys: 1, complete: false, keysPerSecond: 1, now: now.addingTimeInterval(5 * 3600))
        XCTAssertEqual(late.forecast.reduce(0, +), 0)
        XCTAssertNil(late.families.first?.lockstep)
        let future = census.report(dbsizeKeys: 1, complete: false, keysPerSecond: 1, now: now.addingTimeInterval(1e18))
        XCTAssertEqual(future.forecast.count, 60)
    }

    // MARK: - Log timestamps

    /// Regression: `{"time": 1e22, …}` trapped converting to Int64 (exit 132).
    func testHostileJSONTimestampsCountAtArrival() {
        var processor = LogLineProcessor(timeZone: TimeZone(identifier: "UTC")!)
        var counter = FailOpenCounter()
        let arrival = now
        let lines = [
            #"{"time": 1e22, "message": "Cache backend not available: x"}"#,
            #"{"time": 1e308, "message": "Cache backend not available: x"}"#,
            #"{"time": 1e999, "message": "Cache backend not available: x"}"#,
            #"{"time": -5, "message": "Cache backend not available: x"}"#,
            #"{"time": "9999-12-31T23:59:59Z", "message": "Cache backend not available: x"}"#,
            #"{"time": "0000-01-01T00:00:00Z", "message": "Cache backend not available: x"}"#,
            #"{"time": 1795790000, "message": "Cache backend not available: x"}"#,   // 25 h ahead
        ]
        for line in lines {
            guard let event = processor.process(Array(line.utf8), arrival: arrival) else { return XCTFail("no event: \(line)") }
            XCTAssertEqual(event.timestamp, arrival, line)
            counter.record(event, now: arrival)
        }
        XCTAssertEqual(processor.unparsedTime, lines.count)
        XCTAssertEqual(counter.count(lastSeconds: 60, now: arrival), lines.count)
        // A believable time is kept (a few minutes ahead is clock skew, not garbage).
        let fine = #"{"time": 1795700300, "message": "Cache backend not available: x"}"#
        XCTAssertEqual(processor.process(Array(fine.utf8), arrival: arrival)?.timestamp, Date(timeIntervalSince1970: 1_795_700_300))
        XCTAssertEqual(processor.unparsedTime, lines.count)
    }

    func testFailOpenCounterNeverTrapsOnExtremeDates() {
        var counter = FailOpenCounter()
        let match = FailOpenMatch(error: "x")
        for seconds in [1e22, -1e22, Double.infinity, -Double.infinity, Double.nan, 0] {
            counter.record(FailOpenEvent(timestamp: Date(timeIntervalSince1970: seconds), match: match), now: now)
            counter.record(FailOpenEvent(timestamp: now, match: match), now: Date(timeIntervalSince1970: seconds))
        }
        XCTAssertEqual(counter.total, 12)
        _ = counter.perMinute(now: Date(timeIntervalSince1970: -1e22))
        _ = counter.count(lastSeconds: 60, now: Date(timeIntervalSince1970: .infinity))
    }

    func testSourceJSONAppendsUnparsedTimeLast() {
        let status = LogSourceStatus(path: "a.log", format: "json", lines: 3, unparsed: 0, truncated: 0, status: "following",
                                     unparsedTime: 2)
        guard case .object(let pairs) = status.json else { return XCTFail() }
        XCTAssertEqual(pairs.map(\.0), ["path", "format", "lines", "unparsed", "truncated", "status", "detail", "unparsed_time"])
        XCTAssertEqual(status.json["unparsed_time"], .int(2))
    }

    func testNonFiniteDoublesSerialiseAsNull() {
        XCTAssertEqual(JSONValue.array([.double(.infinity), .double(.nan), .double(1e300)]).serialized().prefix(11), "[null,null,")
    }
}
