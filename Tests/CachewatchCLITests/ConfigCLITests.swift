import Foundation
import TestSupport
import XCTest

/// `--config` / `CACHEWATCH_CONFIG`: defaults under the flags, errors as `file:line: reason`.
final class ConfigCLITests: XCTestCase {
    private var server: RedisServerFixture!
    private var directory: TempDirectory!

    override func setUpWithError() throws {
        do { server = try RedisServerFixture() } catch { throw prerequisiteMissing("redis-server could not be started") }
        directory = try TempDirectory("config")
    }

    override func tearDown() {
        server?.teardown()
        directory?.cleanup()
        super.tearDown()
    }

    private func writeConfig(_ text: String) throws -> String {
        let path = directory.file("config.toml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func failOpen(_ result: CLIRunner.Result) throws -> [String: Any] {
        let document = try parseJSONObject(result.stdout)
        let logs = try XCTUnwrap(document["logs"] as? [String: Any])
        return try XCTUnwrap(logs["fail_open"] as? [String: Any])
    }

    func testConfigSuppliesLogsAndThresholdsAndFlagsWin() throws {
        let log = directory.file("app.log")
        try append("plain line\n", to: log)
        let config = try writeConfig("""
        [logs]
        paths = ["\(log)"]
        warn_rate = 3
        crit_rate = 7

        [census]
        enabled = true
        max_families = 1
        """)
        let fromFile = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "200ms", "-p", String(server.port), "--config", config])
        XCTAssertEqual(fromFile.status, 0, fromFile.stderr)
        var failOpen = try failOpen(fromFile)
        XCTAssertEqual(failOpen["warn_per_minute"] as? Double, 3)
        XCTAssertEqual(failOpen["crit_per_minute"] as? Double, 7)

        let overridden = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "200ms", "-p", String(server.port),
                                            "--warn-rate", "4"], environment: ["CACHEWATCH_CONFIG": config])
        XCTAssertEqual(overridden.status, 0, overridden.stderr)
        failOpen = try self.failOpen(overridden)
        XCTAssertEqual(failOpen["warn_per_minute"] as? Double, 4, "the flag beats the file")
        XCTAssertEqual(failOpen["crit_per_minute"] as? Double, 7, "the file still supplies what no flag gave")
    }

    func testMalformedConfigFailsWithFileAndLine() throws {
        let config = try writeConfig("theme = \"default\"\n\n[census]\nscan_budget = \"fast\"\n")
        let result = try CLIRunner.run(["snapshot", "--json", "-p", String(server.port), "--config", config])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, "cachewatch: \(config):4: scan_budget must be an integer, not a string\n")
    }

    func testMissingExplicitConfigIsAnError() throws {
        let result = try CLIRunner.run(["snapshot", "-p", String(server.port), "--config", directory.file("absent.toml")])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("Cannot read the config file"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1)
    }

    // MARK: - [connection]

    private func address(_ result: CLIRunner.Result) throws -> String? {
        let target = try parseJSONObject(result.stdout)["target"] as? [String: Any]
        return target?["address"] as? String
    }

    func testConnectionFromTheFileIsTheLowestLayer() throws {
        let config = try writeConfig("[connection]\nhost = \"127.0.0.1\"\nport = \(server.port)\n")
        let fromFile = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "200ms", "--config", config])
        XCTAssertEqual(fromFile.status, 0, fromFile.stderr)
        XCTAssertEqual(try address(fromFile), "127.0.0.1:\(server.port)")
        // The app's environment is above the file; a flag above both.
        let closed = freeLoopbackPort()
        let fromEnvironment = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "200ms", "--config", config],
                                                environment: ["CACHE_REDIS_PORT": String(closed)])
        XCTAssertEqual(fromEnvironment.status, 1, "CACHE_REDIS_PORT beats the file: \(fromEnvironment.stderr)")
        XCTAssertTrue(fromEnvironment.stderr.contains(":\(closed)"), fromEnvironment.stderr)
        let fromFlag = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "200ms", "--config", config, "-p", String(closed)])
        XCTAssertEqual(fromFlag.status, 1, fromFlag.stderr)
    }

    func testPasswordEnvAndTheReadablePasswordWarning() throws {
        let locked = try RedisServerFixture(options: .init(password: "s3cret-pw"))
        defer { locked.teardown() }
        let byName = try writeConfig("[connection]\nport = \(locked.port)\npassword_env = \"MY_CACHE_PASS\"\n")
        let ok = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "200ms", "--config", byName],
                                   environment: ["MY_CACHE_PASS": "s3cret-pw"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.stderr, "", "no warning for password_env")
        let unset = try CLIRunner.run(["snapshot", "--json", "--no-census", "--config", byName])
        XCTAssertEqual(unset.status, 1)
        XCTAssertTrue(unset.stderr.contains("names the password variable MY_CACHE_PASS (password_env), but it is not set"), unset.stderr)

        let inFile = try writeConfig("[connection]\nport = \(locked.port)\npassword = \"s3cret-pw\"\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: inFile)
        let warned = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "200ms", "--config", inFile])
        XCTAssertEqual(warned.status, 0, warned.stderr)
        XCTAssertTrue(warned.stderr.contains("holds a password and others can read it (mode 644)"), warned.stderr)
        XCTAssertFalse(warned.stderr.contains("s3cret-pw") || warned.stdout.contains("s3cret-pw"), "the password is never printed")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: inFile)
        let quiet = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "200ms", "--config", inFile])
        XCTAssertEqual(quiet.status, 0, quiet.stderr)
        XCTAssertEqual(quiet.stderr, "")
    }
}
