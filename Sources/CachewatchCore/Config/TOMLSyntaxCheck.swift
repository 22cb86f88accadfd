/// Checks that a document is TOML 1.0 syntax before toml++ reads it, so toml++ never sees input it cannot handle.
///
/// toml++ 3.4.0 (inside TOMLKit 0.6.0) is safe on well-formed TOML only. On malformed input its parser breaks its own
/// preconditions (`TOML_ASSERT_ASSUME`: an abort, since SwiftPM compiles it without `NDEBUG` in debug and release
/// alike; undefined behaviour through `__builtin_assume` with `NDEBUG`), and its whitespace test reaches
/// `__builtin_unreachable` in every build for scalars such as U+00A1…U+0499 met where a token may start (`x = é`).
/// This recogniser follows TOML 1.0's grammar (keys, headers, the four string kinds and their escapes, arrays, inline
/// tables, the shapes of numbers, booleans and dates); what is left to toml++ are value ranges, duplicate keys and
/// table redefinitions, which it reports as ordinary errors. So toml++ only reads text whose non-ASCII characters sit
/// inside strings and comments. One valid shape toml++ still mishandles is refused too: a non-ASCII character first
/// after a line-ending backslash in a `"""` string.
struct TOMLSyntaxCheck {
    private let bytes: [UInt8]
    private let file: String
    private var index = 0
    private var line = 1
    /// Arrays and inline tables nest at most this deep (toml++ allows 256; the check recurses).
    static let maximumDepth = 100

    /// Throws `file:line: reason` for the first place `text` is not TOML 1.0 syntax.
    static func check(_ text: String, file: String) throws {
        var checker = TOMLSyntaxCheck(bytes: Array(text.utf8), file: file)
        try checker.document()
    }

    private init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    // MARK: - Document, headers, keys

