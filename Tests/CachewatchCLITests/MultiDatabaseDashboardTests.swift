import Foundation
import TestSupport
import XCTest

/// Issue 10, several databases in the dashboard: `-n 0,1,3` shows every DB's families as `db1 ratelimit:{id}:…` rows,
/// the header names the databases its key count is summed over, and `-n 0` keeps the one-DB screen.
final class MultiDatabaseDashboardTests: DashboardTestCase {
    private func seedDatabases() {
        seedFamilies()   // db0: widget:{id} (30), cart:{id}:items (20)
        var commands: [[String]] = [["SELECT", "1"]]
        for id in 1...25 { commands.append(["SET", "ratelimit:\(id):/api/v1/widgets", "3", "EX", String(30 + id)]) }
        commands.append(["SELECT", "3"])
        commands.append(["LPUSH", "taskiq", "job-1"])
        XCTAssertTrue(redis.pipe(commands).contains("errors: 0"), "seeding failed")
    }

    func testListShowsDatabaseRowsAndSummedKeys() throws {
        seedDatabases()
        let session = try launchDashboard(width: 80, height: 24, arguments: ["-n", "0,1,3"], withLog: false)
        let screen = session.waitFor(timeoutSeconds: 20) {
            $0.contains("db1 ratelimit:{id}:") && $0.contains("db0 widget:{id}") && $0.contains("db0 cart:{id}:items") && $0.contains("db3 taskiq")
        }
        XCTAssertTrue(screen.contains("db1 ratelimit:{id}:"), "no db1 row:\n\(screen)\n\(stderrLog())")
        let lines = screen.components(separatedBy: "\n")
        let header = lines.first { $0.contains("cachewatch ") } ?? ""
        XCTAssertTrue(header.contains("127.0.0.1:\(redis.port)/0,1,3"), "the header names the databases: \(header)")
        // keys: INFO keyspace summed over db0, db1, db3 (30 + 20 + 25 + 1).
        XCTAssertTrue(screen.contains("keys 76"), "summed keys:\n\(screen)")
        let ratelimit = lines.first { $0.contains("db1 ratelimit:{id}:") } ?? ""
        XCTAssertTrue(ratelimit.split(separator: " ").contains("25"), "25 keys in db1: \(ratelimit)")
        session.send("q")
        assertTerminalRestored(session)
    }

    func testSingleDatabaseKeepsItsScreen() throws {
        seedDatabases()
        let session = try launchDashboard(width: 80, height: 24, arguments: ["-n", "0"], withLog: false)
        let screen = session.waitFor(timeoutSeconds: 20) { $0.contains("widget:{id}") && $0.contains("cart:{id}:items") }
        XCTAssertTrue(screen.contains("widget:{id}"), screen)
        XCTAssertFalse(screen.contains("db0 "), "one DB: no dbN prefix:\n\(screen)")
        XCTAssertFalse(screen.contains("ratelimit"), screen)
        XCTAssertTrue(screen.contains("keys 50"), "db0's keys only:\n\(screen)")
        session.send("q")
        assertTerminalRestored(session)
    }

    /// `F` walks every database to the end at once (the slow budgeted walk does not take over again before).
    func testFullCensusCompletesEveryDatabase() throws {
        seedDatabases()
        let session = try launchDashboard(width: 80, height: 24, arguments: ["-n", "0,1,3", "--scan-budget", "10"], withLog: false)
        let partial = session.waitFor(timeoutSeconds: 20) { $0.contains("db0 widget:{id}") }
        XCTAssertTrue(partial.contains("db0 widget:{id}"), partial)
        XCTAssertFalse(partial.contains("complete"), "3 keys/s per DB: no pass complete yet:\n\(partial)")
        session.send("F")
        let complete = session.waitFor(timeoutSeconds: 10) { $0.contains("complete") && $0.contains("db1 ratelimit:{id}:") && $0.contains("db3 taskiq") }
        XCTAssertTrue(complete.contains("complete"), "F did not complete every database:\n\(complete)")
        let title = complete.components(separatedBy: "\n").first { $0.contains("Families") } ?? ""
        XCTAssertTrue(title.contains("76 keys"), title)
        // F again after a complete picture: a fresh full pass (not the budgeted census waiting for its refresh).
        XCTAssertTrue(redis.pipe([["SELECT", "1"]] + (26...55).map { ["SET", "ratelimit:\($0):/api/v1/widgets", "3", "EX", "600"] })
            .contains("errors: 0"))
        Thread.sleep(forTimeInterval: 1.5)   // the next F after the notice of the first one
        session.send("F")
        let again = session.waitFor(timeoutSeconds: 6) { $0.contains("106 keys") }
        XCTAssertTrue(again.contains("106 keys"), "the second F did not walk again:\n\(again)")
        session.send("q")
        assertTerminalRestored(session)
    }

}
