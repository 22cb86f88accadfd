import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TestSupport
import XCTest

/// The dashboard under faults (issue 8 §4, §7): terminal signals, a server that never answers, tiny and resized
/// terminals, hostile key names, other cachewatch processes on the same server.
final class DashboardFaultTests: DashboardTestCase {
    /// Ctrl-\ (SIGQUIT) quits like SIGTERM: no crash reporter over the screen, the terminal restored, status 0.
    func testCtrlBackslashQuitsAndRestoresTheTerminal() throws {
        seedFamilies()
        try writeSeedLog()
        let (session, _) = try launchReadyDashboard()
        session.send("C-\\")
        assertTerminalRestored(session, status: 0)
        XCTAssertFalse(session.capture().contains("crashed"), session.capture())
    }

    /// `q` quits at once even while the only server never answers (a handshake blocked on a silent socket).
    func testQQuitsAtOnceWhenRedisNeverAnswers() throws {
        let port = redis.port
        redis.kill()
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(bound, 0, "could not take over the port")
        XCTAssertEqual(listen(listener, 64), 0)
        // Accepted by the kernel, never answered: every command waits for its timeout.
        let session = try launchDashboard(arguments: ["--command-timeout", "10s"], withLog: false)
        let screen = session.waitFor(timeoutSeconds: 15) { $0.contains("cachewatch") && $0.contains("quit") }
        XCTAssertTrue(screen.contains("quit"), screen)
        Thread.sleep(forTimeInterval: 0.5)
        let pressed = Date()
        session.send("q")
        let after = session.waitFor(timeoutSeconds: 5) { $0.contains("EXITED-") }
        XCTAssertTrue(after.contains("EXITED-0"), after)
        XCTAssertLessThan(Date().timeIntervalSince(pressed), 1.5, "q took too long against a silent server")
    }

    /// 20×5, then 100 resizes in about 2 s: alive, and quits cleanly.
    func testTinyTerminalAndResizeStorm() throws {
        seedFamilies()
        try writeSeedLog()
        let session = try launchDashboard(width: 20, height: 5)
        let tiny = session.waitFor(timeoutSeconds: 20) { $0.contains("ops") || $0.contains("connected") }
        XCTAssertFalse(tiny.isEmpty)
        let pid = try XCTUnwrap(dashboardPID())
        let sizes = [(20, 5), (80, 24), (40, 10), (132, 43), (61, 14), (59, 13), (1, 1), (200, 60)]
        for index in 0..<100 {
            let (width, height) = sizes[index % sizes.count]
            session.resize(width: width, height: height)
        }
        session.resize(width: 80, height: 24)
        let screen = session.waitFor(timeoutSeconds: 10) { $0.contains("widget:{id}") && $0.contains("quit") }
        XCTAssertTrue(screen.contains("widget:{id}"), screen)
        XCTAssertEqual(kill(pid, 0), 0, "the dashboard died during the resizes")
        session.send("q")
        assertTerminalRestored(session, status: 0)
    }

