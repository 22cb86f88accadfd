import CachewatchCore
import CachewatchUI
import Foundation

/// Fixed, realistic models for golden and widget tests (no clock, no randomness).
enum Fixtures {
    static let now = Date(timeIntervalSince1970: 1_795_732_867) // 2026-11-26 22:41:07 UTC
    static let utc = TimeZone(identifier: "UTC")!

    // MARK: - Families

    static func bands(_ values: [Int]) -> [Int] { values + Array(repeating: 0, count: max(0, 7 - values.count)) }

    static func log2Histogram(_ entries: [(Double, Int)], noTTL: Int = 0) -> [TTLBucket] {
        var buckets: [TTLBucket] = []
        var upper = 1.0
        while upper <= 131_072 {
            let keys = entries.filter { $0.0 == upper }.map(\.1).reduce(0, +)
            buckets.append(TTLBucket(upperSeconds: upper, keys: keys))
            upper *= 2
        }
        buckets.append(TTLBucket(upperSeconds: nil, keys: noTTL))
        return buckets
    }

    static func forecast(_ spikes: [Int: Int], base: Int = 0) -> [Int] {
        (0..<60).map { spikes[$0] ?? base }
    }

    static let families: [FamilyReport] = {
        var families = baseFamilies
        // What the census read for the first family's examples (the detail view lists it).
        families[0].exampleKeys = [
            ExampleKey(key: "widget:42", type: "string", ttlSeconds: 3_552, memoryBytes: 120),
            ExampleKey(key: "widget:1007", type: "string", ttlSeconds: 3_551, memoryBytes: 72),
            ExampleKey(key: "widget:88123", type: "string", ttlSeconds: 3_599, memoryBytes: 118),
        ]
        // What the census's look at 64 of its values found: negative-cache sentinels kept for up to an hour.
        families[0].valuesProbed = 64
        families[0].negativeCacheKeys = 40_211
        families[0].negativeCacheLongTTLKeys = 40_211
        families[0].negativeCacheMaxTTLSeconds = 3_600
        return families
    }()

