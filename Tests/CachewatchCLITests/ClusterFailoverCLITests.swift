import Foundation
import TestSupport
import XCTest

/// A private Redis Cluster of 3 primaries and 3 replicas: `watch` keeps running while a primary is killed, reports
/// it down (its slots uncovered, the census partial), and notices its replica's promotion (a `failover` event).
final class ClusterFailoverCLITests: ClusterCLITestCase {
    /// 3 primaries with a replica each, and the fixture's default node timeout (so a failover happens in seconds).
    override var clusterShape: (primaries: Int, replicasPerPrimary: Int, nodeTimeoutMilliseconds: Int) { (3, 1, 1000) }

    func testAKilledPrimaryIsReportedAndItsReplicasPromotionNoticed() throws {
        let cluster = try XCTUnwrap(cluster)
        cluster.write((1...600).map { ["SET", "widget:\($0)", "x", "EX", "600"] })
        // Wait until the replicas hold the keys (the promoted one must still have them).
        XCTAssertTrue(cluster.waitUntil(timeout: 20) { cluster.replicas.reduce(0) { $0 + (Int($1.redisCLI(["dbsize"])) ?? 0) } == 600 })
        let primaries = cluster.primaries
        XCTAssertEqual(primaries.count, 3)
        // --scan-replicas: the census reads the replicas (READONLY), not the primaries, and counts the same keys.
        for node in cluster.nodes { _ = node.redisCLI(["CONFIG", "RESETSTAT"]) }
        let spared = try CLIRunner.run(["snapshot", "--json", "--full", "--scan-replicas", "--interval", "0.2s", "-p", String(primaries[0].port)])
        XCTAssertEqual(spared.status, 0, spared.stderr)
        let sparedCensus = try XCTUnwrap(try parseJSONObject(spared.stdout)["census"] as? [String: Any])
        XCTAssertEqual(sparedCensus["scanned_keys"] as? Int, 600)
        XCTAssertEqual(sparedCensus["complete"] as? Bool, true)
        for primary in primaries { XCTAssertFalse(primary.redisCLI(["INFO", "commandstats"]).contains("cmdstat_scan:"), "primary \(primary.port) scanned") }
        for replica in cluster.replicas {
            let stats = replica.redisCLI(["INFO", "commandstats"])
            XCTAssertTrue(stats.contains("cmdstat_scan:") && stats.contains("cmdstat_readonly:"), "replica \(replica.port): \(stats)")
        }
        let seed = primaries[0], victim = primaries[1]
        let victimAddress = "127.0.0.1:\(victim.port)"
        let process = try launch(["watch", "--json", "--interval", "0.5s", "--scan-budget", "100000", "-p", String(seed.port)])
        let complete = process.waitForDocument(timeoutSeconds: 30) { document in
            (document["census"] as? [String: Any])?["complete"] as? Bool == true
        }
        XCTAssertEqual((complete?["census"] as? [String: Any])?["scanned_keys"] as? Int, 600, "stderr: \(process.stderr)")
        // Replicas' rows come from their own INFO: keys (what they replicated), ops/s, memory, state.
        let replicaAddresses = Set(cluster.replicas.map { "127.0.0.1:\($0.port)" })
        let sampled = process.waitForDocument(timeoutSeconds: 20) { document in
            let nodes = (document["target"] as? [String: Any])?["nodes"] as? [[String: Any]] ?? []
            let replicas = nodes.filter { $0["role"] as? String == "replica" }
            return replicas.count == 3 && replicas.allSatisfy { $0["ops_per_second"] as? Double != nil }
        }
        let replicaRows = ((sampled?["target"] as? [String: Any])?["nodes"] as? [[String: Any]] ?? []).filter { $0["role"] as? String == "replica" }
        XCTAssertEqual(Set(replicaRows.compactMap { $0["address"] as? String }), replicaAddresses, "stderr: \(process.stderr)")
        XCTAssertEqual(replicaRows.compactMap { $0["keys"] as? Int }.reduce(0, +), 600, "\(replicaRows)")
        XCTAssertEqual(replicaRows.compactMap { $0["state"] as? String }, ["ok", "ok", "ok"])
        XCTAssertEqual(replicaRows.compactMap { $0["used_memory_bytes"] as? Int }.filter { $0 > 0 }.count, 3, "\(replicaRows)")
        XCTAssertEqual(replicaRows.compactMap { $0["uptime_seconds"] as? Int }.count, 3, "\(replicaRows)")
        // A replica that cannot be reached (not the victim's, which must take over) is shown as such; nothing stops.
        let lost = try XCTUnwrap(cluster.replicas.first { !$0.redisCLI(["info", "replication"]).contains("master_port:\(victim.port)") })
        let lostAddress = "127.0.0.1:\(lost.port)"
        let beforeReplicaLoss = process.lines.count
        lost.kill()
        let unreachable = process.waitForDocument(after: beforeReplicaLoss, timeoutSeconds: 20) { document in
            let nodes = (document["target"] as? [String: Any])?["nodes"] as? [[String: Any]] ?? []
            return nodes.contains { $0["address"] as? String == lostAddress && ["down", "failed"].contains($0["state"] as? String ?? "") }
        }
        XCTAssertNotNil(unreachable, "the lost replica is shown down; stderr: \(process.stderr)")
        XCTAssertTrue(process.isRunning, process.stderr)
        let before = process.lines.count

        victim.kill()
        // Reported: the node's row says so.
        let down = process.waitForDocument(after: before, timeoutSeconds: 20) { document in
            let nodes = (document["target"] as? [String: Any])?["nodes"] as? [[String: Any]] ?? []
            return nodes.contains { $0["address"] as? String == victimAddress && ["down", "failed"].contains($0["state"] as? String ?? "") }
        }
        XCTAssertNotNil(down, "the killed primary is reported; stderr: \(process.stderr)")
        // Meanwhile the census says which slots it could not read, and that it is partial.
        let partial = process.waitForDocument(after: before, timeoutSeconds: 20) { document in
            let census = document["census"] as? [String: Any]
            let notes = census?["notes"] as? [String] ?? []
            return census?["complete"] as? Bool == false && (census?["uncovered_slots"] as? [Any])?.isEmpty == false
                && notes.contains { $0.contains(victimAddress) }
        }
        let notes = ((partial?["census"] as? [String: Any])?["notes"] as? [String]) ?? []
        XCTAssertTrue(notes.contains { $0.contains("were not censused") && $0.contains(victimAddress) }, "\(notes)")
        // Noticed: its replica became a primary (failover event), and the census covers every slot again.
        let promoted = process.waitForDocument(after: before, timeoutSeconds: 60) { document in
            let events = document["events"] as? [[String: Any]] ?? []
            return events.contains { $0["kind"] as? String == "failover" && ($0["message"] as? String)?.contains("became a primary") == true }
        }
        let found = try XCTUnwrap(promoted, "a failover event within 60 s; stderr: \(process.stderr)")
        let nodes = (found["target"] as? [String: Any])?["nodes"] as? [[String: Any]] ?? []
        XCTAssertEqual(nodes.filter { $0["role"] as? String == "primary" && $0["state"] as? String == "ok" }.count, 3, "\(nodes)")
        let recovered = process.waitForDocument(after: before, timeoutSeconds: 30) { document in
            let census = document["census"] as? [String: Any]
            return census?["complete"] as? Bool == true && census?["scanned_keys"] as? Int == 600
                && (census?["uncovered_slots"] as? [Any])?.isEmpty == true
        }
        XCTAssertNotNil(recovered, "the census covers every slot again after the promotion")
        // The tool kept running and stops cleanly.
        process.send(SIGTERM)
        XCTAssertEqual(process.waitForExit(timeoutSeconds: 10), 0, process.stderr)
    }
}
