import CachewatchCore
import Foundation
import XCTest

/// Parses fixture files line by line with a fresh processor (UTC for naive timestamps).
struct FixtureRun {
    var processor: LogLineProcessor
    var events: [FailOpenEvent] = []

    init(_ name: String, timeZone: TimeZone = TimeZone(identifier: "UTC")!,
         matcher: FailOpenMatcher = FailOpenMatcher(), arrival: Date = Date(timeIntervalSince1970: 2_000_000_000)) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
        let data = try Data(contentsOf: url)
        processor = LogLineProcessor(timeZone: timeZone, matcher: matcher)
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
            if let event = processor.process(Array(line), arrival: arrival) { events.append(event) }
        }
    }
}

func utc(_ text: String) -> Date {
    var parser = LogTimestampParser(timeZone: TimeZone(identifier: "UTC")!)
    return parser.parse(Array(text.utf8))!
}

final class LogParserTests: XCTestCase {
    // MARK: - Formats

    func testDetailedFixture() throws {
        let run = try FixtureRun("logs-detailed.log")
        XCTAssertEqual(run.processor.formatName, "detailed")
        XCTAssertEqual(run.processor.lines, 12)
        XCTAssertEqual(run.processor.continuations, 4, "Traceback, File, code and exception lines")
        XCTAssertEqual(run.processor.unparsed, 1)
        XCTAssertEqual(run.events.map(\.match.error),
                       ["Backend 'redis' is not available.", "Connection refused", "ConnectionError", "TimeoutError"])
        XCTAssertEqual(run.events.map(\.timestamp), [utc("2026-11-26 22:30:02"), utc("2026-11-26 22:30:03"),
                                                     utc("2026-11-26 22:30:05"), utc("2026-11-26 22:30:07")])
        XCTAssertEqual(run.events.compactMap(\.match.family), ["user_5_widgets:page_1:size_10:5", "widget:42"])
        XCTAssertTrue(run.events.allSatisfy(\.timed))
    }

    func testClassicFixture() throws {
        let run = try FixtureRun("logs-classic.log")
        XCTAssertEqual(run.processor.formatName, "classic")
        XCTAssertEqual(run.processor.lines, 5)
        XCTAssertEqual(run.processor.unparsed, 0)
        XCTAssertEqual(run.events.map(\.match.error), ["Timeout reading from socket", "Timeout reading from socket"])
        XCTAssertEqual(run.events.first?.timestamp, utc("2026-11-26 22:30:02.456"))
    }

    func testStructuredFixture() throws {
        let run = try FixtureRun("logs-structured.log")
        XCTAssertEqual(run.processor.formatName, "structured")
        XCTAssertEqual(run.events.count, 3)
        XCTAssertEqual(run.events.map(\.match.error), ["Backend 'redis' is not available.", "ConnectionError", "\"quoted\" error"])
        XCTAssertEqual(run.events[1].match.key, Array("it's:1".utf8))
        XCTAssertEqual(run.events[1].timestamp, utc("2026-11-26 22:30:03"), "+01:00 offset applied")
        XCTAssertEqual(run.events[0].timestamp, utc("2026-11-26 22:30:02.5"))
    }

    func testJSONFixture() throws {
        let run = try FixtureRun("logs-json.log")
        XCTAssertEqual(run.processor.lines, 6)
        XCTAssertEqual(run.processor.unparsed, 1, "the broken object")
        XCTAssertEqual(run.events.map(\.match.error), ["Connection refused", "ConnectionError", "Timeout reading from socket"])
        XCTAssertEqual(run.events.map(\.timestamp), [utc("2026-11-26 22:30:02"), utc("2026-11-26 22:30:03"),
                                                     utc("2026-11-26 22:30:04.5")])
        XCTAssertEqual(run.events[1].match.family, "widget:7")
    }

    func testPlainFixtureUsesArrivalTimeAndFindsPrefixAnywhere() throws {
        let arrival = Date(timeIntervalSince1970: 1_800_000_000)
        let run = try FixtureRun("logs-plain.log", arrival: arrival)
        XCTAssertEqual(run.processor.formatName, "plain")
        XCTAssertEqual(run.processor.unparsed, 4)
        XCTAssertEqual(run.events.map(\.match.error), ["Connection refused", "ConnectionError"])
        XCTAssertEqual(run.events.map(\.timestamp), [arrival, arrival])
    }

    func testFormatIsReportedPerSourceAndSwitches() {
        var processor = LogLineProcessor(timeZone: TimeZone(identifier: "UTC")!)
        XCTAssertEqual(processor.formatName, "unknown")
        _ = processor.process(Array("{\"message\": \"x\", \"level\": \"INFO\"}".utf8), arrival: Date())
        XCTAssertEqual(processor.formatName, "json")
        _ = processor.process(Array("2026-11-26 22:30:01 [    INFO] a: b".utf8), arrival: Date())
        XCTAssertEqual(processor.formatName, "detailed")
    }

    // MARK: - Timestamps

