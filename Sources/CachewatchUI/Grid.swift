/// A rectangle of cells: position and size in columns/rows.
public struct Rect: Equatable, Sendable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// The rectangle shrunk by `by` on every side.
    public func inset(_ by: Int) -> Rect { Rect(x: x + by, y: y + by, width: width - 2 * by, height: height - 2 * by) }
}

/// The terminal size in columns and rows.
public struct TerminalSize: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}

/// An in-memory screen: width × height cells with text and style roles. Pure and cheap to compare.
public struct Grid: Equatable, Sendable {
    // MARK: - Storage

    public let width: Int
    public let height: Int
    /// Row-major cells.
    public private(set) var cells: [Cell]

    /// A blank grid (negative sizes become 0).
    public init(width: Int, height: Int, role: StyleRole = .normal) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank(role), count: self.width * self.height)
    }

    /// The cell at (x, y); nil outside the grid.
    public subscript(x: Int, y: Int) -> Cell? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        return cells[y * width + x]
    }

    /// One row's cells.
    public func row(_ y: Int) -> ArraySlice<Cell> {
        guard y >= 0, y < height else { return [] }
        return cells[(y * width)..<(y * width + width)]
    }

    // MARK: - Drawing

    /// Writes text from (x, y) with one role; clips at the edges, never splits a wide character, replaces control
    /// characters with `?` (defence in depth), attaches stray combining marks to the previous cell.
    /// Returns the column after the last one written (x + display width, even when clipped).
    @discardableResult
    public mutating func put(_ text: String, at x: Int, _ y: Int, role: StyleRole = .normal) -> Int {
        var column = x
        guard y >= 0, y < height else { return x + DisplayWidth.of(text) }
        for character in text {
            var glyph = String(character)
            var w = DisplayWidth.of(character)
            if character.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) }) {
                glyph = "?"
                w = 1
            }
            if w == 0 {
                // A lone combining mark: attach it to the cell before, if that cell is ours to change.
                let previous = column - 1
                if previous >= 0, previous < width, previous >= x {
                    var base = previous
                    if cells[y * width + base].isContinuation, base > 0 { base -= 1 }
                    cells[y * width + base].text += glyph
                }
                continue
            }
            defer { column += w }
            if column + w <= 0 { continue }
            if column >= width { continue }
            if column < 0 || column + w > width {
                // Half of a wide character would fall outside: draw blanks instead of splitting it.
                for c in max(0, column)..<min(width, column + w) { setCell(Cell.blank(role), x: c, y: y) }
                continue
            }
            setCell(Cell(text: glyph, width: w, role: role), x: column, y: y)
            if w == 2 { setCell(Cell(text: "", width: 0, role: role), x: column + 1, y: y) }
        }
        return column
    }

    /// Writes text clipped to `maxWidth` columns (with an ellipsis when cut).
    @discardableResult
    public mutating func put(_ text: String, at x: Int, _ y: Int, maxWidth: Int, role: StyleRole = .normal, ellipsis: String = "…") -> Int {
        guard maxWidth > 0 else { return x }
        return put(DisplayWidth.truncate(text, to: maxWidth, ellipsis: ellipsis), at: x, y, role: role)
    }

    /// Fills a rectangle with one character (width 1) and role.
    public mutating func fill(_ rect: Rect, with character: String = " ", role: StyleRole = .normal) {
        guard let (xs, ys) = clipped(rect) else { return }
        for y in ys {
            for x in xs {
                setCell(Cell(text: character, width: 1, role: role), x: x, y: y)
            }
        }
    }

    /// Changes the role of every cell in a rectangle, keeping the text.
    public mutating func setRole(_ role: StyleRole, in rect: Rect) {
        guard let (xs, ys) = clipped(rect) else { return }
        for y in ys {
            for x in xs {
                cells[y * width + x].role = role
            }
        }
    }

    /// The column and row ranges of a rectangle inside the grid; nil when nothing is inside.
    private func clipped(_ rect: Rect) -> (Range<Int>, Range<Int>)? {
        let x0 = max(0, rect.x), x1 = min(width, rect.maxX), y0 = max(0, rect.y), y1 = min(height, rect.maxY)
        guard x0 < x1, y0 < y1 else { return nil }
        return (x0..<x1, y0..<y1)
    }

    /// Replaces one cell, blanking the other half of any wide character it overlaps.
    private mutating func setCell(_ cell: Cell, x: Int, y: Int) {
        let index = y * width + x
        let old = cells[index]
        if old.width == 2, x + 1 < width, cell.width != 2 { cells[index + 1] = .blank(old.role) }
        if old.isContinuation, x > 0 { cells[index - 1] = .blank(cells[index - 1].role) }
        if cell.width == 2, x + 1 < width, cells[index + 1].width == 2, x + 2 < width { cells[index + 2] = .blank(cells[index + 2].role) }
        cells[index] = cell
    }

    // MARK: - Golden output

    /// The text of every row joined by `\n` (continuation cells add nothing; trailing spaces kept).
    public func text() -> String {
        (0..<height).map { rowText($0) }.joined(separator: "\n")
    }

    /// The text of one row.
    public func rowText(_ y: Int) -> String {
        var out = ""
        for cell in row(y) where !cell.isContinuation { out += cell.text }
        return out
    }

    /// One role letter per cell (see `StyleRole.letter`), rows joined by `\n`.
    public func roles() -> String {
        (0..<height).map { y in String(row(y).map(\.role.letter)) }.joined(separator: "\n")
    }
}
