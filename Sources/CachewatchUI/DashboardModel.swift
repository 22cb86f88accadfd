import CachewatchCore
import Foundation

/// The header's numbers, mapped by the lead from INFO (nil = not known yet).
public struct HeaderInfo: Equatable, Sendable {
    /// `host:port` or socket path (never a password).
    public var address: String
    public var db: Int
    public var redisVersion: String?
    /// What is watched, shown before the version and in outage lines: `redis` or `memcached`.
    public var product = "redis"
    /// `master`, `replica`, `cluster` …
    public var role: String?
    public var uptimeSeconds: Double?
    public var connection: ConnectionState
    public var opsPerSecond: Double?
    /// Keyspace hits / (hits + misses), 0…1, over the last interval.
    public var hitRatio: Double?
    public var usedMemoryBytes: Double?
    /// `maxmemory`; nil or 0 when unlimited.
    public var maxMemoryBytes: Double?
    public var evictedPerSecond: Double?
    public var expiredPerSecond: Double?
    public var clients: Int?
    public var blockedClients: Int?
    public var pingMilliseconds: Double?
    public var keysTotal: Int?
    /// The application's `SCAN` calls per second (cachewatch's own taken out): pattern invalidation cost.
    public var appScanPerSecond: Double?
    /// `DEL` calls per second (all the application's), shown next to the SCAN rate.
    public var delPerSecond: Double?
    /// The server's name (`redis`, `valkey`, `dragonfly` …; nil: `redis`), shown before `redisVersion`,
    /// which then holds that server's own version (`valkey 8.1.8`, not its `redis_version` 7.2.4).
    public var serverName: String?
    /// Other cachewatch processes whose load is in these rates (`rates include 2 other cachewatch`); nil: unknown.
    public var otherCachewatch: Int?
    /// Seconds since Redis last answered while it should have (the header says `slow`); nil while on time.
    public var staleSeconds: Double?
    /// Several databases watched (`-n 0,1,3` / `-n all`): shown after the address instead of `db`, and `keysTotal`
    /// is summed over them; nil for one database.
    public var databasesLabel: String?

    public init(address: String, db: Int = 0, redisVersion: String? = nil, role: String? = nil, uptimeSeconds: Double? = nil,
                connection: ConnectionState = .connecting, opsPerSecond: Double? = nil, hitRatio: Double? = nil,
                usedMemoryBytes: Double? = nil, maxMemoryBytes: Double? = nil, evictedPerSecond: Double? = nil,
                expiredPerSecond: Double? = nil, clients: Int? = nil, blockedClients: Int? = nil,
                pingMilliseconds: Double? = nil, keysTotal: Int? = nil, appScanPerSecond: Double? = nil,
                delPerSecond: Double? = nil, serverName: String? = nil) {
        self.address = address
        self.db = db
        self.redisVersion = redisVersion
        self.role = role
        self.uptimeSeconds = uptimeSeconds
        self.connection = connection
        self.opsPerSecond = opsPerSecond
        self.hitRatio = hitRatio
        self.usedMemoryBytes = usedMemoryBytes
        self.maxMemoryBytes = maxMemoryBytes
        self.evictedPerSecond = evictedPerSecond
        self.expiredPerSecond = expiredPerSecond
        self.clients = clients
        self.blockedClients = blockedClients
        self.pingMilliseconds = pingMilliseconds
        self.keysTotal = keysTotal
        self.appScanPerSecond = appScanPerSecond
        self.delPerSecond = delPerSecond
        self.serverName = serverName
    }
}

/// Sparkline series for the header, oldest first (the lead keeps them in `RingBuffer`s: last hour at 1 s).
public struct HeaderHistories: Equatable, Sendable {
    public var opsPerSecond: [Double]
    public var hitRatio: [Double]
    public var usedMemoryBytes: [Double]
    public var evictedPerSecond: [Double]
    public var expiredPerSecond: [Double]
    public var clients: [Double]
    public var pingMilliseconds: [Double]
    /// When the samples were taken, oldest first, aligned with the series at their newest end (a series longer than
    /// this has no time for its oldest samples). Places event markers on the sparklines; empty: no markers.
    public var sampleTimes: [Date]

    public init(opsPerSecond: [Double] = [], hitRatio: [Double] = [], usedMemoryBytes: [Double] = [],
                evictedPerSecond: [Double] = [], expiredPerSecond: [Double] = [], clients: [Double] = [],
                pingMilliseconds: [Double] = [], sampleTimes: [Date] = []) {
        self.opsPerSecond = opsPerSecond
        self.hitRatio = hitRatio
        self.usedMemoryBytes = usedMemoryBytes
        self.evictedPerSecond = evictedPerSecond
        self.expiredPerSecond = expiredPerSecond
        self.clients = clients
        self.pingMilliseconds = pingMilliseconds
        self.sampleTimes = sampleTimes
    }
}

/// A census pass in progress (shown in the families pane title).
public struct CensusProgress: Equatable, Sendable {
    public var running: Bool
    /// True for a full (as fast as possible) pass, false for the budgeted background walk.
    public var full: Bool
    public var scannedKeys: Int
    public var dbsizeKeys: Int
    public var keysPerSecond: Double
    public var etaSeconds: Double?
    /// Between passes: seconds since the shown complete pass completed (its TTLs are aged by this much).
    public var completedSecondsAgo: Double?
    /// Between passes: seconds until the next pass is due (nil: unknown or due now).
    public var nextPassInSeconds: Double?
    /// The budgeted pass is held at its slowest pace: other clients keep the server busy.
    public var yielding = false

