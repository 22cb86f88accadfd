import Foundation

/// Reads `.env` files the way python-dotenv (and so pydantic-settings) does for the common cases.
///
/// Supported: `KEY=VALUE`, `export KEY=VALUE`, blank lines, `#` comment lines, inline
/// ` # comments` after unquoted values, `'single'` quotes (literal) and `"double"` quotes
/// (with `\n`, `\t`, `\"`, `\\` escapes), CRLF line endings and a leading BOM.
/// Lines that are not assignments are skipped. Multi-line quoted values are not supported:
/// an unclosed quote takes the rest of its line. Later assignments win.
public enum DotEnv {
    // MARK: - Parsing

    /// Parses the text of a `.env` file into KEY → VALUE.
    public static func parse(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        for rawLine in body.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            var line = Substring(rawLine.trimmingCharacters(in: .whitespaces))
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export "), line.dropFirst(7).contains("=") {
                line = Substring(line.dropFirst(7).trimmingCharacters(in: .whitespaces))
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard isValidKey(key) else { continue }
            out[key] = value(line[line.index(after: equals)...].drop { $0 == " " || $0 == "\t" })
        }
        return out
    }

    /// Reads and parses a file; nil when it does not exist or cannot be read.
    public static func load(contentsOf url: URL) -> [String: String]? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return parse(String(decoding: data, as: UTF8.self))
    }

    // MARK: - Pieces

    private static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || $0 == "." || $0 == "-" || ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) }
    }

    private static func value(_ raw: Substring) -> String {
        if raw.hasPrefix("'") {
            let rest = raw.dropFirst()
            if let close = rest.firstIndex(of: "'") { return String(rest[..<close]) }
            return String(rest).trimmingCharacters(in: .whitespaces)
        }
        if raw.hasPrefix("\"") {
            var out = ""
            var escaping = false
            for character in raw.dropFirst() {
                if escaping {
                    switch character {
                    case "n": out += "\n"
                    case "t": out += "\t"
                    case "r": out += "\r"
                    case "\"": out += "\""
                    case "\\": out += "\\"
                    case "'": out += "'"
                    default: out += "\\" + String(character)
                    }
                    escaping = false
                } else if character == "\\" {
                    escaping = true
                } else if character == "\"" {
                    return out
                } else {
                    out.append(character)
                }
            }
            return out.trimmingCharacters(in: .whitespaces)
        }
        // Unquoted: an inline comment starts at whitespace followed by `#`.
        var text = raw
        if let hash = text.indices.first(where: { index in
            text[index] == "#" && index > text.startIndex && (text[text.index(before: index)] == " " || text[text.index(before: index)] == "\t")
        }) {
            text = text[..<hash]
        }
        return text.trimmingCharacters(in: .whitespaces)
    }
}
