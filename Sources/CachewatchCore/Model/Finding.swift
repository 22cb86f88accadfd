/// Something cachewatch noticed that an operator should know (a lockstep wave, a family without TTLs …).
public struct Finding: Equatable, Sendable {
    /// `ok` is used for informational notes; `warn`/`crit` colour the row.
    public var severity: AlertLevel
    /// A stable machine name such as `lockstep-expiry` or `no-ttl`.
    public var code: String
    /// The family it concerns, nil for keyspace-wide findings.
    public var pattern: String?
    /// One sentence for people (already escaped for display).
    public var message: String
    /// The numbers the message is built from, in a stable order (JSON `evidence`).
    public var evidence: [FindingEvidence]
    /// The database of the family, when several are watched (`-n 0,1,3`, `-n all`; JSON `db`, added last); nil otherwise.
    public var db: Int?

    public init(severity: AlertLevel, code: String, pattern: String?, message: String, evidence: [FindingEvidence] = []) {
        self.severity = severity
        self.code = code
        self.pattern = pattern
        self.message = message
        self.evidence = evidence
    }

    /// One number of the evidence, nil when absent.
    public func evidence(_ name: String) -> Double? { evidence.first { $0.name == name }?.value }

    /// The pattern as the dashboard and `check` show it: `db1 ratelimit:{id}` when several databases are watched.
    public var displayPattern: String? {
        guard let pattern else { return nil }
        return db.map { "db\($0) \(pattern)" } ?? pattern
    }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("severity", .string(severity.rawValue)), ("code", .string(code)),
                                            ("pattern", .text(pattern)), ("message", .string(message)),
                                            ("evidence", .object(evidence.map { ($0.name, $0.json) }))]
        if let db { pairs.append(("db", .int(db))) }
        return .object(pairs)
    }
}

/// One named number behind a finding (`keys`, `hit_ratio`, `evicted_per_second` …).
public struct FindingEvidence: Equatable, Sendable {
    public var name: String
    public var value: Double

    public init(_ name: String, _ value: Double) {
        self.name = name
        self.value = value
    }

    public init(_ name: String, _ value: Int) {
        self.init(name, Double(value))
    }

    /// Whole numbers as JSON integers, others as doubles; non-finite values as null.
    var json: JSONValue {
        guard value.isFinite else { return .null }
        if value == value.rounded(), abs(value) < 9e15 { return .int(Int(value)) }
        return .double(value)
    }
}
