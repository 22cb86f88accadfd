import XCTest
@testable import CachewatchCore

final class ConfigFileTests: XCTestCase {
    func testReadsEveryKey() throws {
        let text = """
        theme = "high-contrast"
        bell = true
        interval = "2s"

        [census]
        scan_budget = 2000
        max_families = 50
        memory = true
        enabled = false

        [logs]
        paths = ["logs/app.log", "-"]
        backfill = "30m"
        tz = "UTC"
        warn_rate = 5
        crit_rate = 20.5
        alert_window = "2m"
        for = "30s"
        stale = "10m"
        """
        let config = try ConfigFile.parse(text, file: "c.toml")
        XCTAssertEqual(config.theme, "high-contrast")
        XCTAssertEqual(config.bell, true)
        XCTAssertEqual(config.interval, "2s")
        XCTAssertEqual(config.scanBudget, 2000)
        XCTAssertEqual(config.maxFamilies, 50)
        XCTAssertEqual(config.memory, true)
        XCTAssertEqual(config.censusEnabled, false)
        XCTAssertEqual(config.logPaths, ["logs/app.log", "-"])
        XCTAssertEqual(config.backfill, "30m")
        XCTAssertEqual(config.logTimeZone, "UTC")
        XCTAssertEqual(config.warnRate, 5)
        XCTAssertEqual(config.critRate, 20.5)
        XCTAssertEqual(config.alertWindow, "2m")
        XCTAssertEqual(config.forDuration, "30s")
        XCTAssertEqual(config.stale, "10m")
        XCTAssertNil(config.ascii)
    }

    func testErrorsNameFileAndLine() {
        let cases: [(String, String)] = [
            ("theme = 3\n", "c.toml:1: theme must be a string, not an integer"),
            ("\n[census]\nscan_budget = 0\n", "c.toml:3: scan_budget must be between 1 and 10000000"),
            ("[logs]\nbackfill = \"soon\"\n", "c.toml:2: backfill must be between 0s and 7d, not \"soon\""),
            ("colour = \"red\"\n", "c.toml:1: unknown key colour at the top level"),
            ("[redis]\nhost = \"x\"\n", "c.toml:1: unknown section [redis] (known: [connection], [census], [logs], [findings], [check], [[silence]])"),
            ("[census]\nscan_budget = \"fast\"\n", "c.toml:2: scan_budget must be an integer, not a string"),
            ("census.scan_budget = 1.5\n", "c.toml:1: scan_budget must be an integer, not a float"),
            ("[logs]\nwarn_rate = nan\n", "c.toml:2: warn_rate must be a finite number"),
            ("[logs]\nwarn_rate = inf\n", "c.toml:2: warn_rate must be a finite number"),
            ("[logs]\nwarn_rate = -1\n", "c.toml:2: warn_rate must be a number of at least 0"),
            ("[logs]\nwarn_rate = 0\n", "c.toml:2: warn_rate must be above 0"),
            ("[logs]\nwarn_rate = 60\ncrit_rate = 50\n", "c.toml:2: warn_rate (60.0) must not be above crit_rate (50.0)"),
            ("[connection]\nport = 70000\n", "c.toml:2: port must be between 1 and 65535"),
            ("[connection]\npassword = \"x\"\npassword_env = \"P\"\n", "c.toml:3: give password or password_env, not both"),
            ("[findings]\nhit_ratio_warn = 1.5\n", "c.toml:2: hit_ratio_warn must be between 0 and 1"),
            ("[findings]\npaginated_ttl_max = 300\n", "c.toml:2: paginated_ttl_max must be a string, not an integer"),
            ("[findings]\nbogus = 1\n", "c.toml:2: unknown key bogus in [findings]"),
            ("[silence]\ncode = \"no-ttl\"\n", "c.toml:1: silence must be written [[silence]] (one table per entry)"),
            ("[[silence]]\nreason = \"x\"\n", "c.toml:1: a [[silence]] needs a code, a pattern, or both"),
            ("[[silence]]\ncode = \"a\"\n[[silence]]\n", "c.toml:3: a [[silence]] needs a code, a pattern, or both"),
            ("[[silence]]\ncode = \"a\"\ncolor = 1\n", "c.toml:3: unknown key color in [[silence]] (expected code, pattern, reason)"),
            ("[check]\nfail_on = \"warning\"\n", "c.toml:2: fail_on must be \"warn\" or \"crit\""),
            ("[census]\nmax_families = 99999999999999999999\n", "c.toml:2: "),
            ("[census]\n\"scan\\u0000budget\" = 1\n", "c.toml:2: unknown key scan in [census]"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try ConfigFile.parse(text, file: "c.toml"), expected) { error in
                if expected.hasSuffix(": ") {
                    XCTAssertTrue(String(describing: error).hasPrefix(expected), "\(error)")
                } else {
                    XCTAssertEqual(String(describing: error), expected)
                }
            }
        }
    }

