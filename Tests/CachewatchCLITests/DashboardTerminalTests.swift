import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TestSupport
import XCTest

/// The dashboard as a terminal citizen: signals restore the terminal, ASCII under `LANG=C`, no colour
/// under `NO_COLOR`, hostile key names shown as text, and little output while idle.
final class DashboardTerminalTests: DashboardTestCase {
    // MARK: - Signals

    func testSIGTERMQuitsPromptlyAndRestoresTheTerminal() throws {
        seedFamilies()
        try writeSeedLog()
        let (session, _) = try launchReadyDashboard()
        let pid = try XCTUnwrap(dashboardPID(), "the launch script wrote no pid")
        XCTAssertTrue(session.alternateScreenOn)

        XCTAssertEqual(kill(pid, SIGTERM), 0)
        let screen = session.waitFor(timeoutSeconds: 3) { $0.contains("EXITED-") }
        XCTAssertTrue(screen.contains("EXITED-"), "still running 3 s after SIGTERM:\n\(screen)")
        assertTerminalRestored(session, status: nil)
        // The dashboard treats SIGTERM as a clean stop (the same status as q).
        XCTAssertTrue(screen.contains("EXITED-0"), "exit status after SIGTERM:\n\(screen)")
    }

    func testCtrlCQuitsAndRestoresTheTerminal() throws {
        seedFamilies()
        try writeSeedLog()
        let (session, _) = try launchReadyDashboard()
        session.send("C-c")
        assertTerminalRestored(session, status: 0)
    }

    func testTerminalHangupStopsTheDashboard() throws {
        seedFamilies()
        try writeSeedLog()
        let (session, _) = try launchReadyDashboard()
        let pid = try XCTUnwrap(dashboardPID(), "the launch script wrote no pid")
        // As an SSH connection dropping: the terminal goes away under the dashboard.
        session.kill()
        let deadline = Date().addingTimeInterval(5)
        while processIsAlive(pid) && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        XCTAssertFalse(processIsAlive(pid), "the dashboard kept running after its terminal hung up")
    }

    // MARK: - Locale and colour

    func testLangCDrawsWithASCIIOnly() throws {
        seedFamilies()
        try writeSeedLog()
        let (session, screen) = try launchReadyDashboard(environment: ["LANG": "C"])
        let main = session.waitFor { $0.contains("1m 1 5m 3 15m 6") }
        XCTAssertTrue(main.contains("1m 1 5m 3 15m 6"), main)
        assertASCII(screen)
        assertASCII(main)
        XCTAssertTrue(main.contains("+------"), "ASCII box borders expected:\n\(main)")

        session.send("Enter")
        let detail = session.waitFor { $0.contains("Examples") }
        XCTAssertTrue(detail.contains("Expiry forecast"), detail)
        assertASCII(detail)

        session.send("Escape")
        session.resize(width: 40, height: 10)
        let compact = session.waitFor { $0.contains("fail/min") }
        XCTAssertTrue(compact.contains("fail/min"), compact)
        assertASCII(compact)
    }

    func testVT100DrawsWithASCIIOnlyEvenInAUTF8Locale() throws {
        seedFamilies()
        try writeSeedLog()
        let (session, _) = try launchReadyDashboard(environment: ["TERM": "vt100"])
        let screen = session.waitFor { $0.contains("1m 1 5m 3 15m 6") }
        XCTAssertTrue(screen.contains("1m 1 5m 3 15m 6"), screen)
        assertASCII(screen)
        session.send("q")
        // vt100 has no alternate screen, so the last frame stays; the exit and the cursor are what matter.
        let after = session.waitFor(timeoutSeconds: 5) { $0.contains("EXITED-0") }
        XCTAssertTrue(after.contains("EXITED-0"), after)
        XCTAssertTrue(session.cursorVisible, "the cursor was left hidden")
    }

