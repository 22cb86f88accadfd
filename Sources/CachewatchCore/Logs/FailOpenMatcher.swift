import Foundation

/// One recognised fail-open line: what failed and, when the line names a key, which family.
public struct FailOpenMatch: Sendable, Equatable {
    /// The normalised error text (`Connection refused`, `ConnectionError` …), safe to display.
    public var error: String
    /// The key named by the line (`Cache unavailable while reading '<key>'`), raw bytes.
    public var key: [UInt8]?
    /// The key's family as `familyOf` named it.
    public var family: String?

    public init(error: String, key: [UInt8]? = nil, family: String? = nil) {
        self.error = error
        self.key = key
        self.family = family
    }
}

/// Decides whether a log message says the app failed open, and extracts error and key family.
///
/// Two kinds of prefixes: plain ones (`Cache backend not available:` — the rest is the error)
/// and keyed ones (`Cache unavailable while reading ` — followed by a Python-quoted key,
/// `: ` and the error type). Error texts are normalised by `normaliseError(_:)`.
public struct FailOpenMatcher: Sendable {
    /// Default plain prefixes.
    public static let defaultPrefixes = ["Cache backend not available:"]
    /// Default keyed prefixes.
    public static let defaultKeyedPrefixes = ["Cache unavailable while reading ", "Cache unavailable while writing "]
    /// Error texts longer than this are cut (keeps `by_error` small).
    public static let maximumErrorBytes = 160

    public let prefixes: [[UInt8]]
    public let keyedPrefixes: [[UInt8]]
    /// Names the family of a key (the census's inference once wired); default: the key escaped.
    public let familyOf: @Sendable ([UInt8]) -> String
    /// First bytes of all prefixes: a message starting with anything else is rejected at once.
    private let firstBytes: [Bool]
    /// The bytes every prefix starts with (`Cache ` for the defaults): a line without them cannot match.
    public let commonPrefix: [UInt8]

    /// Creates a matcher; empty prefixes are ignored.
    public init(prefixes: [String] = FailOpenMatcher.defaultPrefixes,
                keyedPrefixes: [String] = FailOpenMatcher.defaultKeyedPrefixes,
                familyOf: @escaping @Sendable ([UInt8]) -> String = { FailOpenMatcher.displayText($0[...]) }) {
        self.prefixes = prefixes.map { Array($0.utf8) }.filter { !$0.isEmpty }
        self.keyedPrefixes = keyedPrefixes.map { Array($0.utf8) }.filter { !$0.isEmpty }
        self.familyOf = familyOf
        var table = [Bool](repeating: false, count: 256)
        for prefix in self.prefixes + self.keyedPrefixes { table[Int(prefix[0])] = true }
        firstBytes = table
        let all = self.prefixes + self.keyedPrefixes
        var common = all.first ?? []
        for prefix in all.dropFirst() {
            var length = 0
            while length < min(common.count, prefix.count), common[length] == prefix[length] { length += 1 }
            common = Array(common[0..<length])
        }
        commonPrefix = common
    }

    /// The same matcher with another family function.
    public func with(familyOf: @escaping @Sendable ([UInt8]) -> String) -> FailOpenMatcher {
        FailOpenMatcher(prefixes: prefixes.map { String(decoding: $0, as: UTF8.self) },
                        keyedPrefixes: keyedPrefixes.map { String(decoding: $0, as: UTF8.self) }, familyOf: familyOf)
    }

    // MARK: - Matching

    /// Quick test on the first byte of a message (no allocation).
    @inline(__always) public func mayMatch(firstByte: UInt8) -> Bool {
        firstBytes[Int(firstByte)]
    }

    /// Matches a message that must start with one of the prefixes.
    public func match(message: [UInt8]) -> FailOpenMatch? {
        message.withUnsafeBufferPointer { match(message: $0) }
    }

    /// Matches a message that must start with one of the prefixes.
    public func match(message m: UnsafeBufferPointer<UInt8>) -> FailOpenMatch? {
        var cache = ErrorTextCache(capacity: 0)
        return match(message: m, cache: &cache)
    }

