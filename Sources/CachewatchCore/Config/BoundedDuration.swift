import Foundation

/// A duration from a flag, the config file or the environment, checked against its option's range:
/// finite, within `DurationBounds` (never negative, never NaN or infinite).
///
/// The one grammar for every duration cachewatch reads: a bare number of seconds (`90`, `1.5`) or
/// number+unit parts (`500ms`, `5s`, `2m`, `1h`, `1d`, combined as `1m30s`). No exponents, signs,
/// `inf` or `nan`. Parsing never traps: a huge text yields a huge (or infinite) value that the range refuses.
public struct BoundedDuration: Sendable, Equatable, Comparable {
    /// The value in seconds (finite, within the option's range).
    public let seconds: Double

    /// Checks `text` against `bounds`; the error names neither flag nor file (see `DurationRangeError`).
    public init(_ text: String, bounds: DurationBounds) throws {
        try self.init(parsedSeconds: Self.parseSeconds(text), text: text, bounds: bounds)
    }

    /// Checks an already parsed value (`parseSeconds` of `text`; nil when it was not a duration).
    public init(parsedSeconds: Double?, text: String, bounds: DurationBounds) throws {
        guard let parsedSeconds, parsedSeconds.isFinite,
              parsedSeconds >= bounds.minimumSeconds, parsedSeconds <= bounds.maximumSeconds,
              parsedSeconds > 0 || bounds.minimumSeconds == 0 else {
            throw DurationRangeError(text: text, bounds: bounds)
        }
        seconds = parsedSeconds
    }

    /// A value known to be in range (defaults); clamps into `bounds` so it cannot be otherwise.
    public init(seconds: Double, bounds: DurationBounds) {
        self.seconds = seconds.isFinite ? min(max(seconds, bounds.minimumSeconds), bounds.maximumSeconds) : bounds.minimumSeconds
    }

    /// The value in whole milliseconds (rounded; safe: the range is small).
    public var milliseconds: Int { Int((seconds * 1000).rounded()) }

    public static func < (lhs: BoundedDuration, rhs: BoundedDuration) -> Bool { lhs.seconds < rhs.seconds }

    // MARK: - Grammar

    /// Seconds in a duration text; nil when the text is not a duration (see the type's comment).
    public static func parseSeconds(_ text: String) -> Double? {
        let bytes = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        guard !bytes.isEmpty, bytes.count <= 64 else { return nil }
        var index = 0
        var total = 0.0
        var parts = 0
        while index < bytes.count {
            guard let (value, next) = number(bytes, from: index) else { return nil }
            index = next
            var unitEnd = index
            while unitEnd < bytes.count, isLetter(bytes[unitEnd]) { unitEnd += 1 }
            let unit = String(decoding: bytes[index..<unitEnd], as: UTF8.self).lowercased()
            guard let scale = unitSeconds[unit] else { return nil }
            // A bare number is only allowed alone (`90`, not `1m30`).
            if unit.isEmpty && (parts > 0 || unitEnd < bytes.count) { return nil }
            total += value * scale
            parts += 1
            index = unitEnd
        }
        return total
    }

    private static let unitSeconds: [String: Double] = [
        "": 1, "ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86_400,
    ]

    /// `digits[.digits]` from `start`: the value and the index after it.
    private static func number(_ bytes: [UInt8], from start: Int) -> (Double, Int)? {
        var index = start
        var sawDigit = false
        var sawDot = false
        while index < bytes.count {
            let c = bytes[index]
            if c >= 0x30 && c <= 0x39 {
                sawDigit = true
            } else if c == 0x2E && !sawDot {
                sawDot = true
            } else {
                break
            }
            index += 1
        }
        guard sawDigit, let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else { return nil }
        return (value, index)
    }

    private static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }

    // MARK: - Display

    /// A range bound for messages: `0s`, `10ms`, `100ms`, `1s`, `90s`, `10m`, `1h`, `24h`, `7d`.
    public static func describe(seconds: Double) -> String {
        if seconds == 0 { return "0s" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        let whole = Int(min(seconds, 1e12).rounded())
        if whole % 86_400 == 0 && whole > 86_400 { return "\(whole / 86_400)d" }
        if whole % 3600 == 0 { return "\(whole / 3600)h" }
        if whole % 60 == 0 && whole >= 120 { return "\(whole / 60)m" }
        return "\(whole)s"
    }
}

