import Foundation
import TestSupport
import XCTest

/// Issue 10, several databases: the boilerplate's cache in DB 0, its rate limiter in DB 1 and Taskiq in DB 3, on one
/// private redis-server; `-n 0,1,3` and `-n all` through `snapshot`, `watch` and `check`.
final class MultiDatabaseCLITests: XCTestCase {
    private static let shared = SharedRedisServer()

    /// DB 0: cache shapes; DB 1: `ratelimit:{id}:{path}` counters (EX 60); DB 3: a Taskiq queue list and result keys.
    override class func setUp() {
        super.setUp()
        guard let server = shared.start() else { return }
        var commands: [[String]] = []
        for id in 1...40 { commands.append(["SET", "widget:\(id)", "{\"id\":\(id)}", "EX", String(3000 + id * 13)]) }
        for user in 1...5 { for page in 1...4 { commands.append(["SET", "user_\(user)_widgets:page_\(page):size_10:\(user)", "[1]", "EX", String(100 + user * 37 + page * 11)]) } }
        for id in 1...10 { commands.append(["SET", "session:\(UUID().uuidString.lowercased())", "{\"uid\":1}", "EX", String(80000 + id * 97)]) }
        commands.append(["SELECT", "1"])
        for id in 1...30 { commands.append(["SET", "ratelimit:\(id):/api/v1/widgets", "3", "EX", String(600 + id * 3)]) }
        commands.append(["SELECT", "3"])
        commands.append(["LPUSH", "taskiq", "job-1", "job-2"])
        for id in 1...12 { commands.append(["SET", UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""), "{\"return_value\":1}", "EX", String(600 + id * 41)]) }
        _ = server.pipe(commands)
    }

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    private var server: RedisServerFixture { get throws { try Self.shared.server } }

    private func dbsize(_ db: Int) throws -> Int {
        let text = try server.redisCLI(["-n", String(db), "DBSIZE"]).trimmingCharacters(in: .whitespacesAndNewlines)
        return try XCTUnwrap(Int(text), "DBSIZE of db\(db): \(text)")
    }

    private func snapshot(_ extra: [String]) throws -> (CLIRunner.Result, [String: Any]) {
        let result = try CLIRunner.run(["snapshot", "--json", "--full", "--interval", "0.1s", "-p", String(server.port)] + extra, timeoutSeconds: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        return (result, try parseJSONObject(result.stdout))
    }

    // MARK: - snapshot

    func testListCensusesEachDatabaseExactlyInOrder() throws {
        let (result, document) = try snapshot(["-n", "0,1,3"])
        let censuses = try XCTUnwrap(document["censuses"] as? [[String: Any]], "censuses present")
        XCTAssertEqual(censuses.map { $0["db"] as? Int }, [0, 1, 3])
        for census in censuses {
            let db = try XCTUnwrap(census["db"] as? Int)
            XCTAssertEqual(census["complete"] as? Bool, true)
            XCTAssertEqual(census["scanned_keys"] as? Int, try dbsize(db), "db\(db): census total = DBSIZE")
            XCTAssertEqual(census["estimated_keys"] as? Int, try dbsize(db))
        }
        let patterns = { (index: Int) in (censuses[index]["families"] as? [[String: Any]] ?? []).compactMap { $0["pattern"] as? String } }
        XCTAssertTrue(patterns(0).contains("widget:{id}"), "\(patterns(0))")
        XCTAssertTrue(patterns(1).contains { $0.hasPrefix("ratelimit:{id}:") }, "\(patterns(1))")
        XCTAssertFalse(patterns(1).contains("widget:{id}"), "families are per DB")
        XCTAssertEqual((censuses[1]["families"] as? [[String: Any]])?.first?["keys"] as? Int, 30)
        // `census` stays, equal to the first DB's; `censuses` is added last; the field order of the rest is unchanged.
        let ordered = try OrderedJSON.parse(result.stdout)
        XCTAssertEqual(ordered["census"], ordered["censuses"]?.elements.first)
        XCTAssertEqual(ordered.keys.last, "censuses")
        XCTAssertEqual(Array(ordered.keys.prefix(7)), ["schema", "taken_at", "target", "server", "metrics", "keyspace", "census"])
        XCTAssertEqual((document["target"] as? [String: Any])?["db"] as? Int, 0)
        // metrics: INFO keyspace summed over the watched databases, added last.
        let metrics = try XCTUnwrap(document["metrics"] as? [String: Any])
        XCTAssertEqual(metrics["watched_keys"] as? Int, try dbsize(0) + dbsize(1) + dbsize(3))
        XCTAssertEqual(metrics["watched_expires"] as? Int, try dbsize(0) + dbsize(1) + dbsize(3) - 1, "all but the Taskiq list have a TTL")
        XCTAssertEqual(ordered["metrics"]?.keys.suffix(3), ["other_cachewatch", "watched_keys", "watched_expires"])
        // Findings per database: the Taskiq list has no TTL (db3), each family finding names its DB.
        let findings = try XCTUnwrap(document["findings"] as? [[String: Any]])
        let noTTL = findings.filter { $0["code"] as? String == "no-ttl" }
        XCTAssertEqual(noTTL.compactMap { $0["db"] as? Int }, [3], "\(findings)")
        XCTAssertEqual(noTTL.first?["pattern"] as? String, "taskiq")
        XCTAssertTrue((noTTL.first?["message"] as? String)?.hasPrefix("db3: ") == true)
    }

    func testAllFindsExactlyTheNonEmptyDatabases() throws {
        let (_, document) = try snapshot(["-n", "all"])
        let censuses = try XCTUnwrap(document["censuses"] as? [[String: Any]])
        XCTAssertEqual(censuses.map { $0["db"] as? Int }, [0, 1, 3])
        XCTAssertEqual(censuses.compactMap { $0["scanned_keys"] as? Int }, [try dbsize(0), try dbsize(1), try dbsize(3)])
        // The budgeted sample too (each DB on its own connection within the one budget).
        let budgeted = try CLIRunner.run(["snapshot", "--json", "--interval", "2s", "--scan-budget", "3000", "-p", String(server.port), "-n", "all"],
                                         timeoutSeconds: 60)
        XCTAssertEqual(budgeted.status, 0, budgeted.stderr)
        let sampled = try XCTUnwrap(try parseJSONObject(budgeted.stdout)["censuses"] as? [[String: Any]])
        XCTAssertEqual(sampled.map { $0["db"] as? Int }, [0, 1, 3])
    }

    func testSingleDatabaseIsUnchanged() throws {
        let (_, document) = try snapshot(["-n", "1"])
        XCTAssertNil(document["censuses"], "one DB: no censuses")
        let census = try XCTUnwrap(document["census"] as? [String: Any])
        XCTAssertEqual(census["db"] as? Int, 1)
        XCTAssertEqual(census["scanned_keys"] as? Int, try dbsize(1))
        let findings = try XCTUnwrap(document["findings"] as? [[String: Any]])
        XCTAssertFalse(findings.contains { $0["db"] != nil }, "no db on one DB's findings")
        // The text summary shows `dbN` rows with several databases.
        let text = try CLIRunner.run(["snapshot", "--full", "--interval", "0.1s", "-p", String(server.port), "-n", "0,1"], timeoutSeconds: 60)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("db1 ratelimit:{id}:"), text.stdout)
        XCTAssertTrue(text.stdout.contains("db0 widget:{id}"), text.stdout)
    }

    // MARK: - Errors

    func testBadDatabaseValuesGiveOneSentence() throws {
        let port = String(try server.port)
        for bad in ["0,,1", "x", "1,1", "-1", "0,all", "2147483648"] {
            let result = try CLIRunner.run(["snapshot", "--json", "-p", port, "--db=\(bad)"])
            assertOneSentenceError(result, expectedStatus: 64)
            XCTAssertTrue(result.stderr.contains("(from --db)"), "\(bad): \(result.stderr)")
        }
        let watch = try CLIRunner.run(["watch", "--json", "--count", "1", "-p", port, "--db", "0,x"])
        assertOneSentenceError(watch, expectedStatus: 64)
        // A database the server does not have, in a list: the same sentence as `-n 99`, before anything is printed.
        for command in [["snapshot", "--json"], ["watch", "--json", "--count", "1"]] {
            let missing = try CLIRunner.run(command + ["-p", port, "-n", "0,99"], timeoutSeconds: 30)
            assertOneSentenceError(missing, expectedStatus: 1)
            XCTAssertTrue(missing.stderr.contains("has no database 99"), missing.stderr)
        }
        // The config file: `file:line:` and exit 1.
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cw-multidb-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config.toml").path
        try "[connection]\ndb = \"0,x\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let badConfig = try CLIRunner.run(["snapshot", "--json", "-p", port, "--config", config])
        assertOneSentenceError(badConfig, expectedStatus: 1)
        XCTAssertTrue(badConfig.stderr.contains("config.toml:2: db must be"), badConfig.stderr)
        try "[connection]\ndb = [0, 1, 3]\n".write(toFile: config, atomically: true, encoding: .utf8)
        let goodConfig = try CLIRunner.run(["snapshot", "--json", "--full", "--interval", "0.1s", "-p", port, "--config", config], timeoutSeconds: 60)
        XCTAssertEqual(goodConfig.status, 0, goodConfig.stderr)
        XCTAssertEqual((try parseJSONObject(goodConfig.stdout)["censuses"] as? [[String: Any]])?.map { $0["db"] as? Int }, [0, 1, 3])
    }

    // MARK: - watch and check

    func testWatchCarriesCensusesAndAllPicksUpNewDatabases() throws {
        let server = try server
        let process = try StreamingCLIProcess(["watch", "--json", "--interval", "0.5s", "--scan-budget", "20000", "-p", String(server.port),
                                               "-n", "all"])
        defer { process.send(SIGTERM); _ = process.waitForExit(timeoutSeconds: 10) }
        let complete = process.waitForDocument(timeoutSeconds: 30) { document in
            let censuses = document["censuses"] as? [[String: Any]] ?? []
            return censuses.count == 3 && censuses.allSatisfy { $0["complete"] as? Bool == true }
        }
        let document = try XCTUnwrap(complete, "watch never carried three complete censuses")
        let censuses = try XCTUnwrap(document["censuses"] as? [[String: Any]])
        XCTAssertEqual(censuses.map { $0["db"] as? Int }, [0, 1, 3])
        XCTAssertEqual(censuses.compactMap { $0["scanned_keys"] as? Int }, [try dbsize(0), try dbsize(1), try dbsize(3)])
        XCTAssertEqual((document["census"] as? [String: Any])?["db"] as? Int, 0)
        XCTAssertEqual((document["census"] as? [String: Any])?["scanned_keys"] as? Int, try dbsize(0))
        // A database that appears later joins the census (INFO keyspace is re-read).
        _ = server.redisCLI(["-n", "5", "SET", "late:1", "x", "EX", "600"])
        defer { _ = server.redisCLI(["-n", "5", "FLUSHDB"]) }
        let joined = process.waitForDocument(timeoutSeconds: 30) { document in
            let censuses = document["censuses"] as? [[String: Any]] ?? []
            return censuses.contains { $0["db"] as? Int == 5 && $0["scanned_keys"] as? Int == 1 }
        }
        XCTAssertNotNil(joined, "db5 never joined the census")
        XCTAssertEqual((joined?["censuses"] as? [[String: Any]])?.map { $0["db"] as? Int }, [0, 1, 3, 5])
    }

    func testCheckJudgesEveryDatabase() throws {
        let port = String(try server.port)
        let result = try CLIRunner.run(["check", "--full", "--interval", "0.1s", "-p", port, "-n", "0,1,3"], timeoutSeconds: 60)
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("CACHEWATCH WARNING"), result.stdout)
        XCTAssertTrue(result.stdout.contains("no-ttl db3 taskiq"), result.stdout)
        XCTAssertTrue(result.stdout.contains(" keys=\(try dbsize(0) + dbsize(1) + dbsize(3));"), "perfdata keys of the watched DBs: \(result.stdout)")
        let json = try CLIRunner.run(["check", "--json", "--full", "--interval", "0.1s", "-p", port, "-n", "0,1,3"], timeoutSeconds: 60)
        let findings = try XCTUnwrap(try parseJSONObject(json.stdout)["findings"] as? [[String: Any]], json.stdout)
        XCTAssertTrue(findings.contains { $0["code"] as? String == "no-ttl" && $0["db"] as? Int == 3 && $0["pattern"] as? String == "taskiq" },
                      "\(findings)")
        // DB 0 alone: its findings only, without `db`.
        let cacheOnly = try CLIRunner.run(["check", "--full", "--interval", "0.1s", "-p", port, "-n", "0"], timeoutSeconds: 60)
        XCTAssertFalse(cacheOnly.stdout.contains("taskiq") || cacheOnly.stdout.contains("db0 "), cacheOnly.stdout)
    }

    func testRecordingKeepsCensuses() throws {
        let port = String(try server.port)
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cw-multidb-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("deploy.cwrec").path
        let record = try CLIRunner.run(["record", file, "--interval", "0.5s", "--count", "6", "--scan-budget", "20000", "-p", port, "-n", "0,1,3"],
                                       timeoutSeconds: 60)
        XCTAssertEqual(record.status, 0, record.stderr)
        let replay = try CLIRunner.run(["replay", file, "--json"])
        XCTAssertEqual(replay.status, 0, replay.stderr)
        let documents = try replay.stdout.split(separator: "\n").map { try parseJSONObject(String($0)) }
        XCTAssertEqual(documents.count, 6)
        for document in documents {
            XCTAssertEqual((document["censuses"] as? [[String: Any]])?.map { $0["db"] as? Int }, [0, 1, 3], "every entry has its censuses back")
            XCTAssertNil(document["censuses_ref"])
        }
        // The text summary names the databases.
        let text = try CLIRunner.run(["snapshot", "--full", "--interval", "0.1s", "-p", port, "-n", "0,1,3"], timeoutSeconds: 60)
        XCTAssertTrue(text.stdout.contains(" db0,1,3 "), text.stdout)
        XCTAssertTrue(text.stdout.contains("families in db0,1,3:"), text.stdout)
    }

}
