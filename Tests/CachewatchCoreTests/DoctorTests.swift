import XCTest
@testable import CachewatchCore

/// Each finding fired and not fired on the pure rules; the guide's healthy shapes never fire.
final class DoctorTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    // MARK: - Helpers

    private func census(_ keys: [(key: String, ttlSeconds: Double?)]) -> CensusReport {
        var accumulator = CensusAccumulator(db: 0)
        for (key, ttl) in keys {
            accumulator.add(key: Array(key.utf8), type: "string", pttlMilliseconds: ttl.map { Int64($0 * 1000) } ?? -1, memoryBytes: nil)
        }
        return accumulator.report(dbsizeKeys: keys.count, complete: true, keysPerSecond: 0, now: now)
    }

    private func codes(_ report: CensusReport, _ thresholds: FindingThresholds = FindingThresholds()) -> [String] {
        Findings.evaluate(report, thresholds: thresholds).map(\.code)
    }

    private func info(_ lines: [String]) -> InfoSnapshot {
        InfoSnapshot(text: (["# Server", "redis_version:7.0.15", "uptime_in_seconds:100"] + lines).joined(separator: "\r\n"), takenAt: now)
    }

    private func rates(hits: Double = 0, misses: Double = 0, evicted: Double = 0, calls: [String: Double] = [:],
                       errors: [String: Double] = [:]) -> InfoRates {
        let lookups = hits + misses
        var rates = InfoRates(intervalSeconds: 1, opsPerSecond: lookups, hitsPerSecond: hits, missesPerSecond: misses,
                              hitRatio: lookups > 0 ? hits / lookups : nil, expiredKeysPerSecond: 0, evictedKeysPerSecond: evicted,
                              netInputBytesPerSecond: 0, netOutputBytesPerSecond: 0, commandCallsPerSecond: calls, counterReset: false)
        rates.errorsPerSecond = errors
        return rates
    }

    private func serverCodes(info: InfoSnapshot? = nil, rates: InfoRates? = nil, logs: LogsReport? = nil, error: String? = nil,
                             _ thresholds: FindingThresholds = FindingThresholds()) -> [String] {
        Doctor.findings(DoctorInput(info: info, rates: rates, logs: logs, redisError: error), thresholds: thresholds).map(\.code)
    }

    /// The guide's healthy shapes: widget:{id} with TTLs, session:{uuid}, tier:{id} with 24 h TTLs, hashed search keys,
    /// paginated lists with one TTL.
    private func healthyKeys() -> [(key: String, ttlSeconds: Double?)] {
        var keys: [(key: String, ttlSeconds: Double?)] = []
        for i in 0..<300 { keys.append(("widget:\(i)", Double(30 + (i * 37) % 1770))) }
        for i in 0..<200 { keys.append(("session:\(UUID().uuidString.lowercased())", Double(3600 + (i * 311) % 82_800))) }
        for i in 0..<12 { keys.append(("tier:\(i)", 86_400 - Double(i))) }
        for i in 0..<100 {
            keys.append(("widget_search:" + String(repeating: String(format: "%08x", i &* 2_654_435_761 % 4_294_967_296), count: 8), Double(300 + i * 6)))
        }
        for i in 0..<200 { keys.append(("user_\(i % 20)_widgets:page_\(i / 20 + 1):size_10:\(i % 20)", Double(1 + (i * 53) % 299))) }
        return keys
    }

    // MARK: - Healthy shapes

    func testTheGuidesHealthyShapesRaiseNothing() {
        let report = census(healthyKeys())
        XCTAssertEqual(Findings.evaluate(report), [], "\(Findings.evaluate(report).map { "\($0.code) \($0.pattern ?? "")" })")
        let healthyInfo = info(["# Memory", "used_memory:1000000", "maxmemory:268435456", "maxmemory_policy:allkeys-lru",
                                "# Keyspace", "db0:keys=812,expires=812,avg_ttl=1000"])
        XCTAssertEqual(serverCodes(info: healthyInfo, rates: rates(hits: 900, misses: 100, calls: ["scan": 1])), [])
    }

    // MARK: - Key shapes

    func testRawIdPrefix() {
        let report = census((0..<20).map { ("\($0)_comments", 60) } + (0..<20).map { ("\($0 + 100):profile", 60) })
        let findings = Findings.evaluate(report).filter { $0.code == "raw-id-prefix" }
        XCTAssertEqual(Set(findings.compactMap(\.pattern)), ["{id}_comments", "{id}:profile"])
        XCTAssertTrue(findings.contains { $0.message.contains("comments:{id}") })
        XCTAssertFalse(codes(census((0..<20).map { ("comments:\($0)", 60) })).contains("raw-id-prefix"))
    }

    func testFreeTextKey() {
        let queries = ["red running shoes for men", "blue jacket kids", "cheap flights to paris", "best pizza near me"]
        let spaces = census((0..<40).map { ("search:\(queries[$0 % 4]) \($0)", 600) })
        XCTAssertTrue(codes(spaces).contains("free-text-key"), "\(codes(spaces))")
        let words = census((0..<40).map { ("q:lorem_ipsum_dolor_sit_amet_consectetur_adipiscing_elit_sed_\($0)", 600) })
        XCTAssertEqual(Findings.evaluate(words).first { $0.code == "free-text-key" }?.evidence("threshold_length"), 48)
        let hashed = census((0..<40).map { ("search:" + String(repeating: "9f86d081884c7d65", count: 4) + "\($0)", 600) })
        XCTAssertFalse(codes(hashed).contains("free-text-key"))
        let jwt = census((0..<40).map { ("auth:eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U\($0)", 600) })
        XCTAssertFalse(codes(jwt).contains("free-text-key"))
    }

    func testGenericPrefix() {
        XCTAssertTrue(codes(census((0..<20).map { ("data:\($0)", 60) })).contains("generic-prefix"))
        XCTAssertTrue(codes(census((0..<20).map { ("tmp_\($0)", 60) })).contains("generic-prefix"))
        XCTAssertFalse(codes(census((0..<20).map { ("cache:user:\($0)", 60) })).contains("generic-prefix"), "a name follows")
        var custom = FindingThresholds()
        custom.genericPrefixes = ["blob"]
        XCTAssertTrue(codes(census((0..<20).map { ("blob:\($0)", 60) }), custom).contains("generic-prefix"))
        XCTAssertFalse(codes(census((0..<20).map { ("data:\($0)", 60) }), custom).contains("generic-prefix"))
    }

    // MARK: - mixed-ttl-pages, widened

    private func listKey(_ i: Int) -> String { "user_\(i % 40)_widgets:page_\(i / 40 + 1):size_10:\(i % 40)" }

    func testMixedTTLSettingsOnEveryPageAreFound() throws {
        // Every page has keys written with 60 s and with 300 s: the pages' longest TTLs agree, the settings do not.
        var keys: [(key: String, ttlSeconds: Double?)] = []
        for i in 0..<400 {
            let setting: Double = (i / 4) % 2 == 0 ? 60 : 300
            keys.append((listKey(i), Double((i * 7919) % 1000) / 1000 * setting + 0.5))
        }
        let report = census(keys)
        let family = try XCTUnwrap(report.families.first)
        XCTAssertLessThan((family.ttlMaxSecondsByPage.values.max() ?? 0) / (family.ttlMaxSecondsByPage.values.min() ?? 1), 2,
                          "the page rule alone cannot see it")
        let finding = try XCTUnwrap(Findings.evaluate(report).first { $0.code == "mixed-ttl-pages" }, "\(codes(report))")
        let short = try XCTUnwrap(finding.evidence("short_ttl_seconds"))
        XCTAssertEqual(short, 60, accuracy: 8)
        XCTAssertEqual(try XCTUnwrap(finding.evidence("long_ttl_seconds")), 300, accuracy: 5)
    }

    func testOneTTLSettingWithJitterOrABurstIsNotMixed() {
        // One setting, 300 s ± 30 s jitter, keys written evenly.
        var jitterKeys: [(key: String, ttlSeconds: Double?)] = []
        for i in 0..<400 {
            let fraction = Double((i * 7919) % 1000) / 1000
            let setting = 270 + Double(i % 61)
            jitterKeys.append((listKey(i), fraction * setting + 0.5))
        }
        let jitter = census(jitterKeys)
        XCTAssertFalse(codes(jitter).contains("mixed-ttl-pages"), "\(Findings.evaluate(jitter).map(\.message))")
        // A warm-up burst 280 s ago (all at ~20 s left) on top of steady traffic: a spike, not a plateau.
        var burstKeys: [(key: String, ttlSeconds: Double?)] = []
        for i in 0..<400 {
            let fraction = Double((i * 7919) % 1000) / 1000
            let ttl: Double = i % 3 == 0 ? 20 + Double(i % 2) : fraction * 300 + 0.5   // on every page
            burstKeys.append((listKey(i), ttl))
        }
        let burst = census(burstKeys)
        XCTAssertFalse(codes(burst).contains("mixed-ttl-pages"), "\(Findings.evaluate(burst).map(\.message))")
    }

    func testTTLSettingSplitOnExactValues() throws {
        let mixed = TTLProfile(ttlSeconds: (0..<100).map { Double($0) * 0.6 } + (0..<100).map { Double($0) * 3 })
        let split = try XCTUnwrap(TTLSettingSplit.densest(mixed, ratio: 2, minimumDifferenceSeconds: 60))
        XCTAssertEqual(split.shortSeconds, 60, accuracy: 3)
        XCTAssertGreaterThan(split.densityRatio, 3)
        let single = TTLProfile(ttlSeconds: (0..<200).map { Double($0) * 1.5 })
        XCTAssertLessThan(TTLSettingSplit.densest(single, ratio: 2, minimumDifferenceSeconds: 60)?.densityRatio ?? 1, 1.5)
    }

    // MARK: - Server findings

    func testKeysCommand() {
        XCTAssertEqual(serverCodes(rates: rates(calls: ["keys": 0.5])), ["keys-command"])
        XCTAssertEqual(serverCodes(rates: rates(calls: ["keys": 0])), [])
        var lenient = FindingThresholds()
        lenient.keysPerMinute = 60
        XCTAssertEqual(serverCodes(rates: rates(calls: ["keys": 0.5]), lenient), [])
    }

    func testNoTTLUnderVolatilePolicy() {
        let volatile = info(["# Memory", "used_memory:1000", "maxmemory:100000000", "maxmemory_policy:volatile-lru",
                             "# Keyspace", "db0:keys=100,expires=80,avg_ttl=1"])
        let findings = Doctor.findings(DoctorInput(info: volatile))
        XCTAssertEqual(findings.map(\.code), ["no-ttl-under-volatile-policy"])
        XCTAssertEqual(findings.first?.evidence("keys_without_ttl"), 20)
        let allTTL = info(["# Memory", "maxmemory:100000000", "maxmemory_policy:volatile-lru", "# Keyspace", "db0:keys=100,expires=100,avg_ttl=1"])
        XCTAssertEqual(serverCodes(info: allTTL), [])
    }

    func testNoevictionCache() {
        let noeviction = info(["# Memory", "used_memory:1000", "maxmemory:100000000", "maxmemory_policy:noeviction",
                               "# Keyspace", "db0:keys=100,expires=90,avg_ttl=1"])
        XCTAssertEqual(serverCodes(info: noeviction), ["noeviction-cache"])
        let unlimited = info(["# Memory", "used_memory:1000", "maxmemory:0", "maxmemory_policy:allkeys-lru",
                              "# Keyspace", "db0:keys=100,expires=90,avg_ttl=1"])
        XCTAssertEqual(serverCodes(info: unlimited), ["noeviction-cache"])
        let store = info(["# Memory", "maxmemory:0", "maxmemory_policy:noeviction", "# Keyspace", "db0:keys=100,expires=10,avg_ttl=1"])
        XCTAssertEqual(serverCodes(info: store), [], "mostly keys without TTL: not a cache")
    }

    func testOOMAndOtherErrors() {
        XCTAssertEqual(serverCodes(rates: rates(errors: ["OOM": 2])), ["oom-errors"])
        let errors = Doctor.findings(DoctorInput(rates: rates(errors: ["WRONGPASS": 0.5, "NOAUTH": 1, "NOPERM": 3])))
        XCTAssertEqual(errors.map(\.code), ["errorstats"])
        XCTAssertEqual(errors.first?.evidence("per_minute"), 90)
        XCTAssertEqual(errors.first?.evidence("noauth_per_minute"), 60)
        XCTAssertEqual(serverCodes(rates: rates(errors: ["NOPERM": 3, "OOM": 0])), [])
    }

    func testErrorRatesComeFromInfoErrorstats() {
        let before = InfoSnapshot(text: "# Errorstats\r\nerrorstat_OOM:count=10\r\n", takenAt: now)
        let after = InfoSnapshot(text: "# Errorstats\r\nerrorstat_OOM:count=40\r\nerrorstat_NOAUTH:count=2\r\n", takenAt: now.addingTimeInterval(10))
        let rates = InfoRates.between(before, after)
        XCTAssertEqual(rates.errorsPerSecond["OOM"], 3)
        XCTAssertEqual(rates.errorsPerSecond["NOAUTH"], 0.2)
    }

    func testLowHitRatio() {
        let findings = Doctor.findings(DoctorInput(rates: rates(hits: 60, misses: 40)))
        XCTAssertEqual(findings.map(\.code), ["low-hit-ratio"])
        XCTAssertEqual(findings.first?.severity, .warn)
        XCTAssertEqual(Doctor.findings(DoctorInput(rates: rates(hits: 10, misses: 90))).first?.severity, .crit)
        XCTAssertEqual(serverCodes(rates: rates(hits: 0.1, misses: 0.4)), [], "too few lookups to judge")
        XCTAssertEqual(serverCodes(rates: rates(hits: 95, misses: 5)), [])
    }

    func testEvictions() {
        XCTAssertEqual(Doctor.findings(DoctorInput(rates: rates(evicted: 3))).map { "\($0.code) \($0.severity)" }, ["evictions warn"])
        XCTAssertEqual(Doctor.findings(DoctorInput(rates: rates(evicted: 500))).first?.severity, .crit)
        XCTAssertEqual(serverCodes(rates: rates(evicted: 0)), [])
    }

    func testMemoryNearMax() {
        func memory(_ used: Int) -> InfoSnapshot {
            info(["# Memory", "used_memory:\(used)", "maxmemory:1000", "maxmemory_policy:allkeys-lru"])
        }
        XCTAssertEqual(Doctor.findings(DoctorInput(info: memory(850))).map { "\($0.code) \($0.severity)" }, ["memory-near-max warn"])
        XCTAssertEqual(Doctor.findings(DoctorInput(info: memory(990))).first?.severity, .crit)
        XCTAssertEqual(serverCodes(info: memory(500)), [])
        XCTAssertEqual(serverCodes(info: info(["# Memory", "used_memory:990", "maxmemory:0", "maxmemory_policy:allkeys-lru"])), [])
    }

    func testFailOpenAndUnreachable() {
        let crit = LogsReport(sources: [], failOpen: FailOpenSummary(last1m: 120, state: .crit))
        XCTAssertEqual(Doctor.findings(DoctorInput(logs: crit)).map { "\($0.code) \($0.severity)" }, ["fail-open crit"])
        XCTAssertEqual(serverCodes(logs: LogsReport(sources: [], failOpen: FailOpenSummary(last1m: 2, state: .ok))), [])
        let down = Doctor.findings(DoctorInput(redisError: "Cannot connect to Redis at 127.0.0.1:1: connection refused."))
        XCTAssertEqual(down.map { "\($0.code) \($0.severity)" }, ["redis-unreachable crit"])
        XCTAssertEqual(serverCodes(info: info([]), error: "census stopped"), [], "INFO answered: reachable")
    }

    // MARK: - Silences and JSON

    func testSilencesByCodeByPatternAndBoth() {
        let report = census((0..<10).map { ("cart:\($0):items", nil) } + (0..<10).map { ("data:\($0)", nil) })
        let all = Doctor.findings(DoctorInput(census: report)).map { "\($0.code) \($0.pattern ?? "")" }
        XCTAssertEqual(Set(all), ["no-ttl cart:{id}:items", "no-ttl data:{id}", "generic-prefix data:{id}"])
        func remaining(_ silences: [FindingSilence]) -> Set<String> {
            Set(Doctor.findings(DoctorInput(census: report), silences: silences).map { "\($0.code) \($0.pattern ?? "")" })
        }
        XCTAssertEqual(remaining([FindingSilence(code: "no-ttl", pattern: "cart:{id}:items")]), ["no-ttl data:{id}", "generic-prefix data:{id}"])
        XCTAssertEqual(remaining([FindingSilence(code: "no-ttl", pattern: nil)]), ["generic-prefix data:{id}"])
        XCTAssertEqual(remaining([FindingSilence(code: nil, pattern: "data:{id}")]), ["no-ttl cart:{id}:items"])
    }

    func testJSONKeepsTheFieldOrderAndAddsEvidenceLast() {
        let finding = Finding(severity: .warn, code: "no-ttl", pattern: "cart:{id}:items", message: "m",
                              evidence: [FindingEvidence("keys_without_ttl", 1200), FindingEvidence("fraction", 0.5)])
        XCTAssertEqual(finding.json.serialized(),
                       #"{"severity":"warn","code":"no-ttl","pattern":"cart:{id}:items","message":"m","evidence":{"keys_without_ttl":1200,"fraction":0.5}}"#)
        XCTAssertEqual(Finding(severity: .ok, code: "x", pattern: nil, message: "m").json.serialized(),
                       #"{"severity":"ok","code":"x","pattern":null,"message":"m","evidence":{}}"#)
    }

    // MARK: - Hostile numbers

    func testHostileINFONumbersDoNotTrap() {
        let hostile = info(["# Memory", "used_memory:9223372036854775807", "maxmemory:1", "maxmemory_policy:noeviction",
                            "# Keyspace", "db0:keys=9223372036854775807,expires=9223372036854775807,avg_ttl=1"])
        let findings = Doctor.findings(DoctorInput(info: hostile, rates: rates(hits: 1e300, misses: 1e300, evicted: 1e300,
                                                                              calls: ["keys": 1e300, "scan": .infinity],
                                                                              errors: ["OOM": 1e300, "NOAUTH": .nan])))
        XCTAssertTrue(findings.contains { $0.code == "memory-near-max" && $0.severity == .crit })
        XCTAssertTrue(findings.contains { $0.code == "oom-errors" })
        let verdict = CheckVerdict.evaluate(findings: findings, metrics: CheckMetrics(info: hostile, rates: nil, pingMilliseconds: .nan, logs: nil),
                                            unreachable: nil, failOn: .warn)
        XCTAssertEqual(verdict.status, .critical)
        XCTAssertFalse(verdict.line.contains("nan") || verdict.line.contains("inf"), verdict.line)
        for finding in findings { _ = finding.json.serialized() }
    }

    // MARK: - check's verdict

    func testVerdictStatusesAndLine() {
        let warn = Finding(severity: .warn, code: "no-ttl", pattern: "cart:{id}:items", message: "m")
        let crit = Finding(severity: .crit, code: "fail-open", pattern: nil, message: "m")
        let metrics = CheckMetrics(opsPerSecond: 521.25, hitRatio: 0.9245, keys: 10, failOpenPerMinute: 3)
        XCTAssertEqual(CheckVerdict.evaluate(findings: [], metrics: metrics, unreachable: nil, failOn: .warn).line,
                       "CACHEWATCH OK - no findings (10 keys, hit ratio 92 %, fail-open 3/min) | ops_per_second=521.25;;;0; "
                       + "hit_ratio=0.9245;0.8:;0.5:;0;1 fail_open_per_minute=3;10;50;0; keys=10;;;0; findings_warn=0;;;0; findings_crit=0;;;0;")
        XCTAssertEqual(CheckVerdict.evaluate(findings: [warn], metrics: metrics, unreachable: nil, failOn: .warn).status, .warning)
        XCTAssertEqual(CheckVerdict.evaluate(findings: [warn], metrics: metrics, unreachable: nil, failOn: .crit).status, .ok)
        XCTAssertEqual(CheckVerdict.evaluate(findings: [warn, crit], metrics: metrics, unreachable: nil, failOn: .crit).summary,
                       "1 crit, 1 warn (not failing: --fail-on crit): fail-open, no-ttl cart:{id}:items")
        let down = Finding(severity: .crit, code: "redis-unreachable", pattern: nil, message: "m")
        XCTAssertEqual(CheckVerdict.evaluate(findings: [down], metrics: CheckMetrics(), unreachable: "Connection refused.", failOn: .warn).line,
                       "CACHEWATCH UNKNOWN - Connection refused. | findings_warn=0;;;0; findings_crit=0;;;0;")
        XCTAssertEqual(CheckVerdict.evaluate(findings: [down, crit], metrics: CheckMetrics(), unreachable: "Connection refused.", failOn: .warn).status,
                       .critical, "the logs prove the outage")
        let pipe = Finding(severity: .warn, code: "no-ttl", pattern: "a|b", message: "m")
        XCTAssertFalse(CheckVerdict.evaluate(findings: [pipe], metrics: CheckMetrics(), unreachable: nil, failOn: .warn).summary.contains("|"))
        XCTAssertEqual(CheckStatus.allCases.map(\.exitCode), [0, 1, 2, 3])
    }
}
