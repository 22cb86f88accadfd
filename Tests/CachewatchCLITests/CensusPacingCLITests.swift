import Foundation
import TestSupport
import XCTest

/// Steady-state pacing (issue 9 §1) seen from the server: after a complete pass, `watch` sends no more census
/// lookups within `--refresh`, and a keyspace that grew by more than 10 % gets one new pass early.
final class CensusPacingCLITests: RedisCLITestCase {
    override func setUpWithError() throws {
        try startServer(seed: RedisServerFixture.widgets(200))
    }

    /// `calls` of TYPE and PTTL in the server's `INFO commandstats`.
    private func lookupCalls() -> Int { server.commandCalls(["type", "pttl"]) }

    func testNoSecondPassWithinTheRefreshButOneAfterAKeyspaceChange() throws {
        let process = try launch(["watch", "--json", "--interval", "0.5s", "--refresh", "1h", "-p", String(server.port)])
        let first = process.waitForDocument(timeoutSeconds: 30) { self.census($0)?["complete"] as? Bool == true }
        XCTAssertEqual(first.flatMap { census($0)?["estimated_keys"] as? Int }, 200, "the first pass completes: \(process.stderr)")
        Thread.sleep(forTimeInterval: 1)
        let settled = lookupCalls()
        let waiting = process.waitForDocument(after: process.lines.count, timeoutSeconds: 10) { $0["census_freshness"] != nil }
        let freshness = waiting?["census_freshness"] as? [String: Any]
        XCTAssertGreaterThan(freshness?["next_pass_in_seconds"] as? Double ?? 0, 3000, "next pass about 1 h away: \(String(describing: freshness))")
        XCTAssertLessThan(freshness?["completed_seconds_ago"] as? Double ?? 99, 30)
        XCTAssertGreaterThanOrEqual(settled, 400, "the first pass read TYPE and PTTL of every key")
        Thread.sleep(forTimeInterval: 4)
        XCTAssertEqual(lookupCalls(), settled, "no census lookups between passes (--refresh 1h)")

        // +50 % keys: INFO keyspace moved by more than 10 %, so a pass starts early (10 s after the last one ended at the
        // earliest) and the picture shows the new keys.
        server.pipe((201...300).map { ["SET", "widget:\($0)", "x", "EX", "600"] })
        let lines = process.lines.count
        let refreshed = process.waitForDocument(after: lines, timeoutSeconds: 40) { self.census($0)?["estimated_keys"] as? Int == 300 }
        XCTAssertNotNil(refreshed, "a new pass after the keyspace grew by 50 %")
        XCTAssertGreaterThan(lookupCalls(), settled)
        XCTAssertEqual(refreshed.flatMap { census($0)?["complete"] as? Bool }, true)
        // One pass, then quiet again.
        Thread.sleep(forTimeInterval: 1)
        let after = lookupCalls()
        XCTAssertLessThanOrEqual(after - settled, 2 * 300 + 10, "one pass over 300 keys, not a continuous walk")
        Thread.sleep(forTimeInterval: 3)
        XCTAssertEqual(lookupCalls(), after, "quiet again after the early pass")
    }
}
