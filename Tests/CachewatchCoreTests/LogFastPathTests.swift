@testable import CachewatchCore
import Foundation
import XCTest

/// The backfill's fast paths must give exactly what the line-by-line path gives.
final class LogFastPathTests: XCTestCase {
    // MARK: - Word-at-a-time header test

    private func bytewise(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { LogLineParser.looksLikeDateTime($0) && $0[10] == 0x20 }
    }

    private func wordwise(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { LogLineParser.looksLikeDateTimeAndSpace($0) }
    }

    func testWordwiseDateTimeTestAgreesWithTheBytewiseOneForEveryByteAtEveryPosition() {
        let header = Array("2026-11-26 22:30:01 [ WARNING] a: b".utf8)
        XCTAssertTrue(wordwise(header))
        var accepted = 0
        for position in 0..<21 {
            for value in 0...255 {
                var line = header
                line[position] = UInt8(value)
                XCTAssertEqual(wordwise(line), bytewise(line), "byte \(value) at \(position)")
                if wordwise(line) { accepted += 1 }
            }
        }
        XCTAssertEqual(accepted, 14 * 10 + 5 + 2 * 256, "10 digits at 14 places, 5 exact separators, bytes 19 and 20 not looked at")
        for length in 0..<header.count {
            XCTAssertEqual(wordwise(Array(header[0..<length])), bytewise(Array(header[0..<length])) && length >= 19,
                           "length \(length)")
        }
    }

    func testWordwiseDateTimeTestAgreesOnAdjacentPairsNearTheCarryEdges() {
        let header = Array("2026-11-26 22:30:01".utf8)
        let values: [UInt8] = [0x00, 0x20, 0x2D, 0x2F, 0x30, 0x35, 0x39, 0x3A, 0x3F, 0x7F, 0xF9, 0xFA, 0xFF]
        for position in 0..<(header.count - 1) {
            for first in values {
                for second in values {
                    var line = header
                    line[position] = first
                    line[position + 1] = second
                    XCTAssertEqual(wordwise(line), bytewise(line), "\(first), \(second) at \(position)")
                }
            }
        }
    }

    // MARK: - countLineWithoutPrefix

    /// Lines without the fail-open prefix, in every shape the per-line path distinguishes.
    private static let corpus: [String] = [
        "2026-11-26 22:30:01 [    INFO] src.app.api: GET /api/v1/widgets 200",
        "2026-11-26 22:30:02 [ WARNING] src.app: slow\r",
        "2026-11-26 22:30:03,123 [   ERROR] src.app: with a fraction",
        "2026-11-26 22:30:04 [",
        "2026-11-26 22:30:04 [x",
        "2026-11-26 22:30:05 - src.app - WARNING - classic line",
        "2026-11-26 22:30:05,777 - src.app - INFO - classic with fraction\r",
        "2026-11-26 22:30:06 -",
        "2026-11-26T22:30:07 [    INFO] a: T instead of space",
        "2026-11-26 22:30:0x [    INFO] a: bad digit",
        "20261126 plain line starting with digits",
        "1",
        "Traceback (most recent call last):",
        "  File \"app.py\", line 1, in <module>",
        "\tindented with a tab",
        "redis.exceptions.ConnectionError: Error 111",
        "KeyError",
        "During handling of the above exception, another exception occurred:",
        "The above exception was the direct cause of the following exception:",
        "",
        "\r",
        "plain text line",
        "{\"message\": \"hello\", \"timestamp\": \"2026-11-26T22:30:08Z\", \"level\": \"info\"}",
        "{\"message\": \"crlf\", \"timestamp\": \"2026-11-26T22:30:08Z\"}\r",
        "timestamp=2026-11-26T22:30:09Z level=info module=a message=\"hi\"",
        "timestamp=oops",
    ]