    public init(running: Bool, full: Bool = false, scannedKeys: Int, dbsizeKeys: Int, keysPerSecond: Double, etaSeconds: Double? = nil) {
        self.running = running
        self.full = full
        self.scannedKeys = scannedKeys
        self.dbsizeKeys = dbsizeKeys
        self.keysPerSecond = keysPerSecond
        self.etaSeconds = etaSeconds
    }
}

/// Levels at which header numbers turn `warn` / `crit`.
public struct Thresholds: Equatable, Sendable {
    public var memoryWarnFraction: Double
    public var memoryCritFraction: Double
    /// Hit ratios below these are warn / crit.
    public var hitRatioWarn: Double
    public var hitRatioCrit: Double
    public var pingWarnMilliseconds: Double
    public var pingCritMilliseconds: Double
    /// The application's SCAN calls per second above which `scan/s` turns warn (and `pattern-invalidation` is reported):
    /// each pattern invalidation walks the keyspace 100 keys per SCAN, so 10/s is already a steady scan of it.
    public var appScanWarnPerSecond: Double

    public init(memoryWarnFraction: Double = 0.80, memoryCritFraction: Double = 0.95, hitRatioWarn: Double = 0.80,
                hitRatioCrit: Double = 0.50, pingWarnMilliseconds: Double = 10, pingCritMilliseconds: Double = 100,
                appScanWarnPerSecond: Double = RateFindings.defaultScanWarnPerSecond) {
        self.memoryWarnFraction = memoryWarnFraction
        self.memoryCritFraction = memoryCritFraction
        self.hitRatioWarn = hitRatioWarn
        self.hitRatioCrit = hitRatioCrit
        self.pingWarnMilliseconds = pingWarnMilliseconds
        self.pingCritMilliseconds = pingCritMilliseconds
        self.appScanWarnPerSecond = appScanWarnPerSecond
    }
}

/// Everything the dashboard shows, as one value (theme-independent). The lead builds it from the workers' snapshots.
public struct DashboardModel: Equatable, Sendable {
    public var header: HeaderInfo
    public var histories: HeaderHistories
    public var census: CensusReport?
    public var censusProgress: CensusProgress?
    public var logs: LogsReport?
    public var findings: [Finding]
    /// The wall clock of this frame (drawn in the header, used for "since" ages).
    public var now: Date
    /// Time zone for clock times (fixed in tests so goldens are deterministic).
    public var timeZone: TimeZone
    public var thresholds: Thresholds
    /// The collectors are paused (the display is frozen).
    public var paused: Bool
    /// A short transient message, e.g. "full census started" (escaped by the renderer).
    public var notice: String?
    /// Redis ≥ 8 `INFO keysizes` histograms of the watched DB (empty before Redis 8): the family detail view
    /// shows the DB-wide size distribution of the family's types next to the census's own numbers.
    public var keySizes: [KeySizeHistogram] = []
    /// A standing problem in one sentence (a census error, INFO denied): shown in the footer row until it clears,
    /// never over the header.
    public var problem: String?
    /// The timeline, newest first (the events pane, `e`).
    public var events: [Event] = []
    /// Redis Cluster: every node's row (primaries first); empty for a single server.
    public var clusterNodes: [ClusterNodeStatus] = []
    /// Redis Cluster: each node's ops/s over the last minutes, oldest first, by address (the nodes pane's sparklines).
    public var clusterNodeOps: [String: [Double]] = [:]

    public init(header: HeaderInfo, histories: HeaderHistories = HeaderHistories(), census: CensusReport? = nil,
                censusProgress: CensusProgress? = nil, logs: LogsReport? = nil, findings: [Finding] = [],
                now: Date, timeZone: TimeZone = .current, thresholds: Thresholds = Thresholds(), paused: Bool = false,
                notice: String? = nil) {
        self.header = header
        self.histories = histories
        self.census = census
        self.censusProgress = censusProgress
        self.logs = logs
        self.findings = findings
        self.now = now
        self.timeZone = timeZone
        self.thresholds = thresholds
        self.paused = paused
        self.notice = notice
    }

    /// The families shown for a UI state: filtered by the state's filter text, sorted by its sort key, `(other)` last.
    public func visibleFamilies(_ state: DashboardState) -> [FamilyReport] {
        guard let census else { return [] }
        let needle = state.filter.lowercased()
        var rows = census.families.filter { needle.isEmpty || $0.pattern.lowercased().contains(needle) }
        if let node = state.nodeFilter {
            // `n`: the families of one cluster node, with that node's keys.
            rows = rows.compactMap { family in
                guard let keys = family.nodeKeys?[node], keys > 0 else { return nil }
                var row = family
                row.keys = keys
                return row
            }
        }
        let other = rows.filter { $0.pattern == "(other)" }
        rows.removeAll { $0.pattern == "(other)" }
        switch state.sort {
        case .keys, .share: rows.sort { ($0.keys, $1.pattern) > ($1.keys, $0.pattern) }
        case .noTTL: rows.sort { ($0.noTTL, $0.keys) > ($1.noTTL, $1.keys) }
        case .ttlP50: rows.sort { ($0.ttlP50Seconds ?? .infinity, $0.keys) < ($1.ttlP50Seconds ?? .infinity, $1.keys) }
        case .memory: rows.sort { ($0.memoryBytes ?? -1, $0.keys) > ($1.memoryBytes ?? -1, $1.keys) }
        case .pattern: rows.sort { $0.pattern < $1.pattern }
        }
        return rows + other
    }

    /// The findings about one family.
    public func findings(for pattern: String) -> [Finding] { findings.filter { $0.pattern == pattern } }
}
