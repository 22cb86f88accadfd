/// A cheap wcwidth in pure Swift: how many terminal columns text takes.
public enum DisplayWidth {
    /// Columns of one scalar: 0 for combining marks and format characters, 2 for East Asian wide/fullwidth and
    /// emoji presentation, 1 otherwise. Control characters count 1 (the grid draws them as `?`).
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x300 { return 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if (0x1160...0x11FF).contains(v) || v == 0x200B { return 0 }
        if isWide(v) || scalar.properties.isEmojiPresentation { return 2 }
        return 1
    }

    /// Columns of one grapheme cluster: the width of its first non-zero-width scalar, at most 2.
    public static func of(_ character: Character) -> Int {
        var width = 0
        for scalar in character.unicodeScalars {
            let w = of(scalar)
            if w > 0 { width = w; break }
        }
        if width == 1, character.unicodeScalars.contains(where: { $0.value == 0xFE0F }) { width = 2 }
        return width
    }

    /// Columns of a whole string.
    public static func of(_ text: String) -> Int {
        var total = 0
        for character in text { total += of(character) }
        return total
    }

    /// Text cut to at most `columns` display columns, ending in `ellipsis` when cut (never splits a wide character).
    public static func truncate(_ text: String, to columns: Int, ellipsis: String = "…") -> String {
        guard columns > 0 else { return "" }
        if of(text) <= columns { return text }
        let ellipsisWidth = of(ellipsis)
        guard columns > ellipsisWidth else { return String(repeating: ".", count: columns) }
        var out = ""
        var used = 0
        for character in text {
            let w = of(character)
            if used + w > columns - ellipsisWidth { break }
            out.append(character)
            used += w
        }
        return out + ellipsis
    }

    /// Text padded with spaces (or cut) to exactly `columns`; `right` aligns right.
    public static func pad(_ text: String, to columns: Int, right: Bool = false, ellipsis: String = "…") -> String {
        let cut = truncate(text, to: columns, ellipsis: ellipsis)
        let gap = String(repeating: " ", count: max(0, columns - of(cut)))
        return right ? gap + cut : cut + gap
    }

    // MARK: - Tables

    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF,
             0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
             0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x16FE0...0x16FE4, 0x17000...0x18AFF, 0x1B000...0x1B16F, 0x1F300...0x1F64F, 0x1F900...0x1F9FF,
             0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
