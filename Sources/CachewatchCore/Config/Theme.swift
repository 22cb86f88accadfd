import Foundation

/// A terminal colour: the terminal's default, or a palette index 0–255 (0–7 are the basic eight).
public enum ThemeColor: Equatable, Sendable, CustomStringConvertible {
    case terminalDefault
    case index(Int)

    /// The eight basic colour names, in palette order.
    public static let basicNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Parses `"default"`, a basic name, `"bright-<name>"` (8–15) or an integer 0–255.
    public static func parse(_ value: TOMLValue) -> ThemeColor? {
        switch value {
        case .integer(let n): return (0...255).contains(n) ? .index(n) : nil
        case .string(let name):
            let lower = name.lowercased()
            if lower == "default" || lower == "none" { return .terminalDefault }
            if let i = basicNames.firstIndex(of: lower) { return .index(i) }
            if lower.hasPrefix("bright-"), let i = basicNames.firstIndex(of: String(lower.dropFirst(7))) { return .index(i + 8) }
            return nil
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .terminalDefault: return "default"
        case .index(let n): return n < 8 ? ThemeColor.basicNames[n] : String(n)
        }
    }

    /// The nearest colour a terminal with `colorCount` colours can show (≥ 8 assumed).
    public func degraded(toColorCount colorCount: Int) -> ThemeColor {
        guard case .index(let n) = self, n >= colorCount else { return self }
        if n < 16 { return .index(n - 8) }
        let (r, g, b) = ThemeColor.rgb(ofIndex: n)
        let high = max(r, g, b)
        let low = min(r, g, b)
        // Greys keep their text readable: white unless nearly black.
        if high - low < 40 { return .index(high >= 40 ? 7 : 0) }
        // Otherwise keep the hue: a channel counts when it is near the brightest one.
        let threshold = Double(high) * 0.75
        let bits = (Double(r) >= threshold ? 1 : 0) | (Double(g) >= threshold ? 2 : 0) | (Double(b) >= threshold ? 4 : 0)
        return .index(bits)
    }

    /// The xterm RGB of a palette index 16–255.
    static func rgb(ofIndex n: Int) -> (Int, Int, Int) {
        if n >= 232 { let v = 8 + (n - 232) * 10; return (v, v, v) }
        let cube = n - 16
        let steps = [0, 95, 135, 175, 215, 255]
        return (steps[cube / 36], steps[(cube / 6) % 6], steps[cube % 6])
    }
}

/// How one style role is drawn: colours and attributes.
public struct ThemeStyle: Equatable, Sendable {
    public var foreground: ThemeColor
    public var background: ThemeColor
    public var bold: Bool
    public var reverse: Bool
    public var underline: Bool
    public var dim: Bool

    public init(foreground: ThemeColor = .terminalDefault, background: ThemeColor = .terminalDefault,
                bold: Bool = false, reverse: Bool = false, underline: Bool = false, dim: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
        self.dim = dim
    }
}

/// Why a theme could not be chosen (parse errors are `TOMLError`s: `file:line: reason`).
public struct ThemeError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Style role name → colours and attributes, loaded from `themes/*.toml`.
public struct Theme: Equatable, Sendable {
    // MARK: - Contents

    /// Every role a theme maps; the UI's `StyleRole` raw values are exactly these.
    public static let roleNames = [
        "normal", "muted", "accent", "title", "border", "border_focused", "ok", "warn", "crit",
        "bar", "bar_empty", "selected", "banner", "header", "key", "value",
    ]
    /// The attribute words accepted in `attrs = [...]`.
    public static let attributeNames = ["bold", "reverse", "underline", "dim"]

    public var name: String
    /// The colours the theme was written for (256 or 8; 0 for attributes only).
    public var colors: Int
    /// Role name → style; every name of `roleNames` is present.
    public var styles: [String: ThemeStyle]

    public init(name: String, colors: Int, styles: [String: ThemeStyle]) {
        self.name = name
        self.colors = colors
        self.styles = styles
    }

    /// The style of a role (the `normal` style for an unknown name).
    public func style(for role: String) -> ThemeStyle {
        styles[role] ?? styles["normal"] ?? ThemeStyle()
    }

    // MARK: - Parsing

