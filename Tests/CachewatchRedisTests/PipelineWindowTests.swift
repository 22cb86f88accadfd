@testable import CachewatchRedis
import XCTest

/// The census's bounded pipeline (issue 9 §2): small writes, few commands in flight, pages in order.
final class PipelineWindowTests: XCTestCase {
    func testWindowLimitsEachWriteAndWhatIsInFlight() {
        var window = PipelineWindow(batchCommands: 64, maxCommandsInFlight: 128)
        XCTAssertEqual(window.writable(available: 1000), 64, "one batch at a time")
        XCTAssertEqual(window.writable(available: 10), 10)
        window.wrote(64)
        XCTAssertEqual(window.writable(available: 1000), 64, "a second batch while the first is answered")
        window.wrote(64)
        XCTAssertEqual(window.writable(available: 1000), 0, "full: read first")
        window.read(30)
        XCTAssertEqual(window.writable(available: 1000), 0, "no small write into the room a read freed")
        XCTAssertEqual(window.writable(available: 20), 20, "a short rest fits")
        window.read(34)
        XCTAssertEqual(window.writable(available: 1000), 64, "a whole batch again")
        window.read(500)
        XCTAssertEqual(window.inFlight, 0, "never below zero")
        window.wrote(5)
        window.reset()
        XCTAssertEqual(window.inFlight, 0)
    }

    func testLimitsAreSane() {
        let tiny = PipelineWindow(batchCommands: 0, maxCommandsInFlight: -3)
        XCTAssertEqual(tiny.batchCommands, 1)
        XCTAssertEqual(tiny.maxCommandsInFlight, 1, "the window holds at least one batch")
        XCTAssertEqual(tiny.writable(available: 7), 1)
        XCTAssertEqual(PipelineWindow(batchCommands: 100, maxCommandsInFlight: 10).maxCommandsInFlight, 100)
        XCTAssertEqual(PipelineWindow.census.batchCommands, 64)
        XCTAssertEqual(PipelineWindow.census.maxCommandsInFlight, 128)
    }

    // MARK: - Pages through the window

    private func key(_ i: Int) -> [UInt8] { Array("k\(i)".utf8) }

    /// A page with `keys` keys (TYPE + PTTL each) behind an optional NO-TOUCH and SCAN.
    private func page(keys: Int, noTouch: Bool = false, scan: Bool = true) -> PageBatch {
        PageBatch(keys: (0..<keys).map(key), probes: [], noTouch: noTouch, type: true, memory: false,
                  scanCursor: scan ? Array("0".utf8) : nil, scanCount: 100)
    }

    /// Simulates Redis answering every command with its index in the stream; returns the writes made.
    private func drain(_ stream: inout CensusPageStream, maxInFlightSeen: inout Int) -> [Range<Int>] {
        var writes: [Range<Int>] = []
        var guardCount = 0
        while !stream.isEmpty, guardCount < 10_000 {
            guardCount += 1
            _ = stream.takeReadyHead()
            if stream.popCompleted() != nil { continue }
            while let next = stream.nextWrite() {
                writes.append(next.commands)
                stream.wrote(page: next.page, count: next.commands.count)
                maxInFlightSeen = max(maxInFlightSeen, stream.window.inFlight)
            }
            guard let count = stream.nextReadCount else { XCTFail("stalled"); break }
            stream.took((0..<count).map { .integer(Int64($0)) })
        }
        return writes
    }

    func testPagesGoOutInSmallWritesWithinTheWindow() {
        var stream = CensusPageStream(window: PipelineWindow(batchCommands: 64, maxCommandsInFlight: 128))
        stream.append(page(keys: 500, noTouch: true))  // 2 + 1000 commands
        stream.append(page(keys: 10, scan: false))      // 20 commands
        var maxInFlight = 0
        let writes = drain(&stream, maxInFlightSeen: &maxInFlight)
        XCTAssertLessThanOrEqual(maxInFlight, 128)
        XCTAssertTrue(writes.allSatisfy { $0.count <= 64 }, "no write above the batch")
        XCTAssertEqual(writes.reduce(0) { $0 + $1.count }, 1022, "every command written once")
        XCTAssertEqual(writes.last, 0..<20, "the second page starts its own write")
        XCTAssertTrue(stream.isEmpty)
        XCTAssertFalse(stream.hasUnread)
    }

    func testRepliesLandOnTheirPageHeadFirst() {
        var stream = CensusPageStream(window: PipelineWindow(batchCommands: 3, maxCommandsInFlight: 6))
        stream.append(page(keys: 2, noTouch: true))  // NO-TOUCH, SCAN, TYPE, PTTL, TYPE, PTTL
        stream.append(page(keys: 1))                 // SCAN, TYPE, PTTL
        XCTAssertNil(stream.takeReadyHead(), "nothing read yet")
        var writes: [(Int, Range<Int>)] = []
        while let next = stream.nextWrite() {
            writes.append((next.page, next.commands))
            stream.wrote(page: next.page, count: next.commands.count)
        }
        XCTAssertEqual(writes.map(\.0), [0, 0], "the window is full after the first page")
        XCTAssertEqual(stream.nextReadCount, 3)
        XCTAssertEqual(stream.took([.status("OK"), .status("scan"), .status("string")]), 0)
        XCTAssertEqual(stream.takeReadyHead(), 0)
        XCTAssertEqual(stream.pages[0].head, [.status("OK"), .status("scan")])
        XCTAssertEqual(stream.pages[0].lookups, [.status("string")])
        XCTAssertNil(stream.popCompleted(), "half read")
        let next = stream.nextWrite()
        XCTAssertEqual(next?.page, 1)
        XCTAssertEqual(next?.commands, 0..<3)
        stream.wrote(page: 1, count: 3)
        XCTAssertEqual(stream.took([.integer(5), .status("string"), .integer(-1)]), 0)
        XCTAssertEqual(stream.pages[0].lookups.count, 4)
        XCTAssertNotNil(stream.popCompleted())
        XCTAssertEqual(stream.took([.status("scan2"), .status("hash"), .integer(-1)]), 0, "page 1 is now the first")
        XCTAssertEqual(stream.takeReadyHead(), 0)
        XCTAssertEqual(stream.pages[0].head, [.status("scan2")])
        XCTAssertEqual(stream.popCompleted()?.lookups, [.status("hash"), .integer(-1)])
        XCTAssertTrue(stream.isEmpty)
    }

    func testAHeadlessPageIsReadyAtOnceAndResetForgetsEverything() {
        var stream = CensusPageStream(window: .census)
        stream.append(page(keys: 3, scan: false))
        XCTAssertEqual(stream.takeReadyHead(), 0, "no head to wait for")
        let next = stream.nextWrite()
        XCTAssertEqual(next?.commands, 0..<6)
        stream.wrote(page: 0, count: 6)
        XCTAssertTrue(stream.hasUnread)
        stream.reset()
        XCTAssertTrue(stream.isEmpty)
        XCTAssertFalse(stream.hasUnread)
        XCTAssertNil(stream.nextReadCount)
    }

}
