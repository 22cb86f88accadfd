import Foundation

extension InfoSnapshot {
    /// Parses an `INFO` reply's UTF-8 bytes: lines end at LF or CR, blanks (space, tab) around a line are dropped,
    /// `# Name` starts a section, `key:value` is a field (the value as sent after the first colon); anything else
    /// non-empty is counted in `unparsedLineCount`. Only a line's key and value become `String`s.
    init(utf8 bytes: UnsafeBufferPointer<UInt8>, takenAt: Date) {
        var parser = InfoBytes.Parser()
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != InfoBytes.lineFeed, bytes[end] != InfoBytes.carriageReturn { end += 1 }
            parser.line(InfoBytes.trimmed(bytes[start..<end]))
            start = end + 1
        }
        self.takenAt = takenAt
        fields = parser.fields
        sectionOrder = parser.order
        commandStats = parser.commandStats
        errorStats = parser.errorStats
        latencyPercentiles = parser.latency
        keyspace = parser.keyspaceByDB.values.sorted { $0.db < $1.db }
        keySizes = parser.keySizes.sorted { ($0.db, $0.metric) < ($1.db, $1.metric) }
        unparsedLineCount = parser.unparsed
    }
}

/// Byte-level helpers of the INFO parser (INFO is ASCII; other bytes pass through into keys and values untouched).
enum InfoBytes {
    typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>

    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    private static let colon = UInt8(ascii: ":")
    private static let comma = UInt8(ascii: ",")
    private static let equals = UInt8(ascii: "=")

    /// The fields and typed lines of one reply, filled line by line.
    struct Parser {
        var fields: [String: [String: String]] = [:]
        var order: [String] = []
        var commandStats: [String: CommandStat] = [:]
        var errorStats: [String: Int] = [:]
        var latency: [String: [String: Double]] = [:]
        var keyspaceByDB: [Int: KeyspaceEntry] = [:]
        var keySizes: [KeySizeHistogram] = []
        var unparsed = 0
        private var section = ""

        /// Takes one line, already without its end and its surrounding blanks.
        mutating func line(_ line: Bytes) {
            guard let first = line.first else { return }
            if first == UInt8(ascii: "#") {
                section = InfoBytes.string(InfoBytes.trimmed(line.dropFirst())).lowercased()
                if !order.contains(section) { order.append(section) }
                return
            }
            guard let colon = line.firstIndex(of: InfoBytes.colon), colon != line.startIndex else {
                unparsed += 1
                return
            }
            let keyBytes = line[line.startIndex..<colon]
            let valueBytes = line[(colon + 1)...]
            let key = InfoBytes.string(keyBytes)
            let value = InfoBytes.string(valueBytes)
            if fields[section] == nil {
                fields[section] = [:]
                if !order.contains(section) { order.append(section) }
            }
            fields[section, default: [:]][key] = value
            typed(keyBytes, key: key, value: value, valueBytes: valueBytes)
        }

        /// The lines with a typed reading: `cmdstat_`, `errorstat_`, `latency_percentiles_usec_`, `dbN`, `dbN_distrib_`.
        private mutating func typed(_ keyBytes: Bytes, key: String, value: String, valueBytes: Bytes) {
            if let name = InfoBytes.suffix(of: keyBytes, after: "cmdstat_") {
                commandStats[name] = CommandStat(pairs: InfoBytes.pairs(valueBytes))
            } else if let name = InfoBytes.suffix(of: keyBytes, after: "errorstat_") {
                if let count = InfoBytes.pairs(valueBytes)["count"].flatMap({ Int($0) }) { errorStats[name] = count }
            } else if let name = InfoBytes.suffix(of: keyBytes, after: "latency_percentiles_usec_") {
                var percentiles: [String: Double] = [:]
                for (p, v) in InfoBytes.pairs(valueBytes) {
                    if let number = Double(v), number.isFinite { percentiles[p] = number }
                }
                latency[name] = percentiles
            } else if keyBytes.starts(with: "db".utf8) {
                database(keyBytes, key: key, value: value, valueBytes: valueBytes)
            }
        }

        /// A `dbN:keys=…` keyspace line, or a Redis 8 `dbN_distrib_…` keysizes line (not a keyspace line).
        private mutating func database(_ keyBytes: Bytes, key: String, value: String, valueBytes: Bytes) {
            let digits = keyBytes.dropFirst(2)
            if !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                // Too many digits for an Int: neither a keyspace line nor a keysizes one.
                guard let db = Int(InfoBytes.string(digits)) else { return }
                let pairs = InfoBytes.pairs(valueBytes)
                // Negative numbers (Dragonfly's `avg_ttl=-1`) are unknown: 0; negative keys make no entry.
                if let keys = pairs["keys"].flatMap({ Int($0) }), keys >= 0 {
                    keyspaceByDB[db] = KeyspaceEntry(db: db, keys: keys, expires: max(0, pairs["expires"].flatMap { Int($0) } ?? 0),
                                                     avgTTLMilliseconds: max(0, pairs["avg_ttl"].flatMap { Int($0) } ?? 0))
                } else {
                    unparsed += 1
                }
            } else if let (db, metric) = KeySizeHistogram.field(key) {
                // Redis 8 `INFO keysizes`: `db0_distrib_strings_sizes:…` is not a keyspace line.
                if let histogram = KeySizeHistogram.parse(db: db, metric: metric, value: value) {
                    keySizes.append(histogram)
                } else {
                    unparsed += 1
                }
            }
        }
    }

    /// `bytes` without leading and trailing spaces and tabs.
    static func trimmed(_ bytes: Bytes) -> Bytes {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isBlank(bytes[start]) { start += 1 }
        while end > start, isBlank(bytes[end - 1]) { end -= 1 }
        return bytes[start..<end]
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    /// The bytes as a `String` (invalid UTF-8 repaired, as `String(decoding:as:)` does).
    static func string(_ bytes: Bytes) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes), as: UTF8.self) }

    /// What follows `prefix` in `bytes`, when `bytes` starts with it and something follows.
    static func suffix(of bytes: Bytes, after prefix: StaticString) -> String? {
        let prefixBytes = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        guard bytes.count > prefixBytes.count, bytes.starts(with: prefixBytes) else { return nil }
        return string(bytes.dropFirst(prefixBytes.count))
    }

    /// `a=1,b=2` → ["a": "1", "b": "2"]: pieces split at commas (empty ones skipped), each at its first `=`, key and
    /// value without surrounding blanks; pieces without `=` or with an empty key are skipped; a repeated key keeps its last value.
    static func pairs(_ bytes: Bytes) -> [String: String] {
        var out: [String: String] = [:]
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = bytes[start...].firstIndex(of: comma) ?? bytes.endIndex
            let piece = bytes[start..<end]
            start = end + 1
            guard let equalsIndex = piece.firstIndex(of: equals) else { continue }
            let key = trimmed(piece[piece.startIndex..<equalsIndex])
            guard !key.isEmpty else { continue }
            out[string(key)] = string(trimmed(piece[(equalsIndex + 1)...]))
        }
        return out
    }
}
