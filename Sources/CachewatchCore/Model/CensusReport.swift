/// The result of a keyspace census (`census` in the snapshot JSON).
public struct CensusReport: Equatable, Sendable {
    public var db: Int
    /// True when a full SCAN pass completed (counts are exact, not scaled).
    public var complete: Bool
    /// Keys read by SCAN in this pass (duplicates removed where known).
    public var scannedKeys: Int
    /// Keys estimated in the DB (DBSIZE-scaled when the pass is partial).
    public var estimatedKeys: Int
    /// Keys DBSIZE reported when the pass started (progress denominator).
    public var dbsizeKeys: Int
    /// Scan speed in keys per second over the pass so far.
    public var keysPerSecond: Double
    /// Families sorted by keys, descending; an `(other)` row last when capped.
    public var families: [FamilyReport]
    /// Keys expiring in each of the next 60 minutes (all families).
    public var forecast: [Int]
    /// Why a column is missing (e.g. MEMORY USAGE denied by ACL), one sentence each.
    public var notes: [String]
    /// Redis Cluster: each primary's part of the pass (nil for a single server).
    public var clusterNodes: [ClusterCensusNode]?
    /// Redis Cluster: hash slots whose keys this pass did not read (a node down); nil for a single server.
    public var uncoveredSlots: [SlotRange]?

    public init(db: Int, complete: Bool, scannedKeys: Int, estimatedKeys: Int, dbsizeKeys: Int = 0,
                keysPerSecond: Double = 0, families: [FamilyReport], forecast: [Int], notes: [String] = []) {
        self.db = db
        self.complete = complete
        self.scannedKeys = scannedKeys
        self.estimatedKeys = estimatedKeys
        self.dbsizeKeys = dbsizeKeys
        self.keysPerSecond = keysPerSecond
        self.families = families
        self.forecast = forecast
        self.notes = notes
    }

    /// A census that could not run (SCAN or PTTL denied, …): no families, and the reason as its only note.
    public static func unavailable(db: Int, reason: String) -> CensusReport {
        CensusReport(db: db, complete: false, scannedKeys: 0, estimatedKeys: 0, families: [],
                     forecast: Array(repeating: 0, count: 60), notes: [reason])
    }

    /// The report to show once `incoming` arrives: a complete report stays until the next complete one, so the partial
    /// reports of a pass started later (`F`, `m`, the budgeted walk resuming) never replace exact counts with estimates.
    public static func shown(current: CensusReport?, incoming: CensusReport) -> CensusReport {
        guard let current, current.complete, !incoming.complete else { return incoming }
        return current
    }

    /// The `census` object of the snapshot document.
    public var json: JSONValue {
        .object([
            ("db", .int(db)),
            ("complete", .bool(complete)),
            ("scanned_keys", .int(scannedKeys)),
            ("estimated_keys", .int(estimatedKeys)),
            ("families", .array(families.map(\.json))),
            ("forecast", .array(forecast.enumerated().map { .object([("minute", .int($0.offset + 1)), ("keys", .int($0.element))]) })),
            ("notes", .array(notes.map(JSONValue.string))),
        ] + clusterJSON)
    }
}

