/// A value of the TOML subset cachewatch reads (themes, config).
public enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    case float(Double)
    case bool(Bool)
    case array([TOMLValue])

    /// A short type name for error messages.
    public var typeName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a float"
        case .bool: return "a boolean"
        case .array: return "an array"
        }
    }
}

/// One `key = value` line, with the section it sits in and its line number.
public struct TOMLEntry: Equatable, Sendable {
    /// The enclosing `[section]` (dotted names kept as written, e.g. `a.b`); "" before the first header.
    public var section: String
    public var key: String
    public var value: TOMLValue
    /// 1-based line of the key.
    public var line: Int
}

/// A parse or validation error, printed as `file:line: reason`.
public struct TOMLError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var reason: String

    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String { "\(file):\(line): \(reason)" }
}

/// A parsed TOML-subset document: sections and their entries in file order.
public struct TOMLDocument: Equatable, Sendable {
    /// The file name used in error messages.
    public var file: String
    /// Every entry, in file order.
    public var entries: [TOMLEntry]
    /// Section headers in file order, with their lines.
    public var sections: [(name: String, line: Int)]

    /// The entry for `key` in `section` ("" for top-level keys).
    public func entry(_ key: String, in section: String = "") -> TOMLEntry? {
        entries.first { $0.section == section && $0.key == key }
    }

    /// Entries of one section, in file order.
    public func entries(in section: String) -> [TOMLEntry] {
        entries.filter { $0.section == section }
    }

    /// An error located at `line` of this document.
    public func error(line: Int, _ reason: String) -> TOMLError {
        TOMLError(file: file, line: line, reason: reason)
    }

    public static func == (lhs: TOMLDocument, rhs: TOMLDocument) -> Bool {
        lhs.file == rhs.file && lhs.entries == rhs.entries
            && lhs.sections.map(\.name) == rhs.sections.map(\.name) && lhs.sections.map(\.line) == rhs.sections.map(\.line)
    }
}

/// Parses the TOML subset: `[section]`, `key = "string" | 'literal' | int | float | bool | [ … ]`, `#` comments.
///
/// Not supported (reported as errors, never silently misread): inline tables, arrays of tables,
/// multi-line strings, dates.
public enum TOMLParser {
    /// Parses `text`; errors name `file` and the 1-based line.
    public static func parse(_ text: String, file: String) throws -> TOMLDocument {
        var scanner = Scanner(scalars: Array(text.unicodeScalars), file: file)
        var document = TOMLDocument(file: file, entries: [], sections: [])
        var section = ""
        var seenSections: Set<String> = []
        var seenKeys: Set<String> = []
        while true {
            scanner.skipBlankAndComments()
            guard let scalar = scanner.peek() else { break }
            let line = scanner.line
            if scalar == "[" {
                scanner.advance()
                if scanner.peek() == "[" { throw scanner.error("arrays of tables ([[…]]) are not supported") }
                scanner.skipSpaces()
                var parts: [String] = []
                while true {
                    parts.append(try scanner.key())
                    scanner.skipSpaces()
                    if scanner.peek() == "." { scanner.advance(); scanner.skipSpaces(); continue }
                    break
                }
                guard scanner.peek() == "]" else { throw scanner.error("expected ']' to close the section header") }
                scanner.advance()
                try scanner.expectEndOfLine()
                section = parts.joined(separator: ".")
                guard !seenSections.contains(section) else {
                    throw TOMLError(file: file, line: line, reason: "section [\(section)] is defined twice")
                }
                seenSections.insert(section)
                document.sections.append((section, line))
                continue
            }
            let key = try scanner.key()
            scanner.skipSpaces()
            guard scanner.peek() == "=" else { throw scanner.error("expected '=' after key '\(key)'") }
            scanner.advance()
            scanner.skipSpaces()
            let value = try scanner.value()
            try scanner.expectEndOfLine()
            let fullKey = section + "\u{0}" + key
            guard !seenKeys.contains(fullKey) else {
                throw TOMLError(file: file, line: line, reason: "key '\(key)' is defined twice")
            }
            seenKeys.insert(fullKey)
            document.entries.append(TOMLEntry(section: section, key: key, value: value, line: line))
        }
        return document
    }

    // MARK: - Scanner

    private struct Scanner {
        let scalars: [Unicode.Scalar]
        let file: String
        var index = 0
        var line = 1

        init(scalars: [Unicode.Scalar], file: String) {
            self.scalars = scalars
            self.file = file
        }

        func peek() -> Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

        mutating func advance() {
            if index < scalars.count {
                if scalars[index] == "\n" { line += 1 }
                index += 1
            }
        }

        func error(_ reason: String) -> TOMLError { TOMLError(file: file, line: line, reason: reason) }

        mutating func skipSpaces() {
            while let s = peek(), s == " " || s == "\t" { advance() }
        }

        mutating func skipComment() {
            if peek() == "#" { while let s = peek(), s != "\n" { advance() } }
        }

