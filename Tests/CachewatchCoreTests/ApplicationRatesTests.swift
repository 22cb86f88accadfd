import CachewatchCore
import XCTest

/// The application's rates computed once for the dashboard, `watch` and `snapshot` (issue 8 §3): our own load left
/// out, what Redis had not counted yet carried over, and no rate across a restart (§7).
final class ApplicationRatesTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    private func info(runID: String = "a", uptime: Int, commands: Int, hits: Int, at seconds: Double) -> InfoSnapshot {
        let text = "# Server\r\nredis_version:7.0.15\r\nrun_id:\(runID)\r\nuptime_in_seconds:\(uptime)\r\n"
            + "# Stats\r\ntotal_commands_processed:\(commands)\r\nkeyspace_hits:\(hits)\r\nkeyspace_misses:0\r\n"
        return InfoSnapshot(text: text, takenAt: t0.addingTimeInterval(seconds))
    }

    func testOwnLoadIsLeftOut() throws {
        var rates = ApplicationRates()
        XCTAssertNil(rates.next(info(uptime: 10, commands: 1000, hits: 100, at: 0), load: ObserverLoad(commands: 10)).rates)
        // 1,000 commands in 1 s, 600 of them ours (a census), with 500 of the 700 hits.
        let (second, restarted) = rates.next(info(uptime: 11, commands: 2000, hits: 800, at: 1),
                                             load: ObserverLoad(commands: 610, keyspaceHits: 500))
        XCTAssertFalse(restarted)
        let app = try XCTUnwrap(second)
        XCTAssertEqual(app.opsPerSecond, 400, accuracy: 0.001)
        XCTAssertEqual(app.hitsPerSecond, 200, accuracy: 0.001)
    }

    func testLoadRedisHadNotCountedIsCarriedToTheNextInterval() throws {
        var rates = ApplicationRates()
        _ = rates.next(info(uptime: 10, commands: 1000, hits: 0, at: 0), load: ObserverLoad())
        // We booked 300 commands, Redis counted only 100 of them by this INFO: the idle app reads 0, not negative.
        let first = try XCTUnwrap(rates.next(info(uptime: 11, commands: 1100, hits: 0, at: 1), load: ObserverLoad(commands: 300)).rates)
        XCTAssertEqual(first.opsPerSecond, 0, accuracy: 0.001)
        // The other 200 show up in the next interval and are still ours.
        let second = try XCTUnwrap(rates.next(info(uptime: 12, commands: 1300, hits: 0, at: 2), load: ObserverLoad(commands: 300)).rates)
        XCTAssertEqual(second.opsPerSecond, 0, accuracy: 0.001)
    }

    func testARestartGivesNoRateAndSaysSo() {
        var rates = ApplicationRates()
        _ = rates.next(info(runID: "a", uptime: 500, commands: 90_000, hits: 0, at: 0), load: ObserverLoad())
        let byRunID = rates.next(info(runID: "b", uptime: 600, commands: 10, hits: 0, at: 1), load: ObserverLoad())
        XCTAssertTrue(byRunID.restarted)
        XCTAssertNil(byRunID.rates, "no rate across a restart")
        // The next interval on the new server is a normal one.
        XCTAssertNotNil(rates.next(info(runID: "b", uptime: 601, commands: 20, hits: 0, at: 2), load: ObserverLoad()).rates)
        // Uptime going back without a run_id (old servers, proxies) is a restart too.
        XCTAssertTrue(ApplicationRates.isRestart(from: info(runID: "", uptime: 50, commands: 0, hits: 0, at: 0),
                                                 to: info(runID: "", uptime: 3, commands: 0, hits: 0, at: 1)))
    }
}
