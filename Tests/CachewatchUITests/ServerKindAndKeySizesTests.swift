import CachewatchCore
import CachewatchUI
import XCTest

/// The header names the server kind with its own version (Valkey, Dragonfly), and the family detail view
/// shows Redis 8's `INFO keysizes` for the family's types.
final class ServerKindAndKeySizesTests: XCTestCase {
    private func text(_ model: DashboardModel, _ state: DashboardState = DashboardState(), _ width: Int = 80, _ height: Int = 24) -> String {
        DashboardRenderer.render(model: model, state: state, width: width, height: height, glyphs: .unicode).text()
    }

    func testHeaderShowsValkeyWithItsOwnVersion() {
        var model = Fixtures.model()
        model.header.serverName = "valkey"
        model.header.redisVersion = "8.1.8"
        let first = text(model).split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(first.contains("valkey 8.1.8 master"), first)
        XCTAssertFalse(first.contains("redis"), first)
        // Without a name it stays `redis` (older builders, Redis itself).
        XCTAssertTrue(text(Fixtures.model()).hasPrefix(" cachewatch 127.0.0.1:6379  redis 7.0.15"))
    }

    func testDetailViewShowsKeysizesForTheFamilysTypes() {
        var model = Fixtures.model()
        model.keySizes = [
            KeySizeHistogram(db: 0, metric: "strings_sizes", bins: [.init(lowerBound: 4, keys: 6), .init(lowerBound: 64, keys: 3),
                                                                   .init(lowerBound: 1024, keys: 1)]),
            KeySizeHistogram(db: 0, metric: "hashes_items", bins: [.init(lowerBound: 2, keys: 5)]),
        ]
        var state = DashboardState()
        state.detailPattern = "widget:{id}"
        let screen = text(model, state)
        let line = screen.split(separator: "\n").first { $0.contains("db sizes") }.map(String.init) ?? ""
        XCTAssertTrue(line.contains("string p50 4B+ p90 64B+ max 1.00K+"), screen)
        XCTAssertFalse(line.contains("hash"), "widget:{id} holds strings only: \(line)")
        state.detailPattern = "session:{uuid}"
        let hashLine = text(model, state).split(separator: "\n").first { $0.contains("db sizes") }.map(String.init) ?? ""
        XCTAssertTrue(hashLine.contains("hash p50 2+ p90 2+ max 2+ items"), hashLine)
        // Without keysizes (Redis < 8) the detail view is unchanged.
        state.detailPattern = "widget:{id}"
        XCTAssertFalse(text(Fixtures.model(), state).contains("db sizes"))
        // Tiny screens never crash.
        for (w, h) in [(40, 10), (20, 5), (132, 43)] { _ = text(model, state, w, h) }
    }
}
