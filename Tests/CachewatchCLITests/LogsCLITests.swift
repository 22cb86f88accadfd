import Foundation
import TestSupport
import XCTest

/// Fail-open counting through `cachewatch snapshot --json --log …`: the five log formats, exact 1/5/15-minute
/// windows, Redis unreachable, and stdin.
final class LogsCLITests: XCTestCase {
    private static let shared = SharedRedisServer()
    private var directory: TempDirectory!

    override class func setUp() {
        super.setUp()
        shared.start()
    }

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    override func setUpWithError() throws {
        directory = try TempDirectory("logs")
    }

    override func tearDown() {
        directory?.cleanup()
        directory = nil
        super.tearDown()
    }

    // MARK: - A log with events at known ages

    /// Fail-open events at 20 min (1, outside the 15 min backfill), 10 min (2), 3 min (3) and 30 s ago (4), in
    /// chronological order, with noise lines and (for the text formats) a traceback that must not count.
    private struct GeneratedLog {
        var text = ""
        /// Lines from the first one inside the backfill window on (what `lines` reports).
        var linesInWindow = 0
        static let expected = (last1m: 4, last5m: 7, last15m: 9, inWindow: 9, all: 10)
        static let errors = ["Connection refused": 4, "Timeout reading from socket": 3, "Backend 'redis' is not available.": 2]

        init(_ format: LogLineWriter.Format, now: Date) {
            let plan: [(secondsAgo: Double, events: Int, error: String)] = [
                (1200, 1, "Connection refused"), (600, 2, "Backend 'redis' is not available."),
                (180, 3, "Timeout reading from socket"), (30, 4, "Connection refused"),
            ]
            var number = 0
            var inWindow = false
            func add(_ chunk: String, at time: Date) {
                if !inWindow && now.timeIntervalSince(time) <= 900 { inWindow = true }
                text += chunk
                if inWindow { linesInWindow += chunk.split(separator: "\n", omittingEmptySubsequences: false).count - 1 }
            }
            add(LogLineWriter.noise(format, at: now.addingTimeInterval(-1500), number: number), at: now.addingTimeInterval(-1500))
            for step in plan {
                let time = now.addingTimeInterval(-step.secondsAgo)
                for _ in 0..<step.events {
                    number += 1
                    add(LogLineWriter.noise(format, at: time, number: number), at: time)
                    add(LogLineWriter.failOpen(format, at: time, error: step.error), at: time)
                }
                if format == .detailed || format == .classic { add(LogLineWriter.traceback, at: time) }
            }
        }
    }

    private func failOpen(_ document: [String: Any]) throws -> [String: Any] {
        let logs = try XCTUnwrap(document["logs"] as? [String: Any], "logs present")
        return try XCTUnwrap(logs["fail_open"] as? [String: Any])
    }

    private func sources(_ document: [String: Any]) throws -> [[String: Any]] {
        let logs = try XCTUnwrap(document["logs"] as? [String: Any], "logs present")
        return try XCTUnwrap(logs["sources"] as? [[String: Any]])
    }

    // MARK: - Tests

    func testEachTimedFormatGivesExactWindowsWithRedisUnreachable() throws {
        let closed = String(closedLoopbackPort())
        for format in [LogLineWriter.Format.detailed, .classic, .structured, .json] {
            let now = Date()
            let log = GeneratedLog(format, now: now)
            let path = directory.file("\(format.rawValue).log")
            try log.text.write(toFile: path, atomically: true, encoding: .utf8)

            let result = try CLIRunner.run(["snapshot", "--json", "--log", path, "-p", closed])
            XCTAssertEqual(result.status, 1, "\(format): Redis unreachable → exit 1")
            XCTAssertEqual(stderrLines(result).count, 1, "\(format): one sentence: \(result.stderr)")
            assertNoCrash(result)
            let document = try parseJSONObject(result.stdout)
            XCTAssertTrue((document["error"] as? String)?.contains("127.0.0.1:\(closed)") == true, "\(format): error says why")
            XCTAssertTrue(document["server"] is NSNull, "\(format)")

            let source = try XCTUnwrap(try sources(document).first)
            XCTAssertEqual(source["path"] as? String, path)
            XCTAssertEqual(source["format"] as? String, format.rawValue)
            XCTAssertEqual(source["status"] as? String, "following")
            XCTAssertEqual(source["lines"] as? Int, log.linesInWindow, "\(format): lines since the backfill cutoff")
            XCTAssertEqual(source["unparsed"] as? Int, 0, "\(format)")
            XCTAssertEqual(source["truncated"] as? Int, 0, "\(format)")

            let counts = try failOpen(document)
            XCTAssertEqual(counts["last_1m"] as? Int, GeneratedLog.expected.last1m, "\(format) last_1m")
            XCTAssertEqual(counts["last_5m"] as? Int, GeneratedLog.expected.last5m, "\(format) last_5m")
            XCTAssertEqual(counts["last_15m"] as? Int, GeneratedLog.expected.last15m, "\(format) last_15m")
            XCTAssertEqual(counts["total"] as? Int, GeneratedLog.expected.inWindow, "\(format): the 20-min-old line is before the backfill")
            let perMinute = try XCTUnwrap(counts["per_minute"] as? [Int])
            XCTAssertEqual(perMinute.count, 60)
            XCTAssertEqual(perMinute.reduce(0, +), 9, "\(format) per_minute sums the last hour's events")
            XCTAssertEqual(perMinute.last, 4, "\(format): newest minute last")
            let byError = try XCTUnwrap(counts["by_error"] as? [[String: Any]])
            var errors: [String: Int] = [:]
            for entry in byError { errors[entry["error"] as? String ?? "?"] = entry["count"] as? Int }
            XCTAssertEqual(errors, ["Connection refused": 4, "Timeout reading from socket": 3, "Backend 'redis' is not available.": 2],
                           "\(format) by_error")
            XCTAssertEqual(counts["state"] as? String, "ok", "\(format): 4/min is under the default warn rate of 10")
        }
    }