/// One key family's statistics (an element of `census.families`).
public struct FamilyReport: Equatable, Sendable {
    /// The inferred pattern, e.g. `widget:{id}` (already safe to display).
    public var pattern: String
    /// Estimated keys in the DB.
    public var keys: Int
    /// Keys actually sampled.
    public var sampled: Int
    /// Fraction of the keyspace, 0…1.
    public var share: Double
    /// Redis type → estimated count, e.g. `string`.
    public var types: [String: Int]
    /// Estimated keys without a TTL.
    public var noTTL: Int
    public var ttlMinSeconds: Double?
    public var ttlP50Seconds: Double?
    public var ttlP90Seconds: Double?
    public var ttlMaxSeconds: Double?
    /// Log2 buckets; `upperSeconds == nil` is the no-TTL bucket.
    public var ttlHistogram: [TTLBucket]
    /// The guide's bands: ≤2m, ≤5m, ≤15m, ≤1h, ≤24h, >24h, none (7 counts).
    public var ttlBands: [Int]
    /// Estimated bytes when MEMORY USAGE was sampled.
    public var memoryBytes: Int?
    /// Up to three example keys, escaped for display.
    public var examples: [String]
    /// Keys expiring in each of the next 60 minutes.
    public var forecast: [Int]
    /// A lockstep wave, if any (many keys expiring within a few seconds).
    public var lockstep: LockstepWave?
    /// Paginated families: the longest TTL seen per page number (pages 1–10 with ≥ 5 TTL keys); feeds the
    /// `mixed-ttl-pages` finding. Not part of the JSON.
    public var ttlMaxSecondsByPage: [Int: Double] = [:]
    /// `examples` with the type, TTL and size read for each (not in the JSON, whose `examples` are strings).
    public var exampleKeys: [ExampleKey] = []
    /// String values looked at (`STRLEN`, `GETRANGE` of ≤ 13 bytes), at most 64 per family and pass; the
    /// value counts below are estimated from them (0 when none was looked at).
    public var valuesProbed = 0
    /// Estimated keys holding the negative-cache sentinel `__NOT_FOUND__`.
    public var negativeCacheKeys = 0
    /// Estimated `__NOT_FOUND__` keys living longer than the guide's 120 s (a longer TTL, or none).
    public var negativeCacheLongTTLKeys = 0
    /// Estimated `__NOT_FOUND__` keys without a TTL.
    public var negativeCacheNoTTL = 0
    /// The longest TTL seen on a probed `__NOT_FOUND__` key (nil when none with a TTL was seen).
    public var negativeCacheMaxTTLSeconds: Double?
    /// Estimated keys whose value Python treats as false (`[]`, `{}`, `0`, `""` …): read back as misses.
    public var falsyValueKeys = 0
    /// Paginated families only: the remaining TTLs, for `mixed-ttl-pages` (not in the JSON).
    public var ttlProfile: TTLProfile?
    /// Memcached: estimated keys written and never read since (`fetch=no`); nil for Redis (not known).
    public var neverReadKeys: Int?
    /// Redis Cluster: node address → estimated keys of this family on it (nil for a single server).
    public var nodeKeys: [String: Int]?

    public init(pattern: String, keys: Int, sampled: Int, share: Double, types: [String: Int], noTTL: Int,
                ttlMinSeconds: Double? = nil, ttlP50Seconds: Double? = nil, ttlP90Seconds: Double? = nil,
                ttlMaxSeconds: Double? = nil, ttlHistogram: [TTLBucket] = [], ttlBands: [Int] = Array(repeating: 0, count: 7),
                memoryBytes: Int? = nil, examples: [String] = [], forecast: [Int] = Array(repeating: 0, count: 60),
                lockstep: LockstepWave? = nil) {
        self.pattern = pattern
        self.keys = keys
        self.sampled = sampled
        self.share = share
        self.types = types
        self.noTTL = noTTL
        self.ttlMinSeconds = ttlMinSeconds
        self.ttlP50Seconds = ttlP50Seconds
        self.ttlP90Seconds = ttlP90Seconds
        self.ttlMaxSeconds = ttlMaxSeconds
        self.ttlHistogram = ttlHistogram
        self.ttlBands = ttlBands
        self.memoryBytes = memoryBytes
        self.examples = examples
        self.forecast = forecast
        self.lockstep = lockstep
    }

