import CachewatchCore
import CachewatchUI
import XCTest

/// The header's `scan/s` meter: the app's pattern-invalidation SCANs, shown only while there are any.
final class HeaderScanTests: XCTestCase {
    private func render(_ model: DashboardModel, width: Int = 80, height: Int = 24) -> Grid {
        DashboardRenderer.render(model: model, state: DashboardState(), width: width, height: height, glyphs: .unicode)
    }

    /// The row holding the second header meter row (`evict/s …`).
    private func meterRow(_ grid: Grid) -> (y: Int, text: String)? {
        guard let y = (0..<grid.height).first(where: { grid.rowText($0).contains("evict/s") }) else { return nil }
        return (y, grid.rowText(y))
    }

    /// The role of the first cell of `needle` in row `y`.
    private func role(of needle: String, in grid: Grid, row y: Int) -> StyleRole? {
        let text = grid.rowText(y)
        guard let range = text.range(of: needle) else { return nil }
        return grid[text.distance(from: text.startIndex, to: range.lowerBound), y]?.role
    }

    func testNoAppScansShowNoMeterAndKeepTheUsualRow() {
        for scans in [nil, 0, 0.01] as [Double?] {
            var model = Fixtures.model()
            model.header.appScanPerSecond = scans
            model.header.delPerSecond = 340
            let row = meterRow(render(model))
            XCTAssertFalse(row?.text.contains("scan/s") ?? true, "\(String(describing: scans)): \(row?.text ?? "")")
            XCTAssertTrue(row?.text.contains("blocked 0") ?? false)
            XCTAssertTrue(row?.text.contains("keys 1.13M") ?? false)
        }
    }

    func testScanRateAboveTheThresholdIsWarnWithDelBeside() throws {
        let grid = render(Fixtures.scanningModel(scanPerSecond: 14))
        let row = try XCTUnwrap(meterRow(grid))
        XCTAssertTrue(row.text.contains("scan/s 14 (del/s 340)"), row.text)
        XCTAssertEqual(role(of: "14 (del", in: grid, row: row.y), .warn)
        XCTAssertEqual(role(of: "(del/s", in: grid, row: row.y), .muted)
        // 80 columns: the least useful meters (keys, blocked 0) make room; ping stays.
        XCTAssertTrue(row.text.contains("ping 0.3ms"), row.text)
        XCTAssertFalse(row.text.contains("keys"), row.text)
        XCTAssertFalse(row.text.contains("blocked"), row.text)
    }

    func testScanRateAtOrBelowTheThresholdIsAPlainValue() throws {
        for scans in [3.2, 10] {
            let grid = render(Fixtures.scanningModel(scanPerSecond: scans))
            let row = try XCTUnwrap(meterRow(grid))
            let shown = scans == 10 ? "10" : "3.2"
            XCTAssertTrue(row.text.contains("scan/s \(shown) (del/s 340)"), row.text)
            XCTAssertEqual(role(of: "\(shown) (del", in: grid, row: row.y), .value)
        }
        // The threshold comes from `Thresholds`.
        var model = Fixtures.scanningModel(scanPerSecond: 3.2)
        model.thresholds = Thresholds(appScanWarnPerSecond: 2)
        let grid = render(model)
        let row = try XCTUnwrap(meterRow(grid))
        XCTAssertEqual(role(of: "3.2 (del", in: grid, row: row.y), .warn)
    }

    func testUnknownDelRateLeavesTheTailOut() throws {
        var model = Fixtures.scanningModel()
        model.header.delPerSecond = nil
        let row = try XCTUnwrap(meterRow(render(model)))
        XCTAssertTrue(row.text.contains("scan/s 14  clients"), row.text)
        XCTAssertFalse(row.text.contains("del/s"))
    }

    func testBlockedClientsStayBeforeKeysGo() throws {
        // Blocked clients matter: with some, `blocked` keeps its place and `keys` then `ping` make room first.
        var model = Fixtures.scanningModel()
        model.header.blockedClients = 3
        let row = try XCTUnwrap(meterRow(render(model)))
        XCTAssertTrue(row.text.contains("blocked 3"), row.text)
        XCTAssertTrue(row.text.contains("scan/s 14"), row.text)
        XCTAssertFalse(row.text.contains("keys"), row.text)
    }

    func testStaleScanRateIsMutedWhenDisconnected() throws {
        var model = Fixtures.scanningModel()
        model.header.connection = .disconnected(since: Fixtures.now.addingTimeInterval(-30), reason: "Connection refused")
        let grid = render(model)
        let row = try XCTUnwrap(meterRow(grid))
        XCTAssertEqual(role(of: "14 (del", in: grid, row: row.y), .muted)
    }

    func testRowsFitAtEveryWidth() {
        for width in 60...200 {
            let grid = render(Fixtures.scanningModel(), width: width, height: 30)
            for y in 0..<grid.height {
                XCTAssertEqual(grid.row(y).reduce(0) { $0 + $1.width }, width, "row \(y) at width \(width)")
            }
            let row = meterRow(grid)?.text ?? ""
            XCTAssertTrue(row.contains("scan/s 14"), "width \(width): \(row)")
        }
    }
}
