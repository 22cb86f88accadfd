import Foundation

/// Prints recorded documents as compact JSON lines (exactly `JSONValue.serialized()`), serialising
/// each census once: documents that share a census (same `censusEntry`) reuse its text.
public struct RecordedDocumentPrinter: Sendable {
    private var cachedEntry: Int?
    private var cachedCensus = ""

    public init() {}

    /// The document's line, without the newline.
    public mutating func line(_ recorded: RecordedDocument) -> String {
        guard let entry = recorded.censusEntry, case let .object(pairs) = recorded.document else {
            return recorded.document.serialized()
        }
        var parts: [String] = []
        parts.reserveCapacity(pairs.count)
        for pair in pairs {
            if pair.0 == "census" {
                if cachedEntry != entry {
                    cachedCensus = Self.member(pair)
                    cachedEntry = entry
                }
                parts.append(cachedCensus)
            } else {
                parts.append(Self.member(pair))
            }
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// `"key":value` as the compact serialiser writes it inside an object.
    private static func member(_ pair: (String, JSONValue)) -> String {
        String(JSONValue.object([pair]).serialized().dropFirst().dropLast())
    }
}
