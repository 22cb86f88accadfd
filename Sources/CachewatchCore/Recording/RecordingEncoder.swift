import Foundation

/// Turns the documents of a session into the lines of a recording (before compression).
///
/// Line 1 is the header; each later line is one `watch` document, except that a `census` equal to
/// the last census written is replaced, at the same position, by `"census_ref": N` (N = the
/// 1-based entry number whose line holds that census), so a day of unchanged censuses stays small.
public struct RecordingEncoder: Sendable {
    /// Entries (documents) encoded so far.
    public private(set) var entries = 0
    /// True when the last line written carried its census in full.
    public private(set) var lastEntryHeldCensus = false
    private var lastCensus: JSONValue?
    private var lastCensusEntry = 0

    public init() {}

    /// The header line (no newline).
    public func headerLine(_ header: RecordingHeader) -> String {
        header.json.serialized()
    }

    /// The line (no newline) for the next document.
    public mutating func entryLine(document: JSONValue) -> String {
        entries += 1
        lastEntryHeldCensus = false
        guard case let .object(pairs) = document, let position = pairs.firstIndex(where: { $0.0 == "census" }) else {
            return document.serialized()
        }
        // Compared as values: no serialisation of a census that is not written.
        let census = pairs[position].1
        if census == lastCensus {
            var compact = pairs
            compact[position] = ("census_ref", .int(lastCensusEntry))
            return JSONValue.object(compact).serialized()
        }
        lastCensus = census
        lastCensusEntry = entries
        lastEntryHeldCensus = true
        return document.serialized()
    }
}
