import CachewatchCore
import XCTest

/// Several databases' censuses: the shared budget, the dashboard's `dbN` table, findings per DB, keyspace sums.
final class DatabaseCensusesTests: XCTestCase {
    private func report(db: Int, complete: Bool = true, families: [(String, Int, Int)]) -> CensusReport {
        let total = families.reduce(0) { $0 + $1.1 }
        var forecast = Array(repeating: 0, count: 60)
        forecast[0] = db + 1
        return CensusReport(db: db, complete: complete, scannedKeys: total, estimatedKeys: total, dbsizeKeys: total, keysPerSecond: 10,
                            families: families.map { FamilyReport(pattern: $0.0, keys: $0.1, sampled: $0.1, share: 1, types: ["string": $0.1],
                                                                  noTTL: $0.2) },
                            forecast: forecast, notes: db == 3 ? ["MEMORY USAGE denied."] : [])
    }

    /// Redis Cluster: database 0 only, unless the seed's INFO keyspace lists another (Valkey 9); never a list.
    func testClusterDatabaseRule() {
        let address = "127.0.0.1:7000"
        XCTAssertNil(DatabaseSelection.single(0).clusterProblem(address: address, keyspaceDatabases: nil))
        XCTAssertNil(DatabaseSelection.all.clusterProblem(address: address, keyspaceDatabases: [0]))
        XCTAssertEqual(DatabaseSelection.single(1).clusterProblem(address: address, keyspaceDatabases: [0]),
                       "Database 1 was asked for, but Redis at 127.0.0.1:7000 is a cluster node, and a Redis Cluster has only database 0 (its INFO keyspace lists no other).")
        XCTAssertNotNil(DatabaseSelection.single(1).clusterProblem(address: address, keyspaceDatabases: nil))
        XCTAssertNotNil(DatabaseSelection.single(1).clusterProblem(address: address, keyspaceDatabases: []))
        XCTAssertNil(DatabaseSelection.single(1).clusterProblem(address: address, keyspaceDatabases: [0, 1]), "Valkey 9: numbered DBs")
        XCTAssertNil(DatabaseSelection.single(2).clusterProblem(address: address, keyspaceDatabases: [0, 1]))
        XCTAssertEqual(DatabaseSelection.list([0, 1]).clusterProblem(address: address, keyspaceDatabases: [0, 1]),
                       "The database list 0,1 cannot be watched on a Redis Cluster: 127.0.0.1:7000 is a cluster node, and a cluster is watched one database at a time (pass one database).")
    }

    func testBudgetIsSharedNotMultiplied() {
        XCTAssertEqual(DatabaseCensuses.budgetShare(budgetKeysPerSecond: 5000, databases: 1), 5000)
        XCTAssertEqual(DatabaseCensuses.budgetShare(budgetKeysPerSecond: 5000, databases: 3), 1666)
        XCTAssertLessThanOrEqual(DatabaseCensuses.budgetShare(budgetKeysPerSecond: 5000, databases: 3) * 3, 5000)
        XCTAssertEqual(DatabaseCensuses.budgetShare(budgetKeysPerSecond: 2, databases: 3), 1, "at least 1 key/s")
        XCTAssertEqual(DatabaseCensuses.budgetShare(budgetKeysPerSecond: 10_000_000, databases: 64), 156_250)
    }

    func testDisplayReportPrefixesAndSortsFamilies() throws {
        let merged = try XCTUnwrap(DatabaseCensuses.displayReport([
            report(db: 0, families: [("widget:{id}", 50, 0), ("(other)", 5, 0)]),
            report(db: 1, complete: false, families: [("ratelimit:{id}:{str}", 80, 0)]),
            report(db: 3, families: [("taskiq:{hex}", 10, 10)]),
        ]))
        XCTAssertEqual(merged.families.map(\.pattern),
                       ["db1 ratelimit:{id}:{str}", "db0 widget:{id}", "db3 taskiq:{hex}", "db0 (other)"])
        XCTAssertEqual(merged.estimatedKeys, 145)
        XCTAssertEqual(merged.scannedKeys, 145)
        XCTAssertEqual(merged.db, 0)
        XCTAssertFalse(merged.complete, "complete only when every DB is")
        XCTAssertEqual(merged.forecast[0], 1 + 2 + 4)
        XCTAssertEqual(merged.forecast.count, 60)
        XCTAssertEqual(merged.notes, ["db3: MEMORY USAGE denied."])
        XCTAssertEqual(merged.families[0].share, 80.0 / 145.0, accuracy: 1e-9)
        XCTAssertNil(DatabaseCensuses.displayReport([]))
    }

