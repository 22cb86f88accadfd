import Foundation

/// A fail-open event found in a line, ready for the counter.
public struct FailOpenEvent: Sendable, Equatable {
    /// The line's own time, or the arrival time for plain lines.
    public var timestamp: Date
    /// False when the time is unknown (a plain line read during backfill): counted in totals, not in windows.
    public var timed: Bool
    public var match: FailOpenMatch

    public init(timestamp: Date, timed: Bool = true, match: FailOpenMatch) {
        self.timestamp = timestamp
        self.timed = timed
        self.match = match
    }
}

/// The per-source pipeline: parse each line, skip traceback continuations, count, and find fail-open events.
///
/// Counting rules (documented for `logs.sources[]`):
/// - `lines`: every line delivered (continuations included), except lines skipped before the backfill window.
/// - `unparsed`: lines in none of the structured formats that are not traceback continuations
///   (so a `plain` source has unparsed ≈ lines). They are still searched for a fail-open prefix anywhere.
/// - `truncated`: lines cut at the follower's 1 MB limit.
/// - `unparsedTime`: fail-open lines with a time field that could not be used — unreadable, not finite,
///   before 1970, or more than a day after the line arrived — and that were counted at their arrival time.
/// - Continuation lines never produce events: lines starting with a space or tab, empty lines,
///   `Traceback (most recent call last):`, `During handling of the above exception …`,
///   `The above exception was the direct cause …`, and, inside a traceback, `Name: text` or `Name`
///   where `Name` is a dotted identifier (the exception line).
public struct LogLineProcessor: Sendable {
    public internal(set) var parser: LogLineParser
    public let matcher: FailOpenMatcher
    public internal(set) var lines = 0
    public internal(set) var unparsed = 0
    public internal(set) var truncated = 0
    public internal(set) var unparsedTime = 0
    public internal(set) var continuations = 0
    public internal(set) var events = 0
    /// The format reported for this source: the last structured one seen, `plain` when only plain lines came.
    public internal(set) var format: LogFormat?
    /// Backfill: lines are skipped until the first one whose own time is at or after this.
    public var notBefore: Date?
    /// Backfill of an untimed tail: events of plain lines are counted in totals only.
    public var untimedEventsOutsideWindows = false
    var inTraceback = false
    private var errorTexts = ErrorTextCache()
    /// Memcached pattern-deletion lines seen in this source (see `notePatternDeletion(in:)`).
    public internal(set) var patternDeletions = PatternDeletionCounts()
    /// App startup lines (deploy markers) seen in this source (see `noteDeployLine(in:arrival:)`).
    public internal(set) var deployLines: DeployLines
    /// True while a backfill is read (set by the caller): plain deploy lines have no usable time then.
    public var backfilling = false

    public init(timeZone: TimeZone = .current, matcher: FailOpenMatcher = FailOpenMatcher(),
                deployPatterns: [String] = DeployLines.defaultPatterns) {
        parser = LogLineParser(timeZone: timeZone)
        self.matcher = matcher
        deployLines = DeployLines(patterns: deployPatterns)
    }

    /// The format name for `logs.sources[].format` (`unknown` before the first line).
    public var formatName: String { format?.rawValue ?? "unknown" }

    // MARK: - Processing

    /// Processes one line (without its newline); returns the fail-open event it carries, if any.
    public mutating func process(_ line: [UInt8], arrival: Date, truncated wasCut: Bool = false) -> FailOpenEvent? {
        line.withUnsafeBufferPointer { process($0, arrival: arrival, truncated: wasCut) }
    }

    /// Processes one line given as a slice (without its newline).
    public mutating func process(_ line: ArraySlice<UInt8>, arrival: Date, truncated wasCut: Bool = false) -> FailOpenEvent? {
        line.withUnsafeBufferPointer { process($0, arrival: arrival, truncated: wasCut) }
    }

