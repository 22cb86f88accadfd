import Foundation

// Joining the counts of a log read in segments (a large backfill counted in parallel): each later segment is read by
// its own processor from a line that starts with a digit, and appended here in file order.
extension LogLineProcessor {
    /// A processor for a later segment of the log this one reads: same time zone, patterns and backfill mode, no
    /// pending cutoff, and a matcher that leaves keys' families unnamed (`family` empty: names depend on the order keys
    /// are seen, so `nameFamilies(of:)` names them while the segments' events are replayed in file order).
    public func segmentProcessor() -> LogLineProcessor {
        var segment = LogLineProcessor(timeZone: parser.timestamps.timeZone, matcher: matcher.with(familyOf: { _ in "" }))
        segment.deployLines = deployLines.withoutLines()
        segment.untimedEventsOutsideWindows = untimedEventsOutsideWindows
        segment.backfilling = backfilling
        return segment
    }

    /// True when `later` (a `segmentProcessor()` that read the lines right after this one's) can be appended with the
    /// result of one processor reading both parts: no backfill cutoff still pending here (its first line would have
    /// been skipped), and the deletion patterns of both fit the table (past its bound, which ones are kept depends on
    /// the order they came in).
    public func canAppend(_ later: LogLineProcessor) -> Bool {
        guard notBefore == nil, later.notBefore == nil else { return false }
        let union = Set(patternDeletions.byPattern.keys).union(later.patternDeletions.byPattern.keys)
        return union.count <= PatternDeletionCounts.maximumPatterns
            && patternDeletions.byPattern["(other)"] == nil && later.patternDeletions.byPattern["(other)"] == nil
    }

    /// Appends the counts of `later`, which read the lines right after this one's starting with a line that begins
    /// with a digit (check `canAppend` first): sums, the format (the last structured one, else `plain`), the traceback
    /// state and parser of the last line, deletion counts, and deploy lines numbered after these.
    public mutating func append(_ later: LogLineProcessor) {
        guard later.lines > 0 else { return }
        lines += later.lines
        unparsed += later.unparsed
        truncated += later.truncated
        unparsedTime += later.unparsedTime
        continuations += later.continuations
        events += later.events
        switch later.format {
        case .plain?: if format == nil { format = .plain }
        case let structured?: format = structured
        case nil: break
        }
        inTraceback = later.inTraceback
        parser = later.parser
        patternDeletions.merge(later.patternDeletions)
        deployLines.append(recordedAfter: later.deployLines)
    }

    /// Names the families of keyed events found by a `segmentProcessor()`, with this processor's matcher, in order.
    public func nameFamilies(of events: inout [FailOpenEvent]) {
        for index in events.indices {
            guard let key = events[index].match.key else { continue }
            events[index].match.family = matcher.familyOf(key)
        }
    }
}
