import Foundation
import TestSupport
import XCTest

/// `snapshot` and `watch` against a private memcached: the same document with `target.kind` = `memcached`,
/// an exact census from `lru_crawler metadump all`, and one-sentence degradation. (The class name contains
/// `SnapshotCLITests` so that filter runs it.)
final class MemcachedSnapshotCLITests: XCTestCase {
    private func startMemcached(_ arguments: [String] = []) throws -> MemcachedServerFixture {
        if !MemcachedServerFixture.isInstalled && !MemcachedServerFixture.mustExist {
            throw XCTSkip("memcached is not installed (run make deps)")
        }
        return try MemcachedServerFixture(extraArguments: arguments)
    }

    private func seed(_ server: MemcachedServerFixture) throws {
        try server.setMany((1...30).map { "widget:\($0)" }, value: "{\"id\":1}", exptimeSeconds: 3600)
        try server.setMany((1...12).map { "report:\($0)" }, exptimeSeconds: 600)
        try server.setMany((1...4).map { "feature_flags:\($0)" })
        try server.set(Array("bad\u{1b}]0;x\u{07}:1".utf8), exptimeSeconds: 60)
        try server.get((1...30).map { "widget:\($0)" } + ["widget:999"])
    }

    func testSnapshotJSONFullCensusIsExactAndFollowsTheSchema() throws {
        let server = try startMemcached()
        try seed(server)
        let result = try CLIRunner.run(["snapshot", "--json", "--full", "--interval", "0.2s", "--memcached", server.address])
        XCTAssertEqual(result.status, 0, result.stderr)
        let document = try OrderedJSON.parse(result.stdout)
        XCTAssertEqual(document.keys, ["schema", "taken_at", "target", "server", "metrics", "keyspace", "census", "findings", "events"])
        XCTAssertEqual(document["target"], .object([("kind", .string("memcached")), ("address", .string(server.address)),
                                                    ("db", .number("0")), ("mode", .string("standalone"))]))
        XCTAssertEqual(document["server"]?.keys, ["version", "uptime_seconds", "role", "maxmemory_bytes", "maxmemory_policy"])
        XCTAssertEqual(document["server"]?["maxmemory_bytes"], .number(String(64 * 1024 * 1024)))
        XCTAssertEqual(document["server"]?["role"], .null)
        let metrics = try XCTUnwrap(document["metrics"])
        XCTAssertEqual(metrics.keys, ["ops_per_second", "hits_per_second", "misses_per_second", "hit_ratio", "used_memory_bytes",
                                      "expired_keys_per_second", "evicted_keys_per_second", "connected_clients", "blocked_clients",
                                      "ping_ms", "app_scan_per_second", "del_per_second", "memcached"])
        XCTAssertEqual(metrics["memcached"]?["curr_items"], .number("47"))
        XCTAssertEqual(metrics["expired_keys_per_second"], .null)
        XCTAssertEqual(document["keyspace"], .array([]))

        let census = try XCTUnwrap(document["census"])
        XCTAssertEqual(census["complete"], .bool(true))
        XCTAssertEqual(census["scanned_keys"], .number("47"))
        var byPattern: [String: OrderedJSON] = [:]
        for family in census["families"]?.elements ?? [] {
            if case .string(let pattern)? = family["pattern"] { byPattern[pattern] = family }
        }
        XCTAssertEqual(byPattern["widget:{id}"]?["keys"], .number("30"))
        XCTAssertEqual(byPattern["widget:{id}"]?["never_read"], .number("0"))
        XCTAssertEqual(byPattern["report:{id}"]?["never_read"], .number("12"))
        XCTAssertEqual(byPattern["feature_flags:{id}"]?["no_ttl"], .number("4"))
        XCTAssertEqual(byPattern["feature_flags:{id}"]?.keys.last, "never_read")
        XCTAssertFalse(result.stdout.contains("\u{1b}"), "raw escape byte in the output")
        XCTAssertTrue(result.stdout.contains("bad\\\\x1b]0;x\\\\x07"), result.stdout)
        let codes = (document["findings"]?.elements ?? []).compactMap { finding -> String? in
            if case .string(let code)? = finding["code"] { return code }
            return nil
        }
        XCTAssertTrue(codes.contains("never-read"), "\(codes)")
        XCTAssertTrue(codes.contains("no-ttl"), "\(codes)")
    }

