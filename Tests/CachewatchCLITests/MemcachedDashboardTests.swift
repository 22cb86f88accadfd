import Foundation
import TestSupport
import XCTest

/// The dashboard on memcached in a real terminal (tmux): the same header, families and fail-open pane.
final class MemcachedDashboardTests: DashboardTestCase {
    func testHeaderFamiliesAndFailOpenOnMemcached() throws {
        if !MemcachedServerFixture.isInstalled && !MemcachedServerFixture.mustExist { throw XCTSkip("memcached is not installed") }
        let memcached = try MemcachedServerFixture()
        try memcached.setMany((1...30).map { "widget:\($0)" }, exptimeSeconds: 600)
        try memcached.setMany((1...20).map { "cart:\($0):items" })
        try memcached.get((1...30).map { "widget:\($0)" } + ["widget:404"])
        try writeSeedLog()
        let session = try launchDashboard(target: ["--memcached", memcached.address])
        let screen = session.waitFor(timeoutSeconds: 20) { $0.contains("widget:{id}") && $0.contains("cart:{id}:items") && $0.contains("1m 1 5m 3 15m 6") }
        let header = screen.components(separatedBy: "\n").first { $0.contains("cachewatch ") } ?? ""
        XCTAssertTrue(header.contains(memcached.address), header)
        XCTAssertTrue(header.contains("memcached 1."), "header without the memcached version: \(header)")
        XCTAssertTrue(header.contains("connected") && !header.contains("reconnecting"), header)
        XCTAssertEqual(Array(tokens(ofRowContaining: "widget:{id}", in: screen).prefix(4)), ["widget:{id}", "30", "60.0%", "0"], screen)
        XCTAssertEqual(Array(tokens(ofRowContaining: "cart:{id}:items", in: screen).prefix(4)), ["cart:{id}:items", "20", "40.0%", "20"], screen)
        XCTAssertTrue(screen.contains("keys 50"), screen)
        XCTAssertTrue(stderrLog().isEmpty, "stderr while drawing: \(stderrLog())")

        // memcached going away: the header says so with memcached's sentence, and it comes back.
        memcached.kill()
        let down = session.waitFor(timeoutSeconds: 10) { $0.contains("reconnecting") }
        XCTAssertTrue(down.contains("reconnecting"), down)
        try memcached.start()
        let back = session.waitFor(timeoutSeconds: 15) { screen in
            screen.components(separatedBy: "\n").first { $0.contains("cachewatch ") }.map { $0.contains("connected") && !$0.contains("reconnecting") } ?? false
        }
        XCTAssertFalse((back.components(separatedBy: "\n").first { $0.contains("cachewatch ") } ?? "").contains("reconnecting"), back)
        session.send("q")
        assertTerminalRestored(session)
    }

    private func tokens(ofRowContaining text: String, in screen: String) -> [String] {
        let row = screen.components(separatedBy: "\n").first { $0.contains(text) } ?? ""
        return row.split(separator: " ").map(String.init).filter { $0 != "│" && $0 != "|" }
    }
}
