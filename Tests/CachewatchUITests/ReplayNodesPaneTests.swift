import CachewatchCore
import CachewatchUI
import Foundation
import XCTest

/// `replay` of a Redis Cluster recording: `target.nodes` back into the nodes pane (`o`; `n`/`N` step through events
/// there), its sparklines from the frames before the cursor, `n` inside the pane, and hostile node entries bounded.
final class ReplayNodesPaneTests: XCTestCase {
    static let start = Fixtures.now.addingTimeInterval(-300)

    static func node(_ address: String, role: String, slots: [String], state: String, keys: JSONValue, ops: JSONValue,
                     error: JSONValue = .null) -> JSONValue {
        .object([("address", .string(address)), ("role", .string(role)), ("slots", .int(slots.isEmpty ? 0 : 8192)),
                 ("state", .string(state)), ("keys", keys), ("ops_per_second", ops), ("used_memory_bytes", .int(800_000)),
                 ("id", .string("id-" + address)), ("slot_ranges", .array(slots.map(JSONValue.string))), ("connected_clients", .int(3)),
                 ("error", error), ("uptime_seconds", .int(500)), ("maxmemory_bytes", .int(1_000_000))])
    }

    /// A cluster `watch` document at `second`: two primaries and a replica; the second primary is down from 200 s.
    static func document(_ second: Int) -> RecordedDocument {
        let down = second >= 200
        let nodes: [JSONValue] = [
            node("10.0.0.1:7000", role: "primary", slots: ["0-8191"], state: "ok", keys: .int(1200), ops: .double(Double(second % 50))),
            node("10.0.0.2:7001", role: "primary", slots: ["8192-16383"], state: down ? "down" : "ok", keys: down ? .null : .int(1100),
                 ops: down ? .null : .double(20), error: down ? .string("Cannot connect to Redis at 10.0.0.2:7001: connection refused.") : .null),
            node("10.0.0.3:7002", role: "replica", slots: [], state: "ok", keys: .int(1199), ops: .double(2)),
        ]
        var census = Fixtures.census
        census.families[0].nodeKeys = ["10.0.0.1:7000": 7]
        for index in census.families.indices.dropFirst() { census.families[index].nodeKeys = ["10.0.0.2:7001": census.families[index].keys] }
        let pairs: [(String, JSONValue)] = [
            ("schema", .int(1)), ("taken_at", .string(ISOTime.format(start.addingTimeInterval(Double(second))))),
            ("target", .object([("kind", .string("redis")), ("address", .string("10.0.0.1:7000")), ("db", .int(0)),
                                ("mode", .string("cluster")), ("nodes", .array(nodes))])),
            ("server", .object([("version", .string("8.1.8")), ("uptime_seconds", .null), ("role", .string("master")),
                                ("maxmemory_bytes", .int(2_000_000)), ("maxmemory_policy", .string("allkeys-lru")),
                                ("name", .string("valkey")), ("redis_version", .string("7.2.4"))])),
            ("metrics", .object([("ops_per_second", .double(60)), ("hit_ratio", .double(0.9)), ("used_memory_bytes", .int(1_600_000))])),
            ("keyspace", .array([.object([("db", .int(0)), ("keys", .int(2300)), ("expires", .int(2000))])])),
            ("census", census.json),
        ]
        return RecordedDocument(takenAt: start.addingTimeInterval(Double(second)), document: .object(pairs))
    }

    static func timeline() -> ReplayTimeline {
        let timeline = ReplayTimeline(target: .object([("address", .string("10.0.0.1:7000")), ("db", .int(0))]))
        for second in 0..<300 { timeline.append(document(second)) }
        timeline.finishLoading()
        return timeline
    }

