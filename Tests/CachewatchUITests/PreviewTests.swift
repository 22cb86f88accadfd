import CachewatchUI
import XCTest

/// Prints renders when CACHEWATCH_PREVIEW=1 (a developer aid; asserts nothing beyond not crashing).
final class PreviewTests: XCTestCase {
    func testPreview() throws {
        guard ProcessInfo.processInfo.environment["CACHEWATCH_PREVIEW"] == "1" else { throw XCTSkip("set CACHEWATCH_PREVIEW=1") }
        var state = DashboardState()
        var out = ""
        func print(_ text: String) { out += text + "\n" }
        defer { try? out.write(toFile: "/tmp/cachewatch-preview.txt", atomically: true, encoding: .utf8) }
        let sizes = [(80, 24), (132, 43), (40, 10)]
        for (w, h) in sizes {
            print(DashboardRenderer.render(model: Fixtures.model(), state: state, width: w, height: h, glyphs: .unicode).text())
            print(String(repeating: "=", count: w))
        }
        print(DashboardRenderer.render(model: Fixtures.disconnectedModel(), state: state, width: 80, height: 24, glyphs: .unicode).text())
        print(String(repeating: "=", count: 80))
        state.detailPattern = "widget:{id}"
        print(DashboardRenderer.render(model: Fixtures.model(), state: state, width: 80, height: 24, glyphs: .unicode).text())
        print(String(repeating: "=", count: 80))
        print(DashboardRenderer.render(model: Fixtures.model(), state: state, width: 132, height: 43, glyphs: .unicode).text())
        print(String(repeating: "=", count: 80))
        state.detailPattern = "user_{id}_widgets:page_{n}:size_{n}:{id}"
        print(DashboardRenderer.render(model: Fixtures.model(), state: state, width: 100, height: 30, glyphs: .unicode).text())
        print(String(repeating: "=", count: 80))
        state.detailPattern = nil
        state.helpOpen = true
        print(DashboardRenderer.render(model: Fixtures.model(), state: state, width: 80, height: 24, glyphs: .ascii).text())
        let start = Date()
        for _ in 0..<50 { _ = DashboardRenderer.render(model: Fixtures.model(logState: .crit), state: DashboardState(), width: 132, height: 43, glyphs: .unicode) }
        print("render 132x43: \(Int(Date().timeIntervalSince(start) / 50 * 1_000_000)) us per frame (debug build)")
    }
}
