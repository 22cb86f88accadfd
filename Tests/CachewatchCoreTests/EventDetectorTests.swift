import CachewatchCore
import Foundation
import XCTest

/// The timeline's pure part: each event kind fired from synthetic samples, and not fired on calm ones.
final class EventDetectorTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    private func info(at seconds: Double, runID: String = "aaa", uptime: Int = 100, role: String = "master",
                      keys: Int = 1000, evicted: Int = 0, used: Int = 1_000_000, maxmemory: Int = 10_000_000,
                      policy: String = "allkeys-lru") -> InfoSnapshot {
        InfoSnapshot(text: """
        # Server\r
        redis_version:7.0.15\r
        run_id:\(runID)\r
        uptime_in_seconds:\(uptime)\r
        # Memory\r
        used_memory:\(used)\r
        maxmemory:\(maxmemory)\r
        maxmemory_policy:\(policy)\r
        # Stats\r
        evicted_keys:\(evicted)\r
        # Replication\r
        role:\(role)\r
        # Keyspace\r
        db0:keys=\(keys),expires=\(keys),avg_ttl=1000\r

        """, takenAt: t0.addingTimeInterval(seconds))
    }

    private func kinds(_ detector: EventDetector) -> [String] { detector.log.events.map(\.kind.rawValue) }

    func testCalmSamplesGiveNoEvents() {
        var detector = EventDetector()
        for second in 0..<120 {
            detector.observe(info: info(at: Double(second), uptime: 100 + second, keys: 1000 + second % 7), pingMilliseconds: 0.2 + Double(second % 3) * 0.05)
            detector.observe(connection: .connected, at: t0.addingTimeInterval(Double(second)))
        }
        XCTAssertEqual(kinds(detector), [])
    }

    func testRestartByRunIDOrUptimeGoingBack() {
        var detector = EventDetector()
        detector.observe(info: info(at: 0, runID: "aaa", uptime: 500), pingMilliseconds: nil)
        detector.observe(info: info(at: 1, runID: "bbb", uptime: 501), pingMilliseconds: nil)
        detector.observe(info: info(at: 2, runID: "bbb", uptime: 3), pingMilliseconds: nil)
        XCTAssertEqual(kinds(detector), ["restart", "restart"])
        XCTAssertEqual(detector.log.events.first?.evidence("run_id_changed"), .bool(true))
    }

    func testConnectionLostAndRestoredWithOutage() {
        var detector = EventDetector()
        detector.observe(connection: .connected, at: t0)
        let down = t0.addingTimeInterval(10)
        detector.observe(connection: .disconnected(since: down, reason: "connection refused"), at: down)
        detector.observe(connection: .disconnected(since: down, reason: "connection refused"), at: down.addingTimeInterval(5))
        detector.observe(connection: .connected, at: down.addingTimeInterval(42))
        XCTAssertEqual(kinds(detector), ["connection-lost", "connection-restored"])
        XCTAssertEqual(detector.log.events.last?.evidence("outage_seconds"), .double(42))
        XCTAssertEqual(detector.log.events.last?.message, "Connection restored after 42s.")
    }

    func testFailoverRoleChangeAndConfigChange() {
        var detector = EventDetector()
        detector.observe(info: info(at: 0, role: "slave"), pingMilliseconds: nil)
        detector.observe(info: info(at: 1, role: "master"), pingMilliseconds: nil)
        detector.observe(info: info(at: 2, role: "slave"), pingMilliseconds: nil)
        detector.observe(info: info(at: 3, role: "slave", maxmemory: 20_000_000, policy: "volatile-lru"), pingMilliseconds: nil)
        XCTAssertEqual(kinds(detector), ["failover", "role-change", "config-change"])
        XCTAssertEqual(detector.log.events.last?.message, "Configuration changed: maxmemory 10000000 -> 20000000, maxmemory-policy allkeys-lru -> volatile-lru.")
    }

    func testKeyspaceDropNamesTheFamiliesThatShrankOnceACensusCanTell() {
        var detector = EventDetector()
        let before = CensusReport(db: 0, complete: true, scannedKeys: 1000, estimatedKeys: 1000, families: [
            FamilyReport(pattern: "widget:{id}", keys: 800, sampled: 800, share: 0.8, types: [:], noTTL: 0),
            FamilyReport(pattern: "session:{uuid}", keys: 200, sampled: 200, share: 0.2, types: [:], noTTL: 0),
        ], forecast: [])
        detector.observe(census: before, at: t0)
        detector.observe(info: info(at: 0, keys: 1000), pingMilliseconds: nil)
        detector.observe(info: info(at: 1, keys: 950), pingMilliseconds: nil)
        XCTAssertEqual(kinds(detector), [], "5 % is churn, not a drop")
        detector.observe(info: info(at: 2, keys: 210), pingMilliseconds: nil)
        XCTAssertEqual(kinds(detector), ["keyspace-drop"])
        let after = CensusReport(db: 0, complete: true, scannedKeys: 210, estimatedKeys: 210, families: [
            FamilyReport(pattern: "widget:{id}", keys: 10, sampled: 10, share: 0.05, types: [:], noTTL: 0),
            FamilyReport(pattern: "session:{uuid}", keys: 200, sampled: 200, share: 0.95, types: [:], noTTL: 0),
        ], forecast: [])
        detector.observe(census: after, at: t0.addingTimeInterval(30))
        let drop = detector.log.events.first
        XCTAssertTrue(drop?.message.hasSuffix("Shrank: widget:{id} 800 -> 10.") == true, drop?.message ?? "")
        XCTAssertEqual(drop?.evidence("keys_before"), .int(950))
        XCTAssertEqual(drop?.evidence("keys_after"), .int(210))
    }

    /// Several databases: DB 0 passes first (nothing of it shrank) and the drop keeps waiting for DB 1, whose keys fell;
    /// DB 1's pass names its `db1 …` family.
    func testKeyspaceDropWithSeveralDatabasesWaitsForTheDatabaseThatFell() {
        var detector = EventDetector()
        func report(db: Int, _ families: [(String, Int)]) -> CensusReport {
            CensusReport(db: db, complete: true, scannedKeys: families.reduce(0) { $0 + $1.1 }, estimatedKeys: families.reduce(0) { $0 + $1.1 },
                         families: families.map { FamilyReport(pattern: $0.0, keys: $0.1, sampled: $0.1, share: 0, types: [:], noTTL: 0) },
                         forecast: [])
        }
        func twoDatabases(at seconds: Double, db0: Int, db1: Int) -> InfoSnapshot {
            InfoSnapshot(text: "# Server\r\nrun_id:aaa\r\nuptime_in_seconds:100\r\n# Keyspace\r\ndb0:keys=\(db0),expires=0,avg_ttl=0\r\n"
                         + "db1:keys=\(db1),expires=\(db1),avg_ttl=1000\r\n", takenAt: t0.addingTimeInterval(seconds))
        }
        let db0 = report(db: 0, [("widget:{id}", 100)])
        let db1Before = report(db: 1, [("ratelimit:{id}:/api/v1/widgets", 400)])
        detector.observe(databaseCensus: 1, combined: DatabaseCensuses.displayReport([db0, db1Before])!, at: t0)
        detector.observe(info: twoDatabases(at: 0, db0: 100, db1: 400), pingMilliseconds: nil)
        detector.observe(info: twoDatabases(at: 1, db0: 100, db1: 0), pingMilliseconds: nil)
        XCTAssertEqual(kinds(detector), ["keyspace-drop"])
        // DB 0 passes again: nothing shrank there, and the drop still waits for DB 1.
        detector.observe(databaseCensus: 0, combined: DatabaseCensuses.displayReport([db0, db1Before])!, at: t0.addingTimeInterval(5))
        XCTAssertFalse(detector.log.events[0].message.contains("Shrank"))
        let db1After = report(db: 1, [])
        detector.observe(databaseCensus: 1, combined: DatabaseCensuses.displayReport([db0, db1After])!, at: t0.addingTimeInterval(20))
        let drop = detector.log.events[0]
        XCTAssertTrue(drop.message.hasSuffix("Shrank: db1 ratelimit:{id}:/api/v1/widgets 400 -> 0."), drop.message)
        // The next drop in DB 0 only is settled by DB 0's pass even when nothing shrank.
        detector.observe(info: twoDatabases(at: 30, db0: 10, db1: 0), pingMilliseconds: nil)
        XCTAssertEqual(kinds(detector), ["keyspace-drop", "keyspace-drop"])
        detector.observe(databaseCensus: 0, combined: DatabaseCensuses.displayReport([db0, db1After])!, at: t0.addingTimeInterval(40))
        let shrunkLater = report(db: 0, [("widget:{id}", 10)])
        detector.observe(databaseCensus: 0, combined: DatabaseCensuses.displayReport([shrunkLater, db1After])!, at: t0.addingTimeInterval(60))
        XCTAssertFalse(detector.log.events[1].message.contains("Shrank"), "settled by DB 0's first pass after it")
    }

    func testSmallKeyspaceChurnIsNotADrop() {
        var detector = EventDetector()
        detector.observe(info: info(at: 0, keys: 5), pingMilliseconds: nil)
        detector.observe(info: info(at: 1, keys: 2), pingMilliseconds: nil)
        XCTAssertEqual(kinds(detector), [])
    }

    func testEvictionsStartOnceAndAgainOnlyAfterAQuietSpell() {
        var detector = EventDetector()
        var evicted = 0
        for second in 0..<20 {
            if second >= 5 { evicted += 10 }
            detector.observe(info: info(at: Double(second), evicted: evicted), pingMilliseconds: nil)
        }
        XCTAssertEqual(kinds(detector), ["evictions-started"])
        for second in 20..<400 { detector.observe(info: info(at: Double(second), evicted: evicted), pingMilliseconds: nil) }
        detector.observe(info: info(at: 400, evicted: evicted + 3), pingMilliseconds: nil)
        XCTAssertEqual(kinds(detector), ["evictions-started", "evictions-started"])
    }

    func testMemoryNearMaxWithHysteresis() {
        var detector = EventDetector()
        detector.observe(info: info(at: 0, used: 8_000_000), pingMilliseconds: nil)
        detector.observe(info: info(at: 1, used: 9_100_000), pingMilliseconds: nil)
        detector.observe(info: info(at: 2, used: 8_900_000), pingMilliseconds: nil)
        detector.observe(info: info(at: 3, used: 9_200_000), pingMilliseconds: nil)
        XCTAssertEqual(kinds(detector), ["memory-near-max"], "no flapping between 85 % and 90 %")
        detector.observe(info: info(at: 4, used: 8_000_000), pingMilliseconds: nil)
        detector.observe(info: info(at: 5, used: 9_900_000), pingMilliseconds: nil)
        XCTAssertEqual(kinds(detector), ["memory-near-max", "memory-near-max"])
        XCTAssertEqual(detector.log.events.last?.severity, .crit)
        var unlimited = EventDetector()
        unlimited.observe(info: info(at: 0, used: 9_999_999, maxmemory: 0), pingMilliseconds: nil)
        XCTAssertEqual(kinds(unlimited), [])
    }

    func testLatencySpikeAgainstTheRecentMedian() {
        var detector = EventDetector()
        for second in 0..<30 { detector.observe(info: info(at: Double(second)), pingMilliseconds: 0.3) }
        detector.observe(info: info(at: 30), pingMilliseconds: 30)
        XCTAssertEqual(kinds(detector), [], "below the 50 ms floor")
        detector.observe(info: info(at: 31), pingMilliseconds: 4000)
        detector.observe(info: info(at: 32), pingMilliseconds: 3000)
        XCTAssertEqual(kinds(detector), ["latency-spike"])
        detector.observe(info: info(at: 33), pingMilliseconds: .nan)
        detector.observe(info: info(at: 34), pingMilliseconds: 0.3)
        detector.observe(info: info(at: 35), pingMilliseconds: 5000)
        XCTAssertEqual(kinds(detector), ["latency-spike", "latency-spike"])
    }

    func testNewFamiliesAfterTheFirstPassOnly() {
        var detector = EventDetector()
        func census(_ patterns: [String], complete: Bool = true) -> CensusReport {
            CensusReport(db: 0, complete: complete, scannedKeys: 10, estimatedKeys: 10,
                         families: patterns.map { FamilyReport(pattern: $0, keys: 5, sampled: 5, share: 0.5, types: [:], noTTL: 0) },
                         forecast: [])
        }
        detector.observe(census: census(["widget:{id}", "(other)"]), at: t0)
        detector.observe(census: census(["widget:{id}", "v2:widget:{id}"], complete: false), at: t0.addingTimeInterval(5))
        XCTAssertEqual(kinds(detector), [], "the first pass and partial passes name nothing")
        detector.observe(census: census(["widget:{id}", "v2:widget:{id}", "(other)"]), at: t0.addingTimeInterval(10))
        XCTAssertEqual(kinds(detector), ["new-family"])
        XCTAssertEqual(detector.log.events.last?.evidence("pattern"), .string("v2:widget:{id}"))
        let many = (0..<25).map { "f\($0):{id}" }
        detector.observe(census: census(many), at: t0.addingTimeInterval(20))
        XCTAssertEqual(detector.log.events.count, 12, "10 named, one summary")
    }

    func testFailOpenTransitionsDeployBurstsAndMarkers() {
        var detector = EventDetector()
        detector.observe(alert: AlertTransition(at: t0, from: .ok, to: .crit, ratePerMinute: 102))
        for worker in 0..<4 { detector.observe(deployLine: "Application startup complete.", at: t0.addingTimeInterval(Double(worker))) }
        detector.observe(deployLine: "Application startup complete.", at: t0.addingTimeInterval(600))
        detector.mark(note: "deploy v42 \u{1b}[31m", at: t0.addingTimeInterval(700))
        XCTAssertEqual(kinds(detector), ["fail-open", "deploy", "deploy", "marker"])
        XCTAssertEqual(detector.log.events[0].severity, .crit)
        XCTAssertEqual(detector.log.events[1].evidence("lines"), .int(4))
        XCTAssertEqual(detector.log.events[3].message, "deploy v42 \\x1b[31m")
    }

    func testTheLogIsBoundedByCountAndAge() {
        var log = EventLog(maxCount: 5, maxAgeSeconds: 100)
        for second in 0..<10 { log.append(Event(at: t0.addingTimeInterval(Double(second)), kind: .marker, severity: .ok, message: "\(second)")) }
        XCTAssertEqual(log.events.map(\.message), ["5", "6", "7", "8", "9"])
        log.append(Event(at: t0.addingTimeInterval(1000), kind: .marker, severity: .ok, message: "late"))
        XCTAssertEqual(log.events.map(\.message), ["late"])
        XCTAssertEqual(log.newestFirst.first?.id, 11)
        guard case let .array(items) = log.json, case let .object(pairs)? = items.first else { return XCTFail("not an array") }
        XCTAssertEqual(pairs.map(\.0), ["at", "kind", "severity", "message", "evidence"])
    }
}