        /// Skips whitespace, newlines and comments (also inside arrays).
        mutating func skipBlankAndComments() {
            while let s = peek() {
                if s == " " || s == "\t" || s == "\n" || s == "\r" { advance() } else if s == "#" { skipComment() } else { break }
            }
        }

        mutating func expectEndOfLine() throws {
            skipSpaces()
            skipComment()
            if peek() == "\r" { advance() }
            guard let s = peek() else { return }
            guard s == "\n" else { throw error("unexpected '\(Character(s))' after the value") }
            advance()
        }

        mutating func key() throws -> String {
            if peek() == "\"" { return try basicString() }
            if peek() == "'" { return try literalString() }
            var out = ""
            while let s = peek(), s.properties.isASCIIHexDigit || ("a"..."z").contains(s) || ("A"..."Z").contains(s)
                || s == "_" || s == "-" {
                out.unicodeScalars.append(s)
                advance()
            }
            guard !out.isEmpty else {
                if let s = peek(), s != "\n" { throw error("expected a key, found '\(Character(s))'") }
                throw error("expected a key")
            }
            return out
        }

        mutating func value() throws -> TOMLValue {
            guard let s = peek(), s != "\n", s != "#" else { throw error("missing value after '='") }
            switch s {
            case "\"":
                if lookahead("\"\"\"") { throw error("multi-line strings are not supported") }
                return .string(try basicString())
            case "'": return .string(try literalString())
            case "[": return try array()
            case "{": throw error("inline tables are not supported")
            default: return try bareValue()
            }
        }

        func lookahead(_ text: String) -> Bool {
            let wanted = Array(text.unicodeScalars)
            guard index + wanted.count <= scalars.count else { return false }
            return Array(scalars[index..<index + wanted.count]) == wanted
        }

        mutating func array() throws -> TOMLValue {
            let startLine = line
            advance() // [
            var items: [TOMLValue] = []
            while true {
                skipBlankAndComments()
                guard let s = peek() else {
                    throw TOMLError(file: file, line: startLine, reason: "unterminated array (missing ']')")
                }
                if s == "]" { advance(); return .array(items) }
                items.append(try value())
                skipBlankAndComments()
                if peek() == "," { advance(); continue }
                if peek() == "]" { advance(); return .array(items) }
                if peek() == nil { throw TOMLError(file: file, line: startLine, reason: "unterminated array (missing ']')") }
                throw error("expected ',' or ']' in array")
            }
        }

        mutating func basicString() throws -> String {
            advance() // "
            var out = ""
            while true {
                guard let s = peek(), s != "\n" else { throw error("unterminated string (missing closing '\"')") }
                advance()
                if s == "\"" { return out }
                if s == "\\" {
                    guard let e = peek() else { throw error("unterminated string (missing closing '\"')") }
                    advance()
                    switch e {
                    case "n": out += "\n"
                    case "t": out += "\t"
                    case "r": out += "\r"
                    case "\\": out += "\\"
                    case "\"": out += "\""
                    case "u", "U":
                        let length = e == "u" ? 4 : 8
                        var hex = ""
                        for _ in 0..<length {
                            guard let h = peek(), h.properties.isASCIIHexDigit else { throw error("bad \\\(e) escape in string") }
                            hex.unicodeScalars.append(h)
                            advance()
                        }
                        guard let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) else {
                            throw error("bad \\\(e) escape in string")
                        }
                        out.unicodeScalars.append(scalar)
                    default: throw error("unknown escape '\\\(Character(e))' in string")
                    }
                    continue
                }
                if s.value < 0x20 && s != "\t" { throw error("control character in string") }
                out.unicodeScalars.append(s)
            }
        }

        mutating func literalString() throws -> String {
            advance() // '
            var out = ""
            while true {
                guard let s = peek(), s != "\n" else { throw error("unterminated string (missing closing \"'\")") }
                advance()
                if s == "'" { return out }
                out.unicodeScalars.append(s)
            }
        }

        mutating func bareValue() throws -> TOMLValue {
            var word = ""
            while let s = peek(), !(s == " " || s == "\t" || s == "\n" || s == "\r" || s == "," || s == "]" || s == "#") {
                word.unicodeScalars.append(s)
                advance()
            }
            if word == "true" { return .bool(true) }
            if word == "false" { return .bool(false) }
            let digits = String(word.filter { $0 != "_" })
            if !digits.isEmpty, digits.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || $0 == "+" || $0 == "-" }),
               let integer = Int(digits.hasPrefix("+") ? String(digits.dropFirst()) : digits) {
                return .integer(integer)
            }
            if digits.unicodeScalars.contains(where: { ("0"..."9").contains($0) }),
               digits.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || "+-.eE".unicodeScalars.contains($0) }),
               let float = Double(digits) {
                return .float(float)
            }
            if word == "inf" || word == "+inf" { return .float(.infinity) }
            if word == "-inf" { return .float(-.infinity) }
            if word == "nan" { return .float(.nan) }
            throw error("invalid value '\(word)' (strings need quotes)")
        }
    }
}
