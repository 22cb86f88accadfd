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

    func testResizingKeepsWhatIsInFlight() {
        var window = PipelineWindow.census
        window.wrote(128)
        XCTAssertEqual(window.writable(available: 5000), 0, "shallow and full")
        var deep = window.resized(like: .deep)
        XCTAssertEqual(deep.inFlight, 128, "the commands on the wire stay booked")
        XCTAssertEqual(deep.writable(available: 5000), 512, "a deep window writes big batches behind them")
        deep.wrote(4480)
        XCTAssertEqual(deep.writable(available: 5000), 0)
        var shallow = deep.resized(like: .census)
        XCTAssertEqual(shallow.inFlight, 4608)
        XCTAssertEqual(shallow.writable(available: 10), 0, "back to shallow: nothing more until the deep queue is read")
        shallow.read(4600)
        XCTAssertEqual(shallow.writable(available: 5000), 64)
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

    /// Simulates Redis answering every command; returns the size of each write.
    private func drain(_ stream: inout CensusPageStream, maxInFlightSeen: inout Int) -> [Int] {
        var writes: [Int] = []
        var rounds = 0
        while !stream.isEmpty, rounds < 10_000 {
            rounds += 1
            _ = stream.takeReadyHead()
            if stream.popCompleted() != nil { continue }
            while case let segments = stream.nextWrite(), !segments.isEmpty {
                writes.append(segments.reduce(0) { $0 + $1.commands.count })
                stream.wrote(segments)
                maxInFlightSeen = max(maxInFlightSeen, stream.window.inFlight)
            }
            guard let count = stream.nextReadCount else { XCTFail("stalled"); break }
            stream.took((0..<count).map { .integer(Int64($0)) })
        }
        return writes
    }

    func testPagesGoOutInWholeBatchesWithinTheWindow() {
        var stream = CensusPageStream(window: PipelineWindow(batchCommands: 64, maxCommandsInFlight: 128))
        stream.append(page(keys: 500, noTouch: true))  // 2 + 1000 commands
        stream.append(page(keys: 10, scan: false))      // 20 commands
        var maxInFlight = 0
        let writes = drain(&stream, maxInFlightSeen: &maxInFlight)
        XCTAssertLessThanOrEqual(maxInFlight, 128)
        XCTAssertEqual(writes.reduce(0, +), 1022, "every command written once")
        XCTAssertEqual(writes.dropLast(), Array(repeating: 64, count: 15), "whole batches, across the page boundary")
        XCTAssertEqual(writes.last, 62)
        XCTAssertTrue(stream.isEmpty)
        XCTAssertFalse(stream.hasUnread)
    }

    func testRepliesLandOnTheirPagesHeadFirst() {
        var stream = CensusPageStream(window: PipelineWindow(batchCommands: 4, maxCommandsInFlight: 8))
        stream.append(page(keys: 2, noTouch: true))  // NO-TOUCH, SCAN, TYPE, PTTL, TYPE, PTTL
        stream.append(page(keys: 1))                 // SCAN, TYPE, PTTL
        XCTAssertNil(stream.takeReadyHead(), "nothing read yet")
        let first = stream.nextWrite()
        XCTAssertEqual(first, [.init(page: 0, commands: 0..<4)])
        stream.wrote(first)
        let second = stream.nextWrite()
        XCTAssertEqual(second, [.init(page: 0, commands: 4..<6), .init(page: 1, commands: 0..<2)], "a write spans two pages")
        stream.wrote(second)
        XCTAssertEqual(stream.nextWrite(), [], "the window is full")
        XCTAssertEqual(stream.nextReadCount, 4)
        stream.took([.status("OK"), .status("scan"), .status("string"), .integer(5)])
        XCTAssertEqual(stream.takeReadyHead(), 0)
        XCTAssertEqual(stream.pages[0].head, [.status("OK"), .status("scan")])
        XCTAssertEqual(stream.pages[0].lookups, [.status("string"), .integer(5)])
        XCTAssertNil(stream.popCompleted(), "half read")
        let third = stream.nextWrite()
        XCTAssertEqual(third, [.init(page: 1, commands: 2..<3)], "the rest")
        stream.wrote(third)
        stream.took([.status("hash"), .integer(-1), .status("scan2"), .status("list")])
        XCTAssertEqual(stream.popCompleted()?.lookups, [.status("string"), .integer(5), .status("hash"), .integer(-1)])
        XCTAssertEqual(stream.takeReadyHead(), 0, "page 1 is now the first")
        XCTAssertEqual(stream.pages[0].head, [.status("scan2")])
        XCTAssertNil(stream.popCompleted())
        stream.took([.integer(-1)])
        XCTAssertEqual(stream.popCompleted()?.lookups, [.status("list"), .integer(-1)])
        XCTAssertTrue(stream.isEmpty)
        XCTAssertFalse(stream.hasUnread)
    }

    func testAHeadlessPageIsReadyAtOnceAndResetForgetsEverything() {
        var stream = CensusPageStream(window: .census)
        stream.append(page(keys: 3, scan: false))
        XCTAssertEqual(stream.takeReadyHead(), 0, "no head to wait for")
        let next = stream.nextWrite()
        XCTAssertEqual(next, [.init(page: 0, commands: 0..<6)])
        stream.wrote(next)
        XCTAssertTrue(stream.hasUnread)
        stream.reset()
        XCTAssertTrue(stream.isEmpty)
        XCTAssertFalse(stream.hasUnread)
        XCTAssertNil(stream.nextReadCount)
    }

    // MARK: - Budgeted mode: heads alone, one write at a time

    func testBudgetedWindowWritesTheHeadAloneThenLookupsOneWriteAtATime() {
        XCTAssertEqual(CensusOptions(mode: .budgeted(keysPerSecond: 5000)).pipelineWindow, .budgeted)
        var stream = CensusPageStream(window: .budgeted)
        stream.append(page(keys: 15, noTouch: true))  // NO-TOUCH, SCAN, 30 lookups
        stream.append(page(keys: 3))                  // SCAN, 6 lookups
        var maxInFlight = 0
        let writes = drain(&stream, maxInFlightSeen: &maxInFlight)
        XCTAssertEqual(writes, [2, 20, 10, 1, 6], "each head alone, lookups in writes of at most 20, no write spans two pages")
        XCTAssertLessThanOrEqual(maxInFlight, 20)
        XCTAssertTrue(stream.isEmpty)
        XCTAssertFalse(stream.hasUnread)
    }

    func testBudgetedWindowWaitsForEachReplyBeforeTheNextWrite() {
        var stream = CensusPageStream(window: .budgeted)
        stream.append(page(keys: 2))  // SCAN, TYPE, PTTL, TYPE, PTTL
        let head = stream.nextWrite()
        XCTAssertEqual(head, [.init(page: 0, commands: 0..<1)])
        stream.wrote(head)
        XCTAssertEqual(stream.nextWrite(), [], "the lookups wait for the SCAN's reply (its own round trip)")
        stream.took([.status("scan")])
        XCTAssertEqual(stream.takeReadyHead(), 0)
        XCTAssertEqual(stream.nextWrite(), [.init(page: 0, commands: 1..<5)])
        var window = PipelineWindow.budgeted
        window.wrote(1)
        XCTAssertEqual(window.writable(available: 5), 0, "one write in flight at most")
        window.read(1)
        XCTAssertEqual(window.writable(available: 50), 20)
    }

    func testAHeadlessPageUnderTheBudgetedWindowIsOnlyLookups() {
        var stream = CensusPageStream(window: .budgeted)
        stream.append(page(keys: 4, scan: false))
        XCTAssertEqual(stream.nextWrite(), [.init(page: 0, commands: 0..<8)])
    }
}
