import CachewatchCore
import Foundation

/// A full-screen overlay pane (events, nodes): a framed panel one cell inside the screen, or, on a screen too
/// small for it, a one-line fallback in the top row.
extension DashboardRenderer {
    /// Draws the overlay's frame and returns its inner rectangle; nil when only `fallback` fitted.
    static func overlayPane(into grid: inout Grid, minimumWidth: Int, fallback: String, title: [Panel.TitlePart],
                            glyphs: Glyphs) -> Rect? {
        let width = grid.width - 2
        let height = grid.height - 2
        guard width >= minimumWidth, height >= 4 else {
            grid.fill(Rect(x: 0, y: 0, width: grid.width, height: 1), role: .selected)
            grid.put(fallback, at: 0, 0, maxWidth: grid.width, role: .selected)
            return nil
        }
        let rect = Rect(x: 1, y: 1, width: width, height: height)
        grid.fill(rect)
        return Panel.draw(into: &grid, rect: rect, title: title, focused: true, glyphs: glyphs)
    }
}
