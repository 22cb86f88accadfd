import Foundation
import XCTest
@testable import CachewatchCore

/// INFO counters that go backwards, wrap or are garbage: the interval's rates are unknown (nil → `null`),
/// never negative and never a trap (issue 8 §1).
final class InfoRatesResetTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    private func info(at offset: Double, uptime: String = "100", runID: String = "aaaa", commands: String, hits: String = "0",
                      misses: String = "0", calls: String? = nil) -> InfoSnapshot {
        var lines = ["# Server", "run_id:\(runID)", "uptime_in_seconds:\(uptime)", "# Stats", "total_commands_processed:\(commands)",
                     "keyspace_hits:\(hits)", "keyspace_misses:\(misses)", "expired_keys:0", "evicted_keys:0", "# Commandstats"]
        if let calls { lines.append("cmdstat_get:calls=\(calls),usec=1,usec_per_call=1.00") }
        return InfoSnapshot(text: lines.joined(separator: "\r\n"), takenAt: t0.addingTimeInterval(offset))
    }

    func testOrdinaryIntervalIsKnown() throws {
        let rates = try XCTUnwrap(InfoRates.overInterval(info(at: 0, commands: "100", hits: "10"), info(at: 2, uptime: "102", commands: "300", hits: "30")))
        XCTAssertEqual(rates.opsPerSecond, 100)
        XCTAssertEqual(rates.hitsPerSecond, 10)
    }

    func testRestartOrBackwardsCounterGivesUnknownRates() {
        let before = info(at: 0, commands: "90000", hits: "500", calls: "900")
        XCTAssertNil(InfoRates.overInterval(before, info(at: 1, uptime: "3", commands: "10")), "restart: uptime went back")
        XCTAssertNil(InfoRates.overInterval(before, info(at: 1, uptime: "101", runID: "bbbb", commands: "95000", hits: "600")), "new run_id")
        XCTAssertNil(InfoRates.overInterval(before, info(at: 1, uptime: "101", commands: "20")), "CONFIG RESETSTAT")
        XCTAssertNil(InfoRates.overInterval(before, info(at: 1, uptime: "101", commands: "90001", hits: "400")), "one counter back")
        XCTAssertNil(InfoRates.overInterval(before, info(at: 1, uptime: "101", commands: "90001", hits: "501", calls: "5")), "commandstats back")
    }

    func testOverflowingAndGarbageCountersNeverTrap() {
        let max = String(Int.max), min = String(Int.min)
        let pairs: [(InfoSnapshot, InfoSnapshot)] = [
            (info(at: 0, commands: min, hits: min), info(at: 1, uptime: "101", commands: max, hits: max, misses: max)),
            (info(at: 0, commands: "-5"), info(at: 1, uptime: "101", commands: "10")),
            (info(at: 0, commands: "10"), info(at: 1, uptime: "101", commands: "-10")),
            (info(at: 0, commands: max), info(at: 1, uptime: "101", commands: "0")),                 // wrapped
            (info(at: 0, commands: "0", calls: min), info(at: 1, uptime: "101", commands: "1", calls: max)),
        ]
        for (index, (before, after)) in pairs.enumerated() {
            let raw = InfoRates.between(before, after)
            let all = [raw.opsPerSecond, raw.hitsPerSecond, raw.missesPerSecond] + Array(raw.commandCallsPerSecond.values)
            XCTAssertTrue(all.allSatisfy { $0 >= 0 && $0.isFinite }, "\(all)")
            // A negative INFO field reads as unknown (Dragonfly prints -1): its rate is 0, never negative.
            // A counter that wrapped (Int.max -> 0) is a reset: unknown rates for that interval.
            if index == 3 {
                XCTAssertTrue(raw.counterReset)
                XCTAssertNil(InfoRates.overInterval(before, after))
            }
        }
        // Hits and misses both near Int.max: the lookup sum saturates.
        let huge = InfoRates.between(info(at: 0, commands: "0", hits: "0", misses: "0"),
                                     info(at: 1, uptime: "101", commands: "1", hits: max, misses: max))
        XCTAssertEqual(huge.hitRatio ?? -1, 1, accuracy: 1e-9)
    }

    func testNonPositiveIntervalIsUnknown() {
        let before = info(at: 5, commands: "10")
        XCTAssertNil(InfoRates.overInterval(before, info(at: 5, uptime: "100", commands: "20")))
        XCTAssertNil(InfoRates.overInterval(before, info(at: 1, uptime: "101", commands: "20")))
    }

    func testUnknownRatesAreNullInTheDocument() throws {
        let document = SnapshotDocument(takenAt: t0, target: TargetDescription(kind: "redis", address: "127.0.0.1:6379", db: 0, mode: "standalone"),
                                        info: info(at: 1, commands: "1"), rates: nil, pingMilliseconds: 0.2, census: nil, logs: nil,
                                        findings: [], redisError: nil)
        XCTAssertEqual(document.json["metrics"]?["ops_per_second"], .null)
        XCTAssertEqual(document.json["metrics"]?["hit_ratio"], .null)
    }
}
