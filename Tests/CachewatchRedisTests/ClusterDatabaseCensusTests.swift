import CachewatchCore
@testable import CachewatchRedis
import Foundation
import TestSupport
import XCTest

/// The census of several databases of a cluster (Valkey 9's numbered databases in cluster mode), at the seam below
/// the cluster collector: no Valkey 9 binary exists here, so two standalone redis-servers, which answer `SELECT 1` as a
/// Valkey 9 cluster node does, stand in as the cluster's two primaries (`ClusterPrimary` with their slots). Checks one
/// connection per (primary, database) with `SELECT`, exact counts per database, per-node counts kept.
final class ClusterDatabaseCensusTests: XCTestCase {
    private var servers: [RedisServerFixture] = []
    private var primaries: [ClusterPrimary] = []

    override func setUpWithError() throws {
        do {
            servers = [try RedisServerFixture(), try RedisServerFixture()]
        } catch {
            throw prerequisiteMissing("redis-server could not be started: \(error)")
        }
        // Primary A: db0 30 cache keys, db1 20 ratelimit keys; primary B: db0 10, db1 5; db2 is not watched.
        for (server, counts) in zip(servers, [(30, 20), (10, 5)]) {
            var commands: [[String]] = [["SELECT", "0"]] + (1...counts.0).map { ["SET", "cache:\($0)", "v", "EX", "600"] }
            commands += [["SELECT", "1"]] + (1...counts.1).map { ["SET", "ratelimit:\($0)", "1"] }
            commands += [["SELECT", "2"], ["SET", "other:1", "v"]]
            XCTAssertTrue(server.pipe(commands).contains("errors: 0"))
        }
        let slots = [SlotRange(first: 0, last: 8191), SlotRange(first: 8192, last: 16383)].compactMap { $0 }
        primaries = zip(servers, slots).map { server, range in
            ClusterPrimary(address: "\(server.host):\(server.port)",
                           endpoint: RedisEndpoint(host: server.host, port: server.port, db: 0), slots: [range])
        }
    }

    override func tearDown() {
        servers.forEach { $0.teardown() }
        servers = []
    }

    private var addresses: [String] { primaries.map(\.address) }

    private func assertCensuses(_ reports: [CensusReport], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(reports.map(\.db), [0, 1], file: file, line: line)
        XCTAssertEqual(reports.map(\.scannedKeys), [40, 25], "each database exactly, db2 left out", file: file, line: line)
        XCTAssertTrue(reports.allSatisfy(\.complete), file: file, line: line)
        XCTAssertEqual(reports[0].families.first?.nodeKeys, [addresses[0]: 30, addresses[1]: 10], file: file, line: line)
        XCTAssertEqual(reports[1].families.first?.nodeKeys, [addresses[0]: 20, addresses[1]: 5], file: file, line: line)
        XCTAssertEqual(reports[1].clusterNodes?.map(\.keys), [20, 5], "per-node counts of db1", file: file, line: line)
        XCTAssertEqual(reports[1].uncoveredSlots, [], file: file, line: line)
    }

    func testFullCensusOfEveryDatabaseOnEveryPrimary() {
        let reports = ClusterDatabaseCensus.runFull(primaries: primaries, databases: [0, 1], memory: false, maxFamilies: 200)
        assertCensuses(reports)
        let shown = DatabaseCensuses.displayReport(reports)
        XCTAssertEqual(shown?.families.map(\.pattern).map { $0.prefix(8) }, ["db0 cach", "db1 rate"], "db0's 40 keys first")
        XCTAssertEqual(shown?.clusterNodes?.map(\.keys), [50, 15])
    }

    /// Budgeted: one `ClusterCensus` per database, each primary walked once per database on its own connection that
    /// `SELECT`ed it (seen in the servers' CLIENT LIST as `db=0` and `db=1` connections named cachewatch).
    func testBudgetedCensusUsesOneConnectionPerPrimaryAndDatabase() throws {
        let done = expectation(description: "both databases complete")
        let reports = LockedReports()
        let census = ClusterDatabaseCensus(primaries: primaries, databases: [0, 1],
                                           options: CensusOptions(mode: .budgeted(keysPerSecond: 5000)), ownTraffic: OwnTraffic(),
                                           schedule: CensusSchedule(refreshSeconds: 3600),
                                           onReport: { db, report in if reports.set(db, report) { done.fulfill() } })
        census.start()
        defer { census.stop() }
        wait(for: [done], timeout: 30)
        assertCensuses(census.reports.compactMap { $0 })
        XCTAssertTrue(census.complete)
        for server in servers {
            let ours = server.redisCLI(["CLIENT", "LIST"]).split(separator: "\n").filter { $0.contains("name=cachewatch") }
            XCTAssertEqual(ours.filter { $0.contains(" db=0 ") }.count, 1, ours.joined(separator: "\n"))
            XCTAssertEqual(ours.filter { $0.contains(" db=1 ") }.count, 1, ours.joined(separator: "\n"))
        }
    }

    /// The reports posted per database; true once when both databases have a complete one.
    private final class LockedReports: @unchecked Sendable {
        private let lock = NSLock()
        private var complete: [Int: CensusReport] = [:]
        private var announced = false

        func set(_ db: Int, _ report: CensusReport) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            if report.complete { complete[db] = report }
            guard !announced, complete.count == 2 else { return false }
            announced = true
            return true
        }
    }
}