    private mutating func document() throws {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }  // toml++ skips a byte order mark
        while true {
            skipSpaces()
            guard let byte = peek() else { return }
            if byte == UInt8(ascii: "[") {
                try tableHeader()
            } else if byte == UInt8(ascii: "#") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                try endOfLine(after: "a comment")
            } else if Self.isBare(byte) || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                try keyValue(depth: 0, missing: "")
                try endOfLine(after: "a value")
            } else {
                throw error("expected a key, a [table] header or a comment, saw \(describe())")
            }
        }
    }

    private mutating func tableHeader() throws {
        index += 1
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { index += 1 }
        skipSpaces()
        try key(missing: "a table header needs a name, such as [census]")
        skipSpaces()
        for _ in 0..<(isArray ? 2 : 1) {
            guard peek() == UInt8(ascii: "]") else { throw error("expected '\(isArray ? "]]" : "]")' to close the table header, saw \(describe())") }
            index += 1
        }
        try endOfLine(after: "a table header")
    }

    /// A dotted key: simple keys (bare, "basic" or 'literal') joined by `.`, spaces allowed around each dot.
    private mutating func key(missing: String) throws {
        try simpleKey(missing: missing)
        while true {
            let save = index
            skipSpaces()
            guard peek() == UInt8(ascii: ".") else { index = save; return }
            index += 1
            skipSpaces()
            try simpleKey(missing: "a key needs a name before and after each '.'")
        }
    }

    private mutating func simpleKey(missing: String) throws {
        guard let byte = peek() else { throw error(missing.isEmpty ? "expected a key, saw the end of the file" : missing) }
        if Self.isBare(byte) {
            while let next = peek(), Self.isBare(next) { index += 1 }
        } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
            if peek(1) == byte && peek(2) == byte { throw error("a key cannot be a multi-line string") }
            try byte == UInt8(ascii: "\"") ? basicString() : literalString()
        } else {
            throw error(missing.isEmpty ? "expected a key, saw \(describe())" : missing)
        }
    }

    private mutating func keyValue(depth: Int, missing: String) throws {
        try key(missing: missing)
        skipSpaces()
        guard peek() == UInt8(ascii: "=") else { throw error("expected '=' after the key, saw \(describe())") }
        index += 1
        skipSpaces()
        try value(depth: depth)
    }

    /// Spaces, then an optional comment, then a line break or the end of the file.
    private mutating func endOfLine(after what: String) throws {
        skipSpaces()
        if peek() == UInt8(ascii: "#") { try comment() }
        guard peek() != nil else { return }
        guard consumeLineBreak() else { throw error("expected the end of the line after \(what), saw \(describe())") }
    }

    private mutating func comment() throws {
        index += 1
        while let byte = peek(), byte != UInt8(ascii: "\n") {
            if byte == UInt8(ascii: "\r") && peek(1) == UInt8(ascii: "\n") { return }
            if Self.isControl(byte) { throw error("a comment cannot hold \(describe())") }
            index += 1
        }
    }

    // MARK: - Values

    private mutating func value(depth: Int) throws {
        guard depth < Self.maximumDepth else { throw error("arrays and inline tables nest more than \(Self.maximumDepth) deep") }
        guard let byte = peek() else { throw error("expected a value, saw the end of the file") }
        switch byte {
        case UInt8(ascii: "\""):
            try peek(1) == byte && peek(2) == byte ? multiLineString(quote: byte) : basicString()
        case UInt8(ascii: "'"):
            try peek(1) == byte && peek(2) == byte ? multiLineString(quote: byte) : literalString()
        case UInt8(ascii: "["): try array(depth: depth)
        case UInt8(ascii: "{"): try inlineTable(depth: depth)
        default:
            // Letters too, so `x = bare` is named whole: 'bare' is not a TOML value.
            guard Self.isScalarCharacter(byte) else { throw error("expected a value (strings need quotes), saw \(describe())") }
            try scalar()
        }
    }

    /// A boolean, number or date: the longest run of their characters (a date's space before its time included), then its shape.
    private mutating func scalar() throws {
        let start = index
        while let byte = peek(), Self.isScalarCharacter(byte) {
            index += 1
            if index - start == 10, peek() == UInt8(ascii: " "), TOMLScalarShape.isDate(bytes[start..<index]),
               let hour = peek(1), Self.isDigit(hour), peek(3) == UInt8(ascii: ":") {
                index += 1
            }
        }
        let token = bytes[start..<index]
        guard TOMLScalarShape.isValid(token) else {
            let shown = String(decoding: token.prefix(40), as: UTF8.self) + (token.count > 40 ? "…" : "")
            throw error("'\(shown)' is not a TOML value (strings need quotes)")
        }
    }

    private mutating func array(depth: Int) throws {
        let unclosed = TOMLError(file: file, line: line, reason: "an array opened on this line is not closed")
        index += 1
        while true {
            try skipBlankLinesAndComments()
            if peek() == UInt8(ascii: "]") { index += 1; return }
            guard peek() != nil else { throw unclosed }
            try value(depth: depth + 1)
            try skipBlankLinesAndComments()
            guard peek() != nil else { throw unclosed }
            if peek() == UInt8(ascii: ",") { index += 1; continue }
            guard peek() == UInt8(ascii: "]") else { throw error("expected ',' or ']' in the array, saw \(describe())") }
            index += 1
            return
        }
    }

    /// `{ key = value, … }` on one line, without a trailing comma (TOML 1.0).
    private mutating func inlineTable(depth: Int) throws {
        index += 1
        skipSpaces()
        if peek() == UInt8(ascii: "}") { index += 1; return }
        while true {
            try keyValue(depth: depth + 1, missing: "expected a key or '}' in the inline table, saw \(describe())")
            skipSpaces()
            if peek() == UInt8(ascii: "}") { index += 1; return }
            guard peek() == UInt8(ascii: ",") else {
                throw error("expected ',' or '}' in the inline table (which stays on one line), saw \(describe())")
            }
            index += 1
            skipSpaces()
            if peek() == UInt8(ascii: "}") { throw error("an inline table cannot end with ','") }
        }
    }

    // MARK: - Strings

    private mutating func basicString() throws {
        index += 1
        while true {
            guard let byte = peek() else { throw error("a string is not closed") }
            switch byte {
            case UInt8(ascii: "\""): index += 1; return
            case UInt8(ascii: "\\"): try escape(multiLine: false)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"): throw error("a string must close on its line (\"\"\" strings may span lines)")
            default:
                if Self.isControl(byte) { throw error("a string cannot hold \(describe()) (write an escape such as \\t)") }
                index += 1
            }
        }
    }

    private mutating func literalString() throws {
        index += 1
        while true {
            guard let byte = peek() else { throw error("a string is not closed") }
            if byte == UInt8(ascii: "'") { index += 1; return }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { throw error("a string must close on its line (''' strings may span lines)") }
            if Self.isControl(byte) { throw error("a string cannot hold \(describe())") }
            index += 1
        }
    }

    /// `"""…"""` (with escapes) or `'''…'''`; up to two more quotes before the closing three belong to the string.
    private mutating func multiLineString(quote: UInt8) throws {
        let startLine = line
        index += 3
        while true {
            guard let byte = peek() else {
                throw TOMLError(file: file, line: startLine, reason: "a multi-line string opened here is not closed")
            }
            if byte == quote {
                var run = 0
                while peek() == quote { run += 1; index += 1 }
                if run >= 3 {
                    guard run <= 5 else { throw error("a multi-line string is followed by \(run - 5) more quote(s)") }
                    return
                }
            } else if byte == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") {
                try escape(multiLine: true)
            } else if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                guard consumeLineBreak() else { throw error("a carriage return must be followed by a line feed") }
            } else if Self.isControl(byte) {
                throw error("a string cannot hold \(describe())")
            } else {
                index += 1
            }
        }
    }

    private mutating func escape(multiLine: Bool) throws {
        index += 1
        guard let byte = peek() else { throw error("a string is not closed") }
        switch byte {
        case UInt8(ascii: "b"), UInt8(ascii: "t"), UInt8(ascii: "n"), UInt8(ascii: "f"), UInt8(ascii: "r"), UInt8(ascii: "\""), UInt8(ascii: "\\"):
            index += 1
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let digits = byte == UInt8(ascii: "u") ? 4 : 8
            index += 1
            for _ in 0..<digits {
                guard let digit = peek(), Self.isHexDigit(digit) else {
                    throw error("a Unicode escape needs \(digits) hex digits after '\(byte == UInt8(ascii: "u") ? "u" : "U")', saw \(describe())")
                }
                index += 1
            }
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
            guard multiLine else { throw error("unknown escape in a string: a backslash followed by \(describe())") }
            skipSpaces()
            guard consumeLineBreak() else { throw error("a line-ending backslash must be the last character on its line") }
            while let next = peek(), next == UInt8(ascii: " ") || next == UInt8(ascii: "\t") || next == UInt8(ascii: "\n") || next == UInt8(ascii: "\r") {
                if next == UInt8(ascii: "\r") || next == UInt8(ascii: "\n") {
                    guard consumeLineBreak() else { return }
                } else {
                    index += 1
                }
            }
            // toml++ 3.4.0 tests this character for Unicode whitespace and reaches undefined behaviour for many scalars.
            if let next = peek(), next >= 0x80 {
                throw error("after a line-ending backslash the text must go on with an ASCII character, saw \(describe()) (write it as a Unicode escape)")
            }
        default:
            throw error("unknown escape in a string: a backslash followed by \(describe())")
        }
    }

    // MARK: - Characters

    private func peek(_ offset: Int = 0) -> UInt8? {
        let position = index + offset
        return position < bytes.count ? bytes[position] : nil
    }

    private mutating func skipSpaces() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { index += 1 }
    }

    private mutating func consumeLineBreak() -> Bool {
        if peek() == UInt8(ascii: "\n") {
            index += 1
        } else if peek() == UInt8(ascii: "\r") && peek(1) == UInt8(ascii: "\n") {
            index += 2
        } else {
            return false
        }
        line += 1
        return true
    }

    /// Spaces, line breaks and comments between an array's values.
    private mutating func skipBlankLinesAndComments() throws {
        while true {
            skipSpaces()
            if peek() == UInt8(ascii: "#") { try comment() }
            guard consumeLineBreak() else { return }
        }
    }

    private func error(_ reason: String) -> TOMLError {
        TOMLError(file: file, line: line, reason: reason)
    }

    /// The character at the cursor for an error message: quoted when printable ASCII, else its code point.
    private func describe() -> String {
        guard let byte = peek() else { return "the end of the file" }
        switch byte {
        case UInt8(ascii: "\n"): return "the end of the line"
        case UInt8(ascii: "\r"): return peek(1) == UInt8(ascii: "\n") ? "the end of the line" : "a carriage return (U+000D) without a line feed"
        case UInt8(ascii: " "): return "a space"
        case UInt8(ascii: "\t"): return "a tab"
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        case 0..<0x80: return "the control character " + Self.codePoint(UInt32(byte))
        default:
            let scalar = String(decoding: bytes[index..<min(bytes.count, index + 4)], as: UTF8.self).unicodeScalars.first
            return Self.codePoint(scalar.map { $0.value } ?? UInt32(byte))
        }
    }

    private static func isBare(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isHexDigit(_ byte: UInt8) -> Bool { isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f")) }

    /// Control characters TOML forbids outside escapes (TAB is allowed).
    private static func isControl(_ byte: UInt8) -> Bool { (byte < 0x20 && byte != UInt8(ascii: "\t")) || byte == 0x7F }

    /// `U+XXXX` for a code point.
    private static func codePoint(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    private static func isScalarCharacter(_ byte: UInt8) -> Bool {
        isBare(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
    }
}

