import Foundation
import TestSupport
import XCTest

/// `watch --record`, `record`, `replay --json` and `diff FILE@TIME` against a private redis-server.
final class RecordReplayCLITests: RedisCLITestCase {
    private var directory: TempDirectory!

    override func setUpWithError() throws {
        try startServer(seed: RedisServerFixture.widgets(30))
        directory = try TempDirectory("record")
    }

    override func tearDown() {
        super.tearDown()
        directory?.cleanup()
        directory = nil
    }

    private func start(_ arguments: [String]) throws -> StreamingCLIProcess { try launch(arguments) }

    /// The acceptance test of issue 13: record a `watch` across a Redis restart, then `replay --json`
    /// prints exactly what `watch` printed, document for document.
    func testReplayJSONEqualsWhatWatchPrintedAcrossARedisRestart() throws {
        let recording = directory.file("deploy.cwrec")
        let watch = try start(["watch", "--json", "--interval", "0.3s", "-p", String(server.port), "--record", recording])
        XCTAssertNotNil(watch.waitForDocument(timeoutSeconds: 20) { ($0["census"] as? [String: Any])?["complete"] as? Bool == true },
                        "a complete census before the restart")
        let beforeRestart = watch.lines.count
        try server.restart()
        server.pipe((1...5).map { ["SET", "session:\($0)", "x", "EX", "60"] })
        XCTAssertNotNil(watch.waitForDocument(after: beforeRestart, timeoutSeconds: 30) {
            (($0["keyspace"] as? [[String: Any]])?.first?["keys"] as? Int) == 5
        }, "documents after the restart see the new keyspace")
        watch.waitForLines(watch.lines.count + 2, timeoutSeconds: 10)
        watch.send(SIGTERM)
        XCTAssertEqual(watch.waitForExit(timeoutSeconds: 10), 0, watch.stderr)
        running = nil
        let printed = watch.lines.map(\.text)
        XCTAssertGreaterThan(printed.count, 5)

        let replay = try CLIRunner.run(["replay", recording, "--json"])
        XCTAssertEqual(replay.status, 0, replay.stderr)
        XCTAssertEqual(replay.stderr, "")
        let replayed = replay.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        XCTAssertEqual(replayed.count, printed.count)
        for (index, (left, right)) in zip(replayed, printed).enumerated() where left != right {
            XCTFail("document \(index) differs:\nreplay: \(left.prefix(300))\nwatch:  \(right.prefix(300))")
            break
        }
        // A census is stored once per change, not once per document.
        let text = try gunzip(recording)
        let censusLines = text.components(separatedBy: "\n").filter { $0.contains("\"census\":{") }
        XCTAssertLessThan(censusLines.count, printed.count / 2 + 2, "censuses deduplicated")
        // The timeline (the restart and the outage around it), likewise stored once per change (format version 2).
        let eventLines = text.components(separatedBy: "\n").filter { $0.contains("\"events\":[{") }
        XCTAssertGreaterThan(eventLines.count, 0)
        XCTAssertLessThan(eventLines.count, 8, "events stored when they changed, events_ref otherwise")
        XCTAssertTrue(text.contains("\"events_ref\":"))
        XCTAssertTrue(text.hasPrefix("{\"format\":\"cachewatch-recording\",\"version\":2,"), String(text.prefix(80)))

        // A window: --from/--to select by taken_at (ISO-8601).
        let third = try parseJSONObject(printed[2])["taken_at"] as? String ?? ""
        let windowed = try CLIRunner.run(["replay", recording, "--json", "--from", third, "--to", third])
        XCTAssertEqual(windowed.status, 0, windowed.stderr)
        let expected = printed.filter { (try? parseJSONObject($0)["taken_at"] as? String) == third }
        XCTAssertEqual(windowed.stdout, expected.map { $0 + "\n" }.joined())
    }

