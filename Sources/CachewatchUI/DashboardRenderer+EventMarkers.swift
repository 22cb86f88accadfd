import CachewatchCore
import Foundation

extension DashboardRenderer {
    // MARK: - Event markers on time axes

    /// The kinds marked on the fail-open chart's time axis (the chart itself shows the fail-open level).
    public static let markedEventKinds: Set<Event.Kind> = [.deploy, .restart, .connectionLost, .marker, .failover, .roleChange,
                                                    .configChange, .keyspaceDrop]

    /// The glyph above a minute column with an event: `▼`, `v` in ASCII.
    public static func eventMarkerGlyph(_ glyphs: Glyphs) -> String { glyphs.isASCII ? "v" : "▼" }

    /// The columns (0-based from the left of a right-aligned chart of `width` per-minute columns ending at `now`)
    /// of the events within the last `width` minutes (at most 60), deduplicated, ascending.
    public static func eventMarkerColumns(_ events: [Event], now: Date, width: Int) -> [Int] {
        let minutes = min(60, max(0, width))
        var columns = Set<Int>()
        for event in events where markedEventKinds.contains(event.kind) {
            let age = now.timeIntervalSince(event.at)
            guard age.isFinite, age >= 0, age < Double(minutes) * 60 else { continue }
            let minute = Humanize.clampedInt((age / 60).rounded(.down))
            let column = width - 1 - minute
            if column >= 0 && column < width { columns.insert(column) }
        }
        return columns.sorted()
    }

    /// Draws the markers in the top row of a per-minute chart drawn in `rect` (only when it has 2+ rows).
    static func drawEventMarkers(into grid: inout Grid, events: [Event], now: Date, rect: Rect, glyphs: Glyphs) {
        guard rect.height >= 2, rect.width > 0 else { return }
        let glyph = eventMarkerGlyph(glyphs)
        for column in eventMarkerColumns(events, now: now, width: rect.width) {
            grid.put(glyph, at: rect.x + column, rect.y, role: .accent)
        }
    }

    // MARK: - Event markers on sparklines (one row: the marker replaces the column's block)

    /// The columns (0-based from the sparkline's left) of the marked events on a sparkline of `count` samples drawn
    /// right-aligned in `width` columns (as `Sparkline.draw` lays it out: downsampled when longer than `width`).
    /// `sampleTimes` (oldest first) are aligned with the samples at their newest end. An event lands on the first
    /// sample taken at or after it (the interval it happened in); one older than the oldest timed sample, or later
    /// than the newest by more than a sample interval, is left out.
    public static func sparklineMarkerColumns(_ events: [Event], sampleTimes: [Date], count: Int, width: Int) -> [Int] {
        guard width > 0, count > 0, !sampleTimes.isEmpty else { return [] }
        let times = sampleTimes.suffix(count)
        let offset = count - times.count   // samples without a time (the oldest ones)
        guard let first = times.first, let last = times.last else { return [] }
        // The typical spacing, to accept an event a little after the newest sample (e.g. a marker typed just now).
        let span = last.timeIntervalSince(first)
        let step = times.count > 1 && span.isFinite && span > 0 ? span / Double(times.count - 1) : 1
        let timed = Array(times)
        var columns = Set<Int>()
        for event in events where markedEventKinds.contains(event.kind) {
            let at = event.at
            guard at.timeIntervalSince(first) >= -step else { continue }
            var index: Int
            if at > last {
                guard at.timeIntervalSince(last) <= step else { continue }
                index = timed.count - 1
            } else {
                // First sample at or after the event (binary search: times ascend).
                var low = 0, high = timed.count - 1
                while low < high {
                    let middle = (low + high) / 2
                    if timed[middle] >= at { high = middle } else { low = middle + 1 }
                }
                index = low
            }
            index += offset
            columns.insert(sparklineColumn(sample: index, count: count, width: width))
        }
        return columns.filter { $0 >= 0 && $0 < width }.sorted()
    }

    /// The column of sample `index` of `count` in a right-aligned sparkline of `width` columns (see `Sparkline.resample`).
    static func sparklineColumn(sample index: Int, count: Int, width: Int) -> Int {
        guard count > width else { return width - count + index }
        // Column c holds samples c*count/width ..< (c+1)*count/width: the last c whose start is ≤ index.
        let column = ((index + 1) * width + count - 1) / count - 1
        return min(max(0, column), width - 1)
    }

    /// Draws the markers on a one-row sparkline at (x, y) of `width` columns showing `count` samples.
    static func drawSparklineMarkers(into grid: inout Grid, events: [Event], sampleTimes: [Date], count: Int,
                                     x: Int, y: Int, width: Int, glyphs: Glyphs) {
        guard !events.isEmpty else { return }
        let glyph = eventMarkerGlyph(glyphs)
        for column in sparklineMarkerColumns(events, sampleTimes: sampleTimes, count: count, width: width) {
            grid.put(glyph, at: x + column, y, role: .accent)
        }
    }

    /// Draws the markers on a one-row per-minute sparkline (the compact view's fail/min) ending at `now`.
    static func drawMinuteSparklineMarkers(into grid: inout Grid, events: [Event], now: Date, x: Int, y: Int, width: Int,
                                           glyphs: Glyphs) {
        guard !events.isEmpty else { return }
        let glyph = eventMarkerGlyph(glyphs)
        for column in eventMarkerColumns(events, now: now, width: width) {
            grid.put(glyph, at: x + column, y, role: .accent)
        }
    }
}