    func testNaiveTimestampsUseTheGivenZone() {
        var berlin = LogTimestampParser(timeZone: TimeZone(identifier: "Europe/Berlin")!)
        XCTAssertEqual(berlin.parse(Array("2026-11-26 23:30:01".utf8)), utc("2026-11-26 22:30:01"), "CET is UTC+1 in November")
        XCTAssertEqual(berlin.parse(Array("2026-07-01 12:00:00".utf8)), utc("2026-07-01 10:00:00"), "CEST is UTC+2 in July")
        XCTAssertEqual(berlin.parse(Array("2026-11-26T22:30:01Z".utf8)), utc("2026-11-26 22:30:01"), "explicit zones win")
        XCTAssertEqual(berlin.parse(Array("2026-11-26T20:30:01-0200".utf8)), utc("2026-11-26 22:30:01"))
        XCTAssertNil(berlin.parse(Array("2026-13-26 22:30:01".utf8)))
        XCTAssertNil(berlin.parse(Array("not a time at all, no".utf8)))
        XCTAssertEqual(utc("2026-11-26 22:30:01").timeIntervalSince1970, 1_795_732_201)
    }

    // MARK: - Fail-open matcher

    func testErrorNormalisation() {
        let cases: [(String, String)] = [
            ("Error 111 connecting to localhost:6379. Connection refused.", "Connection refused"),
            ("Error -2 connecting to redis:6379. Name or service not known.", "Name or service not known"),
            ("redis.exceptions.ConnectionError: Error 111 connecting to 10.0.0.5:6379. Connection refused.", "Connection refused"),
            ("redis.exceptions.TimeoutError", "TimeoutError"),
            ("Timeout reading from socket", "Timeout reading from socket"),
            ("Backend 'redis' is not available.", "Backend 'redis' is not available."),
            ("   ", "(no error text)"),
        ]
        for (raw, expected) in cases {
            let bytes = Array(raw.utf8)
            XCTAssertEqual(bytes.withUnsafeBufferPointer { FailOpenMatcher.normaliseError($0) }, expected, raw)
        }
    }

    func testKeyedLinesUseTheInjectedFamilyFunction() {
        let matcher = FailOpenMatcher(familyOf: { key in String(decoding: key, as: UTF8.self).hasPrefix("user_") ? "user_{id}_widgets" : "other" })
        let found = matcher.match(message: Array("Cache unavailable while reading 'user_5_widgets:page_1': ': ConnectionError".utf8))
        XCTAssertEqual(found?.key, Array("user_5_widgets:page_1': ".utf8), "the last quote-colon ends the key")
        XCTAssertEqual(found?.family, "user_{id}_widgets")
        XCTAssertEqual(found?.error, "ConnectionError")
        XCTAssertNil(matcher.match(message: Array("Could not infer resource ID, skipping cache".utf8)))
    }

    func testConfigurablePrefixes() {
        let matcher = FailOpenMatcher(prefixes: ["Redis down:"], keyedPrefixes: [])
        XCTAssertEqual(matcher.match(message: Array("Redis down: boom".utf8))?.error, "boom")
        XCTAssertNil(matcher.match(message: Array("Cache backend not available: x".utf8)))
    }

    func testInvalidUTF8AndNULNeverCrashAndAreEscaped() {
        var processor = LogLineProcessor(timeZone: TimeZone(identifier: "UTC")!)
        let prefix = Array("2026-11-26 22:30:01 [ WARNING] a: Cache backend not available: ".utf8)
        let event = processor.process(prefix + [0xFF, 0x00, 0xC3, 0x28, 0x1B], arrival: Date())
        XCTAssertEqual(event?.match.error, "\\xff\\x00\\xc3(\\x1b")
        for junk: [UInt8] in [[0], [0xFF, 0xFE], [0x7B, 0x22], [0x7B, 0x22, 0x5C], Array("timestamp=".utf8),
                              Array("2026-11-26 22:30:01 [".utf8), Array("{\"message\": \"\\ud800\"}".utf8)] {
            _ = processor.process(junk, arrival: Date())
        }
        XCTAssertEqual(processor.lines, 8)
    }

    func testTracebackExceptionLineOutsideATracebackIsAnOrdinaryLine() {
        var processor = LogLineProcessor(timeZone: TimeZone(identifier: "UTC")!)
        XCTAssertNil(processor.process(Array("Traceback (most recent call last):".utf8), arrival: Date()))
        XCTAssertNil(processor.process(Array("ConnectionError: Cache backend not available: x".utf8), arrival: Date()))
        XCTAssertNotNil(processor.process(Array("2026-11-26 22:30:01 [ WARNING] a: Cache backend not available: y".utf8), arrival: Date()))
        XCTAssertEqual(processor.continuations, 2)
    }

    func testBackfillSkipsLinesBeforeTheCutoff() {
        var processor = LogLineProcessor(timeZone: TimeZone(identifier: "UTC")!)
        processor.notBefore = utc("2026-11-26 22:30:00")
        let old = Array("2026-11-26 22:29:59 [ WARNING] a: Cache backend not available: x".utf8)
        let new = Array("2026-11-26 22:30:00 [ WARNING] a: Cache backend not available: x".utf8)
        XCTAssertNil(processor.process(old, arrival: Date()))
        XCTAssertNil(processor.process(Array("  continuation of the old one".utf8), arrival: Date()))
        XCTAssertNotNil(processor.process(new, arrival: Date()))
        XCTAssertEqual(processor.lines, 1)
        XCTAssertNil(processor.notBefore)
    }
}
