import Foundation
import TestSupport
import XCTest

/// The events timeline end to end in a terminal: the dashboard's `--record`, `M` with a typed note, the events pane
/// `e`, markers on the header sparklines, a live deploy line; and the replay of a recording whose documents carry no
/// `events` (an older recording), whose timeline replay derives with the core detector (`n`, `e`, `g`, `←` `→`).
final class TimelineCLITests: DashboardTestCase {
    private func rows(_ screen: String) -> [String] { screen.components(separatedBy: "\n") }

    func testDashboardRecordsAMarkerADeployAndTheReplayJumpsToThem() throws {
        seedFamilies()
        try writeSeedLog()
        let recording = directory.appendingPathComponent("deploy.cwrec").path
        let (session, _) = try launchReadyDashboard(width: 120, height: 32, arguments: ["--record", recording, "--interval", "0.3s"])
        Thread.sleep(forTimeInterval: 1.5)   // the events come a little after the recording's start
        session.send("M")
        XCTAssertTrue(session.waitFor { $0.contains("marker:") }.contains("marker:"), "M opens the note editor")
        session.type("deploy v42")
        session.send("Enter")
        let added = session.waitFor { $0.contains("marker added") }
        XCTAssertTrue(added.contains("marker added"), added)
        // The marker is on the header's sparklines (rows 2 and 3) once the next sample is in.
        let marked = session.waitFor { screen in self.rows(screen).prefix(3).contains { $0.contains("▼") } }
        XCTAssertTrue(rows(marked).prefix(3).contains { $0.contains("▼") }, "a marker on the header sparklines:\n\(marked)")
        // A deploy: uvicorn's startup line arrives in the followed log.
        try appendToLog(detailedLine(Date(), level: "INFO", logger: "uvicorn.error", "Application startup complete."))
        session.send("e")
        let pane = session.waitFor(timeoutSeconds: 15) { $0.contains("Events") && $0.contains("deploy v42") && $0.contains("uvicorn.error") }
        XCTAssertTrue(pane.contains("deploy v42") && pane.contains("uvicorn.error"), "the events pane lists both:\n\(pane)")
        session.send("Escape")
        Thread.sleep(forTimeInterval: 1.5)
        session.send("q")
        XCTAssertTrue(session.waitFor { $0.contains("EXITED-") }.contains("EXITED-0"))

        let replay = try CLIRunner.run(["replay", recording, "--json"])
        XCTAssertEqual(replay.status, 0, replay.stderr)
        let last = try parseJSONObject(String(replay.stdout.split(separator: "\n").last ?? ""))
        let events = last["events"] as? [[String: Any]] ?? []
        let marker = events.first { $0["kind"] as? String == "marker" }
        XCTAssertEqual((marker?["evidence"] as? [String: Any])?["note"] as? String, "deploy v42", "\(events)")
        XCTAssertTrue(events.contains { $0["kind"] as? String == "deploy" }, "\(events)")

        let player = try startPlayer(recording, width: 120, height: 32)
        defer { player.kill() }
        let seen = stepToEvent(player, until: "marker: deploy v42") { $0.contains("marker: deploy v42") || $0.contains("deploy: Deploy") }
        XCTAssertTrue(seen.contains("marker: deploy v42"), "n steps to the marker (the deploy line is of the same second): \(seen)")
        player.send("q")
        XCTAssertTrue(player.waitUntilExited(timeoutSeconds: 10))
    }

    func testReplayOfARecordingWithoutEventsDerivesTheTimeline() throws {
        seedFamilies()
        let recording = directory.appendingPathComponent("restart.cwrec").path
        let watch = try StreamingCLIProcess(["watch", "--json", "--interval", "0.3s", "--no-census", "-p", String(redis.port),
                                             "--record", recording])
        defer { watch.send(SIGKILL); _ = watch.waitForExit(timeoutSeconds: 5) }
        XCTAssertNotNil(watch.waitForDocument(timeoutSeconds: 20) { $0["server"] is [String: Any] })
        watch.waitForLines(watch.lines.count + 4, timeoutSeconds: 10)
        let before = watch.lines.count
        try redis.restart()
        XCTAssertNotNil(watch.waitForDocument(after: before, timeoutSeconds: 30) {
            ($0["events"] as? [[String: Any]] ?? []).contains { $0["kind"] as? String == "restart" }
        }, "the live timeline has the restart")
        // Documents of later seconds (taken_at has second precision): N from the end has the restart before it.
        watch.waitForLines(watch.lines.count + 8, timeoutSeconds: 10)
        watch.send(SIGTERM)
        XCTAssertEqual(watch.waitForExit(timeoutSeconds: 10), 0, watch.stderr)

        // The same recording as an older cachewatch wrote it: format version 1, a plain file, no `events` in any document.
        let replayed = try CLIRunner.run(["replay", recording, "--json"])
        XCTAssertEqual(replayed.status, 0, replayed.stderr)
        let header = try gunzipFirstLine(recording).replacingOccurrences(of: "\"version\":2,", with: "\"version\":1,")
        XCTAssertTrue(header.contains("\"version\":1,"), header)
        var text = header + "\n"
        var firstTakenAt = ""
        for line in replayed.stdout.split(separator: "\n") {
            var object = try parseJSONObject(String(line))
            object.removeValue(forKey: "events")
            if firstTakenAt.isEmpty { firstTakenAt = object["taken_at"] as? String ?? "" }
            text += String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self) + "\n"
        }
        let older = directory.appendingPathComponent("older.cwrec").path
        try text.write(toFile: older, atomically: true, encoding: .utf8)
        let olderJSON = try CLIRunner.run(["replay", older, "--json"])
        XCTAssertEqual(olderJSON.status, 0, olderJSON.stderr)
        XCTAssertFalse(olderJSON.stdout.contains("\"events\""), "replay --json prints what was recorded, nothing added")

