import Foundation
import TestSupport
import XCTest

/// The dashboard in a real terminal (tmux): header, families, fail-open counts and banner, Redis going
/// away and coming back, resizing, and the keys.
final class DashboardEndToEndTests: DashboardTestCase {
    // MARK: - First screen

    func testHeaderFamiliesAndFailOpenCountsAt80x24() throws {
        seedFamilies()
        try writeSeedLog()
        let version = redis.redisCLI(["INFO", "server"]).split(whereSeparator: \.isNewline)
            .first { $0.hasPrefix("redis_version:") }.map { String($0.dropFirst("redis_version:".count)) } ?? "?"
        let (session, _) = try launchReadyDashboard()
        let screen = session.waitFor { $0.contains("1m 1 5m 3 15m 6") }

        let lines = screen.components(separatedBy: "\n")
        let header = lines.first { $0.contains("cachewatch ") } ?? ""
        XCTAssertTrue(header.contains("127.0.0.1:\(redis.port)"), "header without the target: \(header)")
        XCTAssertTrue(header.contains("redis \(version)"), "header without the Redis version \(version): \(header)")
        XCTAssertTrue(header.contains("connected") && !header.contains("reconnecting"), header)

        // Families: widget:{id} 30 keys all with TTLs, cart:{id}:items 20 keys none with a TTL.
        let widget = tokens(ofRowContaining: "widget:{id}", in: screen)
        XCTAssertEqual(Array(widget.prefix(4)), ["widget:{id}", "30", "60.0%", "0"], screen)
        XCTAssertEqual(widget.dropFirst(4).first, "5m", "p50 of TTLs 301–330 s: \(widget)")
        let cart = tokens(ofRowContaining: "cart:{id}:items", in: screen)
        XCTAssertEqual(Array(cart.prefix(4)), ["cart:{id}:items", "20", "40.0%", "20"], screen)

        // Fail-open: 1 line in the last minute, 3 in 5 minutes, 6 in 15 (the rest of the log does not count).
        XCTAssertTrue(screen.contains("1m 1 5m 3 15m 6"), "fail-open counts:\n\(screen)")
        XCTAssertTrue(screen.contains("OK since"), screen)
        XCTAssertFalse(screen.contains("CRITICAL"), screen)
        XCTAssertTrue(screen.contains("┌"), "UTF-8 locale, box drawing expected:\n\(screen)")
        XCTAssertTrue(session.alternateScreenOn, "curses should draw on the alternate screen")
        XCTAssertEqual(lines.filter { !$0.isEmpty }.count, 24, "the dashboard fills 24 rows:\n\(screen)")
        XCTAssertTrue(stderrLog().isEmpty, "stderr while drawing: \(stderrLog())")

        // Nobody but cachewatch talks to this Redis: its own PING/INFO and census are not the app's ops/s.
        let idle = session.waitFor { ($0.components(separatedBy: "\n").first { $0.contains("ops/s") } ?? "").contains("ops/s 0 ") }
        XCTAssertTrue(idle.contains("ops/s 0 "), "the observer's own commands counted as traffic:\n\(idle)")
    }

    // MARK: - Fail-open alert

    func testCriticalBannerAppearsWithinTwoSecondsOfTheWrite() throws {
        seedFamilies()
        try writeSeedLog()
        let (session, _) = try launchReadyDashboard()
        let before = session.waitFor { $0.contains("1m 1 5m 3") }
        XCTAssertFalse(before.contains("FAIL-OPEN CRITICAL"), before)

        let now = Date()
        try appendToLog(String(repeating: failOpenLine(now, error: "Timeout reading from socket"), count: 60))
        let written = Date()
        let screen = session.waitFor(timeoutSeconds: 2) { $0.contains("FAIL-OPEN CRITICAL") }
        let elapsedSeconds = Date().timeIntervalSince(written)

        XCTAssertTrue(screen.contains("FAIL-OPEN CRITICAL"), "no crit banner \(elapsedSeconds) s after the write:\n\(screen)")
        let firstLine = screen.components(separatedBy: "\n").first ?? ""
        XCTAssertTrue(firstLine.contains("FAIL-OPEN CRITICAL") && firstLine.contains("61/min"),
                      "the banner leads the screen with the rate: \(firstLine)")
        let updated = session.waitFor(timeoutSeconds: 2) { $0.contains("1m 61") }
        XCTAssertTrue(updated.contains("1m 61 5m 63 15m 66"), updated)
        XCTAssertTrue(updated.contains("CRIT since"), updated)
        XCTAssertTrue(updated.contains("Timeout reading from socket"), "top error: \(updated)")
    }

