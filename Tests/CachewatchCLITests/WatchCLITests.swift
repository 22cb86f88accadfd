import Foundation
import TestSupport
import XCTest

/// `cachewatch watch --json`: NDJSON flushed line by line while it runs, logs followed through rename rotation and
/// copytruncate with an exact total, clean stops on SIGTERM/SIGINT, and Redis going away and coming back.
final class WatchCLITests: RedisCLITestCase {
    private var directory: TempDirectory!

    override func setUpWithError() throws {
        try startServer(seed: RedisServerFixture.widgets(20))
        directory = try TempDirectory("watch")
    }

    override func tearDown() {
        super.tearDown()
        directory?.cleanup()
        directory = nil
    }

    private func startWatch(_ extra: [String]) throws -> StreamingCLIProcess {
        try launch(["watch", "--json", "--interval", "0.5s", "-p", String(server.port)] + extra)
    }

    /// Every line so far is one complete JSON document of schema 1.
    private func assertEveryLineIsADocument(_ watch: StreamingCLIProcess, file: StaticString = #filePath, line: UInt = #line) {
        for (index, received) in watch.lines.enumerated() {
            let document = try? JSONSerialization.jsonObject(with: Data(received.text.utf8)) as? [String: Any]
            XCTAssertEqual(document?["schema"] as? Int, 1, "line \(index) is a document: \(received.text.prefix(120))", file: file, line: line)
        }
    }

    /// After a stop: status 0, not killed by the signal, stdout ends at a line end.
    private func assertCleanStop(_ watch: StreamingCLIProcess, after signal: Int32, file: StaticString = #filePath, line: UInt = #line) {
        watch.send(signal)
        let status = watch.waitForExit(timeoutSeconds: 10)
        XCTAssertNotNil(status, "watch stops within the bound after signal \(signal)", file: file, line: line)
        XCTAssertEqual(status, 0, "exit 0 after signal \(signal); stderr: \(watch.stderr)", file: file, line: line)
        XCTAssertFalse(watch.endedBySignal, "handled the signal, not killed by it", file: file, line: line)
        let stdout = watch.stdout
        XCTAssertEqual(stdout.last, 0x0A, "no partial last line", file: file, line: line)
        XCTAssertEqual(watch.stderr, "", "nothing on stderr", file: file, line: line)
        assertEveryLineIsADocument(watch, file: file, line: line)
    }

    // MARK: - Tests

    func testDocumentsStreamWhileRunningAndSignalsStopCleanly() throws {
        for signal in [SIGTERM, SIGINT] {
            let watch = try startWatch([])
            XCTAssertTrue(watch.waitForLines(3, timeoutSeconds: 20), "three documents arrive before any signal")
            XCTAssertTrue(watch.isRunning)
            XCTAssertTrue(watch.lines.allSatisfy(\.arrivedWhileRunning), "each line flushed as written, not at exit")
            assertEveryLineIsADocument(watch)
            let document = watch.waitForDocument(timeoutSeconds: 20) { $0["metrics"] is [String: Any] }
            XCTAssertNotNil(document, "a document with metrics once connected")
            XCTAssertNil(document?.redisError)
            XCTAssertEqual((document?["keyspace"] as? [[String: Any]])?.first?["keys"] as? Int, 20)
            XCTAssertTrue(watch.lines.allSatisfy(\.arrivedWhileRunning))
            assertCleanStop(watch, after: signal)
            running = nil
        }
    }

    func testCountStopsAfterNDocuments() throws {
        let watch = try startWatch(["--count", "2", "--no-census"])
        XCTAssertEqual(watch.waitForExit(timeoutSeconds: 20), 0)
        XCTAssertEqual(watch.lines.count, 2)
        assertEveryLineIsADocument(watch)
    }

