import Foundation

/// What changed between two snapshot documents: "what did this deploy do to the cache?"
///
/// Families are matched by DB and pattern (`(other)` is ignored). A family counts as changed when its
/// key count moved by at least `minimumChangeFraction` (and by more than one key), its TTL p50 moved by
/// at least `minimumChangeFraction` (and by at least a second), or its number of keys without TTL changed.
public struct CensusDiff: Equatable, Sendable {
    /// A family present in both documents whose numbers moved.
    public struct Change: Equatable, Sendable {
        public var name: String
        public var keysBefore: Int
        public var keysAfter: Int
        public var ttlP50SecondsBefore: Double?
        public var ttlP50SecondsAfter: Double?
        public var noTTLBefore: Int
        public var noTTLAfter: Int

        /// Relative change of the key count (after/before − 1); nil when there were none before.
        public var keysChangeFraction: Double? {
            keysBefore > 0 ? Double(keysAfter) / Double(keysBefore) - 1 : nil
        }

        public var json: JSONValue {
            .object([
                ("pattern", .string(name)),
                ("keys_before", .int(keysBefore)),
                ("keys_after", .int(keysAfter)),
                ("ttl_p50_before", .number(ttlP50SecondsBefore)),
                ("ttl_p50_after", .number(ttlP50SecondsAfter)),
                ("no_ttl_before", .int(noTTLBefore)),
                ("no_ttl_after", .int(noTTLAfter)),
            ])
        }
    }

    public var takenAtBefore: String?
    public var takenAtAfter: String?
    /// Families only in the second document, biggest first.
    public var appeared: [SnapshotSummary.Family]
    /// Families only in the first document, biggest first.
    public var vanished: [SnapshotSummary.Family]
    /// Families in both whose numbers moved, biggest absolute key change first.
    public var changed: [Change]
    /// Findings of the second document that the first did not have (by code and pattern).
    public var findingsNew: [SnapshotSummary.FindingSummary]
    /// Findings of the first document that the second no longer has.
    public var findingsResolved: [SnapshotSummary.FindingSummary]
    /// Sentences qualifying the comparison (partial censuses, a missing census).
    public var notes: [String]
    /// True when families are named with their DB (`db1 ratelimit:{id}`).
    public var namesCarryDatabase: Bool