    func testDefaultPathPrefersExplicitThenXDGThenHome() {
        XCTAssertEqual(ConfigFile.defaultPath(environment: ["CACHEWATCH_CONFIG": "/x.toml", "HOME": "/h"]), "/x.toml")
        XCTAssertEqual(ConfigFile.defaultPath(environment: ["XDG_CONFIG_HOME": "/cfg", "HOME": "/h"]), "/cfg/cachewatch/config.toml")
        XCTAssertEqual(ConfigFile.defaultPath(environment: ["HOME": "/h"]), "/h/.config/cachewatch/config.toml")
        XCTAssertNil(ConfigFile.defaultPath(environment: [:]))
    }

    // MARK: - New sections

    func testConnectionFindingsSilencesAndCheck() throws {
        let text = """
        [connection]
        host = "cache.internal"
        port = 6380
        db = 2
        user = "watcher"
        password_env = "MY_REDIS_PASS"
        connect_timeout = "3s"

        [findings]
        hit_ratio_warn = 0.9
        hit_ratio_crit = 0.6
        paginated_ttl_max = "10m"
        generic_prefixes = ["Data", "blob"]

        [check]
        fail_on = "crit"

        [[silence]]
        code = "no-ttl"
        pattern = "cart:{id}:items"

        [[silence]]
        code = "keys-command"
        """
        let config = try ConfigFile.parse(text, file: "c.toml")
        XCTAssertEqual(config.connection.host, "cache.internal")
        XCTAssertEqual(config.connection.port, 6380)
        XCTAssertEqual(config.connection.db, 2)
        XCTAssertEqual(config.connection.user, "watcher")
        XCTAssertEqual(config.connection.passwordEnv, "MY_REDIS_PASS")
        XCTAssertEqual(config.connection.connectTimeout, "3s")
        XCTAssertEqual(config.thresholds.hitRatioWarn, 0.9)
        XCTAssertEqual(config.thresholds.hitRatioCrit, 0.6)
        XCTAssertEqual(config.thresholds.paginatedTTLMaxSeconds, 600)
        XCTAssertEqual(config.thresholds.genericPrefixes, ["data", "blob"])
        XCTAssertEqual(config.thresholds.memoryCritFraction, 0.95, "untouched thresholds keep their defaults")
        XCTAssertEqual(config.checkFailOn, "crit")
        XCTAssertEqual(config.silences, [FindingSilence(code: "no-ttl", pattern: "cart:{id}:items"),
                                         FindingSilence(code: "keys-command", pattern: nil)])
        XCTAssertTrue(config.warnings.isEmpty)
    }

