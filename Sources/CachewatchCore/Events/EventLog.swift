import Foundation

/// The bounded timeline: at most `maxCount` events and none older than `maxAgeSeconds` (oldest dropped first).
public struct EventLog: Equatable, Sendable {
    public static let defaultMaxCount = 1000
    public static let defaultMaxAgeSeconds = 86_400.0

    public let maxCount: Int
    public let maxAgeSeconds: Double
    /// Oldest first.
    public private(set) var events: [Event] = []
    private var nextID = 1

    public init(maxCount: Int = EventLog.defaultMaxCount, maxAgeSeconds: Double = EventLog.defaultMaxAgeSeconds) {
        self.maxCount = max(1, maxCount)
        self.maxAgeSeconds = maxAgeSeconds.isFinite && maxAgeSeconds > 0 ? maxAgeSeconds : EventLog.defaultMaxAgeSeconds
    }

    /// Adds an event (its id is assigned here) and returns the id.
    @discardableResult
    public mutating func append(_ event: Event) -> Int {
        var event = event
        event.id = nextID
        nextID += 1
        events.append(event)
        trim(now: event.at)
        return event.id
    }

    /// Replaces the event with the same id (a deploy burst growing, a drop learning which families shrank).
    public mutating func update(_ event: Event) {
        guard let index = events.lastIndex(where: { $0.id == event.id }) else { return }
        events[index] = event
    }

    /// The newest event of a kind, if it is still kept.
    public func latest(_ kind: Event.Kind) -> Event? {
        events.last { $0.kind == kind }
    }

    /// Newest first, as the events pane lists them.
    public var newestFirst: [Event] { events.reversed() }

    /// Events within `[from, to]`, oldest first.
    public func between(_ from: Date, _ to: Date) -> [Event] {
        events.filter { $0.at >= from && $0.at <= to }
    }

    /// `events` in a snapshot/watch document: newest first.
    public var json: JSONValue { .array(newestFirst.map(\.json)) }

    private mutating func trim(now: Date) {
        let cutoff = now.addingTimeInterval(-maxAgeSeconds)
        if let firstKept = events.firstIndex(where: { $0.at >= cutoff }), firstKept > 0 {
            events.removeFirst(firstKept)
        }
        if events.count > maxCount { events.removeFirst(events.count - maxCount) }
    }

    public static func == (lhs: EventLog, rhs: EventLog) -> Bool { lhs.events == rhs.events }
}
