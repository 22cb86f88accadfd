import Foundation
import XCTest

/// A long-running `cachewatch` (e.g. `watch --json`) whose stdout is read line by line while it runs.
final class StreamingCLIProcess {
    /// One stdout line and whether the process was still running when it arrived.
    struct Line {
        var text: String
        var arrivedWhileRunning: Bool
    }

    private let process = Process()
    private let lock = NSLock()
    private var received: [Line] = []
    private var rawStdout = Data()
    private var rawStderr = Data()
    private var pending = Data()
    private let readersDone = DispatchGroup()

    /// Starts the binary with `arguments` (CACHE_* and REDISCLI_AUTH removed from the environment).
    private var input: Pipe?

    init(_ arguments: [String], environment: [String: String] = [:], withStdin: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: CLIRunner.binaryPath)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("CACHE_") || key == "REDISCLI_AUTH" || key == "CACHEWATCH_CONFIG" { env[key] = nil }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if withStdin {
            let pipe = Pipe()
            input = pipe
            process.standardInput = pipe
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        readersDone.enter()
        let outHandle = out.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let chunk = outHandle.availableData
                if chunk.isEmpty { break }
                ingest(chunk)
            }
            readersDone.leave()
        }
        readersDone.enter()
        let errHandle = err.fileHandleForReading
        Thread.detachNewThread { [self] in
            let data = errHandle.readDataToEndOfFile()
            lock.lock()
            rawStderr = data
            lock.unlock()
            readersDone.leave()
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    private func ingest(_ chunk: Data) {
        let running = process.isRunning
        lock.lock()
        defer { lock.unlock() }
        rawStdout.append(chunk)
        pending.append(chunk)
        while let newline = pending.firstIndex(of: 0x0A) {
            let line = pending[pending.startIndex..<newline]
            received.append(Line(text: String(decoding: line, as: UTF8.self), arrivedWhileRunning: running))
            pending = Data(pending[(newline + 1)...])
        }
    }

    // MARK: - Stdin

    /// Writes to the process's stdin (when started `withStdin`).
    func writeStdin(_ text: String) throws {
        try input?.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    /// Closes stdin (EOF for the process).
    func closeStdin() throws {
        try input?.fileHandleForWriting.close()
        input = nil
    }

    // MARK: - Reading

    /// Complete lines received so far.
    var lines: [Line] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// Everything written to stdout so far (to check for a partial last line).
    var stdout: Data {
        lock.lock()
        defer { lock.unlock() }
        return rawStdout
    }

    /// stderr (complete once the process exited).
    var stderr: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: rawStderr, as: UTF8.self)
    }

    var isRunning: Bool { process.isRunning }

    /// Waits until at least `count` lines arrived (bounded).
    @discardableResult
    func waitForLines(_ count: Int, timeoutSeconds: Double) -> Bool {
        waitUntil(timeoutSeconds: timeoutSeconds) { self.lines.count >= count }
    }

    /// Waits for a document, after line index `after`, that satisfies `predicate`; returns it (nil on timeout).
    func waitForDocument(after: Int = 0, timeoutSeconds: Double, _ predicate: ([String: Any]) -> Bool) -> [String: Any]? {
        var found: [String: Any]?
        var checked = after
        waitUntil(timeoutSeconds: timeoutSeconds) {
            let all = self.lines
            while checked < all.count {
                defer { checked += 1 }
                if let document = try? JSONSerialization.jsonObject(with: Data(all[checked].text.utf8)) as? [String: Any],
                   predicate(document) {
                    found = document
                    return true
                }
            }
            return false
        }
        return found
    }

    // MARK: - Stopping

    /// Sends a signal.
    func send(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits (bounded) for the process to exit; returns its status, or nil if it is still running.
    func waitForExit(timeoutSeconds: Double) -> Int32? {
        guard waitUntil(timeoutSeconds: timeoutSeconds, { !self.process.isRunning }) else { return nil }
        process.waitUntilExit()
        _ = readersDone.wait(timeout: .now() + 5)
        return process.terminationStatus
    }

    /// True when the process ended because of an uncaught signal.
    var endedBySignal: Bool { process.terminationReason == .uncaughtSignal }
}

// MARK: - Document fields

extension Dictionary where Key == String, Value == Any {
    /// `logs.fail_open.total`, when present.
    var failOpenTotal: Int? {
        ((self["logs"] as? [String: Any])?["fail_open"] as? [String: Any])?["total"] as? Int
    }

    /// `error`, when present.
    var redisError: String? { self["error"] as? String }
}
