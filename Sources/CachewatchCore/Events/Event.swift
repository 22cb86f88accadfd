import Foundation

/// Something that happened to the cache or the app, kept on the timeline (`events` in the JSON).
public struct Event: Equatable, Sendable {
    /// The stable machine names of events.
    public enum Kind: String, Sendable, CaseIterable {
        case restart
        case connectionLost = "connection-lost"
        case connectionRestored = "connection-restored"
        case roleChange = "role-change"
        case failover
        case configChange = "config-change"
        case keyspaceDrop = "keyspace-drop"
        case evictionsStarted = "evictions-started"
        case memoryNearMax = "memory-near-max"
        case latencySpike = "latency-spike"
        case failOpen = "fail-open"
        case newFamily = "new-family"
        case deploy
        case marker
    }

    /// A number that identifies the event within one run (increasing).
    public var id: Int
    public var at: Date
    public var kind: Kind
    /// `ok` for informational events (a restored connection, a deploy), `warn`/`crit` otherwise.
    public var severity: AlertLevel
    /// One sentence for people (already escaped for display).
    public var message: String
    /// The numbers and names the message is built from, in a stable order.
    public var evidence: [(String, JSONValue)]

    public init(id: Int = 0, at: Date, kind: Kind, severity: AlertLevel, message: String, evidence: [(String, JSONValue)] = []) {
        self.id = id
        self.at = at
        self.kind = kind
        self.severity = severity
        self.message = message
        self.evidence = evidence
    }

    public static func == (lhs: Event, rhs: Event) -> Bool {
        lhs.id == rhs.id && lhs.at == rhs.at && lhs.kind == rhs.kind && lhs.severity == rhs.severity
            && lhs.message == rhs.message && JSONValue.object(lhs.evidence) == JSONValue.object(rhs.evidence)
    }

    /// One element of `events`: `{"at", "kind", "severity", "message", "evidence"}`.
    public var json: JSONValue {
        .object([("at", .string(ISOTime.format(at))), ("kind", .string(kind.rawValue)),
                 ("severity", .string(severity.rawValue)), ("message", .string(message)),
                 ("evidence", .object(evidence))])
    }

    /// The value of one evidence entry, nil when absent.
    public func evidence(_ key: String) -> JSONValue? {
        evidence.first { $0.0 == key }?.1
    }
}
