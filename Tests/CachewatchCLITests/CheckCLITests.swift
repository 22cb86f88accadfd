import Foundation
import TestSupport
import XCTest

/// `cachewatch check`: exit 0/1/2/3 with their one Nagios line, on a private redis-server.
final class CheckCLITests: XCTestCase {
    private static let shared = SharedRedisServer()

    override class func setUp() {
        super.setUp()
        let server = shared.start(.init(extraConfig: ["maxmemory 64mb", "maxmemory-policy allkeys-lru"]))
        // db 0: the guide's healthy shapes only; db 2: a family without TTLs.
        var commands: [[String]] = []
        for i in 1...300 { commands.append(["SET", "widget:\(i)", "v", "EX", String(120 + i * 5)]) }
        for i in 1...40 { commands.append(["SET", "session:\(UUID().uuidString.lowercased())", "v", "EX", String(80_000 + i)]) }
        for i in 1...12 { commands.append(["SET", "tier:\(i)", "v", "EX", "86400"]) }
        commands.append(["SELECT", "2"])
        for i in 1...20 { commands.append(["SET", "cart:\(i):items", "[1,2]"]) }
        for i in 1...100 { commands.append(["SET", "product:\(i):price", "9", "EX", String(600 + i * 3)]) }
        server?.pipe(commands)
    }

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    private var port: String {
        get throws {
            let server = try Self.shared.server
            return String(server.port)
        }
    }

    private func check(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIRunner.Result {
        try CLIRunner.run(["check", "--interval", "200ms"] + arguments, environment: environment)
    }

    private func assertOneLine(_ result: CLIRunner.Result, _ status: Int32, _ prefix: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, status, "\(result.stdout)\(result.stderr)", file: file, line: line)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.stdout, file: file, line: line)
        XCTAssertTrue(result.stdout.hasPrefix(prefix), result.stdout, file: file, line: line)
    }

    func testHealthyCacheIsOK() throws {
        let result = try check(["-p", port])
        assertOneLine(result, 0, "CACHEWATCH OK - no findings (")
        XCTAssertTrue(result.stdout.contains(" | ops_per_second="), result.stdout)
        XCTAssertTrue(result.stdout.contains(" memory_used_ratio="), result.stdout)
        XCTAssertTrue(result.stdout.contains(";0.8;0.95;0;1"), "memory thresholds in perfdata: \(result.stdout)")
    }

    func testWarnFindingIsWarningUnlessFailOnCrit() throws {
        let result = try check(["-p", port, "-n", "2"])
        assertOneLine(result, 1, "CACHEWATCH WARNING - 1 warn: no-ttl cart:{id}:items | ")
        XCTAssertTrue(result.stdout.contains("findings_warn=1;;;0;"), result.stdout)
        let lenient = try check(["-p", port, "-n", "2", "--fail-on", "crit"])
        assertOneLine(lenient, 0, "CACHEWATCH OK - 1 warn (not failing: --fail-on crit): no-ttl cart:{id}:items | ")
    }

    func testFullCensusAndNoCensus() throws {
        assertOneLine(try check(["-p", port, "-n", "2", "--full"]), 1, "CACHEWATCH WARNING - 1 warn: no-ttl cart:{id}:items | ")
        assertOneLine(try check(["-p", port, "-n", "2", "--no-census"]), 0, "CACHEWATCH OK - no findings (")
    }

    func testSilencedFindingsDoNotCount() throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("cw-check-\(UUID().uuidString).toml")
        defer { try? FileManager.default.removeItem(at: config) }
        try "[[silence]]\ncode = \"no-ttl\"\npattern = \"cart:{id}:items\"\n".write(to: config, atomically: true, encoding: .utf8)
        assertOneLine(try check(["-p", port, "-n", "2", "--config", config.path]), 0, "CACHEWATCH OK - no findings")
    }

    func testCriticalFailOpenFromTheLogs() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("cw-check-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        let now = Date()
        let lines = (0..<90).map { i in
            formatter.string(from: now.addingTimeInterval(-Double(i) * 0.5))
                + " [ WARNING] src.infrastructure.cache.decorator: Cache backend not available: Backend 'redis' is not available."
        }
        try (lines.reversed().joined(separator: "\n") + "\n").write(to: log, atomically: true, encoding: .utf8)
        let result = try check(["-p", port, "--log", log.path, "--log-tz", "UTC"])
        assertOneLine(result, 2, "CACHEWATCH CRITICAL - 1 crit: fail-open | ")
        XCTAssertTrue(result.stdout.contains("fail_open_per_minute=90;10;50;0;"), result.stdout)
    }

    func testConnectionProblemsAreUnknown() throws {
        let closed = String(freeLoopbackPort())
        let result = try check(["-p", closed])
        assertOneLine(result, 3, "CACHEWATCH UNKNOWN - Could not connect to Redis at 127.0.0.1:\(closed)")
        XCTAssertTrue(result.stdout.contains("findings_crit=0"), "unreachable alone is UNKNOWN, not a crit finding: \(result.stdout)")
    }

    func testWrongPasswordIsUnknown() throws {
        let locked = try RedisServerFixture(options: .init(password: "right-pw"))
        defer { locked.teardown() }
        let result = try check(["-p", String(locked.port)], environment: ["REDISCLI_AUTH": "wrong-pw"])
        assertOneLine(result, 3, "CACHEWATCH UNKNOWN - ")
        XCTAssertFalse(result.stdout.contains("wrong-pw") || result.stderr.contains("wrong-pw"), "never print the password")
    }

    func testCommandLineAndConfigProblemsAreUnknownNot64() throws {
        assertOneLine(try check(["--bogus"]), 3, "CACHEWATCH UNKNOWN - Unknown option '--bogus'")
        assertOneLine(try check(["--fail-on", "maybe"]), 3, "CACHEWATCH UNKNOWN - --fail-on must be warn or crit")
        assertOneLine(try check(["--scan-budget", "lots"]), 3, "CACHEWATCH UNKNOWN - ")
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("cw-check-\(UUID().uuidString).toml")
        defer { try? FileManager.default.removeItem(at: config) }
        try "[census]\nscan_budget = \"fast\"\n".write(to: config, atomically: true, encoding: .utf8)
        assertOneLine(try check(["--config", config.path]), 3, "CACHEWATCH UNKNOWN - \(config.path):2: scan_budget must be an integer")
        XCTAssertEqual(try CLIRunner.run(["check", "--help"]).status, 0, "--help is not an error")
        XCTAssertEqual(try CLIRunner.run(["snapshot", "--bogus"]).status, 64, "other commands keep ArgumentParser's 64")
    }

    func testJSONCarriesTheVerdictAndTheFindings() throws {
        let result = try check(["-p", port, "-n", "2", "--json"])
        XCTAssertEqual(result.status, 1, result.stderr)
        let document = try OrderedJSON.parse(result.stdout)
        XCTAssertEqual(document.keys, ["taken_at", "status", "exit_code", "fail_on", "summary", "line", "findings"])
        XCTAssertEqual(document["status"], .string("WARNING"))
        XCTAssertEqual(document["exit_code"], .number("1"))
        let finding = try XCTUnwrap(document["findings"]?.elements.first)
        XCTAssertEqual(finding.keys, ["severity", "code", "pattern", "message", "evidence"])
        XCTAssertEqual(finding["evidence"]?["keys_without_ttl"], .number("20"))
    }
}
