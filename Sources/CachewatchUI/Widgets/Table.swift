/// A table column: fixed width or flexible, alignment, and how early it is dropped when space runs out.
public struct TableColumn: Sendable {
    public var title: String
    /// Fixed width; for the flexible column, its minimum width.
    public var width: Int
    public var flexible: Bool
    public var alignRight: Bool
    /// Columns with a lower priority are dropped first when the table is too narrow.
    public var priority: Int

    public init(_ title: String, width: Int, flexible: Bool = false, alignRight: Bool = false, priority: Int = 0) {
        self.title = title
        self.width = width
        self.flexible = flexible
        self.alignRight = alignRight
        self.priority = priority
    }
}

/// One table cell's text and role.
public struct TableCell: Sendable {
    public var text: String
    public var role: StyleRole
    /// Optional per-column roles (e.g. a mini chart), applied from the cell's left edge.
    public var columnRoles: [StyleRole]?
    public init(_ text: String, _ role: StyleRole = .normal, columnRoles: [StyleRole]? = nil) {
        self.text = text
        self.role = role
        self.columnRoles = columnRoles
    }
}

/// A table with column sizing, truncation with an ellipsis, scrolling and a selected row.
public enum Table {
    /// Widths for each column at `width` total (1-column gaps); nil for a dropped column.
    /// Low-priority columns go first; the flexible column takes what is left.
    public static func layout(_ columns: [TableColumn], width: Int) -> [Int?] {
        var kept = Array(repeating: true, count: columns.count)
        func needed() -> Int {
            var total = 0
            var count = 0
            for (i, c) in columns.enumerated() where kept[i] { total += c.width; count += 1 }
            return total + max(0, count - 1)
        }
        let order = columns.indices.sorted { (columns[$0].priority, -$0) < (columns[$1].priority, -$1) }
        for i in order where needed() > width && !columns[i].flexible { kept[i] = false }
        if needed() > width {
            // Even one column does not fit: give the first kept column all the room.
            guard let first = kept.firstIndex(of: true) else { return columns.map { _ in nil } }
            return columns.indices.map { $0 == first ? max(0, width) : nil }
        }
        let spare = width - needed()
        return columns.enumerated().map { i, c in
            guard kept[i] else { return nil }
            return c.flexible ? c.width + spare : c.width
        }
    }

    /// The scroll offset that keeps `selected` visible with `visibleRows` rows.
    public static func scrollOffset(selected: Int?, offset: Int, visibleRows: Int, count: Int) -> Int {
        guard visibleRows > 0, count > 0 else { return 0 }
        var o = min(max(0, offset), max(0, count - visibleRows))
        if let selected {
            if selected < o { o = selected }
            if selected >= o + visibleRows { o = selected - visibleRows + 1 }
        }
        return max(0, o)
    }

    /// Draws the header (when `showHeader`) and the visible rows into `rect`; returns the scroll offset used.
    @discardableResult
    public static func draw(into grid: inout Grid, rect: Rect, columns: [TableColumn], rows: [[TableCell]],
                            selected: Int?, scrollOffset: Int, glyphs: Glyphs, showHeader: Bool = true,
                            highlightSelection: Bool = true) -> Int {
        guard !rect.isEmpty else { return 0 }
        let widths = layout(columns, width: rect.width)
        var y = rect.y
        if showHeader {
            drawRow(into: &grid, x: rect.x, y: y, columns: columns, widths: widths,
                    cells: columns.map { TableCell($0.title, .header) }, glyphs: glyphs)
            y += 1
        }
        let visible = rect.maxY - y
        let offset = Table.scrollOffset(selected: selected, offset: scrollOffset, visibleRows: visible, count: rows.count)
        for (i, row) in rows.dropFirst(offset).prefix(max(0, visible)).enumerated() {
            let index = offset + i
            drawRow(into: &grid, x: rect.x, y: y + i, columns: columns, widths: widths, cells: row, glyphs: glyphs)
            if highlightSelection, index == selected {
                grid.setRole(.selected, in: Rect(x: rect.x, y: y + i, width: rect.width, height: 1))
            }
        }
        return offset
    }

    private static func drawRow(into grid: inout Grid, x: Int, y: Int, columns: [TableColumn], widths: [Int?],
                                cells: [TableCell], glyphs: Glyphs) {
        var column = x
        for (i, width) in widths.enumerated() {
            guard let width else { continue }
            let cell = i < cells.count ? cells[i] : TableCell("")
            let text = DisplayWidth.pad(cell.text, to: width, right: columns[i].alignRight, ellipsis: glyphs.ellipsis)
            grid.put(text, at: column, y, role: cell.role)
            if let roles = cell.columnRoles {
                for (offset, role) in roles.prefix(width).enumerated() {
                    grid.setRole(role, in: Rect(x: column + offset, y: y, width: 1, height: 1))
                }
            }
            column += width + 1
        }
    }
}
