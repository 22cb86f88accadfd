import Foundation

/// Times in a recording and on the `replay`/`diff` command line.
public enum RecordingTime {
    /// Parses ISO-8601 (`2026-11-29T14:03:12Z`, fractional seconds and offsets allowed).
    public static func parseISO(_ text: String) -> Date? {
        guard text.count <= 40 else { return nil }
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return bounded(date) }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text).flatMap(bounded)
    }

    /// Parses a command-line time: ISO-8601, or `HH:MM[:SS]` (UTC) on the day the recording started.
    /// A clock time more than 12 hours before the start means the next day (a recording that crossed
    /// midnight: started 23:00, `01:00` is two hours in).
    public static func parse(_ text: String, recordingStart: Date) -> Date? {
        if let date = parseISO(text) { return date }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count),
              parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy { ("0"..."9").contains($0) } }),
              let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        let second = parts.count == 3 ? Int(parts[2]) ?? -1 : 0
        guard (0..<60).contains(second) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let day = calendar.startOfDay(for: recordingStart)
        var date = day.addingTimeInterval(Double(hour * 3600 + minute * 60 + second))
        if recordingStart.timeIntervalSince(date) > 12 * 3600 { date = date.addingTimeInterval(86_400) }
        return date
    }

    /// Only dates between 1970 and 9999 are meaningful in a recording.
    private static func bounded(_ date: Date) -> Date? {
        let seconds = date.timeIntervalSince1970
        return seconds.isFinite && seconds >= 0 && seconds < 253_402_300_800 ? date : nil
    }
}
