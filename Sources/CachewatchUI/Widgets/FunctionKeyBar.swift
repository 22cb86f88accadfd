/// The bottom line of key hints: `? help  tab pane  / filter …`, keys highlighted, dropped from the end when narrow.
public enum FunctionKeyBar {
    /// Draws `items` (key, label) on row `y` within `width` columns; returns how many items fit.
    @discardableResult
    public static func draw(into grid: inout Grid, items: [(key: String, label: String)], x: Int = 0, y: Int, width: Int) -> Int {
        var column = x + 1
        var drawn = 0
        for item in items {
            let need = DisplayWidth.of(item.key) + 1 + DisplayWidth.of(item.label) + 2
            guard column - x + need - 2 <= width else { break }
            column = grid.put(item.key, at: column, y, role: .key)
            column = grid.put(" " + item.label, at: column, y, role: .muted)
            column += 2
            drawn += 1
        }
        return drawn
    }
}