    func testFollowedLogSurvivesRenameRotationAndCopytruncateWithExactTotal() throws {
        let log = directory.file("app.log")
        try append(LogLineWriter.noise(.detailed, at: Date(), number: 0), to: log)
        let watch = try startWatch(["--no-census", "--log", log])
        var expected = 0
        var number = 0

        func write(_ events: Int, to path: String) throws {
            var text = ""
            for _ in 0..<events {
                number += 1
                text += LogLineWriter.noise(.detailed, at: Date(), number: number)
                text += LogLineWriter.failOpen(.detailed, at: Date(), error: "Connection refused")
            }
            try append(text, to: path)
        }

        func awaitTotal(_ step: String) throws {
            let document = watch.waitForDocument(timeoutSeconds: 20) { $0.failOpenTotal == expected }
            XCTAssertNotNil(document, "\(step): total reaches \(expected); last: \(watch.lines.last.map { String($0.text.suffix(400)) } ?? "none")")
            if document == nil { throw CLITestError("\(step) timed out") }
        }

        XCTAssertNotNil(watch.waitForDocument(timeoutSeconds: 20) { $0.failOpenTotal == 0 }, "first document")

        // Appends.
        try write(5, to: log)
        expected += 5
        try awaitTotal("appends")

        // Rename rotation: the last lines go to the old file just before it is renamed; then a new app.log.
        try write(3, to: log)
        expected += 3
        try FileManager.default.moveItem(atPath: log, toPath: directory.file("app.log.1"))
        try write(4, to: log)
        expected += 4
        try awaitTotal("rename rotation")

        // copytruncate: copy away, truncate in place, the app keeps appending (fewer bytes than before).
        try FileManager.default.copyItem(atPath: log, toPath: directory.file("app.log.2"))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.truncate(atOffset: 0)
        try handle.close()
        try write(2, to: log)
        expected += 2
        try awaitTotal("copytruncate")

        // Keep appending.
        for _ in 0..<3 {
            try write(2, to: log)
            expected += 2
            try awaitTotal("appends after rotation")
        }
        XCTAssertEqual(expected, 20)

        // Nothing counted twice later: the next documents keep the exact total.
        let seen = watch.lines.count
        XCTAssertTrue(watch.waitForLines(seen + 3, timeoutSeconds: 20))
        for line in watch.lines[seen...] {
            let document = try parseJSONObject(line.text)
            XCTAssertEqual(document.failOpenTotal, expected, "stays exact")
            let source = ((document["logs"] as? [String: Any])?["sources"] as? [[String: Any]])?.first
            XCTAssertEqual(source?["status"] as? String, "following")
            XCTAssertEqual(source?["format"] as? String, "detailed")
        }
        assertCleanStop(watch, after: SIGTERM)
    }

    func testGlobFollowsRotatedFilesWithoutCountingTwice() throws {
        let log = directory.file("app.log")
        try append(LogLineWriter.noise(.classic, at: Date(), number: 0), to: log)
        let watch = try startWatch(["--no-census", "--log", directory.path + "/app.log*"])
        var expected = 0
        func write(_ events: Int, to path: String) throws {
            try append((0..<events).map { _ in LogLineWriter.failOpen(.classic, at: Date()) }.joined(), to: path)
            expected += events
        }
        func awaitTotal(_ step: String) {
            XCTAssertNotNil(watch.waitForDocument(timeoutSeconds: 20) { $0.failOpenTotal == expected },
                            "\(step): total \(expected); last: \(watch.lines.last.map { String($0.text.suffix(300)) } ?? "none")")
        }
        XCTAssertNotNil(watch.waitForDocument(timeoutSeconds: 20) { $0.failOpenTotal == 0 })
        try write(4, to: log)
        awaitTotal("appends")

        // A worker still holding the old file writes to it after the rename; the glob keeps following it.
        let old = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try old.seekToEnd()
        try FileManager.default.moveItem(atPath: log, toPath: directory.file("app.log.1"))
        try write(3, to: log)
        try old.write(contentsOf: Data((0..<2).map { _ in LogLineWriter.failOpen(.classic, at: Date()) }.joined().utf8))
        try old.close()
        expected += 2
        awaitTotal("rotation under a glob, late writes to the old file included")

        let seen = watch.lines.count
        XCTAssertTrue(watch.waitForLines(seen + 6, timeoutSeconds: 30), "a few more documents (past a glob re-expansion)")
        for line in watch.lines[seen...] {
            XCTAssertEqual(try parseJSONObject(line.text).failOpenTotal, expected, "the renamed file is not read again")
        }
        assertCleanStop(watch, after: SIGTERM)
    }