    private func assertSame(_ a: LogLineProcessor, _ b: LogLineProcessor, _ context: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.lines, b.lines, "lines after \(context)", file: file, line: line)
        XCTAssertEqual(a.unparsed, b.unparsed, "unparsed after \(context)", file: file, line: line)
        XCTAssertEqual(a.continuations, b.continuations, "continuations after \(context)", file: file, line: line)
        XCTAssertEqual(a.formatName, b.formatName, "format after \(context)", file: file, line: line)
        XCTAssertEqual(a.notBefore, b.notBefore, "cutoff after \(context)", file: file, line: line)
    }

    func testCountLineWithoutPrefixEqualsProcessWithoutPrefixOnRandomSequences() {
        var random = SplitMix64(state: 4)
        let utc = TimeZone(identifier: "UTC")!
        for round in 0..<300 {
            var slow = LogLineProcessor(timeZone: utc)
            var fast = LogLineProcessor(timeZone: utc)
            if round % 3 == 0 {
                let cutoff = Date(timeIntervalSince1970: 1_795_732_203)   // 2026-11-26 22:30:03 UTC
                slow.notBefore = cutoff
                fast.notBefore = cutoff
            }
            var history: [Int] = []
            for _ in 0..<40 {
                let pick = Int(random.next() % UInt64(Self.corpus.count))
                history.append(pick)
                let bytes = Array(Self.corpus[pick].utf8)
                bytes.withUnsafeBufferPointer { line in
                    XCTAssertNil(slow.process(line, arrival: Date(), mayContainPrefix: false))
                    fast.countLineWithoutPrefix(line)
                }
                assertSame(slow, fast, "round \(round), lines \(history)")
            }
        }
    }

    /// `countShortcutLines` over a block, then one line by `countLineWithoutPrefix`, and so on (as the monitor's
    /// `processBlock` does), must leave the processor as `countLineWithoutPrefix` line by line does, and never take a
    /// line that ends after `clearUntil`.
    func testCountShortcutLinesEqualsCountLineWithoutPrefixLineByLine() {
        var random = SplitMix64(state: 9)
        let utc = TimeZone(identifier: "UTC")!
        for round in 0..<400 {
            var slow = LogLineProcessor(timeZone: utc)
            var fast = LogLineProcessor(timeZone: utc)
            if round % 5 == 0 {
                let cutoff = Date(timeIntervalSince1970: 1_795_732_203)   // 2026-11-26 22:30:03 UTC
                slow.notBefore = cutoff
                fast.notBefore = cutoff
            }
            // Mostly lines of one or two formats (long runs), sometimes anything from the corpus.
            let favourites = [Int(random.next() % 3), 5 + Int(random.next() % 2)]
            var lines: [[UInt8]] = []
            for _ in 0..<Int(random.next() % 60) {
                let pick = random.next() % 4 == 0 ? Int(random.next() % UInt64(Self.corpus.count))
                    : favourites[Int(random.next() % 2)]
                lines.append(Array(Self.corpus[pick].utf8))
            }
            let block: [UInt8] = lines.flatMap { $0 + [UInt8(0x0A)] }
            for line in lines { line.withUnsafeBufferPointer { slow.countLineWithoutPrefix($0) } }
            block.withUnsafeBufferPointer { buffer in
                var start = 0
                while start < buffer.count {
                    let rest = UnsafeBufferPointer(rebasing: buffer[start...])
                    let clearUntil = random.next() % 3 == 0 ? Int(random.next() % UInt64(rest.count + 1)) : rest.count
                    let taken = fast.countShortcutLines(rest, clearUntil: clearUntil)
                    XCTAssertLessThanOrEqual(taken, clearUntil + 1, "round \(round): a line past clearUntil was taken")
                    XCTAssertTrue(taken == 0 || rest[taken - 1] == 0x0A, "round \(round): stopped inside a line")
                    start += taken
                    guard start < buffer.count else { break }
                    let newline = buffer[start...].firstIndex(of: 0x0A)!
                    fast.countLineWithoutPrefix(UnsafeBufferPointer(rebasing: buffer[start..<newline]))
                    start = newline + 1
                }
            }
            assertSame(slow, fast, "round \(round), \(lines.count) lines")
        }
    }

    func testCountShortcutLinesTakesARunOfHeaderLinesAndStopsAtTheFirstOther() {
        var processor = LogLineProcessor(timeZone: TimeZone(identifier: "UTC")!)
        Array("2026-11-26 22:30:00 [    INFO] a: first".utf8).withUnsafeBufferPointer { processor.countLineWithoutPrefix($0) }
        let text = "2026-11-26 22:30:01 [    INFO] a: one\n2026-11-26 22:30:02,5 [ WARNING] b: two\r\nplain\n"
            + "2026-11-26 22:30:03 [    INFO] a: three\n"
        let taken = Array(text.utf8).withUnsafeBufferPointer { processor.countShortcutLines($0, clearUntil: $0.count) }
        XCTAssertEqual(taken, text.utf8.count - "plain\n2026-11-26 22:30:03 [    INFO] a: three\n".utf8.count)
        XCTAssertEqual(processor.lines, 3)
        // The header test is skipped only for a line that starts with the same 19 bytes as one that passed: bytes the
        // test never saw (NULs, a bad digit after a good line of the same second) still stop the run.
        XCTAssertTrue(Array("0000-00-00 00:00:00".utf8).withUnsafeBufferPointer { LogLineParser.looksLikeDateTimeAndSpace($0) })
        for odd in [String(repeating: "\u{0}", count: 30), "2026-11-26 22:30:0x [    INFO] a: bad digit",
                    "0000-00-00 00:00:00\u{0}[    INFO] a: NUL for the space"] {
            var copy = processor
            let run = "2026-11-26 22:30:01 [    INFO] a: one\n" + odd + "\n2026-11-26 22:30:01 [    INFO] a: two\n"
            let took = Array(run.utf8).withUnsafeBufferPointer { copy.countShortcutLines($0, clearUntil: $0.count) }
            XCTAssertEqual(took, "2026-11-26 22:30:01 [    INFO] a: one\n".utf8.count, odd.debugDescription)
        }
        // Nothing is taken before the source has a format, or while a backfill cutoff is pending.
        var fresh = LogLineProcessor(timeZone: TimeZone(identifier: "UTC")!)
        XCTAssertEqual(Array(text.utf8).withUnsafeBufferPointer { fresh.countShortcutLines($0, clearUntil: $0.count) }, 0)
        processor.notBefore = Date(timeIntervalSince1970: 0)
        XCTAssertEqual(Array(text.utf8).withUnsafeBufferPointer { processor.countShortcutLines($0, clearUntil: $0.count) }, 0)
    }

    func testCountLineWithoutPrefixTakesTheShortcutOnlyForTheSourcesFormat() {
        var processor = LogLineProcessor(timeZone: TimeZone(identifier: "UTC")!)
        for text in ["2026-11-26 22:30:05 - a - INFO - classic", "2026-11-26 22:30:06 [    INFO] a: detailed"] {
            Array(text.utf8).withUnsafeBufferPointer { processor.countLineWithoutPrefix($0) }
        }
        XCTAssertEqual(processor.formatName, "detailed")
        XCTAssertEqual(processor.lines, 2)
        XCTAssertEqual(processor.unparsed, 0)
    }
}
