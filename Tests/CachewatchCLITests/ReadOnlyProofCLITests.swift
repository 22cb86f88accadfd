import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TestSupport
import XCTest

/// Issue 8 §5: read-only, proven. Everything Redis counted in `INFO commandstats` while cachewatch ran (a full
/// `--memory` census, the dashboard with `F` and `m`, `watch`; the dashboard runs a minute) is on the README's command list; and a user with
/// exactly the README's least-privilege ACL line is denied nothing.
final class ReadOnlyProofCLITests: DashboardTestCase {
    /// The README next to the sources.
    private var readme: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return (try? String(contentsOf: url.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    }

    /// `Commands sent: `PING` `INFO` …` as commandstats names (`memory|usage`).
    private func readmeCommands() throws -> Set<String> {
        let line = try XCTUnwrap(readme.components(separatedBy: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("Commands sent:") },
                                 "README has no `Commands sent:` line")
        let names = line.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        XCTAssertGreaterThan(names.count, 5, line)
        return Set(names.map { $0.lowercased().replacingOccurrences(of: " ", with: "|") })
    }

    /// The README's `ACL SETUSER cachewatch …` line.
    private func readmeACLLine() throws -> String {
        try XCTUnwrap(readme.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("ACL SETUSER cachewatch ") }, "README has no ACL SETUSER line")
    }

    private func commandStats() -> [String: Int] {
        var calls: [String: Int] = [:]
        for line in redis.redisCLI(["INFO", "commandstats"]).components(separatedBy: .newlines) where line.hasPrefix("cmdstat_") {
            let parts = line.dropFirst("cmdstat_".count).split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let field = parts[1].split(separator: ",").first, field.hasPrefix("calls="),
                  let count = Int(field.dropFirst("calls=".count)) else { continue }
            calls[String(parts[0])] = count
        }
        return calls
    }

    private func seed() {
        var commands: [[String]] = (1...300).map { ["SET", "widget:\($0)", "{\"id\":\($0)}", "EX", "900"] }
        commands += (1...50).map { ["SET", "neg:\($0)", "__NOT_FOUND__", "EX", "600"] }
        commands += (1...20).map { ["HSET", "cart:\($0):items", "sku", "1"] }
        commands += [["SELECT", "1"], ["SET", "other", "0"]]
        XCTAssertTrue(redis.pipe(commands).contains("errors: 0"))
    }

    func testEverythingSentIsOnTheREADMEList() throws {
        let allowed = try readmeCommands()
        seed()
        XCTAssertEqual(redis.redisCLI(["CONFIG", "RESETSTAT"]), "OK")
        let port = String(redis.port)

        let full = try CLIRunner.run(["snapshot", "--json", "--full", "--memory", "--interval", "0.2s", "-p", port])
        XCTAssertEqual(full.status, 0, full.stderr)
        let budgeted = try CLIRunner.run(["snapshot", "--json", "--memory", "--interval", "0.3s", "-p", port, "-n", "1"])
        XCTAssertEqual(budgeted.status, 0, budgeted.stderr)
        // Several databases (issue 10): a full census of every DB, each on its own connection.
        let databases = try CLIRunner.run(["snapshot", "--json", "--full", "--memory", "--interval", "0.2s", "-p", port, "-n", "all"])
        XCTAssertEqual(databases.status, 0, databases.stderr)
        XCTAssertEqual((try parseJSONObject(databases.stdout)["censuses"] as? [[String: Any]])?.count, 2, "db0 and db1")

        let watch = try StreamingCLIProcess(["watch", "--json", "--interval", "0.3s", "--memory", "-p", port])
        defer { watch.send(SIGKILL); _ = watch.waitForExit(timeoutSeconds: 5) }
        XCTAssertNotNil(watch.waitForDocument(timeoutSeconds: 20) { (($0["census"] as? [String: Any])?["complete"] as? Bool) == true })

        // The dashboard (beside the watch: CLIENT LIST sees it), with a full census and memory sampling.
        let session = try launchDashboard(withLog: false)
        let dashboardStarted = Date()
        _ = session.waitFor(timeoutSeconds: 20) { $0.contains("widget:{id}") }
        session.send("F")
        _ = session.waitFor(timeoutSeconds: 10) { $0.contains("complete") }
        session.send("Enter")
        session.send("m")
        // A dashboard minute (issue 8 §5): polls, CLIENT LIST, the steady-state refresh and memory sampling go on.
        Thread.sleep(forTimeInterval: max(3, 60 - Date().timeIntervalSince(dashboardStarted)))
        XCTAssertTrue(session.capture().contains("widget:{id}"), "the dashboard is still drawing after a minute")
        session.send("q")
        assertTerminalRestored(session, status: 0)
        watch.send(SIGTERM)
        XCTAssertEqual(watch.waitForExit(timeoutSeconds: 10), 0)

        let used = commandStats()
        for expected in ["scan", "type", "pttl", "strlen", "memory|usage", "dbsize", "client|list", "client|setname", "select"] {
            XCTAssertNotNil(used[expected], "\(expected) was expected to be sent: \(used)")
        }
        // The test's own redis-cli calls since RESETSTAT: CONFIG RESETSTAT itself, and INFO (on the list anyway).
        let outside = used.keys.filter { !allowed.contains($0) && $0 != "config|resetstat" }.sorted()
        XCTAssertEqual(outside, [], "sent but not in the README's list: \(used)")
        XCTAssertEqual(redis.redisCLI(["DBSIZE"]), "370", "the keyspace is untouched")
    }

