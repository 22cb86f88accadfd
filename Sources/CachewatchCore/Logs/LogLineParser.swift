import Foundation

/// Recognises the boilerplate's log formats line by line and remembers, per source, the last one seen.
///
/// Lines are bytes: invalid UTF-8 and NUL bytes are carried as they are and never trap.
/// The parser only locates the parts (`LogLineShape`); timestamps and messages are decoded
/// on demand, so lines that cannot be fail-open events cost a few byte comparisons.
public struct LogLineParser: Sendable {
    /// The last structured format recognised on this source (tried first for the next line).
    public private(set) var lastFormat: LogFormat?
    public private(set) var timestamps: LogTimestampParser

    /// Creates a parser; naive timestamps are read in `timeZone`.
    public init(timeZone: TimeZone = .current) {
        timestamps = LogTimestampParser(timeZone: timeZone)
    }

    // MARK: - Shapes

    /// Locates timestamp, level and message; `.plain` with the whole line as message when no format fits.
    public mutating func shape(of line: UnsafeBufferPointer<UInt8>) -> LogLineShape {
        if let last = lastFormat, let shape = Self.shape(of: line, as: last) { return shape }
        for format in [LogFormat.detailed, .classic, .json, .structured] where format != lastFormat {
            if let shape = Self.shape(of: line, as: format) {
                lastFormat = format
                return shape
            }
        }
        return LogLineShape(format: .plain, timestampRange: nil, levelRange: nil, messageRange: 0..<line.count)
    }

    /// The line's format judged by its header only (no message search): for lines that cannot be events.
    ///
    /// A line that starts like the source's last format counts as that format; otherwise the full check runs.
    public mutating func quickFormat(of b: UnsafeBufferPointer<UInt8>) -> LogFormat {
        if let format = headerFormat(of: b) { return format }
        return shape(of: b).format
    }

    /// `quickFormat`'s header test alone: the source's last format when the line starts like it, else nil.
    ///
    /// Pure (it never changes `lastFormat`), so a caller may count such a line without calling
    /// `quickFormat`: the answer would be the same.
    @inline(__always)
    public func headerFormat(of b: UnsafeBufferPointer<UInt8>) -> LogFormat? {
        guard let last = lastFormat else { return nil }
        switch last {
        case .detailed, .classic:
            if Self.looksLikeDateTimeAndSpace(b) {
                let end = Self.afterFraction(b)
                if end + 2 < b.count {
                    if last == .detailed, b[end] == 0x20, b[end + 1] == 0x5B { return .detailed }
                    if last == .classic, b[end] == 0x20, b[end + 1] == 0x2D, b[end + 2] == 0x20 { return .classic }
                }
            }
        case .json:
            if b.first == 0x7B, b.last == 0x7D { return .json }
        case .structured:
            if b.count > 10, b[0] == 0x74, b[9] == 0x3D, b[1] == 0x69, b[2] == 0x6D { return .structured }
        case .plain:
            break
        }
        return nil
    }

    /// Array convenience of `shape(of:)`.
    public mutating func shape(of line: [UInt8]) -> LogLineShape {
        line.withUnsafeBufferPointer { shape(of: $0) }
    }

    /// Tries one format; nil when the line is not in it.
    public static func shape(of b: UnsafeBufferPointer<UInt8>, as format: LogFormat) -> LogLineShape? {
        switch format {
        case .detailed: return detailed(b)
        case .classic: return classic(b)
        case .structured: return structured(b)
        case .json: return json(b)
        case .plain: return LogLineShape(format: .plain, timestampRange: nil, levelRange: nil, messageRange: 0..<b.count)
        }
    }

    // MARK: - Decoding parts

    /// The line's own time, nil when it has none or it does not parse.
    public mutating func timestamp(of line: UnsafeBufferPointer<UInt8>, shape: LogLineShape) -> Date? {
        guard let range = shape.timestampRange else { return nil }
        let slice = UnsafeBufferPointer(rebasing: line[range])
        if shape.timestampNumeric { return LogTimestampParser.parseNumeric(slice) }
        return timestamps.parse(slice)
    }

    /// The message bytes with the format's escaping removed.
    public static func message(of line: UnsafeBufferPointer<UInt8>, shape: LogLineShape) -> [UInt8] {
        let raw = UnsafeBufferPointer(rebasing: line[shape.messageRange])
        switch shape.messageEscaping {
        case .none: return Array(raw)
        case .json, .quoted: return JSONLineScanner.unescape(raw)
        }
    }

