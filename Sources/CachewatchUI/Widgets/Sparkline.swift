/// A one-row chart of a series: each column one block level (▁…█), newest on the right.
public enum Sparkline {
    /// How several samples that share a column are combined.
    public enum Reduction: Sendable {
        case mean
        case max
    }

    /// Downsamples `values` to at most `width` columns (oldest first); shorter series stay as they are.
    public static func resample(_ values: [Double], width: Int, reduction: Reduction = .mean) -> [Double] {
        guard width > 0, !values.isEmpty else { return [] }
        guard values.count > width else { return values }
        var out: [Double] = []
        out.reserveCapacity(width)
        for column in 0..<width {
            let start = column * values.count / width
            let end = max(start + 1, (column + 1) * values.count / width)
            let slice = values[start..<end]
            switch reduction {
            case .mean: out.append(slice.reduce(0, +) / Double(slice.count))
            case .max: out.append(slice.max() ?? 0)
            }
        }
        return out
    }

    /// Levels 0…8 for values scaled against `maxValue` (default: the series maximum). 0 only for values ≤ 0;
    /// any positive value gets at least level 1 so a single event stays visible.
    /// With `minValue`, the scale runs from it (level 1) to the top, to show small changes of a high value (hit ratio).
    public static func levels(_ values: [Double], maxValue: Double? = nil, minValue: Double? = nil) -> [Int] {
        let top = maxValue ?? values.max() ?? 0
        if let floor = minValue, top > floor {
            return values.map { value in
                guard value.isFinite, value > 0 else { return 0 }
                return min(8, max(1, 1 + Humanize.clampedInt(((value - floor) / (top - floor) * 7).rounded())))
            }
        }
        return values.map { value in
            guard value.isFinite, value > 0, top > 0 else { return 0 }
            return min(8, max(1, Humanize.clampedInt((value / top * 8).rounded(.up))))
        }
    }

    /// Draws the series right-aligned in `width` columns at (x, y). Zero columns draw a muted baseline.
    /// `roleFor` colours each column by its (resampled) value.
    public static func draw(into grid: inout Grid, values: [Double], x: Int, y: Int, width: Int, glyphs: Glyphs,
                            maxValue: Double? = nil, minValue: Double? = nil, reduction: Reduction = .mean,
                            roleFor: (Double) -> StyleRole = { _ in .bar }) {
        guard width > 0 else { return }
        let sampled = resample(values, width: width, reduction: reduction)
        let levels = levels(sampled, maxValue: maxValue, minValue: minValue)
        let start = x + width - sampled.count
        for (i, level) in levels.enumerated() {
            if level == 0 {
                grid.put(glyphs.sparkLevels[1], at: start + i, y, role: .barEmpty)
            } else {
                grid.put(glyphs.sparkLevels[level], at: start + i, y, role: roleFor(sampled[i]))
            }
        }
    }
}
