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
}
