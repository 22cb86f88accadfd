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

    public init(severity: AlertLevel, code: String, pattern: String?, message: String) {
        self.severity = severity
        self.code = code
        self.pattern = pattern
        self.message = message
    }

    public var json: JSONValue {
        .object([("severity", .string(severity.rawValue)), ("code", .string(code)),
                 ("pattern", .text(pattern)), ("message", .string(message))])
    }
}
