/// A TOML value as cachewatch's config and theme readers see it (TOMLKit's tree, copied out).
public enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    case float(Double)
    case bool(Bool)
    case array([TOMLValue])
    /// A value cachewatch never expects (a date, a time, a table inside an array): kept only to name it in errors.
    case other(String)

    /// A short type name for error messages.
    public var typeName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a float"
        case .bool: return "a boolean"
        case .array: return "an array"
        case .other(let name): return name
        }
    }
}

/// One `key = value`, with the table it sits in and the line it was written on.
public struct TOMLEntry: Equatable, Sendable {
    /// The enclosing table as a dotted name (`a.b`); "" for top-level keys.
    public var section: String
    /// The position in an array of tables (`[[silence]]`), nil for a plain table.
    public var tableIndex: Int?
    public var key: String
    public var value: TOMLValue
    /// 1-based line of the key.
    public var line: Int

    public init(section: String, tableIndex: Int? = nil, key: String, value: TOMLValue, line: Int) {
        self.section = section
        self.tableIndex = tableIndex
        self.key = key
        self.value = value
        self.line = line
    }
}

/// A table of the document: a `[header]`, a `[[header]]` element, an inline or a dotted-key table.
public struct TOMLSection: Equatable, Sendable {
    /// Dotted name, e.g. `census` or `a.b`.
    public var name: String
    /// 1-based line of its header (or of the key that created it).
    public var line: Int
    /// The position in an array of tables, nil for a plain table.
    public var index: Int?
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

    /// `file:line: reason`, one line: control characters from the file (a quoted key holding a newline) are escaped.
    public var description: String { "\(DisplayEscaper.escape(file)):\(line): \(DisplayEscaper.escape(reason))" }
}

/// A parsed TOML document flattened into tables and their entries, in file order.
public struct TOMLDocument: Equatable, Sendable {
    /// The file name used in error messages.
    public var file: String
    /// Every scalar or array entry, in file order.
    public var entries: [TOMLEntry]
    /// Every table (except implicit parents such as `a` of `[a.b]`), in file order.
    public var sections: [TOMLSection]

    public init(file: String, entries: [TOMLEntry], sections: [TOMLSection]) {
        self.file = file
        self.entries = entries
        self.sections = sections
    }

    /// The entry for `key` in `section` ("" for top-level keys).
    public func entry(_ key: String, in section: String = "", index: Int? = nil) -> TOMLEntry? {
        entries.first { $0.section == section && $0.tableIndex == index && $0.key == key }
    }

    /// Entries of one table, in file order.
    public func entries(in section: String, index: Int? = nil) -> [TOMLEntry] {
        entries.filter { $0.section == section && $0.tableIndex == index }
    }

    /// An error located at `line` of this document.
    public func error(line: Int, _ reason: String) -> TOMLError {
        TOMLError(file: file, line: line, reason: reason)
    }
}
