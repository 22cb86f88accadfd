import Foundation
import TestSupport
import XCTest

/// `cachewatch snapshot --json` against a private, seeded redis-server: the documented fields, their order and
/// types, and values compared with what `redis-cli INFO` says.
final class SnapshotCLITests: XCTestCase {
    private static let shared = SharedRedisServer()

    override class func setUp() {
        super.setUp()
        guard let server = shared.start(.init(extraConfig: ["maxmemory 37mb", "maxmemory-policy allkeys-lfu"])) else { return }
        var commands: [[String]] = []
        for id in 1...30 { commands.append(["SET", "widget:\(id)", "{\"id\":\(id)}", "EX", "3600"]) }
        for id in 1...12 { commands.append(["SET", "top_widgets:\(id)", "x"]) }
        commands.append(["SELECT", "3"])
        for id in 1...7 { commands.append(["SET", "taskiq:result:\(id)", "r", "EX", "600"]) }
        for id in 1...4 { commands.append(["SET", "taskiq:queue:\(id)", "q"]) }
        server.pipe(commands)
    }

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    private var server: RedisServerFixture { get throws { try Self.shared.server } }

    // MARK: - Document

    /// Cluster detection reads `cluster_enabled` from the first INFO the sample sends anyway: `snapshot` and `check` of a
    /// single server send INFO exactly twice (the two rate samples), no separate `INFO cluster` probe.
    func testSnapshotAndCheckDetectAClusterFromTheirFirstINFO() throws {
        let server = try server
        func infoCalls() -> Int {
            let line = server.redisCLI(["INFO", "commandstats"]).components(separatedBy: .newlines).first { $0.hasPrefix("cmdstat_info:") }
            return Int(line?.dropFirst("cmdstat_info:calls=".count).prefix { $0.isNumber } ?? "") ?? 0
        }
        for command in [["snapshot", "--json"], ["check"]] {
            let before = infoCalls()
            let result = try CLIRunner.run(command + ["--no-census", "--interval", "0.2s", "-p", String(server.port)])
            XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
            XCTAssertEqual(infoCalls() - before - 1, 2, "\(command[0]): two INFO samples, nothing else (the -1 is our own INFO commandstats)")
        }
    }