    func testLateAppearingLogAndDeleteRecreateWithExactTotal() throws {
        let log = directory.file("late.log")
        let watch = try startWatch(["--no-census", "--log", log])
        let first = watch.waitForDocument(timeoutSeconds: 20) { _ in true }
        let source = ((first?["logs"] as? [String: Any])?["sources"] as? [[String: Any]])?.first
        XCTAssertEqual(source?["status"] as? String, "missing", "a log that does not exist yet is waited for")

        func events(_ count: Int) -> String {
            (0..<count).map { _ in LogLineWriter.failOpen(.json, at: Date(), error: "ConnectionError") }.joined()
        }
        try append(events(3), to: log)
        XCTAssertNotNil(watch.waitForDocument(timeoutSeconds: 20) { $0.failOpenTotal == 3 }, "the late file is read from its start")

        try FileManager.default.removeItem(atPath: log)
        let removedAt = watch.lines.count
        XCTAssertTrue(watch.waitForLines(removedAt + 2, timeoutSeconds: 20))
        try append(events(4), to: log)
        let recreated = watch.waitForDocument(timeoutSeconds: 20) { $0.failOpenTotal == 7 }
        XCTAssertNotNil(recreated, "delete + recreate: the new file counted once")
        let seen = watch.lines.count
        XCTAssertTrue(watch.waitForLines(seen + 2, timeoutSeconds: 20))
        XCTAssertTrue(watch.lines[seen...].allSatisfy { (try? parseJSONObject($0.text))?.failOpenTotal == 7 }, "stays exact")
        let format = (((recreated?["logs"] as? [String: Any])?["sources"] as? [[String: Any]])?.first)?["format"] as? String
        XCTAssertEqual(format, "json")
        assertCleanStop(watch, after: SIGTERM)
    }

    func testThresholdCrossingsAndStaleSource() throws {
        let log = directory.file("alerts.log")
        try append(LogLineWriter.noise(.structured, at: Date(), number: 0), to: log)
        let watch = try startWatch(["--no-census", "--log", log, "--warn-rate", "3", "--crit-rate", "6", "--stale", "1s"])

        func failOpen(_ document: [String: Any]) -> [String: Any]? {
            (document["logs"] as? [String: Any])?["fail_open"] as? [String: Any]
        }
        func status(_ document: [String: Any]) -> String? {
            (((document["logs"] as? [String: Any])?["sources"] as? [[String: Any]])?.first)?["status"] as? String
        }
        func events(_ count: Int) throws {
            try append((0..<count).map { _ in LogLineWriter.failOpen(.structured, at: Date(), error: "Timeout reading from socket") }.joined(),
                       to: log)
        }

        // Silent longer than --stale: reported stale, not healthy.
        XCTAssertNotNil(watch.waitForDocument(timeoutSeconds: 20) { status($0) == "stale" }, "a silent source turns stale")

        try events(4)
        let warn = watch.waitForDocument(timeoutSeconds: 20) { failOpen($0)?["state"] as? String == "warn" }
        XCTAssertNotNil(warn, "4/min ≥ --warn-rate 3")
        XCTAssertEqual(warn.flatMap(failOpen)?["last_1m"] as? Int, 4)
        XCTAssertEqual(warn.flatMap(status), "following", "new lines make it live again")

        try events(3)
        let crit = watch.waitForDocument(timeoutSeconds: 20) { failOpen($0)?["state"] as? String == "crit" }
        XCTAssertNotNil(crit, "7/min ≥ --crit-rate 6")
        let counts = try XCTUnwrap(crit.flatMap(failOpen))
        XCTAssertEqual(counts["last_1m"] as? Int, 7)
        XCTAssertEqual(counts["total"] as? Int, 7)
        XCTAssertEqual(counts["warn_per_minute"] as? Double, 3)
        XCTAssertEqual(counts["crit_per_minute"] as? Double, 6)
        XCTAssertNotNil(counts["since"] as? String)
        let history = try XCTUnwrap(counts["history"] as? [[String: Any]])
        XCTAssertEqual(history.map { "\($0["from"] ?? "?")→\($0["to"] ?? "?")" }, ["ok→warn", "warn→crit"])
        assertCleanStop(watch, after: SIGTERM)
    }

