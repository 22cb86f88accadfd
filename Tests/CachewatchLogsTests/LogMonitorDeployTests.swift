import CachewatchCore
import CachewatchLogs
import Foundation
import XCTest

/// Deploy markers through the monitor's fast path: only lines holding a deploy pattern are examined.
final class LogMonitorDeployTests: XCTestCase {
    func testDeployLinesFromBackfillAndLiveLines() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("app.log")
        let now = Date()
        let stamp = LogLines.stamp(now.addingTimeInterval(-30))
        append(LogLines.info(now.addingTimeInterval(-40)), to: path)
        append("\(stamp) [    INFO] uvicorn.error: Application startup complete.\n", to: path)
        append("INFO:     Application startup complete.\n", to: path)   // plain, in the backfill: no time, not kept
        let monitor = LogMonitor(paths: [path], timeZone: TimeZone(identifier: "UTC"), clock: { now })
        monitor.pollOnce()
        var report = monitor.report(now: now)
        XCTAssertEqual(report.deployLines.total, 1)
        XCTAssertEqual(report.deployLines.recent.first?.line, "\(stamp) [    INFO] uvicorn.error: Application startup complete.")

        // Live: many fail-open and ordinary lines around two startup lines, one of them plain (arrival time).
        var text = ""
        for i in 0..<500 { text += i % 2 == 0 ? LogLines.failOpen(now) : LogLines.info(now) }
        text += "INFO:     Started server process [77]\n"
        for _ in 0..<500 { text += LogLines.info(now, "Started server process is not a pattern without [") }
        text += "\(LogLines.stamp(now)) [    INFO] uvicorn.error: Started server process [78]\n"
        append(text, to: path)
        monitor.pollOnce()
        report = monitor.report(now: now)
        XCTAssertEqual(report.deployLines.total, 3)
        XCTAssertEqual(report.deployLines.recent.map(\.sequence), [1, 2, 3])
        XCTAssertEqual(report.deployLines.recent[1].line, "INFO:     Started server process [77]")
        XCTAssertEqual(report.deployLines.recent[1].at, now, "a plain live line is placed at its arrival")
        XCTAssertEqual(report.failOpen.total, 250, "fail-open counting is unchanged")
        XCTAssertEqual(report.sources.first?.lines, 3 + 1002)

        // Both patterns interleaved in one chunk, and a pattern that occurs only early: every line is found once.
        var burst = ""
        for i in 0..<60 {
            burst += "\(LogLines.stamp(now)) [    INFO] uvicorn.error: " + (i % 3 == 0 ? "Started server process [\(i)]\n" : "Application startup complete.\n")
            burst += LogLines.info(now)
        }
        for _ in 0..<300 { burst += "\(LogLines.stamp(now)) [    INFO] uvicorn.error: Started server process [1]\n" }
        append(burst, to: path)
        monitor.pollOnce()
        report = monitor.report(now: now)
        XCTAssertEqual(report.deployLines.total, 3 + 60 + 300)
        XCTAssertEqual(report.deployLines.recent.count, DeployLines.maximumRecent)
        XCTAssertEqual(report.deployLines.recent.last?.sequence, 363)
    }
}