    func testSnapshotJSONHasEveryDocumentedFieldInOrderWithValuesMatchingRedisCLIInfo() throws {
        let server = try server
        let result = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "0.2s", "-p", String(server.port)])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
        let info = RedisCLIInfo(server)
        let ordered = try OrderedJSON.parse(result.stdout)
        let document = try parseJSONObject(result.stdout)

        // Order and JSON types.
        XCTAssertEqual(Array(ordered.keys.prefix(6)), ["schema", "taken_at", "target", "server", "metrics", "keyspace"])
        XCTAssertFalse(ordered.keys.contains("error"))
        XCTAssertEqual(ordered["target"]?.keys, ["kind", "address", "db", "mode"])
        XCTAssertEqual(ordered["server"]?.keys, ["version", "uptime_seconds", "role", "maxmemory_bytes", "maxmemory_policy",
                                                 "name", "redis_version"])
        XCTAssertEqual(document["server"].flatMap { ($0 as? [String: Any])?["name"] as? String }, "redis")
        XCTAssertEqual(ordered["metrics"]?.keys, ["ops_per_second", "hits_per_second", "misses_per_second", "hit_ratio",
                                                  "used_memory_bytes", "expired_keys_per_second", "evicted_keys_per_second",
                                                  "connected_clients", "blocked_clients", "ping_ms", "app_scan_per_second",
                                                  "del_per_second", "other_cachewatch"])
        XCTAssertEqual(ordered["schema"]?.kind, "integer")
        XCTAssertEqual(ordered["taken_at"]?.kind, "string")
        XCTAssertEqual(ordered["target"]?["db"]?.kind, "integer")
        for key in ["version", "role", "maxmemory_policy"] { XCTAssertEqual(ordered["server"]?[key]?.kind, "string", key) }
        for key in ["uptime_seconds", "maxmemory_bytes"] { XCTAssertEqual(ordered["server"]?[key]?.kind, "integer", key) }
        for key in ["used_memory_bytes", "connected_clients", "blocked_clients"] {
            XCTAssertEqual(ordered["metrics"]?[key]?.kind, "integer", key)
        }
        for key in ["ops_per_second", "hits_per_second", "misses_per_second", "expired_keys_per_second",
                    "evicted_keys_per_second", "ping_ms", "app_scan_per_second", "del_per_second"] {
            XCTAssertTrue(["integer", "number"].contains(ordered["metrics"]?[key]?.kind ?? "missing"),
                          "\(key) is a number (two INFO samples were taken): \(String(describing: ordered["metrics"]?[key]))")
        }
        XCTAssertTrue(["integer", "number", "null"].contains(ordered["metrics"]?["hit_ratio"]?.kind ?? "missing"))
        for entry in ordered["keyspace"]?.elements ?? [] {
            XCTAssertEqual(entry.keys, ["db", "keys", "expires", "avg_ttl_ms"])
            XCTAssertTrue(entry.keys.allSatisfy { entry[$0]?.kind == "integer" }, "keyspace values are integers")
        }

        // Values.
        XCTAssertEqual(document["schema"] as? Int, 1)
        let takenAt = try XCTUnwrap(document["taken_at"] as? String)
        XCTAssertNotNil(takenAt.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"#, options: .regularExpression),
                        "ISO-8601 UTC: \(takenAt)")
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = takenAt.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        let takenDate = try XCTUnwrap(formatter.date(from: takenAt))
        XCTAssertLessThan(abs(takenDate.timeIntervalSinceNow), 600, "taken_at is the time of the run, in UTC")

        let target = try XCTUnwrap(document["target"] as? [String: Any])
        XCTAssertEqual(target["kind"] as? String, "redis")
        XCTAssertEqual(target["address"] as? String, "127.0.0.1:\(server.port)")
        XCTAssertEqual(target["db"] as? Int, 0)
        XCTAssertEqual(target["mode"] as? String, "standalone")

        let serverJSON = try XCTUnwrap(document["server"] as? [String: Any])
        XCTAssertEqual(serverJSON["version"] as? String, info.fields["redis_version"])
        XCTAssertEqual(serverJSON["role"] as? String, info.fields["role"])
        XCTAssertEqual(serverJSON["maxmemory_bytes"] as? Int, Int(info.fields["maxmemory"] ?? ""))
        XCTAssertEqual(serverJSON["maxmemory_bytes"] as? Int, 37 * 1024 * 1024)
        XCTAssertEqual(serverJSON["maxmemory_policy"] as? String, info.fields["maxmemory_policy"])
        XCTAssertEqual(serverJSON["maxmemory_policy"] as? String, "allkeys-lfu")
        let uptime = try XCTUnwrap(serverJSON["uptime_seconds"] as? Int)
        XCTAssertLessThanOrEqual(uptime, Int(info.fields["uptime_in_seconds"] ?? "") ?? -1, "read before the test's INFO")

        let metrics = try XCTUnwrap(document["metrics"] as? [String: Any])
        let clients = try XCTUnwrap(metrics["connected_clients"] as? Int)
        let cliClients = try XCTUnwrap(Int(info.fields["connected_clients"] ?? ""))
        XCTAssertLessThanOrEqual(abs(clients - cliClients), 3, "connected_clients \(clients) vs redis-cli \(cliClients)")
        XCTAssertGreaterThanOrEqual(clients, 1, "cachewatch itself is connected")
        XCTAssertEqual(metrics["blocked_clients"] as? Int, Int(info.fields["blocked_clients"] ?? ""))
        let used = try XCTUnwrap(metrics["used_memory_bytes"] as? Int)
        let cliUsed = try XCTUnwrap(Int(info.fields["used_memory"] ?? ""))
        XCTAssertLessThan(abs(used - cliUsed), cliUsed / 2, "used_memory close to redis-cli's")
        XCTAssertGreaterThan(try XCTUnwrap(metrics["ping_ms"] as? Double), 0)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(metrics["ops_per_second"] as? Double), 0)

        // Keyspace: every seeded DB exactly.
        let keyspace = try XCTUnwrap(document["keyspace"] as? [[String: Any]])
        XCTAssertEqual(keyspace.compactMap { $0["db"] as? Int }, info.keyspace.keys.sorted())
        for (db, expected) in [(0, (keys: 42, expires: 30)), (3, (keys: 11, expires: 7))] {
            let entry = try XCTUnwrap(keyspace.first { $0["db"] as? Int == db }, "db\(db) listed")
            XCTAssertEqual(entry["keys"] as? Int, expected.keys, "db\(db) keys")
            XCTAssertEqual(entry["expires"] as? Int, expected.expires, "db\(db) expires")
            XCTAssertEqual(entry["keys"] as? Int, info.keyspace[db]?.keys, "db\(db) keys vs redis-cli")
            XCTAssertEqual(entry["expires"] as? Int, info.keyspace[db]?.expires, "db\(db) expires vs redis-cli")
            let avgTTL = try XCTUnwrap(entry["avg_ttl_ms"] as? Int)
            XCTAssertGreaterThanOrEqual(avgTTL, 0)
        }
        let db0TTL = try XCTUnwrap(keyspace.first { $0["db"] as? Int == 0 }?["avg_ttl_ms"] as? Int)
        XCTAssertLessThanOrEqual(db0TTL, 3_600_000, "avg TTL of keys set with EX 3600")
    }

    func testFullDocumentFollowsTheREADMESchemaOrder() throws {
        let server = try server
        let directory = try TempDirectory("schema")
        defer { directory.cleanup() }
        let log = directory.file("app.log")
        try append(LogLineWriter.line(.detailed, at: Date(), message: "Cache unavailable while reading 'widget:42': ConnectionError"), to: log)
        let result = try CLIRunner.run(["snapshot", "--json", "--full", "--interval", "0.1s", "-p", String(server.port), "--log", log])
        XCTAssertEqual(result.status, 0, result.stderr)
        let document = try OrderedJSON.parse(result.stdout)
        XCTAssertEqual(document.keys, ["schema", "taken_at", "target", "server", "metrics", "keyspace", "census", "logs", "findings", "events"])

        let census = try XCTUnwrap(document["census"])
        XCTAssertEqual(census.keys, ["db", "complete", "scanned_keys", "estimated_keys", "families", "forecast", "notes"])
        let families = census["families"]?.elements ?? []
        XCTAssertFalse(families.isEmpty)
        for family in families {
            XCTAssertEqual(family.keys, ["pattern", "keys", "sampled", "share", "types", "no_ttl", "ttl_seconds", "ttl_histogram",
                                         "ttl_bands", "memory_bytes", "examples", "lockstep", "values_probed", "negative_cache",
                                         "falsy_values", "never_read"])
            XCTAssertEqual(family["ttl_seconds"]?.keys, ["min", "p50", "p90", "max"])
            XCTAssertEqual(family["negative_cache"]?.keys, ["keys", "long_ttl", "no_ttl", "max_ttl_seconds"])
            for bucket in family["ttl_histogram"]?.elements ?? [] { XCTAssertEqual(bucket.keys, ["upper_seconds", "keys"]) }
            XCTAssertEqual(family["ttl_bands"]?.elements.map(\.keys), Array(repeating: ["band", "keys"], count: 7))
            XCTAssertEqual(family["examples"]?.kind, "array")
        }
        let widget = try XCTUnwrap(families.first { $0["pattern"] == .string("widget:{id}") })
        XCTAssertEqual(widget["lockstep"]?.keys, ["starts_in_seconds", "window_seconds", "keys", "fraction"],
                       "30 keys set with the same EX in one pipeline expire in lockstep")
        XCTAssertEqual(widget["lockstep"]?["keys"], .number("30"))
        XCTAssertEqual(census["forecast"]?.elements.count, 60)
        XCTAssertEqual(census["forecast"]?.elements.first?.keys, ["minute", "keys"])

        let logs = try XCTUnwrap(document["logs"])
        XCTAssertEqual(logs.keys, ["sources", "fail_open", "memcached_pattern_deletions", "deploy_lines"])
        XCTAssertEqual(logs["sources"]?.elements.first?.keys, ["path", "format", "lines", "unparsed", "truncated", "status", "detail", "unparsed_time"])
        let failOpen = try XCTUnwrap(logs["fail_open"])
        XCTAssertEqual(failOpen.keys, ["last_1m", "last_5m", "last_15m", "total", "per_minute", "state", "since", "by_error",
                                       "by_family", "warn_per_minute", "crit_per_minute", "history"])
        XCTAssertEqual(failOpen["by_error"]?.elements.first?.keys, ["error", "count"])
        XCTAssertEqual(failOpen["by_error"]?.elements.first?["error"], .string("ConnectionError"))
        XCTAssertEqual(failOpen["by_family"]?.elements.first?.keys, ["pattern", "count"])
        XCTAssertEqual(failOpen["by_family"]?.elements.first?["pattern"], .string("widget:{id}"), "the failing key's family")
        XCTAssertEqual(failOpen["per_minute"]?.elements.last, failOpen["last_1m"], "README: the last value equals last_1m")

        let findings = document["findings"]?.elements ?? []
        XCTAssertTrue(findings.contains { $0["code"] == .string("lockstep-expiry") && $0["pattern"] == .string("widget:{id}") },
                      "lockstep finding for widget:{id}")
        XCTAssertTrue(findings.contains { $0["code"] == .string("no-ttl") }, "no-ttl finding for top_widgets")
        // v1 fields in their order, `evidence` added last.
        for finding in findings { XCTAssertEqual(finding.keys, ["severity", "code", "pattern", "message", "evidence"]) }
    }

    func testOwnCensusTrafficIsNotCountedAsHits() throws {
        // TYPE/PTTL of the census count as keyspace hits in Redis; on an otherwise idle server the
        // document must still say there were no lookups.
        let server = try server
        let before = Int(RedisCLIInfo(server).fields["keyspace_hits"] ?? "") ?? -1
        let result = try CLIRunner.run(["snapshot", "--json", "--interval", "1s", "-p", String(server.port)])
        XCTAssertEqual(result.status, 0, result.stderr)
        let after = Int(RedisCLIInfo(server).fields["keyspace_hits"] ?? "") ?? -1
        let document = try parseJSONObject(result.stdout)
        XCTAssertEqual((document["census"] as? [String: Any])?["complete"] as? Bool, true)
        XCTAssertGreaterThanOrEqual(after - before, 42, "the census looked at every db0 key")
        let metrics = try XCTUnwrap(document["metrics"] as? [String: Any])
        XCTAssertEqual(metrics["hits_per_second"] as? Double, 0, "cachewatch's own lookups excluded")
        XCTAssertEqual(metrics["misses_per_second"] as? Double, 0)
        XCTAssertTrue(metrics["hit_ratio"] is NSNull, "no lookups → null hit ratio")
    }

    func testCompactIsOneLineAndTextSummaryNamesTheServer() throws {
        let server = try server
        let compact = try CLIRunner.run(["snapshot", "--json", "--compact", "--no-census", "--interval", "0.1s", "-p", String(server.port)])
        XCTAssertEqual(compact.status, 0, compact.stderr)
        XCTAssertEqual(compact.stdout.filter { $0 == "\n" }.count, 1, "one line")
        XCTAssertEqual(try parseJSONObject(compact.stdout)["schema"] as? Int, 1)

        let text = try CLIRunner.run(["snapshot", "--interval", "0.1s", "-p", String(server.port)])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("127.0.0.1:\(server.port)"), text.stdout)
        XCTAssertTrue(text.stdout.contains(RedisCLIInfo(server).fields["redis_version"] ?? "?"), text.stdout)
    }

    // MARK: - Connection settings

    func testURLSelectsTheDatabase() throws {
        let server = try server
        let result = try CLIRunner.run(["snapshot", "--json", "--full", "--interval", "0.1s", "-u", "redis://127.0.0.1:\(server.port)/3"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let document = try parseJSONObject(result.stdout)
        XCTAssertEqual((document["target"] as? [String: Any])?["db"] as? Int, 3)
        let census = try XCTUnwrap(document["census"] as? [String: Any])
        XCTAssertEqual(census["db"] as? Int, 3)
        XCTAssertEqual(census["scanned_keys"] as? Int, 11, "db 3's keys, not db 0's")
    }

    func testFlagsBeatURLBeatEnvironment() throws {
        let server = try server
        let port = String(server.port)
        let closed = String(closedLoopbackPort())

        // env points to a closed port, the flag wins.
        let flagOverEnv = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "0.1s", "-p", port],
                                            environment: ["CACHE_REDIS_PORT": closed, "CACHE_REDIS_DB": "5"])
        XCTAssertEqual(flagOverEnv.status, 0, flagOverEnv.stderr)
        var target = try XCTUnwrap(try parseJSONObject(flagOverEnv.stdout)["target"] as? [String: Any])
        XCTAssertEqual(target["address"] as? String, "127.0.0.1:\(port)")
        XCTAssertEqual(target["db"] as? Int, 5, "CACHE_REDIS_DB still applies where no flag says otherwise")

        // URL beats env.
        let urlOverEnv = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "0.1s", "-u", "redis://127.0.0.1:\(port)/3"],
                                           environment: ["CACHE_REDIS_PORT": closed, "CACHE_REDIS_DB": "5", "CACHE_REDIS_HOST": "127.0.0.9"])
        XCTAssertEqual(urlOverEnv.status, 0, urlOverEnv.stderr)
        target = try XCTUnwrap(try parseJSONObject(urlOverEnv.stdout)["target"] as? [String: Any])
        XCTAssertEqual(target["address"] as? String, "127.0.0.1:\(port)")
        XCTAssertEqual(target["db"] as? Int, 3)

        // Flags beat the URL.
        let flagOverURL = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "0.1s",
                                             "-u", "redis://127.0.0.1:\(closed)/3", "-p", port, "-n", "4"])
        XCTAssertEqual(flagOverURL.status, 0, flagOverURL.stderr)
        target = try XCTUnwrap(try parseJSONObject(flagOverURL.stdout)["target"] as? [String: Any])
        XCTAssertEqual(target["address"] as? String, "127.0.0.1:\(port)")
        XCTAssertEqual(target["db"] as? Int, 4)

        // Env alone is used when there are no flags.
        let envOnly = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "0.1s"],
                                        environment: ["CACHE_REDIS_HOST": "127.0.0.1", "CACHE_REDIS_PORT": port, "CACHE_REDIS_DB": "3"])
        XCTAssertEqual(envOnly.status, 0, envOnly.stderr)
        target = try XCTUnwrap(try parseJSONObject(envOnly.stdout)["target"] as? [String: Any])
        XCTAssertEqual(target["address"] as? String, "127.0.0.1:\(port)")
        XCTAssertEqual(target["db"] as? Int, 3)
    }

    func testDotEnvFileIsUsedBelowTheEnvironment() throws {
        let server = try server
        let directory = try TempDirectory("dotenv")
        defer { directory.cleanup() }
        let envFile = directory.file(".env")
        try "CACHE_REDIS_HOST=127.0.0.1\nCACHE_REDIS_PORT=\(server.port)\nCACHE_REDIS_DB=3\n".write(toFile: envFile, atomically: true, encoding: .utf8)
        let base = ["snapshot", "--json", "--no-census", "--interval", "0.1s", "--env-file", envFile]

        let fromFile = try CLIRunner.run(base)
        XCTAssertEqual(fromFile.status, 0, fromFile.stderr)
        var target = try XCTUnwrap(try parseJSONObject(fromFile.stdout)["target"] as? [String: Any])
        XCTAssertEqual(target["address"] as? String, "127.0.0.1:\(server.port)")
        XCTAssertEqual(target["db"] as? Int, 3)

        let envWins = try CLIRunner.run(base, environment: ["CACHE_REDIS_DB": "0"])
        XCTAssertEqual(envWins.status, 0, envWins.stderr)
        target = try XCTUnwrap(try parseJSONObject(envWins.stdout)["target"] as? [String: Any])
        XCTAssertEqual(target["db"] as? Int, 0, "the environment beats .env")

        let closed = try CLIRunner.run(base, environment: ["CACHE_REDIS_PORT": String(closedLoopbackPort())])
        assertOneSentenceError(closed)

        let missing = try CLIRunner.run(["snapshot", "--json", "--env-file", directory.file("nope.env")])
        assertOneSentenceError(missing)
    }

    // MARK: - Errors

    func testClosedPortGivesOneSentenceAndNothingOnStdout() throws {
        let port = closedLoopbackPort()
        let result = try CLIRunner.run(["snapshot", "--json", "-p", String(port)])
        assertOneSentenceError(result)
        XCTAssertTrue(result.stderr.contains("127.0.0.1:\(port)"), "names the address: \(result.stderr)")
        XCTAssertTrue(result.stderr.lowercased().contains("refused"), result.stderr)

        let text = try CLIRunner.run(["snapshot", "-p", String(port)])
        assertOneSentenceError(text)
    }

    func testBadFlagValuesGiveOneSentence() throws {
        let server = try server
        let port = String(server.port)
        // Duration flags out of range (or not durations) are usage errors: exit 64 (HostileInputCLITests has the sentences).
        let usage: Set<String> = ["--interval", "--backfill", "--alert-window", "--connect-timeout", "--db"]
        let cases: [(arguments: [String], mentions: String)] = [
            (["snapshot", "--json", "-p", "abc"], "abc"),
            (["snapshot", "--json", "-p", "70000"], "70000"),
            (["snapshot", "--json", "-p", port, "--interval", "x"], "--interval"),
            (["snapshot", "--json", "-p", port, "--warn-rate", "60", "--crit-rate", "50"], "--warn-rate"),
            (["snapshot", "--json", "-p", port, "-n", "abc"], "--db"),   // a bad -n is a usage error (exit 64) naming the flag
            (["snapshot", "--json", "-p", port, "-n", "99"], "out of range"),
            (["snapshot", "--json", "-u", "rediss://127.0.0.1:\(port)/0"], "TLS"),
            (["snapshot", "--json", "-u", "redis://127.0.0.1:\(port)/abc"], "database"),
            (["snapshot", "--json", "-u", "http://127.0.0.1:\(port)"], "redis://"),
            (["snapshot", "--json", "-p", port, "--backfill", "soon", "--log", "/nonexistent.log"], "--backfill"),
            (["snapshot", "--json", "-p", port, "--log-tz", "Mars/Base", "--log", "/nonexistent.log"], "Mars/Base"),
            (["snapshot", "--json", "-p", port, "--alert-window", "0s", "--log", "/nonexistent.log"], "--alert-window"),
            (["snapshot", "--json", "-p", port, "--scan-budget", "0"], "--scan-budget"),
            (["snapshot", "--json", "-p", port, "--connect-timeout", "abc"], "--connect-timeout"),
            (["snapshot", "--json", "-h", "no-such-host.invalid", "-p", port], "no-such-host.invalid"),
            (["watch", "--json", "-p", port, "--interval", "0s"], "--interval"),
            (["watch", "--json", "-p", port, "--count", "0"], "--count"),
        ]
        for (arguments, mentions) in cases {
            let result = try CLIRunner.run(arguments, timeoutSeconds: 20)
            assertOneSentenceError(result, expectedStatus: usage.contains(mentions) ? 64 : 1)
            XCTAssertTrue(result.stderr.contains(mentions), "\(arguments): mentions \(mentions): \(result.stderr)")
        }
        // Argument-parser errors (not a number where one is required): non-zero, no crash, names the flag.
        let parserError = try CLIRunner.run(["watch", "--json", "-p", port, "--count", "many"])
        XCTAssertNotEqual(parserError.status, 0)
        assertNoCrash(parserError)
        XCTAssertEqual(parserError.stdout, "")
        XCTAssertTrue(stderrLines(parserError).first?.contains("--count") == true, parserError.stderr)
    }
}

