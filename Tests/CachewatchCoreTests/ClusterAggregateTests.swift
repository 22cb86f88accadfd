import CachewatchCore
import Foundation
import XCTest

/// A cluster read as one cache: INFO summed across primaries, censuses merged with per-node counts, `hot-shard`.
final class ClusterAggregateTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    private func info(commands: Int, hits: Int, misses: Int, used: Int, clients: Int, keys: Int, uptime: Int, run: String) -> InfoSnapshot {
        InfoSnapshot(text: """
        # Server\r
        redis_version:7.0.15\r
        run_id:\(run)\r
        uptime_in_seconds:\(uptime)\r
        # Clients\r
        connected_clients:\(clients)\r
        # Memory\r
        used_memory:\(used)\r
        maxmemory:1000000\r
        maxmemory_policy:allkeys-lru\r
        mem_fragmentation_ratio:1.5\r
        # Stats\r
        total_commands_processed:\(commands)\r
        keyspace_hits:\(hits)\r
        keyspace_misses:\(misses)\r
        # Commandstats\r
        cmdstat_get:calls=\(hits + misses),usec=10,usec_per_call=0.1,rejected_calls=0,failed_calls=0\r
        # Keyspace\r
        db0:keys=\(keys),expires=\(keys / 2),avg_ttl=1000\r
        """, takenAt: t0)
    }

    func testInfoOfPrimariesIsSummed() throws {
        let a = info(commands: 100, hits: 90, misses: 10, used: 400, clients: 3, keys: 10, uptime: 50, run: "a")
        let b = info(commands: 300, hits: 30, misses: 70, used: 900, clients: 4, keys: 30, uptime: 70, run: "b")
        let text = try XCTUnwrap(ClusterAggregate.infoText([a, b]))
        let sum = InfoSnapshot(text: text, takenAt: t0)
        XCTAssertEqual(sum.totalCommandsProcessed, 400)
        XCTAssertEqual(sum.keyspaceHits, 120)
        XCTAssertEqual(sum.keyspaceMisses, 80)
        XCTAssertEqual(sum.usedMemoryBytes, 1300)
        XCTAssertEqual(sum.maxmemoryBytes, 2_000_000)
        XCTAssertEqual(sum.maxmemoryPolicy, "allkeys-lru")
        XCTAssertEqual(sum.connectedClients, 7)
        XCTAssertEqual(sum.keyspace.first?.keys, 40)
        XCTAssertEqual(sum.keyspace.first?.expires, 20)
        XCTAssertEqual(sum.commandStats["get"]?.calls, 200)
        XCTAssertEqual(sum.clusterEnabled, true)
        XCTAssertEqual(sum.role, "master")
        XCTAssertNil(sum.runID, "a failover must not look like a restart")
        XCTAssertNil(sum.uptimeSeconds, "nor a restart when the oldest node leaves")
        XCTAssertEqual(sum[section: "memory", key: "mem_fragmentation_ratio"], "1.5")
        XCTAssertNil(ClusterAggregate.infoText([]))
        // Hit ratio from the summed hits and misses, not the mean of the nodes' ratios.
        let later = [info(commands: 200, hits: 190, misses: 10, used: 400, clients: 3, keys: 10, uptime: 51, run: "a"),
                     info(commands: 400, hits: 30, misses: 170, used: 900, clients: 4, keys: 30, uptime: 71, run: "b")]
        var second = InfoSnapshot(text: ClusterAggregate.infoText(later)!, takenAt: t0.addingTimeInterval(1))
        second.takenAt = t0.addingTimeInterval(1)
        let rates = try XCTUnwrap(InfoRates.overInterval(sum, second))
        XCTAssertEqual(rates.hitRatio ?? -1, 100.0 / 200.0, accuracy: 1e-9)
    }

    func testClusterStateFindingFromTheSummedInfo() throws {
        let node = info(commands: 1, hits: 1, misses: 0, used: 1, clients: 1, keys: 1, uptime: 1, run: "a")
        let healthy = InfoSnapshot(text: ClusterAggregate.infoText([node], cluster: ClusterInfo(state: "ok", slotsOK: 16384, slotsPFail: 0, slotsFail: 0))!, takenAt: t0)
        XCTAssertEqual(HotShardFindings.clusterState(healthy), [])
        let suspected = InfoSnapshot(text: ClusterAggregate.infoText([node], cluster: ClusterInfo(state: "ok", slotsOK: 10923, slotsPFail: 5461, slotsFail: 0))!, takenAt: t0)
        XCTAssertEqual(HotShardFindings.clusterState(suspected).map(\.severity), [.warn])
        let down = InfoSnapshot(text: ClusterAggregate.infoText([node], cluster: ClusterInfo(state: "fail", slotsOK: 10923, slotsPFail: 0, slotsFail: 5461), nodesDown: 1)!, takenAt: t0)
        let findings = Doctor.findings(DoctorInput(info: down)).filter { $0.code == "cluster-state" }
        XCTAssertEqual(findings.map(\.severity), [.crit])
        XCTAssertEqual(findings.first?.message, "The cluster is fail: 1 primary does not answer, 5461 slots failed, 0 suspected.")
        // A single server's INFO raises nothing.
        XCTAssertEqual(HotShardFindings.clusterState(node), [])
    }

    func testHostileCountersAreClampedNotTrapped() throws {
        let huge = info(commands: Int.max, hits: Int.max, misses: 0, used: Int.max, clients: 1, keys: Int.max, uptime: 1, run: "a")
        let text = try XCTUnwrap(ClusterAggregate.infoText([huge, huge]))
        let sum = InfoSnapshot(text: text, takenAt: t0)
        XCTAssertEqual(sum.totalCommandsProcessed, Int.max)
        XCTAssertEqual(sum.keyspace.first?.keys, Int.max)
    }

    private func family(_ pattern: String, keys: Int, noTTL: Int = 0, p50: Double? = 100, p90: Double? = 200) -> FamilyReport {
        var report = FamilyReport(pattern: pattern, keys: keys, sampled: keys, share: 0, types: ["string": keys], noTTL: noTTL,
                                  ttlMinSeconds: p50.map { $0 / 2 }, ttlP50Seconds: p50, ttlP90Seconds: p90, ttlMaxSeconds: p90.map { $0 * 2 },
                                  ttlHistogram: [TTLBucket(upperSeconds: 128, keys: keys - noTTL)] + (noTTL > 0 ? [TTLBucket(upperSeconds: nil, keys: noTTL)] : []),
                                  ttlBands: [keys - noTTL, 0, 0, 0, 0, 0, noTTL], examples: ["\(pattern)-1"])
        report.forecast = Array(repeating: 1, count: 60)
        return report
    }

    private func report(_ families: [FamilyReport], complete: Bool = true) -> CensusReport {
        let total = families.reduce(0) { $0 + $1.keys }
        return CensusReport(db: 0, complete: complete, scannedKeys: total, estimatedKeys: total, dbsizeKeys: total, keysPerSecond: 10,
                            families: families, forecast: Array(repeating: 2, count: 60))
    }

    private let slots = [SlotRange(first: 0, last: 5460)!, SlotRange(first: 5461, last: 10922)!, SlotRange(first: 10923, last: 16383)!]

    func testCensusesMergeWithPerNodeCounts() {
        let merged = ClusterCensusMerge.merge([
            .init(address: "n1:7000", slots: [slots[0]], report: report([family("widget:{id}", keys: 100, p50: 100, p90: 200), family("tag", keys: 900)])),
            .init(address: "n2:7001", slots: [slots[1]], report: report([family("widget:{id}", keys: 300, noTTL: 100, p50: 400, p90: 500)])),
            .init(address: "n3:7002", slots: [slots[2]], report: report([])),
        ], db: 0)
        XCTAssertTrue(merged.complete)
        XCTAssertEqual(merged.scannedKeys, 1300)
        XCTAssertEqual(merged.uncoveredSlots, [])
        XCTAssertEqual(merged.families.map(\.pattern), ["tag", "widget:{id}"])
        let widget = merged.families[1]
        XCTAssertEqual(widget.keys, 400)
        XCTAssertEqual(widget.noTTL, 100)
        XCTAssertEqual(widget.nodeKeys, ["n1:7000": 100, "n2:7001": 300])
        XCTAssertEqual(widget.types, ["string": 400])
        XCTAssertEqual(widget.ttlBands, [300, 0, 0, 0, 0, 0, 100])
        XCTAssertEqual(widget.ttlMinSeconds, 50)
        XCTAssertEqual(widget.ttlMaxSeconds, 1000)
        // p50 weighted by the keys with a TTL: (100·100 + 400·200) / 300.
        XCTAssertEqual(widget.ttlP50Seconds ?? 0, 300, accuracy: 1e-9)
        XCTAssertEqual(widget.share, 400.0 / 1300.0, accuracy: 1e-9)
        XCTAssertEqual(widget.forecast.first, 2)
        XCTAssertEqual(merged.forecast.first, 6)
        XCTAssertEqual(merged.clusterNodes?.map(\.keys), [1000, 300, 0])
        // JSON: families gain `nodes`; census gains `nodes` and `uncovered_slots`, after the schema-v1 fields.
        let json = merged.json.serialized()
        XCTAssertTrue(json.contains("\"never_read\":null,\"nodes\":{\"n1:7000\":100,\"n2:7001\":300}"), json)
        XCTAssertTrue(json.contains("\"notes\":[],\"nodes\":[{\"address\":\"n1:7000\",\"slots\":5461"), json)
        XCTAssertTrue(json.hasSuffix("\"uncovered_slots\":[]}"), json)
        XCTAssertFalse(report([family("a", keys: 1)]).json.serialized().contains("uncovered_slots"))
    }

    func testADownNodeLeavesItsSlotsUncoveredAndTheCensusPartial() {
        let merged = ClusterCensusMerge.merge([
            .init(address: "n1:7000", slots: [slots[0]], report: report([family("widget:{id}", keys: 100)])),
            .init(address: "n2:7001", slots: [slots[1]], report: nil, error: "Cannot connect to Redis at n2:7001: connection refused."),
            .init(address: "n3:7002", slots: [slots[2]], report: report([family("widget:{id}", keys: 100)])),
        ], db: 0)
        XCTAssertFalse(merged.complete)
        XCTAssertEqual(merged.uncoveredSlots?.map(\.description), ["5461-10922"])
        XCTAssertTrue(merged.notes.last?.contains("Slots 5461-10922 were not censused (n2:7001") == true, "\(merged.notes)")
        XCTAssertEqual(merged.clusterNodes?[1].error, "Cannot connect to Redis at n2:7001: connection refused.")
        XCTAssertEqual(merged.families.first?.keys, 200)
        // A node whose first report is still to come is pending, not down: nothing uncovered, not complete either.
        let pending = ClusterCensusMerge.merge([
            .init(address: "n1:7000", slots: [slots[0]], report: report([family("widget:{id}", keys: 100)])),
            .init(address: "n2:7001", slots: [slots[1]], report: nil),
            .init(address: "n3:7002", slots: [slots[2]], report: report([])),
        ], db: 0)
        XCTAssertFalse(pending.complete)
        XCTAssertEqual(pending.uncoveredSlots, [])
        XCTAssertEqual(pending.notes, [])
        XCTAssertNil(pending.clusterNodes?[1].error)
        // Slots no part serves (a failed primary already left out): uncovered, partial.
        let unserved = ClusterCensusMerge.merge([
            .init(address: "n1:7000", slots: [slots[0]], report: report([family("widget:{id}", keys: 100)])),
            .init(address: "n3:7002", slots: [slots[2]], report: report([family("widget:{id}", keys: 100)])),
        ], db: 0)
        XCTAssertFalse(unserved.complete)
        XCTAssertEqual(unserved.uncoveredSlots?.map(\.description), ["5461-10922"])
        XCTAssertEqual(unserved.notes, ["Slots 5461-10922 were not censused (no primary that answers serves them): the census is partial."])
        // A cluster without slots yet (a fresh node): nothing to cover.
        let fresh = ClusterCensusMerge.merge([.init(address: "n1:7000", slots: [], report: report([]))], db: 0)
        XCTAssertTrue(fresh.complete)
        XCTAssertEqual(fresh.uncoveredSlots, [])
    }

    func testMergedFamiliesAreCappedIntoOther() {
        let merged = ClusterCensusMerge.merge([
            .init(address: "n1:7000", slots: [slots[0]], report: report([family("a", keys: 5), family("b", keys: 4)])),
            .init(address: "n2:7001", slots: [slots[1]], report: report([family("c", keys: 3), family("(other)", keys: 2)])),
        ], db: 0, maxFamilies: 2)
        XCTAssertEqual(merged.families.map(\.pattern), ["a", "b", "(other)"])
        XCTAssertEqual(merged.families.last?.keys, 5)
        XCTAssertEqual(merged.families.reduce(0) { $0 + $1.keys }, 14)
    }

    func testHotShardFindingNamesAFamilyPinnedToOneNode() {
        let merged = ClusterCensusMerge.merge([
            .init(address: "n1:7000", slots: [slots[0]], report: report([family("{user1}:item:{id}", keys: 950), family("widget:{id}", keys: 340)])),
            .init(address: "n2:7001", slots: [slots[1]], report: report([family("{user1}:item:{id}", keys: 50), family("widget:{id}", keys: 330)])),
            .init(address: "n3:7002", slots: [slots[2]], report: report([family("widget:{id}", keys: 330)])),
        ], db: 0)
        let findings = HotShardFindings.evaluate(merged)
        XCTAssertEqual(findings.map(\.code), ["hot-shard"])
        XCTAssertEqual(findings.first?.pattern, "{user1}:item:{id}")
        XCTAssertEqual(findings.first?.evidence("keys"), 950)
        XCTAssertTrue(findings.first?.message.contains("on n1:7000") == true)
        XCTAssertTrue(Doctor.findings(DoctorInput(census: merged)).contains { $0.code == "hot-shard" })
        // A single server has no shards.
        XCTAssertEqual(HotShardFindings.evaluate(report([family("x", keys: 1000)])), [])
    }

    func testTargetGainsNodesAndClusterAfterTheV1Fields() {
        var target = TargetDescription(address: "127.0.0.1:7000", db: 0, mode: "cluster")
        XCTAssertEqual(target.json.serialized(), "{\"kind\":\"redis\",\"address\":\"127.0.0.1:7000\",\"db\":0,\"mode\":\"cluster\"}")
        target.cluster = ClusterStatus(nodes: [ClusterNodeStatus(id: "a", address: "127.0.0.1:7000", role: .primary, slots: [slots[0]], state: "ok",
                                                                  keys: 10, opsPerSecond: 2.5, usedMemoryBytes: 1000)],
                                       info: ClusterInfo(state: "ok", slotsAssigned: 16384, slotsOK: 16384, slotsPFail: 0, slotsFail: 0))
        let json = target.json.serialized()
        XCTAssertTrue(json.hasPrefix("{\"kind\":\"redis\",\"address\":\"127.0.0.1:7000\",\"db\":0,\"mode\":\"cluster\",\"nodes\":[{\"address\":\"127.0.0.1:7000\",\"role\":\"primary\",\"slots\":5461,\"state\":\"ok\",\"keys\":10,\"ops_per_second\":2.5,\"used_memory_bytes\":1000"), json)
        XCTAssertTrue(json.contains("\"cluster\":{\"state\":\"ok\""), json)
        XCTAssertTrue(json.contains("\"fullest_node\":{\"address\":\"127.0.0.1:7000\",\"used_memory_bytes\":1000}"), json)
    }
}