    /// Compares two documents.
    public init(before: SnapshotSummary, after: SnapshotSummary, minimumChangeFraction: Double = 0.1) {
        takenAtBefore = before.takenAt
        takenAtAfter = after.takenAt
        let withDB = before.multipleDatabases || after.multipleDatabases
            || Set(before.families.map(\.db) + after.families.map(\.db)).count > 1
        namesCarryDatabase = withDB
        func name(_ family: SnapshotSummary.Family) -> String { withDB ? "db\(family.db) \(family.pattern)" : family.pattern }
        struct Key: Hashable { var db: Int; var pattern: String }
        var beforeByKey: [Key: SnapshotSummary.Family] = [:]
        for family in before.families { beforeByKey[Key(db: family.db, pattern: family.pattern)] = family }
        var afterByKey: [Key: SnapshotSummary.Family] = [:]
        for family in after.families { afterByKey[Key(db: family.db, pattern: family.pattern)] = family }

        let bySize: (SnapshotSummary.Family, SnapshotSummary.Family) -> Bool = {
            $0.keys != $1.keys ? $0.keys > $1.keys : name($0) < name($1)
        }
        appeared = after.families.filter { beforeByKey[Key(db: $0.db, pattern: $0.pattern)] == nil }.sorted(by: bySize)
        vanished = before.families.filter { afterByKey[Key(db: $0.db, pattern: $0.pattern)] == nil }.sorted(by: bySize)
        let threshold = max(0, minimumChangeFraction.isFinite ? minimumChangeFraction : 0.1)
        changed = after.families.compactMap { now -> Change? in
            guard let then = beforeByKey[Key(db: now.db, pattern: now.pattern)] else { return nil }
            let change = Change(name: name(now), keysBefore: then.keys, keysAfter: now.keys,
                                ttlP50SecondsBefore: then.ttlP50Seconds, ttlP50SecondsAfter: now.ttlP50Seconds,
                                noTTLBefore: then.noTTL, noTTLAfter: now.noTTL)
            return CensusDiff.isSignificant(change, threshold: threshold) ? change : nil
        }.sorted {
            let a = abs($0.keysAfter - $0.keysBefore), b = abs($1.keysAfter - $1.keysBefore)
            return a != b ? a > b : $0.name < $1.name
        }

        struct FindingKey: Hashable { var code: String; var pattern: String? }
        let beforeFindings = Set(before.findings.map { FindingKey(code: $0.code, pattern: $0.pattern) })
        let afterFindings = Set(after.findings.map { FindingKey(code: $0.code, pattern: $0.pattern) })
        findingsNew = after.findings.filter { !beforeFindings.contains(FindingKey(code: $0.code, pattern: $0.pattern)) }
        findingsResolved = before.findings.filter { !afterFindings.contains(FindingKey(code: $0.code, pattern: $0.pattern)) }

        var notes: [String] = []
        switch (before.hasCensus, after.hasCensus) {
        case (false, false): notes.append("Neither document has a census: only findings are compared.")
        case (false, true): notes.append("The first document has no census: every family shows as appeared.")
        case (true, false): notes.append("The second document has no census: every family shows as vanished.")
        case (true, true): break
        }
        if !before.partialDatabases.isEmpty || !after.partialDatabases.isEmpty {
            notes.append("A census was partial (a budgeted pass still running): small families may appear or vanish by sampling; compare `snapshot --json --full` documents for exact counts.")
        }
        self.notes = notes
    }

    /// True when a family's numbers moved enough to report.
    static func isSignificant(_ change: Change, threshold: Double) -> Bool {
        if change.noTTLBefore != change.noTTLAfter { return true }
        let keyDelta = abs(change.keysAfter - change.keysBefore)
        if keyDelta > 1 && Double(keyDelta) >= threshold * Double(max(change.keysBefore, 1)) { return true }
        switch (change.ttlP50SecondsBefore, change.ttlP50SecondsAfter) {
        case let (then?, now?):
            let delta = abs(now - then)
            return delta >= 1 && delta >= threshold * max(then, 1)
        case (nil, nil):
            return false
        default:
            return true
        }
    }

    /// The `--json` document (field order as in the README).
    public var json: JSONValue {
        func finding(_ item: SnapshotSummary.FindingSummary) -> JSONValue {
            .object([("severity", .string(item.severity)), ("code", .string(item.code)),
                     ("pattern", .text(item.pattern)), ("message", .string(item.message))])
        }
        func name(_ family: SnapshotSummary.Family) -> JSONValue {
            .string(namesCarryDatabase ? "db\(family.db) \(family.pattern)" : family.pattern)
        }
        return .object([
            ("appeared", .array(appeared.map(name))),
            ("vanished", .array(vanished.map(name))),
            ("changed", .array(changed.map(\.json))),
            ("findings_new", .array(findingsNew.map(finding))),
            ("findings_resolved", .array(findingsResolved.map(finding))),
            ("before", .object([("taken_at", .text(takenAtBefore))])),
            ("after", .object([("taken_at", .text(takenAtAfter))])),
            ("appeared_keys", .array(appeared.map { .object([("pattern", name($0)), ("keys", .int($0.keys))]) })),
            ("vanished_keys", .array(vanished.map { .object([("pattern", name($0)), ("keys", .int($0.keys))]) })),
            ("notes", .array(notes.map { .string($0) })),
        ])
    }

    /// True when nothing appeared, vanished, changed, or was newly found.
    public var isEmpty: Bool {
        appeared.isEmpty && vanished.isEmpty && changed.isEmpty && findingsNew.isEmpty && findingsResolved.isEmpty
    }
}