    /// Key names with newlines, and one of 64 KB: shown escaped and cut, the header intact, the dashboard alive.
    func testNewlinesAndHugeKeyNames() throws {
        seedFamilies()
        let huge = Array("huge:".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 64 * 1024)
        let summary = redis.pipe([[Array("SET".utf8), Array("line1\nline2:7".utf8), Array("v".utf8)],
                                  [Array("SET".utf8), Array("cr\r\nx:8".utf8), Array("v".utf8)],
                                  [Array("SET".utf8), huge, Array("v".utf8)]])
        XCTAssertTrue(summary.contains("errors: 0, replies: 3"), summary)
        let session = try launchDashboard(withLog: false)
        let screen = session.waitFor(timeoutSeconds: 20) { $0.contains(#"\nline{id}"#) && $0.contains("huge:") }
        XCTAssertTrue(screen.contains(#"line{id}\nline{id}"#), "newline shown as text:\n\(screen)")
        XCTAssertTrue(screen.contains(#"cr\r\nx"#), "CR LF shown as text:\n\(screen)")
        XCTAssertTrue(screen.contains("cachewatch 127.0.0.1"), "header lost:\n\(screen)")
        for line in screen.components(separatedBy: "\n") { XCTAssertLessThanOrEqual(displayColumns(line), 80, line) }
        session.send("q")
        assertTerminalRestored(session, status: 0)
    }

    /// Another cachewatch on the same server: named beside the rates, and its SCANs raise no finding.
    func testAnotherCachewatchIsNamedBesideTheRates() throws {
        seedFamilies()
        let other = try StreamingCLIProcess(["watch", "--json", "--interval", "0.5s", "-p", String(redis.port)])
        defer { other.send(SIGKILL); _ = other.waitForExit(timeoutSeconds: 5) }
        XCTAssertTrue(other.waitForLines(1, timeoutSeconds: 15))
        let session = try launchDashboard(withLog: false)
        let screen = session.waitFor(timeoutSeconds: 20) { $0.contains("rates include 1 other cachewatch") }
        XCTAssertTrue(screen.contains("rates include 1 other cachewatch"), screen)
        XCTAssertFalse(screen.contains("pattern-invalidation"), screen)
        session.send("q")
        assertTerminalRestored(session, status: 0)
    }

    /// `DEBUG SLEEP 5`: the UI keeps answering keys and the header says `slow`; afterwards it is connected again.
    func testStalledRedisKeepsTheUIAnsweringAndSaysSlow() throws {
        redis.teardown()
        redis = try RedisServerFixture(options: .init(extraConfig: ["enable-debug-command yes"]))
        seedFamilies()
        let session = try launchDashboard(withLog: false)
        _ = session.waitFor(timeoutSeconds: 20) { $0.contains("widget:{id}") && $0.contains("connected") }
        let sleeper = DispatchGroup()
        sleeper.enter()
        DispatchQueue.global().async { [redis] in
            redis?.redisCLI(["DEBUG", "SLEEP", "5"])
            sleeper.leave()
        }
        let slow = session.waitFor(timeoutSeconds: 4) { $0.contains("slow, no answer") || $0.contains("reconnecting") }
        XCTAssertTrue(slow.contains("slow, no answer") || slow.contains("reconnecting"), "the stall is not shown:\n\(slow)")
        let asked = Date()
        session.send("?")
        let help = session.waitFor(timeoutSeconds: 2) { $0.contains("Help") }
        XCTAssertTrue(help.contains("Help"), "keys not answered during the stall:\n\(help)")
        XCTAssertLessThan(Date().timeIntervalSince(asked), 1.5)
        session.send("Escape")
        sleeper.wait()
        let back = session.waitFor(timeoutSeconds: 15) { $0.contains("● connected") }
        XCTAssertTrue(back.contains("● connected"), back)
        session.send("q")
        assertTerminalRestored(session, status: 0)
    }

    /// A user denied INFO sees why (not `● connected` with dashes and no reason), and the header row stays.
    func testInfoDeniedIsExplainedOnScreen() throws {
        redis.teardown()
        redis = try RedisServerFixture(options: .init(aclUsers: ["noinfo on >pw ~* +@all -info"]))
        seedFamilies()
        let session = try launchDashboard(arguments: ["--user", "noinfo", "-a", "pw", "--no-auth-warning"], withLog: false)
        let screen = session.waitFor(timeoutSeconds: 20) { $0.contains("'info'") }
        XCTAssertTrue(screen.contains("denies the 'info' command"), screen)
        XCTAssertTrue(screen.components(separatedBy: "\n").first?.contains("cachewatch 127.0.0.1") == true, screen)
        session.send("q")
        assertTerminalRestored(session, status: 0)
    }

    /// Ctrl-Z from an interactive shell gives the terminal back (normal screen, cursor shown); `fg` repaints the
    /// dashboard; Ctrl-\ then quits with status 0 and the terminal restored.
    func testCtrlZAndFgFromAnInteractiveShell() throws {
        seedFamilies()
        let shell = try TmuxSession(shellCommand: "env -i HOME=\(TmuxSession.quote(directory.path)) TERM=xterm-256color LANG=C.UTF-8 bash --norc -i",
                                    width: 80, height: 24, workingDirectory: directory.path)
        defer { shell.kill() }
        _ = shell.waitFor(timeoutSeconds: 5) { $0.contains("$") || $0.contains("#") }
        shell.type("\(CLIRunner.binaryPath) -p \(redis.port) --stderr-log \(stderrLogPath)")
        shell.send("Enter")
        XCTAssertTrue(shell.waitFor(timeoutSeconds: 20) { $0.contains("widget:{id}") }.contains("widget:{id}"))
        shell.send("C-z")
        let stopped = shell.waitFor(timeoutSeconds: 5) { $0.contains("Stopped") }
        XCTAssertTrue(stopped.contains("Stopped"), stopped)
        XCTAssertFalse(shell.alternateScreenOn, "Ctrl-Z left the alternate screen on")
        XCTAssertTrue(shell.cursorVisible, "Ctrl-Z left the cursor hidden")
        shell.type("fg")
        shell.send("Enter")
        XCTAssertTrue(shell.waitFor(timeoutSeconds: 10) { $0.contains("widget:{id}") && $0.contains("quit") }.contains("widget:{id}"),
                      "fg did not repaint the dashboard")
        shell.send("C-\\")
        _ = shell.waitFor(timeoutSeconds: 5) { !$0.contains("Families") }
        shell.type("echo status=$?")
        shell.send("Enter")
        let after = shell.waitFor(timeoutSeconds: 5) { $0.contains("status=0") }
        XCTAssertTrue(after.contains("status=0"), after)
        XCTAssertFalse(shell.alternateScreenOn)
        XCTAssertTrue(shell.cursorVisible)
    }
}
