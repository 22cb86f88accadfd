import CachewatchCore
import CachewatchUI
import XCTest

/// Renders fixed models and compares them with files under Snapshots/.
/// `CACHEWATCH_RECORD_SNAPSHOTS=1 swift test --filter GoldenTests` re-records; a missing file is written and fails.
final class GoldenTests: XCTestCase {
    // MARK: - Snapshot helper

    static let snapshotDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    func assertSnapshot(_ actual: String, named name: String, file: StaticString = #filePath, line: UInt = #line) {
        let url = GoldenTests.snapshotDirectory.appendingPathComponent(name)
        let record = ProcessInfo.processInfo.environment["CACHEWATCH_RECORD_SNAPSHOTS"] == "1"
        let existing = try? String(contentsOf: url, encoding: .utf8)
        if record || existing == nil {
            try? FileManager.default.createDirectory(at: GoldenTests.snapshotDirectory, withIntermediateDirectories: true)
            XCTAssertNoThrow(try (actual + "\n").write(to: url, atomically: true, encoding: .utf8), file: file, line: line)
            if existing == nil { XCTFail("recorded a new snapshot \(name); check it and run again", file: file, line: line) }
            return
        }
        let expected = String(existing!.dropLast(existing!.hasSuffix("\n") ? 1 : 0))
        guard expected != actual else { return }
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let row = (0..<min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
        XCTFail("""
            snapshot \(name) differs at row \(row + 1) (CACHEWATCH_RECORD_SNAPSHOTS=1 re-records):
            expected: \(row < e.count ? String(e[row]) : "<none>")
            actual:   \(row < a.count ? String(a[row]) : "<none>")
            """, file: file, line: line)
    }

    func render(_ model: DashboardModel, _ state: DashboardState = DashboardState(), _ width: Int, _ height: Int,
                glyphs: Glyphs = .unicode) -> Grid {
        DashboardRenderer.render(model: model, state: state, width: width, height: height, glyphs: glyphs)
    }

    // MARK: - Screens

    func testMainScreenWarn80x24() {
        assertSnapshot(render(Fixtures.model(logState: .warn), DashboardState(), 80, 24).text(), named: "main-warn-80x24.txt")
    }

    func testMainScreenCrit80x24WithRoles() {
        let grid = render(Fixtures.model(logState: .crit), DashboardState(), 80, 24)
        assertSnapshot(grid.text(), named: "main-crit-80x24.txt")
        assertSnapshot(grid.roles(), named: "main-crit-80x24.roles.txt")
    }

    func testMainScreen132x43() {
        // The app runs 14 SCAN/s: `scan/s` in the header and the pattern-invalidation finding in the findings pane.
        let grid = render(Fixtures.scanningModel(logState: .crit), DashboardState(), 132, 43)
        assertSnapshot(grid.text(), named: "main-crit-132x43.txt")
        assertSnapshot(grid.roles(), named: "main-crit-132x43.roles.txt")
        assertSnapshot(render(Fixtures.model(logState: .warn), DashboardState(), 132, 43).text(), named: "main-warn-132x43.txt")
    }

    func testAppScansAt80x24KeepTheHeaderCalm() {
        let grid = render(Fixtures.scanningModel(logState: .warn), DashboardState(), 80, 24)
        assertSnapshot(grid.text(), named: "main-scan-80x24.txt")
        assertSnapshot(grid.roles(), named: "main-scan-80x24.roles.txt")
    }

    func testCompact40x10() {
        assertSnapshot(render(Fixtures.model(logState: .warn), DashboardState(), 40, 10).text(), named: "compact-warn-40x10.txt")
        let crit = render(Fixtures.model(logState: .crit), DashboardState(), 40, 10)
        assertSnapshot(crit.text(), named: "compact-crit-40x10.txt")
        assertSnapshot(crit.roles(), named: "compact-crit-40x10.roles.txt")
    }

    func testDisconnected80x24() {
        let grid = render(Fixtures.disconnectedModel(), DashboardState(), 80, 24)
        assertSnapshot(grid.text(), named: "disconnected-80x24.txt")
        assertSnapshot(render(Fixtures.disconnectedModel(), DashboardState(), 40, 10).text(), named: "disconnected-40x10.txt")
    }

    func testDetailView80x24() {
        var state = DashboardState()
        state.detailPattern = "widget:{id}"
        assertSnapshot(render(Fixtures.model(), state, 80, 24).text(), named: "detail-widget-80x24.txt")
        state.detailPattern = "cart:{id}:items"
        assertSnapshot(render(Fixtures.model(), state, 80, 24).text(), named: "detail-cart-80x24.txt")
    }

    func testHelpOverlay80x24() {
        var state = DashboardState()
        state.helpOpen = true
        assertSnapshot(render(Fixtures.model(), state, 80, 24).text(), named: "help-80x24.txt")
    }

    func testASCIIGlyphs80x24() {
        let grid = render(Fixtures.model(logState: .crit), DashboardState(), 80, 24, glyphs: .ascii)
        assertSnapshot(grid.text(), named: "main-crit-ascii-80x24.txt")
    }

    func testFilterAndSelectionAndNoLogs80x24() {
        var model = Fixtures.model()
        model.logs = nil
        model.censusProgress = nil
        var state = DashboardState()
        state.filter = "user"
        state.editingFilter = true
        state.selectedFamily = 1
        let grid = render(model, state, 80, 24)
        assertSnapshot(grid.text(), named: "filter-nologs-80x24.txt")
        assertSnapshot(grid.roles(), named: "filter-nologs-80x24.roles.txt")
    }

    // MARK: - Properties that hold at every size

    func testCritBannerCellsAreColouredAsAlerts() {
        let grid = render(Fixtures.model(logState: .crit), DashboardState(), 80, 24)
        XCTAssertTrue(grid.rowText(0).contains("FAIL-OPEN CRITICAL"))
        XCTAssertTrue(grid.row(0).allSatisfy { $0.role == .banner }, "the whole first row is the banner")
        let warn = render(Fixtures.model(logState: .warn), DashboardState(), 80, 24)
        XCTAssertFalse(warn.text().contains("FAIL-OPEN CRITICAL"))
        XCTAssertFalse(warn.row(0).contains { $0.role == .banner })
        // The state word in the fail-open pane carries its level's role.
        for (model, word, role) in [(Fixtures.model(logState: .warn), "WARN since", StyleRole.warn),
                                    (Fixtures.model(logState: .crit), "CRIT since", StyleRole.crit)] {
            let g = render(model, DashboardState(), 80, 24)
            guard let y = (0..<g.height).first(where: { g.rowText($0).contains(word) }) else { return XCTFail("no \(word)") }
            let x = g.rowText(y).distance(from: g.rowText(y).startIndex, to: g.rowText(y).range(of: word)!.lowerBound)
            XCTAssertEqual(g[x, y]?.role, role)
        }
    }

    func testDisconnectedHeaderSaysReconnectingInCrit() {
        let grid = render(Fixtures.disconnectedModel(), DashboardState(), 80, 24)
        let text = grid.text()
        XCTAssertTrue(text.contains("reconnecting since 22:37:05"), text)
        XCTAssertTrue(text.contains("connection refused"))
        let row = (0..<grid.height).first { grid.rowText($0).contains("reconnecting") }!
        XCTAssertTrue(grid.row(row).contains { $0.role == .crit })
        // Stale numbers are muted.
        let meters = (0..<grid.height).first { grid.rowText($0).contains("ops/s") }!
        XCTAssertFalse(grid.row(meters).contains { $0.role == .value })
    }

    func testTinySizesNeverCrash() {
        let models = [Fixtures.model(logState: .warn), Fixtures.model(logState: .crit), Fixtures.disconnectedModel(),
                      DashboardModel(header: HeaderInfo(address: ""), now: Fixtures.now, timeZone: Fixtures.utc)]
        var detail = DashboardState()
        detail.detailPattern = "widget:{id}"
        var help = DashboardState()
        help.helpOpen = true
        for model in models {
            for state in [DashboardState(), detail, help] {
                for width in 0...45 {
                    for height in 0...12 {
                        let grid = render(model, state, width, height)
                        XCTAssertEqual(grid.width, width)
                        XCTAssertEqual(grid.height, height)
                    }
                }
                for (w, h) in [(60, 14), (61, 15), (80, 16), (200, 60), (59, 40), (300, 5)] {
                    XCTAssertEqual(render(model, state, w, h).cells.count, w * h)
                }
            }
        }
    }

    func testPaneLayoutsAtBoundarySizesNeverCrash() {
        var detail = DashboardState()
        detail.detailPattern = "user_{id}_widgets:page_{n}:size_{n}:{id}"
        var help = DashboardState()
        help.helpOpen = true
        var filtered = DashboardState()
        filtered.filter = "zzz"
        filtered.editingFilter = true
        for model in [Fixtures.model(logState: .crit), Fixtures.disconnectedModel()] {
            for state in [DashboardState(), detail, help, filtered] {
                for width in [59, 60, 61, 79, 80, 100, 133] {
                    for height in [13, 14, 15, 24, 35, 36] {
                        let grid = render(model, state, width, height)
                        for y in 0..<height { XCTAssertEqual(DisplayWidth.of(grid.rowText(y)), width) }
                    }
                }
            }
        }
    }

    func testHostileNumbersNeverCrash() {
        var model = Fixtures.model(logState: .crit)
        model.header.opsPerSecond = .infinity
        model.header.hitRatio = .nan
        model.header.usedMemoryBytes = 1e300
        model.header.maxMemoryBytes = -5
        model.header.pingMilliseconds = -.infinity
        model.header.uptimeSeconds = 1e300
        model.header.keysTotal = Int.max
        model.histories.opsPerSecond = [.nan, .infinity, -1, 1e308, 0]
        model.histories.hitRatio = [2, -2, .nan]
        model.census!.families[0].keys = Int.max
        model.census!.families[0].share = .nan
        model.census!.families[0].ttlBands = [1]
        model.census!.families[0].ttlP50Seconds = .infinity
        model.census!.families[0].lockstep = LockstepWave(startsInSeconds: .nan, windowSeconds: -1, keys: -3, fraction: .infinity)
        model.census!.families[0].forecast = []
        model.census!.families[1].forecast = [Int.max, Int.max, -1]
        model.census!.families[1].types = ["string": Int.max, "hash": Int.max]
        model.census!.families[0].ttlHistogram = [TTLBucket(upperSeconds: 1e300, keys: Int.max), TTLBucket(upperSeconds: -1, keys: 5)]
        model.logs!.failOpen.perMinute = [Int.max, -5]
        model.logs!.failOpen.warnPerMinute = .nan
        model.logs!.failOpen.critPerMinute = 1e300
        model.censusProgress = CensusProgress(running: true, scannedKeys: 5, dbsizeKeys: -1, keysPerSecond: .nan, etaSeconds: .infinity)
        var detail = DashboardState()
        detail.detailPattern = model.census!.families[0].pattern
        var detail2 = DashboardState()
        detail2.detailPattern = model.census!.families[1].pattern
        for state in [DashboardState(), detail, detail2] {
            for (w, h) in [(80, 24), (132, 43), (40, 10), (20, 5)] {
                XCTAssertEqual(render(model, state, w, h).cells.count, w * h)
            }
        }
    }

    func testAYieldingCensusSaysSoInTheFamiliesTitle() {
        var model = Fixtures.model()
        model.censusProgress = CensusProgress(running: true, scannedKeys: 16_000, dbsizeKeys: 1_000_000, keysPerSecond: 95,
                                              etaSeconds: 10_000)
        XCTAssertFalse(render(model, DashboardState(), 132, 43).text().contains("yielding"))
        model.censusProgress?.yielding = true
        let text = render(model, DashboardState(), 132, 43).text()
        XCTAssertTrue(text.contains("95/s yielding to load"), text)
    }

    func testCompactViewShowsTheFourNumbers() {
        let text = render(Fixtures.model(logState: .crit), DashboardState(), 40, 10).text()
        XCTAssertTrue(text.contains("FAIL-OPEN CRIT"))
        for needle in ["12.4k", "93.1%", "212", "1.21G"] { XCTAssertTrue(text.contains(needle), needle) }
        let tiny = render(Fixtures.model(logState: .crit), DashboardState(), 20, 5).text()
        for needle in ["FAIL-OPEN", "12.4k", "93.1%", "212", "1.21G"] { XCTAssertTrue(tiny.contains(needle), "\(needle) in\n\(tiny)") }
    }

    func testTerminalInjectionIsShownAsText() {
        var model = Fixtures.model()
        let evil = "\u{1b}]0;pwned\u{07}"
        model.census!.families[0].pattern = evil + "widget"
        model.census!.families[1].pattern = "\u{1b}[2J" + "clear"
        model.header.address = "host\u{1b}[31m"
        model.header.connection = .disconnected(since: Fixtures.now, reason: "boom\u{1b}[2J\nnext")
        model.logs!.failOpen.byError = [("err\u{9b}31m", 5)]
        model.findings = [Finding(severity: .warn, code: "x", pattern: evil + "widget", message: "m\u{202e}sg")]
        var state = DashboardState()
        for s in [state, { state.detailPattern = evil + "widget"; return state }()] {
            for (w, h) in [(80, 24), (132, 43), (40, 10)] {
                let grid = render(model, s, w, h)
                for cell in grid.cells {
                    for scalar in cell.text.unicodeScalars {
                        XCTAssertFalse(scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) || scalar.value == 0x202E,
                                       "control U+\(String(scalar.value, radix: 16)) reached the grid at \(w)x\(h)")
                    }
                }
            }
        }
        let text = render(model, DashboardState(), 132, 43).text()
        XCTAssertTrue(text.contains("\\x1b]0;pwned\\x07widget"), text)
        XCTAssertTrue(text.contains("\\x1b[2Jclear"))
        var detail = DashboardState()
        detail.detailPattern = evil + "widget"
        XCTAssertTrue(render(model, detail, 80, 24).text().contains("\\x1b]0;pwned\\x07widget"))
    }

    func testASCIIGlyphsProduceOnlyASCII() {
        var detail = DashboardState()
        detail.detailPattern = "session:{uuid}"
        var help = DashboardState()
        help.helpOpen = true
        for state in [DashboardState(), detail, help] {
            for model in [Fixtures.model(logState: .crit), Fixtures.disconnectedModel(), Fixtures.model(logState: .warn)] {
                for (w, h) in [(80, 24), (132, 43), (40, 10), (20, 5)] {
                    let text = render(model, state, w, h, glyphs: .ascii).text()
                    let bad = text.unicodeScalars.filter { $0.value > 0x7E || ($0.value < 0x20 && $0 != "\n") }
                    XCTAssertTrue(bad.isEmpty, "non-ASCII \(String(String.UnicodeScalarView(bad))) at \(w)x\(h)\n\(text)")
                }
            }
        }
    }

    func testEveryRowIsExactlyTheScreenWidth() {
        for (w, h) in [(80, 24), (132, 43), (40, 10)] {
            let grid = render(Fixtures.model(logState: .crit), DashboardState(), w, h)
            for y in 0..<h { XCTAssertEqual(DisplayWidth.of(grid.rowText(y)), w, "row \(y) at \(w)x\(h)") }
        }
    }
}
