/// The characters every widget draws with: Unicode (block sparklines, box drawing) or plain ASCII.
public struct Glyphs: Equatable, Sendable {
    /// Sparkline levels from empty to full (9 entries; index 0 is "nothing").
    public var sparkLevels: [String]
    /// Horizontal bar: full cell, empty cell, and left-partial eighths (1/8 … 7/8; empty when unsupported).
    public var barFull: String
    public var barEmpty: String
    public var barEighths: [String]
    public var horizontal: String
    public var vertical: String
    public var topLeft: String
    public var topRight: String
    public var bottomLeft: String
    public var bottomRight: String
    public var ellipsis: String
    public var bullet: String
    public var separator: String
    public var thresholdLine: String
    public var marker: String
    public var arrowUpDown: String
    public var enter: String
    /// True when the set is ASCII-only.
    public var isASCII: Bool

    /// Block sparklines, eighth bars and light box drawing.
    public static let unicode = Glyphs(
        sparkLevels: [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
        barFull: "█", barEmpty: "░", barEighths: ["▏", "▎", "▍", "▌", "▋", "▊", "▉"],
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        ellipsis: "…", bullet: "●", separator: "·", thresholdLine: "┄", marker: "▲", arrowUpDown: "↑↓", enter: "⏎",
        isASCII: false)

    /// Only printable ASCII (LANG=C, TERM=vt100).
    public static let ascii = Glyphs(
        sparkLevels: [" ", "_", ".", "-", "~", "=", "+", "*", "#"],
        barFull: "#", barEmpty: ".", barEighths: [],
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        ellipsis: "~", bullet: "*", separator: "|", thresholdLine: "-", marker: "^", arrowUpDown: "up/dn", enter: "enter",
        isASCII: true)

    /// The set for a flag: `unicode` when true, `ascii` otherwise.
    public static func choose(unicode: Bool) -> Glyphs { unicode ? .unicode : .ascii }
}
