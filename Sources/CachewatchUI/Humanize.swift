import Foundation

/// Number, size, duration and time formatting for a calm, compact screen (`12.4k`, `1.21G`, `59m12s`).
public enum Humanize {
    /// A count with SI suffixes: 0, 999, 1.2k, 12.4k, 402k, 1.13M, 2.5G.
    public static func count(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let sign = value < 0 ? "-" : ""
        let v = abs(value)
        if v < 1000 {
            if v == v.rounded() || v >= 100 { return sign + String(clampedInt(v.rounded())) }
            return sign + trimmed(v, decimals: v < 10 ? 1 : 0)
        }
        let units: [(Double, String)] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
        for (scale, suffix) in units where v >= scale * 0.9995 {
            return sign + threeDigits(v / scale) + suffix
        }
        return sign + String(clampedInt(v))
    }

    /// A count (integer overload).
    public static func count(_ value: Int) -> String { count(Double(value)) }

    /// A count with thousands separators: 402,113.
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// Bytes in binary units: 512B, 48.0K, 1.21G.
    public static func bytes(_ value: Double) -> String {
        guard value.isFinite, value >= 0 else { return "-" }
        if value < 1024 { return String(clampedInt(value)) + "B" }
        let units = ["K", "M", "G", "T", "P"]
        var v = value
        var unit = -1
        while v >= 1023.5, unit < units.count - 1 { v /= 1024; unit += 1 }
        return threeDigits(v) + units[unit]
    }

    /// A duration in two units: 41s, 2m, 59m12s, 23h, 3d04h; whole years from 365 days (2y, 285y, >999y,
    /// for a PTTL of centuries). `nil` → "-".
    public static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "-" }
        if seconds < 0 { return "-" }
        if let years = years(seconds) { return years }
        let s = clampedInt(seconds.rounded())
        if s < 60 { return seconds < 10 && seconds != seconds.rounded() ? trimmed(seconds, decimals: 1) + "s" : "\(s)s" }
        if s < 3600 { return s % 60 == 0 ? "\(s / 60)m" : "\(s / 60)m\(pad2(s % 60))s" }
        if s < 86400 { return s % 3600 < 60 ? "\(s / 3600)h" : "\(s / 3600)h\(pad2((s % 3600) / 60))m" }
        return "\(s / 86400)d\(pad2((s % 86400) / 3600))h"
    }

    /// Uptime, coarse: 42s, 16m, 5h12m, 3d04h.
    public static func uptime(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "-" }
        let s = clampedInt(seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86400 { return "\(s / 3600)h\(pad2((s % 3600) / 60))m" }
        return "\(s / 86400)d\(pad2((s % 86400) / 3600))h"
    }

    /// A short TTL for table cells: the larger unit only (41s, 5m, 1h, 23h, 3d).
    public static func shortDuration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return "-" }
        if let years = years(seconds) { return years }
        let s = clampedInt(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(clampedInt((seconds / 60).rounded()))m" }
        if s < 86400 { return "\(clampedInt((seconds / 3600).rounded()))h" }
        return "\(clampedInt((seconds / 86400).rounded()))d"
    }

    /// A percentage of a 0…1 fraction: 93.1%, 100%, 0.4%.
    public static func percent(_ fraction: Double, decimals: Int = 1) -> String {
        guard fraction.isFinite else { return "-" }
        let p = fraction * 100
        if p >= 99.95 && p <= 100.0001 { return "100%" }
        return String(format: "%.\(decimals)f%%", p)
    }

    /// A share of a total: like `percent`, but never `0.0%` for a non-zero share (`<0.1%`).
    public static func share(_ fraction: Double) -> String {
        fraction > 0 && fraction < 0.0005 ? "<0.1%" : percent(fraction)
    }

    /// Milliseconds: 0.3ms, 12ms, 1.2s.
    public static func milliseconds(_ value: Double?) -> String {
        guard let value, value.isFinite, value >= 0 else { return "-" }
        if value < 10 { return String(format: "%.1fms", value) }
        if value < 1000 { return "\(clampedInt(value.rounded()))ms" }
        return String(format: "%.1fs", value / 1000)
    }

    /// A wall-clock time `HH:mm:ss` in a time zone.
    public static func clock(_ date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.hour, .minute, .second], from: date)
        return "\(pad2(c.hour ?? 0)):\(pad2(c.minute ?? 0)):\(pad2(c.second ?? 0))"
    }

    /// A wall-clock time `HH:mm`.
    public static func clockMinutes(_ date: Date, timeZone: TimeZone) -> String {
        String(clock(date, timeZone: timeZone).prefix(5))
    }

    // MARK: - Pieces

    /// Converts a double to Int without trapping: NaN → 0, huge values clamp to ±2^53.
    public static func clampedInt(_ value: Double) -> Int {
        guard value.isFinite else { return value.isNaN ? 0 : (value > 0 ? 1 << 53 : -(1 << 53)) }
        return Int(min(max(value, -9_007_199_254_740_992), 9_007_199_254_740_992))
    }

    static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// `2y` … `999y`, `>999y` from 365 days on (at most 5 columns); nil below.
    static func years(_ seconds: Double) -> String? {
        let year = 365.0 * 86_400
        guard seconds >= year else { return nil }
        let years = (seconds / year).rounded(.down)
        return years > 999 ? ">999y" : "\(clampedInt(years))y"
    }

    /// 1.21, 12.4, 402 — three significant digits.
    static func threeDigits(_ v: Double) -> String {
        if v < 9.995 { return String(format: "%.2f", v) }
        if v < 99.95 { return String(format: "%.1f", v) }
        return String(clampedInt(v.rounded()))
    }

    static func trimmed(_ v: Double, decimals: Int) -> String { String(format: "%.\(decimals)f", v) }
}