/// The accepted range of one duration option (documented in the README next to the option).
public struct DurationBounds: Sendable, Equatable {
    /// The flag that sets it, as written in errors: `--alert-window`.
    public let flag: String
    /// Its key in `config.toml` (nil when the config file does not set it).
    public let configKey: String?
    public let minimumSeconds: Double
    public let maximumSeconds: Double

    public init(flag: String, configKey: String?, minimumSeconds: Double, maximumSeconds: Double) {
        self.flag = flag
        self.configKey = configKey
        self.minimumSeconds = minimumSeconds
        self.maximumSeconds = maximumSeconds
    }

    /// `--interval` / `interval`: time between samples (watch: between documents).
    public static let interval = DurationBounds(flag: "--interval", configKey: "interval", minimumSeconds: 0.05, maximumSeconds: 3600)
    /// `--connect-timeout` / `CACHE_REDIS_CONNECT_TIMEOUT`.
    public static let connectTimeout = DurationBounds(flag: "--connect-timeout", configKey: nil, minimumSeconds: 0.01, maximumSeconds: 600)
    /// `--command-timeout`: one command or pipeline.
    public static let commandTimeout = DurationBounds(flag: "--command-timeout", configKey: nil, minimumSeconds: 0.01, maximumSeconds: 600)
    /// `--backfill` / `backfill`: how much of each log is read back (0: none).
    public static let backfill = DurationBounds(flag: "--backfill", configKey: "backfill", minimumSeconds: 0, maximumSeconds: 7 * 86_400)
    /// `--alert-window` / `alert_window`: the fail-open counter keeps one hour.
    public static let alertWindow = DurationBounds(flag: "--alert-window", configKey: "alert_window", minimumSeconds: 1, maximumSeconds: 3600)
    /// `--for` / `for`: how long a condition holds before the level changes (0: at once).
    public static let holdFor = DurationBounds(flag: "--for", configKey: "for", minimumSeconds: 0, maximumSeconds: 86_400)
    /// `--stale` / `stale`: a silent source is stale after this.
    public static let stale = DurationBounds(flag: "--stale", configKey: "stale", minimumSeconds: 1, maximumSeconds: 7 * 86_400)
    /// TTL thresholds of `[findings]` (`paginated_ttl_max`, `search_ttl_max`, `mixed_ttl_min_difference`).
    public static let ttlThreshold = DurationBounds(flag: "[findings]", configKey: nil, minimumSeconds: 1, maximumSeconds: 365 * 86_400)
    /// `--refresh` / `[census] refresh`: minimum time between the starts of two background census passes.
    public static let refresh = DurationBounds(flag: "--refresh", configKey: "refresh", minimumSeconds: 10, maximumSeconds: 86_400)
    /// `demo --duration`.
    public static let demoDuration = DurationBounds(flag: "--duration", configKey: nil, minimumSeconds: 1, maximumSeconds: 7 * 86_400)

    /// Every duration option (README table, tests).
    public static let all: [DurationBounds] = [interval, connectTimeout, commandTimeout, backfill, alertWindow, holdFor, stale, refresh, demoDuration]

    /// `between 1s and 1h`.
    public var rangeText: String {
        "between \(BoundedDuration.describe(seconds: minimumSeconds)) and \(BoundedDuration.describe(seconds: maximumSeconds))"
    }
}

/// A duration text outside its option's range (or not a duration at all).
public struct DurationRangeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text as given (escaped when shown).
    public let text: String
    public let bounds: DurationBounds

    public init(text: String, bounds: DurationBounds) {
        self.text = text
        self.bounds = bounds
    }

    /// `<name> must be between 1s and 1h, not "inf"` (no final period; the caller adds it where sentences end).
    public func message(name: String) -> String {
        "\(name) must be \(bounds.rangeText), not \"\(DisplayEscaper.escape(text))\""
    }

    /// The flag's sentence: `--alert-window must be between 1s and 1h, not "inf".`
    public var description: String { message(name: bounds.flag) + "." }
}
