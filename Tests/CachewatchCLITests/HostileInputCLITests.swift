import Foundation
import TestSupport
import XCTest

/// The three inputs that crashed cachewatch (issue 8), run as a user would against a private redis-server,
/// and the duration flags' one-sentence errors (exit 64 for a flag, exit 1 for the config file).
final class HostileInputCLITests: XCTestCase {
    private static let shared = SharedRedisServer()
    private var directory: TempDirectory!

    override class func setUp() {
        super.setUp()
        guard let server = shared.start() else { return }
        var commands: [[String]] = [["SET", "far", "x"], ["PEXPIREAT", "far", "9000000000000000000"],
                                    ["SET", "far2", "x"], ["PEXPIREAT", "far2", String(Int64.max)]]
        for id in 1...100 { commands.append(["SET", "widget:\(id)", "v", "EX", "600"]) }
        for id in 1...100 { commands.append(["SET", "forever:\(id)", "v"]); commands.append(["PEXPIRE", "forever:\(id)", String(Int64(1) << 62)]) }
        server.pipe(commands)
    }

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    override func setUpWithError() throws {
        directory = try TempDirectory("hostile")
    }

    override func tearDown() {
        directory?.cleanup()
        directory = nil
        super.tearDown()
    }

    private var port: String {
        get throws {
            let server = try Self.shared.server
            return String(server.port)
        }
    }

    // MARK: - Crash 1: PEXPIREAT k 9000000000000000000

    func testFarFutureExpiryDoesNotCrashTheFullCensus() throws {
        let port = try port
        for arguments in [["snapshot", "--json", "--full"], ["snapshot", "--json"], ["snapshot", "--full"]] {
            let result = try CLIRunner.run(arguments + ["--interval", "100ms", "-p", port])
            assertNoCrash(result)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
            guard arguments.contains("--json") else { continue }
            let document = try parseJSONObject(result.stdout)
            let census = try XCTUnwrap(document["census"] as? [String: Any])
            let families = try XCTUnwrap(census["families"] as? [[String: Any]])
            let keys = families.compactMap { $0["keys"] as? Int }.reduce(0, +)
            if arguments.contains("--full") {
                XCTAssertEqual(keys, 202, "census exactness: every key counted once")
            }
            let forever = try XCTUnwrap(families.first { ($0["pattern"] as? String)?.hasPrefix("forever") == true })
            let bands = try XCTUnwrap(forever["ttl_bands"] as? [[String: Any]])
            XCTAssertEqual(bands.first { $0["band"] as? String == ">24h" }?["keys"] as? Int, forever["keys"] as? Int)
        }
    }

    // MARK: - Crash 2: {"time": 1e22, …}

