import CachewatchCore
import CachewatchUI
import XCTest

/// Timeline events drawn on the fail-open chart's time axis.
final class EventMarkerTests: XCTestCase {
    private let now = Fixtures.now

    private func event(_ kind: Event.Kind, minutesAgo: Double) -> Event {
        Event(at: now.addingTimeInterval(-minutesAgo * 60), kind: kind, severity: .ok, message: "x")
    }

    func testColumnsAreTheEventsMinutes() {
        let events = [event(.deploy, minutesAgo: 0.5), event(.restart, minutesAgo: 10.2), event(.marker, minutesAgo: 10.9),
                      event(.connectionLost, minutesAgo: 59.9), event(.deploy, minutesAgo: 61), event(.deploy, minutesAgo: -1),
                      event(.failOpen, minutesAgo: 3), event(.newFamily, minutesAgo: 4)]
        XCTAssertEqual(DashboardRenderer.eventMarkerColumns(events, now: now, width: 60), [0, 49, 59],
                       "newest minute at the right; one marker per minute; older than the chart, future and unmarked kinds left out")
        XCTAssertEqual(DashboardRenderer.eventMarkerColumns(events, now: now, width: 30), [19, 29], "a narrower chart shows fewer minutes")
        XCTAssertEqual(DashboardRenderer.eventMarkerColumns([], now: now, width: 60), [])
        XCTAssertEqual(DashboardRenderer.eventMarkerColumns(events, now: now, width: 0), [])
    }

    func testMarkersAreDrawnInTheChartsTopRowInAccent() {
        for (glyphs, glyph, size) in [(Glyphs.unicode, "▼", (132, 43)), (Glyphs.ascii, "v", (132, 43)), (Glyphs.unicode, "▼", (80, 24))] {
            var model = Fixtures.model()
            let plain = DashboardRenderer.render(model: model, state: DashboardState(), width: size.0, height: size.1, glyphs: glyphs)
            model.events = [event(.deploy, minutesAgo: 2), event(.restart, minutesAgo: 20)]
            let grid = DashboardRenderer.render(model: model, state: DashboardState(), width: size.0, height: size.1, glyphs: glyphs)
            var marked: [(Int, Int)] = []
            for y in 0..<grid.height {
                for x in 0..<grid.width where grid[x, y]?.text == glyph && grid[x, y]?.role == .accent && plain[x, y] != grid[x, y] {
                    marked.append((x, y))
                }
            }
            XCTAssertEqual(marked.count, 2, "\(size) \(glyph): \(marked)\n\(grid.text())")
            XCTAssertEqual(Set(marked.map(\.1)).count, 1, "both in the chart's top row")
            if marked.count == 2 { XCTAssertEqual(marked[1].0 - marked[0].0, 18, "18 minutes apart") }
        }
    }
}
