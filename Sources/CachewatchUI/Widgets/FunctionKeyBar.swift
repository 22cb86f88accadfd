/// The bottom line of key hints: `? help  tab pane  / filter …`, keys highlighted, dropped from the end when narrow.
public enum FunctionKeyBar {
    /// Draws `items` (key, label) on row `y` within `width` columns; returns how many items fit.
    /// With `pinLast` the last item (quit) is kept even when middle items must be dropped.
    @discardableResult
    public static func draw(into grid: inout Grid, items: [(key: String, label: String)], x: Int = 0, y: Int, width: Int,
                            pinLast: Bool = false) -> Int {
        func need(_ item: (key: String, label: String)) -> Int { DisplayWidth.of(item.key) + 1 + DisplayWidth.of(item.label) + 2 }
        var list = items
        if pinLast, let last = items.last {
            var total = 1
            var kept: [(key: String, label: String)] = []
            for item in items.dropLast() where total + need(item) + need(last) - 2 <= width {
                kept.append(item)
                total += need(item)
            }
            list = kept + [last]
        }
        var column = x + 1
        var drawn = 0
        for item in list {
            let need = need(item)
            guard column - x + need - 2 <= width else { break }
            column = grid.put(item.key, at: column, y, role: .key)
            column = grid.put(" " + item.label, at: column, y, role: .muted)
            column += 2
            drawn += 1
        }
        return drawn
    }
}