        let player = try startPlayer(older, width: 100, height: 30)
        defer { player.kill() }
        let seen = stepToEvent(player, until: "restart: The cache server restarted") { $0.contains(": ") }
        XCTAssertTrue(seen.contains("restart: The cache server restarted"), "n jumps to the derived restart:\n\(seen)")
        // N: back to the event before it (the restored connection of the same second).
        player.send("N")
        let previous = player.waitFor { $0.contains("connection-restored: ") || $0.contains("connection-lost: ") }
        XCTAssertTrue(previous.contains("connection-restored: ") || previous.contains("connection-lost: "), "N goes back:\n\(previous)")
        player.send("e")
        let pane = player.waitFor { $0.contains("Events") && $0.contains("restart") }
        XCTAssertTrue(pane.contains("restart"), "the events pane lists the derived events:\n\(pane)")
        player.send("Escape")
        // g: go to the first document's second (before the cursor's start: clamped to it), then → and ←.
        let clock = String(firstTakenAt.dropFirst(11).prefix(8))
        player.send("g")
        player.type(clock)
        player.send("Enter")
        XCTAssertTrue(player.waitFor { $0.contains("REPLAY \(clock)") }.contains("REPLAY \(clock)"), "g goes to \(clock)")
        player.send("Right")
        let moved = player.waitFor { !$0.contains("REPLAY \(clock)") && $0.contains("REPLAY") }
        XCTAssertFalse(moved.contains("REPLAY \(clock)"), "→ seeks forward:\n\(moved)")
        player.send("Left")
        XCTAssertTrue(player.waitFor { $0.contains("REPLAY \(clock)") }.contains("REPLAY \(clock)"), "← seeks back")
        // shift-→ / shift-← (a minute: the whole of this short recording, clamped to its ends).
        player.send("S-Right")
        let end = player.waitFor { !$0.contains("REPLAY \(clock)") && $0.contains("REPLAY") }
        XCTAssertFalse(end.contains("REPLAY \(clock)"), "shift-→ seeks forward:\n\(end)")
        player.send("S-Left")
        XCTAssertTrue(player.waitFor { $0.contains("REPLAY \(clock)") }.contains("REPLAY \(clock)"), "shift-← seeks back")
        player.send("+")
        XCTAssertTrue(player.waitFor { $0.contains("×2") }.contains("×2"))
        player.send("q")
        XCTAssertTrue(player.waitUntilExited(timeoutSeconds: 10))
    }

    /// The recording's header line (line 1 of the gzip stream).
    private func gunzipFirstLine(_ path: String) throws -> String {
        String(try gunzip(path).prefix { $0 != "\n" })
    }

    /// `replay FILE` in a terminal, playing (Space) once its REPLAY header is up.
    private func startPlayer(_ path: String, width: Int, height: Int, file: StaticString = #filePath, line: UInt = #line) throws -> TmuxSession {
        let player = try TmuxSession(command: [CLIRunner.binaryPath, "replay", path], width: width, height: height,
                                     environment: ["LC_ALL": "C.UTF-8", "TERM": "xterm-256color"])
        XCTAssertTrue(player.waitFor(timeoutSeconds: 20) { $0.contains("REPLAY") }.contains("REPLAY"), file: file, line: line)
        player.send("Space")
        return player
    }

    /// Presses `n` (next event) up to 4 times until a screen shows `target`; every new screen that `shows` is kept.
    private func stepToEvent(_ player: TmuxSession, until target: String, shows: (String) -> Bool) -> String {
        var seen = ""
        for _ in 0..<4 where !seen.contains(target) {
            let before = player.capture()
            player.send("n")
            seen += player.waitFor(timeoutSeconds: 4) { $0 != before && shows($0) }
        }
        return seen
    }
}
