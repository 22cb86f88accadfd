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

    /// Redis Cluster: databases beyond 0 are SELECTed on the seed first; a node that refuses (Redis, Valkey 8) is one
    /// sentence; `all` and 0 need no probe (`all` follows INFO keyspace: database 0 alone on a Redis cluster).
    func testClusterDatabaseRule() throws {
        let address = "127.0.0.1:7000"
        XCTAssertEqual(DatabaseSelection.single(0).clusterDatabasesToProbe, [])
        XCTAssertEqual(DatabaseSelection.all.clusterDatabasesToProbe, [])
        XCTAssertEqual(DatabaseSelection.single(2).clusterDatabasesToProbe, [2])
        XCTAssertEqual(DatabaseSelection.list([0, 1, 3]).clusterDatabasesToProbe, [1, 3])
        XCTAssertTrue(DatabaseSelection.isClusterModeSelectRefusal("ERR SELECT is not allowed in cluster mode"), "Redis 7, Valkey 8")
        XCTAssertFalse(DatabaseSelection.isClusterModeSelectRefusal("ERR DB index is out of range"))
        XCTAssertFalse(DatabaseSelection.isClusterModeSelectRefusal("NOPERM this user has no permissions to run the 'select' command"))
        XCTAssertEqual(DatabaseSelection.single(1).clusterProblem(address: address, refusedDatabase: 1),
                       "Database 1 was asked for, but Redis at 127.0.0.1:7000 is a cluster node that refuses SELECT 1 (SELECT is not allowed "
                        + "in cluster mode): its cluster has only database 0 (Valkey 9 and later allow numbered databases in cluster mode).")
        XCTAssertEqual(DatabaseSelection.list([0, 1]).clusterProblem(address: address, refusedDatabase: 1),
                       "The database list 0,1 cannot be watched: Redis at 127.0.0.1:7000 is a cluster node that refuses SELECT 1 (SELECT is "
                        + "not allowed in cluster mode): its cluster has only database 0 (Valkey 9 and later allow numbered databases in cluster mode).")
        // `all` on a cluster whose nodes list only db0 (or nothing) is database 0.
        XCTAssertEqual(DatabaseSelection.all.databases(keyspaceDatabases: [0]), [0])
        XCTAssertEqual(DatabaseSelection.all.databases(keyspaceDatabases: []), [0])
        XCTAssertEqual(DatabaseSelection.all.databases(keyspaceDatabases: [1, 0, 1]), [0, 1], "Valkey 9: the nodes' summed keyspace")
    }

    /// Valkey 9 numbered databases on a cluster: each database's census is the merge of its primaries' parts
    /// (per-node counts kept); shown together they are `db1 …` families with their nodes, the census's `nodes` summed
    /// per primary over the databases, the uncovered slots of any, and `hot-shard` per database.
    func testClusterCensusesOfSeveralDatabases() throws {
        let low = try XCTUnwrap(SlotRange(first: 0, last: 5460)), high = try XCTUnwrap(SlotRange(first: 5461, last: 16383))
        func part(_ address: String, _ slots: SlotRange, db: Int, _ families: [(String, Int, Int)], error: String? = nil) -> ClusterCensusMerge.Part {
            .init(address: address, slots: [slots], report: error == nil ? report(db: db, families: families) : nil, error: error)
        }
        let db0 = ClusterCensusMerge.merge([part("10.0.0.1:7000", low, db: 0, [("cache:{id}", 60, 0)]),
                                            part("10.0.0.2:7000", high, db: 0, [("cache:{id}", 40, 0)])], db: 0)
        let db1 = ClusterCensusMerge.merge([part("10.0.0.1:7000", low, db: 1, [("ratelimit:{id}", 150, 150)]),
                                            part("10.0.0.2:7000", high, db: 1, [("ratelimit:{id}", 5, 5)])], db: 1)
        XCTAssertEqual(db1.db, 1)
        XCTAssertEqual(db1.families.first?.nodeKeys, ["10.0.0.1:7000": 150, "10.0.0.2:7000": 5])
        let shown = try XCTUnwrap(DatabaseCensuses.displayReport([db0, db1]))
        XCTAssertEqual(shown.families.map(\.pattern), ["db1 ratelimit:{id}", "db0 cache:{id}"])
        XCTAssertEqual(shown.families.first?.nodeKeys, ["10.0.0.1:7000": 150, "10.0.0.2:7000": 5], "per-node counts kept")
        XCTAssertEqual(shown.clusterNodes?.map(\.address), ["10.0.0.1:7000", "10.0.0.2:7000"])
        XCTAssertEqual(shown.clusterNodes?.map(\.keys), [210, 45])
        XCTAssertEqual(shown.uncoveredSlots, [])
        XCTAssertTrue(shown.complete)
        // JSON: each census object carries its `db` and its own `nodes`.
        let json = db1.json.serialized()
        XCTAssertTrue(json.hasPrefix("{\"db\":1,"), json)
        XCTAssertTrue(json.contains("\"nodes\":[{\"address\":\"10.0.0.1:7000\""), json)
        // hot-shard: per database, named `db1 …`.
        let findings = DatabaseCensuses.findings(DoctorInput(), censuses: [db0, db1])
        let hot = try XCTUnwrap(findings.first { $0.code == "hot-shard" })
        XCTAssertEqual(hot.db, 1)
        XCTAssertEqual(hot.displayPattern, "db1 ratelimit:{id}")
        XCTAssertTrue(hot.message.hasPrefix("db1: "), hot.message)
        // A primary down in one database: its slots are uncovered in the combined report, which is partial.
        let down = ClusterCensusMerge.merge([part("10.0.0.1:7000", low, db: 1, [("ratelimit:{id}", 150, 150)]),
                                             part("10.0.0.2:7000", high, db: 1, [], error: "10.0.0.2:7000 does not answer.")], db: 1)
        let partial = try XCTUnwrap(DatabaseCensuses.displayReport([db0, down]))
        XCTAssertEqual(partial.uncoveredSlots, [high])
        XCTAssertFalse(partial.complete)
        XCTAssertEqual(partial.clusterNodes?.last?.error, "10.0.0.2:7000 does not answer.")
        XCTAssertNil(DatabaseCensuses.displayReport([report(db: 0, families: [("a", 1, 0)])])?.clusterNodes, "a single server has none")
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
