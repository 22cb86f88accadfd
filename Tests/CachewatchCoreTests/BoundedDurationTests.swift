import XCTest
@testable import CachewatchCore

/// The one duration grammar and the per-option ranges (issue 8 §1).
final class BoundedDurationTests: XCTestCase {
    func testParsesUnitsAndCombinations() {
        let cases: [(String, Double)] = [("90", 90), ("1.5", 1.5), ("30s", 30), ("5m", 300), ("1m30s", 90), ("1h30m", 5400),
                                         ("250ms", 0.25), ("500ms", 0.5), ("1h", 3600), ("1d", 86400), (" 5s ", 5), ("2MIN", 120)]
        for (text, seconds) in cases {
            XCTAssertEqual(BoundedDuration.parseSeconds(text), seconds, text)
        }
    }

    func testRejectsJunkWithoutTrapping() {
        for bad in ["", " ", "m", "5x", "-5", "+5", "5m-", "1h 2m", "abc", "inf", "-inf", "nan", "1e300", "1e3s", "1m30", "..5", "5..",
                    "0x10", "\u{1b}[31m", String(repeating: "9", count: 400)] {
            XCTAssertNil(BoundedDuration.parseSeconds(bad), bad)
        }
        // Huge but well-formed values parse (to something the ranges refuse), never trap.
        XCTAssertEqual(BoundedDuration.parseSeconds("99999999999999999999h"), 99999999999999999999.0 * 3600)
    }

    func testRangesAreEnforcedPerOption() throws {
        XCTAssertEqual(try BoundedDuration("5s", bounds: .connectTimeout).seconds, 5)
        XCTAssertEqual(try BoundedDuration("500ms", bounds: .connectTimeout).milliseconds, 500)
        XCTAssertEqual(try BoundedDuration("1m", bounds: .alertWindow).seconds, 60)
        XCTAssertEqual(try BoundedDuration("0s", bounds: .holdFor).seconds, 0, "--for 0s fires at once")
        XCTAssertEqual(try BoundedDuration("0", bounds: .backfill).seconds, 0, "--backfill 0 reads nothing back")
        let refused: [(String, DurationBounds)] = [
            ("inf", .alertWindow), ("0s", .alertWindow), ("2h", .alertWindow), ("1e10", .interval), ("317y", .interval),
            ("99999999999999999999h", .interval), ("0", .interval), ("40ms", .interval), ("1e300", .commandTimeout),
            ("0", .commandTimeout), ("11m", .connectTimeout), ("8d", .stale), ("25h", .holdFor), ("0s", .demoDuration),
        ]
        for (text, bounds) in refused {
            XCTAssertThrowsError(try BoundedDuration(text, bounds: bounds), "\(bounds.flag) \(text)") { error in
                XCTAssertEqual(error as? DurationRangeError, DurationRangeError(text: text, bounds: bounds))
            }
        }
    }

    func testErrorSentences() {
        XCTAssertEqual(DurationRangeError(text: "inf", bounds: .alertWindow).description,
                       "--alert-window must be between 1s and 1h, not \"inf\".")
        XCTAssertEqual(DurationRangeError(text: "1e10", bounds: .interval).description,
                       "--interval must be between 50ms and 1h, not \"1e10\".")
        XCTAssertEqual(DurationRangeError(text: "x", bounds: .connectTimeout).message(name: "CACHE_REDIS_CONNECT_TIMEOUT"),
                       "CACHE_REDIS_CONNECT_TIMEOUT must be between 10ms and 10m, not \"x\"")
        // Bytes from the user are escaped in the sentence.
        XCTAssertEqual(DurationRangeError(text: "\u{1b}]0;x\u{07}", bounds: .stale).description,
                       "--stale must be between 1s and 7d, not \"\\x1b]0;x\\x07\".")
        XCTAssertEqual(DurationBounds.backfill.rangeText, "between 0s and 7d")
        XCTAssertEqual(DurationBounds.holdFor.rangeText, "between 0s and 24h")
    }

    func testEveryOptionHasAFiniteOrderedRange() {
        for bounds in DurationBounds.all {
            XCTAssertTrue(bounds.minimumSeconds >= 0 && bounds.minimumSeconds < bounds.maximumSeconds, bounds.flag)
            XCTAssertTrue(bounds.maximumSeconds.isFinite, bounds.flag)
            // The largest allowed value converts to milliseconds without trapping.
            XCTAssertGreaterThan(BoundedDuration(seconds: bounds.maximumSeconds, bounds: bounds).milliseconds, 0)
        }
        XCTAssertEqual(BoundedDuration(seconds: .infinity, bounds: .interval).seconds, 0.05, "defaults cannot escape the range")
    }

    func testConfigFileDurationsUseTheSameRanges() {
        let cases: [(String, String)] = [
            ("[logs]\nalert_window = \"inf\"\n", "c.toml:2: alert_window must be between 1s and 1h, not \"inf\""),
            ("\n\n\n\n\n\n[logs]\nbackfill = \"soon\"\n", "c.toml:8: backfill must be between 0s and 7d, not \"soon\""),
            ("interval = \"1e10\"\n", "c.toml:1: interval must be between 50ms and 1h, not \"1e10\""),
            ("[logs]\nfor = \"-1s\"\n", "c.toml:2: for must be between 0s and 24h, not \"-1s\""),
            ("[logs]\nstale = \"0s\"\n", "c.toml:2: stale must be between 1s and 7d, not \"0s\""),
            ("[census]\nrefresh = \"5s\"\n", "c.toml:2: refresh must be between 10s and 24h, not \"5s\""),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try ConfigFile.parse(text, file: "c.toml"), text) { error in
                XCTAssertEqual(String(describing: error), expected)
            }
        }
        XCTAssertEqual(try ConfigFile.parse("[logs]\nalert_window = \"1m30s\"\n", file: "c.toml").alertWindow, "1m30s")
        XCTAssertEqual(try ConfigFile.parse("[census]\nrefresh = \"15m\"\n", file: "c.toml").censusRefresh, "15m")
        XCTAssertThrowsError(try ConfigFile.parse("[logs]\npaths = [\"a.log\", \"\"]\n", file: "c.toml")) { error in
            XCTAssertEqual(String(describing: error), "c.toml:2: paths must not contain an empty path")
        }
    }

    func testConnectTimeoutFromEnvironmentAcceptsUnits() throws {
        for (text, seconds) in [("5s", 5.0), ("500ms", 0.5), ("2", 2.0), ("1m", 60.0)] {
            let options = try ConnectionOptions.resolve(flags: ConnectionFlags(), environment: ["CACHE_REDIS_CONNECT_TIMEOUT": text], dotEnv: [:])
            XCTAssertEqual(options.connectTimeoutSeconds, seconds, text)
            let fromDotEnv = try ConnectionOptions.resolve(flags: ConnectionFlags(), environment: [:], dotEnv: ["CACHE_REDIS_CONNECT_TIMEOUT": text])
            XCTAssertEqual(fromDotEnv.connectTimeoutSeconds, seconds, text)
        }
        XCTAssertThrowsError(try ConnectionOptions.resolve(flags: ConnectionFlags(), environment: ["CACHE_REDIS_CONNECT_TIMEOUT": "inf"], dotEnv: [:])) { error in
            XCTAssertEqual((error as? ConnectionOptionsError)?.message,
                           "CACHE_REDIS_CONNECT_TIMEOUT in the environment must be between 10ms and 10m, not \"inf\".")
        }
    }
}
