import CachewatchCore
import Foundation
import XCTest

/// Redis Cluster discovery replies (`CLUSTER NODES`, `CLUSTER SHARDS`, `CLUSTER INFO`) parsed, hostile ones reported.
final class ClusterTopologyTests: XCTestCase {
    /// `CLUSTER NODES` of a Redis 7.0 cluster with 3 primaries and 3 replicas (one replica's primary failed over).
    static let nodesText = """
    07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@40004,cache-4.internal slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected
    67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@40002 master - 0 1426238316232 2 connected 5461-10922
    292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@40003 master - 0 1426238318243 3 connected 10923-16383 [10924->-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1]
    6ec23923021cf3ffec47632106199cb7f496ce01 127.0.0.1:30005@40005 slave 67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 0 1426238316232 5 connected
    824fe116063bc5fcf9f4ffd895bc17aee7731ac3 127.0.0.1:30006@40006 slave,fail? 292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 0 1426238317741 6 connected
    e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@40001 myself,master - 0 0 1 connected 0-5460
    """

    func testClusterNodesTextIsParsed() {
        let topology = ClusterNodesParser.parse(Self.nodesText)
        XCTAssertEqual(topology.problems, [])
        XCTAssertEqual(topology.nodes.count, 6)
        XCTAssertEqual(topology.primaries.map(\.address), ["127.0.0.1:30001", "127.0.0.1:30002", "127.0.0.1:30003"])
        XCTAssertEqual(topology.primaries.map(\.slotCount), [5461, 5462, 5461])
        XCTAssertEqual(topology.primaries.reduce(0) { $0 + $1.slotCount }, 16384)
        // The announced hostname wins over the IP; a replica knows its primary.
        let replica = topology.node(id: "07c37dfeb235213a872192d90877d0cd55635b91")
        XCTAssertEqual(replica?.address, "cache-4.internal:30004")
        XCTAssertEqual(replica?.role, .replica)
        XCTAssertEqual(replica?.primaryID, "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca")
        XCTAssertEqual(topology.replicas(of: "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1").map(\.port), [30005])
        XCTAssertTrue(topology.node(id: "824fe116063bc5fcf9f4ffd895bc17aee7731ac3")?.isSuspected == true)
        XCTAssertEqual(topology.unservedSlots, [])
    }

    func testHostileClusterNodesLinesAreReportedNotFatal() {
        let text = """
        aaaa 127.0.0.1:99999@1 master - 0 0 1 connected 0-100
        bbbb 127.0.0.1:7001@17001 master - 0 0 1 connected 0-16384
        cccc 127.0.0.1:7002@17002 master - 0 0 1 connected 200-100
        dddd 127.0.0.1:7003@17003 master
        eeee :0@0 master,noaddr - 0 0 1 disconnected
        ffff [::1]:7004@17004 master - 0 0 1 connected 99999999999999999999999
        gggg ::1:7005@17005 master - 0 0 1 connected 0-16383
        """
        let topology = ClusterNodesParser.parse(text)
        XCTAssertEqual(topology.nodes.map(\.id), ["gggg"])
        XCTAssertEqual(topology.nodes.first?.address, "[::1]:7005")
        XCTAssertEqual(topology.problems.count, 6)
        XCTAssertTrue(topology.problems[0].contains("port out of range"), topology.problems[0])
    }

    /// `CLUSTER SHARDS` of a Redis 7.0 cluster, as RESP2 flat maps.
    static func shardsReply(port1: Int64 = 7000, slotEnd: Int64 = 16383, health: String = "online") -> ClusterReplyValue {
        func node(_ id: String, _ port: Int64, _ role: String, endpoint: String = "127.0.0.1", health: String = "online") -> ClusterReplyValue {
            .array([.string("id"), .string(id), .string("port"), .integer(port), .string("ip"), .string("127.0.0.1"),
                    .string("endpoint"), .string(endpoint), .string("role"), .string(role), .string("replication-offset"),
                    .integer(72156), .string("health"), .string(health)])
        }
        return .array([
            .array([.string("slots"), .array([.integer(0), .integer(5460)]),
                    .string("nodes"), .array([node("a1", port1, "master", health: health), node("a2", 7003, "replica")])]),
            .array([.string("slots"), .array([.integer(5461), .integer(10922)]),
                    .string("nodes"), .array([node("b1", 7001, "master", endpoint: "cache-b"), node("b2", 7004, "replica")])]),
            .array([.string("slots"), .array([.integer(10923), .integer(slotEnd)]),
                    .string("nodes"), .array([node("c1", 7002, "master", endpoint: "?"), node("c2", 7005, "replica")])]),
        ])
    }

