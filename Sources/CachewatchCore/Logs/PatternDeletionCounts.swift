/// Counts of the boilerplate's Memcached-backend ERROR line `Memcached doesn't support pattern-based deletion.
/// Pattern '<p>' cannot be used.` per pattern: each one is a pattern invalidation that silently did not
/// happen, so the cache keeps serving stale data until the keys expire.
///
/// The line is recognised anywhere in a log line (any of the five formats). Patterns are escaped for
/// display and cut at `maximumPatternBytes`; at most `maximumPatterns` distinct ones are kept, the rest
/// count under `(other)`.
public struct PatternDeletionCounts: Sendable, Equatable {
    /// What a fast search looks for before a line is examined.
    public static let needle: [UInt8] = Array("pattern-based deletion".utf8)
    static let prefix: [UInt8] = Array("Memcached doesn't support pattern-based deletion. Pattern '".utf8)
    static let suffix: [UInt8] = Array("' cannot be used.".utf8)
    public static let maximumPatterns = 100
    public static let maximumPatternBytes = 200

    public private(set) var total = 0
    public private(set) var byPattern: [String: Int] = [:]

    public init() {}

    /// The pattern a line names (escaped), or nil when the line does not carry the message.
    public static func pattern(in line: UnsafeBufferPointer<UInt8>) -> String? {
        guard let start = find(prefix, in: line, from: 0) else { return nil }
        let patternStart = start + prefix.count
        let end = find(suffix, in: line, from: patternStart) ?? line.count
        let bytes = line[patternStart..<min(end, patternStart + maximumPatternBytes)]
        return DisplayEscaper.escape(bytes) + (end - patternStart > maximumPatternBytes ? "…" : "")
    }

    /// `pattern(in:)` for an array.
    public static func pattern(in line: [UInt8]) -> String? {
        line.withUnsafeBufferPointer { pattern(in: $0) }
    }

    /// Counts one line's pattern.
    public mutating func record(_ pattern: String) {
        total += 1
        if byPattern[pattern] != nil || byPattern.count < Self.maximumPatterns {
            byPattern[pattern, default: 0] += 1
        } else {
            byPattern["(other)", default: 0] += 1
        }
    }

    /// Adds another source's counts, in the patterns' sorted order: past `maximumPatterns`, which ones keep their own
    /// entry must not depend on a dictionary's order (which changes from run to run); `(other)` is always kept.
    public mutating func merge(_ other: PatternDeletionCounts) {
        for pattern in other.byPattern.keys.sorted(by: Self.mergeOrder) {
            guard let count = other.byPattern[pattern] else { continue }
            if pattern == "(other)" || byPattern[pattern] != nil || byPattern.count < Self.maximumPatterns {
                byPattern[pattern, default: 0] += count
            } else {
                byPattern["(other)", default: 0] += count
            }
        }
        total += other.total
    }

    /// Sorted by name, `(other)` last (after every pattern that may still take its own entry).
    static func mergeOrder(_ left: String, _ right: String) -> Bool {
        (left == "(other)") != (right == "(other)") ? right == "(other)" : left < right
    }

    /// The patterns by count, descending (ties by name), at most `limit`.
    public func top(limit: Int = 10) -> [(pattern: String, count: Int)] {
        byPattern.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(max(0, limit)).map { ($0.key, $0.value) }
    }

    /// `logs.memcached_pattern_deletions`.
    public var json: JSONValue {
        .object([("total", .int(total)),
                 ("by_pattern", .array(top().map { .object([("pattern", .string($0.pattern)), ("count", .int($0.count))]) }))])
    }

    /// The finding for these counts (nil when there are none).
    public var finding: Finding? {
        guard total > 0 else { return nil }
        let named = top(limit: 3).map { "'\($0.pattern)' ×\($0.count)" }.joined(separator: ", ")
        return Finding(severity: .warn, code: "pattern-deletion-ignored", pattern: nil, message:
            "The app tried \(total) pattern invalidations that Memcached cannot do (\(named)), so those keys were not deleted "
            + "and stale data stays until they expire; invalidate exact keys or shorten their TTL.")
    }

    static func find(_ needle: [UInt8], in line: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard !needle.isEmpty, line.count >= needle.count, start <= line.count - needle.count else { return nil }
        var index = start
        while index <= line.count - needle.count {
            if line[index] == needle[0] {
                var matched = true
                for offset in 1..<needle.count where line[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}