    /// Matches a message, normalising error texts through `cache` (repeated errors cost a lookup).
    public func match(message m: UnsafeBufferPointer<UInt8>, cache: inout ErrorTextCache) -> FailOpenMatch? {
        guard let first = m.first, firstBytes[Int(first)] else { return nil }
        for prefix in prefixes where Self.hasPrefix(m, prefix, at: 0) {
            let rest = UnsafeBufferPointer(rebasing: m[prefix.count...])
            return FailOpenMatch(error: cache.normalised(rest))
        }
        for prefix in keyedPrefixes where Self.hasPrefix(m, prefix, at: 0) {
            let rest = UnsafeBufferPointer(rebasing: m[prefix.count...])
            guard let (key, error) = Self.splitKeyed(rest) else {
                return FailOpenMatch(error: cache.normalised(rest))
            }
            let keyBytes = Array(key)
            return FailOpenMatch(error: cache.normalised(error), key: keyBytes, family: familyOf(keyBytes))
        }
        return nil
    }

    /// Matches a line of unknown layout: a prefix may start anywhere (plain lines, prefixed container logs).
    public func match(anywhereIn line: UnsafeBufferPointer<UInt8>) -> FailOpenMatch? {
        var cache = ErrorTextCache(capacity: 0)
        return match(anywhereIn: line, cache: &cache)
    }

    /// `match(anywhereIn:)` with an error text cache.
    public func match(anywhereIn line: UnsafeBufferPointer<UInt8>, cache: inout ErrorTextCache) -> FailOpenMatch? {
        guard !line.isEmpty else { return nil }
        var index = 0
        while index < line.count {
            if firstBytes[Int(line[index])] {
                let rest = UnsafeBufferPointer(rebasing: line[index...])
                if let found = match(message: rest, cache: &cache) { return found }
            }
            index += 1
        }
        return nil
    }

    // MARK: - Pieces

    @inline(__always) static func hasPrefix(_ m: UnsafeBufferPointer<UInt8>, _ prefix: [UInt8], at start: Int) -> Bool {
        guard m.count - start >= prefix.count else { return false }
        for i in 0..<prefix.count where m[start + i] != prefix[i] { return false }
        return true
    }

    /// Splits `'<key>': <ErrorType>` (Python repr quoting, `'` or `"`) at the last `<quote>: `.
    static func splitKeyed(_ rest: UnsafeBufferPointer<UInt8>) -> (ArraySlice<UInt8>, UnsafeBufferPointer<UInt8>)? {
        guard rest.count >= 2, rest[0] == 0x27 || rest[0] == 0x22 else { return nil }
        let quote = rest[0]
        var index = rest.count - 3
        while index >= 1 {
            if rest[index] == quote, rest[index + 1] == 0x3A, rest[index + 2] == 0x20 {
                let key = Array(rest[1..<index])[...]
                return (key, UnsafeBufferPointer(rebasing: rest[(index + 3)...]))
            }
            index -= 1
        }
        // A quoted key at the end of the message with no error after it.
        if rest.count >= 2, rest[rest.count - 1] == quote {
            return (Array(rest[1..<(rest.count - 1)])[...], UnsafeBufferPointer(rebasing: rest[rest.count...]))
        }
        return nil
    }

    // MARK: - Error normalisation

