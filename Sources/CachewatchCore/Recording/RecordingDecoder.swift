import Foundation

/// One document read back from a recording, its census re-inserted.
public struct RecordedDocument: Equatable, Sendable {
    /// `taken_at` of the document.
    public var takenAt: Date
    /// The full document, as `watch` printed it.
    public var document: JSONValue
    /// The entry number whose line holds this document's census (equal numbers: the same census),
    /// nil when the document has no census or did not come from a recording.
    public var censusEntry: Int?

    public init(takenAt: Date, document: JSONValue, censusEntry: Int? = nil) {
        self.takenAt = takenAt
        self.document = document
        self.censusEntry = censusEntry
    }
}

/// Turns the lines of a recording (after decompression) back into documents.
///
/// Every line is hostile: a line that is not a document is skipped and counted, a `census_ref` (or
/// `events_ref`) that does not name the last census (events) written drops it from that document, and the
/// first problem is kept as one sentence for the user.
public struct RecordingDecoder: Sendable {
    /// What one line turned out to be.
    public enum Outcome: Equatable, Sendable {
        case header(RecordingHeader)
        case document(RecordedDocument)
        /// The line was not usable; the reading goes on.
        case skipped
        /// The file cannot be read as a recording at all (one sentence, without the file name).
        case fatal(String)
    }

    /// Longest line accepted (a census of thousands of families stays well below).
    public static let maximumLineBytes = 64 << 20

    public private(set) var header: RecordingHeader?
    /// Entry lines seen (documents and skipped lines), the numbering `census_ref` uses.
    public private(set) var entryLines = 0
    /// Lines that could not be used.
    public private(set) var skippedLines = 0
    /// The first problem met, as a clause ("line 12 is not JSON …").
    public private(set) var firstProblem: String?
    private var lastCensus: JSONValue?
    private var lastCensusEntry = 0
    private var lastCensuses: JSONValue?
    private var lastCensusesEntry = 0
    private var lastEvents: JSONValue?
    private var lastEventsEntry = 0
    private var lineNumber = 0

    public init() {}

    /// Decodes the next line (without its newline).
    public mutating func decode(line: [UInt8]) -> Outcome {
        lineNumber += 1
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { return .skipped }
        guard line.count <= Self.maximumLineBytes else { return skip("line \(lineNumber) is longer than 64 MiB") }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes: line)
        } catch {
            if header == nil { return .fatal(RecordingHeader.Problem.notARecording.description) }
            return skip("line \(lineNumber) is not JSON (\(error))")
        }
        if value["format"] != nil {
            do {
                let decoded = try RecordingHeader.decode(value)
                if header == nil { header = decoded }
                // A second header starts a new segment (recordings concatenated): censuses restart.
                entryLines = 0
                lastCensus = nil
                lastCensusEntry = 0
                lastCensuses = nil
                lastCensusesEntry = 0
                lastEvents = nil
                lastEventsEntry = 0
                return .header(decoded)
            } catch let problem as RecordingHeader.Problem {
                if header == nil { return .fatal(problem.description) }
                return skip("line \(lineNumber) has an unusable header (\(problem))")
            } catch {
                return skip("line \(lineNumber) has an unusable header")
            }
        }
        guard header != nil else { return .fatal(RecordingHeader.Problem.notARecording.description) }
        entryLines += 1
        return document(value)
    }

    private mutating func document(_ value: JSONValue) -> Outcome {
        guard case var .object(pairs) = value, case .int? = value["schema"] else {
            return skip("line \(lineNumber) is not a snapshot document")
        }
        guard case let .string(taken)? = value["taken_at"], let takenAt = RecordingTime.parseISO(taken) else {
            return skip("line \(lineNumber) has no valid \"taken_at\"")
        }
        var censusEntry: Int?
        if let position = pairs.firstIndex(where: { $0.0 == "census" }) {
            lastCensus = pairs[position].1
            lastCensusEntry = entryLines
            censusEntry = entryLines
        } else if let position = pairs.firstIndex(where: { $0.0 == "census_ref" }) {
            if case let .int(reference) = pairs[position].1, reference == lastCensusEntry, let lastCensus {
                pairs[position] = ("census", lastCensus)
                censusEntry = reference
            } else {
                pairs.remove(at: position)
                note("line \(lineNumber) refers to a census that is not in the file")
            }
        }
        // Several databases: `censuses_ref` as `census_ref`.
        if let position = pairs.firstIndex(where: { $0.0 == "censuses" }) {
            lastCensuses = pairs[position].1
            lastCensusesEntry = entryLines
        } else if let position = pairs.firstIndex(where: { $0.0 == "censuses_ref" }) {
            if case let .int(reference) = pairs[position].1, reference == lastCensusesEntry, let lastCensuses {
                pairs[position] = ("censuses", lastCensuses)
            } else {
                pairs.remove(at: position)
                note("line \(lineNumber) refers to censuses that are not in the file")
            }
        }
        if let position = pairs.firstIndex(where: { $0.0 == "events" }) {
            lastEvents = pairs[position].1
            lastEventsEntry = entryLines
        } else if let position = pairs.firstIndex(where: { $0.0 == "events_ref" }) {
            if case let .int(reference) = pairs[position].1, reference == lastEventsEntry, let lastEvents {
                pairs[position] = ("events", lastEvents)
            } else {
                pairs.remove(at: position)
                note("line \(lineNumber) refers to events that are not in the file")
            }
        }
        return .document(RecordedDocument(takenAt: takenAt, document: .object(pairs), censusEntry: censusEntry))
    }

    private mutating func skip(_ problem: String) -> Outcome {
        skippedLines += 1
        note(problem)
        return .skipped
    }

    private mutating func note(_ problem: String) {
        if firstProblem == nil { firstProblem = problem }
    }
}