    func testHostileJSONTimestampIsCountedAtArrival() throws {
        let port = try port
        let line = #"{"time": 1e22, "message": "Cache backend not available: x"}"# + "\n"
        let log = directory.file("app.log")
        try append(line, to: log)
        for (arguments, stdin) in [(["--log", log], nil as Data?), (["--log", "-"], Data(line.utf8))] {
            let result = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "100ms", "-p", port] + arguments,
                                           stdin: stdin)
            assertNoCrash(result)
            XCTAssertEqual(result.status, 0, result.stderr)
            let document = try parseJSONObject(result.stdout)
            let logs = try XCTUnwrap(document["logs"] as? [String: Any])
            let source = try XCTUnwrap((logs["sources"] as? [[String: Any]])?.first)
            XCTAssertEqual(source["unparsed_time"] as? Int, 1, "\(arguments)")
            XCTAssertEqual((logs["fail_open"] as? [String: Any])?["total"] as? Int, 1, "\(arguments)")
        }
        // The text output (TextSummary) survives it too.
        let text = try CLIRunner.run(["snapshot", "--no-census", "--interval", "100ms", "-p", port, "--log", log])
        assertNoCrash(text)
        XCTAssertEqual(text.status, 0, text.stderr)
    }

    // MARK: - Crash 3: durations

    func testDurationFlagsOutOfRangeGiveOneSentenceAndExit64() throws {
        let port = try port
        let log = directory.file("quiet.log")
        try append("hello\n", to: log)
        let cases: [([String], String)] = [
            (["snapshot", "--json", "--alert-window", "inf", "--log", log], #"cachewatch: --alert-window must be between 1s and 1h, not "inf"."#),
            (["snapshot", "--json", "--command-timeout", "1e300"], #"cachewatch: --command-timeout must be between 10ms and 10m, not "1e300"."#),
            (["snapshot", "--json", "--interval", "1e10"], #"cachewatch: --interval must be between 50ms and 1h, not "1e10"."#),
            (["snapshot", "--json", "--interval", "2h"], #"cachewatch: --interval must be between 50ms and 1h, not "2h"."#),
            (["watch", "--json", "--interval", "0s"], #"cachewatch: --interval must be between 50ms and 1h, not "0s"."#),
            (["snapshot", "--json", "--connect-timeout", "nan"], #"cachewatch: --connect-timeout must be between 10ms and 10m, not "nan"."#),
            (["snapshot", "--json", "--for=-1s", "--log", log], #"cachewatch: --for must be between 0s and 24h, not "-1s"."#),
            (["snapshot", "--json", "--stale", "1e999", "--log", log], #"cachewatch: --stale must be between 1s and 7d, not "1e999"."#),
            (["snapshot", "--json", "--backfill", "soon", "--log", log], #"cachewatch: --backfill must be between 0s and 7d, not "soon"."#),
            (["demo", "--duration", "inf"], #"cachewatch: --duration must be between 1s and 7d, not "inf"."#),
            (["snapshot", "--json", "--log", ""], "cachewatch: --log needs a file path, a glob or - for stdin, not an empty string."),
        ]
        for (arguments, expected) in cases {
            let result = try CLIRunner.run(arguments + ["-p", port].filter { _ in arguments.first != "demo" }, timeoutSeconds: 20)
            assertOneSentenceError(result, expectedStatus: 64)
            XCTAssertEqual(result.stderr, expected + "\n", "\(arguments)")
        }
    }

    // MARK: - INFO counters going backwards

    /// `CONFIG RESETSTAT` between the two INFO samples: the counters go back, so the rates are unknown (`null`),
    /// never negative and never a lower bound presented as a rate.
    func testCountersResetBetweenSamplesGiveNullRates() throws {
        let port = try port
        let server = try Self.shared.server
        for _ in 0..<50 { _ = server.redisCLI(["GET", "widget:1"]) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 1.5) { _ = server.redisCLI(["CONFIG", "RESETSTAT"]) }
        let result = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "3s", "-p", port])
        XCTAssertEqual(result.status, 0, result.stderr)
        let metrics = try XCTUnwrap(try parseJSONObject(result.stdout)["metrics"] as? [String: Any])
        for field in ["ops_per_second", "hits_per_second", "misses_per_second", "hit_ratio", "expired_keys_per_second"] {
            XCTAssertTrue(metrics[field] is NSNull, "\(field): \(String(describing: metrics[field]))")
        }
        XCTAssertNotNil(metrics["connected_clients"] as? Int, "gauges are still reported")
    }

    func testHugeCountFlagsAreRefusedNotTrapped() throws {
        let port = try port
        for arguments in [["snapshot", "--json", "--max-families", String(Int.max), "-p", port],
                          ["snapshot", "--json", "--scan-budget", String(Int.max), "-p", port],
                          ["families", "--max-families", String(Int.max)]] {
            let result = try CLIRunner.run(arguments, stdin: Data("a:1\n".utf8))
            assertOneSentenceError(result)
            XCTAssertTrue(result.stderr.contains("must be between 1 and"), result.stderr)
        }
    }

    func testDurationsWithUnitsAreAccepted() throws {
        let port = try port
        let result = try CLIRunner.run(["snapshot", "--json", "--no-census", "-p", port, "--interval", "100ms",
                                        "--connect-timeout", "5s", "--command-timeout", "500ms"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let short = try CLIRunner.run(["snapshot", "--json", "--no-census", "-p", port, "--interval", "0.1",
                                       "--connect-timeout", "500ms", "--command-timeout", "1m30s"])
        XCTAssertEqual(short.status, 0, short.stderr)
        for value in ["5s", "500ms", "2"] {
            let env = try CLIRunner.run(["snapshot", "--json", "--no-census", "-p", port, "--interval", "100ms"],
                                        environment: ["CACHE_REDIS_CONNECT_TIMEOUT": value])
            XCTAssertEqual(env.status, 0, "CACHE_REDIS_CONNECT_TIMEOUT=\(value): \(env.stderr)")
        }
        let badEnv = try CLIRunner.run(["snapshot", "--json", "--no-census", "-p", port], environment: ["CACHE_REDIS_CONNECT_TIMEOUT": "inf"])
        assertOneSentenceError(badEnv, expectedStatus: 1)
        XCTAssertEqual(badEnv.stderr,
                       "cachewatch: CACHE_REDIS_CONNECT_TIMEOUT in the environment must be between 10ms and 10m, not \"inf\".\n")
    }

    func testConfigDurationOutOfRangeNamesFileAndLine() throws {
        let port = try port
        let config = directory.file("config.toml")
        try "theme = \"default\"\n\n[logs]\nwarn_rate = 3\n\n\nalert_window = \"inf\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["snapshot", "--json", "-p", port, "--config", config])
        assertNoCrash(result)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "cachewatch: \(config):7: alert_window must be between 1s and 1h, not \"inf\"\n")
        try "interval = \"1e10\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let interval = try CLIRunner.run(["watch", "--json", "-p", port, "--config", config])
        XCTAssertEqual(interval.status, 1)
        XCTAssertEqual(interval.stderr, "cachewatch: \(config):1: interval must be between 50ms and 1h, not \"1e10\"\n")
    }
}
