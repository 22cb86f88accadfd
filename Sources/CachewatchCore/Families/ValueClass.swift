/// What a bounded look at a string value said (`STRLEN`, then `GETRANGE key 0 12` only for values of ≤ 13 bytes).
///
/// The boilerplate's negative caches store the sentinel `__NOT_FOUND__`; a cached value that is falsy in Python
/// (`[]`, `{}`, `0`, `0.0`, `""`, `false`, `False`, the empty string) is read back as a miss, so such keys are
/// rewritten on every request. Values themselves are never kept or shown.
public enum ValueClass: Sendable, Equatable {
    /// The value was not looked at.
    case notProbed
    /// Exactly `__NOT_FOUND__`.
    case notFoundSentinel
    /// A value the boilerplate reads back as a miss.
    case falsy
    /// Anything else.
    case other

    /// The negative-cache sentinel of the cache guide.
    public static let notFoundSentinelText = "__NOT_FOUND__"
    /// The longest value worth reading (the sentinel's length): longer values are `.other` from `STRLEN` alone.
    public static let maximumProbedBytes = 13

    private static let sentinelBytes = Array(notFoundSentinelText.utf8)
    private static let falsyValues: Set<[UInt8]> = Set(["[]", "{}", "0", "0.0", "\"\"", "false", "False"].map { Array($0.utf8) })

    /// Classifies a string value from its length (`STRLEN`) and, when `lengthBytes ≤ 13`, its bytes
    /// (`GETRANGE key 0 12`); nil when the bytes do not match the length (the value changed in between).
    public static func classify(lengthBytes: Int, bytes: [UInt8]?) -> ValueClass? {
        if lengthBytes == 0 { return .falsy }
        if lengthBytes > maximumProbedBytes { return .other }
        guard let bytes, bytes.count == lengthBytes else { return nil }
        if bytes == sentinelBytes { return .notFoundSentinel }
        return falsyValues.contains(bytes) ? .falsy : .other
    }
}

/// A value probe reserved by `CensusAccumulator.addReservingValueProbe`: hand it back with the probe's answer.
public struct ValueProbeTicket: Sendable, Equatable {
    /// The family the key was counted in (a trie id; merges are followed when the answer comes back).
    let family: Int32
    /// The key's PTTL as read by the census (-1: no TTL).
    public let pttlMilliseconds: Int64
}
