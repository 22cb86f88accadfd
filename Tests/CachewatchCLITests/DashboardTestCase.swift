import Foundation
import TestSupport
import XCTest

/// Shared setup for the dashboard's tmux end-to-end tests: a private redis-server with a few key
/// families, an app log in the boilerplate's `detailed` format, and `cachewatch` launched in a detached
/// tmux session through a small script that records its pid and prints `EXITED-<status>` after it.
///
/// Subclasses hold the tests; this class has none. tearDown kills every session and server.
class DashboardTestCase: XCTestCase {
    var redis: RedisServerFixture!
    /// A private temp directory: the log, the launch script, the pid file, the stderr log.
    var directory: URL!
    var logPath: String { directory.appendingPathComponent("app.log").path }
    var pidPath: String { directory.appendingPathComponent("cachewatch.pid").path }
    var stderrLogPath: String { directory.appendingPathComponent("stderr.log").path }
    private var sessions: [TmuxSession] = []

    override func setUpWithError() throws {
        try super.setUpWithError()
        guard TmuxSession.isAvailable else { throw prerequisiteMissing("tmux is not installed") }
        guard FileManager.default.isExecutableFile(atPath: CLIRunner.binaryPath) else {
            throw DashboardDidNotStart(description: "build cachewatch first (swift build): \(CLIRunner.binaryPath) is missing")
        }
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("cw-e2e-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        redis = try RedisServerFixture()
    }

    override func tearDown() {
        for session in sessions { session.kill() }
        sessions.removeAll()
        redis?.teardown()
        redis = nil
        if let directory { try? FileManager.default.removeItem(at: directory) }
        super.tearDown()
    }

    // MARK: - Data

    /// `widget:{id}` (30 keys, TTL 300–329 s) and `cart:{id}:items` (20 lists, no TTL).
    func seedFamilies() {
        var commands: [[String]] = []
        for id in 1...30 { commands.append(["SET", "widget:\(id)", "{\"id\":\(id)}", "EX", String(300 + id)]) }
        for id in 1...20 { commands.append(["RPUSH", "cart:\(id):items", "sku-1", "sku-2"]) }
        let summary = redis.pipe(commands)
        XCTAssertTrue(summary.contains("errors: 0, replies: 50"), "seeding failed: \(summary)")
    }

    /// One line in the `detailed` format: `2026-11-26 22:30:01 [ WARNING] logger: message` (local time).
    func detailedLine(_ date: Date, level: String = "WARNING", logger: String = "src.infrastructure.cache.decorator",
                      _ message: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let padded = String(repeating: " ", count: max(0, 8 - level.count)) + level
        return "\(formatter.string(from: date)) [\(padded)] \(logger): \(message)\n"
    }

    /// A fail-open line as the app writes it.
    func failOpenLine(_ date: Date, error: String = "Error 111 connecting to 127.0.0.1:6379. Connection refused.") -> String {
        detailedLine(date, "Cache backend not available: \(error)")
    }

    /// A log whose fail-open counts are 1 in the last minute, 3 in 5 minutes and 6 in 15 minutes,
    /// mixed with lines that must not count (access log, "Could not infer resource ID", a traceback).
    func writeSeedLog(now: Date = Date()) throws {
        var text = ""
        for _ in 0..<3 { text += failOpenLine(now.addingTimeInterval(-600)) }
        text += detailedLine(now.addingTimeInterval(-590), level: "INFO", logger: "uvicorn.access",
                             "127.0.0.1:50312 - \"GET /api/v1/widgets/7 HTTP/1.1\" 200")
        for _ in 0..<2 { text += failOpenLine(now.addingTimeInterval(-180), error: "Timeout reading from socket") }
        text += "Traceback (most recent call last):\n  File \"/app/src/infrastructure/cache/backends/redis.py\", line 41, in get\n"
        text += "redis.exceptions.TimeoutError: Timeout reading from socket\n"
        text += detailedLine(now.addingTimeInterval(-30), "Could not infer resource ID, skipping cache")
        text += failOpenLine(now.addingTimeInterval(-10))
        try text.write(toFile: logPath, atomically: true, encoding: .utf8)
    }

    /// Appends text to the app log (as the app would: open, seek to end, write).
    func appendToLog(_ text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    // MARK: - Launch

    /// Launches `cachewatch -p PORT --log LOG [extra]` in a detached tmux session of the given size.
    ///
    /// The environment is cleared of locale and colour overrides, then `TERM=xterm-256color`,
    /// `LANG=C.UTF-8` and `environment` are set. The pane runs a script: the dashboard (its pid written to
    /// `pidPath`), then `echo EXITED-$?` on whatever screen the dashboard left behind, then a `sleep` that
    /// keeps the pane alive (tmux may drop a dead pane's last output: the dashboard's endwin and the marker).
    func launchDashboard(width: Int = 80, height: Int = 24, arguments extra: [String] = [],
                         environment: [String: String] = [:], withLog: Bool = true, target: [String]? = nil) throws -> TmuxSession {
        // HOME is the temp dir: no user config or theme directory changes what the test sees.
        var env = ["TERM": "xterm-256color", "LANG": "C.UTF-8", "HOME": directory.path]
        for (key, value) in environment { env[key] = value }
        var arguments = target ?? ["-p", String(redis.port)]
        if withLog { arguments += ["--log", logPath] }
        arguments += ["--stderr-log", stderrLogPath] + extra
        let unset = ["LC_ALL", "LC_CTYPE", "LC_MESSAGES", "NO_COLOR", "COLORTERM", "REDISCLI_AUTH",
                     "CACHE_REDIS_HOST", "CACHE_REDIS_PORT", "CACHE_REDIS_DB", "CACHE_REDIS_PASSWORD", "XDG_CONFIG_HOME", "CACHEWATCH_CONFIG"]
        let envWords = ["env"] + unset.flatMap { ["-u", $0] } + env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let command = (envWords + [CLIRunner.binaryPath] + arguments).map(TmuxSession.quote).joined(separator: " ")
        // The trap keeps this script alive through a Ctrl-C or Ctrl-\ meant for the dashboard (the child starts with
        // SIGINT at its default, as a trapped signal is reset on exec).
        let script = """
            trap 'true' INT QUIT
            sh -c 'echo $$ > "$0"; exec "$@"' \(TmuxSession.quote(pidPath)) \(command)
            echo "EXITED-$?"
            exec sleep 120

            """
        let scriptPath = directory.appendingPathComponent("run.sh").path
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: pidPath)
        let session = try TmuxSession(shellCommand: "sh \(TmuxSession.quote(scriptPath))", width: width, height: height,
                                      workingDirectory: directory.path)
        sessions.append(session)
        return session
    }

    /// Launches the dashboard and waits until it shows the connected header and the seeded families.
    func launchReadyDashboard(width: Int = 80, height: Int = 24, arguments: [String] = [],
                              environment: [String: String] = [:]) throws -> (TmuxSession, String) {
        let session = try launchDashboard(width: width, height: height, arguments: arguments, environment: environment)
        let screen = session.waitFor(timeoutSeconds: 20) {
            $0.contains("connected") && $0.contains("widget:{id}") && $0.contains("cart:{id}:items")
        }
        guard screen.contains("widget:{id}") else {
            throw DashboardDidNotStart(description: "the dashboard never showed the families:\n\(screen)\nstderr log:\n\(stderrLog())")
        }
        return (session, screen)
    }

    /// The dashboard never reached its first useful screen.
    struct DashboardDidNotStart: Error, CustomStringConvertible {
        var description: String
    }

    /// The pid the launch script recorded (the dashboard process itself: the script `exec`s it).
    func dashboardPID(timeoutSeconds: Double = 5) -> Int32? {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        repeat {
            if let text = try? String(contentsOfFile: pidPath, encoding: .utf8),
               let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return pid
            }
            Thread.sleep(forTimeInterval: 0.05)
        } while Date() < deadline
        return nil
    }

