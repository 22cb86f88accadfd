/// A full-width alert line that reads from across the room.
public enum Banner {
    /// Fills `rect` with `role` and centres the text (on the middle row); Unicode glyphs frame it with ██.
    public static func draw(into grid: inout Grid, rect: Rect, text: String, role: StyleRole, glyphs: Glyphs) {
        guard !rect.isEmpty else { return }
        grid.fill(rect, role: role)
        let frame = glyphs.isASCII ? "!!" : "██"
        var line = " \(frame) \(text) \(frame) "
        if DisplayWidth.of(line) > rect.width { line = " " + text + " " }
        let cut = DisplayWidth.truncate(line, to: rect.width, ellipsis: glyphs.ellipsis)
        let x = rect.x + max(0, (rect.width - DisplayWidth.of(cut)) / 2)
        grid.put(cut, at: x, rect.y + rect.height / 2, role: role)
    }
}
