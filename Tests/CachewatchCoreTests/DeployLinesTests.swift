import CachewatchCore
import Foundation
import XCTest

/// App deploy markers from the logs (`[logs] deploy_patterns`).
final class DeployLinesTests: XCTestCase {
    private let utc = TimeZone(identifier: "UTC")!
    private let arrival = Date(timeIntervalSince1970: 1_800_000_000)
    /// 2026-11-26T22:30:01Z.
    private let lineTime = Date(timeIntervalSince1970: 1_795_732_201)

    /// One startup line in each timed format: recorded at the line's own time, escaped.
    func testProcessorKeepsDeployLinesInEveryTimedFormat() {
        let lines = [
            "2026-11-26 22:30:01 [    INFO] uvicorn.error: Started server process [4242]",
            "2026-11-26 22:30:01,000 - uvicorn.error - INFO - Application startup complete.",
            "timestamp=2026-11-26T22:30:01Z level=INFO module=uvicorn message=\"Application startup complete.\"",
            "{\"timestamp\": \"2026-11-26T22:30:01Z\", \"level\": \"INFO\", \"message\": \"Started server process [7]\"}",
        ]
        for line in lines {
            var processor = LogLineProcessor(timeZone: utc)
            let bytes = Array(line.utf8)
            _ = processor.process(bytes, arrival: arrival)
            processor.noteDeployLine(in: bytes, arrival: arrival)
            XCTAssertEqual(processor.deployLines.total, 1, line)
            XCTAssertEqual(processor.deployLines.recent.first?.at, lineTime, line)
            XCTAssertEqual(processor.deployLines.recent.first?.line, line, line)
        }
    }

    /// uvicorn's own plain lines count at their arrival when live, and not when read in a backfill (no time).
    func testPlainLinesCountLiveOnly() {
        var processor = LogLineProcessor(timeZone: utc)
        let line = Array("INFO:     Application startup complete.".utf8)
        processor.backfilling = true
        processor.noteDeployLine(in: line, arrival: arrival)
        XCTAssertEqual(processor.deployLines.total, 0)
        processor.backfilling = false
        processor.noteDeployLine(in: line, arrival: arrival)
        XCTAssertEqual(processor.deployLines.recent.map(\.at), [arrival])
    }

    /// Other lines, lines before the backfill cutoff and custom patterns.
    func testPatternsAndCutoff() {
        var processor = LogLineProcessor(timeZone: utc)
        processor.noteDeployLine(in: Array("2026-11-26 22:30:01 [    INFO] app: Waiting for application startup.".utf8), arrival: arrival)
        XCTAssertEqual(processor.deployLines.total, 0)
        processor.notBefore = arrival
        processor.noteDeployLine(in: Array("2026-11-26 22:30:01 [    INFO] app: Application startup complete.".utf8), arrival: arrival)
        XCTAssertEqual(processor.deployLines.total, 0, "skipped before the backfill window")

        var custom = LogLineProcessor(timeZone: utc, deployPatterns: ["Booting worker with pid", ""])
        XCTAssertEqual(custom.deployLines.patterns.count, 1, "empty patterns are ignored")
        custom.noteDeployLine(in: Array("[2026-11-26 22:30:01 +0000] [12] [INFO] Booting worker with pid: 12".utf8), arrival: arrival)
        custom.noteDeployLine(in: Array("INFO:     Application startup complete.".utf8), arrival: arrival)
        XCTAssertEqual(custom.deployLines.total, 1)
    }

    /// Hostile lines: escaped, cut, and the recent list stays bounded.
    func testBoundsAndEscaping() {
        var lines = DeployLines()
        let hostile = Array("Application startup complete.\u{1b}[2J".utf8) + Array(repeating: UInt8(ascii: "x"), count: 5000)
        for _ in 0..<(DeployLines.maximumRecent + 20) { hostile.withUnsafeBufferPointer { lines.record($0, at: arrival) } }
        XCTAssertEqual(lines.total, DeployLines.maximumRecent + 20)
        XCTAssertEqual(lines.recent.count, DeployLines.maximumRecent)
        XCTAssertEqual(lines.recent.last?.sequence, DeployLines.maximumRecent + 20)
        XCTAssertFalse(lines.recent[0].line.contains("\u{1b}"))
        XCTAssertTrue(lines.recent[0].line.hasSuffix("…"))
        let json = lines.json.serialized()
        XCTAssertTrue(json.hasPrefix("{\"total\":120,\"recent\":["), json)
        XCTAssertEqual(json.components(separatedBy: "\"line\"").count - 1, 10, "the JSON lists the 10 newest")
    }

    /// A burst of startup lines from 4 workers (2 lines each) is one deploy; a later one is another; fail-open
    /// transitions are interleaved by time.
    func testSnapshotEventsMergeBursts() {
        var deploys: [DeployLine] = []
        for worker in 0..<4 {
            deploys.append(DeployLine(sequence: deploys.count + 1, at: lineTime.addingTimeInterval(Double(worker)),
                                      line: "Started server process [\(100 + worker)]"))
            deploys.append(DeployLine(sequence: deploys.count + 1, at: lineTime.addingTimeInterval(Double(worker)),
                                      line: "Application startup complete."))
        }
        deploys.append(DeployLine(sequence: 9, at: lineTime.addingTimeInterval(900), line: "Application startup complete."))
        let events = EventDetector.events(fromAlerts: [], deployLines: deploys.reversed())
        XCTAssertEqual(events.map(\.kind), [.deploy, .deploy])
        XCTAssertEqual(events.last?.evidence("lines"), .int(8))
        XCTAssertEqual(events.last?.evidence("first_line"), .string("Started server process [100]"))
        XCTAssertEqual(events.last?.at, lineTime)
        XCTAssertEqual(events.first?.evidence("lines"), .int(1))

        let escaped = EventDetector.events(fromAlerts: [], deployLines: [DeployLine(sequence: 1, at: lineTime, line: "a\\x1b b")])
        XCTAssertEqual(escaped.first?.evidence("first_line"), .string("a\\x1b b"), "already escaped: not escaped twice")
    }
}
