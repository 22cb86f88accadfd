import Foundation
import TestSupport
import XCTest

/// The cluster test against a private 3-primary Valkey 8.1 cluster (the binary as in `ValkeyCLITests`: `make valkey`
/// or `CACHEWATCH_VALKEY_SERVER`; skipped when it is absent, like every Valkey test): every primary found from any
/// seed, the census equal to the summed DBSIZE, and the identity `valkey 8.x` (not its `redis_version` 7.2.4).
final class ValkeyClusterCLITests: XCTestCase {
    private static let shared = SharedRedisCluster()

    override class func setUp() {
        super.setUp()
        guard let binary = ValkeyCLITests.valkeyServer else { return }
        shared.start(serverExecutable: binary) { cluster in
            cluster.write((1...1200).map { ["SET", "widget:\($0)", "x", "EX", "600"] })
            cluster.write((1...30).map { ["SET", "config:flag\($0)", "1"] })
        }
    }

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    private func valkeyCluster() throws -> RedisClusterFixture {
        guard ValkeyCLITests.valkeyServer != nil else { throw XCTSkip("no valkey-server (run make valkey)") }
        return try Self.shared.cluster
    }

    private func snapshot(seed: RedisServerFixture, _ extra: [String]) throws -> [String: Any] {
        try clusterSnapshot(seed: seed, extra)
    }

    func testEveryPrimaryIsFoundFromAnyOneSeedAndNamedValkey() throws {
        let cluster = try valkeyCluster()
        for seed in cluster.nodes {
            let document = try snapshot(seed: seed, ["--no-census"])
            try assertHealthyClusterTarget(document, cluster: cluster, seed: seed, keys: 1230)
            let server = try XCTUnwrap(document["server"] as? [String: Any])
            XCTAssertEqual(server["name"] as? String, "valkey")
            let version = try XCTUnwrap(server["version"] as? String)
            XCTAssertTrue(version.hasPrefix("8."), version)
            XCTAssertEqual(server["redis_version"] as? String, "7.2.4")
        }
        let text = try CLIRunner.run(["snapshot", "--no-census", "--interval", "0.2s", "-p", String(cluster.nodes[0].port)])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.hasPrefix("valkey 8."), text.stdout)
    }

    /// Valkey 8 has no numbered databases in cluster mode: `-n 1` and `-n 0,1` are refused in one sentence (its
    /// `SELECT` refusal is Redis's); `-n all` is database 0, counted exactly.
    func testOtherDatabasesAreRefusedAndAllIsDatabaseZero() throws {
        let cluster = try valkeyCluster()
        let port = String(cluster.nodes[1].port)
        for db in ["1", "0,1"] {
            let result = try CLIRunner.run(["snapshot", "--json", "--no-census", "-p", port, "-n", db])
            assertOneSentenceError(result, expectedStatus: 64)
            XCTAssertTrue(result.stderr.contains("cluster node that refuses SELECT 1 (SELECT is not allowed in cluster mode)"), result.stderr)
        }
        let document = try snapshot(seed: cluster.nodes[1], ["--full", "-n", "all"])
        let censuses = try XCTUnwrap(document["censuses"] as? [[String: Any]])
        XCTAssertEqual(censuses.map { $0["db"] as? Int }, [0])
        XCTAssertEqual(censuses.first?["scanned_keys"] as? Int, 1230)
    }

    func testFullCensusEqualsTheSummedDBSIZE() throws {
        let cluster = try valkeyCluster()
        let document = try snapshot(seed: cluster.nodes[2], ["--full"])
        let census = try XCTUnwrap(document["census"] as? [String: Any])
        XCTAssertEqual(census["complete"] as? Bool, true)
        XCTAssertEqual(census["scanned_keys"] as? Int, cluster.totalKeys)
        XCTAssertEqual(census["scanned_keys"] as? Int, 1230)
        XCTAssertEqual(census["uncovered_slots"] as? [String], [])
        let families = try XCTUnwrap(census["families"] as? [[String: Any]])
        let widget = try XCTUnwrap(families.first { $0["pattern"] as? String == "widget:{id}" })
        XCTAssertEqual(widget["keys"] as? Int, 1200)
        let perNode = try XCTUnwrap(widget["nodes"] as? [String: Int])
        XCTAssertEqual(perNode.count, 3)
        XCTAssertEqual(perNode.values.reduce(0, +), 1200)
    }
}
