import CachewatchThreads
import Foundation

/// Writes an app log in the boilerplate's `detailed` format, with fail-open bursts, for the demo.
final class DemoLogWriter {
    let path: String
    private var random = SplitMix64(seed: 7)
    private var worker: WorkerThread?
    private var second = 1200
    private let formatter: DateFormatter

    init(path: String) {
        self.path = path
        formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    }

    /// Writes 20 minutes of history (so the charts are not empty) and starts appending live lines.
    func start() throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let now = Date()
        var history = ""
        for second in stride(from: -1200, to: 0, by: 1) {
            history += lines(at: now.addingTimeInterval(Double(second)), cycleSecond: second + 1200)
        }
        try append(history)
        worker = WorkerThread.periodic(name: "demo-log", intervalSeconds: 1) { [weak self] in self?.tick() }
    }

    /// Stops appending.
    func stop() {
        worker?.stop()
        worker = nil
    }

    // MARK: - Loop

    private func tick() {
        second += 1
        try? append(lines(at: Date(), cycleSecond: second))
    }

    /// One second of log lines. Every 4 minutes the cache "goes away" for a while:
    /// a warn-level trickle, then a critical burst with tracebacks, then recovery.
    private func lines(at date: Date, cycleSecond: Int) -> String {
        let stamp = formatter.string(from: date)
        var text = ""
        func line(_ level: String, _ logger: String, _ message: String) {
            let padded = String(repeating: " ", count: max(0, 8 - level.count)) + level
            text += "\(stamp) [\(padded)] \(logger): \(message)\n"
        }
        if random.next(below: 3) == 0 {
            line("INFO", "uvicorn.access", "127.0.0.1:5\(random.next(below: 9999)) - \"GET /api/v1/widgets/\(random.next(below: 6000)) HTTP/1.1\" 200")
        }
        if random.next(below: 40) == 0 {
            line("WARNING", "src.infrastructure.cache.decorator", "Could not infer resource ID, skipping cache")
        }
        let phase = cycleSecond % 240
        let failures: Int
        switch phase {
        case 150..<190: failures = random.next(below: 3) == 0 ? 1 : 0          // warn: ~20/min
        case 190..<225: failures = 2 + Int(random.next(below: 3))              // crit: ~180/min
        default: failures = random.next(below: 60) == 0 ? 1 : 0                 // background noise
        }
        for index in 0..<failures {
            switch (index + Int(random.next(below: 4))) % 4 {
            case 0:
                line("WARNING", "src.infrastructure.cache.decorator", "Cache backend not available: Error 111 connecting to 127.0.0.1:6379. Connection refused.")
            case 1:
                line("WARNING", "src.infrastructure.cache.decorator", "Cache backend not available: Timeout reading from socket")
                text += "Traceback (most recent call last):\n  File \"/app/src/infrastructure/cache/backends/redis.py\", line 41, in get\n    return await self.client.get(key)\nredis.exceptions.TimeoutError: Timeout reading from socket\n"
            case 2:
                line("WARNING", "src.infrastructure.cache.decorator", "Cache unavailable while reading 'widget:\(random.next(below: 6000))': ConnectionError")
            default:
                let user = random.next(below: 900)
                line("WARNING", "src.infrastructure.cache.decorator", "Cache unavailable while writing 'user_\(user)_widgets:page_1:size_10:\(user)': ConnectionError")
            }
        }
        return text
    }

    private func append(_ text: String) throws {
        guard !text.isEmpty else { return }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }
}