    static let baseFamilies: [FamilyReport] = [
        FamilyReport(pattern: "widget:{id}", keys: 402_113, sampled: 40_211, share: 0.356, types: ["string": 402_113], noTTL: 0,
                     ttlMinSeconds: 3_480, ttlP50Seconds: 3_552, ttlP90Seconds: 3_590, ttlMaxSeconds: 3_600,
                     ttlHistogram: log2Histogram([(4096, 402_113)]), ttlBands: bands([0, 0, 0, 402_113, 0, 0, 0]),
                     memoryBytes: 41_000_000, examples: ["widget:42", "widget:1007", "widget:88123"],
                     forecast: forecast([35: 398_000, 36: 4_113]),
                     lockstep: LockstepWave(startsInSeconds: 2_170, windowSeconds: 4, keys: 398_000, fraction: 0.99)),
        FamilyReport(pattern: "user_{id}_widgets:page_{n}:size_{n}:{id}", keys: 121_400, sampled: 12_140, share: 0.107,
                     types: ["string": 121_400], noTTL: 0, ttlMinSeconds: 12, ttlP50Seconds: 118, ttlP90Seconds: 290, ttlMaxSeconds: 300,
                     ttlHistogram: log2Histogram([(128, 60_700), (256, 36_400), (512, 24_300)]),
                     ttlBands: bands([60_700, 60_700, 0, 0, 0, 0, 0]), examples: ["user_5_widgets:page_1:size_10:5"],
                     forecast: forecast([0: 60_000, 1: 20_000, 2: 15_000, 3: 14_000, 4: 12_400])),
        FamilyReport(pattern: "session:{uuid}", keys: 90_002, sampled: 9_000, share: 0.080, types: ["hash": 90_002], noTTL: 0,
                     ttlMinSeconds: 600, ttlP50Seconds: 82_800, ttlP90Seconds: 86_000, ttlMaxSeconds: 86_400,
                     ttlHistogram: log2Histogram([(65_536, 20_000), (131_072, 70_002)]), ttlBands: bands([0, 0, 0, 2_000, 88_002, 0, 0]),
                     examples: ["session:5f0c6e1e-8d1b-4c36-9a44-2f1c0b7e9a10"], forecast: forecast([:], base: 62)),
        FamilyReport(pattern: "user_score:{id}", keys: 80_250, sampled: 8_025, share: 0.071, types: ["string": 80_250], noTTL: 0,
                     ttlMinSeconds: 1_700, ttlP50Seconds: 1_800, ttlP90Seconds: 1_860, ttlMaxSeconds: 1_900,
                     ttlHistogram: log2Histogram([(2048, 80_250)]), ttlBands: bands([0, 0, 0, 80_250, 0, 0, 0]),
                     examples: ["user_score:77"], forecast: forecast([:], base: 1_337)),
        FamilyReport(pattern: "cart:{id}:items", keys: 25_010, sampled: 2_501, share: 0.022, types: ["list": 25_010], noTTL: 25_010,
                     ttlHistogram: log2Histogram([], noTTL: 25_010), ttlBands: bands([0, 0, 0, 0, 0, 0, 25_010]),
                     examples: ["cart:9:items"]),
        FamilyReport(pattern: "widget_search:{hash}", keys: 18_400, sampled: 1_840, share: 0.016, types: ["string": 18_400], noTTL: 0,
                     ttlMinSeconds: 5, ttlP50Seconds: 240, ttlP90Seconds: 580, ttlMaxSeconds: 600,
                     ttlHistogram: log2Histogram([(256, 9_000), (512, 6_400), (1024, 3_000)]),
                     ttlBands: bands([3_000, 6_000, 9_400, 0, 0, 0, 0]), examples: ["widget_search:9e107d9d372bb6826bd81d3542a419d6"],
                     forecast: forecast([:], base: 300)),
        FamilyReport(pattern: "stat:processed:{date}", keys: 365, sampled: 365, share: 0.0003, types: ["string": 365], noTTL: 365,
                     ttlHistogram: log2Histogram([], noTTL: 365), ttlBands: bands([0, 0, 0, 0, 0, 0, 365]),
                     examples: ["stat:processed:2026-11-26"]),
        FamilyReport(pattern: "celery-task-meta-{uuid}", keys: 4_210, sampled: 421, share: 0.0037, types: ["string": 4_210], noTTL: 0,
                     ttlMinSeconds: 70_000, ttlP50Seconds: 80_000, ttlP90Seconds: 86_000, ttlMaxSeconds: 86_400,
                     ttlHistogram: log2Histogram([(131_072, 4_210)]), ttlBands: bands([0, 0, 0, 0, 4_210, 0, 0]),
                     examples: ["celery-task-meta-0f6b2a3c-9d1e-4b7a-8c5d-1e2f3a4b5c6d"]),
        FamilyReport(pattern: "top_widgets", keys: 1, sampled: 1, share: 0.000001, types: ["zset": 1], noTTL: 0,
                     ttlMinSeconds: 60, ttlP50Seconds: 60, ttlP90Seconds: 60, ttlMaxSeconds: 60,
                     ttlHistogram: log2Histogram([(64, 1)]), ttlBands: bands([1, 0, 0, 0, 0, 0, 0]), examples: ["top_widgets"],
                     forecast: forecast([0: 1])),
        FamilyReport(pattern: "rate_limit:{str}:{id}", keys: 2_900, sampled: 290, share: 0.0026, types: ["string": 2_900], noTTL: 0,
                     ttlMinSeconds: 1, ttlP50Seconds: 30, ttlP90Seconds: 55, ttlMaxSeconds: 60,
                     ttlHistogram: log2Histogram([(32, 1_500), (64, 1_400)]), ttlBands: bands([2_900, 0, 0, 0, 0, 0, 0]),
                     examples: ["rate_limit:alice:7", "ключ:\\x1b]0;pwned\\x07"], forecast: forecast([0: 2_900])),
        FamilyReport(pattern: "(other)", keys: 1_200, sampled: 120, share: 0.0011, types: ["string": 1_000, "set": 200], noTTL: 200,
                     ttlBands: bands([100, 100, 200, 300, 300, 0, 200])),
    ]

    static let census = CensusReport(db: 0, complete: false, scannedKeys: 1_100_000, estimatedKeys: 1_130_000, dbsizeKeys: 1_800_000,
                                     keysPerSecond: 5_000, families: families, forecast: forecast([35: 398_000], base: 2_000))

