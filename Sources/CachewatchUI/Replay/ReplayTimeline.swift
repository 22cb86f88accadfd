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
        /// Redis Cluster: each node's ops/s (`target.nodes`), for the nodes pane's sparklines; empty otherwise.
        var nodeOps: [String: Double] = [:]
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
    /// Events kept at most (document or derived).
    static let maximumEvents = 100_000
    /// The timeline, oldest first: the documents' own `events` when they carried any, otherwise the events the core
    /// detector derives from the recorded metrics, censuses and log counts.
    public private(set) var events: [Event] = []
    var documentEvents: [Event] = []
    var documentEventIndex: [String: Int] = [:]
    var lastEventsDocument: JSONValue?
    var deriver = RecordedEventDeriver()
    var derivedEventCount = 0
    /// True when the timeline was derived (the documents carried no `events`).
    public private(set) var eventsDerived = false
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
        var newCensus: CensusReport?
        if let position = pairs.firstIndex(where: { $0.0 == "censuses" }) {
            // Several databases: the families table of every database (`db1 ratelimit:{id}` rows), as live.
            let all = pairs[position].1
            if all != lastCensusesDocument, let report = DatabaseCensuses.displayReport(all.elements(limit: 64).compactMap(DocumentModels.census)) {
                censuses.append(report)
                newCensus = report
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
                newCensus = report
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
        noteEvents(document, at: recorded.takenAt, census: newCensus)
    }

    /// Call after the last `append`: settles the timeline and its markers (the documents' own `events` when they
    /// had any, else the derived ones).
    public func finishLoading() {
        eventsDerived = documentEvents.isEmpty
        // Oldest first; events of the same time keep the order they were detected in.
        events = (eventsDerived ? deriver.events : documentEvents).enumerated()
            .sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        markers = events.map { Marker(at: $0.at, kind: $0.kind.rawValue, message: $0.message) }
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
        markerIndex(after: time, previous: previous).map { markers[$0] }
    }

    /// The index of the next (or `previous`) marker from `time`. `current` is the marker `n`/`N` last moved to: while
    /// the cursor is still on it (less than `window` seconds of recording after it: playing on at 60× covers a minute
    /// a second), the step is by position, so events of the same second (a restart and the restored connection that
    /// revealed it) are each reached in turn, and `N` while playing goes to the one before. Otherwise by time.
    public func markerIndex(after time: Date, previous: Bool = false, current: Int? = nil, window: Double = 1) -> Int? {
        if let current, markers.indices.contains(current) {
            let since = time.timeIntervalSince(markers[current].at)
            if since >= 0, since < max(0.001, window) {
                let next = current + (previous ? -1 : 1)
                return markers.indices.contains(next) ? next : nil
            }
        }
        return previous ? markers.lastIndex { $0.at < time } : markers.firstIndex { $0.at > time }
    }

    private static func metrics(_ document: JSONValue) -> FrameMetrics {
        let metrics = document["metrics"] ?? .null
        let value: (String) -> Double? = { metrics[$0]?.finite(in: 0...1e18) }
        var nodeOps: [String: Double] = [:]
        for node in (document["target"]?["nodes"] ?? .null).elements(limit: 1024) {
            if let address = node["address"]?.text(maximumLength: 300), let ops = node["ops_per_second"]?.finite(in: 0...1e12) {
                nodeOps[address] = ops
            }
        }
        return FrameMetrics(ops: value("ops_per_second"), hitRatio: metrics["hit_ratio"]?.finite(in: 0...1),
                            usedMemory: value("used_memory_bytes"), evicted: value("evicted_keys_per_second"),
                            expired: value("expired_keys_per_second"), clients: value("connected_clients"), ping: value("ping_ms"),
                            nodeOps: nodeOps)
    }
}
