/// How a census walks the keyspace.
public struct CensusOptions: Sendable, Equatable {
    /// Full: one pass as fast as possible. Budgeted: at most `keysPerSecond`, walking continuously.
    public enum Mode: Sendable, Equatable {
        case full
        case budgeted(keysPerSecond: Int)
    }

    /// The logical database to census (the runner opens a client on it if the given client uses another).
    public var db: Int
    public var mode: Mode
    /// Also sample `MEMORY USAGE key SAMPLES 0` for every key (`--memory`).
    public var memory: Bool
    /// `SCAN … COUNT n` in full mode while other clients use the server (default 10, `fullScanCount`; budgeted mode
    /// uses `budgetPagesPerSecond` pages a second of 10…`scanCount` keys, default at most 64). Small on purpose: one
    /// SCAN runs as a single command, and each key it returns costs Redis about 2 µs (measured on Redis 7.0 with 1 M
    /// keys: COUNT 64 held every other client for 110–124 µs, COUNT 1000 for 2 ms).
    public var scanCount: Int
    /// Budgeted: the budget is spread over this many pages a second (500: a page of 10 keys every 2 ms at the default
    /// budget, its SCAN and its 20 lookups in two writes, `PipelineWindow.budgeted`; the idle bench of 2026-11-30
    /// measured the app's p99 at 0.383 ms next to 500 pages in one write each and 0.679 ms next to 160 pages of 31 keys,
    /// whose longer writes each hold Redis longer).
    public var budgetPagesPerSecond: Int
    /// How many commands a pass writes at once and keeps in flight (bounded pipeline depth, both modes; full mode
    /// uses it while other clients use the server).
    public var pipelineWindow: PipelineWindow
    /// Full mode: watch whether other clients use the server (`CensusDepthPolicy`, `INFO commandstats` on a second
    /// connection 10 times a second) and, while nobody does, read with `deepScanCount` and `deepPipelineWindow`.
    public var trafficAware: Bool
    /// Full mode on an otherwise idle server: `SCAN … COUNT n`.
    public var deepScanCount: Int
    /// Full mode on an otherwise idle server: the pipeline window (a whole next page queued).
    public var deepPipelineWindow: PipelineWindow
    /// At most this many families (the rest go to `(other)`).
    public var maxFamilies: Int
    /// Partial reports are published at most this often.
    public var publishIntervalSeconds: Double
    /// Budgeted: PING above this halves the pace; below half of it the pace recovers.
    public var pingBackoffMilliseconds: Double
    /// Budgeted: a new pass starts at least this long after the previous one started (tiny keyspaces).
    public var minimumPassSeconds: Double

    /// Full mode's SCAN COUNT while other clients use the server (the default of `scanCount` in full mode).
    public static let fullScanCount = 10
    /// Budgeted mode's largest page (the default of `scanCount` in budgeted mode).
    public static let budgetedMaxScanCount = 64

    /// `scanCount` and `pipelineWindow` default by mode: full mode `fullScanCount` and `PipelineWindow.shallow`,
    /// budgeted mode `budgetedMaxScanCount` and `PipelineWindow.budgeted`.
    public init(db: Int = 0, mode: Mode = .budgeted(keysPerSecond: 5000), memory: Bool = false, scanCount: Int? = nil,
                maxFamilies: Int = 200, publishIntervalSeconds: Double = 0.25, pingBackoffMilliseconds: Double = 10,
                minimumPassSeconds: Double = 5, budgetPagesPerSecond: Int = 500, pipelineWindow: PipelineWindow? = nil,
                trafficAware: Bool = true, deepScanCount: Int = 1000, deepPipelineWindow: PipelineWindow = .deep) {
        let isFull = mode == .full
        self.db = db
        self.mode = mode
        self.memory = memory
        self.scanCount = scanCount ?? (isFull ? Self.fullScanCount : Self.budgetedMaxScanCount)
        self.maxFamilies = maxFamilies
        self.publishIntervalSeconds = publishIntervalSeconds
        self.pingBackoffMilliseconds = pingBackoffMilliseconds
        self.minimumPassSeconds = minimumPassSeconds
        self.budgetPagesPerSecond = max(1, budgetPagesPerSecond)
        self.pipelineWindow = pipelineWindow ?? (isFull ? .shallow : .budgeted)
        self.trafficAware = trafficAware
        self.deepScanCount = max(1, deepScanCount)
        self.deepPipelineWindow = deepPipelineWindow
    }

    /// Budgeted mode while yielding to a busy server: pages of half a second at the floor's pace (50 keys at the default
    /// budget, at least `effectiveScanCount`, at most `scanCount`), so the census wakes and holds Redis 4 times a second
    /// instead of 20: a page of 10 keys every 0.1 s held the app's requests briefly 20 times a second, and a page of
    /// 50 every 0.5 s holds about 0.1 ms 4 times a second (about 0.1 % of the app's requests at 50,000 a second, not
    /// enough to reach its p99).
    func yieldingScanCount(floorKeysPerSecond: Double) -> Int {
        let halfSecond = floorKeysPerSecond.isFinite ? Int(min(1_000_000, max(0, floorKeysPerSecond / 2))) : 0
        return max(effectiveScanCount, min(halfSecond, max(1, scanCount)))
    }