    func testFindingsCarryTheirDatabase() {
        let censuses = [report(db: 0, families: [("widget:{id}", 50, 0)]), report(db: 3, families: [("taskiq:{hex}", 10, 10)])]
        let findings = DatabaseCensuses.findings(DoctorInput(), censuses: censuses)
        let noTTL = findings.filter { $0.code == "no-ttl" }
        XCTAssertEqual(noTTL.count, 1, "\(findings.map(\.message))")
        XCTAssertEqual(noTTL.first?.db, 3)
        XCTAssertEqual(noTTL.first?.pattern, "taskiq:{hex}")
        XCTAssertEqual(noTTL.first?.displayPattern, "db3 taskiq:{hex}")
        XCTAssertTrue(noTTL.first?.message.hasPrefix("db3: ") == true)
        // JSON: `db` added last; a one-DB finding has none.
        if case .object(let pairs)? = noTTL.first?.json { XCTAssertEqual(pairs.last?.0, "db") } else { XCTFail("object") }
        if case .object(let pairs) = Finding(severity: .warn, code: "x", pattern: nil, message: "m").json {
            XCTAssertFalse(pairs.contains { $0.0 == "db" })
        }
        // Silenced by the family's own pattern (every DB) or by `db3 …` (that DB only).
        XCTAssertTrue(DatabaseCensuses.findings(DoctorInput(), censuses: censuses,
                                                silences: [FindingSilence(code: "no-ttl", pattern: "taskiq:{hex}")]).isEmpty)
        XCTAssertTrue(DatabaseCensuses.findings(DoctorInput(), censuses: censuses,
                                                silences: [FindingSilence(code: "no-ttl", pattern: "db3 taskiq:{hex}")]).isEmpty)
        XCTAssertEqual(DatabaseCensuses.findings(DoctorInput(), censuses: censuses,
                                                 silences: [FindingSilence(code: "no-ttl", pattern: "db0 taskiq:{hex}")]).count, 1)
    }

    func testKeyspaceTotalsSumOnlyWatchedDatabases() {
        let keyspace = [KeyspaceEntry(db: 0, keys: 10, expires: 9, avgTTLMilliseconds: 0), KeyspaceEntry(db: 1, keys: 5, expires: 5, avgTTLMilliseconds: 0),
                        KeyspaceEntry(db: 2, keys: 100, expires: 0, avgTTLMilliseconds: 0), KeyspaceEntry(db: 3, keys: 7, expires: 0, avgTTLMilliseconds: 0)]
        let totals = DatabaseCensuses.keyspaceTotals(keyspace, databases: [0, 1, 3, 9])
        XCTAssertEqual(totals.keys, 22)
        XCTAssertEqual(totals.expires, 14)
    }

    func testDocumentAddsCensusesLast() {
        var document = SnapshotDocument(takenAt: Date(timeIntervalSince1970: 0), target: TargetDescription(address: "a", db: 0, mode: "standalone"),
                                        info: nil, rates: nil, pingMilliseconds: nil,
                                        census: report(db: 0, families: []), logs: nil, redisError: nil)
        guard case .object(let before) = document.json else { return XCTFail("object") }
        document.censuses = [report(db: 0, families: []), report(db: 1, families: [])]
        guard case .object(let after) = document.json else { return XCTFail("object") }
        XCTAssertEqual(after.map(\.0), before.map(\.0) + ["censuses"], "only added, at the end")
    }
}
