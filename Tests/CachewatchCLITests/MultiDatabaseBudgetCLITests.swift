import Foundation
import TestSupport
import XCTest

/// Issue 10, several databases: each database is censused on its own connection (`CLIENT LIST` shows one per DB), and
/// together they stay within the one `--scan-budget` (the server's TYPE calls), not N times it.
final class MultiDatabaseBudgetCLITests: RedisCLITestCase {
    override func setUpWithError() throws {
        var commands: [[String]] = []
        for db in 0...2 {
            commands.append(["SELECT", String(db)])
            commands += (1...3000).map { ["SET", "widget:\(db):\($0)", "x", "EX", String(3600 + $0)] }
        }
        try startServer(seed: commands)
    }

    func testEachDatabaseOnItsOwnConnectionWithinOneBudget() throws {
        let budget = 300
        let process = try launch(["watch", "--json", "--interval", "0.5s", "--scan-budget", String(budget),
                                  "-p", String(server.port), "-n", "0,1,2"])
        XCTAssertNotNil(process.waitForDocument(timeoutSeconds: 20) { document in
            (document["censuses"] as? [[String: Any]] ?? []).filter { ($0["scanned_keys"] as? Int ?? 0) > 0 }.count == 3
        }, "every database's census under way")
        // One connection per database (SELECTed once), named cachewatch.
        let clients = server.redisCLI(["CLIENT", "LIST"]).components(separatedBy: .newlines).filter { $0.contains(" name=cachewatch ") }
        let databases = Set(clients.compactMap { line in line.split(separator: " ").first { $0.hasPrefix("db=") }.flatMap { Int($0.dropFirst(3)) } })
        XCTAssertTrue(databases.isSuperset(of: [0, 1, 2]), "census connections per DB: \(clients)")

        XCTAssertEqual(server.redisCLI(["CONFIG", "RESETSTAT"]), "OK")
        let started = Date()
        Thread.sleep(forTimeInterval: 4)
        let calls = server.commandCalls(["type"])
        let seconds = Date().timeIntervalSince(started)
        // The three runners share 300 keys/s (100 each): about 1200 in 4 s; three full budgets would be 3600.
        XCTAssertLessThanOrEqual(Double(calls), Double(budget) * seconds * 1.25 + 100, "TYPE calls in \(seconds) s")
        XCTAssertGreaterThan(calls, 0)
    }
}
