import CachewatchCore
@testable import CachewatchRedis
import Foundation
import TestSupport
import XCTest

/// The census's bounded look at values (`STRLEN`, `GETRANGE key 0 12`) against a seeded private redis-server.
final class CensusValueProbeTests: XCTestCase {
    /// widget: 30 `__NOT_FOUND__` EX 3600 + 20 JSON objects EX 3600; product: 40 `__NOT_FOUND__` EX 60;
    /// lookup: 3 `__NOT_FOUND__` without TTL; tier_list: 10 `[]`, 10 `{}`, 10 `0`, 5 `""`, 5 empty, 10 `[1]` (EX 300);
    /// article: 200 short values `v` (EX 600; more than one pass looks at); profile: 20 hashes with `__NOT_FOUND__` fields.
    private func seed(_ server: RedisServerFixture) {
        var commands: [[String]] = []
        commands += (1...30).map { ["SET", "widget:\($0)", "__NOT_FOUND__", "EX", "3600"] }
        commands += (31...50).map { ["SET", "widget:\($0)", "{\"id\": \($0), \"name\": \"a widget with a long name\"}", "EX", "3600"] }
        commands += (1...40).map { ["SET", "product:\($0)", "__NOT_FOUND__", "EX", "60"] }
        commands += (1...3).map { ["SET", "lookup:\($0)", "__NOT_FOUND__"] }
        let falsy = Array(repeating: "[]", count: 10) + Array(repeating: "{}", count: 10) + Array(repeating: "0", count: 10)
            + Array(repeating: "\"\"", count: 5) + Array(repeating: "", count: 5) + Array(repeating: "[1]", count: 10)
        commands += falsy.enumerated().map { ["SET", "tier_list:\($0.offset + 1)", $0.element, "EX", "300"] }
        commands += (1...200).map { ["SET", "article:\($0)", "v", "EX", "600"] }
        commands += (1...20).map { ["HSET", "profile:\($0)", "name", "__NOT_FOUND__"] }
        XCTAssertTrue(server.pipe(commands).contains("errors: 0"))
        XCTAssertEqual(server.redisCLI(["DBSIZE"]), "363")
    }

    private func client(_ server: RedisServerFixture, username: String? = nil, password: String? = nil) -> RedisClient {
        RedisClient(endpoint: RedisEndpoint(host: server.host, port: server.port, username: username, password: password))
    }

    private func family(_ report: CensusReport, _ pattern: String, file: StaticString = #filePath, line: UInt = #line) throws -> FamilyReport {
        try XCTUnwrap(report.families.first { $0.pattern == pattern }, "no family \(pattern) in \(report.families.map(\.pattern))",
                      file: file, line: line)
    }

    func testFindsLongLivedNegativeCachesAndFalsyValues() throws {
        let server = try RedisServerFixture()
        seed(server)
        // Small pages: probes ride in later pages' pipelines, and the last ones after SCAN has ended.
        let report = try CensusRunner.runFull(client: client(server), db: 0, memory: false, scanCount: 20)
        XCTAssertTrue(report.complete)
        XCTAssertEqual(report.scannedKeys, 363)
        XCTAssertEqual(report.notes, [])

        let widgets = try family(report, "widget:{id}")
        XCTAssertEqual(widgets.valuesProbed, 50)
        XCTAssertEqual(widgets.negativeCacheKeys, 30)
        XCTAssertEqual(widgets.negativeCacheLongTTLKeys, 30)
        XCTAssertEqual(widgets.negativeCacheNoTTL, 0)
        let longest = try XCTUnwrap(widgets.negativeCacheMaxTTLSeconds)
        XCTAssertTrue(longest > 3500 && longest <= 3600, "\(longest)")
        XCTAssertEqual(widgets.falsyValueKeys, 0)

        let products = try family(report, "product:{id}")
        XCTAssertEqual(products.negativeCacheKeys, 40)
        XCTAssertEqual(products.negativeCacheLongTTLKeys, 0)

        let lookups = try family(report, "lookup:{id}")
        XCTAssertEqual(lookups.negativeCacheKeys, 3)
        XCTAssertEqual(lookups.negativeCacheNoTTL, 3)

        let tiers = try family(report, "tier_list:{id}")
        XCTAssertEqual(tiers.valuesProbed, 50)
        XCTAssertEqual(tiers.falsyValueKeys, 40)
        XCTAssertEqual(tiers.negativeCacheKeys, 0)

        let articles = try family(report, "article:{id}")
        XCTAssertEqual(articles.keys, 200)
        XCTAssertEqual(articles.valuesProbed, 64, "at most 64 values of a family are looked at in a pass")
        XCTAssertEqual(articles.falsyValueKeys, 0)
        XCTAssertEqual(articles.negativeCacheKeys, 0)

        let profiles = try family(report, "profile:{id}")
        XCTAssertEqual(profiles.valuesProbed, 0, "only string keys are looked at")

        let findings = Findings.evaluate(report)
        let negative = findings.filter { $0.code == "long-negative-ttl" }
        XCTAssertEqual(Set(negative.map(\.pattern)), ["widget:{id}", "lookup:{id}"])
        let widgetFinding = try XCTUnwrap(negative.first { $0.pattern == "widget:{id}" })
        XCTAssertTrue(widgetFinding.message.hasPrefix("30 \"__NOT_FOUND__\" entries of widget:{id} live up to "), widgetFinding.message)
        let falsyFindings = findings.filter { $0.code == "falsy-values" }
        XCTAssertEqual(falsyFindings.map(\.pattern), ["tier_list:{id}"])
        XCTAssertTrue(falsyFindings[0].message.hasPrefix("40 keys of tier_list:{id} "), falsyFindings[0].message)

        // Read-only: nothing was written or removed.
        XCTAssertEqual(server.redisCLI(["DBSIZE"]), "363")
        XCTAssertEqual(server.redisCLI(["GET", "widget:1"]), "__NOT_FOUND__")
        let stats = server.redisCLI(["INFO", "commandstats"])
        XCTAssertTrue(stats.contains("cmdstat_get:calls=1,"), "the census never GETs a value (only this test did): \(stats)")
        // STRLEN once per string key looked at (50 + 40 + 3 + 50 + 64), GETRANGE only for the non-empty ones of
        // ≤ 13 bytes (30 + 40 + 3 + 45 + 64): never for the JSON objects.
        XCTAssertTrue(stats.contains("cmdstat_strlen:calls=207,"), stats)
        XCTAssertTrue(stats.contains("cmdstat_getrange:calls=182,"), stats)
    }

