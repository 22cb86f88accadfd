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

/// `feed(_:emit:emitBlock:)` must deliver the same lines as `feed(_:emit:)`.
final class LineSplitterBlockTests: XCTestCase {
    private struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state ^ (state >> 29)
        }
    }

    private func lines(of bytes: [UInt8], chunks: [Int], maximum: Int, blocks: Bool,
                       blockCount: inout Int) -> [(bytes: [UInt8], truncated: Bool)] {
        var splitter = LineSplitter(maximumLineBytes: maximum)
        var result: [(bytes: [UInt8], truncated: Bool)] = []
        var offset = 0
        for size in chunks {
            let piece = Array(bytes[offset..<min(bytes.count, offset + size)])
            offset += piece.count
            piece.withUnsafeBufferPointer { chunk in
                if blocks {
                    splitter.feed(chunk, emit: { result.append((Array($0), $1)) }, emitBlock: { block in
                        blockCount += 1
                        XCTAssertEqual(block.last, 0x0A, "a block ends with a newline")
                        XCTAssertLessThanOrEqual(block.count, maximum, "a block is never longer than a line may be")
                        for line in block.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
                            result.append((Array(line), false))
                        }
                    })
                } else {
                    splitter.feed(chunk) { result.append((Array($0), $1)) }
                }
            }
        }
        splitter.flush { result.append((Array($0), $1)) }
        return result
    }

    func testBlocksDeliverTheSameLinesAsLineByLineForRandomTextAndChunking() {
        var random = Generator(state: 7)
        var totalBlocks = 0
        for round in 0..<400 {
            let maximum = [8, 16, 64, 1 << 20][round % 4]
            var bytes: [UInt8] = []
            for _ in 0..<(Int(random.next() % 40)) {
                let length = Int(random.next() % 100) < 10 ? Int(random.next() % 200) : Int(random.next() % 12)
                for _ in 0..<length { bytes.append(UInt8(truncatingIfNeeded: 0x41 + random.next() % 20)) }
                if random.next() % 8 == 0 { bytes.append(0x0D) }
                bytes.append(0x0A)
            }
            for _ in 0..<(Int(random.next() % 5)) { bytes.append(0x78) }   // an unfinished last line
            var chunks: [Int] = []
            var covered = 0
            while covered < bytes.count {
                let size = 1 + Int(random.next() % 90)
                chunks.append(size)
                covered += size
            }
            var unused = 0
            let expected = lines(of: bytes, chunks: chunks, maximum: maximum, blocks: false, blockCount: &unused)
            let actual = lines(of: bytes, chunks: chunks, maximum: maximum, blocks: true, blockCount: &totalBlocks)
            XCTAssertEqual(actual.map(\.bytes), expected.map(\.bytes), "round \(round)")
            XCTAssertEqual(actual.map(\.truncated), expected.map(\.truncated), "round \(round)")
        }
        XCTAssertGreaterThan(totalBlocks, 100, "the block path was taken")
    }
}