    func testAppSettingsSelectMemcachedAndTheTextSummaryNamesIt() throws {
        let server = try startMemcached()
        try seed(server)
        let directory = try TempDirectory("memcached")
        defer { directory.cleanup() }
        let envFile = directory.file(".env")
        try "CACHE_BACKEND=memcached\nCACHE_MEMCACHED_HOST=127.0.0.1\nCACHE_MEMCACHED_PORT=\(server.port)\n".write(toFile: envFile, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["snapshot", "--interval", "0.2s", "--env-file", envFile])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("memcached 1."), result.stdout)
        XCTAssertTrue(result.stdout.contains("items 47"), result.stdout)
        // The environment beats .env, as for Redis.
        let closed = closedLoopbackPort()
        let refused = try CLIRunner.run(["snapshot", "--interval", "0.2s", "--env-file", envFile],
                                        environment: ["CACHE_MEMCACHED_PORT": String(closed)])
        assertOneSentenceError(refused)
        XCTAssertTrue(refused.stderr.contains("memcached at 127.0.0.1:\(closed)"), refused.stderr)
    }

    func testDisabledMetadumpGivesMetricsAndOneSentence() throws {
        for arguments in [["-X"], ["-o", "no_lru_crawler"]] {
            let server = try startMemcached(arguments)
            try seed(server)
            for full in [true, false] {
                let result = try CLIRunner.run(["snapshot", "--json", "--interval", "0.3s", "--memcached", server.address] + (full ? ["--full"] : []))
                XCTAssertEqual(result.status, 0, result.stderr)
                let document = try OrderedJSON.parse(result.stdout)
                XCTAssertNil(document["census"])
                XCTAssertEqual(document["metrics"]?["memcached"]?["curr_items"], .number("47"))
                let unavailable = (document["findings"]?.elements ?? []).filter { $0["code"] == .string("census-unavailable") }
                XCTAssertEqual(unavailable.count, 1, result.stdout)
                if case .string(let message)? = unavailable.first?["message"] {
                    XCTAssertTrue(message.hasSuffix("metrics only."), message)
                }
            }
        }
    }

    func testBadFlagsAndUnreachableServerAreOneSentence() throws {
        assertOneSentenceError(try CLIRunner.run(["snapshot", "--memcached", "127.0.0.1:99999"]))
        assertOneSentenceError(try CLIRunner.run(["snapshot", "--memcached", "127.0.0.1:11211", "-p", "6379"]))
        let port = closedLoopbackPort()
        let result = try CLIRunner.run(["snapshot", "--json", "--memcached", "127.0.0.1:\(port)"])
        assertOneSentenceError(result)
        XCTAssertEqual(result.stderr.trimmingCharacters(in: .newlines),
                       "cachewatch: Could not connect to memcached at 127.0.0.1:\(port): connection refused (is memcached running there?).")
    }

    func testWatchStreamsMemcachedDocumentsWithTwoServers() throws {
        let one = try startMemcached()
        let two = try startMemcached()
        try seed(one)
        try two.setMany((1...5).map { "session:\($0)" }, exptimeSeconds: 900)
        let result = try CLIRunner.run(["watch", "--json", "--count", "3", "--interval", "1s", "--memcached", one.address, "--memcached", two.address],
                                       timeoutSeconds: 30)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        let last = try OrderedJSON.parse(String(lines[2]))
        XCTAssertEqual(last["target"]?["kind"], .string("memcached"))
        XCTAssertEqual(last["target"]?["address"], .string("\(one.address),\(two.address)"))
        XCTAssertEqual(last["metrics"]?["memcached"]?["curr_items"], .number("52"))
        XCTAssertEqual(last["census"]?["scanned_keys"], .number("52"))
    }
}

/// The app's `Memcached doesn't support pattern-based deletion` ERROR lines are counted per pattern, from a
/// followed file and from stdin, and reported as one finding.
final class MemcachedPatternDeletionSnapshotCLITests: XCTestCase {
    func testPatternDeletionLinesAreCountedPerPattern() throws {
        if !MemcachedServerFixture.isInstalled && !MemcachedServerFixture.mustExist { throw XCTSkip("memcached is not installed") }
        let server = try MemcachedServerFixture()
        let directory = try TempDirectory("pattern-deletion")
        defer { directory.cleanup() }
        let log = directory.file("app.log")
        let stamp = { () -> String in
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
            return formatter.string(from: Date())
        }()
        var text = ""
        for pattern in ["user_5_widgets:*", "user_5_widgets:*", "widget_search:*"] {
            text += "\(stamp) [   ERROR] src.infrastructure.cache: Memcached doesn't support pattern-based deletion. Pattern '\(pattern)' cannot be used.\n"
        }
        text += "\(stamp) [    INFO] uvicorn: Application startup complete.\n"
        try text.write(toFile: log, atomically: true, encoding: .utf8)
        for source in [["--log", log], ["--log", "-"]] {
            let result = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "0.2s", "--memcached", server.address] + source,
                                           stdin: source.last == "-" ? Data(text.utf8) : nil)
            XCTAssertEqual(result.status, 0, result.stderr)
            let document = try OrderedJSON.parse(result.stdout)
            let deletions = try XCTUnwrap(document["logs"]?["memcached_pattern_deletions"])
            XCTAssertEqual(deletions["total"], .number("3"))
            XCTAssertEqual(deletions["by_pattern"]?.elements.first,
                           .object([("pattern", .string("user_5_widgets:*")), ("count", .number("2"))]))
            XCTAssertTrue((document["findings"]?.elements ?? []).contains { $0["code"] == .string("pattern-deletion-ignored") })
        }
    }
}
