import TOMLKit

/// Parses TOML with TOMLKit (toml++, TOML 1.0) and flattens it into a `TOMLDocument`.
///
/// The only file of the core that imports TOMLKit. Syntax errors carry toml++'s line; the lines of
/// keys in a valid document come from `TOMLKeyLocator`, so a wrong value is still reported as
/// `file:line: reason`.
public enum TOMLParser {
    /// Parses `text`; errors name `file` and the 1-based line.
    public static func parse(_ text: String, file: String) throws -> TOMLDocument {
        // toml++ reads a C string: a NUL would silently end the document early.
        if let line = firstNULLine(text) {
            throw TOMLError(file: file, line: line, reason: "NUL character (U+0000) is not allowed in TOML")
        }
        try checkTableHeaders(text, file: file)
        try checkArrayValues(text, file: file)
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let line = max(1, error.source.begin.line)
            var reason = error.description
            if reason.contains("could not determine value type") { reason += " (strings need quotes)" }
            throw TOMLError(file: file, line: line, reason: reason)
        }
        let locator = TOMLKeyLocator(text: text)
        var document = TOMLDocument(file: file, entries: [], sections: [])
        flatten(table, path: [], section: "", index: nil, locator: locator, into: &document)
        document.entries.sort { ($0.line, $0.section, $0.key) < ($1.line, $1.section, $1.key) }
        document.sections.sort { ($0.line, $0.name) < ($1.line, $1.name) }
        return document
    }

    /// toml++ asserts (aborts the process) on a table header without a name (`[`, `[]`, `[ .x]`, found by
    /// `make fuzz`): such a header is refused here first, with its line. Headers are looked for at line starts
    /// outside values that span lines (an array opened with `[` on a key's line and not yet closed).
    static func checkTableHeaders(_ text: String, file: String) throws {
        var depth = 0
        // toml++ skips a UTF-8 byte order mark before the first line.
        let body = text.hasPrefix("\u{FEFF}") ? Substring(text.dropFirst()) : Substring(text)
        // Scalars, not Characters: "[" followed by a combining mark is one Character but still a header to toml++.
        for (index, rawLine) in body.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            if depth == 0, line.first == "[" {
                var rest = line.dropFirst()
                if rest.first == "[" { rest = rest.dropFirst() }
                guard headerKeysAreNamed(&rest) else {
                    throw TOMLError(file: file, line: index + 1, reason: "a table header needs a name, such as [census]")
                }
                continue
            }
            // A key line: its dotted parts need names too (toml++ aborts on `a.=`).
            if depth == 0, let first = line.first, first != "#", first != "\r", first != "]" {
                var rest = line[...]
                guard headerKeysAreNamed(&rest) else {
                    throw TOMLError(file: file, line: index + 1, reason: "a key needs a name before and after each '.'")
                }
            }
            depth = max(0, depth + bracketBalance(line))
        }
    }

    /// True when `rest` starts with dotted key parts that each have a name (bare or quoted), as toml++ expects.
    private static func headerKeysAreNamed(_ rest: inout Substring.UnicodeScalarView.SubSequence.SubSequence) -> Bool {
        func isBare(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-")
        }
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" }
            guard let first = rest.first else { return false }
            if first == "\"" || first == "'" {
                rest = rest.dropFirst()
                guard let close = rest.firstIndex(of: first) else { return false }
                rest = rest[rest.index(after: close)...]
            } else if isBare(first) {
                rest = rest.drop(while: isBare)
            } else {
                return false
            }
            rest = rest.drop { $0 == " " || $0 == "\t" }
            guard rest.first == "." else { return true }
            rest = rest.dropFirst()
        }
    }

    /// toml++ asserts (aborts) when an array holds a `}` where a value should be (`x = [}`, `x = [1,}`, found by
    /// `make fuzz`): refused here first. Strings and comments are skipped; `[`/`{` nest.
    static func checkArrayValues(_ text: String, file: String) throws {
        var line = 1
        var stack: [Unicode.Scalar] = []
        var expectingArrayValue = false
        var quote: Unicode.Scalar?
        var escaped = false
        var inComment = false
        for character in text.unicodeScalars {
            if character == "\n" {
                line += 1
                inComment = false
            }
            if inComment { continue }
            if let open = quote {
                if open == "\"" && character == "\\" && !escaped {
                    escaped = true
                    continue
                }
                if character == open && !escaped { quote = nil }
                escaped = false
                continue
            }
            switch character {
            case " ", "\t", "\r", "\n": continue
            case "#": inComment = true; continue
            case "\"", "'": quote = character
            case "[": stack.append("["); expectingArrayValue = true; continue
            case "{": stack.append("{")
            case "]": _ = stack.popLast()
            case "}":
                if expectingArrayValue {
                    throw TOMLError(file: file, line: line, reason: "an array needs a value or ']' before '}'")
                }
                _ = stack.popLast()
            case ",": expectingArrayValue = stack.last == "["; continue
            default: break
            }
            expectingArrayValue = false
        }
    }

    /// Opened minus closed brackets of one line, outside strings and comments.
    private static func bracketBalance(_ line: Substring.UnicodeScalarView.SubSequence.SubSequence) -> Int {
        var balance = 0
        var quote: Unicode.Scalar?
        for character in line {
            if let open = quote {
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "\"", "'": quote = character
            case "#": return balance
            case "[": balance += 1
            case "]": balance -= 1
            default: break
            }
        }
        return balance
    }

    /// Copies `table`'s keys into `document`: scalars and arrays as entries, tables and arrays of tables as sections.
    private static func flatten(_ table: TOMLTable, path: [String], section: String, index: Int?,
                                locator: TOMLKeyLocator, into document: inout TOMLDocument) {
        for key in table.keys {
            guard let value = table[key] else {
                // TOMLKit hands keys over as C strings: a key holding `\u0000` cannot be looked up again.
                document.entries.append(TOMLEntry(section: section, tableIndex: index, key: key, value: .other("unreadable (a NUL in its name)"),
                                                  line: locator.line(of: path + [key])))
                continue
            }
            let childPath = path + [key]
            let childName = section.isEmpty ? key : section + "." + key
            if let child = value.table {
                if locator.isDeclared(childPath) || containsEntries(child) || child.isEmpty {
                    document.sections.append(TOMLSection(name: childName, line: locator.line(of: childPath), index: nil))
                }
                flatten(child, path: childPath, section: childName, index: nil, locator: locator, into: &document)
            } else if let array = value.array, !array.isEmpty, array.allSatisfy({ $0.table != nil }) {
                for (position, element) in array.enumerated() {
                    guard let child = element.table else { continue }
                    let elementPath = childPath + ["#\(position)"]
                    document.sections.append(TOMLSection(name: childName, line: locator.line(of: elementPath), index: position))
                    flatten(child, path: elementPath, section: childName, index: position, locator: locator, into: &document)
                }
            } else {
                document.entries.append(TOMLEntry(section: section, tableIndex: index, key: key, value: convert(value),
                                                  line: locator.line(of: childPath)))
            }
        }
    }

    private static func containsEntries(_ table: TOMLTable) -> Bool {
        table.keys.contains { key in table[key].map { $0.table == nil } ?? false }
    }

    private static func convert(_ value: TOMLValueConvertible) -> TOMLValue {
        switch value.type {
        case .string: return .string(value.string ?? "")
        case .int: return value.int.map(TOMLValue.integer) ?? .other("an integer")
        case .double: return value.double.map(TOMLValue.float) ?? .other("a float")
        case .bool: return value.bool.map(TOMLValue.bool) ?? .other("a boolean")
        case .array: return .array((value.array.map(Array.init) ?? []).map(convert))
        case .table: return .other("a table")
        case .date: return .other("a date")
        case .time: return .other("a time")
        case .dateTime: return .other("a date-time")
        }
    }

    private static func firstNULLine(_ text: String) -> Int? {
        var line = 1
        for byte in text.utf8 {
            if byte == 0 { return line }
            if byte == 10 { line += 1 }
        }
        return nil
    }
}