    func testTheNodesPaneOpensWithOAndShowsTheRecordedNodes() throws {
        let timeline = Self.timeline()
        var cursor = ReplayCursor(start: Self.start, end: Self.start.addingTimeInterval(299))
        cursor.jump(to: Self.start.addingTimeInterval(250))
        cursor.playing = false
        let model = try XCTUnwrap(timeline.model(at: try XCTUnwrap(timeline.frameIndex(at: cursor.time)), notice: nil, timeZone: Fixtures.utc))
        XCTAssertEqual(model.clusterNodes.map(\.address), ["10.0.0.1:7000", "10.0.0.2:7001", "10.0.0.3:7002"])
        XCTAssertEqual(model.clusterNodes.map(\.state), ["ok", "down", "ok"])
        XCTAssertEqual(model.header.serverName, "valkey", "the recorded identity, as live")
        XCTAssertEqual(model.clusterNodes[0].slots.map(\.description), ["0-8191"])
        XCTAssertEqual(model.clusterNodes[0].maxmemoryBytes, 1_000_000)
        XCTAssertEqual(model.clusterNodes[2].keys, 1199, "a replica's own keys")
        XCTAssertEqual(model.clusterNodeOps["10.0.0.1:7000"]?.count, 120, "the sparkline covers the frames before the cursor")
        XCTAssertEqual(model.clusterNodeOps["10.0.0.2:7001"]?.count, 69, "frames where it was down have no ops")

        // The footer offers `o` on a cluster recording; `o` opens the pane (n/N stay the replay's event keys).
        let closed = ReplayScreen.render(timeline: timeline, cursor: cursor, state: DashboardState(), notice: nil, prompt: nil,
                                         size: TerminalSize(width: 132, height: 43), glyphs: .unicode, timeZone: Fixtures.utc).text()
        XCTAssertTrue(closed.contains("o nodes") || closed.contains("o  nodes"), closed)
        var state = DashboardController.handle(key: .char("o"), state: DashboardState(), model: model).0
        XCTAssertTrue(state.nodesOpen)
        for size in [TerminalSize(width: 80, height: 24), TerminalSize(width: 132, height: 43)] {
            let text = ReplayScreen.render(timeline: timeline, cursor: cursor, state: state, notice: nil, prompt: nil, size: size,
                                           glyphs: .unicode, timeZone: Fixtures.utc).text()
            XCTAssertTrue(text.contains("Nodes · 2 primaries · 1 replicas"), text)
            XCTAssertTrue(text.contains("10.0.0.3:7002") && text.contains("down"), text)
            XCTAssertTrue(text.contains("REPLAY"), text)
        }
        _ = ReplayScreen.render(timeline: timeline, cursor: cursor, state: state, notice: nil, prompt: nil,
                                size: TerminalSize(width: 40, height: 10), glyphs: .unicode, timeZone: Fixtures.utc)
        // In the pane, `n` picks the node whose families are shown, as live; `o` closes it.
        state = DashboardController.handle(key: .char("n"), state: state, model: model).0
        XCTAssertEqual(state.nodeFilter, "10.0.0.1:7000")
        XCTAssertEqual(model.visibleFamilies(state).map(\.keys), [7])
        state = DashboardController.handle(key: .char("o"), state: state, model: model).0
        XCTAssertFalse(state.nodesOpen)

        // A standalone recording has no pane and no `o` in the footer.
        let standalone = ReplayTests.timeline()
        let plain = try XCTUnwrap(standalone.model(at: 10, notice: nil, timeZone: Fixtures.utc))
        XCTAssertTrue(plain.clusterNodes.isEmpty)
        XCTAssertFalse(DashboardController.handle(key: .char("o"), state: DashboardState(), model: plain).0.nodesOpen)
    }

    func testHostileNodeEntriesAreBounded() {
        let hostile: JSONValue = .array([
            .string("not an object"),
            .object([("role", .string("primary"))]),   // no address
            .object([("address", .string("evil\u{1b}[2J:1")), ("role", .string("primary")), ("state", .string("ok\u{1b}]0;x\u{07}")),
                     ("keys", .int(-5)), ("ops_per_second", .double(.infinity)), ("used_memory_bytes", .double(1e300)),
                     ("slot_ranges", .array([.string("99999-1"), .string("5-3"), .string("10-20"), .int(4), .string("x")])),
                     ("error", .int(3))]),
        ])
        let nodes = DocumentModels.clusterNodes(hostile)
        XCTAssertEqual(nodes.count, 1)
        let node = nodes[0]
        XCTAssertEqual(node.keys, 0)
        XCTAssertNil(node.opsPerSecond)
        XCTAssertEqual(node.slots.map(\.description), ["10-20"])
        XCTAssertFalse(node.state.contains("\u{1b}"))
        XCTAssertNil(node.error)
        var model = Fixtures.model()
        model.clusterNodes = nodes
        var state = DashboardState()
        state.nodesOpen = true
        let text = DashboardRenderer.render(model: model, state: state, width: 132, height: 43, glyphs: .unicode).text()
        XCTAssertFalse(text.contains("\u{1b}"), text)
    }
}

extension GoldenTests {
    /// Golden: the replay of a cluster recording with the nodes pane open (`o`), 132x43.
    func testReplayNodesPaneGolden() {
        let timeline = ReplayNodesPaneTests.timeline()
        var cursor = ReplayCursor(start: ReplayNodesPaneTests.start, end: ReplayNodesPaneTests.start.addingTimeInterval(299))
        cursor.jump(to: ReplayNodesPaneTests.start.addingTimeInterval(250))
        cursor.playing = false
        var state = DashboardState()
        state.nodesOpen = true
        let grid = ReplayScreen.render(timeline: timeline, cursor: cursor, state: state, notice: nil, prompt: nil,
                                       size: TerminalSize(width: 132, height: 43), glyphs: .unicode, timeZone: Fixtures.utc)
        assertSnapshot(grid.text(), named: "replay-nodes-132x43.txt")
    }
}