    func testRecordIsHeadlessStopsOnSignalAndRefusesToOverwrite() throws {
        let recording = directory.file("headless.cwrec")
        for signal in [SIGINT, SIGTERM] {
            try? FileManager.default.removeItem(atPath: recording)
            let record = try start(["record", recording, "--interval", "0.2s", "-p", String(server.port), "--no-census"])
            XCTAssertTrue(waitUntil(timeoutSeconds: 20) { (try? self.replayCount(recording)) ?? 0 >= 3 },
                          "entries are readable while recording runs")
            record.send(signal)
            XCTAssertEqual(record.waitForExit(timeoutSeconds: 10), 0, record.stderr)
            running = nil
            XCTAssertEqual(record.stdout, Data(), "record prints nothing on stdout")
            XCTAssertTrue(record.stderr.hasPrefix("cachewatch: recorded "), record.stderr)
            XCTAssertEqual(record.lines.count, 0)
            XCTAssertEqual(try gzipTest(recording), 0, "a stopped recording is a complete gzip file")
        }
        let again = try CLIRunner.run(["record", recording, "--count", "1", "-p", String(server.port)])
        assertOneSentenceError(again)
        XCTAssertTrue(again.stderr.contains("already exists"), again.stderr)
        let forced = try CLIRunner.run(["record", recording, "--force", "--count", "2", "--interval", "0.2s", "-p", String(server.port),
                                        "--no-census"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertEqual(try replayCount(recording), 2)
        let watchExisting = try CLIRunner.run(["watch", "--count", "1", "-p", String(server.port), "--record", recording])
        assertOneSentenceError(watchExisting)
    }

    func testKilledRecordingReplaysUpToItsLastEntry() throws {
        let recording = directory.file("killed.cwrec")
        let record = try start(["record", recording, "--interval", "0.2s", "-p", String(server.port), "--no-census"])
        XCTAssertTrue(waitUntil(timeoutSeconds: 20) { (try? self.replayCount(recording)) ?? 0 >= 4 })
        record.send(SIGKILL)
        _ = record.waitForExit(timeoutSeconds: 10)
        running = nil
        let replay = try CLIRunner.run(["replay", recording, "--json"])
        XCTAssertEqual(replay.status, 0, replay.stderr)
        XCTAssertGreaterThanOrEqual(replay.stdout.split(separator: "\n").count, 4)

        // Truncated mid-entry: what is readable, then one sentence.
        let data = try Data(contentsOf: URL(fileURLWithPath: recording))
        let truncated = directory.file("truncated.cwrec")
        try data.prefix(data.count - 7).write(to: URL(fileURLWithPath: truncated))
        let cut = try CLIRunner.run(["replay", truncated, "--json"])
        assertNoCrash(cut)
        XCTAssertEqual(cut.status, 0)
        XCTAssertEqual(stderrLines(cut).count, 1, cut.stderr)
        XCTAssertTrue(cut.stderr.contains("damaged"), cut.stderr)
        XCTAssertGreaterThanOrEqual(cut.stdout.split(separator: "\n").count, 3)
    }

    func testReplayErrorsAreOneSentence() throws {
        let notRecording = directory.file("notes.txt")
        try "hello\n".write(toFile: notRecording, atomically: true, encoding: .utf8)
        for arguments in [["replay", notRecording, "--json"], ["replay", directory.file("missing.cwrec"), "--json"],
                          ["replay", directory.path, "--json"]] {
            assertOneSentenceError(try CLIRunner.run(arguments))
        }
        let recording = directory.file("r.cwrec")
        XCTAssertEqual(try CLIRunner.run(["record", recording, "--count", "1", "--interval", "0.2s", "-p", String(server.port),
                                          "--no-census"]).status, 0)
        for bad in ["25:00", "yesterday", "1e9"] {
            assertOneSentenceError(try CLIRunner.run(["replay", recording, "--json", "--from", bad]))
        }
        assertOneSentenceError(try CLIRunner.run(["replay", recording, "--json", "--from", "2026-11-29T12:00:00Z", "--to", "2026-11-29T11:00:00Z"]))
    }

    func testDiffPicksTheRecordedDocumentsNearestToTwoTimes() throws {
        let recording = directory.file("diff.cwrec")
        let watch = try start(["watch", "--json", "--interval", "0.3s", "-p", String(server.port), "--record", recording])
        guard let first = watch.waitForDocument(timeoutSeconds: 20, { ($0["census"] as? [String: Any])?["complete"] as? Bool == true }),
              let before = first["taken_at"] as? String else { return XCTFail("no census") }
        let seen = watch.lines.count
        server.pipe((1...40).map { ["SET", "cart:\($0)", "x", "EX", "900"] })
        guard let second = watch.waitForDocument(after: seen, timeoutSeconds: 30, {
            (($0["census"] as? [String: Any])?["families"] as? [[String: Any]])?.contains { ($0["pattern"] as? String)?.hasPrefix("cart") == true } == true
        }), let cartSeen = second["taken_at"] as? String else { return XCTFail("no census with cart") }
        // taken_at has second precision: pick a later second, whose every document has the cart family.
        guard let later = watch.waitForDocument(after: seen, timeoutSeconds: 10, { ($0["taken_at"] as? String ?? "") > cartSeen }),
              let after = later["taken_at"] as? String else { return XCTFail("no later document") }
        watch.send(SIGTERM)
        _ = watch.waitForExit(timeoutSeconds: 10)
        running = nil
        let diff = try CLIRunner.run(["diff", "\(recording)@\(before)", "\(recording)@\(after)", "--json", "--compact"])
        XCTAssertEqual(diff.status, 0, diff.stderr)
        let json = try parseJSONObject(diff.stdout)
        XCTAssertEqual((json["appeared"] as? [String])?.contains { $0.hasPrefix("cart") }, true, diff.stdout)
        let hhmm = String(after.dropFirst(11).prefix(8))
        let clock = try CLIRunner.run(["diff", "\(recording)@\(before)", "\(recording)@\(hhmm)"])
        XCTAssertEqual(clock.status, 0, clock.stderr)
        assertOneSentenceError(try CLIRunner.run(["diff", "\(recording)@noon", "\(recording)@\(hhmm)"]))
        assertOneSentenceError(try CLIRunner.run(["diff", "\(directory.file("none.cwrec"))@10:00", "\(recording)@\(hhmm)"]))
    }

    /// The replay dashboard end to end: it opens on the recording, pauses, seeks, and quits cleanly.
    func testReplayDashboardInATerminal() throws {
        guard TmuxSession.isAvailable else { throw prerequisiteMissing("tmux is not installed") }
        let recording = directory.file("tui.cwrec")
        let recorded = try CLIRunner.run(["record", recording, "--count", "6", "--interval", "0.3s", "-p", String(server.port)])
        XCTAssertEqual(recorded.status, 0, recorded.stderr)
        let session = try TmuxSession(command: [CLIRunner.binaryPath, "replay", recording], width: 80, height: 24,
                                      environment: ["LC_ALL": "C.UTF-8", "TERM": "xterm-256color"])
        defer { session.kill() }
        let screen = session.waitFor(timeoutSeconds: 20) { $0.contains("REPLAY") && $0.contains("widget:{id}") }
        XCTAssertTrue(screen.contains("REPLAY"), screen)
        XCTAssertTrue(screen.contains("space"), "the replay keys in the footer: \(screen)")
        session.send("Space")
        XCTAssertTrue(session.waitFor(timeoutSeconds: 10) { $0.contains("paused") }.contains("paused"))
        session.send("+")
        XCTAssertTrue(session.waitFor(timeoutSeconds: 10) { $0.contains("×2") }.contains("×2"))
        session.send("q")
        XCTAssertTrue(session.waitUntilExited(timeoutSeconds: 10), "q quits")
    }

    // MARK: - Helpers

    private func replayCount(_ path: String) throws -> Int {
        let result = try CLIRunner.run(["replay", path, "--json"])
        return result.stdout.split(separator: "\n").count
    }

}