/// Password handling against a server with `requirepass`.
final class SnapshotAuthCLITests: XCTestCase {
    private static let password = "Pw-7f3a9c-secret"
    private static let shared = SharedRedisServer()

    override class func setUp() {
        super.setUp()
        shared.start(.init(password: password))?.pipe([["SELECT", "2"], ["SET", "widget:1", "a"], ["SET", "widget:2", "b"]])
    }

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    private var server: RedisServerFixture { get throws { try Self.shared.server } }

    private func assertPasswordAbsent(_ result: CLIRunner.Result, _ password: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(result.stdout.contains(password), "password on stdout", file: file, line: line)
        XCTAssertFalse(result.stderr.contains(password), "password on stderr", file: file, line: line)
    }

    func testWrongPasswordGivesOneSentenceWithoutThePassword() throws {
        let server = try server
        let wrong = "Wrong-pw-91b2"
        let viaEnv = try CLIRunner.run(["snapshot", "--json", "-p", String(server.port)], environment: ["REDISCLI_AUTH": wrong])
        assertOneSentenceError(viaEnv)
        assertPasswordAbsent(viaEnv, wrong)
        XCTAssertTrue(viaEnv.stderr.lowercased().contains("password"), viaEnv.stderr)

        let viaURL = try CLIRunner.run(["snapshot", "--json", "-u", "redis://:\(wrong)@127.0.0.1:\(server.port)/0"])
        assertOneSentenceError(viaURL)
        assertPasswordAbsent(viaURL, wrong)

        let viaFlag = try CLIRunner.run(["snapshot", "--json", "-p", String(server.port), "-a", wrong])
        XCTAssertEqual(viaFlag.status, 1)
        XCTAssertEqual(viaFlag.stdout, "")
        assertNoCrash(viaFlag)
        assertPasswordAbsent(viaFlag, wrong)
        let lines = stderrLines(viaFlag)
        XCTAssertEqual(lines.count, 2, "the ps warning, then the one error sentence: \(viaFlag.stderr)")
        XCTAssertTrue(lines.first?.contains("ps") == true, viaFlag.stderr)

        // With --log, the document is printed too; it must not carry the password either.
        let withLog = try CLIRunner.run(["snapshot", "--json", "--log", "/nonexistent-cw.log", "-p", String(server.port)],
                                        environment: ["CACHE_REDIS_PASSWORD": wrong])
        XCTAssertEqual(withLog.status, 1)
        assertPasswordAbsent(withLog, wrong)
        XCTAssertNotNil(try parseJSONObject(withLog.stdout)["error"] as? String)
    }