    /// Processes one line (without its newline); returns the fail-open event it carries, if any.
    ///
    /// `mayContainPrefix: false` is a caller's promise that the line does not contain
    /// `matcher.commonPrefix` (found by a fast search over a whole chunk): the line is then only
    /// counted and classified by its header. (A JSON message that escapes the prefix's own ASCII
    /// letters, which Python's `json.dumps` never does, is missed on that fast path.)
    public mutating func process(_ raw: UnsafeBufferPointer<UInt8>, arrival: Date, truncated wasCut: Bool = false,
                                 mayContainPrefix: Bool = true) -> FailOpenEvent? {
        var line = raw
        if let last = line.last, last == 0x0D { line = UnsafeBufferPointer(rebasing: line[0..<(line.count - 1)]) }
        if let cutoff = notBefore {
            let shape = parser.shape(of: line)
            guard shape.format != .plain, let time = Self.usableTime(parser.timestamp(of: line, shape: shape), arrival: nil),
                  time >= cutoff else { return nil }
            notBefore = nil
        }
        lines += 1
        if wasCut { truncated += 1 }
        if isContinuation(line) {
            continuations += 1
            return nil
        }
        if !mayContainPrefix {
            let quick = parser.quickFormat(of: line)
            inTraceback = false
            if quick == .plain {
                unparsed += 1
                if format == nil { format = .plain }
            } else {
                format = quick
            }
            return nil
        }
        let shape = parser.shape(of: line)
        if shape.format == .plain {
            unparsed += 1
            if format == nil { format = .plain }
            inTraceback = false
            guard let match = matcher.match(anywhereIn: line, cache: &errorTexts) else { return nil }
            events += 1
            return FailOpenEvent(timestamp: arrival, timed: !untimedEventsOutsideWindows, match: match)
        }
        format = shape.format
        inTraceback = false
        let message = UnsafeBufferPointer(rebasing: line[shape.messageRange])
        guard let first = message.first,
              matcher.mayMatch(firstByte: first) || (first == 0x5C && shape.messageEscaping != .none) else { return nil }
        let match: FailOpenMatch?
        if shape.messageEscaping == .none {
            match = matcher.match(message: message, cache: &errorTexts)
        } else {
            match = LogLineParser.message(of: line, shape: shape).withUnsafeBufferPointer {
                matcher.match(message: $0, cache: &errorTexts)
            }
        }
        guard let match else { return nil }
        events += 1
        let time = Self.usableTime(parser.timestamp(of: line, shape: shape), arrival: arrival)
        if time == nil && shape.timestampRange != nil { unparsedTime += 1 }
        return FailOpenEvent(timestamp: time ?? arrival, timed: time != nil || !untimedEventsOutsideWindows, match: match)
    }

    /// Log times more than this far after the line's arrival are not believed (clock skew stays well below).
    public static let maximumFutureSeconds: Double = 86_400

    /// A line's own time when it can be used: finite, not before 1970, at most a day after `arrival` (when
    /// given); else nil (the caller uses the arrival time). Times from a log are hostile: `1e22` must not reach
    /// an `Int64`.
    public static func usableTime(_ time: Date?, arrival: Date?) -> Date? {
        guard let time else { return nil }
        let seconds = time.timeIntervalSince1970
        guard seconds.isFinite, seconds >= 0 else { return nil }
        if let arrival, seconds > arrival.timeIntervalSince1970 + maximumFutureSeconds { return nil }
        return time
    }

    /// Counts one line that does not contain `matcher.commonPrefix` (the caller checked): the same as
    /// `process(line, arrival: …, mayContainPrefix: false)`, which it falls back to, but cheaper for
    /// the common line.
    ///
    /// Why the shortcut is exact: when no backfill cutoff is pending, the line starts with a digit
    /// and (its `\r` removed) starts with the source's last format's header
    /// (`LogLineParser.headerFormat`, which changes nothing), `process` would count it in `lines`,
    /// find it is no continuation (those are empty or start with a space, a tab, or a letter, `_` or
    /// `.`), get the same format from `quickFormat`, leave `unparsed` alone and clear `inTraceback`.
    /// That is all this does. Every other line (json, structured, plain, continuations, lines before
    /// the backfill cutoff) takes the full path.
    @inline(__always)
    public mutating func countLineWithoutPrefix(_ raw: UnsafeBufferPointer<UInt8>) {
        if notBefore == nil, let first = raw.first, LogLineParser.isDigit(first) {
            var line = raw
            if line.last == 0x0D { line = UnsafeBufferPointer(rebasing: line[0..<(line.count - 1)]) }
            if let header = parser.headerFormat(of: line) {
                lines += 1
                format = header
                inTraceback = false
                return
            }
        }
        _ = process(raw, arrival: Date(timeIntervalSince1970: 0), mayContainPrefix: false)
    }

