/// What a cell means; the theme turns roles into colours (the UI never names a colour).
public enum StyleRole: String, CaseIterable, Sendable {
    case normal
    case muted
    case accent
    case title
    case border
    case borderFocused = "border_focused"
    case ok
    case warn
    case crit
    case bar
    case barEmpty = "bar_empty"
    case selected
    case banner
    case header
    case key
    case value

    /// One letter per role for golden role maps (`Grid.roles()`).
    public var letter: Character {
        switch self {
        case .normal: return "."
        case .muted: return "m"
        case .accent: return "a"
        case .title: return "t"
        case .border: return "|"
        case .borderFocused: return "#"
        case .ok: return "o"
        case .warn: return "w"
        case .crit: return "c"
        case .bar: return "="
        case .barEmpty: return "-"
        case .selected: return "s"
        case .banner: return "!"
        case .header: return "h"
        case .key: return "k"
        case .value: return "v"
        }
    }
}
