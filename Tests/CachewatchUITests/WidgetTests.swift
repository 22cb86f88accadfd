import CachewatchUI
import XCTest

final class WidgetTests: XCTestCase {
    // MARK: - Sparkline

    func testSparklineLevelsScaleToTheMaximum() {
        XCTAssertEqual(Sparkline.levels([0, 1, 2, 4, 8]), [0, 1, 2, 4, 8])
        XCTAssertEqual(Sparkline.levels([0, 0]), [0, 0])
        XCTAssertEqual(Sparkline.levels([1, 1000]), [1, 8], "a single event stays visible")
        XCTAssertEqual(Sparkline.levels([5], maxValue: 10), [4])
        XCTAssertEqual(Sparkline.levels([0.5, 0.75, 1.0], maxValue: 1, minValue: 0.5), [1, 5, 8])
    }

    func testSparklineResamplesByMeanOrMax() {
        XCTAssertEqual(Sparkline.resample([1, 3, 5, 7], width: 2), [2, 6])
        XCTAssertEqual(Sparkline.resample([1, 3, 5, 7], width: 2, reduction: .max), [3, 7])
        XCTAssertEqual(Sparkline.resample([1, 2], width: 10), [1, 2], "short series are not stretched")
        XCTAssertEqual(Sparkline.resample(Array(repeating: 1, count: 3600), width: 7).count, 7)
    }

    func testSparklineDrawsRightAlignedWithBaselineForZeros() {
        var grid = Grid(width: 6, height: 1)
        Sparkline.draw(into: &grid, values: [0, 4, 8], x: 0, y: 0, width: 6, glyphs: .unicode)
        XCTAssertEqual(grid.text(), "   ▁▄█")
        XCTAssertEqual(grid.roles(), "...-==")
        var ascii = Grid(width: 3, height: 1)
        Sparkline.draw(into: &ascii, values: [0, 4, 8], x: 0, y: 0, width: 3, glyphs: .ascii)
        XCTAssertEqual(ascii.text(), "_~#")
    }

    func testColumnChartDrawsThresholdLinesAboveTheBaseline() {
        var grid = Grid(width: 4, height: 4)
        ColumnChart.draw(into: &grid, values: [0, 10, 20, 40], rect: Rect(x: 0, y: 0, width: 4, height: 4), glyphs: .unicode,
                         thresholds: [.init(value: 30, role: .crit)], maxValue: 40)
        XCTAssertEqual(grid.text(), "   █\n┄┄┄█\n  ██\n▁███")
        XCTAssertEqual(grid.roles().split(separator: "\n")[1], "ccc=")
    }

    // MARK: - Meter bar and histogram

    func testMeterBarUsesEighthsAndLevelRoles() {
        var grid = Grid(width: 4, height: 1)
        MeterBar.draw(into: &grid, fraction: 0.5625, x: 0, y: 0, width: 4, glyphs: .unicode, role: .warn)
        XCTAssertEqual(grid.text(), "██▎░")
        XCTAssertEqual(grid.roles(), "www-")
        XCTAssertEqual(MeterBar.role(for: 0.97, warn: 0.8, crit: 0.95), .crit)
        XCTAssertEqual(MeterBar.role(for: 0.85, warn: 0.8, crit: 0.95), .warn)
        XCTAssertEqual(MeterBar.role(for: 0.10, warn: 0.8, crit: 0.95), .ok)
        var ascii = Grid(width: 4, height: 1)
        MeterBar.draw(into: &ascii, fraction: 2, x: 0, y: 0, width: 4, glyphs: .ascii)
        XCTAssertEqual(ascii.text(), "####", "fractions are clamped")
    }

    func testHistogramScalesBarsToTheLargestRow() {
        var grid = Grid(width: 12, height: 2)
        Histogram.draw(into: &grid, rows: [.init(label: "a", value: 10, valueText: "10"), .init(label: "b", value: 5, valueText: "5")],
                       rect: Rect(x: 0, y: 0, width: 12, height: 2), glyphs: .ascii)
        XCTAssertEqual(grid.text(), "a ####### 10\nb ####     5")
    }

    // MARK: - Table

    func testTableLayoutDropsLowPriorityColumnsFirstAndFlexTakesTheRest() {
        let columns = [TableColumn("NAME", width: 10, flexible: true, priority: 100), TableColumn("A", width: 5, priority: 50),
                       TableColumn("B", width: 5, priority: 10)]
        XCTAssertEqual(Table.layout(columns, width: 40), [28, 5, 5])
        XCTAssertEqual(Table.layout(columns, width: 18), [12, 5, nil])
        XCTAssertEqual(Table.layout(columns, width: 8), [8, nil, nil])
    }

