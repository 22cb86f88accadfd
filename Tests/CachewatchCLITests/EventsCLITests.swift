import Foundation
import TestSupport
import XCTest

/// The timeline from a real private redis-server: `watch --json` documents carry `events` for a restart, the
/// outage around it, a CONFIG SET maxmemory, and a FLUSHDB; `snapshot --log` carries the fail-open transitions
/// its backfill saw.
final class EventsCLITests: RedisCLITestCase {
    override func setUpWithError() throws {
        try startServer(.init(extraConfig: ["enable-debug-command yes"]), seed: RedisServerFixture.widgets(200))
    }

    /// A POSIX-locale formatter of `format` in UTC (the logs these tests write are read with `--log-tz UTC`).
    private func utcFormatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.dateFormat = format
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }

    private func kinds(_ document: [String: Any]) -> [String] {
        (document["events"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
    }

    func testWatchDocumentsCarryTheTimeline() throws {
        let process = try launch(["watch", "--json", "--interval", "0.3s", "--no-census", "-p", String(server.port)])
        let first = process.waitForDocument(timeoutSeconds: 20) { $0.redisError == nil && $0["server"] is [String: Any] }
        XCTAssertNotNil(first, "connected first")
        XCTAssertEqual(first.map(kinds), [], "a calm start has no events")
        XCTAssertNotNil(first?["events"] as? [Any], "events is always written by watch")

        _ = server.redisCLI(["CONFIG", "SET", "maxmemory", "64mb"])
        let configured = process.waitForDocument(after: process.lines.count, timeoutSeconds: 20) { self.kinds($0).contains("config-change") }
        XCTAssertNotNil(configured, "CONFIG SET maxmemory is an event")

        // A stall: PING answers after ~0.6 s against a median well under a millisecond.
        Thread.sleep(forTimeInterval: 2)
        _ = server.redisCLI(["DEBUG", "SLEEP", "0.6"])
        let spiked = process.waitForDocument(after: process.lines.count, timeoutSeconds: 20) { self.kinds($0).contains("latency-spike") }
        XCTAssertNotNil(spiked, "DEBUG SLEEP is a latency spike")

        _ = server.redisCLI(["FLUSHDB"])
        let dropped = process.waitForDocument(after: process.lines.count, timeoutSeconds: 20) { self.kinds($0).contains("keyspace-drop") }
        let drop = (dropped?["events"] as? [[String: Any]])?.first { $0["kind"] as? String == "keyspace-drop" }
        XCTAssertEqual((drop?["evidence"] as? [String: Any])?["keys_before"] as? Int, 200)
        XCTAssertEqual((drop?["evidence"] as? [String: Any])?["keys_after"] as? Int, 0)

        server.kill()
        XCTAssertNotNil(process.waitForDocument(after: process.lines.count, timeoutSeconds: 20) { self.kinds($0).contains("connection-lost") })
        try server.start()
        let back = process.waitForDocument(after: process.lines.count, timeoutSeconds: 30) {
            self.kinds($0).contains("connection-restored") && self.kinds($0).contains("restart")
        }
        XCTAssertNotNil(back, "the outage ends with connection-restored, and the new run_id is a restart")
        // Newest first: the restore and restart come before the CONFIG SET (the restarted server forgot it: another
        // config-change, maxmemory back to 0, is the newest).
        let order = back.map(kinds) ?? []
        if let restored = order.firstIndex(of: "connection-restored"), let config = order.lastIndex(of: "config-change") {
            XCTAssertLessThan(restored, config, "\(order)")
        }
        process.send(SIGTERM)
        XCTAssertEqual(process.waitForExit(timeoutSeconds: 10), 0)
    }

    /// FLUSHDB with the census on: the drop is an event at once, and once the next complete pass is in (a pass starts
    /// early when the keyspace moved), the event names the families that shrank.
    func testFlushDBNamesTheFamiliesThatShrank() throws {
        server.pipe((1...50).map { ["SET", "session:\($0)", "x", "EX", "600"] })
        let process = try launch(["watch", "--json", "--interval", "0.3s", "-p", String(server.port)])
        XCTAssertNotNil(process.waitForDocument(timeoutSeconds: 30) { ($0["census"] as? [String: Any])?["complete"] as? Bool == true },
                        "a complete census first")
        _ = server.redisCLI(["FLUSHDB"])
        let named = process.waitForDocument(after: process.lines.count, timeoutSeconds: 60) { document in
            (document["events"] as? [[String: Any]] ?? []).contains {
                $0["kind"] as? String == "keyspace-drop" && ($0["evidence"] as? [String: Any])?["families"] != nil
            }
        }
        let drop = (named?["events"] as? [[String: Any]])?.first { $0["kind"] as? String == "keyspace-drop" }
        let families = ((drop?["evidence"] as? [String: Any])?["families"] as? [[String: Any]] ?? []).compactMap { $0["pattern"] as? String }
        XCTAssertEqual(Set(families), ["widget:{id}", "session:{id}"], "\(drop ?? [:])")
        XCTAssertTrue((drop?["message"] as? String ?? "").contains("widget:{id} 200 -> 0"), "\(drop ?? [:])")
        process.send(SIGTERM)
        XCTAssertEqual(process.waitForExit(timeoutSeconds: 10), 0)
    }

    /// Several databases (`-n 0,1,3`): a FLUSHDB of DB 1 is a drop that names DB 1's families (`db1 …`) once DB 1's next
    /// complete pass is in, even when another database passes first.
    func testFlushDBOfOneOfSeveralDatabasesNamesItsFamilies() throws {
        server.pipe([["SELECT", "1"]] + (1...300).map { ["SET", "ratelimit:\($0):/api/v1/widgets", "3", "EX", "600"] }
                    + [["SELECT", "3"], ["LPUSH", "taskiq", "job-1"]])
        let process = try launch(["watch", "--json", "--interval", "0.3s", "-n", "0,1,3", "-p", String(server.port)])
        let complete = process.waitForDocument(timeoutSeconds: 30) { document in
            let censuses = document["censuses"] as? [[String: Any]] ?? []
            return censuses.count == 3 && censuses.allSatisfy { $0["complete"] as? Bool == true }
        }
        XCTAssertNotNil(complete, "every database censused first; stderr: \(process.stderr)")
        _ = server.redisCLI(["-n", "1", "FLUSHDB"])
        let named = process.waitForDocument(after: process.lines.count, timeoutSeconds: 60) { document in
            (document["events"] as? [[String: Any]] ?? []).contains {
                $0["kind"] as? String == "keyspace-drop" && ($0["evidence"] as? [String: Any])?["families"] != nil
            }
        }
        let drop = (named?["events"] as? [[String: Any]])?.first { $0["kind"] as? String == "keyspace-drop" }
        let families = ((drop?["evidence"] as? [String: Any])?["families"] as? [[String: Any]] ?? []).compactMap { $0["pattern"] as? String }
        XCTAssertEqual(families, ["db1 ratelimit:{id}:/api/v1/widgets"], "\(drop ?? [:]); stderr: \(process.stderr)")
        XCTAssertTrue((drop?["message"] as? String ?? "").contains("db1 ratelimit:{id}:/api/v1/widgets 300 -> 0"), "\(drop ?? [:])")
        process.send(SIGTERM)
        XCTAssertEqual(process.waitForExit(timeoutSeconds: 10), 0)
    }

    /// A uvicorn startup line appended to the followed log while `watch` runs is a `deploy` at the line's time.
    func testALiveStartupLineIsADeploy() throws {
        let directory = try TempDirectory("live-deploy")
        defer { directory.cleanup() }
        let log = directory.file("app.log")
        try Data("2026-11-29 10:00:00 [    INFO] src.app.main: GET /api/v1/widgets 200\n".utf8).write(to: URL(fileURLWithPath: log))
        let process = try launch(["watch", "--json", "--interval", "0.3s", "--no-census", "-p", String(server.port),
                                  "--log", log, "--log-tz", "UTC"])
        XCTAssertNotNil(process.waitForDocument(timeoutSeconds: 20) { $0["server"] is [String: Any] })
        let formatter = utcFormatter("yyyy-MM-dd HH:mm:ss")
        let now = formatter.string(from: Date())
        try append("\(now) [    INFO] uvicorn.error: Started server process [4242]\n", to: log)
        let deployed = process.waitForDocument(after: process.lines.count, timeoutSeconds: 20) { self.kinds($0).contains("deploy") }
        let deploy = (deployed?["events"] as? [[String: Any]])?.first { $0["kind"] as? String == "deploy" }
        XCTAssertTrue(((deploy?["evidence"] as? [String: Any])?["first_line"] as? String ?? "").contains("Started server process [4242]"),
                      "\(deploy ?? [:])")
        XCTAssertEqual((deploy?["at"] as? String)?.prefix(19), now.replacingOccurrences(of: " ", with: "T").prefix(19))
        process.send(SIGTERM)
        XCTAssertEqual(process.waitForExit(timeoutSeconds: 10), 0)
    }

    func testSnapshotCarriesFailOpenTransitionsFromTheBackfill() throws {
        let directory = try TempDirectory("events")
        defer { directory.cleanup() }
        let log = directory.file("app.log")
        let formatter = utcFormatter("yyyy-MM-dd HH:mm:ss")
        var text = ""
        let start = Date().addingTimeInterval(-45)
        for i in 0..<80 {
            let at = formatter.string(from: start.addingTimeInterval(Double(i) * 0.5))
            text += "\(at) [ WARNING] src.infrastructure.cache.decorator: Cache backend not available: Error 111 connecting.\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: log))
        let result = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "0.2s", "-p", String(server.port),
                                        "--log", log, "--log-tz", "UTC"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let document = try parseJSONObject(result.stdout)
        let events = document["events"] as? [[String: Any]] ?? []
        let failOpen = events.filter { $0["kind"] as? String == "fail-open" }
        XCTAssertFalse(failOpen.isEmpty, "the burst crossed the thresholds: \(events)")
        XCTAssertTrue(failOpen.contains { ($0["evidence"] as? [String: Any])?["to"] as? String == "crit" }, "\(failOpen)")
        for event in events { XCTAssertEqual(Array((event as NSDictionary).allKeys as? [String] ?? []).sorted(), ["at", "evidence", "kind", "message", "severity"]) }
    }

    /// A burst of uvicorn startup lines from 4 workers (each writes `Started server process [pid]` and
    /// `Application startup complete.`) is one `deploy` event; `[logs] deploy_patterns` narrows what counts.
    func testSnapshotCarriesADeployBurstFromTheBackfill() throws {
        let directory = try TempDirectory("deploy")
        defer { directory.cleanup() }
        let log = directory.file("app.log")
        let formatter = utcFormatter("yyyy-MM-dd HH:mm:ss")
        let start = Date().addingTimeInterval(-120)
        var text = "\(formatter.string(from: start)) [    INFO] src.app.main: GET /api/v1/widgets 200\n"
        for worker in 0..<4 {
            let at = formatter.string(from: start.addingTimeInterval(10 + Double(worker)))
            text += "\(at) [    INFO] uvicorn.error: Started server process [\(4100 + worker)]\n"
            text += "\(at) [    INFO] uvicorn.error: Waiting for application startup.\n"
            text += "\(at) [    INFO] uvicorn.error: Application startup complete.\n"
        }
        text += "INFO:     Application startup complete.\n"    // plain, read in the backfill: no time, not counted
        text += "\(formatter.string(from: start.addingTimeInterval(30))) [    INFO] src.app.main: GET /api/v1/widgets 200\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: log))
        let config = directory.file("config.toml")

        for (patterns, expectedLines) in [(nil, 8), (["Application startup complete."], 4)] as [([String]?, Int)] {
            let configText = patterns.map { "[logs]\ndeploy_patterns = [" + $0.map { "\"\($0)\"" }.joined(separator: ", ") + "]\n" } ?? ""
            try Data(configText.utf8).write(to: URL(fileURLWithPath: config))
            let result = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "0.2s", "-p", String(server.port),
                                            "--log", log, "--log-tz", "UTC", "--config", config])
            XCTAssertEqual(result.status, 0, result.stderr)
            let document = try parseJSONObject(result.stdout)
            let deploys = (document["events"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "deploy" }
            XCTAssertEqual(deploys.count, 1, "one burst, one deploy: \(deploys)")
            let evidence = deploys.first?["evidence"] as? [String: Any]
            XCTAssertEqual(evidence?["lines"] as? Int, expectedLines, "\(deploys)")
            XCTAssertEqual(deploys.first?["severity"] as? String, "ok")
            let iso = utcFormatter("yyyy-MM-dd'T'HH:mm:ss")
            let firstAt = iso.string(from: start.addingTimeInterval(10))
            XCTAssertTrue((deploys.first?["at"] as? String ?? "").hasPrefix(firstAt), "the first startup line's time: \(deploys)")
            let first = evidence?["first_line"] as? String ?? ""
            XCTAssertTrue(first.contains(patterns == nil ? "Started server process [4100]" : "Application startup complete."), first)
            let deployLines = (document["logs"] as? [String: Any])?["deploy_lines"] as? [String: Any]
            XCTAssertEqual(deployLines?["total"] as? Int, expectedLines)
            XCTAssertEqual((deployLines?["recent"] as? [Any])?.count, expectedLines)
        }
    }
}
