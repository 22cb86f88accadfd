import CachewatchCore
import CachewatchUI
import XCTest

/// Errors have their own row and never replace the header (issue 8 §7): census errors, INFO denied; a stalled
/// server reads `slow`; other cachewatch processes are named next to the rates they inflate.
final class HeaderProblemTests: XCTestCase {
    private func render(_ model: DashboardModel, width: Int = 80, height: Int = 24) -> Grid {
        DashboardRenderer.render(model: model, state: DashboardState(), width: width, height: height, glyphs: .unicode)
    }

    func testAProblemGoesToTheFooterAndTheHeaderRowStays() {
        var model = Fixtures.model()
        model.problem = "census: Redis at 127.0.0.1:6379 denies the 'scan' command to this user (ACL NOPERM)."
        for (width, height) in [(80, 24), (132, 43)] {
            let grid = render(model, width: width, height: height)
            let top = grid.rowText(0)
            XCTAssertTrue(top.contains("cachewatch"), "header row lost at \(width): \(top)")
            XCTAssertTrue(top.contains("connected"), "state lost at \(width): \(top)")
            let footer = grid.rowText(height - 1)
            XCTAssertTrue(footer.contains("census: Redis at 127.0.0.1:6379 denies"), footer)
            XCTAssertTrue(footer.contains("quit"), "quit hint gone: \(footer)")
            XCTAssertFalse(top.contains("denies"), top)
        }
        // Cleared: the key hints come back.
        model.problem = nil
        XCTAssertTrue(render(model).rowText(23).contains("full census"))
    }

    func testAStalledServerReadsSlow() {
        var model = Fixtures.model()
        model.header.staleSeconds = 3
        let top = render(model).rowText(0)
        XCTAssertTrue(top.contains("slow, no answer for 3"), top)
    }

    func testOtherCachewatchProcessesAreNamedBesideTheRates() {
        var model = Fixtures.model()
        model.header.otherCachewatch = 2
        let grid = render(model)
        XCTAssertTrue((0..<4).contains { grid.rowText($0).contains("rates include 2 other cachewatch") },
                      (0..<4).map(grid.rowText).joined(separator: "\n"))
        model.header.otherCachewatch = 0
        let alone = render(model)
        XCTAssertFalse((0..<4).contains { alone.rowText($0).contains("other cachewatch") })
    }

    func testTheCompactViewShowsTheProblemAndOtherCachewatch() {
        var model = Fixtures.model()
        model.problem = "census: SCAN denied"
        model.header.otherCachewatch = 1
        let grid = render(model, width: 40, height: 10)
        let text = (0..<10).map(grid.rowText).joined(separator: "\n")
        XCTAssertTrue(text.contains("! census: SCAN denied"), text)
        XCTAssertTrue(text.contains("rates include 1 other cachewatch"), text)
    }
}
