import Foundation

/// Turns the documents of a session into the lines of a recording (before compression).
///
/// Line 1 is the header; each later line is one `watch` document, except that a `census` equal to
/// the last census written is replaced, at the same position, by `"census_ref": N` (N = the
/// 1-based entry number whose line holds that census), so a day of unchanged censuses stays small; with several
/// databases `censuses` is replaced by `"censuses_ref": N` the same way.
public struct RecordingEncoder: Sendable {
    /// Entries (documents) encoded so far.
    public private(set) var entries = 0
    /// True when the last line written carried its census in full.
    public private(set) var lastEntryHeldCensus = false
    private var lastCensus: JSONValue?
    private var lastCensusEntry = 0
    private var lastCensuses: JSONValue?
    private var lastCensusesEntry = 0

    public init() {}

    /// The header line (no newline).
    public func headerLine(_ header: RecordingHeader) -> String {
        header.json.serialized()
    }

    /// The line (no newline) for the next document.
    public mutating func entryLine(document: JSONValue) -> String {
        entries += 1
        lastEntryHeldCensus = false
        guard case var .object(pairs) = document else { return document.serialized() }
        // Compared as values: no serialisation of a census that is not written.
        if let position = pairs.firstIndex(where: { $0.0 == "census" }) {
            let census = pairs[position].1
            if census == lastCensus {
                pairs[position] = ("census_ref", .int(lastCensusEntry))
            } else {
                lastCensus = census
                lastCensusEntry = entries
                lastEntryHeldCensus = true
            }
        }
        // Several databases: `censuses` the same way (`censuses_ref`).
        if let position = pairs.firstIndex(where: { $0.0 == "censuses" }) {
            let censuses = pairs[position].1
            if censuses == lastCensuses {
                pairs[position] = ("censuses_ref", .int(lastCensusesEntry))
            } else {
                lastCensuses = censuses
                lastCensusesEntry = entries
            }
        }
        return JSONValue.object(pairs).serialized()
    }
}