    func testNoPasswordSaysAuthIsRequired() throws {
        let server = try server
        let result = try CLIRunner.run(["snapshot", "--json", "-p", String(server.port)])
        assertOneSentenceError(result)
        XCTAssertTrue(result.stderr.contains("NOAUTH") || result.stderr.lowercased().contains("password"), result.stderr)
    }

    func testWatchNeverPrintsThePasswordWhenRedisIsDown() throws {
        let secret = "Url-secret-5d1e"
        let result = try CLIRunner.run(["watch", "--json", "--count", "2", "--interval", "0.2s",
                                        "-u", "redis://:\(secret)@127.0.0.1:\(closedLoopbackPort())/0"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        for line in lines { XCTAssertNotNil(try parseJSONObject(String(line))["error"] as? String) }
        assertPasswordAbsent(result, secret)
    }

    func testRightPasswordFromFlagEnvAndURL() throws {
        let server = try server
        let password = Self.password
        let port = String(server.port)
        let base = ["snapshot", "--json", "--no-census", "--interval", "0.1s"]

        let flag = try CLIRunner.run(base + ["-p", port, "-a", password])
        XCTAssertEqual(flag.status, 0, flag.stderr)
        XCTAssertTrue(flag.stderr.contains("visible in `ps`"), "warns about -a: \(flag.stderr)")
        XCTAssertEqual(stderrLines(flag).count, 1)
        assertPasswordAbsent(flag, password)

        let quiet = try CLIRunner.run(base + ["-p", port, "-a", password, "--no-auth-warning"])
        XCTAssertEqual(quiet.status, 0, quiet.stderr)
        XCTAssertEqual(quiet.stderr, "")

        for variable in ["REDISCLI_AUTH", "CACHE_REDIS_PASSWORD"] {
            let env = try CLIRunner.run(base + ["-p", port], environment: [variable: password])
            XCTAssertEqual(env.status, 0, "\(variable): \(env.stderr)")
            XCTAssertEqual(env.stderr, "", "no warning for \(variable)")
            assertPasswordAbsent(env, password)
            XCTAssertNotNil(try parseJSONObject(env.stdout)["server"] as? [String: Any], variable)
        }

        let url = try CLIRunner.run(["snapshot", "--json", "--full", "--interval", "0.1s", "-u", "redis://:\(password)@127.0.0.1:\(port)/2"])
        XCTAssertEqual(url.status, 0, url.stderr)
        assertPasswordAbsent(url, password)
        let document = try parseJSONObject(url.stdout)
        XCTAssertEqual((document["target"] as? [String: Any])?["db"] as? Int, 2)
        let census = try XCTUnwrap(document["census"] as? [String: Any])
        XCTAssertEqual(census["db"] as? Int, 2)
        XCTAssertEqual(census["scanned_keys"] as? Int, 2, "db 2 holds the two widgets")
    }
}

/// `-s/--socket`: the same document over a unix socket.
final class SnapshotSocketCLITests: XCTestCase {
    func testUnixSocket() throws {
        let server: RedisServerFixture
        do { server = try RedisServerFixture(options: .init(unixSocket: true)) } catch { throw prerequisiteMissing("redis-server could not be started") }
        defer { server.teardown() }
        server.pipe([["SET", "widget:1", "a", "EX", "100"], ["SET", "widget:2", "b"]])
        let socket = try XCTUnwrap(server.socketPath)
        let result = try CLIRunner.run(["snapshot", "--json", "--full", "--interval", "0.1s", "-s", socket])
        XCTAssertEqual(result.status, 0, result.stderr)
        let document = try parseJSONObject(result.stdout)
        XCTAssertEqual((document["target"] as? [String: Any])?["address"] as? String, socket)
        let keyspace = try XCTUnwrap(document["keyspace"] as? [[String: Any]])
        XCTAssertEqual(keyspace.first?["keys"] as? Int, 2)
        XCTAssertEqual(keyspace.first?["expires"] as? Int, 1)
        let families = (document["census"] as? [String: Any])?["families"] as? [[String: Any]]
        XCTAssertEqual(families?.first?["pattern"] as? String, "widget:{id}")
        XCTAssertEqual(families?.first?["no_ttl"] as? Int, 1)

        let missing = try CLIRunner.run(["snapshot", "--json", "-s", server.directory.appendingPathComponent("nope.sock").path])
        assertOneSentenceError(missing)
    }
}

/// A server that stops answering (CLIENT PAUSE): a timeout sentence, not a hang.
final class SnapshotTimeoutCLITests: XCTestCase {
    func testPausedServerGivesATimeoutSentence() throws {
        let server: RedisServerFixture
        do { server = try RedisServerFixture() } catch { throw prerequisiteMissing("redis-server could not be started") }
        defer { server.teardown() }
        // (No CLIENT UNPAUSE: a new connection's UNPAUSE waits for the pause too; teardown kills the server.)
        XCTAssertEqual(server.redisCLI(["CLIENT", "PAUSE", "20000", "ALL"]), "OK")
        let result = try CLIRunner.run(["snapshot", "--json", "-p", String(server.port), "--command-timeout", "500ms"], timeoutSeconds: 15)
        assertOneSentenceError(result)
        XCTAssertTrue(result.stderr.contains("timeout") || result.stderr.contains("did not answer"), result.stderr)
        XCTAssertTrue(result.stderr.contains("127.0.0.1:\(server.port)"), result.stderr)
    }
}

/// A cluster-enabled node: `target.mode` says so, the census walks the node, another database is refused in one sentence.
final class SnapshotClusterCLITests: XCTestCase {
    func testClusterNode() throws {
        let server: RedisServerFixture
        do {
            server = try RedisServerFixture(options: .init(extraConfig: ["cluster-enabled yes", "cluster-config-file nodes.conf"]))
        } catch { throw prerequisiteMissing("redis-server could not be started: \(error)") }
        defer { server.teardown() }
        let result = try CLIRunner.run(["snapshot", "--json", "--full", "--interval", "0.1s", "-p", String(server.port)])
        XCTAssertEqual(result.status, 0, result.stderr)
        let document = try parseJSONObject(result.stdout)
        XCTAssertEqual((document["target"] as? [String: Any])?["mode"] as? String, "cluster")
        XCTAssertEqual((document["census"] as? [String: Any])?["complete"] as? Bool, true)

        // A cluster has only database 0: a usage error (exit 64) in one sentence, before SELECT is ever sent.
        let otherDB = try CLIRunner.run(["snapshot", "--json", "-p", String(server.port), "-n", "2"])
        assertOneSentenceError(otherDB, expectedStatus: 64)
        XCTAssertTrue(otherDB.stderr.contains("cluster node") && otherDB.stderr.contains("only database 0"), otherDB.stderr)
    }
}
