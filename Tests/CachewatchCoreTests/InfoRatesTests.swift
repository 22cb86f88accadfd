import Foundation
import XCTest
@testable import CachewatchCore

final class InfoRatesTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// INFO text with the counters rates use.
    private func info(at offsetSeconds: Double, uptime: Int, runID: String = "aaaa", commands: Int, hits: Int, misses: Int,
                      expired: Int = 0, evicted: Int = 0, netIn: Int = 0, netOut: Int = 0, calls: [String: Int] = [:]) -> InfoSnapshot {
        var lines = ["# Server", "run_id:\(runID)", "uptime_in_seconds:\(uptime)", "# Stats",
                     "total_commands_processed:\(commands)", "keyspace_hits:\(hits)", "keyspace_misses:\(misses)",
                     "expired_keys:\(expired)", "evicted_keys:\(evicted)",
                     "total_net_input_bytes:\(netIn)", "total_net_output_bytes:\(netOut)", "# Commandstats"]
        for (name, count) in calls.sorted(by: { $0.key < $1.key }) {
            lines.append("cmdstat_\(name):calls=\(count),usec=\(count * 3),usec_per_call=3.00,rejected_calls=0,failed_calls=0")
        }
        return InfoSnapshot(text: lines.joined(separator: "\r\n"), takenAt: t0.addingTimeInterval(offsetSeconds))
    }

    // MARK: - Ordinary traffic

    func testRatesAreDeltasOverTheInterval() {
        let before = info(at: 0, uptime: 100, commands: 1_000, hits: 300, misses: 100, expired: 10, evicted: 0,
                          netIn: 5_000, netOut: 20_000, calls: ["get": 400, "client|setname": 1])
        let after = info(at: 4, uptime: 104, commands: 1_800, hits: 600, misses: 200, expired: 30, evicted: 8,
                         netIn: 9_000, netOut: 60_000, calls: ["get": 800, "client|setname": 1, "set": 20])
        let rates = InfoRates.between(before, after)
        XCTAssertEqual(rates.intervalSeconds, 4)
        XCTAssertEqual(rates.opsPerSecond, 200)
        XCTAssertEqual(rates.hitsPerSecond, 75)
        XCTAssertEqual(rates.missesPerSecond, 25)
        XCTAssertEqual(rates.hitRatio, 0.75)
        XCTAssertEqual(rates.expiredKeysPerSecond, 5)
        XCTAssertEqual(rates.evictedKeysPerSecond, 2)
        XCTAssertEqual(rates.netInputBytesPerSecond, 1_000)
        XCTAssertEqual(rates.netOutputBytesPerSecond, 10_000)
        // A command first seen in the second sample had 0 calls before.
        XCTAssertEqual(rates.commandCallsPerSecond, ["get": 100, "client|setname": 0, "set": 5])
        XCTAssertFalse(rates.counterReset)
    }

    func testHitRatioIsOverTheIntervalNotSinceStart() {
        // Lifetime ratio is 1000/1100, but in the interval only misses happened.
        let before = info(at: 0, uptime: 10, commands: 0, hits: 1_000, misses: 100)
        let after = info(at: 1, uptime: 11, commands: 0, hits: 1_000, misses: 150)
        XCTAssertEqual(InfoRates.between(before, after).hitRatio, 0)
    }

    func testNoTrafficGivesNilHitRatioAndZeroRates() {
        let before = info(at: 0, uptime: 10, commands: 50, hits: 7, misses: 3, calls: ["get": 10])
        let after = info(at: 2, uptime: 12, commands: 50, hits: 7, misses: 3, calls: ["get": 10])
        let rates = InfoRates.between(before, after)
        XCTAssertNil(rates.hitRatio)
        XCTAssertEqual(rates.opsPerSecond, 0)
        XCTAssertEqual(rates.commandCallsPerSecond, ["get": 0])
        XCTAssertFalse(rates.counterReset)
    }

    // MARK: - Counter resets

    func testRestartByUptimeUsesTheNewValuesNeverNegative() {
        let before = info(at: 0, uptime: 5_000, commands: 90_000, hits: 40_000, misses: 5_000, expired: 900, calls: ["get": 40_000])
        let after = info(at: 10, uptime: 3, commands: 120, hits: 30, misses: 10, expired: 0, calls: ["get": 40])
        let rates = InfoRates.between(before, after)
        XCTAssertTrue(rates.counterReset)
        XCTAssertEqual(rates.opsPerSecond, 12)
        XCTAssertEqual(rates.hitsPerSecond, 3)
        XCTAssertEqual(rates.missesPerSecond, 1)
        XCTAssertEqual(rates.hitRatio, 0.75)
        XCTAssertEqual(rates.expiredKeysPerSecond, 0)
        XCTAssertEqual(rates.commandCallsPerSecond, ["get": 4])
    }

    func testRestartByRunIDEvenWhenCountersGrew() {
        // Restarted and already busier than before: the delta is the new value, not new - old.
        let before = info(at: 0, uptime: 20, runID: "old", commands: 100, hits: 10, misses: 0)
        let after = info(at: 10, uptime: 30, runID: "new", commands: 500, hits: 50, misses: 50)
        let rates = InfoRates.between(before, after)
        XCTAssertTrue(rates.counterReset)
        XCTAssertEqual(rates.opsPerSecond, 50)
        XCTAssertEqual(rates.hitsPerSecond, 5)
        XCTAssertEqual(rates.hitRatio, 0.5)
    }

    func testOneCounterDroppingWithoutRestart() {
        // CONFIG RESETSTAT: uptime and run_id unchanged, counters back near zero.
        let before = info(at: 0, uptime: 100, commands: 1_000, hits: 500, misses: 500, calls: ["get": 900, "set": 100])
        let after = info(at: 5, uptime: 105, commands: 1_050, hits: 20, misses: 5, calls: ["get": 15])
        let rates = InfoRates.between(before, after)
        XCTAssertTrue(rates.counterReset)
        XCTAssertEqual(rates.opsPerSecond, 10, "counters that did not drop keep their delta")
        XCTAssertEqual(rates.hitsPerSecond, 4)
        XCTAssertEqual(rates.missesPerSecond, 1)
        XCTAssertEqual(rates.commandCallsPerSecond, ["get": 3])
        for value in [rates.opsPerSecond, rates.hitsPerSecond, rates.missesPerSecond] + Array(rates.commandCallsPerSecond.values) {
            XCTAssertGreaterThanOrEqual(value, 0)
        }
    }

    func testRealFixturesFromDifferentServersAreAReset() throws {
        let six = InfoSnapshot(text: try InfoFixtures.text("info-redis6.txt"), takenAt: t0)
        let seven = InfoSnapshot(text: try InfoFixtures.text("info-redis7.txt"), takenAt: t0.addingTimeInterval(10))
        XCTAssertNotEqual(six.runID, seven.runID)
        let rates = InfoRates.between(six, seven)
        XCTAssertTrue(rates.counterReset)
        XCTAssertEqual(rates.opsPerSecond, Double(seven.totalCommandsProcessed!) / 10)
        let hits = Double(seven.keyspaceHits!), misses = Double(seven.keyspaceMisses!)
        XCTAssertEqual(rates.hitRatio!, hits / (hits + misses), accuracy: 1e-12)
    }

    // MARK: - Degenerate intervals

    func testZeroAndNegativeIntervalsGiveZerosNotNaN() {
        let before = info(at: 0, uptime: 10, commands: 100, hits: 10, misses: 10, calls: ["get": 1])
        for offset in [0.0, -3.0] {
            let after = info(at: offset, uptime: 11, commands: 200, hits: 20, misses: 20, calls: ["get": 9])
            let rates = InfoRates.between(before, after)
            let all = [rates.opsPerSecond, rates.hitsPerSecond, rates.missesPerSecond, rates.expiredKeysPerSecond,
                       rates.evictedKeysPerSecond, rates.netInputBytesPerSecond, rates.netOutputBytesPerSecond]
                + Array(rates.commandCallsPerSecond.values)
            XCTAssertTrue(all.allSatisfy { $0 == 0 }, "offset \(offset): \(all)")
            XCTAssertNil(rates.hitRatio)
            XCTAssertEqual(rates.intervalSeconds, offset)
        }
    }

    func testMissingCountersGiveZero() {
        let empty = InfoSnapshot(text: "", takenAt: t0)
        let full = info(at: 1, uptime: 1, commands: 10, hits: 1, misses: 1)
        let rates = InfoRates.between(empty, full)
        XCTAssertEqual(rates.opsPerSecond, 0)
        XCTAssertNil(rates.hitRatio)
        XCTAssertFalse(rates.counterReset)
        XCTAssertEqual(InfoRates.between(full, InfoSnapshot(text: "", takenAt: t0.addingTimeInterval(2))).opsPerSecond, 0)
    }
}