    func testStdinLogFollowedLive() throws {
        let watch = try launch(["watch", "--json", "--no-census", "--interval", "0.5s", "-p", String(server.port),
                                "--log", "-"], withStdin: true)
        func events(_ count: Int) -> String {
            (0..<count).map { _ in LogLineWriter.failOpen(.classic, at: Date(), error: "Connection refused") }.joined()
        }
        try watch.writeStdin(events(2))
        XCTAssertNotNil(watch.waitForDocument(timeoutSeconds: 20) { $0.failOpenTotal == 2 }, "lines counted as they arrive")
        try watch.writeStdin(LogLineWriter.traceback + events(3))
        XCTAssertNotNil(watch.waitForDocument(timeoutSeconds: 20) { $0.failOpenTotal == 5 })
        try watch.closeStdin()
        let ended = watch.waitForDocument(timeoutSeconds: 20) { document in
            let source = ((document["logs"] as? [String: Any])?["sources"] as? [[String: Any]])?.first
            return (source?["detail"] as? String)?.contains("EOF") == true
        }
        XCTAssertNotNil(ended, "EOF on stdin is reported")
        XCTAssertEqual(ended?.failOpenTotal, 5, "nothing counted twice; the traceback is not an event")
        XCTAssertTrue(watch.isRunning, "watch keeps watching Redis after stdin ends")
        assertCleanStop(watch, after: SIGINT)
    }

    func testReaderGoingAwayStopsWatch() throws {
        let script = "'\(CLIRunner.binaryPath)' watch --json --no-census --interval 0.2s -p \(server.port) | head -1; echo \"status=${PIPESTATUS[0]}\" >&2"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let finished = waitUntil(timeoutSeconds: 30) { !process.isRunning }
        if !finished { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        XCTAssertTrue(finished, "watch exits once its reader is gone")
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(stdout.split(separator: "\n").count, 1)
        XCTAssertEqual(try parseJSONObject(stdout)["schema"] as? Int, 1)
        let status = stderr.components(separatedBy: "status=").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertNotNil(status, stderr)
        XCTAssertLessThan(status ?? 999, 128, "not killed by SIGPIPE: \(stderr)")
        XCTAssertFalse(stderr.contains("Fatal error"), stderr)
    }

    func testRedisKilledThenRestartedOnTheSamePort() throws {
        let watch = try startWatch([])
        XCTAssertNotNil(watch.waitForDocument(timeoutSeconds: 20) { $0.redisError == nil && $0["server"] is [String: Any] },
                        "connected first")

        server.kill()
        let killedAt = watch.lines.count
        let failing = watch.waitForDocument(after: killedAt, timeoutSeconds: 20) { $0.redisError != nil }
        XCTAssertNotNil(failing, "documents carry error once Redis is gone")
        XCTAssertTrue(failing?.redisError?.contains("127.0.0.1:\(server.port)") == true, "error names the address: \(failing?.redisError ?? "nil")")
        XCTAssertTrue(failing?["server"] is NSNull, "no stale server block while Redis is down")
        XCTAssertTrue(failing?["metrics"] is NSNull, "no stale metrics while Redis is down")
        let afterFirstError = watch.lines.count
        XCTAssertTrue(watch.waitForLines(afterFirstError + 2, timeoutSeconds: 20), "documents keep coming while Redis is down")
        XCTAssertTrue(watch.isRunning)

        try server.start()
        let restartedAt = watch.lines.count
        let recovered = watch.waitForDocument(after: restartedAt, timeoutSeconds: 30) {
            $0.redisError == nil && $0["server"] is [String: Any]
        }
        XCTAssertNotNil(recovered, "documents recover after the restart")
        XCTAssertLessThanOrEqual(((recovered?["server"] as? [String: Any])?["uptime_seconds"] as? Int) ?? .max, 60,
                                 "the new server's uptime")
        assertCleanStop(watch, after: SIGINT)
    }
}
