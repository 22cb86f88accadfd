import Foundation

/// A minimal scanner that finds the few top-level fields of a JSON log line without building objects.
///
/// It is deliberately lenient: it never traps on bad input, and returns nil for anything that is
/// not a single JSON object with string keys.
struct JSONLineScanner {
    struct Fields {
        var message: Range<Int>?
        var messageEscaped = false
        var messageRank = Int.max
        var timestamp: Range<Int>?
        var timestampNumeric = false
        var timestampRank = Int.max
        var level: Range<Int>?
        var levelRank = Int.max
    }

    private let b: UnsafeBufferPointer<UInt8>
    private var i = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        b = bytes
    }

    // MARK: - Top level

    mutating func topLevelFields() -> Fields? {
        skipSpace()
        guard i < b.count, b[i] == 0x7B else { return nil }
        i += 1
        var fields = Fields()
        while true {
            skipSpace()
            guard i < b.count else { return nil }
            if b[i] == 0x7D { return fields }
            guard b[i] == 0x22, let (key, _) = string() else { return nil }
            skipSpace()
            guard i < b.count, b[i] == 0x3A else { return nil }
            i += 1
            skipSpace()
            guard i < b.count else { return nil }
            let keyBytes = UnsafeBufferPointer(rebasing: b[key])
            if b[i] == 0x22 {
                guard let (value, escaped) = string() else { return nil }
                if let rank = Self.rank(keyBytes, ["message", "msg", "event"]), rank < fields.messageRank {
                    fields.message = value
                    fields.messageEscaped = escaped
                    fields.messageRank = rank
                } else if let rank = Self.rank(keyBytes, ["timestamp", "time", "asctime"]), rank < fields.timestampRank {
                    fields.timestamp = value
                    fields.timestampNumeric = false
                    fields.timestampRank = rank
                } else if let rank = Self.rank(keyBytes, ["level", "levelname"]), rank < fields.levelRank {
                    fields.level = value
                    fields.levelRank = rank
                }
            } else if b[i] == 0x7B || b[i] == 0x5B {
                guard skipNested() else { return nil }
            } else {
                let start = i
                while i < b.count, b[i] != 0x2C, b[i] != 0x7D, b[i] != 0x20, b[i] != 0x09 { i += 1 }
                guard i > start else { return nil }
                if let rank = Self.rank(keyBytes, ["timestamp", "time", "asctime"]), rank < fields.timestampRank,
                   LogLineParser.isDigit(b[start]) || b[start] == 0x2D {   // a negative time is one too (unusable)
                    fields.timestamp = start..<i
                    fields.timestampNumeric = true
                    fields.timestampRank = rank
                }
            }
            skipSpace()
            guard i < b.count else { return nil }
            if b[i] == 0x2C { i += 1; continue }
            if b[i] == 0x7D { return fields }
            return nil
        }
    }

    // MARK: - Pieces

    private mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0D { i += 1 }
    }

    /// Reads a string at `i` (which is a quote); returns the body range and whether it has escapes.
    private mutating func string() -> (Range<Int>, Bool)? {
        i += 1
        let start = i
        var escaped = false
        while i < b.count {
            let c = b[i]
            if c == 0x22 {
                let range = start..<i
                i += 1
                return (range, escaped)
            }
            if c == 0x5C {
                escaped = true
                i += 2
                continue
            }
            i += 1
        }
        return nil
    }

    /// Skips an object or array, strings included.
    private mutating func skipNested() -> Bool {
        var depth = 0
        while i < b.count {
            let c = b[i]
            if c == 0x22 {
                guard string() != nil else { return false }
                continue
            }
            if c == 0x7B || c == 0x5B { depth += 1 }
            if c == 0x7D || c == 0x5D {
                depth -= 1
                if depth == 0 { i += 1; return true }
            }
            i += 1
        }
        return false
    }

    private static func rank(_ key: UnsafeBufferPointer<UInt8>, _ names: [StaticString]) -> Int? {
        for (index, name) in names.enumerated() where LogLineParser.equals(key, name) { return index }
        return nil
    }

    // MARK: - Unescaping

    /// Removes JSON (and logfmt) backslash escapes; malformed escapes are kept as they are.
    static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let c = raw[index]
            guard c == 0x5C, index + 1 < raw.count else {
                out.append(c)
                index += 1
                continue
            }
            let next = raw[index + 1]
            switch next {
            case 0x6E: out.append(0x0A)
            case 0x74: out.append(0x09)
            case 0x72: out.append(0x0D)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x75:
                if var scalar = hex4(raw, index + 2) {
                    var consumed = 6
                    if (0xD800..<0xDC00).contains(scalar), index + 11 < raw.count + 0, raw.count >= index + 12,
                       raw[index + 6] == 0x5C, raw[index + 7] == 0x75, let low = hex4(raw, index + 8),
                       (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        consumed = 12
                    }
                    if let value = Unicode.Scalar(scalar) {
                        out.append(contentsOf: Array(String(Character(value)).utf8))
                    } else {
                        out.append(contentsOf: raw[index..<(index + consumed)])
                    }
                    index += consumed
                    continue
                }
                out.append(c)
                out.append(next)
            default: out.append(next)   // \" \\ \/ and unknown escapes keep the character
            }
            index += 2
        }
        return out
    }

    private static func hex4(_ raw: UnsafeBufferPointer<UInt8>, _ start: Int) -> UInt32? {
        guard start + 4 <= raw.count else { return nil }
        var value: UInt32 = 0
        for index in start..<(start + 4) {
            let c = raw[index]
            let digit: UInt32
            switch c {
            case 0x30...0x39: digit = UInt32(c - 0x30)
            case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }
}
