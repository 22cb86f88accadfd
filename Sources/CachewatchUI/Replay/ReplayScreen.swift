import CachewatchCore
import Foundation

/// Draws the replay dashboard: the live dashboard's screen for the frame under the cursor, with
/// `REPLAY 14:03:12 ×10` in the title row and the replay keys in the footer.
public enum ReplayScreen {
    /// Replays show UTC, the zone of the documents and of `g` / `--from` times.
    public static let utc = TimeZone(identifier: "UTC") ?? .current

    /// The screen for the cursor's time.
    public static func render(timeline: ReplayTimeline, cursor: ReplayCursor, state: DashboardState, notice: String?,
                              prompt: String?, size: TerminalSize, glyphs: Glyphs, timeZone: TimeZone = utc) -> Grid {
        let label = title(cursor: cursor, glyphs: glyphs, timeZone: timeZone)
        var text = label
        if let prompt { text += "  go to (HH:MM[:SS] UTC): " + prompt + (glyphs.isASCII ? "_" : "▏") }
        else if let notice, !notice.isEmpty { text += "  " + notice }
        let index = timeline.frameIndex(at: cursor.time) ?? 0
        let model = timeline.model(at: index, notice: text, timeZone: timeZone)
            ?? DashboardModel(header: HeaderInfo(address: timeline.address), now: cursor.time, timeZone: timeZone, notice: text)
        var replayState = state
        replayState.paused = false
        var grid = DashboardRenderer.render(model: model, state: replayState, size: size, glyphs: glyphs)
        if DashboardRenderer.isCompact(size), size.height >= 2, !state.editingFilter, !state.helpOpen {
            // The compact view has no notice: its last row becomes the replay line.
            let y = size.height - 1
            _ = grid.put(String(repeating: " ", count: size.width), at: 0, y)
            let line = prompt.map { "go to: " + $0 + (glyphs.isASCII ? "_" : "▏") } ?? label
            _ = grid.put(line, at: 0, y, maxWidth: size.width, role: .accent, ellipsis: glyphs.ellipsis)
        } else if !DashboardRenderer.isCompact(size), !state.editingFilter, !state.helpOpen, state.detailPattern == nil {
            let y = size.height - 1
            _ = grid.put(String(repeating: " ", count: size.width), at: 0, y)
            let arrows = glyphs.isASCII ? "<- ->" : "← →"
            // A cluster recording adds `o`, the nodes pane (`n`/`N` step through events here).
            let nodes: [(String, String)] = model.clusterNodes.isEmpty ? [] : [("o", "nodes")]
            FunctionKeyBar.draw(into: &grid, items: [("space", cursor.playing ? "pause" : "play"), (arrows, "10s"),
                                                     ("shift", "1min"), ("+ -", "speed"), ("n N", "event"), ("g", "go to")] + nodes
                                                     + [("?", "help"), ("q", "quit")],
                                y: y, width: size.width, pinLast: true)
        }
        return grid
    }

    /// `REPLAY 14:03:12 ×10` (plus `paused` when stopped).
    public static func title(cursor: ReplayCursor, glyphs: Glyphs, timeZone: TimeZone) -> String {
        let times = glyphs.isASCII ? "x" : "×"
        let speed = cursor.speed == cursor.speed.rounded() ? String(Int(cursor.speed)) : String(cursor.speed)
        return "REPLAY \(Humanize.clock(cursor.time, timeZone: timeZone)) \(times)\(speed)" + (cursor.playing ? "" : " paused")
    }
}