    func testAllFiveFormatsTogetherAgainstALiveServer() throws {
        let server = try Self.shared.server
        let now = Date()
        var arguments = ["snapshot", "--json", "--no-census", "--interval", "0.1s", "-p", String(server.port),
                         "--warn-rate", "10", "--crit-rate", "15"]
        var paths: [String: LogLineWriter.Format] = [:]
        for format in LogLineWriter.Format.allCases {
            let path = directory.file("app-\(format.rawValue).log")
            if format == .plain {
                // Plain lines carry no time: read back during the backfill, they count in the total only.
                var text = ""
                for number in 0..<5 {
                    text += LogLineWriter.noise(.plain, at: now, number: number)
                    text += LogLineWriter.failOpen(.plain, at: now, error: "ConnectionError")
                }
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            } else {
                try GeneratedLog(format, now: now).text.write(toFile: path, atomically: true, encoding: .utf8)
            }
            arguments += ["--log", path]
            paths[path] = format
        }
        let result = try CLIRunner.run(arguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
        let document = try parseJSONObject(result.stdout)
        XCTAssertNil(document["error"])
        XCTAssertNotNil(document["server"] as? [String: Any])
        let list = try sources(document)
        XCTAssertEqual(list.count, 5)
        for source in list {
            let path = try XCTUnwrap(source["path"] as? String)
            XCTAssertEqual(source["format"] as? String, paths[path]?.rawValue, path)
            XCTAssertEqual(source["status"] as? String, "following", path)
        }
        XCTAssertEqual((list.first { ($0["path"] as? String)?.hasSuffix("plain.log") == true })?["unparsed"] as? Int, 10,
                       "plain lines are all unparsed")
        let counts = try failOpen(document)
        XCTAssertEqual(counts["last_1m"] as? Int, 4 * 4)
        XCTAssertEqual(counts["last_5m"] as? Int, 4 * 7)
        XCTAssertEqual(counts["last_15m"] as? Int, 4 * 9)
        XCTAssertEqual(counts["total"] as? Int, 4 * 9 + 5)
        XCTAssertEqual(counts["state"] as? String, "crit", "16 events in the last minute ≥ --crit-rate 15")
    }

    func testStdinLogWithTimestampsAndPlainLines() throws {
        let closed = String(closedLoopbackPort())
        let now = Date()
        let log = GeneratedLog(.detailed, now: now)
        let timed = try CLIRunner.run(["snapshot", "--json", "--log", "-", "-p", closed], stdin: Data(log.text.utf8))
        XCTAssertEqual(timed.status, 1)
        let timedDocument = try parseJSONObject(timed.stdout)
        let source = try XCTUnwrap(try sources(timedDocument).first)
        XCTAssertEqual(source["path"] as? String, "-")
        XCTAssertEqual(source["format"] as? String, "detailed")
        XCTAssertEqual(source["lines"] as? Int, log.text.filter { $0 == "\n" }.count, "every stdin line read to EOF")
        let counts = try failOpen(timedDocument)
        XCTAssertEqual(counts["last_1m"] as? Int, GeneratedLog.expected.last1m)
        XCTAssertEqual(counts["last_5m"] as? Int, GeneratedLog.expected.last5m)
        XCTAssertEqual(counts["last_15m"] as? Int, GeneratedLog.expected.last15m)
        XCTAssertEqual(counts["total"] as? Int, GeneratedLog.expected.all, "stdin has no backfill cut: every event counts")

        var plain = ""
        for number in 0..<7 {
            plain += LogLineWriter.noise(.plain, at: now, number: number)
            plain += LogLineWriter.failOpen(.plain, at: now, error: "ConnectionError")
        }
        let arrival = try CLIRunner.run(["snapshot", "--json", "--log", "-", "-p", closed], stdin: Data(plain.utf8))
        let plainCounts = try failOpen(try parseJSONObject(arrival.stdout))
        XCTAssertEqual(plainCounts["last_1m"] as? Int, 7, "plain stdin lines are timed by arrival")
        XCTAssertEqual(plainCounts["total"] as? Int, 7)
    }

    func testGlobLongLinesNULAndInvalidUTF8() throws {
        let closed = String(closedLoopbackPort())
        let now = Date()
        let logs = directory.url.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        // a.log: a 2 MB line, NUL bytes, invalid UTF-8 and an ESC sequence around 3 events.
        var a = Data(LogLineWriter.failOpen(.detailed, at: now.addingTimeInterval(-50)).utf8)
        a.append(Data(repeating: UInt8(ascii: "x"), count: 2 * 1024 * 1024))
        a.append(0x0A)
        a.append(Data(LogLineWriter.failOpen(.detailed, at: now.addingTimeInterval(-40), error: "Conn\u{1B}[2Jrefused").utf8))
        a.append(Data([0x00, 0x00, 0xFF, 0xFE, 0x0A]))
        a.append(Data(LogLineWriter.failOpen(.detailed, at: now.addingTimeInterval(-30)).utf8))
        try a.write(to: logs.appendingPathComponent("a.log"))
        // b.log: 2 events; c.txt does not match the glob.
        try (LogLineWriter.failOpen(.json, at: now.addingTimeInterval(-20)) + LogLineWriter.failOpen(.json, at: now.addingTimeInterval(-10)))
            .write(to: logs.appendingPathComponent("b.log"), atomically: true, encoding: .utf8)
        try LogLineWriter.failOpen(.json, at: now).write(to: logs.appendingPathComponent("c.txt"), atomically: true, encoding: .utf8)

        let result = try CLIRunner.run(["snapshot", "--json", "--log", logs.path + "/*.log", "-p", closed])
        XCTAssertEqual(result.status, 1)
        XCTAssertFalse(result.stdout.contains("\u{1B}"), "no raw ESC from a log line on stdout")
        let document = try parseJSONObject(result.stdout)
        let list = try sources(document)
        let byName = Dictionary(list.compactMap { source in (source["path"] as? String).map { (($0 as NSString).lastPathComponent, source) } },
                                uniquingKeysWith: { first, _ in first })
        XCTAssertEqual(Set(byName.keys), ["a.log", "b.log"], "the glob's matches, not c.txt: \(list)")
        XCTAssertEqual(byName["a.log"]?["truncated"] as? Int, 1, "the 2 MB line is cut and counted")
        XCTAssertEqual(byName["a.log"]?["format"] as? String, "detailed")
        XCTAssertEqual(byName["b.log"]?["format"] as? String, "json")
        let counts = try failOpen(document)
        XCTAssertEqual(counts["last_1m"] as? Int, 5, "no line after the long one, the NULs or the bad bytes was lost")
        XCTAssertEqual(counts["total"] as? Int, 5)
        let errors = try XCTUnwrap(counts["by_error"] as? [[String: Any]]).compactMap { $0["error"] as? String }
        XCTAssertFalse(errors.contains { $0.unicodeScalars.contains { $0.value < 0x20 } }, "error texts escaped: \(errors)")
    }

    func testBackfillWindowLimitsWhatIsReadBack() throws {
        let path = directory.file("backfill.log")
        try GeneratedLog(.classic, now: Date()).text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["snapshot", "--json", "--log", path, "--backfill", "5m", "-p", String(closedLoopbackPort())])
        let counts = try failOpen(try parseJSONObject(result.stdout))
        XCTAssertEqual(counts["last_1m"] as? Int, 4)
        XCTAssertEqual(counts["last_5m"] as? Int, 7)
        XCTAssertEqual(counts["last_15m"] as? Int, 7, "the 10-minute-old events are before --backfill 5m")
        XCTAssertEqual(counts["total"] as? Int, 7)
    }

