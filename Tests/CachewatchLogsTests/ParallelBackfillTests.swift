import CachewatchCore
@testable import CachewatchLogs
import Foundation
import XCTest

/// A backfill counted in parallel segments reports exactly what the sequential one reports (whole `LogsReport`).
final class ParallelBackfillTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_795_740_000)
    private let utc = TimeZone(identifier: "UTC") ?? .current
    /// The keys of the keyed fail-open lines, in the order written (`keyStream`), and how many were written.
    private var keys: [String] = []
    private var keysUsed = 0

    /// A deterministic generator (the same log on every run).
    private struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    /// Keys whose family names flip with the order they are seen (as in `FamilyNameCacheTests`): `sess:` 32-hex votes
    /// `{uuid}` → `{hash}` → `{uuid}`, `event:` votes `{ts}` → `{id}` → `{ts}` → dates, then user names.
    private func keyStream(random: inout Random) -> [String] {
        func hex(_ count: Int) -> String { String((0..<count).map { _ in Array("0123456789abcdef")[random.next(16)] }) }
        func uuid() -> String {
            let raw = Array(hex(32))
            return String(raw[0..<12]) + "4" + String(raw[13..<16]) + ["8", "9", "a", "b"][random.next(4)] + String(raw[17...])
        }
        var keys: [String] = []
        keys += (0..<100).map { _ in "sess:" + uuid() }
        keys += (0..<10).map { _ in "sess:" + hex(32) }
        keys += (0..<300).map { _ in "sess:" + uuid() }
        keys += (0..<60).map { _ in "event:\(1_764_158_400 + random.next(100_000))" }
        keys += (0..<8).map { _ in "event:\(1 + random.next(99_999))" }
        keys += (0..<200).map { _ in "event:\(1_764_158_400 + random.next(100_000))" }
        keys += (0..<440).map { _ in "event:2026112\(1 + random.next(9))" }
        keys += (0..<300).map { _ in "user:\(["alice", "bob", "carol", "dave"][random.next(4)])\(random.next(50))" }
        return keys
    }

    /// `count` lines of the given kinds spread over the 20 minutes before `now` (the 15-minute backfill cuts inside).
    private func log(lines count: Int, seed: UInt64, formats: [String], crlf: Bool = false) -> String {
        var random = Random(state: seed)
        keys = keyStream(random: &random)
        keysUsed = 0
        var text = ""
        for index in 0..<count {
            let time = now.addingTimeInterval(-1200 + 1200 * Double(index) / Double(count))
            text += line(at: time, index: index, format: formats[random.next(formats.count)], random: &random)
            if crlf, random.next(3) == 0 { text.insert("\r", at: text.index(before: text.endIndex)) }
        }
        return text
    }

    /// One line (or a few: tracebacks) of `format` at `time`; about one in eight is a fail-open line.
    private func line(at time: Date, index: Int, format: String, random: inout Random) -> String {
        let stamp = LogLines.stamp(time)
        let kind = random.next(40)
        let key = keys.isEmpty ? "k" : keys[keysUsed % keys.count]
        let message: String
        switch kind {
        case 0...3: message = "Cache backend not available: Error 111 connecting to localhost:6379. Connection refused."
        case 4: message = "Cache backend not available: Timeout reading from socket \(random.next(3))"
        case 5...7:
            message = "Cache unavailable while \(kind == 7 ? "writing" : "reading") '\(key)': ConnectionError"
            keysUsed += 1
        case 8: message = random.next(4) == 0 ? "Started server process [\(random.next(99))]" : "Application startup complete."
        case 9: message = "Memcached doesn't support pattern-based deletion. Pattern 'widget:\(random.next(7)):*' cannot be used."
        default: message = "GET /api/v1/widgets/\(random.next(1000)) 200 \(String(repeating: "x", count: random.next(90)))"
        }
        var text: String
        switch format {
        case "classic": text = "\(stamp),\(random.next(1000)) - src.core.cache - WARNING - \(message)\n"
        case "json":
            let escaped = message.replacingOccurrences(of: "\"", with: "\\\"")
            text = "{\"timestamp\": \"\(stamp.replacingOccurrences(of: " ", with: "T"))Z\", \"level\": \"WARNING\", \"message\": \"\(escaped)\"}\n"
        case "structured":
            let escaped = message.replacingOccurrences(of: "\"", with: "\\\"")
            text = "timestamp=\(stamp.replacingOccurrences(of: " ", with: "T"))Z level=WARNING module=x message=\"\(escaped)\"\n"
        case "plain": text = "WARNING:  \(message)\n"
        default: text = "\(stamp) [ WARNING] src.infrastructure.cache.decorator: \(message)\n"
        }
        switch random.next(60) {
        case 0: text += "Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\nValueError: Cache backend not available: inside\n"
        case 1: text += "\n"
        case 2: text += "KeyError: 'x'\n"
        default: break
        }
        return text
    }

    /// The monitor's report after one poll of `path`, sequential (`segments` 1) or split into up to `segments`.
    private func report(_ path: String, segments: Int, extra: String? = nil) -> (LogsReport, Int) {
        let namer = KeyFamilyNamer()
        let monitor = LogMonitor(paths: [path], timeZone: utc, familyOf: { namer.family(of: $0) }, clock: { [now] in now })
        monitor.backfillSegmentLimit = segments
        monitor.parallelBackfillMinimumBytes = 1
        monitor.pollOnce()
        if let extra {
            // The file grows after the backfill: the live tail continues where the merged segments ended.
            append(extra, to: path)
            monitor.pollOnce()
        }
        return (monitor.report(now: now), monitor.backfillSegmentsMerged)
    }

    /// Writes `text`, and checks that 2, 3 and 4 segments report what one does; returns how many segments merged.
    @discardableResult
    private func checkEqual(_ text: String, extra: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let dir = try TemporaryDirectory()
        var merged = 0
        for segments in [2, 3, 4] {
            let path = dir.path("app-\(segments).log")
            append(text, to: path)
            let (sequential, none) = report(path, segments: 1, extra: nil)
            XCTAssertEqual(none, 0, file: file, line: line)
            try FileManager.default.removeItem(atPath: path)
            append(text, to: path)
            let (parallel, count) = report(path, segments: segments, extra: nil)
            XCTAssertEqual(parallel, sequential, "\(segments) segments", file: file, line: line)
            XCTAssertEqual(parallel.json, sequential.json, file: file, line: line)
            merged += count
            if let extra {
                try FileManager.default.removeItem(atPath: path)
                append(text, to: path)
                let (grownSequential, _) = report(path, segments: 1, extra: extra)
                try FileManager.default.removeItem(atPath: path)
                append(text, to: path)
                let (grownParallel, _) = report(path, segments: segments, extra: extra)
                XCTAssertEqual(grownParallel, grownSequential, "\(segments) segments, then live lines", file: file, line: line)
            }
        }
        return merged
    }

    func testDetailedLogEqualsSequential() throws {
        let merged = try checkEqual(log(lines: 9000, seed: 1, formats: ["detailed"]))
        XCTAssertGreaterThanOrEqual(merged, 1 + 2 + 3, "every run took the parallel path")
    }

    func testClassicLogWithCRLFEqualsSequential() throws {
        XCTAssertGreaterThan(try checkEqual(log(lines: 9000, seed: 2, formats: ["classic"], crlf: true)), 0)
    }

    func testMixedFormatsEqualSequential() throws {
        let merged = try checkEqual(log(lines: 12000, seed: 3, formats: ["detailed", "classic", "json", "structured", "plain"]))
        XCTAssertGreaterThan(merged, 0)
    }

    func testEachFormatAloneEqualsSequential() throws {
        for (seed, format) in ["json", "structured", "plain"].enumerated() {
            // No line starts with a digit (or the tail is untimed): never split, and still equal.
            XCTAssertEqual(try checkEqual(log(lines: 3000, seed: UInt64(10 + seed), formats: [format])), 0, format)
        }
    }

    func testGrowingAfterBackfillEqualsSequential() throws {
        let extra = log(lines: 500, seed: 5, formats: ["detailed", "plain"])
        XCTAssertGreaterThan(try checkEqual(log(lines: 6000, seed: 4, formats: ["detailed", "classic"]), extra: extra), 0)
    }

    func testUnfinishedLastLineEqualsSequential() throws {
        let text = log(lines: 6000, seed: 6, formats: ["detailed"]) + "\(LogLines.stamp(now)) [ WARNING] x: Cache backend not available: half"
        XCTAssertGreaterThan(try checkEqual(text, extra: " a line\n"), 0)
    }

    func testManyDeploysAndDeletionPatternsEqualSequential() throws {
        var text = ""
        for index in 0..<4000 {
            let stamp = LogLines.stamp(now.addingTimeInterval(-1000 + Double(index) / 8))
            text += index % 7 == 0 ? "\(stamp) [    INFO] uvicorn.error: Application startup complete.\n"
                : "\(stamp) [   ERROR] x: Memcached doesn't support pattern-based deletion. Pattern 'p\(index % 150):*' cannot be used.\n"
        }
        // More than 100 patterns: the merge would depend on their order, so the segments are read sequentially instead.
        try checkEqual(text)
    }

    func testDeploysAndDeletionsMergedEqualSequential() throws {
        var text = ""
        for index in 0..<6000 {
            let stamp = LogLines.stamp(now.addingTimeInterval(-1000 + Double(index) / 8))
            switch index % 5 {
            case 0: text += "\(stamp) [    INFO] uvicorn.error: Application startup complete. \(index)\n"
            case 1: text += "\(stamp) [   ERROR] x: Memcached doesn't support pattern-based deletion. Pattern 'p\(index % 40):*' cannot be used.\n"
            default: text += LogLines.info(now.addingTimeInterval(-1000 + Double(index) / 8))
            }
        }
        // More than `DeployLines.maximumRecent` deploy lines per segment: the merge renumbers what each kept.
        XCTAssertGreaterThanOrEqual(try checkEqual(text), 1 + 2 + 3)
    }

    func testPatternDeletionMergeDoesNotDependOnInsertionOrder() {
        var forward = PatternDeletionCounts()
        var backward = PatternDeletionCounts()
        for index in 0..<150 { forward.record("p\(index)") }
        for index in (0..<150).reversed() { backward.record("p\(index)") }
        var first = PatternDeletionCounts()
        var second = PatternDeletionCounts()
        first.merge(forward)
        second.merge(forward)
        XCTAssertEqual(first, second)
        XCTAssertEqual(first, forward, "merged into an empty table, a source's counts stay as they are")
        first.merge(backward)
        second.merge(backward)
        XCTAssertEqual(first, second)
        XCTAssertEqual(first.total, 300)
    }

    func testStopDuringAParallelBackfillIsPrompt() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("big.log")
        let text = log(lines: 20000, seed: 9, formats: ["detailed"])
        for _ in 0..<8 { append(text, to: path) }
        let monitor = LogMonitor(paths: [path], timeZone: utc, clock: { [now] in now })
        monitor.parallelBackfillMinimumBytes = 1
        monitor.backfillSegmentLimit = 4
        monitor.start()
        let started = Date()
        monitor.stop()
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "the segments' threads stop between chunks")
    }

    func testSmallFileBelowTheThresholdIsNotSplit() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("small.log")
        append(log(lines: 2000, seed: 7, formats: ["detailed"]), to: path)
        let monitor = LogMonitor(paths: [path], timeZone: utc, clock: { [now] in now })
        monitor.pollOnce()
        XCTAssertEqual(monitor.backfillSegmentsMerged, 0, "a backfill under 32 MiB is read on the poll thread")
    }

    func testSegmentBoundsAreLineStartsWithADigit() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("bounds.log")
        let text = log(lines: 5000, seed: 8, formats: ["detailed", "json", "plain"]) + "unfinished"
        append(text, to: path)
        let bytes = Array(text.utf8)
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        for start in [0, 1, 17, 4096] {
            for count in 2...6 {
                let bounds = FileFollower.segmentBounds(descriptor: descriptor, from: Int64(start), to: Int64(bytes.count), count: count)
                XCTAssertGreaterThanOrEqual(bounds.count, 3)
                XCTAssertLessThanOrEqual(bounds.count, count + 1)
                XCTAssertEqual(bounds.first, Int64(start))
                XCTAssertEqual(bounds.last.map { Int($0) }, bytes.count - "unfinished".utf8.count)
                for bound in bounds.dropFirst().dropLast() {
                    XCTAssertEqual(bytes[Int(bound) - 1], 0x0A)
                    XCTAssertTrue((0x30...0x39).contains(bytes[Int(bound)]))
                }
                XCTAssertEqual(bounds, bounds.sorted())
                XCTAssertEqual(Set(bounds).count, bounds.count)
            }
        }
        // No newline, or no line starting with a digit: no split.
        XCTAssertEqual(FileFollower.segmentBounds(descriptor: descriptor, from: 0, to: 10, count: 4), [0])
    }
}