    /// Parses theme TOML: top-level `name`, `colors`; one `[role]` section per role with `fg`, `bg`, `attrs`.
    /// Roles a file leaves out inherit `normal`.
    public static func parse(_ text: String, file: String) throws -> Theme {
        let document = try TOMLParser.parse(text, file: file)
        var name = (file as NSString).lastPathComponent
        if name.hasSuffix(".toml") { name = String(name.dropLast(5)) }
        var colors = 256
        for entry in document.entries(in: "") {
            switch (entry.key, entry.value) {
            case ("name", .string(let s)): name = s
            case ("description", .string): break
            case ("colors", .integer(let n)) where [0, 8, 16, 256].contains(n): colors = n
            case ("colors", _): throw document.error(line: entry.line, "colors must be 0, 8, 16 or 256")
            case ("name", _), ("description", _):
                throw document.error(line: entry.line, "\(entry.key) must be a string, not \(entry.value.typeName)")
            default: throw document.error(line: entry.line, "unknown key '\(entry.key)' (expected name, description, colors)")
            }
        }
        var styles: [String: ThemeStyle] = [:]
        for section in document.sections {
            guard roleNames.contains(section.name), section.index == nil else {
                throw document.error(line: section.line, "unknown role [\(section.name)] (roles: \(roleNames.joined(separator: ", ")))")
            }
            var style = ThemeStyle()
            for entry in document.entries(in: section.name) {
                switch entry.key {
                case "fg", "bg":
                    guard let color = ThemeColor.parse(entry.value) else {
                        throw document.error(line: entry.line, "\(entry.key) must be \"default\", a colour name (\(ThemeColor.basicNames.joined(separator: ", ")), bright-…) or 0–255")
                    }
                    if case .index(let n) = color, n >= max(colors, 8), colors > 0 {
                        throw document.error(line: entry.line, "colour \(n) is outside this theme's \(colors) colours")
                    }
                    if entry.key == "fg" { style.foreground = color } else { style.background = color }
                case "attrs":
                    guard case .array(let items) = entry.value else {
                        throw document.error(line: entry.line, "attrs must be an array such as [\"bold\"]")
                    }
                    for item in items {
                        guard case .string(let word) = item, attributeNames.contains(word) else {
                            throw document.error(line: entry.line, "unknown attribute in attrs (allowed: \(attributeNames.joined(separator: ", ")))")
                        }
                        switch word {
                        case "bold": style.bold = true
                        case "reverse": style.reverse = true
                        case "underline": style.underline = true
                        default: style.dim = true
                        }
                    }
                default:
                    throw document.error(line: entry.line, "unknown key '\(entry.key)' in [\(section.name)] (expected fg, bg, attrs)")
                }
            }
            styles[section.name] = style
        }
        let normal = styles["normal"] ?? ThemeStyle()
        for role in roleNames where styles[role] == nil { styles[role] = normal }
        return Theme(name: name, colors: colors, styles: styles)
    }

    /// Loads a theme file.
    public static func load(path: String) throws -> Theme {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ThemeError("cannot read theme file \(path).")
        }
        return try parse(try TOMLText.decode(data, file: path), file: path)
    }

    /// Names of the themes built into the binary (the same text as `themes/*.toml`).
    public static var builtinNames: [String] { ThemeBuiltins.sources.keys.sorted() }

    /// Finds a theme by name (in `searchDirectories`, then built in) or by path (contains `/` or ends in `.toml`).
    public static func named(_ nameOrPath: String, searchDirectories: [String] = []) throws -> Theme {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".toml") { return try load(path: nameOrPath) }
        for directory in searchDirectories {
            let path = (directory as NSString).appendingPathComponent(nameOrPath + ".toml")
            if FileManager.default.fileExists(atPath: path) { return try load(path: path) }
        }
        if let text = ThemeBuiltins.sources[nameOrPath] {
            return try parse(text, file: "themes/\(nameOrPath).toml")
        }
        throw ThemeError("unknown theme '\(nameOrPath)' (built in: \(builtinNames.joined(separator: ", ")); or give a path to a .toml file).")
    }

    /// The theme to use: `NO_COLOR` (any non-empty value) or fewer than 8 colours → monochrome; otherwise the
    /// named theme with colours the terminal cannot show mapped to the nearest of the basic eight.
    public static func resolve(nameOrPath: String, colorCount: Int, environment: [String: String] = ProcessInfo.processInfo.environment,
                               searchDirectories: [String] = []) throws -> Theme {
        let chosen = try named(nameOrPath, searchDirectories: searchDirectories)
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return try named("monochrome") }
        if colorCount < 8 { return chosen.colors == 0 ? chosen : try named("monochrome") }
        return chosen.degraded(toColorCount: colorCount)
    }

    /// This theme with every colour index ≥ `colorCount` replaced by its nearest basic colour.
    public func degraded(toColorCount colorCount: Int) -> Theme {
        guard colorCount < 256 else { return self }
        var copy = self
        for (role, style) in styles {
            var s = style
            s.foreground = s.foreground.degraded(toColorCount: colorCount)
            s.background = s.background.degraded(toColorCount: colorCount)
            copy.styles[role] = s
        }
        copy.colors = min(colors, colorCount)
        return copy
    }
}