    /// Counts the run of lines at the start of `block` that `countLineWithoutPrefix` would take by its shortcut, and
    /// returns the bytes they span (0: the first line needs the full path).
    ///
    /// `block` holds complete lines, each ending with its newline. Lines are taken while their newline lies before
    /// `clearUntil` or on it (the caller knows no needle occurs before it: these lines cannot be events, deletions or
    /// deploys), no backfill cutoff is pending, the source's last format is `detailed` or `classic` (the shortcut's
    /// formats: a `json` or `structured` line never starts with a digit) and each line starts with its header
    /// (`LogLineParser.headerFormat`, after the line's `\r` is removed). Each such line is exactly what
    /// `countLineWithoutPrefix` does in its shortcut: `lines` + 1, `format` = the header's format, `inTraceback`
    /// cleared; this does it once for the whole run.
    ///
    /// The backfill's hot loop: the header is tested first, in place (the block ends with a newline, so a byte that
    /// matched a digit or a separator is inside the line), then the newline is searched after it.
    public mutating func countShortcutLines(_ block: UnsafeBufferPointer<UInt8>, clearUntil: Int) -> Int {
        guard notBefore == nil, let header = parser.lastFormat, header == .detailed || header == .classic,
              let base = block.baseAddress else { return 0 }
        let classic = header == .classic
        // Bytes of the header after the fraction: ` [` (detailed) or ` - ` (classic).
        let separatorBytes = classic ? 3 : 2
        let limit = min(clearUntil, block.count)
        let blockEnd = base + block.count
        var line = base
        var counted = 0
        // The first 19 bytes of the last line whose date and time passed (as three words, like the test loads them):
        // a line that starts with the same bytes passes too, so the test runs once per distinct second. They start as
        // a header that passes, so no start value can let a failing line through.
        var (known0, known1, known2) = Self.passingHeaderWords
        while line < base + limit {
            let available = blockEnd - line
            guard available >= 24 else { break }
            let raw = UnsafeRawPointer(line)
            let word0 = raw.loadUnaligned(as: UInt64.self)
            let word1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            let word2 = raw.loadUnaligned(fromByteOffset: 11, as: UInt64.self)
            if word0 != known0 || word1 != known1 || word2 != known2 {
                guard LogLineParser.looksLikeDateTimeAndSpace(UnsafeBufferPointer(start: line, count: available)) else { break }
                (known0, known1, known2) = (word0, word1, word2)
            }
            var end = 19
            if line[19] == 0x2C || line[19] == 0x2E {
                end = 20
                while end < available, LogLineParser.isDigit(line[end]) { end &+= 1 }
            }
            guard end &+ 3 < available, line[end] == 0x20 else { break }
            if classic {
                guard line[end &+ 1] == 0x2D, line[end &+ 2] == 0x20 else { break }
            } else {
                guard line[end &+ 1] == 0x5B else { break }
            }
            // No newline before here: every byte so far matched a digit or a separator.
            let searchFrom = line + end + separatorBytes
            guard let found = memchr(searchFrom, 0x0A, blockEnd - searchFrom) else { break }
            let newline = UnsafePointer(found.assumingMemoryBound(to: UInt8.self))
            guard newline - base <= limit else { break }
            // `headerFormat` wants the byte after the header inside the line without its `\r`.
            let length = newline[-1] == 0x0D ? newline - 1 - line : newline - line
            guard length > end &+ 2 else { break }
            counted &+= 1
            let model = line
            line = newline + 1
            if end == 19 {
                // The line just taken has no fraction: the lines after it that repeat its first 21 (22) bytes (date,
                // time, separator) pass the header test as it did, and are taken in this tighter loop.
                let (run, next) = Self.countRepeatedHeaderLines(from: line, model: model,
                                                                headerBytes: 19 &+ separatorBytes,
                                                                blockEnd: blockEnd, lastNewline: base + limit)
                counted &+= run
                line = next
            }
        }
        if counted > 0 {
            lines += counted
            format = header
            inTraceback = false
        }
        return line - base
    }