    /// What the dashboard wrote to stderr while it owned the screen.
    func stderrLog() -> String {
        (try? String(contentsOfFile: stderrLogPath, encoding: .utf8)) ?? ""
    }

    /// Asserts the dashboard has exited with `EXITED-<status>` printed on the normal screen: the alternate
    /// screen was left, the cursor is visible again, and none of the dashboard remains on screen.
    func assertTerminalRestored(_ session: TmuxSession, status: Int? = 0, file: StaticString = #filePath, line: UInt = #line) {
        let marker = status.map { "EXITED-\($0)" } ?? "EXITED-"
        let screen = session.waitFor(timeoutSeconds: 5) { $0.contains(marker) }
        XCTAssertTrue(screen.contains(marker), "no \(marker) after the dashboard ended:\n\(screen)", file: file, line: line)
        XCTAssertFalse(session.alternateScreenOn, "the pane is still on the alternate screen", file: file, line: line)
        XCTAssertTrue(session.cursorVisible, "the cursor was left hidden", file: file, line: line)
        for dashboardText in ["cachewatch 127.0.0.1", "Families", "Fail-open", "quit"] {
            XCTAssertFalse(screen.contains(dashboardText), "dashboard text \"\(dashboardText)\" left on the normal screen:\n\(screen)",
                           file: file, line: line)
        }
        // Nothing went to stderr while drawing, and the run leaves no empty stderr log behind.
        XCTAssertFalse(FileManager.default.fileExists(atPath: stderrLogPath), "stderr log left behind: \(stderrLog())",
                       file: file, line: line)
        if let pid = dashboardPID(timeoutSeconds: 0) {
            XCTAssertNotEqual(kill(pid, 0), 0, "the dashboard process \(pid) still exists", file: file, line: line)
        }
    }

    /// Terminal columns of a captured row: East Asian wide characters take two.
    func displayColumns(_ row: String) -> Int {
        row.unicodeScalars.reduce(0) { total, scalar in
            let wide: [ClosedRange<UInt32>] = [0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF,
                                               0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD]
            return total + (wide.contains { $0.contains(scalar.value) } ? 2 : 1)
        }
    }
}
