import Foundation
import XCTest

/// A detached tmux session running one command, for end-to-end tests of the dashboard.
final class TmuxSession {
    let name: String
    private let socketName: String

    /// Starts `command` in a new detached session of the given size (on a private tmux server).
    init(command: [String], width: Int, height: Int, environment: [String: String] = [:]) throws {
        name = "cw\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        socketName = name
        let exports = environment.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        let shellCommand = (exports.isEmpty ? "" : "env \(exports) ") + command.map(Self.quote).joined(separator: " ")
        try tmux(["new-session", "-d", "-s", name, "-x", String(width), "-y", String(height), shellCommand])
        try? tmux(["set-option", "-t", name, "remain-on-exit", "on"])
    }

    deinit { kill() }

    /// The visible screen as text.
    func capture() -> String {
        (try? tmuxOutput(["capture-pane", "-p", "-t", name])) ?? ""
    }

    /// Types keys (tmux key names: `q`, `Enter`, `Escape`, `C-c`, …).
    func send(_ keys: String...) {
        try? tmux(["send-keys", "-t", name] + keys)
    }

    /// Resizes the window.
    func resize(width: Int, height: Int) {
        try? tmux(["resize-window", "-t", name, "-x", String(width), "-y", String(height)])
    }

    /// True while the command in the pane is still running.
    var isRunning: Bool {
        let dead = (try? tmuxOutput(["display-message", "-p", "-t", name, "#{pane_dead}"])) ?? "1"
        return dead.trimmingCharacters(in: .whitespacesAndNewlines) == "0"
    }

    /// The pane's exit status once the command ended.
    var exitStatus: Int? {
        let text = (try? tmuxOutput(["display-message", "-p", "-t", name, "#{pane_dead_status}"])) ?? ""
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
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

    /// Kills the session and its tmux server.
    func kill() {
        try? tmux(["kill-server"])
    }

    // MARK: - tmux

    private func tmux(_ arguments: [String]) throws {
        _ = try tmuxOutput(arguments)
    }

    private func tmuxOutput(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/tmux")
        process.arguments = ["-L", socketName, "-f", "/dev/null"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    private static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