    func testTableTruncatesWithEllipsisAndHighlightsTheSelection() {
        var grid = Grid(width: 12, height: 3)
        let columns = [TableColumn("NAME", width: 6, flexible: true), TableColumn("N", width: 3, alignRight: true)]
        Table.draw(into: &grid, rect: Rect(x: 0, y: 0, width: 12, height: 3), columns: columns,
                   rows: [[TableCell("user_{id}_widgets"), TableCell("7")], [TableCell("a"), TableCell("12")]],
                   selected: 1, scrollOffset: 0, glyphs: .unicode)
        XCTAssertEqual(grid.text(), "NAME       N\nuser_{i…   7\na         12")
        XCTAssertEqual(grid.roles().split(separator: "\n")[2], "ssssssssssss")
    }

    func testTableScrollsToKeepTheSelectionVisible() {
        XCTAssertEqual(Table.scrollOffset(selected: 0, offset: 0, visibleRows: 3, count: 10), 0)
        XCTAssertEqual(Table.scrollOffset(selected: 5, offset: 0, visibleRows: 3, count: 10), 3)
        XCTAssertEqual(Table.scrollOffset(selected: 2, offset: 5, visibleRows: 3, count: 10), 2)
        XCTAssertEqual(Table.scrollOffset(selected: 9, offset: 0, visibleRows: 3, count: 10), 7)
        XCTAssertEqual(Table.scrollOffset(selected: nil, offset: 99, visibleRows: 3, count: 10), 7)
        var grid = Grid(width: 4, height: 3)
        let offset = Table.draw(into: &grid, rect: Rect(x: 0, y: 0, width: 4, height: 3), columns: [TableColumn("N", width: 4)],
                                rows: (0..<10).map { [TableCell("r\($0)")] }, selected: 6, scrollOffset: 0, glyphs: .ascii)
        XCTAssertEqual(offset, 5)
        XCTAssertEqual(grid.text(), "N   \nr5  \nr6  ")
    }

    // MARK: - Panel, banner, key bar

    func testPanelDrawsTitleAndReturnsInside() {
        var grid = Grid(width: 12, height: 3)
        let inner = Panel.draw(into: &grid, rect: Rect(x: 0, y: 0, width: 12, height: 3), title: [.init("Fail-open")], glyphs: .ascii)
        XCTAssertEqual(inner, Rect(x: 1, y: 1, width: 10, height: 1))
        XCTAssertEqual(grid.text(), "+ Fail-o~ -+\n|          |\n+----------+")
    }

    func testBannerFillsItsRowWithTheRole() {
        var grid = Grid(width: 30, height: 1)
        Banner.draw(into: &grid, rect: Rect(x: 0, y: 0, width: 30, height: 1), text: "FAIL-OPEN", role: .banner, glyphs: .unicode)
        XCTAssertEqual(grid.roles(), String(repeating: "!", count: 30))
        XCTAssertTrue(grid.text().contains("██ FAIL-OPEN ██"))
    }

    func testFunctionKeyBarDropsItemsThatDoNotFit() {
        var grid = Grid(width: 16, height: 1)
        let drawn = FunctionKeyBar.draw(into: &grid, items: [("q", "quit"), ("?", "help"), ("F", "full census")], y: 0, width: 16)
        XCTAssertEqual(drawn, 2)
        XCTAssertEqual(grid.text(), " q quit  ? help ")
        XCTAssertEqual(grid.roles(), ".kmmmmm..kmmmmm.")
    }

    // MARK: - Humanize

    func testHumanizedNumbers() {
        XCTAssertEqual(Humanize.count(12_400), "12.4k")
        XCTAssertEqual(Humanize.count(402_113), "402k")
        XCTAssertEqual(Humanize.count(1_130_000), "1.13M")
        XCTAssertEqual(Humanize.count(999), "999")
        XCTAssertEqual(Humanize.count(0), "0")
        XCTAssertEqual(Humanize.bytes(1.21 * 1_073_741_824), "1.21G")
        XCTAssertEqual(Humanize.bytes(48), "48B")
        XCTAssertEqual(Humanize.duration(3_552), "59m12s")
        XCTAssertEqual(Humanize.duration(120), "2m")
        XCTAssertEqual(Humanize.duration(274_000), "3d04h")
        XCTAssertEqual(Humanize.duration(nil), "-")
        XCTAssertEqual(Humanize.shortDuration(86_400), "1d")
        XCTAssertEqual(Humanize.percent(0.931), "93.1%")
        XCTAssertEqual(Humanize.percent(1), "100%")
        XCTAssertEqual(Humanize.milliseconds(0.3), "0.3ms")
        XCTAssertEqual(Humanize.grouped(402_113), "402,113")
        XCTAssertEqual(Humanize.grouped(-1_000), "-1,000")
        XCTAssertEqual(Humanize.grouped(Int.min), "-9,223,372,036,854,775,808")
        XCTAssertEqual(Humanize.clampedInt(.nan), 0)
        XCTAssertEqual(Humanize.clampedInt(1e300), 1 << 53)
        XCTAssertEqual(Humanize.uptime(1_000), "16m")
        XCTAssertEqual(Humanize.clock(Date(timeIntervalSince1970: 45_125), timeZone: TimeZone(identifier: "UTC")!), "12:32:05")
    }
}
