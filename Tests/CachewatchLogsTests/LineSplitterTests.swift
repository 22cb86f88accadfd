import CachewatchLogs
import Foundation
import XCTest

final class LineSplitterTests: XCTestCase {
    private func split(_ chunks: [[UInt8]], maximum: Int = LineSplitter.defaultMaximumLineBytes,
                       flush: Bool = false) -> [(bytes: [UInt8], truncated: Bool)] {
        var splitter = LineSplitter(maximumLineBytes: maximum)
        var lines: [(bytes: [UInt8], truncated: Bool)] = []
        for chunk in chunks {
            chunk.withUnsafeBufferPointer { splitter.feed($0) { lines.append((Array($0), $1)) } }
        }
        if flush { splitter.flush { lines.append((Array($0), $1)) } }
        return lines
    }

    func testOneMebibyteLineIsWholeAndLongerIsCutWithoutLosingTheNextLine() {
        let limit = LineSplitter.defaultMaximumLineBytes
        let exact = [UInt8](repeating: 0x61, count: limit) + [0x0A]
        let long = [UInt8](repeating: 0x62, count: 2 * limit + 17) + [0x0A]
        let next = Array("after\n".utf8)
        let lines = split([exact + long + next])
        XCTAssertEqual(lines.map(\.bytes.count), [limit, limit, 5])
        XCTAssertEqual(lines.map(\.truncated), [false, true, false])
        XCTAssertEqual(lines.last?.bytes, Array("after".utf8))
    }

    func testLongLineArrivingInSmallPiecesIsCutOnceAndTheRestSkipped() {
        var chunks: [[UInt8]] = [Array("first\n".utf8)]
        for _ in 0..<10 { chunks.append([UInt8](repeating: 0x78, count: 7)) }   // 70 bytes, limit 16
        chunks.append(Array("yy\nsecond\npartial".utf8))
        let lines = split(chunks, maximum: 16)
        XCTAssertEqual(lines.map { String(decoding: $0.bytes, as: UTF8.self) }, ["first", String(repeating: "x", count: 16), "second"])
        XCTAssertEqual(lines.map(\.truncated), [false, true, false])
        XCTAssertEqual(split(chunks, maximum: 16, flush: true).last?.bytes, Array("partial".utf8), "flush delivers it")
    }

    func testPartialLineWaitsForItsNewlineAndNULIsAnOrdinaryByte() {
        let lines = split([Array("par".utf8), [0x00, 0xFF], Array("tial\n\n".utf8)])
        XCTAssertEqual(lines.map(\.bytes), [Array("par".utf8) + [0x00, 0xFF] + Array("tial".utf8), []])
    }
}
