import Foundation

/// Reads one config entry as the type a key expects; every error names the file and the key's line.
struct ConfigEntryReader {
    let entry: TOMLEntry
    let document: TOMLDocument

    func fail(_ reason: String) -> TOMLError { document.error(line: entry.line, reason) }

    func wrongType(_ expected: String) -> TOMLError {
        fail("\(entry.key) must be \(expected), not \(entry.value.typeName)")
    }

    func unknownKey() -> TOMLError {
        let place: String
        switch entry.section {
        case "": place = "at the top level"
        case "silence": place = "in [[silence]] (expected code, pattern, reason)"
        default: place = "in [\(entry.section)]"
        }
        return fail("unknown key \(entry.key) \(place)")
    }

    func string() throws -> String {
        guard case .string(let value) = entry.value else { throw wrongType("a string") }
        return value
    }

    func bool() throws -> Bool {
        guard case .bool(let value) = entry.value else { throw wrongType("true or false") }
        return value
    }

    func integer(in range: ClosedRange<Int>) throws -> Int {
        guard case .integer(let value) = entry.value else { throw wrongType("an integer") }
        guard range.contains(value) else {
            if range.upperBound == Int.max { throw fail("\(entry.key) must be at least \(range.lowerBound)") }
            throw fail("\(entry.key) must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    /// A finite number (integer or float) within `range`.
    func number(in range: ClosedRange<Double>, expected: String = "a number") throws -> Double {
        let value: Double
        switch entry.value {
        case .integer(let n): value = Double(n)
        case .float(let x): value = x
        default: throw wrongType(expected)
        }
        guard value.isFinite else { throw fail("\(entry.key) must be a finite number") }
        guard range.contains(value) else {
            if range.upperBound == .greatestFiniteMagnitude { throw fail("\(entry.key) must be a number of at least \(short(range.lowerBound))") }
            throw fail("\(entry.key) must be between \(short(range.lowerBound)) and \(short(range.upperBound))")
        }
        return value
    }

    /// A positive finite number.
    func positiveNumber() throws -> Double {
        let value = try number(in: 0...Double.greatestFiniteMagnitude, expected: "a positive number")
        guard value > 0 else { throw fail("\(entry.key) must be above 0") }
        return value
    }

    /// A duration written as text (`30s`, `5m`, `1h`) within its option's range: every duration key of the
    /// file goes through here and `BoundedDuration`, the same check as the key's flag.
    func duration(_ bounds: DurationBounds) throws -> String {
        let value = try string()
        do {
            _ = try BoundedDuration(value, bounds: bounds)
        } catch let error as DurationRangeError {
            throw fail(error.message(name: entry.key))
        }
        return value
    }

    /// A duration in seconds (see `duration(_:)`).
    func durationSeconds(_ bounds: DurationBounds) throws -> Double {
        let text = try duration(bounds)
        guard let seconds = BoundedDuration.parseSeconds(text), seconds.isFinite else { throw fail("\(entry.key) is not a usable duration") }
        return seconds
    }

    func strings() throws -> [String] {
        guard case .array(let items) = entry.value else { throw wrongType("an array of strings") }
        return try items.map { item in
            guard case .string(let value) = item else { throw wrongType("an array of strings") }
            return value
        }
    }

    /// An array of paths, none of them empty.
    func paths() throws -> [String] {
        let values = try strings()
        guard !values.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw fail("\(entry.key) must not contain an empty path")
        }
        return values
    }

    private func short(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
