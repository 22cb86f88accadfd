/// Horizontal bars with a label and a value per row: TTL histograms, top errors.
public enum Histogram {
    /// One bar.
    public struct Row: Sendable {
        public var label: String
        public var value: Double
        public var valueText: String
        public var role: StyleRole
        public init(label: String, value: Double, valueText: String, role: StyleRole = .bar) {
            self.label = label
            self.value = value
            self.valueText = valueText
            self.role = role
        }
    }

    /// Draws one row per line in `rect`: label (right-aligned to the widest), bar, value. Bars scale to the largest value.
    public static func draw(into grid: inout Grid, rows: [Row], rect: Rect, glyphs: Glyphs) {
        guard !rect.isEmpty, !rows.isEmpty else { return }
        let labelWidth = min(rect.width / 3, rows.map { DisplayWidth.of($0.label) }.max() ?? 0)
        let valueWidth = min(rect.width / 3, rows.map { DisplayWidth.of($0.valueText) }.max() ?? 0)
        let barWidth = max(0, rect.width - labelWidth - valueWidth - 2)
        let top = rows.map(\.value).max() ?? 0
        for (i, row) in rows.prefix(rect.height).enumerated() {
            let y = rect.y + i
            grid.put(DisplayWidth.pad(row.label, to: labelWidth, right: true, ellipsis: glyphs.ellipsis), at: rect.x, y, role: .muted)
            let fraction = top > 0 ? row.value / top : 0
            if row.value > 0 {
                let eighths = min(barWidth * 8, max(1, Humanize.clampedInt((fraction * Double(barWidth * 8)).rounded())))
                let full = eighths / 8
                for c in 0..<full { grid.put(glyphs.barFull, at: rect.x + labelWidth + 1 + c, y, role: row.role) }
                if eighths % 8 > 0 {
                    let partial = glyphs.barEighths.isEmpty ? glyphs.barFull : glyphs.barEighths[eighths % 8 - 1]
                    grid.put(partial, at: rect.x + labelWidth + 1 + full, y, role: row.role)
                }
            } else if barWidth > 0, let tick = glyphs.barEighths.first {
                grid.put(tick, at: rect.x + labelWidth + 1, y, role: .barEmpty)
            }
            grid.put(DisplayWidth.pad(row.valueText, to: valueWidth, right: true), at: rect.maxX - valueWidth, y,
                     role: row.value > 0 ? .value : .muted)
        }
    }
}