    func testClusterShardsReplyIsParsed() {
        let topology = ClusterShardsParser.parse(Self.shardsReply())
        XCTAssertEqual(topology.problems, [])
        XCTAssertEqual(topology.primaries.map(\.address), ["127.0.0.1:7000", "cache-b:7001", "127.0.0.1:7002"])
        XCTAssertEqual(topology.primaries.map { $0.slots.map(\.description) }, [["0-5460"], ["5461-10922"], ["10923-16383"]])
        XCTAssertEqual(topology.replicas(of: "b1").map(\.address), ["127.0.0.1:7004"])
        XCTAssertEqual(topology.unservedSlots, [])
        // Redis 7.0 says `health fail` for a failed node.
        let failed = ClusterShardsParser.parse(Self.shardsReply(health: "fail"))
        XCTAssertTrue(failed.node(id: "a1")?.isFailed == true)
        XCTAssertEqual(failed.unservedSlots.map(\.description), ["0-5460"])
    }

    func testHostileClusterShardsEntriesAreReported() {
        let topology = ClusterShardsParser.parse(Self.shardsReply(port1: 70000, slotEnd: 99999))
        XCTAssertEqual(topology.nodes.count, 5)
        XCTAssertEqual(topology.problems.count, 2, "\(topology.problems)")
        XCTAssertTrue(topology.problems.contains { $0.contains("port 70000") })
        XCTAssertEqual(ClusterShardsParser.parse(.string("nonsense")).problems.count, 1)
        XCTAssertEqual(ClusterShardsParser.parse(.array([.integer(1), .array([.string("slots")])])).problems.count, 1)
        // Slots no healthy primary serves: the first shard's primary is missing, the third shard's range was refused.
        XCTAssertEqual(topology.unservedSlots.map(\.description), ["0-5460", "10923-16383"])
    }

    func testSlotRangesAreBoundedAndComplemented() {
        XCTAssertNil(SlotRange(first: -1, last: 3))
        XCTAssertNil(SlotRange(first: 0, last: 16384))
        XCTAssertNil(SlotRange(first: 5, last: 4))
        let ranges = [SlotRange(first: 100, last: 200)!, SlotRange(first: 0, last: 99)!, SlotRange(first: 150, last: 300)!]
        XCTAssertEqual(SlotRange.normalized(ranges).map(\.description), ["0-300"])
        XCTAssertEqual(SlotRange.complement(of: ranges).map(\.description), ["301-16383"])
        XCTAssertEqual(SlotRange.complement(of: []).map(\.description), ["0-16383"])
        XCTAssertEqual(SlotRange.total(ranges), 301)
    }

    func testClusterInfoIsParsedAndBounded() {
        let info = ClusterInfo(text: "cluster_state:fail\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:10923\r\ncluster_slots_pfail:0\r\ncluster_slots_fail:5461\r\ncluster_known_nodes:6\r\ncluster_size:3\r\n")
        XCTAssertEqual(info.state, "fail")
        XCTAssertEqual(info.slotsOK, 10923)
        XCTAssertEqual(info.slotsFail, 5461)
        XCTAssertEqual(info.knownNodes, 6)
        let hostile = ClusterInfo(text: "cluster_state:\u{1b}[2J\ncluster_slots_ok:99999999999999999999999\ncluster_slots_fail:-3\ncluster_known_nodes:-1\n")
        XCTAssertEqual(hostile.state, "\\x1b[2J")
        XCTAssertNil(hostile.slotsOK)
        XCTAssertNil(hostile.slotsFail)
        XCTAssertNil(hostile.knownNodes)
    }

    func testFailoverEventsComeFromTwoDiscoveries() {
        let before = ClusterNodesParser.parse(Self.nodesText)
        var after = before
        // 30001 fails; its replica 30004 takes its slots.
        for index in after.nodes.indices {
            if after.nodes[index].port == 30001 {
                after.nodes[index].flags = ["master", "fail"]
                after.nodes[index].health = "failed"
                after.nodes[index].slots = []
            }
            if after.nodes[index].port == 30004 {
                after.nodes[index].role = .primary
                after.nodes[index].primaryID = nil
                after.nodes[index].slots = [SlotRange(first: 0, last: 5460)!]
            }
        }
        let events = ClusterFailover.events(from: before, to: after, at: Date(timeIntervalSince1970: 1_800_000_000))
        XCTAssertEqual(events.map(\.kind), [.failover, .failover])
        XCTAssertTrue(events[0].message.contains("cache-4.internal:30004 became a primary in place of 127.0.0.1:30001"), events[0].message)
        XCTAssertEqual(events[1].severity, .crit)
        XCTAssertTrue(events[1].message.contains("127.0.0.1:30001 failed"), events[1].message)
        XCTAssertEqual(ClusterFailover.events(from: after, to: after, at: Date()), [])
        // A primary that left the topology altogether.
        var gone = before
        gone.nodes.removeAll { $0.port == 30002 }
        XCTAssertTrue(ClusterFailover.events(from: before, to: gone, at: Date()).first?.message.contains("left the cluster") == true)
    }
}
