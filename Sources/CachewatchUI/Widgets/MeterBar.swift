/// A horizontal meter such as memory used / maxmemory, coloured by level.
public enum MeterBar {
    /// The role for a fraction against warn/crit fractions.
    public static func role(for fraction: Double, warn: Double, crit: Double) -> StyleRole {
        fraction >= crit ? .crit : (fraction >= warn ? .warn : .ok)
    }

    /// Draws a bar `width` columns wide filled to `fraction` (0…1) with eighth-cell precision where the glyphs allow.
    public static func draw(into grid: inout Grid, fraction: Double, x: Int, y: Int, width: Int, glyphs: Glyphs,
                            role: StyleRole = .bar) {
        guard width > 0 else { return }
        let f = fraction.isFinite ? min(1, max(0, fraction)) : 0
        let eighths = Int((f * Double(width * 8)).rounded())
        let full = eighths / 8
        let rest = eighths % 8
        for i in 0..<width {
            if i < full {
                grid.put(glyphs.barFull, at: x + i, y, role: role)
            } else if i == full, rest > 0, !glyphs.barEighths.isEmpty {
                grid.put(glyphs.barEighths[rest - 1], at: x + i, y, role: role)
            } else {
                grid.put(glyphs.barEmpty, at: x + i, y, role: .barEmpty)
            }
        }
    }
}
