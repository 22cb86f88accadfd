import CachewatchCore
import Foundation

/// A recording laid out for the replay dashboard: one frame per document, events to jump between,
/// and the dashboard model at any frame (histories rebuilt from the frames before it).
///
/// Frames keep their document as compact text (census left out) and parse it only when drawn, so a
/// day of recording costs about its uncompressed size in memory; censuses are decoded once each.
public final class ReplayTimeline {
    /// One recorded document.
    public struct Frame: Sendable {
        public var takenAt: Date
        /// The document without its census, compact JSON.
        var text: String
        /// Index into `censuses`, nil when the document had none.
        var census: Int?
        /// When the current run of `error` documents began (nil when this one had no error).
        var errorSince: Date?
        var metrics: FrameMetrics
    }

    /// A point worth jumping to (`n`/`N`).
    public struct Marker: Equatable, Sendable {
        public var at: Date
        public var kind: String
        public var message: String

        public init(at: Date, kind: String, message: String) {
            self.at = at
            self.kind = kind
            self.message = message
        }
    }

    /// The sparkline numbers of one frame.
    struct FrameMetrics: Sendable {
        var ops, hitRatio, usedMemory, evicted, expired, clients, ping: Double?
    }

    /// Most frames kept (about 11 days at 1 s); later documents are dropped and said so.
    public static let maximumFrames = 1_000_000
    /// Frames of history behind the sparklines (one hour at 1 s, as live).
    public static let historyFrames = 3600

    public private(set) var frames: [Frame] = []
    public private(set) var markers: [Marker] = []
    /// Target address and DB from the header (for the title row).
    public let address: String
    public let db: Int
    var censuses: [CensusReport] = []
    private var lastCensusDocument: JSONValue?
    private var lastCensusEntry: Int?
    /// The last `censuses` (several databases) turned into a report.
    private var lastCensusesDocument: JSONValue?
    var documentEvents: [Marker] = []
    var derivedEvents: [Marker] = []
    var previous: (error: String?, uptime: Int?, failOpen: String?, runID: String?)?
    /// True when documents past `maximumFrames` were dropped.
    public private(set) var truncated = false

    public init(target: JSONValue) {
        address = target["address"]?.text(maximumLength: 300) ?? "recording"
        db = target["db"]?.count(limit: 1 << 20) ?? 0
    }

    /// Adds the next document (in recording order).
    public func append(_ recorded: RecordedDocument) {
        guard frames.count < Self.maximumFrames else { truncated = true; return }
        guard case var .object(pairs) = recorded.document else { return }
        var censusIndex: Int?
        if let position = pairs.firstIndex(where: { $0.0 == "censuses" }) {
            // Several databases: the families table of every database (`db1 ratelimit:{id}` rows), as live.
            let all = pairs[position].1
            if all != lastCensusesDocument, let report = DatabaseCensuses.displayReport(all.elements(limit: 64).compactMap(DocumentModels.census)) {
                censuses.append(report)
                lastCensusesDocument = all
            }
            censusIndex = censuses.isEmpty ? nil : censuses.count - 1
            pairs.removeAll { $0.0 == "censuses" || $0.0 == "census" }
        } else if let position = pairs.firstIndex(where: { $0.0 == "census" }) {
            let census = pairs[position].1
            // Recordings number their censuses: equal numbers need no comparison of the JSON.
            let same = recorded.censusEntry.map { $0 == lastCensusEntry } ?? (census == lastCensusDocument)
            if !same, let report = DocumentModels.census(census) {
                censuses.append(report)
                lastCensusDocument = recorded.censusEntry == nil ? census : nil
            }
            lastCensusEntry = recorded.censusEntry
            censusIndex = censuses.isEmpty ? nil : censuses.count - 1
            pairs.remove(at: position)
        }
        let document = JSONValue.object(pairs)
        let error = document["error"]?.text(maximumLength: 300)
        var errorSince: Date?
        if error != nil { errorSince = frames.last?.errorSince ?? recorded.takenAt }
        frames.append(Frame(takenAt: recorded.takenAt, text: document.serialized(), census: censusIndex,
                            errorSince: errorSince, metrics: Self.metrics(document)))
        noteEvents(document, at: recorded.takenAt, error: error)
    }

    /// Call after the last `append`: settles the markers (the documents' own `events` when they had any).
    public func finishLoading() {
        markers = (documentEvents.isEmpty ? derivedEvents : documentEvents).sorted { $0.at < $1.at }
    }

    public var start: Date? { frames.first?.takenAt }
    public var end: Date? { frames.last?.takenAt }

    /// The last frame taken at or before `time` (the first frame when `time` is earlier).
    public func frameIndex(at time: Date) -> Int? {
        guard !frames.isEmpty else { return nil }
        var low = 0, high = frames.count - 1
        if frames[0].takenAt >= time { return 0 }
        while low < high {
            let middle = (low + high + 1) / 2
            if frames[middle].takenAt <= time { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The first marker after `time`, or the last one before it (`previous`).
    public func marker(after time: Date, previous: Bool = false) -> Marker? {
        previous ? markers.last { $0.at < time.addingTimeInterval(-0.5) } : markers.first { $0.at > time.addingTimeInterval(0.5) }
    }

    private static func metrics(_ document: JSONValue) -> FrameMetrics {
        let metrics = document["metrics"] ?? .null
        let value: (String) -> Double? = { metrics[$0]?.finite(in: 0...1e18) }
        return FrameMetrics(ops: value("ops_per_second"), hitRatio: metrics["hit_ratio"]?.finite(in: 0...1),
                            usedMemory: value("used_memory_bytes"), evicted: value("evicted_keys_per_second"),
                            expired: value("expired_keys_per_second"), clients: value("connected_clients"), ping: value("ping_ms"))
    }
}
