import Foundation

/// Parses the timestamps the boilerplate's formats write, fast and without Foundation formatters.
///
/// Accepts `YYYY-MM-DD[T ]HH:MM:SS` with an optional `.fff` or `,fff` fraction and an optional
/// zone (`Z`, `±HH:MM`, `±HHMM`, `±HH`, ` UTC`). Naive timestamps are read in `timeZone`
/// (the machine's local zone unless `--log-tz` says otherwise). Numbers are seconds since
/// 1970 (milliseconds when larger than 10¹¹).
public struct LogTimestampParser: Sendable {
    /// The zone naive timestamps are in.
    public let timeZone: TimeZone
    private var cachedHour: Int64 = .min
    private var cachedOffsetSeconds: Int = 0

    public init(timeZone: TimeZone = .current) {
        self.timeZone = timeZone
    }

    // MARK: - Public entry points

    /// Parses a text timestamp at the start of `bytes`; nil when it is not one.
    public mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard let seconds = parseSeconds(bytes) else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    /// Parses a timestamp given as bytes of an array (convenience for tests and callers with arrays).
    public mutating func parse(_ bytes: [UInt8]) -> Date? {
        bytes.withUnsafeBufferPointer { parse($0) }
    }

    /// Parses a JSON number timestamp (seconds, or milliseconds when larger than 10¹¹).
    public static func parseNumeric(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard !bytes.isEmpty, bytes.count < 40,
              let value = Double(String(decoding: bytes, as: UTF8.self)), value.isFinite, value > 0 else { return nil }
        return Date(timeIntervalSince1970: value > 1e11 ? value / 1000 : value)
    }

    // MARK: - Text timestamps

    private mutating func parseSeconds(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        guard b.count >= 19,
              b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x20 || b[10] == 0x54 || b[10] == 0x74, b[13] == 0x3A, b[16] == 0x3A,
              let year = Self.digits(b, 0, 4), let month = Self.digits(b, 5, 2), let day = Self.digits(b, 8, 2),
              let hour = Self.digits(b, 11, 2), let minute = Self.digits(b, 14, 2), let second = Self.digits(b, 17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var index = 19
        var fraction = 0.0
        if index < b.count, b[index] == 0x2E || b[index] == 0x2C {
            index += 1
            var scale = 0.1
            var any = false
            while index < b.count, b[index] >= 0x30, b[index] <= 0x39 {
                fraction += Double(b[index] - 0x30) * scale
                scale /= 10
                index += 1
                any = true
            }
            if !any { index -= 1 }
        }
        let days = Self.daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        let wallSeconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        if let offset = Self.zoneOffset(b, from: index) {
            return Double(wallSeconds - Int64(offset)) + fraction
        }
        return Double(wallSeconds - Int64(localOffset(wallSeconds: wallSeconds))) + fraction
    }

    /// The zone offset written after the time, nil when the timestamp is naive.
    private static func zoneOffset(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < b.count else { return nil }
        let first = b[start]
        if first == 0x5A || first == 0x7A { return 0 }                         // Z
        if first == 0x20, start + 3 < b.count, b[start + 1] == 0x55, b[start + 2] == 0x54, b[start + 3] == 0x43 {
            return 0                                                              // " UTC"
        }
        guard first == 0x2B || first == 0x2D, let hours = digits(b, start + 1, 2) else { return nil }
        var minutes = 0
        if let m = digits(b, start + 3, 2) {
            minutes = m
        } else if start + 3 < b.count, b[start + 3] == 0x3A, let m = digits(b, start + 4, 2) {
            minutes = m
        }
        let offset = hours * 3600 + minutes * 60
        return first == 0x2D ? -offset : offset
    }

    /// The local zone's offset for a wall-clock time, cached per hour (the expensive call).
    private mutating func localOffset(wallSeconds: Int64) -> Int {
        let hourKey = wallSeconds / 3600
        if hourKey == cachedHour { return cachedOffsetSeconds }
        let guess = Date(timeIntervalSince1970: Double(wallSeconds))
        let first = timeZone.secondsFromGMT(for: guess)
        let second = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(wallSeconds - Int64(first))))
        cachedHour = hourKey
        cachedOffsetSeconds = second
        return second
    }

    static func digits(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        guard start + count <= b.count else { return nil }
        var value = 0
        for index in start..<(start + count) {
            let c = b[index]
            guard c >= 0x30, c <= 0x39 else { return nil }
            value = value * 10 + Int(c - 0x30)
        }
        return value
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