    /// The SCAN COUNT this mode uses.
    var effectiveScanCount: Int {
        switch mode {
        case .full: return max(1, scanCount)
        case .budgeted(let keysPerSecond): return min(max(10, keysPerSecond / max(1, budgetPagesPerSecond)), max(1, scanCount))
        }
    }
}

/// Where a census pass is (for the progress line: scanned / DBSIZE, keys/s, ETA).
public struct CensusProgress: Sendable, Equatable {
    /// 1 for the first pass.
    public var pass: Int
    public var scannedKeys: Int
    /// DBSIZE when the pass started.
    public var dbsizeKeys: Int
    public var keysPerSecond: Double
    /// Seconds left at the current rate (nil before any rate is known or when done).
    public var etaSeconds: Double?
    /// Budgeted mode: the current pace after latency back-off (nil in full mode).
    public var budgetKeysPerSecond: Double?
    public var complete: Bool
    /// Budgeted mode: other clients keep the server busy and the pace is held at its floor (`ServerLoadGauge`).
    public var yielding: Bool

    public init(pass: Int, scannedKeys: Int, dbsizeKeys: Int, keysPerSecond: Double, etaSeconds: Double?,
                budgetKeysPerSecond: Double?, complete: Bool, yielding: Bool = false) {
        self.yielding = yielding
        self.pass = pass
        self.scannedKeys = scannedKeys
        self.dbsizeKeys = dbsizeKeys
        self.keysPerSecond = keysPerSecond
        self.etaSeconds = etaSeconds
        self.budgetKeysPerSecond = budgetKeysPerSecond
        self.complete = complete
    }

    /// 0…1 of DBSIZE (1 when complete).
    public var fraction: Double {
        if complete { return 1 }
        guard dbsizeKeys > 0 else { return 0 }
        return min(1, Double(scannedKeys) / Double(dbsizeKeys))
    }
}

/// Budgeted pace with latency back-off: halve when PING is slow, recover by a quarter when it is fast; at the floor
/// while the server is busy serving others (`ServerLoadGauge`).
public struct CensusPace: Sendable, Equatable {
    public let budgetKeysPerSecond: Double
    public let pingBackoffMilliseconds: Double
    /// The pace now (≤ budget, ≥ the floor).
    public private(set) var keysPerSecond: Double
    /// The server is busy: the pace stays at the floor until it is calm again.
    public private(set) var yielding = false
    /// The slowest pace back-off goes to: 2 % of the budget, at least 10 keys/s.
    public var floorKeysPerSecond: Double { min(budgetKeysPerSecond, max(10, budgetKeysPerSecond * 0.02)) }

    /// How often to ask the server's load (`INFO cpu` and `INFO stats`, about 65 µs of Redis): every 0.05 s while reading
    /// at the default budget, so a load that starts is yielded to within about 0.1 s (every 0.25 s took up to half a
    /// second and every 0.1 s about 0.2 s, at full pace next to the app: most of what a budgeted census still added to
    /// the app's p99 in `bench/impact.sh`, session 21). A smaller budget does less harm before it notices, so it asks in
    /// proportion (250 / budget s, at most 0.45 s): databases sharing one budget ask about as often in total as one.
    /// Every 0.45 s while yielding (pages come every 0.5 s then), when only the end of the load is waited for.
    public var loadCheckSeconds: Double { yielding ? 0.45 : min(0.45, max(0.05, 250 / budgetKeysPerSecond)) }

    public init(budgetKeysPerSecond: Double, pingBackoffMilliseconds: Double) {
        self.budgetKeysPerSecond = max(1, budgetKeysPerSecond)
        self.pingBackoffMilliseconds = pingBackoffMilliseconds
        self.keysPerSecond = max(1, budgetKeysPerSecond)
    }

    /// Feeds one PING round trip; returns true when the pace changed.
    @discardableResult
    public mutating func observe(pingMilliseconds: Double) -> Bool {
        let before = keysPerSecond
        if pingMilliseconds > pingBackoffMilliseconds {
            keysPerSecond = max(floorKeysPerSecond, keysPerSecond / 2)
        } else if pingMilliseconds < pingBackoffMilliseconds / 2, !yielding {
            keysPerSecond = min(budgetKeysPerSecond, keysPerSecond * 1.25)
        }
        return keysPerSecond != before
    }

    /// Feeds the server's load (`ServerLoadGauge`): busy drops the pace to the floor and holds it there; once calm, fast
    /// PINGs raise it again by a quarter a second. Returns true when the pace changed.
    @discardableResult
    public mutating func observe(serverBusy: Bool) -> Bool {
        let before = keysPerSecond
        yielding = serverBusy
        if serverBusy { keysPerSecond = floorKeysPerSecond }
        return keysPerSecond != before
    }
}
