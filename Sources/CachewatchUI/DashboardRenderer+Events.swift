import CachewatchCore
import Foundation

/// The events pane (`e`): the timeline newest first, over the dashboard; and the marker note editor (`M`).
extension DashboardRenderer {
    static func renderEvents(into grid: inout Grid, model: DashboardModel, state: DashboardState, glyphs: Glyphs) {
        guard let inner = overlayPane(into: &grid, minimumWidth: 20, fallback: "events \(model.events.count) esc:back",
                                      title: [.init("Events", .title), .init(" \(glyphs.separator) \(model.events.count) \(glyphs.separator) newest first", .muted)],
                                      glyphs: glyphs) else { return }
        guard inner.height >= 2 else { return }
        if model.events.isEmpty {
            grid.put("Nothing happened yet: restarts, outages, failovers, config changes, key drops, evictions, fail-open",
                     at: inner.x + 1, inner.y, maxWidth: inner.width - 2, role: .muted, ellipsis: glyphs.ellipsis)
            grid.put("transitions and new families appear here as they happen. M adds a marker with a note.",
                     at: inner.x + 1, inner.y + 1, maxWidth: inner.width - 2, role: .muted, ellipsis: glyphs.ellipsis)
            return
        }
        let rows = inner.height - 1
        let first = min(max(0, state.eventsScroll), max(0, model.events.count - 1))
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        for (i, event) in model.events.dropFirst(first).prefix(rows).enumerated() {
            let y = inner.y + i
            var x = grid.put(formatter.string(from: event.at), at: inner.x + 1, y, role: .muted)
            let role: StyleRole = event.severity == .crit ? .crit : (event.severity == .warn ? .warn : .ok)
            x = grid.put(" " + DisplayWidth.pad(event.kind.rawValue, to: 19), at: x, y, maxWidth: 20, role: role)
            grid.put(" " + safe(event.message), at: x, y, maxWidth: max(0, inner.maxX - x - 1), role: .normal, ellipsis: glyphs.ellipsis)
        }
        let hint = "esc back  \(glyphs.arrowUpDown) scroll  M marker"
        grid.put(hint, at: inner.x + 1, inner.maxY - 1, maxWidth: inner.width - 2, role: .muted, ellipsis: glyphs.ellipsis)
    }

    static func renderMarkerEditor(into grid: inout Grid, state: DashboardState, y: Int, glyphs: Glyphs) {
        grid.fill(Rect(x: 0, y: y, width: grid.width, height: 1))
        var x = grid.put(" M ", at: 0, y, role: .key)
        x = grid.put("marker: ", at: x, y, role: .muted)
        x = grid.put(safe(state.markerNote), at: x, y, maxWidth: max(0, grid.width - x - 26), role: .value, ellipsis: glyphs.ellipsis)
        x = grid.put(glyphs.isASCII ? "_" : "▏", at: x, y, role: .accent)
        FunctionKeyBar.draw(into: &grid, items: [(glyphs.enter, "add"), ("esc", "cancel")], x: x + 2, y: y, width: max(0, grid.width - x - 2))
    }
}