    /// An element of `census.families`.
    public var json: JSONValue {
        .object([
            ("pattern", .string(pattern)),
            ("keys", .int(keys)),
            ("sampled", .int(sampled)),
            ("share", .double(share)),
            ("types", .object(types.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("no_ttl", .int(noTTL)),
            ("ttl_seconds", .object([
                ("min", .number(ttlMinSeconds)), ("p50", .number(ttlP50Seconds)),
                ("p90", .number(ttlP90Seconds)), ("max", .number(ttlMaxSeconds)),
            ])),
            ("ttl_histogram", .array(ttlHistogram.map(\.json))),
            ("ttl_bands", .array(zip(TTLBands.names, ttlBands).map { .object([("band", .string($0.0)), ("keys", .int($0.1))]) })),
            ("memory_bytes", .integer(memoryBytes)),
            ("examples", .array(examples.map(JSONValue.string))),
            ("lockstep", lockstep?.json ?? .null),
            ("values_probed", .int(valuesProbed)),
            ("negative_cache", .object([
                ("keys", .int(negativeCacheKeys)), ("long_ttl", .int(negativeCacheLongTTLKeys)),
                ("no_ttl", .int(negativeCacheNoTTL)), ("max_ttl_seconds", .number(negativeCacheMaxTTLSeconds)),
            ])),
            ("falsy_values", .int(falsyValueKeys)),
            ("never_read", .integer(neverReadKeys)),
        ] + (nodeKeys.map { [("nodes", JSONValue.object($0.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }))] } ?? []))
    }
}

/// An example key with what the census read for it (for the family detail view).
public struct ExampleKey: Equatable, Sendable {
    /// The key, escaped for display.
    public var key: String
    public var type: String?
    /// TTL when the census read it; nil for a key without TTL.
    public var ttlSeconds: Double?
    public var memoryBytes: Int?

    public init(key: String, type: String?, ttlSeconds: Double?, memoryBytes: Int?) {
        self.key = key
        self.type = type
        self.ttlSeconds = ttlSeconds
        self.memoryBytes = memoryBytes
    }
}

/// One TTL histogram bucket: keys whose TTL is ≤ `upperSeconds` (and above the previous bucket).
public struct TTLBucket: Equatable, Sendable {
    /// Upper bound in seconds; nil for keys without a TTL.
    public var upperSeconds: Double?
    public var keys: Int

    public init(upperSeconds: Double?, keys: Int) {
        self.upperSeconds = upperSeconds
        self.keys = keys
    }

    public var json: JSONValue { .object([("upper_seconds", .number(upperSeconds)), ("keys", .int(keys))]) }
}

/// The guide's TTL bands, in the order `FamilyReport.ttlBands` counts them.
public enum TTLBands {
    public static let names = ["<=2m", "<=5m", "<=15m", "<=1h", "<=24h", ">24h", "none"]
    /// Upper bounds in seconds of the six timed bands.
    public static let upperSeconds: [Double] = [120, 300, 900, 3600, 86400, .infinity]

    /// The band index (0…6) of a TTL in seconds; nil TTL → 6 (none).
    public static func index(ttlSeconds: Double?) -> Int {
        guard let ttlSeconds else { return 6 }
        return upperSeconds.firstIndex { ttlSeconds <= $0 } ?? 5
    }
}

/// Many keys of one family expiring inside a short window: a stampede in waiting.
public struct LockstepWave: Equatable, Sendable {
    /// Seconds from the census until the wave starts.
    public var startsInSeconds: Double
    /// Width of the window holding the keys.
    public var windowSeconds: Double
    /// Estimated keys in the wave.
    public var keys: Int
    /// Their fraction of the family's keys that have a TTL.
    public var fraction: Double

    public init(startsInSeconds: Double, windowSeconds: Double, keys: Int, fraction: Double) {
        self.startsInSeconds = startsInSeconds
        self.windowSeconds = windowSeconds
        self.keys = keys
        self.fraction = fraction
    }

    public var json: JSONValue {
        .object([("starts_in_seconds", .double(startsInSeconds)), ("window_seconds", .double(windowSeconds)),
                 ("keys", .int(keys)), ("fraction", .double(fraction))])
    }
}
