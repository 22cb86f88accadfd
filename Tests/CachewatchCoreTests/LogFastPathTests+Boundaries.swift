@testable import CachewatchCore
import Foundation
import XCTest

/// `countShortcutLines` against `countLineWithoutPrefix` line by line on lines of every length, headers that differ
/// from a passing one at each byte, CRLF, blocks cut at every offset and `clearUntil` at every offset.
extension LogFastPathTests {
    private static let utc = TimeZone(identifier: "UTC")!

    /// The state both paths must agree on.
    private func state(_ processor: LogLineProcessor) -> [String] {
        ["\(processor.lines)", "\(processor.unparsed)", "\(processor.continuations)", processor.formatName,
         "\(String(describing: processor.notBefore))"]
    }

    /// As the monitor's `processBlock`: a shortcut run, then one line by `countLineWithoutPrefix`, and so on. Bytes after
    /// the last newline (a line still being written) are left alone. Checks that every run ends on a newline at or
    /// before `clearUntil`.
    private func shortcutThenLines(_ processor: inout LogLineProcessor, _ block: [UInt8], clearUntil: (Int) -> Int,
                                   _ context: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) {
        let complete = (block.lastIndex(of: 0x0A)).map { $0 + 1 } ?? 0
        block.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < complete {
                let rest = UnsafeBufferPointer(rebasing: buffer[start..<complete])
                let clear = clearUntil(start)
                let taken = processor.countShortcutLines(rest, clearUntil: clear)
                XCTAssertLessThanOrEqual(taken, max(clear, 0) + 1, "a line past clearUntil was taken: \(context())", file: file, line: line)
                XCTAssertTrue(taken == 0 || rest[taken - 1] == 0x0A, "stopped inside a line: \(context())", file: file, line: line)
                start += taken
                guard start < complete, let newline = buffer[start..<complete].firstIndex(of: 0x0A) else { break }
                processor.countLineWithoutPrefix(UnsafeBufferPointer(rebasing: buffer[start..<newline]))
                start = newline + 1
            }
        }
    }

    private func lineByLine(_ processor: inout LogLineProcessor, _ block: [UInt8]) {
        let complete = (block.lastIndex(of: 0x0A)).map { $0 + 1 } ?? 0
        block.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < complete, let newline = buffer[start..<complete].firstIndex(of: 0x0A) {
                processor.countLineWithoutPrefix(UnsafeBufferPointer(rebasing: buffer[start..<newline]))
                start = newline + 1
            }
        }
    }

    /// A passing line of the format, cut or padded to `length` bytes.
    private func line(_ header: String, length: Int) -> [UInt8] {
        var bytes = Array(header.utf8)
        var filler = UInt8(0x61)
        while bytes.count < length { bytes.append(filler); filler = filler == 0x7A ? 0x61 : filler + 1 }
        return Array(bytes.prefix(length))
    }

    private func product(_ a: ClosedRange<Int>, _ b: ClosedRange<Int>) -> [(Int, Int)] {
        a.flatMap { x in b.map { (x, $0) } }
    }

    private static let headers = ["2026-11-26 22:30:01 [    INFO] a: ", "2026-11-26 22:30:01 - a - INFO - ",
                                  "2026-11-26 22:30:01,123 [    INFO] a: ", "2026-11-26 22:30:01.5 - a - INFO - "]

    /// Lines of every length 0…200 (with and without `\r`) between passing lines of the same second, in each format.
    func testCountShortcutLinesEqualsLineByLineForLinesOfEveryLength() {
        for header in Self.headers {
            for crlf in [false, true] {
                // After one line (the source's first, by the line path) the line is the first of a shortcut run;
                // after two, it follows a line the shortcut has taken (the repeated-header loop).
                for (length, before) in product(0...200, 1...2) {
                    var block: [UInt8] = []
                    for _ in 0..<before { block += line(header, length: 60) + [0x0A] }
                    block += line(header, length: length) + (crlf ? [0x0D, 0x0A] : [0x0A])
                    block += line(header, length: 70) + [0x0A] + line(header, length: 45) + [0x0A]
                    var slow = LogLineProcessor(timeZone: Self.utc)
                    var fast = LogLineProcessor(timeZone: Self.utc)
                    lineByLine(&slow, block)
                    let context = "\(header) length \(length) crlf \(crlf) after \(before)"
                    shortcutThenLines(&fast, block, clearUntil: { _ in Int.max / 2 }, context)
                    XCTAssertEqual(state(slow), state(fast), context)
                }
            }
        }
    }

    /// A line that differs from the passing line before it at one header byte (each of the first 24 positions, many
    /// replacement bytes), then a line equal to the first again: the known-header shortcuts must not let it through.
    func testCountShortcutLinesEqualsLineByLineWhenTheHeaderDiffersAtEachPosition() {
        let replacements: [UInt8] = [0x00, 0x09, 0x0D, 0x20, 0x2C, 0x2D, 0x2E, 0x2F, 0x30, 0x31, 0x35, 0x39, 0x3A, 0x3B,
                                     0x5B, 0x5D, 0x54, 0x61, 0x7F, 0xFF]
        for header in Self.headers {
            let good = line(header, length: 80)
            for position in 0..<24 {
                for replacement in replacements where replacement != good[position] {
                    var odd = good
                    odd[position] = replacement
                    for prefixLines in 1...2 {
                        var block: [UInt8] = []
                        for _ in 0..<prefixLines { block += good + [0x0A] }
                        block += odd + [0x0A] + good + [0x0A] + odd + [0x0A]
                        var slow = LogLineProcessor(timeZone: Self.utc)
                        var fast = LogLineProcessor(timeZone: Self.utc)
                        lineByLine(&slow, block)
                        shortcutThenLines(&fast, block, clearUntil: { _ in Int.max / 2 },
                                          "\(header) byte \(position) = \(replacement)")
                        XCTAssertEqual(state(slow), state(fast), "\(header) byte \(position) = \(replacement)")
                    }
                }
            }
        }
    }

    /// Random runs of mostly passing lines (same and changing seconds, all formats, CRLF, odd lines), cut at every
    /// offset (the bytes after the last newline are a line still being written) and with `clearUntil` at every offset.
    func testCountShortcutLinesEqualsLineByLineAtEveryBoundary() {
        var random = SplitMix64(state: 18)
        for round in 0..<12 {
            var block: [UInt8] = []
            let header = Self.headers[round % Self.headers.count]
            for _ in 0..<14 {
                var bytes = line(header, length: 22 + Int(random.next() % 60))
                switch random.next() % 8 {
                case 0: bytes[18] = UInt8(0x30 + random.next() % 10)              // another second
                case 1: bytes = Array("  File \"app.py\", line 1".utf8)            // a continuation
                case 2: bytes.append(0x0D)                                         // CRLF
                case 3: bytes[Int(random.next() % 22)] = UInt8(random.next() % 256)
                default: break
                }
                block += bytes + [0x0A]
            }
            for cut in 0...block.count {
                let piece = Array(block.prefix(cut))
                var slow = LogLineProcessor(timeZone: Self.utc)
                lineByLine(&slow, piece)
                var fast = LogLineProcessor(timeZone: Self.utc)
                shortcutThenLines(&fast, piece, clearUntil: { _ in Int.max / 2 }, "round \(round) cut \(cut)")
                XCTAssertEqual(state(slow), state(fast), "round \(round) cut \(cut)")
                // `clearUntil` at this offset of the whole block (and relative to each run's start).
                var clearFast = LogLineProcessor(timeZone: Self.utc)
                shortcutThenLines(&clearFast, block, clearUntil: { start in cut - start }, "round \(round) clear \(cut)")
                var whole = LogLineProcessor(timeZone: Self.utc)
                lineByLine(&whole, block)
                XCTAssertEqual(state(whole), state(clearFast), "round \(round) clear \(cut)")
            }
        }
    }
}