    func testLeastPrivilegeUserIsDeniedNothing() throws {
        seed()
        var rule = try readmeACLLine().replacingOccurrences(of: ">CHANGE-ME", with: ">cw-secret")
        // The harness creates the user (cachewatch never sends ACL). Before Redis 7.2 the README says to leave out
        // +client|no-touch, which that server does not know.
        var reply = redis.redisCLI(rule.components(separatedBy: " "))
        if reply.contains("client|no-touch") {
            rule = rule.replacingOccurrences(of: " +client|no-touch", with: "")
            reply = redis.redisCLI(rule.components(separatedBy: " "))
        }
        XCTAssertEqual(reply, "OK", rule)
        let credentials = ["--user", "cachewatch", "-a", "cw-secret", "--no-auth-warning", "-p", String(redis.port)]

        let full = try CLIRunner.run(["snapshot", "--json", "--full", "--memory", "--interval", "0.2s", "-n", "1"] + credentials)
        XCTAssertEqual(full.status, 0, full.stderr)
        let databases = try CLIRunner.run(["snapshot", "--json", "--full", "--memory", "--interval", "0.2s", "-n", "0,1"] + credentials)
        XCTAssertEqual(databases.status, 0, databases.stderr)
        XCTAssertEqual((try parseJSONObject(databases.stdout)["censuses"] as? [[String: Any]])?.compactMap { $0["notes"] as? [String] }, [[], []],
                       "nothing denied in either database")
        let document = try parseJSONObject(full.stdout)
        XCTAssertNil(document["error"], "\(document["error"] ?? "")")
        XCTAssertTrue(document["metrics"] is [String: Any], "INFO allowed")
        XCTAssertEqual((document["metrics"] as? [String: Any])?["other_cachewatch"] as? Int, 0, "CLIENT LIST allowed")
        let census = try XCTUnwrap(document["census"] as? [String: Any])
        XCTAssertEqual(census["complete"] as? Bool, true)
        XCTAssertEqual(census["notes"] as? [String], [], "nothing denied")

        let watch = try StreamingCLIProcess(["watch", "--json", "--interval", "0.3s", "--memory"] + credentials)
        defer { watch.send(SIGKILL); _ = watch.waitForExit(timeoutSeconds: 5) }
        let complete = watch.waitForDocument(timeoutSeconds: 20) { (($0["census"] as? [String: Any])?["complete"] as? Bool) == true }
        XCTAssertNotNil(complete)
        XCTAssertNil(complete?.redisError)
        XCTAssertEqual((complete?["census"] as? [String: Any])?["notes"] as? [String], [])
        XCTAssertEqual(redis.redisCLI(["ACL", "LOG"]), "", "nothing was denied (ACL LOG is empty)")
    }
}