    func testAPasswordInAFileOthersCanReadIsAWarning() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("config.toml").path
        try "[connection]\npassword = \"hunter2\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let open = try ConfigFile.load(path: path)
        XCTAssertEqual(open.connection.password, "hunter2")
        XCTAssertEqual(open.warnings.count, 1)
        XCTAssertTrue(open.warnings[0].contains("others can read it (mode 644)"), open.warnings[0])
        XCTAssertFalse(open.warnings[0].contains("hunter2"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        XCTAssertTrue(try ConfigFile.load(path: path).warnings.isEmpty)
    }

    func testInvalidUTF8NamesTheLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cw-bad-\(UUID().uuidString).toml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        FileManager.default.createFile(atPath: path, contents: Data("a = 1\nb = \"".utf8) + Data([0xff, 0x22, 0x0a]))
        XCTAssertThrowsError(try ConfigFile.load(path: path)) { error in
            XCTAssertEqual(String(describing: error), "\(path):2: the file is not valid UTF-8")
        }
    }

    // MARK: - examples/config.toml

    private static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/config.toml").path

    func testTheShippedExampleParsesToTheDefaults() throws {
        let config = try ConfigFile.load(path: Self.example)
        XCTAssertEqual(config.thresholds, FindingThresholds())
        XCTAssertEqual(config.scanBudget, 5000)
        XCTAssertEqual(config.warnRate, 10)
        XCTAssertEqual(config.critRate, 50)
        XCTAssertEqual(config.checkFailOn, "warn")
        XCTAssertTrue(config.silences.isEmpty)
        XCTAssertEqual(config.deployPatterns, DeployLines.defaultPatterns)
    }

    func testDeployPatterns() throws {
        let config = try ConfigFile.parse("[logs]\ndeploy_patterns = [\"Booting worker\"]\n", file: "c.toml")
        XCTAssertEqual(config.deployPatterns, ["Booting worker"])
        XCTAssertThrowsError(try ConfigFile.parse("[logs]\ndeploy_patterns = [\"\"]\n", file: "c.toml")) { error in
            XCTAssertEqual(String(describing: error),
                           "c.toml:2: deploy_patterns must hold at most 20 non-empty strings of at most 200 bytes each")
        }
        XCTAssertThrowsError(try ConfigFile.parse("[logs]\ndeploy_patterns = \"x\"\n", file: "c.toml"))
    }

    func testTheShippedExampleWithItsCommentedOptionsTurnedOnParses() throws {
        let text = try String(contentsOfFile: Self.example, encoding: .utf8)
        let lines = text.components(separatedBy: "\n").map { line -> String in
            guard line.hasPrefix("# "), !line.contains("password ="),
                  line.dropFirst(2).range(of: #"^(\[\[silence\]\]|[a-z_]+ = )"#, options: .regularExpression) != nil else { return line }
            return String(line.dropFirst(2))
        }
        let config = try ConfigFile.parse(lines.joined(separator: "\n"), file: "example")
        XCTAssertEqual(config.connection.host, "127.0.0.1")
        XCTAssertEqual(config.connection.passwordEnv, "CACHE_REDIS_PASSWORD")
        XCTAssertEqual(config.logTimeZone, "UTC")
        XCTAssertEqual(config.silences, [FindingSilence(code: "no-ttl", pattern: "cart:{id}:items")])
        // Every key the README documents for the config is in the example.
        for key in ["theme", "bell", "ascii", "interval", "host", "port", "socket", "db", "user", "password_env", "password",
                    "connect_timeout", "enabled", "scan_budget", "max_families", "memory", "paths", "backfill", "tz", "warn_rate",
                    "crit_rate", "alert_window", "for", "stale", "paginated_ttl_max", "search_ttl_max", "mixed_ttl_ratio",
                    "mixed_ttl_min_difference", "free_text_min_length", "generic_prefixes", "scan_per_second", "keys_per_minute",
                    "hit_ratio_warn", "hit_ratio_crit", "hit_ratio_min_lookups", "evictions_warn", "evictions_crit", "memory_warn",
                    "memory_crit", "cache_ttl_share", "errors_per_minute", "error_codes", "fail_on", "code", "pattern", "reason"] {
            XCTAssertNotNil(text.range(of: "\n(# )?\(key) = ", options: .regularExpression), key)
        }
    }
}
