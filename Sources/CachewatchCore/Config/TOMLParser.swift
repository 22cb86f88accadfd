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
        // toml++ is only safe on well-formed TOML (see TOMLSyntaxCheck): malformed text never reaches it.
        try TOMLSyntaxCheck.check(text, file: file)
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
