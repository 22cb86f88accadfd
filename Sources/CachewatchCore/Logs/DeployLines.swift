import Foundation

/// One app startup line (`Application startup complete.` …) seen in a log: a deploy marker.
public struct DeployLine: Equatable, Sendable {
    /// Numbered in the order seen (per source in a processor, across sources in a `LogsReport`).
    public var sequence: Int
    /// The line's own time; for a plain line, its arrival time (live lines only).
    public var at: Date
    /// The line, escaped for display and cut at `DeployLines.maximumLineBytes`.
    public var line: String

    public init(sequence: Int, at: Date, line: String) {
        self.sequence = sequence
        self.at = at
        self.line = line
    }

    /// `logs.deploy_lines.recent[]`.
    public var json: JSONValue {
        .object([("at", .string(ISOTime.format(at))), ("line", .string(line))])
    }
}

/// The deploy patterns (`[logs] deploy_patterns`) and the bounded list of recent deploy lines of a source.
///
/// A line containing any pattern (anywhere, any format, case-sensitive) is a deploy line. Plain lines
/// (no time of their own) count only when they arrive live: read in a backfill they cannot be placed.
public struct DeployLines: Sendable, Equatable {
    /// uvicorn's startup lines (each worker writes both).
    public static let defaultPatterns = ["Application startup complete.", "Started server process ["]
    public static let maximumPatterns = 20
    public static let maximumPatternBytes = 200
    public static let maximumLineBytes = 300
    /// Recent lines kept per source and per report.
    public static let maximumRecent = 100

    public let patterns: [[UInt8]]
    public private(set) var total = 0
    /// Oldest first, at most `maximumRecent`.
    public private(set) var recent: [DeployLine] = []

    /// Empty patterns are ignored; at most `maximumPatterns`, each at most `maximumPatternBytes`.
    public init(patterns: [String] = DeployLines.defaultPatterns) {
        self.patterns = patterns.prefix(Self.maximumPatterns).map { Array($0.utf8.prefix(Self.maximumPatternBytes)) }.filter { !$0.isEmpty }
    }

    /// True when one of the patterns occurs in the line.
    public func matches(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        patterns.contains { PatternDeletionCounts.find($0, in: line, from: 0) != nil }
    }

    /// Records a deploy line seen at `at`.
    public mutating func record(_ line: UnsafeBufferPointer<UInt8>, at: Date) {
        total += 1
        let cut = line.count > Self.maximumLineBytes
        let text = DisplayEscaper.escape(line.prefix(Self.maximumLineBytes)) + (cut ? "…" : "")
        recent.append(DeployLine(sequence: total, at: at, line: text))
        if recent.count > Self.maximumRecent { recent.removeFirst(recent.count - Self.maximumRecent) }
    }

    /// Adds lines from elsewhere (already numbered by the caller), keeping the newest `maximumRecent`; `dropped`
    /// lines seen before them but no longer kept count in `total`.
    public mutating func append(_ lines: [DeployLine], dropped: Int = 0) {
        total += lines.count + max(0, dropped)
        recent.append(contentsOf: lines)
        if recent.count > Self.maximumRecent { recent.removeFirst(recent.count - Self.maximumRecent) }
    }

    /// The same patterns with no lines recorded.
    public func withoutLines() -> DeployLines {
        var copy = self
        copy.total = 0
        copy.recent = []
        return copy
    }

    /// Appends the lines `later` recorded after these (a later part of the same log), numbered as if this list
    /// had recorded them itself: the result equals recording both parts' lines in order.
    public mutating func append(recordedAfter later: DeployLines) {
        let dropped = later.total - later.recent.count
        var next = total + dropped
        let renumbered = later.recent.map { line -> DeployLine in
            next += 1
            var line = line
            line.sequence = next
            return line
        }
        append(renumbered, dropped: dropped)
    }

    /// `logs.deploy_lines`: the total and the 10 newest lines.
    public var json: JSONValue {
        .object([("total", .int(total)), ("recent", .array(recent.suffix(10).map(\.json)))])
    }
}
