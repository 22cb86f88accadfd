import CachewatchCore
import CachewatchUI
import XCTest

/// Redis Cluster in the dashboard: the nodes pane (`N`) and `n`, which shows the families of one primary.
final class NodesPaneTests: XCTestCase {
    private func clusterModel() -> DashboardModel {
        var model = Fixtures.model()
        let a = SlotRange(first: 0, last: 8191)!, b = SlotRange(first: 8192, last: 16383)!
        model.clusterNodes = [
            ClusterNodeStatus(id: "1", address: "10.0.0.1:7000", role: .primary, slots: [a], state: "ok", keys: 1200, opsPerSecond: 40,
                              usedMemoryBytes: 800_000, maxmemoryBytes: 1_000_000),
            ClusterNodeStatus(id: "2", address: "10.0.0.2:7001", role: .primary, slots: [b], state: "down",
                              error: "Cannot connect to Redis at 10.0.0.2:7001: connection refused."),
            ClusterNodeStatus(id: "3", address: "10.0.0.3:7002", role: .replica, slots: [], state: "ok"),
        ]
        model.clusterNodeOps = ["10.0.0.1:7000": [10, 20, 40, 30]]
        if var census = model.census, let first = census.families.first {
            census.families[0].nodeKeys = ["10.0.0.1:7000": 7]
            for index in census.families.indices.dropFirst() { census.families[index].nodeKeys = ["10.0.0.2:7001": census.families[index].keys] }
            XCTAssertGreaterThan(first.keys, 7)
            model.census = census
        }
        return model
    }

    func testNodesPaneListsEveryNode() {
        let model = clusterModel()
        var state = DashboardState()
        state = DashboardController.handle(key: .char("N"), state: state, model: model).0
        XCTAssertTrue(state.nodesOpen)
        for size in [(80, 24), (132, 43)] {
            let text = DashboardRenderer.render(model: model, state: state, width: size.0, height: size.1, glyphs: .unicode).text()
            XCTAssertTrue(text.contains("Nodes · 2 primaries · 1 replicas"), text)
            XCTAssertTrue(text.contains("10.0.0.1:7000") && text.contains("10.0.0.2:7001") && text.contains("10.0.0.3:7002"), text)
            XCTAssertTrue(text.contains("down"), text)
            XCTAssertTrue(text.contains("1.20k"), text)
        }
        // 40×10 does not trap.
        _ = DashboardRenderer.render(model: model, state: state, width: 40, height: 10, glyphs: .unicode)
        XCTAssertFalse(DashboardController.handle(key: .escape, state: state, model: model).0.nodesOpen)
    }

    func testNFiltersTheFamiliesToOnePrimaryThenAll() {
        let model = clusterModel()
        var state = DashboardState()
        state = DashboardController.handle(key: .char("n"), state: state, model: model).0
        XCTAssertEqual(state.nodeFilter, "10.0.0.1:7000")
        let rows = model.visibleFamilies(state)
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows.first?.keys, 7, "the node's own keys")
        let text = DashboardRenderer.render(model: model, state: state, width: 132, height: 43, glyphs: .unicode).text()
        XCTAssertTrue(text.contains("node 10.0.0.1:7000"), text)
        state = DashboardController.handle(key: .char("n"), state: state, model: model).0
        XCTAssertEqual(state.nodeFilter, "10.0.0.2:7001")
        state = DashboardController.handle(key: .char("n"), state: state, model: model).0
        XCTAssertNil(state.nodeFilter, "after the last primary: all nodes again (replicas are not offered)")
        // A single server: N and n do nothing.
        let single = Fixtures.model()
        XCTAssertFalse(DashboardController.handle(key: .char("N"), state: DashboardState(), model: single).0.nodesOpen)
        XCTAssertNil(DashboardController.handle(key: .char("n"), state: DashboardState(), model: single).0.nodeFilter)
    }
}
