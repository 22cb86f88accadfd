@testable import CachewatchCore
import Foundation
import XCTest

/// Several databases in a recording: `censuses` is stored only when it changed (`censuses_ref`), and read back whole.
final class RecordingCensusesTests: XCTestCase {
    private let start = Date(timeIntervalSince1970: 1_795_000_000)

    private func document(_ second: Int, censuses: JSONValue?) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("schema", .int(1)), ("taken_at", .string(ISOTime.format(start.addingTimeInterval(Double(second))))),
                                            ("census", .object([("db", .int(0))])), ("findings", .array([]))]
        if let censuses { pairs.append(("censuses", censuses)) }
        return .object(pairs)
    }

    func testCensusesAreWrittenOnlyWhenTheyChange() throws {
        let header = RecordingHeader(version: 1, cachewatchVersion: "1.0", target: .object([]), startedAt: start, intervalSeconds: 1)
        let first: JSONValue = .array([.object([("db", .int(0))]), .object([("db", .int(1))])])
        let second: JSONValue = .array([.object([("db", .int(0))]), .object([("db", .int(1)), ("complete", .bool(true))])])
        var encoder = RecordingEncoder()
        let lines = [first, first, second, second].enumerated().map { encoder.entryLine(document: document($0.offset, censuses: $0.element)) }
        XCTAssertTrue(lines[0].hasSuffix("\"censuses\":[{\"db\":0},{\"db\":1}]}"), lines[0])
        XCTAssertTrue(lines[1].hasSuffix("\"censuses_ref\":1}"), lines[1])
        XCTAssertTrue(lines[1].contains("\"census_ref\":1"), lines[1])
        XCTAssertTrue(lines[2].contains("\"censuses\":["), lines[2])
        XCTAssertTrue(lines[3].hasSuffix("\"censuses_ref\":3}"), lines[3])

        var decoder = RecordingDecoder()
        _ = decoder.decode(line: Array(encoder.headerLine(header).utf8))
        for (index, line) in lines.enumerated() {
            guard case let .document(recorded) = decoder.decode(line: Array(line.utf8)) else { return XCTFail("line \(index)") }
            XCTAssertEqual(recorded.document.serialized(), document(index, censuses: index < 2 ? first : second).serialized())
        }
        XCTAssertNil(decoder.firstProblem)

        // A reference to censuses that are not in the file drops them and says so.
        var fresh = RecordingDecoder()
        _ = fresh.decode(line: Array(encoder.headerLine(header).utf8))
        guard case let .document(orphan) = fresh.decode(line: Array(lines[3].utf8)) else { return XCTFail("orphan") }
        XCTAssertNil(orphan.document["censuses"])
        XCTAssertNil(orphan.document["censuses_ref"])
        XCTAssertNotNil(fresh.firstProblem)
    }
}
