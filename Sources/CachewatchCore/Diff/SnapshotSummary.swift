import Foundation

/// What `cachewatch diff` needs from one `snapshot --json` document: families and findings.
///
/// Decoded leniently (unknown fields ignored, newer schemas read) and defensively: every number is
/// checked (finite, clamped) because the file may come from anywhere.
public struct SnapshotSummary: Equatable, Sendable {
    /// One family as the document reported it.
    public struct Family: Equatable, Sendable {
        public var db: Int
        public var pattern: String
        public var keys: Int
        public var noTTL: Int
        public var ttlP50Seconds: Double?

        public init(db: Int, pattern: String, keys: Int, noTTL: Int, ttlP50Seconds: Double?) {
            self.db = db
            self.pattern = pattern
            self.keys = keys
            self.noTTL = noTTL
            self.ttlP50Seconds = ttlP50Seconds
        }
    }

    /// One finding as the document reported it.
    public struct FindingSummary: Equatable, Sendable {
        public var severity: String
        public var code: String
        public var pattern: String?
        public var message: String

        public init(severity: String, code: String, pattern: String?, message: String) {
            self.severity = severity
            self.code = code
            self.pattern = pattern
            self.message = message
        }
    }

    /// `taken_at` as written (ISO-8601), nil when absent.
    public var takenAt: String?
    /// Every family of every census in the document, in document order.
    public var families: [Family]
    /// DBs whose census was partial (a budgeted pass that had not finished).
    public var partialDatabases: [Int]
    /// True when the document had a census at all.
    public var hasCensus: Bool
    /// True when the document holds censuses of more than one DB.
    public var multipleDatabases: Bool
    public var findings: [FindingSummary]

    public init(takenAt: String?, families: [Family], partialDatabases: [Int], hasCensus: Bool,
                multipleDatabases: Bool, findings: [FindingSummary]) {
        self.takenAt = takenAt
        self.families = families
        self.partialDatabases = partialDatabases
        self.hasCensus = hasCensus
        self.multipleDatabases = multipleDatabases
        self.findings = findings
    }

    /// Why a document could not be read, as one sentence naming it.
    public struct DecodeError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Decodes a document; `name` (already escaped for display) is used in the error sentence.
    public static func decode(_ data: Data, name: String) throws -> SnapshotSummary {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch DecodingError.dataCorrupted {
            throw DecodeError(description: "\(name) is not valid JSON (expected the output of `cachewatch snapshot --json`).")
        } catch {
            throw DecodeError(description: "\(name) is not a cachewatch snapshot document (\(Self.reason(error))).")
        }
        guard document.schema != nil else {
            throw DecodeError(description: "\(name) is not a cachewatch snapshot document (it has no \"schema\" field).")
        }
        let censuses = document.censuses ?? document.census.map { [$0] } ?? []
        var families: [Family] = []
        var partial: [Int] = []
        for census in censuses {
            let db = Self.bounded(census.db) ?? 0
            if census.complete == false { partial.append(db) }
            for family in census.families ?? [] {
                guard let pattern = family.pattern, pattern != "(other)" else { continue }
                families.append(Family(db: db, pattern: pattern, keys: Self.bounded(family.keys) ?? 0,
                                       noTTL: Self.bounded(family.no_ttl) ?? 0,
                                       ttlP50Seconds: Self.finite(family.ttl_seconds?.p50)))
            }
        }
        let findings = (document.findings ?? []).compactMap { finding -> FindingSummary? in
            guard let code = finding.code else { return nil }
            return FindingSummary(severity: finding.severity ?? "warn", code: code, pattern: finding.pattern,
                                  message: finding.message ?? "")
        }
        return SnapshotSummary(takenAt: document.taken_at, families: families, partialDatabases: partial,
                               hasCensus: !censuses.isEmpty, multipleDatabases: Set(censuses.map { Self.bounded($0.db) ?? 0 }).count > 1,
                               findings: findings)
    }

    // MARK: - Bounds

    /// A count from the file: finite, clamped to 0…2^53, nil when absent or not a number.
    static func bounded(_ value: Double?) -> Int? {
        guard let value, value.isFinite else { return nil }
        return Int(min(max(value, 0), 9_007_199_254_740_992).rounded())
    }

    /// A finite double, nil otherwise.
    static func finite(_ value: Double?) -> Double? {
        guard let value, value.isFinite else { return nil }
        return value
    }

    private static func reason(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "unreadable" }
        switch error {
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .keyNotFound(_, context), let .dataCorrupted(context):
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? "unexpected shape" : "unexpected value at \(path)"
        @unknown default:
            return "unexpected shape"
        }
    }

    // MARK: - The decoded shape (only the fields diff reads)

    private struct Document: Decodable {
        var schema: Double?
        var taken_at: String?
        var census: Census?
        var censuses: [Census]?
        var findings: [FindingShape]?
    }

    private struct Census: Decodable {
        var db: Double?
        var complete: Bool?
        var families: [FamilyShape]?
    }

    private struct FamilyShape: Decodable {
        var pattern: String?
        var keys: Double?
        var no_ttl: Double?
        var ttl_seconds: TTLShape?
    }

    private struct TTLShape: Decodable {
        var p50: Double?
    }

    private struct FindingShape: Decodable {
        var severity: String?
        var code: String?
        var pattern: String?
        var message: String?
    }
}
