import CachewatchCore
import CachewatchLogs
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Rotation and friends while the monitor's threads run: the total must be exact at the end.
final class LogMonitorFollowTests: XCTestCase {
    private func running(_ paths: [String], stdin: Int32 = STDIN_FILENO) -> LogMonitor {
        let monitor = LogMonitor(paths: paths, timeZone: utcZone, pollIntervalSeconds: 0.05, globIntervalSeconds: 0.1,
                                 stdinDescriptor: stdin)
        monitor.start()
        return monitor
    }

    private func assertSettles(_ monitor: LogMonitor, at expected: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(waitUntil { monitor.total >= expected }, "total \(monitor.total), expected \(expected)", file: file, line: line)
        monitor.waitForPolls(4)
        XCTAssertEqual(monitor.total, expected, "nothing counted twice", file: file, line: line)
    }

    private func lines(_ count: Int) -> String {
        String(repeating: LogLines.failOpen(), count: count)
    }

    func testRenameRotationFinishesTheOldFileAndFollowsTheNewOne() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("app.log")
        append(lines(10), to: path)
        let monitor = running([path])
        defer { monitor.stop() }
        assertSettles(monitor, at: 10)
        // Lines written just before the rename are read through the old descriptor.
        append(lines(5), to: path)
        XCTAssertEqual(rename(path, dir.path("app.log.1")), 0)
        append(lines(7), to: path)
        assertSettles(monitor, at: 22)
        append(lines(1), to: path)
        assertSettles(monitor, at: 23)
        XCTAssertEqual(monitor.report(now: Date()).sources.map(\.status), ["following"])
    }

    func testManyRotationsWhileTheAppKeepsWritingLoseNothing() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("app.log")
        let monitor = running([path])
        defer { monitor.stop() }
        // Like RotatingFileHandler: write through an open descriptor, rotate by rename + reopen.
        var fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        let line = Array(LogLines.failOpen().utf8)
        let total = 3000
        for index in 1...total {
            XCTAssertEqual(line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }, line.count)
            if index % 400 == 0 {
                close(fd)
                XCTAssertEqual(rename(path, dir.path("app.log.\(index / 400)")), 0)
                fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
            }
            if index % 100 == 0 { usleep(20_000) }   // let some polls see the middle of the run
        }
        close(fd)
        assertSettles(monitor, at: total)
        XCTAssertEqual(monitor.report(now: Date()).sources[0].lines, total)
    }

    func testCopytruncateRestartsAtZero() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("app.log")
        append(lines(10), to: path)
        let monitor = running([path])
        defer { monitor.stop() }
        assertSettles(monitor, at: 10)
        XCTAssertEqual(truncate(path, 0), 0)
        append(lines(3), to: path)
        assertSettles(monitor, at: 13)
    }

    func testDeleteAndRecreate() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("app.log")
        append(lines(10), to: path)
        let monitor = running([path])
        defer { monitor.stop() }
        assertSettles(monitor, at: 10)
        XCTAssertEqual(unlink(path), 0)
        XCTAssertTrue(waitUntil { monitor.report(now: Date()).sources[0].status == "missing" })
        append(lines(4), to: path)
        assertSettles(monitor, at: 14)
        XCTAssertEqual(monitor.report(now: Date()).sources[0].status, "following")
    }

    func testDeleteAndRecreateBetweenTwoPolls() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("app.log")
        append(lines(10), to: path)
        let monitor = running([path])
        defer { monitor.stop() }
        assertSettles(monitor, at: 10)
        append(lines(2), to: path)
        XCTAssertEqual(unlink(path), 0)
        append(lines(4), to: path)
        assertSettles(monitor, at: 16)
    }

    func testALateAppearingFileIsReadFromItsStart() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("later.log")
        let monitor = running([path])
        defer { monitor.stop() }
        XCTAssertTrue(waitUntil { monitor.completedPolls >= 1 })
        XCTAssertEqual(monitor.report(now: Date()).sources[0].status, "missing")
        XCTAssertTrue(monitor.report(now: Date()).sources[0].detail?.contains("does not exist yet") ?? false)
        append(lines(6), to: path)
        assertSettles(monitor, at: 6)
    }

    func testGlobPicksUpNewFilesAndDoesNotRecountRotatedOnes() throws {
        let dir = try TemporaryDirectory()
        append(lines(3), to: dir.path("app.log"))
        let monitor = running([dir.path("*.log*")])
        defer { monitor.stop() }
        assertSettles(monitor, at: 3)
        append(lines(2), to: dir.path("worker.log"))
        assertSettles(monitor, at: 5)
        // Rotation: app.log.1 now matches the glob but holds lines already counted.
        XCTAssertEqual(rename(dir.path("app.log"), dir.path("app.log.1")), 0)
        append(lines(4), to: dir.path("app.log"))
        assertSettles(monitor, at: 9)
        XCTAssertTrue(waitUntil { monitor.report(now: Date()).sources.count == 3 })
        monitor.waitForPolls(4)
        XCTAssertEqual(monitor.total, 9)
        // A late line in the rotated file (the old handle) still counts once.
        append(lines(1), to: dir.path("app.log.1"))
        assertSettles(monitor, at: 10)
    }

    func testAGlobWithoutMatchesIsReportedAsMissing() throws {
        let dir = try TemporaryDirectory()
        let monitor = running([dir.path("*.log")])
        defer { monitor.stop() }
        let sources = monitor.report(now: Date()).sources
        XCTAssertEqual(sources.map(\.status), ["missing"])
        append(lines(2), to: dir.path("a.log"))
        assertSettles(monitor, at: 2)
        XCTAssertEqual(monitor.report(now: Date()).sources.map(\.status), ["following"])
    }

    func testStdinThroughAPipeUntilEOF() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let monitor = running(["-"], stdin: fds[0])
        defer {
            monitor.stop()
            close(fds[0])
        }
        func send(_ text: String) {
            let bytes = Array(text.utf8)
            XCTAssertEqual(bytes.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }, bytes.count)
        }
        let line = LogLines.failOpen()
        send(line + line + String(line.dropLast(10)))
        XCTAssertTrue(waitUntil { monitor.total == 2 })
        send(String(line.suffix(10)) + "{\"message\": \"Cache backend not available: x\"}")   // last line has no newline
        close(fds[1])
        XCTAssertTrue(waitUntil { monitor.stdinEnded })
        XCTAssertTrue(monitor.report(now: Date()).sources[0].detail?.contains("EOF") ?? false)
        let report = monitor.report(now: Date())
        XCTAssertEqual(report.failOpen.total, 4)
        XCTAssertEqual(report.sources[0].lines, 4)
        XCTAssertEqual(report.sources[0].path, "-")
        XCTAssertEqual(report.sources[0].status, "following")
    }

    func testStopReturnsWhileStdinIsSilent() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer {
            close(fds[0])
            close(fds[1])
        }
        let monitor = running(["-"], stdin: fds[0])
        XCTAssertTrue(waitUntil { monitor.completedPolls >= 1 })
        monitor.stop()   // would hang forever if the reader blocked in read(2)
        XCTAssertEqual(monitor.total, 0)
    }
}