    func testLogTimeZoneAppliesToNaiveTimestamps() throws {
        // Naive timestamps written in a zone far from the machine's: only --log-tz places them right.
        let zone = try XCTUnwrap(TimeZone(identifier: TimeZone.current.secondsFromGMT() == 9 * 3600 ? "America/New_York" : "Asia/Tokyo"))
        let now = Date()
        var text = ""
        for (secondsAgo, count) in [(600.0, 2), (120.0, 3), (20.0, 1)] {
            for _ in 0..<count {
                text += LogLineWriter.line(.detailed, at: now.addingTimeInterval(-secondsAgo),
                                           message: "Cache backend not available: Connection refused", timeZone: zone)
            }
        }
        let path = directory.file("zoned.log")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["snapshot", "--json", "--log", path, "--log-tz", zone.identifier, "-p", String(closedLoopbackPort())])
        let counts = try failOpen(try parseJSONObject(result.stdout))
        XCTAssertEqual(counts["last_1m"] as? Int, 1)
        XCTAssertEqual(counts["last_5m"] as? Int, 4)
        XCTAssertEqual(counts["last_15m"] as? Int, 6)
        XCTAssertEqual(counts["total"] as? Int, 6)
    }

    func testMissingLogIsReportedNotFatal() throws {
        let server = try Self.shared.server
        let path = directory.file("not-yet.log")
        let result = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "0.1s", "-p", String(server.port), "--log", path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let source = try XCTUnwrap(try sources(try parseJSONObject(result.stdout)).first)
        XCTAssertEqual(source["status"] as? String, "missing")
        XCTAssertEqual(source["lines"] as? Int, 0)
    }
}
