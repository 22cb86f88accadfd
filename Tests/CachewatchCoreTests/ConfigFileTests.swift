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
            ("\n[census]\nscan_budget = 0\n", "c.toml:3: scan_budget must be at least 1"),
            ("[logs]\nbackfill = \"soon\"\n", "c.toml:2: backfill must be between 0s and 7d, not \"soon\""),
            ("colour = \"red\"\n", "c.toml:1: unknown key colour at the top level"),
            ("[redis]\nhost = \"x\"\n", "c.toml:1: unknown section [redis] (known: [census], [logs])"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try ConfigFile.parse(text, file: "c.toml"), expected) { error in
                XCTAssertEqual(String(describing: error), expected)
            }
        }
    }

    func testDefaultPathPrefersExplicitThenXDGThenHome() {
        XCTAssertEqual(ConfigFile.defaultPath(environment: ["CACHEWATCH_CONFIG": "/x.toml", "HOME": "/h"]), "/x.toml")
        XCTAssertEqual(ConfigFile.defaultPath(environment: ["XDG_CONFIG_HOME": "/cfg", "HOME": "/h"]), "/cfg/cachewatch/config.toml")
        XCTAssertEqual(ConfigFile.defaultPath(environment: ["HOME": "/h"]), "/h/.config/cachewatch/config.toml")
        XCTAssertNil(ConfigFile.defaultPath(environment: [:]))
    }
}