    /// The level name trimmed of padding (`WARNING`), nil when the line has none.
    public static func level(of line: UnsafeBufferPointer<UInt8>, shape: LogLineShape) -> String? {
        guard let range = shape.levelRange else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self)
            .trimmingCharacters(in: .whitespaces)
    }

    // MARK: - detailed: `2026-11-26 22:30:01 [ WARNING] name: message`

    static func looksLikeDateTime(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count >= 19 else { return false }
        return b[4] == 0x2D && b[7] == 0x2D && b[13] == 0x3A && b[16] == 0x3A
            && isDigit(b[0]) && isDigit(b[1]) && isDigit(b[2]) && isDigit(b[3]) && isDigit(b[5]) && isDigit(b[6])
            && isDigit(b[8]) && isDigit(b[9]) && isDigit(b[11]) && isDigit(b[12]) && isDigit(b[14]) && isDigit(b[15])
            && isDigit(b[17]) && isDigit(b[18])
    }

    /// `looksLikeDateTime(b) && b[10] == 0x20`, tested a word at a time: `DDDD-DD-DD DD:DD:DD`.
    ///
    /// Three unaligned 8-byte loads cover bytes 0…18 (the last two overlap at 11…15). In each word
    /// every byte is either a separator, compared exactly under `separatorMask`, or a digit: a byte c
    /// is a digit exactly when its high nibble is 3 and the high nibble of c + 6 is still 3. The +6
    /// may carry into the next byte only from a byte ≥ 0xFA, whose own test already fails, so a
    /// carry never turns a failing line into a passing one (every byte of each word is tested).
    @inline(__always)
    static func looksLikeDateTimeAndSpace(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count >= 19, let base = b.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        // Little-endian words: byte i of the word is the lowest-but-i byte.
        let w0 = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))   // "DDDD-DD-"
        let w1 = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))   // "DD DD:DD"
        let w2 = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 11, as: UInt64.self))  // "DD:DD:DD"
        return Self.wordMatches(w0, separators: 0x2D00_002D_0000_0000, separatorMask: 0xFF00_00FF_0000_0000)
            && Self.wordMatches(w1, separators: 0x0000_3A00_0020_0000, separatorMask: 0x0000_FF00_00FF_0000)
            && Self.wordMatches(w2, separators: 0x0000_3A00_003A_0000, separatorMask: 0x0000_FF00_00FF_0000)
    }

    /// Bytes under `separatorMask` equal `separators`; every other byte is an ASCII digit.
    @inline(__always)
    static func wordMatches(_ word: UInt64, separators: UInt64, separatorMask: UInt64) -> Bool {
        let digitMask = ~separatorMask
        let highNibbles: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        let threes: UInt64 = 0x3030_3030_3030_3030 & digitMask
        return (word & separatorMask) == separators
            && (word & highNibbles & digitMask) == threes
            && ((word &+ 0x0606_0606_0606_0606) & highNibbles & digitMask) == threes
    }

    /// Index after an optional `,mmm` / `.mmm` fraction starting at 19.
    @inline(__always)
    static func afterFraction(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        var index = 19
        if index < b.count, b[index] == 0x2C || b[index] == 0x2E {
            index += 1
            while index < b.count, isDigit(b[index]) { index += 1 }
        }
        return index
    }

    static func detailed(_ b: UnsafeBufferPointer<UInt8>) -> LogLineShape? {
        guard looksLikeDateTimeAndSpace(b) else { return nil }
        let stampEnd = afterFraction(b)
        guard stampEnd + 2 < b.count, b[stampEnd] == 0x20, b[stampEnd + 1] == 0x5B else { return nil }
        let levelStart = stampEnd + 2
        var index = levelStart
        let limit = min(b.count, levelStart + 24)
        while index < limit, b[index] != 0x5D { index += 1 }
        guard index < limit else { return nil }
        let levelRange = levelStart..<index
        var messageStart = index + 1
        if messageStart < b.count, b[messageStart] == 0x20 { messageStart += 1 }
        // The logger name runs to the first ": ".
        var scan = messageStart
        while scan + 1 < b.count {
            if b[scan] == 0x3A, b[scan + 1] == 0x20 {
                messageStart = scan + 2
                break
            }
            if b[scan] == 0x20 { break }   // logger names have no spaces: no name, message starts here
            scan += 1
        }
        return LogLineShape(format: .detailed, timestampRange: 0..<stampEnd, levelRange: levelRange,
                            messageRange: min(messageStart, b.count)..<b.count)
    }

    // MARK: - classic: `2026-11-26 22:30:01,123 - name - WARNING - message`

    static func classic(_ b: UnsafeBufferPointer<UInt8>) -> LogLineShape? {
        guard looksLikeDateTimeAndSpace(b) else { return nil }
        let stampEnd = afterFraction(b)
        guard let nameStart = separator(b, at: stampEnd) else { return nil }
        guard let nameEnd = findSeparator(b, from: nameStart, limit: 256) else { return nil }
        let levelStart = nameEnd + 3
        guard let levelEnd = findSeparator(b, from: levelStart, limit: 16) else { return nil }
        return LogLineShape(format: .classic, timestampRange: 0..<stampEnd, levelRange: levelStart..<levelEnd,
                            messageRange: (levelEnd + 3)..<b.count)
    }

    /// Index after ` - ` when it sits at `index`.
    static func separator(_ b: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        guard index + 2 < b.count, b[index] == 0x20, b[index + 1] == 0x2D, b[index + 2] == 0x20 else { return nil }
        return index + 3
    }

    /// Index of the next ` - ` within `limit` bytes.
    static func findSeparator(_ b: UnsafeBufferPointer<UInt8>, from start: Int, limit: Int) -> Int? {
        var index = start
        let end = min(b.count - 2, start + limit)
        while index < end {
            if b[index] == 0x20, b[index + 1] == 0x2D, b[index + 2] == 0x20 { return index }
            index += 1
        }
        return nil
    }

    // MARK: - structured: `timestamp=… level=… module=… message="…" key=value`

    static func structured(_ b: UnsafeBufferPointer<UInt8>) -> LogLineShape? {
        let prefix: StaticString = "timestamp="
        guard b.count > prefix.utf8CodeUnitCount else { return nil }
        for i in 0..<prefix.utf8CodeUnitCount where b[i] != prefix.utf8Start[i] { return nil }
        var timestamp: Range<Int>?
        var level: Range<Int>?
        var message: Range<Int>?
        var messageQuoted = false
        var index = 0
        while index < b.count {
            while index < b.count, b[index] == 0x20 { index += 1 }
            let keyStart = index
            while index < b.count, b[index] != 0x3D, b[index] != 0x20 { index += 1 }
            guard index < b.count, b[index] == 0x3D else { break }
            let keyEnd = index
            index += 1
            var valueStart = index
            var valueEnd = index
            var quoted = false
            if index < b.count, b[index] == 0x22 {
                quoted = true
                index += 1
                valueStart = index
                while index < b.count, b[index] != 0x22 {
                    if b[index] == 0x5C { index += 1 }
                    index += 1
                }
                valueEnd = min(index, b.count)
                index += 1
            } else {
                while index < b.count, b[index] != 0x20 { index += 1 }
                valueEnd = index
            }
            let key = UnsafeBufferPointer(rebasing: b[keyStart..<keyEnd])
            if equals(key, "timestamp") { timestamp = valueStart..<valueEnd }
            else if equals(key, "level") || equals(key, "levelname") { level = valueStart..<valueEnd }
            else if message == nil, equals(key, "message") || equals(key, "msg") || equals(key, "event") {
                message = valueStart..<valueEnd
                messageQuoted = quoted
            }
        }
        guard let timestamp else { return nil }
        return LogLineShape(format: .structured, timestampRange: timestamp, levelRange: level,
                            messageRange: message ?? b.count..<b.count, messageEscaping: messageQuoted ? .quoted : .none)
    }

    // MARK: - json

    static func json(_ b: UnsafeBufferPointer<UInt8>) -> LogLineShape? {
        var scanner = JSONLineScanner(b)
        guard let fields = scanner.topLevelFields() else { return nil }
        guard fields.message != nil || fields.timestamp != nil else { return nil }
        return LogLineShape(format: .json, timestampRange: fields.timestamp, timestampNumeric: fields.timestampNumeric,
                            levelRange: fields.level, messageRange: fields.message ?? b.count..<b.count,
                            messageEscaping: fields.messageEscaped ? .json : .none)
    }

    // MARK: - Helpers

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        for i in 0..<bytes.count where bytes[i] != text.utf8Start[i] { return false }
        return true
    }
}
