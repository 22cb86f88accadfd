/// A box with a title in its top border; returns the inner rectangle.
public enum Panel {
    /// Title pieces, each with its own role, drawn into the top border after the corner.
    public struct TitlePart: Sendable {
        public var text: String
        public var role: StyleRole
        public init(_ text: String, _ role: StyleRole = .title) {
            self.text = text
            self.role = role
        }
    }

    /// Draws the frame (focused frames use `borderFocused`) and returns the inside. Below 2×2 nothing is drawn.
    @discardableResult
    public static func draw(into grid: inout Grid, rect: Rect, title: [TitlePart], focused: Bool = false,
                            glyphs: Glyphs) -> Rect {
        guard rect.width >= 2, rect.height >= 2 else { return Rect(x: rect.x, y: rect.y, width: 0, height: 0) }
        let border: StyleRole = focused ? .borderFocused : .border
        let h = glyphs.horizontal
        grid.put(glyphs.topLeft, at: rect.x, rect.y, role: border)
        grid.put(glyphs.topRight, at: rect.maxX - 1, rect.y, role: border)
        grid.put(glyphs.bottomLeft, at: rect.x, rect.maxY - 1, role: border)
        grid.put(glyphs.bottomRight, at: rect.maxX - 1, rect.maxY - 1, role: border)
        for x in (rect.x + 1)..<(rect.maxX - 1) {
            grid.put(h, at: x, rect.y, role: border)
            grid.put(h, at: x, rect.maxY - 1, role: border)
        }
        for y in (rect.y + 1)..<(rect.maxY - 1) {
            grid.put(glyphs.vertical, at: rect.x, y, role: border)
            grid.put(glyphs.vertical, at: rect.maxX - 1, y, role: border)
        }
        // Title: " part part " after the corner, cut before the right corner.
        var x = rect.x + 1
        let limit = rect.maxX - 2
        if !title.isEmpty, limit - x >= 3 {
            x = grid.put(" ", at: x, rect.y, role: border)
            for part in title {
                let room = limit - x
                guard room > 1 else { break }
                x = grid.put(part.text, at: x, rect.y, maxWidth: room - 1, role: part.role, ellipsis: glyphs.ellipsis)
            }
            if x < limit { grid.put(" ", at: x, rect.y, role: border) }
        }
        return rect.inset(1)
    }
}