    static let findings: [Finding] = [
        Finding(severity: .warn, code: "lockstep-expiry", pattern: "widget:{id}",
                message: "99% of keys expire within the same 4 s: add TTL jitter"),
        Finding(severity: .warn, code: "long-negative-ttl", pattern: "widget:{id}",
                message: "40,211 \"__NOT_FOUND__\" entries live up to 1h (guide: 30-120 s)"),
        Finding(severity: .crit, code: "no-ttl", pattern: "cart:{id}:items", message: "25,010 keys have no TTL and will never expire"),
    ]

    // MARK: - Logs

    static func logs(_ state: AlertLevel) -> LogsReport {
        var perMinute = Array(repeating: 0, count: 60)
        switch state {
        case .ok: perMinute[20] = 2
        case .warn: for i in 52..<60 { perMinute[i] = [3, 12, 15, 18, 14, 21, 19, 17][i - 52] }
        case .crit: for i in 54..<60 { perMinute[i] = [8, 30, 90, 212, 230, 212][i - 54] }
        }
        let last1m = perMinute[59]
        let last5m = perMinute.suffix(5).reduce(0, +)
        let last15m = perMinute.suffix(15).reduce(0, +)
        let failOpen = FailOpenSummary(
            last1m: last1m, last5m: last5m, last15m: last15m, total: last15m + 12, perMinute: perMinute, state: state,
            since: state == .ok ? now.addingTimeInterval(-7_200) : now.addingTimeInterval(-235),
            byError: state == .ok ? [] : [("Connection refused", last5m * 2 / 3), ("Timeout reading from socket", last5m / 3)],
            byFamily: state == .ok ? [] : [("widget:{id}", last5m / 2), ("user_score:{id}", last5m / 4)],
            warnPerMinute: 10, critPerMinute: 50)
        return LogsReport(sources: [LogSourceStatus(path: "/srv/app/logs/app.log", format: "detailed", lines: 48_211, unparsed: 3,
                                                    truncated: 0, status: "following")],
                          failOpen: failOpen)
    }

    // MARK: - Header

    static func ramp(_ count: Int, base: Double, amplitude: Double, period: Int = 600) -> [Double] {
        (0..<count).map { i in base + amplitude * sin(Double(i) * 2 * .pi / Double(period)) + amplitude / 3 * cos(Double(i) / 37) }
    }

    static let histories = HeaderHistories(
        opsPerSecond: ramp(3_600, base: 11_000, amplitude: 3_000),
        hitRatio: ramp(3_600, base: 0.92, amplitude: 0.03, period: 900),
        usedMemoryBytes: ramp(3_600, base: 1.2e9, amplitude: 2e7, period: 1_800),
        evictedPerSecond: Array(repeating: 0, count: 3_600),
        expiredPerSecond: ramp(3_600, base: 40, amplitude: 15, period: 300),
        clients: ramp(3_600, base: 48, amplitude: 4, period: 1_200),
        pingMilliseconds: ramp(3_600, base: 0.4, amplitude: 0.1, period: 450))

    static func header(_ connection: ConnectionState = .connected) -> HeaderInfo {
        HeaderInfo(address: "127.0.0.1:6379", db: 0, redisVersion: "7.0.15", role: "master", uptimeSeconds: 274_000,
                   connection: connection, opsPerSecond: 12_400, hitRatio: 0.931, usedMemoryBytes: 1.21 * 1_073_741_824,
                   maxMemoryBytes: 2 * 1_073_741_824, evictedPerSecond: 0, expiredPerSecond: 41, clients: 48, blockedClients: 0,
                   pingMilliseconds: 0.3, keysTotal: 1_130_000)
    }

    /// A healthy dashboard mid-census with fail-open in `logState`.
    static func model(logState: AlertLevel = .warn, connection: ConnectionState = .connected) -> DashboardModel {
        DashboardModel(header: header(connection), histories: histories, census: census,
                       censusProgress: CensusProgress(running: true, scannedKeys: 1_100_000, dbsizeKeys: 1_800_000,
                                                      keysPerSecond: 5_000, etaSeconds: 140),
                       logs: logs(logState), findings: findings, now: now, timeZone: utc)
    }

    /// Redis went away 40 s ago; numbers are stale.
    static func disconnectedModel() -> DashboardModel {
        model(logState: .crit, connection: .disconnected(since: now.addingTimeInterval(-242), reason: "Connection refused"))
    }
}
