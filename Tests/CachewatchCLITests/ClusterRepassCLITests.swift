import Foundation
import TestSupport
import XCTest

/// Steady-state pacing on a cluster (a private 3-primary cluster): with `--refresh 1h`, a keyspace that grows by more
/// than 10 % is walked again early, and a primary that restarts (its keys gone) is walked again at once, so the census
/// follows both without waiting for the refresh.
final class ClusterRepassCLITests: ClusterCLITestCase {
    func testAKeyspaceJumpAndANodeRestartAreCensusedWithoutWaitingForTheRefresh() throws {
        let cluster = try XCTUnwrap(cluster)
        cluster.write((1...600).map { ["SET", "widget:\($0)", "x", "EX", "600"] })
        let seed = cluster.nodes[0]
        let process = try launch(["watch", "--json", "--interval", "0.5s", "--refresh", "1h", "--scan-budget", "100000",
                                  "-p", String(seed.port)])
        let first = process.waitForDocument(timeoutSeconds: 30) { self.census($0)?["complete"] as? Bool == true }
        XCTAssertEqual(first.flatMap { self.census($0)?["scanned_keys"] as? Int }, 600, "stderr: \(process.stderr)")

        // +50 %: each node's INFO keyspace jumps, so each walks again ~10 s after its pass ended, not in an hour.
        cluster.write((1...300).map { ["SET", "gadget:\($0)", "x", "EX", "600"] })
        let grown = process.waitForDocument(after: process.lines.count, timeoutSeconds: 60) { document in
            let census = self.census(document)
            let families = census?["families"] as? [[String: Any]] ?? []
            return census?["complete"] as? Bool == true && census?["scanned_keys"] as? Int == 900
                && families.contains { $0["pattern"] as? String == "gadget:{id}" && $0["keys"] as? Int == 300 }
        }
        XCTAssertNotNil(grown, "the census follows a 50 % keyspace jump early; stderr: \(process.stderr)")

        // A primary restarts without persistence: its keys are gone; its part is walked again at once.
        let victim = try XCTUnwrap(cluster.primaries.first { $0.port != seed.port })
        let before = process.lines.count
        try victim.restart()
        XCTAssertTrue(cluster.waitUntil(timeout: 20) { cluster.isReady(replicas: false) })
        let remaining = cluster.totalKeys
        XCTAssertLessThan(remaining, 900)
        let shrunk = process.waitForDocument(after: before, timeoutSeconds: 60) { document in
            let census = self.census(document)
            return census?["complete"] as? Bool == true && census?["scanned_keys"] as? Int == remaining
        }
        XCTAssertNotNil(shrunk, "the restarted node's part is walked again (\(remaining) keys); stderr: \(process.stderr)")
        let events = (shrunk?["events"] as? [[String: Any]]) ?? []
        XCTAssertTrue(events.contains { $0["kind"] as? String == "restart" && ($0["message"] as? String)?.contains("\(victim.port)") == true },
                      "\(events)")
        process.send(SIGTERM)
        XCTAssertEqual(process.waitForExit(timeoutSeconds: 10), 0, process.stderr)
    }
}
