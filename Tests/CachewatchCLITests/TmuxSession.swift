import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TestSupport
import XCTest

/// A detached tmux session running one command, for end-to-end tests of the dashboard.
///
/// Each session has its own tmux server (`-L`), started with a private config: panes remain after their
/// command exits (so the screen and exit status can be read), no status line. `kill()` (and deinit)
/// stop the server, which hangs up on whatever still runs in the pane.
final class TmuxSession {
    let name: String
    private let socketName: String
    private let configPath: String

    /// True when tmux is installed where the tests look for it.
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: tmuxPath) }

    private static let tmuxPath = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"]
        .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/tmux"

    /// Starts `command` in a new detached session of the given size (on a private tmux server).
    convenience init(command: [String], width: Int, height: Int, environment: [String: String] = [:],
                     workingDirectory: String? = nil) throws {
        let exports = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        let shellCommand = (exports.isEmpty ? "" : "env \(exports) ") + command.map(Self.quote).joined(separator: " ")
        try self.init(shellCommand: shellCommand, width: width, height: height, workingDirectory: workingDirectory)
    }

    /// Starts a shell command line (run by tmux with `sh -c`) in a new detached session.
    init(shellCommand: String, width: Int, height: Int, workingDirectory: String? = nil) throws {
        name = "cw\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        socketName = name
        configPath = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).tmux.conf").path
        // In the config, not a later set-option: a command that exits at once must still leave its pane.
        let config = "set -g remain-on-exit on\nset -g status off\nset -g history-limit 200\n"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        var arguments = ["new-session", "-d", "-s", name, "-x", String(width), "-y", String(height)]
        if let workingDirectory { arguments += ["-c", workingDirectory] }
        try tmux(arguments + [shellCommand])
        startWatchdog()
    }

    deinit { kill() }

    // MARK: - Screen

    /// The visible screen as text.
    func capture() -> String {
        (try? tmuxOutput(["capture-pane", "-p", "-t", name])) ?? ""
    }

    /// The visible screen with its SGR attribute sequences (`capture-pane -e`).
    func captureWithEscapes() -> String {
        (try? tmuxOutput(["capture-pane", "-e", "-p", "-t", name])) ?? ""
    }

    /// Polls the screen until `predicate` holds or `timeoutSeconds` pass; returns the last capture.
    @discardableResult
    func waitFor(timeoutSeconds: Double = 10, _ predicate: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var screen = capture()
        while !predicate(screen) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
            screen = capture()
        }
        return screen
    }

    // MARK: - Input and size

    /// Types keys (tmux key names: `q`, `Enter`, `Escape`, `C-c`, …).
    func send(_ keys: String...) {
        try? tmux(["send-keys", "-t", name] + keys)
    }

    /// Types text literally (no key-name lookup).
    func type(_ text: String) {
        try? tmux(["send-keys", "-l", "-t", name, text])
    }

    /// Resizes the window.
    func resize(width: Int, height: Int) {
        try? tmux(["resize-window", "-t", name, "-x", String(width), "-y", String(height)])
    }

    // MARK: - Pane state

    /// A tmux format expanded for the pane, e.g. `#{pane_pid}`, trimmed.
    func format(_ format: String) -> String {
        let text = (try? tmuxOutput(["display-message", "-p", "-t", name, format])) ?? ""
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// True while the command in the pane is still running.
    var isRunning: Bool { format("#{pane_dead}") == "0" }

    /// The pane's exit status once the command ended.
    var exitStatus: Int? { Int(format("#{pane_dead_status}")) }

    /// True while the program in the pane uses the alternate screen (curses between initscr and endwin).
    var alternateScreenOn: Bool { format("#{alternate_on}") == "1" }

    /// True when the pane's cursor is visible (curses hides it; endwin shows it again).
    var cursorVisible: Bool { format("#{cursor_flag}") == "1" }

    /// The pane's title (what an OSC 0/2 sequence would change).
    var paneTitle: String { format("#{pane_title}") }

    /// Polls until the pane's command has exited; true when it did within `timeoutSeconds`.
    func waitUntilExited(timeoutSeconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        return !isRunning
    }

    // MARK: - Output recording

    /// Appends everything the program writes to the pane, byte for byte, to `path` (`pipe-pane -o`).
    func startRecordingOutput(to path: String) {
        try? tmux(["pipe-pane", "-o", "-t", name, "cat >> \(Self.quote(path))"])
    }

    /// Stops `startRecordingOutput`.
    func stopRecordingOutput() {
        try? tmux(["pipe-pane", "-t", name])
    }

    // MARK: - Teardown

    /// Kills the session and its tmux server.
    func kill() {
        try? tmux(["kill-server"])
        try? FileManager.default.removeItem(atPath: configPath)
    }

    /// A detached `sh` that kills this tmux server (and so the dashboard in it) if the test process dies
    /// without tearing down; it exits by itself within a second of the server going away.
    private func startWatchdog() {
        let tmux = "\(Self.quote(Self.tmuxPath)) -L \(Self.quote(socketName)) -f \(Self.quote(configPath))"
        ServerProcess.startWatchdog(aliveCheck: "\(tmux) has-session 2>/dev/null",
                                    cleanup: "\(tmux) kill-server 2>/dev/null; rm -f \(Self.quote(configPath))")
    }

    // MARK: - tmux

    private func tmux(_ arguments: [String]) throws {
        _ = try tmuxOutput(arguments)
    }

    /// Runs one tmux client command and returns its stdout.
    ///
    /// Not `Process`: on Linux, Foundation learns that a child exited when a socket it hands the child is
    /// closed, and the server that `new-session` forks keeps that socket (and any stdout pipe) open, so
    /// `waitUntilExit` would wait for the server. Here: posix_spawn with every fd above 2 closed, stdout to
    /// a temp file, waitpid; a client that takes longer than 10 s is killed.
    private func tmuxOutput(_ arguments: [String]) throws -> String {
        let outputPath = configPath + ".\(UInt32.random(in: 0...UInt32.max)).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let argv = [Self.tmuxPath, "-L", socketName, "-f", configPath] + arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        Self.closeDescriptorsAbove2(&actions)
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, Self.tmuxPath, &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw TmuxError(description: "tmux did not start: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(10)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() >= deadline {
                Glibc.kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw TmuxError(description: "tmux \(arguments.first ?? "") did not finish in 10 s")
            }
            usleep(5_000)
        }
        let data = FileManager.default.contents(atPath: outputPath) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Adds "close every fd from 3 up" to the spawn: glibc's `posix_spawn_file_actions_addclosefrom_np`
    /// (not visible to Swift, so looked up), else one close per fd open now.
    private static func closeDescriptorsAbove2(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap(Int32.init) where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }

    /// A tmux client that could not run.
    struct TmuxError: Error, CustomStringConvertible {
        var description: String
    }

    /// Single-quotes a word for `sh`.
    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