    /// Makes error texts groupable; the rule, in order:
    ///
    /// 1. Trim spaces; an empty text is `(no error text)`.
    /// 2. A dotted exception path loses its module part: `redis.exceptions.ConnectionError: …` → `ConnectionError: …`.
    /// 3. redis-py's socket errors `Error <n> connecting to <host>:<port>. <Reason>.` (and
    ///    `Error <n> while reading/writing …. <Reason>.`) become the reason: `Connection refused`.
    ///    With a class prefix the reason is kept alone (`ConnectionError: Error 111 … refused.` → `Connection refused`).
    /// 4. Cut to 160 bytes, then escaped for display (invalid UTF-8 → `\xNN`).
    /// Everything else stays verbatim (`Backend 'redis' is not available.`, `Timeout reading from socket`).
    public static func normaliseError(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        var bytes = Array(raw)
        while let last = bytes.last, last == 0x20 || last == 0x09 || last == 0x0D { bytes.removeLast() }
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes.removeFirst() }
        if bytes.isEmpty { return "(no error text)" }
        // 2. dotted exception path
        if let colon = firstIndex(of: [0x3A, 0x20], in: bytes, limit: 120) ?? (isIdentifierPath(bytes[...]) ? bytes.count : nil),
           isIdentifierPath(bytes[..<colon]) {
            let head = bytes[..<colon]
            if let lastDot = head.lastIndex(of: 0x2E) {
                bytes.removeSubrange(0...lastDot)
            }
            // A class prefix in front of a redis-py socket error: keep only the reason.
            if let colon2 = firstIndex(of: [0x3A, 0x20], in: bytes, limit: 120),
               let reason = socketReason(Array(bytes[(colon2 + 2)...])) {
                return finish(reason)
            }
        }
        // 3. redis-py socket errors
        if let reason = socketReason(bytes) { return finish(reason) }
        return finish(bytes)
    }

    /// `Error <n> <anything>. <Reason>.` → `<Reason>`.
    static func socketReason(_ bytes: [UInt8]) -> [UInt8]? {
        let head: [UInt8] = Array("Error ".utf8)
        guard bytes.count > head.count, Array(bytes[0..<head.count]) == head else { return nil }
        var index = head.count
        if index < bytes.count, bytes[index] == 0x2D { index += 1 }
        let digitsStart = index
        while index < bytes.count, LogLineParser.isDigit(bytes[index]) { index += 1 }
        guard index > digitsStart else { return nil }
        var body = Array(bytes[index...])
        if body.last == 0x2E { body.removeLast() }
        // The reason follows the last ". " of the message.
        var cut: Int?
        var scan = 0
        while scan + 1 < body.count {
            if body[scan] == 0x2E, body[scan + 1] == 0x20 { cut = scan + 2 }
            scan += 1
        }
        guard let cut, cut < body.count else { return nil }
        return Array(body[cut...])
    }

    static func isIdentifierPath(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, first == 0x5F || (first | 0x20) >= 0x61 && (first | 0x20) <= 0x7A else { return false }
        for c in bytes {
            let letter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A
            guard letter || LogLineParser.isDigit(c) || c == 0x5F || c == 0x2E else { return false }
        }
        return true
    }

    static func firstIndex(of needle: [UInt8], in bytes: [UInt8], limit: Int) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        let end = min(bytes.count - needle.count, limit)
        var index = 0
        while index <= end {
            if bytes[index] == needle[0], Array(bytes[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }

    static func finish(_ bytes: [UInt8]) -> String {
        let cut = bytes.count > maximumErrorBytes ? bytes[0..<maximumErrorBytes] : bytes[...]
        return displayText(cut) + (bytes.count > maximumErrorBytes ? "…" : "")
    }

    /// Bytes as display-safe text: printable ASCII as is (fast path), anything else through `DisplayEscaper`.
    public static func displayText(_ bytes: ArraySlice<UInt8>) -> String {
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x5C }) { return String(decoding: bytes, as: UTF8.self) }
        return DisplayEscaper.escape(bytes)
    }
}

/// Remembers normalised error texts by their raw bytes (bounded; cleared when full).
public struct ErrorTextCache: Sendable {
    /// Raw error bytes as a dictionary key, hashed in one pass (`[UInt8]` hashes byte by byte).
    private struct RawError: Hashable, Sendable {
        let bytes: [UInt8]

        static func == (a: RawError, b: RawError) -> Bool { a.bytes == b.bytes }

        func hash(into hasher: inout Hasher) {
            hasher.combine(bytes.count)
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    private var table: [RawError: String] = [:]
    /// The last few texts looked up, compared byte for byte before the table (no copy, no hashing): a log repeats a
    /// handful of error texts.
    private var recent: [(raw: [UInt8], text: String)] = []
    private var nextRecent = 0
    public let capacity: Int
    static let recentCount = 4

    public init(capacity: Int = 256) {
        self.capacity = capacity
    }

    /// `FailOpenMatcher.normaliseError` of `raw`, from the cache when seen before.
    public mutating func normalised(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        guard capacity > 0 else { return FailOpenMatcher.normaliseError(raw) }
        if let text = recentText(raw) { return text }
        let key = RawError(bytes: Array(raw))
        let text: String
        if let known = table[key] {
            text = known
        } else {
            text = FailOpenMatcher.normaliseError(raw)
            if table.count >= capacity { table.removeAll(keepingCapacity: true) }
            table[key] = text
        }
        remember(key.bytes, text)
        return text
    }

    /// The text of `raw` when it is one of the last looked up.
    private func recentText(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        for entry in recent where entry.raw.count == raw.count {
            let same = entry.raw.withUnsafeBufferPointer { known in
                // Equal counts: a missing base address means both are empty.
                guard let knownBase = known.baseAddress, let rawBase = raw.baseAddress else { return true }
                return memcmp(knownBase, rawBase, raw.count) == 0
            }
            if same { return entry.text }
        }
        return nil
    }

    /// Keeps `raw` among the recent texts (the oldest one makes room).
    private mutating func remember(_ raw: [UInt8], _ text: String) {
        if recent.count < Self.recentCount {
            recent.append((raw, text))
        } else {
            recent[nextRecent] = (raw, text)
            nextRecent = (nextRecent + 1) % Self.recentCount
        }
    }
}
