import CachewatchCore
import CachewatchLogs
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class FileFollowerTests: XCTestCase {
    func testBackfillReadsOnlyTheWindowFromTheEndOfABigFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("app.log")
        let now = Date()
        // ~24 MiB of lines two hours old, then 5 fail-open lines 20 minutes old, then 4 inside the window.
        let oldLine = LogLines.failOpen(now.addingTimeInterval(-7200))
        let block = String(repeating: oldLine, count: 24 * 1024 * 1024 / oldLine.utf8.count)
        append(block, to: path)
        for _ in 0..<5 { append(LogLines.failOpen(now.addingTimeInterval(-1200)), to: path) }
        for offset in [600.0, 120, 30, 0] { append(LogLines.failOpen(now.addingTimeInterval(-offset)), to: path) }
        append(LogLines.info(now), to: path)

        let monitor = LogMonitor(paths: [path], backfillSeconds: 900, timeZone: utcZone, clock: { now })
        monitor.pollOnce()
        let report = monitor.report(now: now)
        XCTAssertEqual(report.failOpen.total, 4)
        XCTAssertEqual(report.failOpen.last1m, 2)
        XCTAssertEqual(report.failOpen.last5m, 3)
        XCTAssertEqual(report.failOpen.last15m, 4)
        XCTAssertEqual(report.sources.first?.lines, 5)
        XCTAssertEqual(report.sources.first?.format, "detailed")
        XCTAssertEqual(report.sources.first?.status, "following")
        XCTAssertLessThan(monitor.bytesRead, 2 << 20, "a 24 MiB file is not read from the start")
        let json = report.json
        XCTAssertEqual(json["fail_open"]?["last_15m"], .int(4))
        XCTAssertEqual(json["fail_open"]?["state"], .string("ok"))
        if case let .array(series)? = json["fail_open"]?["per_minute"] {
            XCTAssertEqual(series.count, 60)
            XCTAssertEqual(series.last, .int(2))
        } else {
            XCTFail("per_minute missing")
        }
        XCTAssertEqual(json["sources"], .array([.object([("path", .string(path)), ("format", .string("detailed")),
                                                        ("lines", .int(5)), ("unparsed", .int(0)), ("truncated", .int(0)),
                                                        ("status", .string("following")), ("detail", .null),
                                                        ("unparsed_time", .int(0))])]))
    }

    func testBackfillFindsTheWindowInsideALongEvenlyWrittenFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("app.log")
        let now = Date(timeIntervalSince1970: 1_795_732_200)
        var text = ""
        var expected = 0
        for second in stride(from: 7200, through: 0, by: -1) {
            let time = now.addingTimeInterval(-Double(second))
            for index in 0..<20 {
                if index == 0 || (index == 7 && second % 3 == 0) {
                    text += LogLines.failOpen(time)
                    if second <= 900 { expected += 1 }
                } else {
                    text += LogLines.info(time)
                }
            }
        }
        append(text, to: path)
        let monitor = LogMonitor(paths: [path], backfillSeconds: 900, timeZone: utcZone, clock: { now })
        monitor.pollOnce()
        XCTAssertEqual(monitor.report(now: now).failOpen.total, expected, "exactly the lines at or after now - 900 s")
        XCTAssertEqual(monitor.report(now: now).sources[0].lines, 901 * 20)
        XCTAssertLessThan(monitor.bytesRead, Int64(text.utf8.count / 3))
    }

    func testBackfillOfAnUntimedFileReadsABoundedTailAndKeepsItOutOfTheRateWindows() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("plain.log")
        append(String(repeating: "some plain line without a timestamp\n", count: 100_000), to: path)
        append("WARNING:  Cache backend not available: Connection refused\n", to: path)
        let monitor = LogMonitor(paths: [path], timeZone: utcZone)
        monitor.pollOnce()
        let report = monitor.report(now: Date())
        XCTAssertEqual(report.failOpen.total, 1)
        XCTAssertEqual(report.failOpen.last1m, 0, "an old plain line has no known time")
        XCTAssertLessThan(monitor.bytesRead, 3 << 20)
        XCTAssertLessThan(report.sources[0].lines, 100_000)
        XCTAssertEqual(report.sources[0].format, "plain")
        // Live plain lines use their arrival time.
        append("WARNING:  Cache backend not available: Connection refused\n", to: path)
        monitor.pollOnce()
        XCTAssertEqual(monitor.report(now: Date()).failOpen.last1m, 1)
    }

    func testLongAndNULLinesAreCountedAndNothingAfterThemIsLost() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("app.log")
        let monitor = LogMonitor(paths: [path], timeZone: utcZone)
        monitor.pollOnce()
        XCTAssertEqual(monitor.report(now: Date()).sources[0].status, "missing")
        append(LogLines.failOpen(), to: path)
        append([UInt8](repeating: 0x41, count: 3 << 20) + [0x0A], to: path)
        append(Array(LogLines.failOpen(error: "nul\u{0}inside").utf8.dropLast()) + [0x00, 0xFF, 0x0A], to: path)
        append(LogLines.failOpen(), to: path)
        append("2026-11-26 22:30:01 [ WARNING] partial line wai", to: path)
        monitor.pollOnce()
        let report = monitor.report(now: Date())
        XCTAssertEqual(report.sources[0].lines, 4, "the partial last line waits for its newline")
        XCTAssertEqual(report.sources[0].truncated, 1)
        XCTAssertEqual(report.failOpen.total, 3)
        XCTAssertTrue(report.failOpen.byError.contains { $0.error == "nul\\x00inside\\x00\\xff" })
    }

    func testPermissionDeniedIsReportedAndTheOtherSourcesKeepRunning() throws {
        let dir = try TemporaryDirectory()
        let secret = dir.path("secret.log")
        let open = dir.path("open.log")
        append(LogLines.failOpen(), to: secret)
        append(LogLines.failOpen(), to: open)
        chmod(secret, 0)
        let monitor = LogMonitor(paths: [secret, open], timeZone: utcZone)
        // Root reads mode-000 files; poll as `nobody` on this thread (setfsuid) so the kernel says EACCES.
        try asUnprivilegedFileUser { monitor.pollOnce() }
        let report = monitor.report(now: Date())
        XCTAssertEqual(report.sources.map(\.status), ["unreadable", "following"])
        XCTAssertTrue(report.sources[0].detail?.contains("Permission denied") ?? false)
        XCTAssertEqual(report.failOpen.total, 1)
    }

    func testADirectoryIsUnreadableWithASentenceAndTheOtherSourcesKeepRunning() throws {
        let dir = try TemporaryDirectory()
        let open = dir.path("open.log")
        append(LogLines.failOpen(), to: open)
        let monitor = LogMonitor(paths: [dir.url.path, open], timeZone: utcZone)
        monitor.pollOnce()
        let report = monitor.report(now: Date())
        XCTAssertEqual(report.sources.map(\.status), ["unreadable", "following"])
        XCTAssertTrue(report.sources[0].detail?.hasSuffix("is a directory, not a log file.") ?? false)
        XCTAssertEqual(report.failOpen.total, 1)
    }

    func testASilentSourceBecomesStaleAndRecovers() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("app.log")
        let clock = TestClock(Date())
        append(LogLines.info(clock.now), to: path)
        let monitor = LogMonitor(paths: [path], timeZone: utcZone, staleAfterSeconds: 300, clock: clock.read)
        monitor.pollOnce()
        XCTAssertEqual(monitor.report(now: clock.now.addingTimeInterval(300)).sources[0].status, "following")
        XCTAssertEqual(monitor.report(now: clock.now.addingTimeInterval(301)).sources[0].status, "stale")
        clock.now = clock.now.addingTimeInterval(400)
        append(LogLines.info(clock.now), to: path)
        monitor.pollOnce()
        XCTAssertEqual(monitor.report(now: clock.now).sources[0].status, "following")
    }

    func testAlertStateAdvancesWithTheInjectedClockWithoutNewLines() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("app.log")
        let clock = TestClock(Date(timeIntervalSince1970: 1_795_732_200))
        for _ in 0..<12 { append(LogLines.failOpen(clock.now), to: path) }
        let rule = try AlertRule.validated(warnPerMinute: 5, critPerMinute: 10, forSeconds: 30)
        let monitor = LogMonitor(paths: [path], timeZone: utcZone, alertRule: rule, clock: clock.read)
        monitor.pollOnce()
        XCTAssertEqual(monitor.report(now: clock.now).failOpen.state, .ok, "crit must hold 30 s first")
        // Reading never advances the alert state (issue 8 §3): only the poll thread / evaluate(now:) does.
        XCTAssertEqual(monitor.report(now: clock.now.addingTimeInterval(30)).failOpen.state, .ok, "a read advanced the alert")
        monitor.evaluate(now: clock.now.addingTimeInterval(30))
        XCTAssertEqual(monitor.report(now: clock.now.addingTimeInterval(30)).failOpen.state, .crit)
        clock.now = clock.now.addingTimeInterval(90)
        monitor.pollOnce()   // no new line: the window empties
        XCTAssertEqual(monitor.report(now: clock.now).failOpen.state, .crit, "ok must hold 30 s first")
        monitor.evaluate(now: clock.now.addingTimeInterval(30))
        let report = monitor.report(now: clock.now.addingTimeInterval(30))
        XCTAssertEqual(report.failOpen.state, .ok)
        XCTAssertEqual(report.failOpen.history.map(\.to), [.crit, .ok])
        XCTAssertEqual(report.failOpen.since, clock.now.addingTimeInterval(30))
    }
}

