import Foundation

/// Bounded readers for values decoded from a recording (every number is hostile).
extension JSONValue {
    /// A count: a non-negative integer clamped to `0...limit` (doubles rounded when finite).
    public func count(limit: Int = 1 << 50) -> Int? {
        switch self {
        case let .int(value): return Swift.min(Swift.max(value, 0), limit)
        case let .double(value):
            guard value.isFinite else { return nil }
            return Int(Swift.min(Swift.max(value, 0), Double(limit)).rounded())
        default: return nil
        }
    }

    /// A finite number clamped to `range`.
    public func finite(in range: ClosedRange<Double> = -1e18...1e18) -> Double? {
        let value: Double
        switch self {
        case let .int(number): value = Double(number)
        case let .double(number): value = number
        default: return nil
        }
        guard value.isFinite else { return nil }
        return Swift.min(Swift.max(value, range.lowerBound), range.upperBound)
    }

    /// A string, cut to `maximumLength` characters.
    public func text(maximumLength: Int = 4096) -> String? {
        guard case let .string(value) = self else { return nil }
        return value.count > maximumLength ? String(value.prefix(maximumLength)) : value
    }

    /// The elements of an array, at most `limit` of them.
    public func elements(limit: Int = 10_000) -> [JSONValue] {
        guard case let .array(items) = self else { return [] }
        return Array(items.prefix(limit))
    }

    /// A boolean, nil for other values.
    public var boolValue: Bool? {
        guard case let .bool(value) = self else { return nil }
        return value
    }
}