    func testStrlenAndGetrangeDeniedByACLDropOnlyTheValueFindings() throws {
        let server = try RedisServerFixture(options: .init(aclUsers: ["census on >pw ~* +@all -strlen -getrange"]))
        seed(server)
        let report = try CensusRunner.runFull(client: client(server, username: "census", password: "pw"), db: 0, memory: false,
                                              scanCount: 20)
        XCTAssertTrue(report.complete)
        XCTAssertEqual(report.scannedKeys, 363)
        XCTAssertEqual(report.families.reduce(0) { $0 + $1.keys }, 363)
        XCTAssertTrue(report.families.allSatisfy { $0.valuesProbed == 0 && $0.negativeCacheKeys == 0 && $0.falsyValueKeys == 0 })
        XCTAssertEqual(report.notes, ["STRLEN is denied to this user (ACL NOPERM), so the census does not look for \"__NOT_FOUND__\" "
                                      + "negative caches or falsy values."])
        XCTAssertEqual(try family(report, "widget:{id}").types, ["string": 50])
        XCTAssertFalse(Findings.evaluate(report).contains { $0.code == "long-negative-ttl" || $0.code == "falsy-values" })
    }

    func testGetrangeAloneDeniedIsNotedOnce() throws {
        let server = try RedisServerFixture(options: .init(aclUsers: ["census on >pw ~* +@all -getrange"]))
        seed(server)
        let report = try CensusRunner.runFull(client: client(server, username: "census", password: "pw"), db: 0, memory: false,
                                              scanCount: 20)
        XCTAssertTrue(report.complete)
        XCTAssertEqual(report.scannedKeys, 363)
        XCTAssertEqual(report.notes.count, 1)
        XCTAssertTrue(report.notes[0].hasPrefix("GETRANGE is denied to this user"), report.notes[0])
        XCTAssertTrue(report.families.allSatisfy { $0.negativeCacheKeys == 0 })
    }

    /// One complete budgeted pass; `pingBackoffMilliseconds` 0 backs the pace off at the first PING.
    private func budgetedPass(_ server: RedisServerFixture, pingBackoffMilliseconds: Double) throws -> CensusReport {
        let done = expectation(description: "a complete pass")
        done.assertForOverFulfill = false
        let box = LockedReport()
        let options = CensusOptions(db: 0, mode: .budgeted(keysPerSecond: 100_000), memory: false, scanCount: 50,
                                    pingBackoffMilliseconds: pingBackoffMilliseconds)
        let runner = CensusRunner(client: client(server), options: options, onReport: { report in
            if report.complete {
                box.set(report)
                done.fulfill()
            }
        })
        runner.start()
        wait(for: [done], timeout: 30)
        runner.stop()
        return try XCTUnwrap(box.get())
    }

    func testBudgetedWorkerLooksAtValuesToo() throws {
        let server = try RedisServerFixture()
        seed(server)
        let report = try budgetedPass(server, pingBackoffMilliseconds: 60_000)
        XCTAssertEqual(try family(report, "widget:{id}").negativeCacheKeys, 30)
        XCTAssertEqual(try family(report, "tier_list:{id}").falsyValueKeys, 40)
    }

    func testBudgetedWorkerLooksAtNoValueWhileBackedOff() throws {
        let server = try RedisServerFixture()
        seed(server)
        let report = try budgetedPass(server, pingBackoffMilliseconds: 0)
        XCTAssertEqual(report.scannedKeys, 363)
        XCTAssertTrue(report.families.allSatisfy { $0.valuesProbed == 0 }, "\(report.families.map { ($0.pattern, $0.valuesProbed) })")
        XCTAssertFalse(server.redisCLI(["INFO", "commandstats"]).contains("cmdstat_strlen"))
    }
}

/// A report handed over from the census worker.
private final class LockedReport: @unchecked Sendable {
    private let lock = NSLock()
    private var report: CensusReport?
    func set(_ value: CensusReport) { lock.lock(); report = value; lock.unlock() }
    func get() -> CensusReport? { lock.lock(); defer { lock.unlock() }; return report }
}