/// A settable clock for monitors under test.
final class TestClock {
    private let lock = NSLock()
    private var value: Date

    init(_ start: Date) { value = start }

    var now: Date {
        get { lock.lock(); defer { lock.unlock() }; return value }
        set { lock.lock(); value = newValue; lock.unlock() }
    }

    var read: () -> Date { { [unowned self] in now } }
}

/// Files of many chunks are read chunk after chunk: nothing lost or repeated, and a stop lands between chunks.
final class FileFollowerChunkTests: XCTestCase {
    /// Numbered lines of varied length, ~`mebibytes` MiB, no trailing newline on the last one when `partialTail`.
    private func writeNumbered(_ path: String, mebibytes: Int, partialTail: Bool) -> Int {
        var text = ""
        var number = 0
        while text.utf8.count < mebibytes << 20 {
            text += "line \(number) " + String(repeating: "x", count: number % 97) + "\n"
            number += 1
        }
        if partialTail { text += "tail-without-newline" }
        append(text, to: path)
        return number
    }

    private func follow(_ follower: FileFollower, blocks: Bool) -> [String] {
        var lines: [String] = []
        let line: (UnsafeBufferPointer<UInt8>, Bool) -> Void = { bytes, _ in lines.append(String(decoding: bytes, as: UTF8.self)) }
        let callbacks = FileFollower.Callbacks(line: line, lines: blocks ? { block in
            for piece in block.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
                lines.append(String(decoding: piece, as: UTF8.self))
            }
        } : nil)
        follower.poll(now: Date(), callbacks: callbacks)
        return lines
    }

    func testEveryLineOfAManyChunkFileArrivesOnceInOrder() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("big.log")
        let count = writeNumbered(path, mebibytes: 5, partialTail: true)
        let size = Int64(try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int)
        XCTAssertGreaterThan(size, Int64(4 * FileFollower.chunkBytes))
        for blocks in [false, true] {
            let follower = FileFollower(path: path, start: .fromStart)
            let lines = follow(follower, blocks: blocks)
            XCTAssertEqual(lines.count, count, "blocks: \(blocks)")
            XCTAssertEqual(lines.first, "line 0 ")
            XCTAssertEqual(lines.map { $0.split(separator: " ")[1] }, (0..<count).map { Substring(String($0)) })
            XCTAssertEqual(follower.offset, size)
            XCTAssertEqual(follower.bytesRead, size)
            // The unfinished tail waits; once its newline comes, it is the next line.
            append("!\n", to: path)
            XCTAssertEqual(follow(follower, blocks: blocks), ["tail-without-newline!"])
            try FileManager.default.removeItem(atPath: path)
            _ = writeNumbered(path, mebibytes: 5, partialTail: true)
        }
    }

    func testStoppingMidFileKeepsTheOffsetOfWhatWasDelivered() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("big.log")
        _ = writeNumbered(path, mebibytes: 4, partialTail: false)
        let follower = FileFollower(path: path, start: .fromStart)
        var chunks = 0
        follower.shouldStop = { chunks >= 2 }
        var delivered = 0
        let callbacks = FileFollower.Callbacks(line: { bytes, _ in delivered += bytes.count + 1 }, chunkDone: { chunks += 1 })
        follower.poll(now: Date(), callbacks: callbacks)
        XCTAssertEqual(chunks, 2)
        XCTAssertEqual(follower.offset, Int64(2 * FileFollower.chunkBytes), "no chunk is read past the stop")
        XCTAssertEqual(follower.bytesRead, follower.offset)
        XCTAssertLessThanOrEqual(delivered, 2 * FileFollower.chunkBytes)
    }
}
