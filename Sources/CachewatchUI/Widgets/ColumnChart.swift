/// A multi-row column chart (eighth-block resolution) with optional horizontal threshold lines.
public enum ColumnChart {
    /// A horizontal line drawn across empty cells at `value`.
    public struct Threshold: Sendable {
        public var value: Double
        public var role: StyleRole
        public init(value: Double, role: StyleRole) {
            self.value = value
            self.role = role
        }
    }

    /// The row (0 = bottom) whose band holds `value` on a scale of `top` over `rows` rows.
    public static func thresholdRow(value: Double, top: Double, rows: Int) -> Int {
        guard top > 0, rows > 0 else { return 0 }
        return min(rows - 1, max(0, Humanize.clampedInt((value / top * Double(rows)).rounded(.up)) - 1))
    }

    /// Draws `values` (oldest first, right-aligned, one column each after resampling) into `rect`.
    /// The scale is `maxValue` or the largest of the values and thresholds (×1.1 headroom for thresholds).
    public static func draw(into grid: inout Grid, values: [Double], rect: Rect, glyphs: Glyphs,
                            thresholds: [Threshold] = [], maxValue: Double? = nil,
                            reduction: Sparkline.Reduction = .max, roleFor: (Double) -> StyleRole = { _ in .bar },
                            markers: [Int: StyleRole] = [:]) {
        guard !rect.isEmpty else { return }
        let sampled = Sparkline.resample(values, width: rect.width, reduction: reduction)
        let top = maxValue ?? max(sampled.max() ?? 0, (thresholds.map(\.value).max() ?? 0) * 1.1, 1)
        let rows = rect.height
        let totalEighths = rows * 8
        // Threshold rows (from the bottom, 0-based) where a line is drawn.
        var lineRows: [Int: StyleRole] = [:]
        for threshold in thresholds.sorted(by: { $0.value < $1.value }) where threshold.value > 0 && threshold.value <= top {
            let row = thresholdRow(value: threshold.value, top: top, rows: rows)
            // A line in the bottom row would look like the baseline: only draw lines above it.
            if row >= 1 { lineRows[row] = threshold.role }
        }
        let offset = rect.width - sampled.count
        for column in 0..<rect.width {
            let index = column - offset
            let value = index >= 0 && sampled[index].isFinite ? sampled[index] : 0
            var eighths = value > 0 ? max(1, Humanize.clampedInt((value / top * Double(totalEighths)).rounded(.up))) : 0
            eighths = min(eighths, totalEighths)
            let role = index >= 0 ? (markers[index] ?? roleFor(value)) : .barEmpty
            for row in 0..<rows {
                let y = rect.maxY - 1 - row
                let filled = eighths - row * 8
                if filled >= 8 {
                    grid.put(glyphs.sparkLevels[8], at: rect.x + column, y, role: role)
                } else if filled > 0 {
                    grid.put(glyphs.sparkLevels[filled], at: rect.x + column, y, role: role)
                } else if let lineRole = lineRows[row] {
                    grid.put(glyphs.thresholdLine, at: rect.x + column, y, role: lineRole)
                } else if row == 0 && index >= 0 {
                    grid.put(glyphs.sparkLevels[1], at: rect.x + column, y, role: .barEmpty)
                }
            }
        }
    }
}
