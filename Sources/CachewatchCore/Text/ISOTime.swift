import Foundation

/// ISO-8601 UTC timestamps as the JSON documents print them (`2026-11-26T22:41:07Z`).
public enum ISOTime {
    /// Formats a date as `yyyy-MM-ddTHH:mm:ssZ` (UTC, second precision).
    public static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }
}