    // MARK: - Redis goes away

    func testReconnectingAfterRedisDiesThenRecovers() throws {
        seedFamilies()
        try writeSeedLog()
        let (session, _) = try launchReadyDashboard()

        redis.kill()
        let down = session.waitFor(timeoutSeconds: 10) { $0.contains("reconnecting since") }
        let header = down.components(separatedBy: "\n").first { $0.contains("cachewatch ") } ?? ""
        XCTAssertNotNil(header.range(of: #"reconnecting since \d\d:\d\d:\d\d — \S"#, options: .regularExpression),
                        "reconnecting state with a reason: \(header)")
        XCTAssertFalse(header.contains("● connected"), header)
        XCTAssertTrue(session.isRunning, "the dashboard must survive Redis going away")

        // At full width the reason is readable.
        session.resize(width: 132, height: 43)
        let wide = session.waitFor { $0.contains("reconnecting since") && $0.contains("-60m") }
        let wideHeader = wide.components(separatedBy: "\n").first { $0.contains("reconnecting since") } ?? ""
        let reason = wideHeader.components(separatedBy: " — ").dropFirst().joined(separator: " — ")
            .trimmingCharacters(in: .whitespaces)
        XCTAssertGreaterThan(reason.count, 8, "a reason after the dash: \(wideHeader)")

        try redis.start()
        let up = session.waitFor(timeoutSeconds: 15) {
            let header = $0.components(separatedBy: "\n").first { $0.contains("cachewatch ") } ?? ""
            return header.contains("connected") && !header.contains("reconnecting")
        }
        let upHeader = up.components(separatedBy: "\n").first { $0.contains("cachewatch ") } ?? ""
        XCTAssertTrue(upHeader.contains("connected") && !upHeader.contains("reconnecting"), "no recovery: \(upHeader)")
        XCTAssertTrue(upHeader.contains("redis 7") || upHeader.contains("redis "), upHeader)
        // The restarted server is empty: the census sees that too.
        let empty = session.waitFor(timeoutSeconds: 15) { $0.contains("the database is empty") }
        XCTAssertTrue(empty.contains("the database is empty"), empty)
    }

    // MARK: - Resize

    func testResizeToCompactAndFullViewsAndBack() throws {
        seedFamilies()
        try writeSeedLog()
        let (session, _) = try launchReadyDashboard()

        session.resize(width: 40, height: 10)
        let compact = session.waitFor { $0.contains("fail/min") && !$0.contains("Families") }
        XCTAssertTrue(compact.contains("ops/s"), compact)
        XCTAssertTrue(compact.contains("fail/min 1 ok"), "compact fail-open number: \n\(compact)")
        XCTAssertTrue(compact.contains("2 families"), compact)
        XCTAssertTrue(compact.contains("q quit"), compact)
        XCTAssertFalse(compact.contains("Families"), "the full layout at 40×10:\n\(compact)")
        assertFits(compact, width: 40, height: 10)
        XCTAssertTrue(session.isRunning, "crashed at 40×10")

        session.resize(width: 132, height: 43)
        let full = session.waitFor { $0.contains("TYPE") && $0.contains("-60m") }
        XCTAssertTrue(full.contains("widget:{id}") && full.contains("cart:{id}:items"), full)
        XCTAssertTrue(full.contains("TYPE"), "the wide families table has a type column:\n\(full)")
        XCTAssertTrue(full.contains("-60m") && full.contains("total 6"), "the wide fail-open pane:\n\(full)")
        XCTAssertTrue(full.contains("F full census") && full.contains("r reset"), "wide key bar:\n\(full)")
        assertFits(full, width: 132, height: 43)
        let bottomBorder = full.components(separatedBy: "\n").filter { $0.hasPrefix("└") }
        XCTAssertTrue(bottomBorder.contains { $0.count == 132 }, "panes span 132 columns:\n\(full)")

        // Smaller than small, then back to 80×24: still alive and laid out again.
        session.resize(width: 12, height: 3)
        _ = session.waitFor(timeoutSeconds: 1) { _ in false }
        XCTAssertTrue(session.isRunning, "crashed at 12×3")
        session.resize(width: 80, height: 24)
        // Wait for the whole screen: tmux can capture a redraw half-way (the families drawn, the fail-open pane not yet).
        let back = session.waitFor { $0.contains("Families") && $0.contains("widget:{id}") && $0.contains("1m 1 5m 3 15m 6") }
        XCTAssertTrue(back.contains("Families") && back.contains("1m 1 5m 3 15m 6"), back)
        assertFits(back, width: 80, height: 24)
    }

    // MARK: - Keys

    func testHelpDetailFilterPauseAndQuit() throws {
        seedFamilies()
        try writeSeedLog()
        let (session, _) = try launchReadyDashboard()

        // ? opens help, esc closes it.
        session.send("?")
        let help = session.waitFor { $0.contains("Help") && $0.contains("pause the display") }
        XCTAssertTrue(help.contains("pause the display"), help)
        session.send("Escape")
        let closed = session.waitFor { !$0.contains("pause the display") }
        XCTAssertFalse(closed.contains("pause the display"), closed)
        XCTAssertTrue(closed.contains("widget:{id}"), closed)

        // enter opens the selected family (the largest: widget:{id}), esc goes back.
        session.send("Enter")
        let detail = session.waitFor { $0.contains("Expiry forecast") && $0.contains("Examples") }
        XCTAssertTrue(detail.contains("Expiry forecast") && detail.contains("Examples"), detail)
        XCTAssertTrue(detail.contains("widget:{id}  30 keys"), detail)
        XCTAssertNotNil(detail.range(of: #"\n  widget:\d+"#, options: .regularExpression), "example keys:\n\(detail)")
        XCTAssertFalse(detail.contains("FAMILY"), "the families table under the detail:\n\(detail)")
        session.send("Escape")
        let list = session.waitFor { $0.contains("FAMILY") && !$0.contains("Expiry forecast") }
        XCTAssertTrue(list.contains("FAMILY") && list.contains("cart:{id}:items"), list)

        // / filters the families as you type.
        session.send("/")
        session.type("cart")
        let filtered = session.waitFor { $0.contains("/cart") && !$0.contains("widget:{id}") }
        XCTAssertTrue(filtered.contains("cart:{id}:items"), filtered)
        XCTAssertFalse(filtered.contains("widget:{id}"), "the filter did not narrow:\n\(filtered)")
        XCTAssertTrue(filtered.contains("Families 1/2"), filtered)
        session.send("Escape")
        let unfiltered = session.waitFor { $0.contains("widget:{id}") && $0.contains("cart:{id}:items") }
        XCTAssertTrue(unfiltered.contains("widget:{id}"), "esc clears the filter:\n\(unfiltered)")

        // p freezes the display (the clock stops) and p again resumes it.
        session.send("p")
        let paused = session.waitFor { $0.contains("PAUSED") }
        XCTAssertTrue(paused.contains("PAUSED"), paused)
        let frozenClock = clock(in: paused)
        XCTAssertNotNil(frozenClock, paused)
        _ = session.waitFor(timeoutSeconds: 2.2) { clock(in: $0) != frozenClock }
        XCTAssertEqual(clock(in: session.capture()), frozenClock, "the display changed while paused")
        session.send("p")
        let resumed = session.waitFor(timeoutSeconds: 5) { !$0.contains("PAUSED") && clock(in: $0) != frozenClock }
        XCTAssertFalse(resumed.contains("PAUSED"), resumed)
        XCTAssertNotEqual(clock(in: resumed), frozenClock, "the clock did not move after resuming")

        // q quits: exit status 0 and the terminal is given back.
        XCTAssertTrue(session.alternateScreenOn)
        XCTAssertFalse(session.cursorVisible, "curses hides the cursor while drawing")
        session.send("q")
        assertTerminalRestored(session, status: 0)
    }

    func testEveryKeyOnAnEmptyDatabaseWithoutLogs() throws {
        let session = try launchDashboard(withLog: false)
        let empty = session.waitFor(timeoutSeconds: 20) { $0.contains("the database is empty") && $0.contains("● connected") }
        XCTAssertTrue(empty.contains("the database is empty"), empty)
        XCTAssertTrue(empty.contains("connected"), empty)
        for key in ["Enter", "m", "Escape", "j", "k", "Down", "Up", "NPage", "PPage", "G", "g", "Tab", "BTab", "Enter",
                    "Escape", "s", "s", "s", "s", "s", "F", "r", "/", "x", "BSpace", "Escape", "Escape", "p", "p", "?", "?",
                    "Left", "Right", "Home", "End", "F5", "F1", "Escape"] {
            session.send(key)
        }
        // A burst of resizes, as a tiling window manager might send.
        for (width, height) in [(20, 5), (200, 60), (1, 1), (59, 13), (60, 14), (81, 25), (40, 10), (80, 24)] {
            session.resize(width: width, height: height)
        }
        // p shows PAUSED only once every key before it has been read.
        session.send("p")
        let paused = session.waitFor { $0.contains("PAUSED") }
        XCTAssertTrue(paused.contains("PAUSED"), "the keys were not all read:\n\(paused)")
        session.send("p")
        let after = session.waitFor { $0.contains("the database is empty") && $0.contains("q quit") && !$0.contains("PAUSED") }
        XCTAssertTrue(after.contains("the database is empty"), "not laid out again after the keys and resizes:\n\(after)")
        XCTAssertFalse(after.contains("EXITED-"), "the dashboard ended:\n\(after)")
        XCTAssertTrue(stderrLog().isEmpty, "stderr: \(stderrLog())")
        session.send("q")
        assertTerminalRestored(session, status: 0)
    }

    // MARK: - Helpers

    /// The words of the first screen row containing `text`, without the pane borders.
    private func tokens(ofRowContaining text: String, in screen: String) -> [String] {
        let row = screen.components(separatedBy: "\n").first { $0.contains(text) } ?? ""
        return row.split(separator: " ").map(String.init).filter { $0 != "│" && $0 != "|" }
    }

    /// No row wider than `width`, no more than `height` rows.
    private func assertFits(_ screen: String, width: Int, height: Int, file: StaticString = #filePath, line: UInt = #line) {
        var rows = screen.components(separatedBy: "\n")
        while rows.last == "" { rows.removeLast() }
        XCTAssertLessThanOrEqual(rows.count, height, screen, file: file, line: line)
        for row in rows {
            XCTAssertLessThanOrEqual(row.count, width, "row wider than \(width): \(row)", file: file, line: line)
        }
    }
}

/// The header clock (`HH:MM:SS` at the end of the header row), if shown.
private func clock(in screen: String) -> String? {
    guard let header = screen.components(separatedBy: "\n").first(where: { $0.contains("cachewatch ") }),
          let range = header.range(of: #"\d\d:\d\d:\d\d\s*$"#, options: .regularExpression) else { return nil }
    return header[range].trimmingCharacters(in: .whitespaces)
}
