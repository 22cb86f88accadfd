import Foundation
import XCTest
@testable import CachewatchCore

/// The application's SCAN rate (pattern invalidation): `cmdstat_scan` minus cachewatch's own SCANs, the DEL rate
/// beside it, the `metrics` fields and the `pattern-invalidation` finding.
final class AppScanRateTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_795_733_793)

    /// A small INFO reply; `nil` counts leave the command out, `commandstats: false` leaves out the whole section.
    private func info(scan: Int?, del: Int?, commands: Int, at offset: Double, commandstats: Bool = true) -> InfoSnapshot {
        var text = "# Server\r\nredis_version:7.0.15\r\nuptime_in_seconds:\(100 + Int(offset))\r\nrun_id:abc\r\n"
        text += "# Clients\r\nconnected_clients:3\r\nblocked_clients:0\r\n# Memory\r\nused_memory:1000\r\n"
        text += "# Stats\r\ntotal_commands_processed:\(commands)\r\nkeyspace_hits:0\r\nkeyspace_misses:0\r\n"
        if commandstats {
            text += "# Commandstats\r\ncmdstat_info:calls=\(5 + Int(offset)),usec=50,usec_per_call=10.00,rejected_calls=0,failed_calls=0\r\n"
            if let scan { text += "cmdstat_scan:calls=\(scan),usec=\(scan * 20),usec_per_call=20.00,rejected_calls=0,failed_calls=0\r\n" }
            if let del { text += "cmdstat_del:calls=\(del),usec=\(del),usec_per_call=1.00,rejected_calls=0,failed_calls=0\r\n" }
        }
        text += "# Keyspace\r\ndb0:keys=10,expires=0,avg_ttl=0\r\n"
        return InfoSnapshot(text: text, takenAt: t0.addingTimeInterval(offset))
    }

    /// 2 s apart: 60 SCANs (20 of them ours), 700 DELs.
    private func observed() -> InfoRates {
        InfoRates.between(info(scan: 100, del: 10, commands: 1_000, at: 0), info(scan: 160, del: 710, commands: 2_000, at: 2))
    }

    // MARK: - Subtraction

    func testOurScansAreTakenOutOfTheScanRate() {
        let raw = observed()
        XCTAssertEqual(raw.scanCallsPerSecond ?? -1, 30, accuracy: 1e-9, "before exclusion: every SCAN")
        let app = raw.excludingObserver(commands: 50, scans: 20, keyspaceHits: 0, keyspaceMisses: 0)
        XCTAssertEqual(app.scanCallsPerSecond ?? -1, 20, accuracy: 1e-9, "(60 − 20) / 2 s")
        XCTAssertEqual(app.delCallsPerSecond ?? -1, 350, accuracy: 1e-9, "DEL is never ours: 700 / 2 s")
        XCTAssertEqual(app.opsPerSecond, 475, accuracy: 1e-9, "our commands still come off ops/s")
        // Other per-command rates stay as Redis counted them.
        XCTAssertEqual(app.commandCallsPerSecond["info"] ?? -1, raw.commandCallsPerSecond["info"] ?? -2)
    }

    func testWithoutScansArgumentTheScanRateIsUnchanged() {
        let app = observed().excludingObserver(commands: 50, keyspaceHits: 0, keyspaceMisses: 0)
        XCTAssertEqual(app.scanCallsPerSecond ?? -1, 30, accuracy: 1e-9)
    }

    func testMoreOfOurScansThanCountedNeverGoesNegative() {
        let app = observed().excludingObserver(commands: 500, scans: 90, keyspaceHits: 0, keyspaceMisses: 0)
        XCTAssertEqual(app.scanCallsPerSecond, 0)
    }

    func testOnlyOurScansLeaveZero() {
        let rates = InfoRates.between(info(scan: 3, del: nil, commands: 10, at: 0), info(scan: 13, del: nil, commands: 40, at: 1))
        let app = rates.excludingObserver(commands: 25, scans: 10, keyspaceHits: 0, keyspaceMisses: 0)
        XCTAssertEqual(app.scanCallsPerSecond, 0)
        XCTAssertEqual(app.delCallsPerSecond, 0, "DEL never called but commandstats present: 0, not unknown")
    }

    func testScanNeverCalledIsZeroAndNoCommandstatsIsUnknown() {
        let never = InfoRates.between(info(scan: nil, del: nil, commands: 10, at: 0), info(scan: nil, del: nil, commands: 20, at: 1))
        XCTAssertEqual(never.scanCallsPerSecond, 0)
        let scanAppears = InfoRates.between(info(scan: nil, del: nil, commands: 10, at: 0), info(scan: 4, del: 2, commands: 20, at: 2))
        XCTAssertEqual(scanAppears.scanCallsPerSecond, 2, "a command absent before had 0 calls")
        XCTAssertEqual(scanAppears.delCallsPerSecond, 1)
        let missing = InfoRates.between(info(scan: nil, del: nil, commands: 10, at: 0, commandstats: false),
                                        info(scan: nil, del: nil, commands: 20, at: 1, commandstats: false))
        XCTAssertFalse(missing.commandStatsKnown)
        XCTAssertNil(missing.scanCallsPerSecond)
        XCTAssertNil(missing.delCallsPerSecond)
        XCTAssertNil(missing.excludingObserver(commands: 5, scans: 2, keyspaceHits: 0, keyspaceMisses: 0).scanCallsPerSecond)
        let sameInstant = InfoRates.between(info(scan: 1, del: 1, commands: 10, at: 0), info(scan: 5, del: 1, commands: 20, at: 0))
        XCTAssertNil(sameInstant.scanCallsPerSecond, "no interval, no rate")
    }

    // MARK: - Our SCANs in flight at the INFO

    func testSCANsSentButNotYetRunAreCarriedToTheNextInterval() {
        // Interval 1 (1 s): we sent 10 SCANs, Redis ran 9 before the INFO. Interval 2: the 10th runs, plus 10 more of ours.
        let first = InfoRates.between(info(scan: 100, del: nil, commands: 1_000, at: 0), info(scan: 109, del: nil, commands: 1_100, at: 1))
        let second = InfoRates.between(info(scan: 109, del: nil, commands: 1_100, at: 1), info(scan: 120, del: nil, commands: 1_200, at: 2))
        XCTAssertEqual(first.excludingObserver(commands: 10, scans: 10, keyspaceHits: 0, keyspaceMisses: 0).scanCallsPerSecond, 0)
        let carried = first.unseenObserverScans(10)
        XCTAssertEqual(carried, 1)
        XCTAssertEqual(second.excludingObserver(commands: 10, scans: 10 + carried, keyspaceHits: 0, keyspaceMisses: 0).scanCallsPerSecond, 0,
                       "the late SCAN is ours, not the app's")
        XCTAssertEqual(second.excludingObserver(commands: 10, scans: 10, keyspaceHits: 0, keyspaceMisses: 0).scanCallsPerSecond, 1,
                       "without the carry it would look like the app's")
        XCTAssertEqual(second.unseenObserverScans(10 + carried), 0)
    }

    func testCarryIsBoundedAndNeedsCommandstats() {
        let rates = InfoRates.between(info(scan: 100, del: nil, commands: 1_000, at: 0), info(scan: 105, del: nil, commands: 1_100, at: 1))
        XCTAssertEqual(rates.unseenObserverScans(5), 0)
        XCTAssertEqual(rates.unseenObserverScans(3), 0, "the app ran the other two")
        XCTAssertEqual(rates.unseenObserverScans(7), 2)
        XCTAssertEqual(rates.unseenObserverScans(500), InfoRates.maximumCarriedObserverScans, "booked but never run: not carried forever")
        let unknown = InfoRates.between(info(scan: nil, del: nil, commands: 1, at: 0, commandstats: false),
                                        info(scan: nil, del: nil, commands: 9, at: 1, commandstats: false))
        XCTAssertEqual(unknown.unseenObserverScans(5), 0)
    }

    // MARK: - JSON

    func testMetricsEndWithAppScanAndDelRates() {
        let latest = info(scan: 160, del: 710, commands: 2_000, at: 2)
        let rates = observed().excludingObserver(commands: 50, scans: 20, keyspaceHits: 0, keyspaceMisses: 0)
        let document = SnapshotDocument(takenAt: t0, target: TargetDescription(address: "h:1", db: 0), info: latest, rates: rates,
                                        pingMilliseconds: 0.2, census: nil, logs: nil, redisError: nil)
        guard case let .object(pairs)? = document.json["metrics"] else { return XCTFail("metrics is not an object") }
        XCTAssertEqual(pairs.suffix(4).map(\.0), ["ping_ms", "app_scan_per_second", "del_per_second", "other_cachewatch"])
        XCTAssertEqual(document.json["metrics"]?["app_scan_per_second"], .double(20))
        XCTAssertEqual(document.json["metrics"]?["del_per_second"], .double(350))
        XCTAssertTrue(document.json.serialized().contains(#""ping_ms":0.2,"app_scan_per_second":20,"del_per_second":350,"other_cachewatch":null}"#),
                      document.json.serialized())
    }

    func testUnknownRatesAreNull() {
        let latest = info(scan: 160, del: 710, commands: 2_000, at: 2, commandstats: false)
        let noStats = InfoRates.between(info(scan: nil, del: nil, commands: 10, at: 0, commandstats: false), latest)
        for rates in [nil, noStats] {
            let document = SnapshotDocument(takenAt: t0, target: TargetDescription(address: "h:1", db: 0), info: latest, rates: rates,
                                            pingMilliseconds: nil, census: nil, logs: nil, redisError: nil)
            XCTAssertEqual(document.json["metrics"]?["app_scan_per_second"], .null)
            XCTAssertEqual(document.json["metrics"]?["del_per_second"], .null)
        }
    }

    // MARK: - Finding

    private func rates(scanPerSecond: Double) -> InfoRates {
        InfoRates(intervalSeconds: 1, opsPerSecond: 1_000, hitsPerSecond: 0, missesPerSecond: 0, hitRatio: nil,
                  expiredKeysPerSecond: 0, evictedKeysPerSecond: 0, netInputBytesPerSecond: 0, netOutputBytesPerSecond: 0,
                  commandCallsPerSecond: ["scan": scanPerSecond, "del": 340], counterReset: false)
    }

    func testManyAppScansGiveOnePatternInvalidationFinding() {
        let findings = RateFindings.evaluate(rates: rates(scanPerSecond: 14.2))
        XCTAssertEqual(findings.count, 1)
        XCTAssertEqual(findings.first?.code, "pattern-invalidation")
        XCTAssertEqual(findings.first?.severity, .warn)
        XCTAssertNil(findings.first?.pattern, "keyspace-wide")
        XCTAssertEqual(findings.first?.message, "The app runs 14 SCAN/s (pattern invalidation): every write with "
                       + "pattern_to_invalidate_extra scans the keyspace; prefer narrow invalidation (guide: Anti-Patterns).")
        XCTAssertEqual(findings.first?.json["code"], .string("pattern-invalidation"))
    }

    func testFewOrUnknownScansGiveNoFinding() {
        XCTAssertEqual(RateFindings.defaultScanWarnPerSecond, 10)
        XCTAssertEqual(RateFindings.evaluate(rates: rates(scanPerSecond: 10)), [], "at the threshold: not above it")
        XCTAssertEqual(RateFindings.evaluate(rates: rates(scanPerSecond: 3.2)), [])
        XCTAssertEqual(RateFindings.evaluate(rates: rates(scanPerSecond: 0)), [])
        XCTAssertEqual(RateFindings.evaluate(rates: nil), [])
        var unknown = rates(scanPerSecond: 50)
        unknown.commandStatsKnown = false
        XCTAssertEqual(RateFindings.evaluate(rates: unknown), [])
    }

    func testThresholdIsAParameter() {
        let findings = RateFindings.evaluate(rates: rates(scanPerSecond: 3.24), scanWarnPerSecond: 2)
        XCTAssertEqual(findings.map(\.code), ["pattern-invalidation"])
        XCTAssertTrue(findings[0].message.hasPrefix("The app runs 3.2 SCAN/s"), findings[0].message)
        XCTAssertEqual(RateFindings.evaluate(rates: rates(scanPerSecond: 14), scanWarnPerSecond: 20), [])
    }

    func testOurOwnScansDoNotTriggerTheFinding() {
        // 60 SCANs in 2 s would be 30/s; all but 10 are ours, so the app runs 5/s: below the threshold.
        let app = observed().excludingObserver(commands: 50, scans: 50, keyspaceHits: 0, keyspaceMisses: 0)
        XCTAssertEqual(RateFindings.evaluate(rates: observed()).map(\.code), ["pattern-invalidation"])
        XCTAssertEqual(RateFindings.evaluate(rates: app), [])
    }
}
