import Foundation
import TestSupport
import XCTest

/// A private 3-primary Redis Cluster (shared by the tests of this class): every primary found from any one seed, the
/// census equal to the summed DBSIZE with families merged across nodes, `hot-shard`, `watch` on a cluster, and only
/// the README's commands sent.
final class ClusterCLITests: XCTestCase {
    private static let shared = SharedRedisCluster()

    override class func setUp() {
        super.setUp()
        // No failover wanted here, even under load (node timeout 5 s).
        shared.start { cluster in
            // 3000 keys spread over every slot, 300 pinned to one slot by a hash tag, 50 without a TTL.
            cluster.write((1...3000).map { ["SET", "widget:\($0)", "x", "EX", "600"] })
            cluster.write((1...300).map { ["SET", "{user1}:item:\($0)", "x", "EX", "900"] })
            cluster.write((1...50).map { ["SET", "config:flag\($0)", "1"] })
        }
    }

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    private var cluster: RedisClusterFixture!

    override func setUpWithError() throws {
        cluster = try Self.shared.cluster
    }

    private func snapshot(seed: RedisServerFixture, _ extra: [String]) throws -> [String: Any] {
        try clusterSnapshot(seed: seed, extra)
    }

    func testEveryPrimaryIsFoundFromAnyOneSeed() throws {
        for seed in cluster.nodes {
            let document = try snapshot(seed: seed, ["--no-census"])
            let target = try assertHealthyClusterTarget(document, cluster: cluster, seed: seed, keys: 3350)
            XCTAssertEqual((target["cluster"] as? [String: Any])?["slots_ok"] as? Int, 16384)
            // The header's numbers are the sum over the primaries.
            let keyspace = try XCTUnwrap(document["keyspace"] as? [[String: Any]])
            XCTAssertEqual(keyspace.first?["keys"] as? Int, 3350)
        }
    }

    func testFullCensusEqualsTheSummedDBSIZEWithFamiliesMergedAcrossNodes() throws {
        let document = try snapshot(seed: cluster.nodes[1], ["--full"])
        let census = try XCTUnwrap(document["census"] as? [String: Any])
        XCTAssertEqual(census["complete"] as? Bool, true)
        XCTAssertEqual(census["scanned_keys"] as? Int, cluster.totalKeys)
        XCTAssertEqual(census["scanned_keys"] as? Int, 3350)
        XCTAssertEqual(census["uncovered_slots"] as? [String], [])
        let families = try XCTUnwrap(census["families"] as? [[String: Any]])
        let widget = try XCTUnwrap(families.first { $0["pattern"] as? String == "widget:{id}" })
        XCTAssertEqual(widget["keys"] as? Int, 3000)
        let perNode = try XCTUnwrap(widget["nodes"] as? [String: Int])
        XCTAssertEqual(perNode.count, 3, "a family spread over every slot is on every primary")
        XCTAssertEqual(perNode.values.reduce(0, +), 3000)
        let censusNodes = try XCTUnwrap(census["nodes"] as? [[String: Any]])
        XCTAssertEqual(censusNodes.compactMap { $0["keys"] as? Int }.reduce(0, +), 3350)
        // The hash-tagged family sits on one node: hot-shard.
        let findings = try XCTUnwrap(document["findings"] as? [[String: Any]])
        let hot = findings.filter { $0["code"] as? String == "hot-shard" }
        XCTAssertEqual(hot.count, 1, "\(findings)")
        XCTAssertTrue((hot.first?["pattern"] as? String)?.contains("item") == true)
    }