    func testNoColorDrawsWithoutColours() throws {
        seedFamilies()
        try writeSeedLog()
        // Control: the default theme does colour this screen.
        let (coloured, _) = try launchReadyDashboard()
        let colouredScreen = coloured.captureWithEscapes()
        XCTAssertFalse(colourParameters(in: colouredScreen).isEmpty, "the default theme drew no colour at all")
        coloured.send("q")
        assertTerminalRestored(coloured, status: 0)
        coloured.kill()

        let (plain, _) = try launchReadyDashboard(environment: ["NO_COLOR": "1"])
        _ = plain.waitFor { $0.contains("1m 1 5m 3 15m 6") }
        let plainScreen = plain.captureWithEscapes()
        XCTAssertTrue(plainScreen.contains("widget:{id}"), plainScreen)
        XCTAssertEqual(colourParameters(in: plainScreen), [], "colour under NO_COLOR")
        XCTAssertTrue(sgrParameters(in: plainScreen).contains { $0 == 1 || $0 == 7 },
                      "monochrome still marks things with bold or reverse")
    }

    // MARK: - Terminal injection

    func testHostileKeyNamesAreShownAsTextNotSentToTheTerminal() throws {
        seedFamilies()
        let titleKey = Array("\u{1b}]0;pwned\u{07}".utf8)
        let clearKey = Array("\u{1b}[2J".utf8)
        let invalidKey: [UInt8] = Array("bad".utf8) + [0xFF, 0xFE] + Array("1".utf8)
        var commands: [[[UInt8]]] = [[Array("SET".utf8), titleKey, Array("v".utf8)],
                                     [Array("SET".utf8), clearKey, Array("v".utf8)],
                                     [Array("SET".utf8), invalidKey, Array("v".utf8)]]
        for id in 1...3 { commands.append([Array("SET".utf8), Array("用户:\(id):资料".utf8), Array("v".utf8)]) }
        let summary = redis.pipe(commands)
        XCTAssertTrue(summary.contains("errors: 0, replies: 6"), summary)
        // The log carries control bytes too: its error text is shown in the fail-open pane.
        try failOpenLine(Date().addingTimeInterval(-5), error: "\u{1b}]0;pwned\u{07}\u{1b}[2J boom")
            .write(toFile: logPath, atomically: true, encoding: .utf8)
        let rawPath = directory.appendingPathComponent("raw.out").path

        let session = try launchDashboard()
        session.startRecordingOutput(to: rawPath)
        let titleBefore = session.paneTitle
        let screen = session.waitFor(timeoutSeconds: 20) {
            $0.contains("widget:{id}") && $0.contains(#"\x1b]{id};pwned\x07"#) && $0.contains(#"\x1b[{id}J"#)
        }
        XCTAssertTrue(screen.contains(#"\x1b]{id};pwned\x07"#), "the OSC key's family as text:\n\(screen)")
        XCTAssertTrue(screen.contains(#"\x1b[{id}J"#), "the clear-screen key's family as text:\n\(screen)")
        XCTAssertTrue(screen.contains("cachewatch 127.0.0.1"), "the header is gone (screen cleared?):\n\(screen)")
        let logText = session.waitFor { $0.contains(#"\x1b]0;pwned\x07\x1b[2J boom"#) }
        XCTAssertTrue(logText.contains(#"\x1b]0;pwned\x07\x1b[2J boom"#), "the log's error text, escaped:\n\(logText)")
        // Invalid UTF-8 as \xff; CJK keys at their true width (the row's right border stays in column 80).
        XCTAssertTrue(logText.contains(#"bad\xff\xfe{id}"#), logText)
        let cjkRow = logText.components(separatedBy: "\n").first { $0.contains("用户:{id}:资料") } ?? ""
        XCTAssertTrue(cjkRow.hasSuffix("│"), "CJK row: \(cjkRow)")
        XCTAssertEqual(displayColumns(cjkRow), 80, "CJK row misaligned: \(cjkRow)")

        // The exact key in the family detail's examples.
        session.send("/")
        session.type("pwned")
        session.send("Enter")
        _ = session.waitFor { $0.contains("Families 1/") }
        session.send("Enter")
        let detail = session.waitFor { $0.contains("Examples") && $0.contains(#"\x1b]0;pwned\x07"#) }
        XCTAssertTrue(detail.contains(#"\x1b]0;pwned\x07"#), "the example key, escaped:\n\(detail)")
        session.send("Escape")
        session.send("Escape")
        session.send("/")
        session.type("{id}J")
        session.send("Enter")
        _ = session.waitFor { $0.contains("Families 1/") }
        session.send("Enter")
        let clearDetail = session.waitFor { $0.contains("Examples") && $0.contains(#"\x1b[2J"#) }
        XCTAssertTrue(clearDetail.contains(#"\x1b[2J"#), "the example key, escaped:\n\(clearDetail)")
        XCTAssertTrue(clearDetail.contains("cachewatch 127.0.0.1"), "the header is gone:\n\(clearDetail)")
        session.stopRecordingOutput()

        // Nothing reached the terminal as a control sequence: the title is unchanged and the raw output
        // never carries the key's bytes, though it does carry their escaped text.
        XCTAssertFalse(session.paneTitle.contains("pwned"), "the pane title was changed: \(session.paneTitle)")
        XCTAssertEqual(session.paneTitle, titleBefore)
        let raw = [UInt8](FileManager.default.contents(atPath: rawPath) ?? Data())
        XCTAssertFalse(raw.isEmpty, "pipe-pane recorded nothing")
        XCTAssertFalse(contains(raw, titleKey.dropLast()), "the raw OSC sequence was written to the terminal")
        XCTAssertTrue(contains(raw, Array("pwned".utf8)), "the key's text was never written")
    }

    // MARK: - Idle output

    func testIdleDashboardWritesLessThanTwoKilobytesPerSecond() throws {
        seedFamilies()
        try writeSeedLog()
        let (session, _) = try launchReadyDashboard()
        _ = session.waitFor { $0.contains("1m 1 5m 3 15m 6") && $0.contains("complete") }
        let rawPath = directory.appendingPathComponent("idle.out").path
        let started = Date()
        session.startRecordingOutput(to: rawPath)
        Thread.sleep(forTimeInterval: 10)
        session.stopRecordingOutput()
        let seconds = Date().timeIntervalSince(started)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: rawPath)[.size] as? Int) ?? 0
        let bytesPerSecond = Double(bytes) / seconds
        print("idle dashboard output at 80×24: \(bytes) bytes in \(String(format: "%.1f", seconds)) s = "
              + "\(String(format: "%.0f", bytesPerSecond)) B/s")
        XCTAssertGreaterThan(bytes, 0, "nothing recorded: the clock alone changes every second")
        XCTAssertLessThan(bytesPerSecond, 2048, "idle output \(bytesPerSecond) B/s, goal ≤ 2 KB/s")
        XCTAssertTrue(session.isRunning)
    }

    // MARK: - Helpers

    /// True while `pid` exists and is not a zombie.
    private func processIsAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return kill(pid, 0) == 0 }
        guard let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }

    private func assertASCII(_ screen: String, file: StaticString = #filePath, line: UInt = #line) {
        let other = screen.unicodeScalars.filter { !$0.isASCII }
        XCTAssertTrue(other.isEmpty, "non-ASCII under LANG=C: \(String(String.UnicodeScalarView(other)).prefix(40))\n\(screen)",
                      file: file, line: line)
    }

    /// Every SGR parameter in the captured escapes (`ESC [ … m`).
    private func sgrParameters(in text: String) -> [Int] {
        sgrSequences(in: text).flatMap { $0 }
    }

    /// The SGR parameters that set a colour (30–37, 38;…, 40–47, 48;…, 90–97, 100–107); 39/49 are defaults.
    private func colourParameters(in text: String) -> [Int] {
        var colours: [Int] = []
        for parameters in sgrSequences(in: text) {
            var index = 0
            while index < parameters.count {
                let value = parameters[index]
                switch value {
                case 30...37, 40...47, 90...97, 100...107: colours.append(value)
                case 38, 48:
                    colours.append(value)
                    index += (parameters.dropFirst(index + 1).first == 5) ? 2 : 4
                default: break
                }
                index += 1
            }
        }
        return colours
    }

    private func sgrSequences(in text: String) -> [[Int]] {
        guard let regex = try? NSRegularExpression(pattern: "\u{1b}\\[([0-9;:]*)m") else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { body in
                text[body].split(whereSeparator: { $0 == ";" || $0 == ":" }).compactMap { Int($0) }
            }
        }
    }

    private func contains(_ haystack: [UInt8], _ needle: ArraySlice<UInt8>) -> Bool {
        contains(haystack, Array(needle))
    }

    private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return true }
        }
        return false
    }
}
