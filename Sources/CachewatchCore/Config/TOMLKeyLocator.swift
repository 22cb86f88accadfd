/// Finds the line each key and table header of a valid TOML document was written on.
///
/// TOMLKit reports positions for syntax errors only; this light lexical pass over the same text
/// maps every key path (`["census", "scan_budget"]`, `["silence", "#1", "code"]`) to its line so a
/// valid file with a wrong value still gets `file:line: reason`. It is only run on text toml++
/// accepted, so it can skip values without validating them.
public struct TOMLKeyLocator: Sendable {
    private var lines: [String: Int] = [:]
    private var declared: Set<String> = []

    public init(text: String) {
        var scanner = Scanner(scalars: Array(text.unicodeScalars))
        var current: [String] = []
        var arrayCounts: [String: Int] = [:]
        while true {
            scanner.skipBlankAndComments()
            guard let scalar = scanner.peek() else { break }
            let line = scanner.line
            if scalar == "[" {
                scanner.advance()
                let isArray = scanner.peek() == "["
                if isArray { scanner.advance() }
                let path = scanner.keyPath()
                if isArray {
                    let joined = Self.join(path)
                    let position = arrayCounts[joined, default: 0]
                    arrayCounts[joined] = position + 1
                    current = path + ["#\(position)"]
                } else {
                    current = path
                }
                record(current, line: line, declared: true)
                scanner.skipToEndOfLine()
                continue
            }
            let path = scanner.keyPath()
            guard !path.isEmpty else { scanner.skipToEndOfLine(); continue }
            for length in 1...path.count {
                record(current + path.prefix(length), line: line, declared: true)
            }
            if scanner.peek() == "=" { scanner.advance() }
            scanner.skipValue()
            scanner.skipToEndOfLine()
        }
    }

    /// The line of `path`, or of its nearest recorded parent (keys inside inline tables get their table's line); 1 if none.
    public func line(of path: [String]) -> Int {
        var probe = path
        while !probe.isEmpty {
            if let line = lines[Self.join(probe)] { return line }
            probe.removeLast()
        }
        return 1
    }

    /// Whether `path` was written as a header or a key (not only implied by a longer header such as `[a.b]`).
    public func isDeclared(_ path: [String]) -> Bool { declared.contains(Self.join(path)) }

    private mutating func record(_ path: [String], line: Int, declared isDeclared: Bool) {
        let joined = Self.join(path)
        if lines[joined] == nil { lines[joined] = line }
        if isDeclared { declared.insert(joined) }
        // TOMLKit cuts a key at a `\u0000` (C strings): find it under that name too.
        if path.contains(where: { $0.contains("\u{0}") }) {
            let cut = path.map { String($0.prefix { $0 != "\u{0}" }) }
            record(cut, line: line, declared: isDeclared)
        }
    }

    private static func join(_ path: [String]) -> String { path.joined(separator: "\u{1F}") }

    // MARK: - Scanner

    private struct Scanner {
        let scalars: [Unicode.Scalar]
        var index = 0
        var line = 1

        init(scalars: [Unicode.Scalar]) {
            self.scalars = scalars
            if scalars.first == "\u{FEFF}" { index = 1 }
        }

        func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }

        mutating func advance() {
            guard index < scalars.count else { return }
            if scalars[index] == "\n" { line += 1 }
            index += 1
        }

        mutating func skipSpaces() {
            while let s = peek(), s == " " || s == "\t" { advance() }
        }

        mutating func skipBlankAndComments() {
            while let s = peek() {
                if s == " " || s == "\t" || s == "\n" || s == "\r" {
                    advance()
                } else if s == "#" {
                    while let c = peek(), c != "\n" { advance() }
                } else {
                    break
                }
            }
        }

        mutating func skipToEndOfLine() {
            while let s = peek(), s != "\n" { advance() }
        }

        /// `a."b.c".'d'` → ["a", "b.c", "d"]; stops at `=`, `]` or the end of the line.
        mutating func keyPath() -> [String] {
            var parts: [String] = []
            while true {
                skipSpaces()
                guard let s = peek(), s != "\n", s != "=", s != "]" else { break }
                if s == "\"" {
                    parts.append(basicString())
                } else if s == "'" {
                    parts.append(literalString())
                } else {
                    var bare = ""
                    while let c = peek(), c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "-" {
                        bare.unicodeScalars.append(c)
                        advance()
                    }
                    guard !bare.isEmpty else { break }
                    parts.append(bare)
                }
                skipSpaces()
                if peek() == "." { advance() } else { break }
            }
            skipSpaces()
            return parts
        }

        mutating func basicString() -> String {
            advance()
            var out = ""
            while let s = peek(), s != "\n" {
                advance()
                if s == "\"" { return out }
                guard s == "\\", let e = peek() else { out.unicodeScalars.append(s); continue }
                advance()
                switch e {
                case "n": out += "\n"
                case "t": out += "\t"
                case "r": out += "\r"
                case "b": out += "\u{8}"
                case "f": out += "\u{C}"
                case "e": out += "\u{1B}"
                case "u", "U":
                    var hex = ""
                    for _ in 0..<(e == "u" ? 4 : 8) {
                        guard let h = peek(), h.properties.isASCIIHexDigit else { break }
                        hex.unicodeScalars.append(h)
                        advance()
                    }
                    if let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) { out.unicodeScalars.append(scalar) }
                default: out.unicodeScalars.append(e)
                }
            }
            return out
        }

        mutating func literalString() -> String {
            advance()
            var out = ""
            while let s = peek(), s != "\n" {
                advance()
                if s == "'" { return out }
                out.unicodeScalars.append(s)
            }
            return out
        }

        /// Skips one value: a string of any kind, an array or inline table (nested), or a bare word.
        mutating func skipValue() {
            skipSpaces()
            guard let s = peek() else { return }
            switch s {
            case "\"", "'":
                if peek(1) == s && peek(2) == s { skipMultiline(quote: s) } else { skipString(quote: s) }
            case "[", "{":
                skipNested()
            default:
                while let c = peek(), c != "\n", c != "#", c != ",", c != "]", c != "}" { advance() }
            }
        }

        mutating func skipString(quote: Unicode.Scalar) {
            advance()
            while let s = peek(), s != "\n" {
                advance()
                if s == quote { return }
                if s == "\\" && quote == "\"" { advance() }
            }
        }

        mutating func skipMultiline(quote: Unicode.Scalar) {
            advance(); advance(); advance()
            while let s = peek() {
                if s == "\\" && quote == "\"" { advance(); advance(); continue }
                if s == quote && peek(1) == quote && peek(2) == quote {
                    advance(); advance(); advance()
                    while peek() == quote { advance() } // up to two quotes may end the content
                    return
                }
                advance()
            }
        }

        mutating func skipNested() {
            var depth = 0
            while let s = peek() {
                switch s {
                case "[", "{": depth += 1; advance()
                case "]", "}":
                    depth -= 1
                    advance()
                    if depth == 0 { return }
                case "\"", "'":
                    if peek(1) == s && peek(2) == s { skipMultiline(quote: s) } else { skipString(quote: s) }
                case "#":
                    while let c = peek(), c != "\n" { advance() }
                default: advance()
                }
            }
        }
    }
}