    func testWatchReportsTheClusterAndOnlyTheREADMECommandsAreSent() throws {
        for node in cluster.nodes { XCTAssertEqual(node.redisCLI(["CONFIG", "RESETSTAT"]), "OK") }
        let watch = try StreamingCLIProcess(["watch", "--json", "--interval", "0.5s", "-p", String(cluster.nodes[2].port)])
        defer {
            watch.send(SIGKILL)
            _ = watch.waitForExit(timeoutSeconds: 5)
        }
        let document = watch.waitForDocument(timeoutSeconds: 30) { document in
            let census = document["census"] as? [String: Any]
            return census?["complete"] as? Bool == true
        }
        let found = try XCTUnwrap(document, "a complete census within 30 s; stderr: \(watch.stderr)")
        let target = try XCTUnwrap(found["target"] as? [String: Any])
        XCTAssertEqual(target["mode"] as? String, "cluster")
        XCTAssertEqual((target["nodes"] as? [Any])?.count, 3)
        XCTAssertEqual((found["census"] as? [String: Any])?["scanned_keys"] as? Int, 3350)
        watch.send(SIGTERM)
        XCTAssertEqual(watch.waitForExit(timeoutSeconds: 10), 0, watch.stderr)
        // Read-only: every command any node counted is on the README's list.
        let readme = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        let line = try XCTUnwrap(readme.components(separatedBy: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("Commands sent:") })
        let allowed = Set(line.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }
            .map { $0.element.lowercased().replacingOccurrences(of: " ", with: "|") })
        for node in cluster.nodes {
            for statLine in node.redisCLI(["INFO", "commandstats"]).components(separatedBy: .newlines) where statLine.hasPrefix("cmdstat_") {
                let name = String(statLine.dropFirst("cmdstat_".count).prefix { $0 != ":" })
                // The harness's own redis-cli calls (INFO, CONFIG RESETSTAT) are not cachewatch's.
                if name == "config|resetstat" { continue }
                XCTAssertTrue(allowed.contains(name), "\(name) was sent to \(node.port)")
            }
        }
    }

    func testClusterNodesIsTheFallbackWhenShardsIsRefused() throws {
        // (The harness creates the user; cachewatch never sends ACL.)
        for node in cluster.nodes {
            XCTAssertEqual(node.redisCLI(["ACL", "SETUSER", "noshards", "on", ">pw", "~*", "+@all", "-cluster|shards"]), "OK")
        }
        let result = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "0.2s", "-p", String(cluster.nodes[0].port),
                                        "--user", "noshards", "-a", "pw", "--no-auth-warning"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let nodes = try XCTUnwrap((try parseJSONObject(result.stdout)["target"] as? [String: Any])?["nodes"] as? [[String: Any]])
        XCTAssertEqual(nodes.count, 3)
        XCTAssertEqual(nodes.compactMap { $0["slots"] as? Int }.reduce(0, +), 16384)
        XCTAssertEqual(nodes.compactMap { $0["state"] as? String }, ["ok", "ok", "ok"])
    }

    /// A Redis Cluster has only database 0 (its INFO keyspace lists no other): `-n 1` and `-n 0,1` are one sentence and
    /// exit 64 (1 from the environment, 3 for check), before anything runs; `-n 0` and `-n all` watch the cluster.
    func testOtherDatabasesOnAClusterAreOneSentence() throws {
        let port = String(cluster.nodes[0].port)
        for db in ["1", "0,1"] {
            let result = try CLIRunner.run(["snapshot", "--json", "--no-census", "-p", port, "-n", db])
            assertOneSentenceError(result, expectedStatus: 64)
            XCTAssertTrue(result.stderr.contains(db == "1" ? "Database 1 was asked for" : "The database list 0,1 "), result.stderr)
            XCTAssertTrue(result.stderr.contains("cluster node that refuses SELECT 1 (SELECT is not allowed in cluster mode)"), result.stderr)
            // check: UNKNOWN (3), its one line on stdout.
            let check = try CLIRunner.run(["check", "--no-census", "-p", port, "-n", db])
            XCTAssertEqual(check.status, 3, check.stdout + check.stderr)
            XCTAssertTrue(check.stdout.hasPrefix("CACHEWATCH UNKNOWN - ") && check.stdout.contains("cluster node"), check.stdout)
        }
        let fromEnvironment = try CLIRunner.run(["snapshot", "--json", "--no-census", "-p", port], environment: ["CACHE_REDIS_DB": "1"])
        assertOneSentenceError(fromEnvironment, expectedStatus: 1)
        let watch = try CLIRunner.run(["watch", "--json", "--count", "1", "--no-census", "-p", port, "-n", "1"])
        assertOneSentenceError(watch, expectedStatus: 64)
        for db in ["0", "all"] {
            let result = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "0.2s", "-p", port, "-n", db])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual((try parseJSONObject(result.stdout)["target"] as? [String: Any])?["mode"] as? String, "cluster")
        }
    }

    /// `-n all` on a cluster whose nodes list only db0 is database 0: one census in `censuses` (its `db` 0, its
    /// per-node counts), `census` the same, exact; the text shows `db0 …` families.
    func testAllDatabasesOnARedisClusterIsDatabaseZero() throws {
        let document = try snapshot(seed: cluster.nodes[2], ["--full", "-n", "all"])
        let censuses = try XCTUnwrap(document["censuses"] as? [[String: Any]])
        XCTAssertEqual(censuses.map { $0["db"] as? Int }, [0])
        XCTAssertEqual(censuses.first?["scanned_keys"] as? Int, 3350)
        XCTAssertEqual(censuses.first?["complete"] as? Bool, true)
        XCTAssertEqual((censuses.first?["nodes"] as? [[String: Any]])?.count, 3, "per-node counts kept")
        let census = try XCTUnwrap(document["census"] as? [String: Any])
        XCTAssertEqual(census["scanned_keys"] as? Int, 3350)
        let widget = try XCTUnwrap((census["families"] as? [[String: Any]])?.first { $0["pattern"] as? String == "widget:{id}" })
        XCTAssertEqual((widget["nodes"] as? [String: Int])?.values.reduce(0, +), 3000)
        let text = try CLIRunner.run(["snapshot", "--full", "-n", "all", "-p", String(cluster.nodes[0].port)])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("db0 widget:{id}"), text.stdout)
        let check = try CLIRunner.run(["check", "-n", "all", "-p", String(cluster.nodes[0].port)])
        XCTAssertNotEqual(check.status, 3, check.stdout + check.stderr)
        // watch (the dashboard's session): `censuses` with db 0's complete census, its nodes, and `census` the same.
        let watch = try StreamingCLIProcess(["watch", "--json", "--interval", "0.5s", "-n", "all", "-p", String(cluster.nodes[1].port)])
        defer {
            watch.send(SIGKILL)
            _ = watch.waitForExit(timeoutSeconds: 5)
        }
        let found = watch.waitForDocument(timeoutSeconds: 30) { document in
            ((document["censuses"] as? [[String: Any]])?.first?["complete"] as? Bool) == true
        }
        let live = try XCTUnwrap(found, "a complete census of db 0 within 30 s; stderr: \(watch.stderr)")
        let liveCensuses = try XCTUnwrap(live["censuses"] as? [[String: Any]])
        XCTAssertEqual(liveCensuses.map { $0["db"] as? Int }, [0])
        XCTAssertEqual(liveCensuses.first?["scanned_keys"] as? Int, 3350)
        XCTAssertEqual((liveCensuses.first?["nodes"] as? [[String: Any]])?.count, 3)
        XCTAssertEqual((live["census"] as? [String: Any])?["scanned_keys"] as? Int, 3350)
        watch.send(SIGTERM)
        XCTAssertEqual(watch.waitForExit(timeoutSeconds: 10), 0, watch.stderr)
    }

    func testClusterFlagOnAStandaloneServerIsOneSentence() throws {
        let standalone: RedisServerFixture
        do { standalone = try RedisServerFixture() } catch { throw prerequisiteMissing("redis-server could not be started: \(error)") }
        defer { standalone.teardown() }
        let result = try CLIRunner.run(["snapshot", "--json", "--cluster", "-p", String(standalone.port)])
        assertOneSentenceError(result)
        XCTAssertTrue(result.stderr.contains("not a cluster node"), result.stderr)
        // --cluster with a seed that does not answer: its sentence (detection reads the first INFO, no probe).
        let closed = String(freeLoopbackPort())
        for command in [["snapshot", "--json"], ["watch", "--json", "--count", "1"]] {
            let unreachable = try CLIRunner.run(command + ["--cluster", "-p", closed])
            assertOneSentenceError(unreachable)
            XCTAssertTrue(unreachable.stderr.contains("connection refused"), unreachable.stderr)
        }
    }
}
