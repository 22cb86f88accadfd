import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The process part the server fixtures share (redis-server, memcached): launch with stdio on /dev/null, a watchdog
/// that kills the server if the test process dies first, a bounded wait until it answers, and kill-and-wait.
public enum ServerProcess {
    /// Why a server process could not be started.
    public struct LaunchError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The first executable `name` in the usual binary directories (nil when it is not installed).
    public static func executable(_ name: String, in directories: [String] = ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin", "/usr/sbin"]) -> URL? {
        for dir in directories {
            let path = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) { return URL(fileURLWithPath: path) }
        }
        return nil
    }

    /// Runs `executable arguments…` (stdin, stdout and stderr on /dev/null) with its watchdog. `cleanupDirectory` is
    /// removed by the watchdog too when the test process dies without tearing down.
    public static func launch(_ executable: URL?, arguments: [String], currentDirectory: URL? = nil,
                              cleanupDirectory: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        startWatchdog(aliveCheck: "kill -0 \(pid) 2>/dev/null",
                      cleanup: "kill -9 \(pid) 2>/dev/null" + (cleanupDirectory.map { "; rm -rf '\($0.path)'" } ?? ""))
        return process
    }

    /// Polls `answers` every 20 ms while `process` runs, for `timeoutSeconds` at most; true once it answers.
    public static func waitUntilAnswering(_ process: Process, timeoutSeconds: Double = 10, _ answers: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline, process.isRunning {
            if answers() { return true }
            usleep(20_000)
        }
        return false
    }

    /// Sends `signal` to `process` if it still runs and waits for it to exit.
    public static func terminate(_ process: Process?, signal: Int32) {
        guard let process, process.isRunning else { return }
        _ = Glibc.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    /// A detached `sh` that runs `cleanup` (shell commands: kill the server, remove its files) if the test process dies
    /// without tearing down (a crash); it exits by itself within a second of `aliveCheck` (a shell condition: the
    /// server still runs) turning false.
    public static func startWatchdog(aliveCheck: String, cleanup: String) {
        let script = """
            while kill -0 \(getpid()) 2>/dev/null && \(aliveCheck); do sleep 1; done
            if ! kill -0 \(getpid()) 2>/dev/null; then \(cleanup); fi
            """
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
        watchdog.arguments = ["-c", script]
        watchdog.standardInput = FileHandle.nullDevice
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        try? watchdog.run()
    }
}