    /// Counts the lines from `start` on that begin with the same `headerBytes` (21 or 22) as `model` (a line that
    /// passed `countShortcutLines`' header test without a fraction), are more than 21 bytes long without their `\r`
    /// and end with a newline at or before `lastNewline`; returns their number and where the first other line starts.
    /// Such a line passes the header test exactly as `model` did: its first `headerBytes` bytes are the same, and the
    /// test reads nothing after them but the line's length. Two words and a third ending at `headerBytes` are
    /// compared; the newline is found with memchr from the header's end.
    @inline(__always)
    static func countRepeatedHeaderLines(from start: UnsafePointer<UInt8>, model: UnsafePointer<UInt8>, headerBytes: Int,
                                         blockEnd: UnsafePointer<UInt8>, lastNewline: UnsafePointer<UInt8>)
        -> (count: Int, next: UnsafePointer<UInt8>) {
        let tailOffset = headerBytes &- 8
        let modelRaw = UnsafeRawPointer(model)
        let known0 = modelRaw.loadUnaligned(as: UInt64.self)
        let known1 = modelRaw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        let knownTail = modelRaw.loadUnaligned(fromByteOffset: tailOffset, as: UInt64.self)
        // A line is looked at only when 24 bytes remain (as the header test wants): its start is at most `lastStart`.
        let lastStart = blockEnd - 24
        var line = start
        var count = 0
        while line <= lastStart && line < lastNewline {
            let raw = UnsafeRawPointer(line)
            guard raw.loadUnaligned(as: UInt64.self) == known0,
                  raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self) == known1,
                  raw.loadUnaligned(fromByteOffset: tailOffset, as: UInt64.self) == knownTail else { break }
            let searchFrom = line + headerBytes
            guard let found = memchr(searchFrom, 0x0A, blockEnd - searchFrom) else { break }
            let newline = UnsafePointer(found.assumingMemoryBound(to: UInt8.self))
            guard newline <= lastNewline else { break }
            // More than 21 bytes once its `\r` is removed (`length > end + 2` in `countShortcutLines`, end = 19).
            let length = newline - line
            guard length > 22 || (length == 22 && newline[-1] != 0x0D) else { break }
            count &+= 1
            line = newline + 1
        }
        return (count, line)
    }

    /// The words `countShortcutLines` loads from a header that passes `LogLineParser.looksLikeDateTimeAndSpace`.
    private static let passingHeaderWords: (UInt64, UInt64, UInt64) = Array("0000-00-00 00:00:00".utf8).withUnsafeBytes { raw in
        (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
         raw.loadUnaligned(fromByteOffset: 11, as: UInt64.self))
    }

    /// Counts a memcached pattern-deletion line: call after `process`/`countLineWithoutPrefix` for a line in
    /// which `PatternDeletionCounts.needle` occurs. Lines skipped before the backfill window are not counted.
    public mutating func notePatternDeletion(in line: UnsafeBufferPointer<UInt8>) {
        guard notBefore == nil, let pattern = PatternDeletionCounts.pattern(in: line) else { return }
        patternDeletions.record(pattern)
    }

    /// Records an app startup line: call after `process`/`countLineWithoutPrefix` for a line in which a deploy
    /// pattern may occur. Lines skipped before the backfill window, and plain lines read in a backfill (no time
    /// to place them), are not recorded. The time is the line's own, else (a plain live line) `arrival`.
    public mutating func noteDeployLine(in raw: UnsafeBufferPointer<UInt8>, arrival: Date) {
        guard notBefore == nil, deployLines.matches(raw) else { return }
        var line = raw
        if line.last == 0x0D { line = UnsafeBufferPointer(rebasing: line[0..<(line.count - 1)]) }
        let shape = parser.shape(of: line)
        let time: Date
        if shape.format != .plain, let own = Self.usableTime(parser.timestamp(of: line, shape: shape), arrival: arrival) {
            time = own
        } else {
            guard !backfilling else { return }
            time = arrival
        }
        deployLines.record(line, at: time)
    }

    /// `noteDeployLine(in:arrival:)` for an array.
    public mutating func noteDeployLine(in line: [UInt8], arrival: Date) {
        line.withUnsafeBufferPointer { noteDeployLine(in: $0, arrival: arrival) }
    }

    // MARK: - Tracebacks

    private static let tracebackStart: [UInt8] = Array("Traceback (most recent call last):".utf8)
    private static let duringHandling: [UInt8] = Array("During handling of the above exception".utf8)
    private static let directCause: [UInt8] = Array("The above exception was the direct cause".utf8)

    private mutating func isContinuation(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = line.first else { return true }
        if first == 0x20 || first == 0x09 { return true }
        if first == 0x54 || first == 0x44 {
            if FailOpenMatcher.hasPrefix(line, Self.tracebackStart, at: 0)
                || FailOpenMatcher.hasPrefix(line, Self.duringHandling, at: 0)
                || FailOpenMatcher.hasPrefix(line, Self.directCause, at: 0) {
                inTraceback = true
                return true
            }
        }
        guard inTraceback else { return false }
        // `SomeError: text`, `pkg.mod.SomeError`, `KeyError: 'x'` inside a traceback.
        var index = 0
        while index < line.count {
            let c = line[index]
            let letter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A
            if letter || c == 0x5F || c == 0x2E || (index > 0 && LogLineParser.isDigit(c)) {
                index += 1
                continue
            }
            break
        }
        guard index > 0 else { return false }
        return index == line.count || (line[index] == 0x3A)
    }
}
