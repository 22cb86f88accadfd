import Foundation

/// Writes app log lines in the boilerplate's five formats (see shared/boilerplate-facts.md) at chosen times.
enum LogLineWriter {
    enum Format: String, CaseIterable {
        case detailed, classic, structured, json, plain
    }

    static let logger = "src.infrastructure.cache.decorator"

    /// One line (with its newline) carrying `message` at `time`, in `format`.
    static func line(_ format: Format, at time: Date, level: String = "WARNING", message: String,
                     timeZone: TimeZone = .current) -> String {
        switch format {
        case .detailed:
            // %(asctime)s [%(levelname)8s] %(name)s: %(message)s, local time, no zone.
            let padded = String(repeating: " ", count: max(0, 8 - level.count)) + level
            return "\(localSeconds(time, timeZone)) [\(padded)] \(logger): \(message)\n"
        case .classic:
            let millis = Int((time.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
            return "\(localSeconds(time, timeZone)),\(String(format: "%03d", millis)) - \(logger) - \(level) - \(message)\n"
        case .structured:
            let escaped = message.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "timestamp=\(isoUTC(time)) level=\(level) module=\(logger) message=\"\(escaped)\" request_id=r\(Int(time.timeIntervalSince1970))\n"
        case .json:
            let object: [String: Any] = ["timestamp": isoUTC(time), "level": level, "module": logger, "message": message,
                                         "filename": "decorator.py", "function": "wrapper", "line_number": 91,
                                         "thread_id": 1, "process_id": 7]
            let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self) + "\n"
        case .plain:
            return "app-1  | \(level):  \(message)\n"
        }
    }

    /// A fail-open line of the decorator.
    static func failOpen(_ format: Format, at time: Date, error: String = "Connection refused") -> String {
        line(format, at: time, message: "Cache backend not available: \(error)")
    }

    /// An unrelated INFO line.
    static func noise(_ format: Format, at time: Date, number: Int) -> String {
        line(format, at: time, level: "INFO", message: "GET /api/v1/widgets/\(number) 200 OK")
    }

    /// A Python traceback (continuation lines that must never count as events).
    static let traceback = """
        Traceback (most recent call last):
          File "/app/src/infrastructure/cache/decorator.py", line 88, in wrapper
            cached = await backend.get(key)
        redis.exceptions.ConnectionError: Cache backend not available: Connection refused

        """

    private static func localSeconds(_ time: Date, _ timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: time)
    }

    private static func isoUTC(_ time: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: time)
    }
}
