@testable import CachewatchCore
import Foundation
import XCTest

final class RecordingFormatTests: XCTestCase {
    private let start = Date(timeIntervalSince1970: 1_795_000_000)   // 2026-11-18T09:46:40Z

    private func header(version: Int = 1) -> RecordingHeader {
        RecordingHeader(version: version, cachewatchVersion: "1.0", target: .object([("host", .string("127.0.0.1"))]),
                        startedAt: start, intervalSeconds: 1)
    }

    private func document(_ second: Int, census: JSONValue?) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("schema", .int(1)), ("taken_at", .string(ISOTime.format(start.addingTimeInterval(Double(second)))))]
        if let census { pairs.append(("census", census)) }
        pairs.append(("findings", .array([])))
        return .object(pairs)
    }

    func testParserRoundTripsWhatTheSerializerWrites() throws {
        let values: [JSONValue] = [
            .object([("a", .int(-3)), ("b", .double(0.123456)), ("c", .string("tab\t\"q\" \u{1} é 🎉 \u{2028}")),
                     ("d", .array([.null, .bool(true), .bool(false), .double(1e20), .double(-2.5)])), ("e", .object([]))]),
            .array([]), .int(Int.max), .double(1234567.000001),
        ]
        for value in values {
            let text = value.serialized()
            XCTAssertEqual(try JSONParser.parse(text).serialized(), text)
            XCTAssertEqual(try JSONParser.parse(value.prettyPrinted()).serialized(), text)
        }
    }

    func testParserRejectsHostileInputWithAnError() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        for text in ["", "{", "[1,", "\"abc", "{\"a\" 1}", "tru", "1e999", "-", "\"\\u12\"", "\"\\uzzzz\"", "[1] x", deep, "\"\u{1}\""] {
            XCTAssertThrowsError(try JSONParser.parse(text), text.prefix(20).description)
        }
        XCTAssertEqual(try JSONParser.parse("\"\\ud83c\\udf89\""), .string("🎉"))
        XCTAssertEqual(try JSONParser.parse("\"\\ud83c\""), .string("\u{FFFD}"))
        XCTAssertEqual(try JSONParser.parse("99999999999999999999"), .double(1e20))
    }

    func testEncoderWritesACensusOnlyWhenItChanges() throws {
        var encoder = RecordingEncoder()
        let censusA: JSONValue = .object([("db", .int(0)), ("families", .array([.string("a")]))])
        let censusB: JSONValue = .object([("db", .int(0)), ("families", .array([.string("b")]))])
        let lines = [
            encoder.entryLine(document: document(0, census: nil)),
            encoder.entryLine(document: document(1, census: censusA)),
            encoder.entryLine(document: document(2, census: censusA)),
            encoder.entryLine(document: document(3, census: censusB)),
            encoder.entryLine(document: document(4, census: censusB)),
        ]
        XCTAssertFalse(lines[0].contains("census"))
        XCTAssertTrue(lines[1].contains("\"census\":{"))
        XCTAssertTrue(lines[2].contains("\"census_ref\":2,\"findings\""), lines[2])
        XCTAssertTrue(lines[3].contains("\"census\":{"))
        XCTAssertTrue(lines[4].contains("\"census_ref\":4"))

        var decoder = RecordingDecoder()
        XCTAssertEqual(decoder.decode(line: Array(encoder.headerLine(header()).utf8)), .header(header()))
        for (second, line) in lines.enumerated() {
            guard case let .document(recorded) = decoder.decode(line: Array(line.utf8)) else { return XCTFail("line \(second)") }
            let census: JSONValue? = second == 0 ? nil : second < 3 ? censusA : censusB
            XCTAssertEqual(recorded.document.serialized(), document(second, census: census).serialized())
            XCTAssertEqual(recorded.takenAt, start.addingTimeInterval(Double(second)))
        }
        XCTAssertNil(decoder.firstProblem)

        // The printer reuses a census's text across documents and prints exactly what serialized() does.
        var replay = RecordingDecoder()
        var printer = RecordedDocumentPrinter()
        _ = replay.decode(line: Array(encoder.headerLine(header()).utf8))
        for (second, line) in lines.enumerated() {
            guard case let .document(recorded) = replay.decode(line: Array(line.utf8)) else { return XCTFail("line \(second)") }
            XCTAssertEqual(printer.line(recorded), recorded.document.serialized())
        }
        XCTAssertEqual(printer.line(RecordedDocument(takenAt: start, document: .object([]), censusEntry: 3)), "{}")
    }

    /// Version 2: every `watch` document carries the whole timeline; a recording stores it when it changed and
    /// `events_ref` otherwise (a large timeline no longer fits deflate's window: it would cost its size every entry).
    func testEncoderWritesEventsOnlyWhenTheyChangeAndTheDecoderPutsThemBack() throws {
        func document(_ second: Int, events: [String]?) -> JSONValue {
            var pairs: [(String, JSONValue)] = [("schema", .int(1)), ("taken_at", .string(ISOTime.format(start.addingTimeInterval(Double(second)))))]
            pairs.append(("findings", .array([])))
            if let events { pairs.append(("events", .array(events.map { .object([("kind", .string($0))]) }))) }
            return .object(pairs)
        }
        let timeline: [[String]?] = [[], [], ["restart"], ["restart"], ["restart"], ["deploy", "restart"], nil, ["deploy", "restart"]]
        var encoder = RecordingEncoder()
        let lines = timeline.enumerated().map { encoder.entryLine(document: document($0.offset, events: $0.element)) }
        XCTAssertTrue(lines[1].hasSuffix("\"events\":[]}"), "an empty timeline is written as it is: \(lines[1])")
        XCTAssertTrue(lines[2].contains("\"events\":[{"))
        XCTAssertTrue(lines[3].hasSuffix("\"events_ref\":3}"), lines[3])
        XCTAssertTrue(lines[4].hasSuffix("\"events_ref\":3}"), lines[4])
        XCTAssertTrue(lines[5].contains("\"events\":[{"))
        XCTAssertTrue(lines[7].hasSuffix("\"events_ref\":6}"), "a document without events in between changes nothing: \(lines[7])")

        var decoder = RecordingDecoder()
        XCTAssertEqual(decoder.decode(line: Array(encoder.headerLine(header(version: RecordingHeader.currentVersion)).utf8)),
                       .header(header(version: 2)))
        for (second, line) in lines.enumerated() {
            guard case let .document(recorded) = decoder.decode(line: Array(line.utf8)) else { return XCTFail("line \(second)") }
            XCTAssertEqual(recorded.document.serialized(), document(second, events: timeline[second]).serialized(), "entry \(second + 1)")
        }
        XCTAssertNil(decoder.firstProblem)

        // A reference to events that are not in the file drops them from that document, said once.
        var damaged = RecordingDecoder()
        _ = damaged.decode(line: Array(encoder.headerLine(header(version: 2)).utf8))
        guard case let .document(orphan) = damaged.decode(line: Array(lines[3].utf8)) else { return XCTFail("orphan") }
        XCTAssertNil(orphan.document["events"])
        XCTAssertNil(orphan.document["events_ref"])
        XCTAssertEqual(damaged.firstProblem, "line 2 refers to events that are not in the file")
    }

    func testDecoderRejectsWhatIsNotARecordingAndReadsOlderVersions() {
        var decoder = RecordingDecoder()
        guard case .fatal = decoder.decode(line: Array("{\"schema\":1}".utf8)) else { return XCTFail("no header") }
        var newer = RecordingDecoder()
        guard case let .fatal(sentence) = newer.decode(line: Array(header(version: 99).json.serialized().utf8)) else { return XCTFail("newer") }
        XCTAssertTrue(sentence.contains("upgrade"))
        var zero = RecordingDecoder()
        guard case .fatal = zero.decode(line: Array(header(version: 0).json.serialized().utf8)) else { return XCTFail("version 0") }
        var older = RecordingDecoder()
        guard case .header = older.decode(line: Array(header(version: 1).json.serialized().utf8)) else { return XCTFail("v1") }
        var current = RecordingDecoder()
        guard case .header = current.decode(line: Array(header(version: 2).json.serialized().utf8)) else { return XCTFail("v2") }
        var three = RecordingDecoder()
        guard case .fatal = three.decode(line: Array(header(version: 3).json.serialized().utf8)) else { return XCTFail("v3 is newer") }
    }

    func testDecoderSkipsHostileEntriesAndKeepsGoing() {
        var decoder = RecordingDecoder()
        _ = decoder.decode(line: Array(header().json.serialized().utf8))
        let hostile = ["not json", "[1,2]", "{\"schema\":\"x\"}", "{\"schema\":1,\"taken_at\":\"yesterday\"}",
                       "{\"schema\":1,\"taken_at\":\"99999-01-01T00:00:00Z\"}"]
        for line in hostile { XCTAssertEqual(decoder.decode(line: Array(line.utf8)), .skipped, line) }
        let dangling = "{\"schema\":1,\"taken_at\":\"2026-11-18T09:46:41Z\",\"census_ref\":1e300,\"findings\":[]}"
        guard case let .document(recorded) = decoder.decode(line: Array(dangling.utf8)) else { return XCTFail("dangling") }
        XCTAssertNil(recorded.document["census"])
        XCTAssertNil(recorded.document["census_ref"])
        XCTAssertEqual(decoder.skippedLines, hostile.count)
        XCTAssertNotNil(decoder.firstProblem)
    }

    func testHeaderBoundsEveryField() throws {
        var json = header().json
        guard case var .object(pairs) = json else { return XCTFail() }
        pairs[5] = ("interval_seconds", .double(1e300))
        pairs[2] = ("cachewatch_version", .string(String(repeating: "x", count: 10_000)))
        json = .object(pairs)
        let decoded = try RecordingHeader.decode(json)
        XCTAssertEqual(decoded.intervalSeconds, 1)
        XCTAssertEqual(decoded.cachewatchVersion.count, 64)
    }

    func testCommandLineTimes() {
        // start is 2026-11-18T11:06:40Z
        XCTAssertEqual(RecordingTime.parse("2026-11-18T11:20:00Z", recordingStart: start), start.addingTimeInterval(800))
        XCTAssertEqual(RecordingTime.parse("11:20", recordingStart: start), start.addingTimeInterval(800))
        XCTAssertEqual(RecordingTime.parse("11:06:50", recordingStart: start), start.addingTimeInterval(10))
        XCTAssertEqual(RecordingTime.parse("2026-11-18T11:20:00.5Z", recordingStart: start), start.addingTimeInterval(800.5))
        XCTAssertEqual(RecordingTime.parse("2026-11-18T12:20:00+01:00", recordingStart: start), start.addingTimeInterval(800))
        // A little before the start: that day; more than 12 hours before: the next day (crossed midnight).
        XCTAssertEqual(RecordingTime.parse("11:00", recordingStart: start), start.addingTimeInterval(-400))
        let lateStart = start.addingTimeInterval(12 * 3600)   // 23:06:40
        XCTAssertEqual(RecordingTime.parse("01:00", recordingStart: lateStart), lateStart.addingTimeInterval(6800))   // 01:00 the next day
        for bad in ["24:00", "10:60", "10", "1:2:3:4", "-1:00", "10:00:61", "aa:bb", "", "１０:００", "10:00:+1"] {
            XCTAssertNil(RecordingTime.parse(bad, recordingStart: start), bad)
        }
    }
}
