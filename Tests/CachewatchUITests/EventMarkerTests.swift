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

/// Timeline events on the header's sparklines (and the compact view's): a distinct glyph in the column of the sample
/// taken at or after the event.
final class SparklineMarkerTests: XCTestCase {
    private let now = Fixtures.now

    /// One sample per second for the last `count` seconds, the newest at `now`.
    private func times(_ count: Int, every seconds: Double = 1) -> [Date] {
        (0..<count).map { now.addingTimeInterval(-Double(count - 1 - $0) * seconds) }
    }

    private func event(_ kind: Event.Kind, secondsAgo: Double) -> Event {
        Event(at: now.addingTimeInterval(-secondsAgo), kind: kind, severity: .warn, message: "x")
    }

    func testShortSeriesOneColumnPerSample() {
        // 10 samples right-aligned in 20 columns: columns 10…19, the newest at 19.
        let events = [event(.restart, secondsAgo: 0), event(.deploy, secondsAgo: 3.5), event(.marker, secondsAgo: 9),
                      event(.latencySpike, secondsAgo: 2), event(.deploy, secondsAgo: 30), event(.restart, secondsAgo: -0.5),
                      event(.restart, secondsAgo: -5)]
        XCTAssertEqual(DashboardRenderer.sparklineMarkerColumns(events, sampleTimes: times(10), count: 10, width: 20), [10, 16, 19],
                       "the sample at or after each event; unmarked kinds, events before the window and the far future left out")
    }

    func testLongSeriesFollowsTheDownsampling() {
        // 3,600 samples in 30 columns: 120 samples per column, newest at the right.
        let events = [event(.restart, secondsAgo: 0), event(.deploy, secondsAgo: 119), event(.deploy, secondsAgo: 121),
                      event(.configChange, secondsAgo: 3599), event(.keyspaceDrop, secondsAgo: 1800)]
        XCTAssertEqual(DashboardRenderer.sparklineMarkerColumns(events, sampleTimes: times(3600), count: 3600, width: 30),
                       [0, 14, 28, 29])
        // Series longer than their times (a series whose oldest samples have no time) align at the newest end.
        XCTAssertEqual(DashboardRenderer.sparklineMarkerColumns([event(.restart, secondsAgo: 0)], sampleTimes: times(5), count: 10,
                                                                width: 10), [9])
        XCTAssertEqual(DashboardRenderer.sparklineMarkerColumns([event(.restart, secondsAgo: 0)], sampleTimes: [], count: 10, width: 10), [],
                       "no times, no markers")
        XCTAssertEqual(DashboardRenderer.sparklineMarkerColumns([event(.restart, secondsAgo: 0)], sampleTimes: times(10), count: 10,
                                                                width: 0), [])
    }

    /// Every column any sample can land in is inside the sparkline, for any length and width.
    func testColumnsStayInsideTheSparkline() {
        for count in [1, 2, 7, 59, 60, 61, 599, 3600] {
            for width in [1, 5, 11, 30] {
                let samples = times(count)
                let events = samples.map { Event(at: $0, kind: .restart, severity: .warn, message: "x") }
                let columns = DashboardRenderer.sparklineMarkerColumns(events, sampleTimes: samples, count: count, width: width)
                XCTAssertTrue(columns.allSatisfy { $0 >= 0 && $0 < width }, "\(count) in \(width): \(columns)")
                XCTAssertEqual(columns.count, min(count, width), "every column of a full series is reachable")
            }
        }
    }

    /// The header rows of the main screen (and the compact view's sparklines) carry the markers; nothing else moves.
    func testHeaderSparklinesCarryMarkersOnlyWhereTheyWere() {
        for (glyphs, glyph, size) in [(Glyphs.unicode, "▼", (80, 24)), (Glyphs.ascii, "v", (80, 24)), (Glyphs.unicode, "▼", (132, 43)),
                                      (Glyphs.unicode, "▼", (40, 10))] {
            let plain = DashboardRenderer.render(model: Fixtures.model(), state: DashboardState(), width: size.0, height: size.1, glyphs: glyphs)
            var timed = Fixtures.model()
            timed.histories.sampleTimes = Fixtures.sampleTimes
            let timedPlain = DashboardRenderer.render(model: timed, state: DashboardState(), width: size.0, height: size.1, glyphs: glyphs)
            XCTAssertEqual(timedPlain.text(), plain.text(), "sample times alone draw nothing")
            let grid = DashboardRenderer.render(model: Fixtures.eventsModel(), state: DashboardState(), width: size.0, height: size.1,
                                                glyphs: glyphs)
            var changed: [(Int, Int)] = []
            for y in 0..<grid.height {
                for x in 0..<grid.width where grid[x, y] != plain[x, y] {
                    changed.append((x, y))
                    XCTAssertEqual(grid[x, y]?.text, glyph, "\(size) only marker glyphs differ at \(x),\(y)\n\(grid.text())")
                    XCTAssertEqual(grid[x, y]?.role, .accent)
                }
            }
            let headerRows = size.0 >= 60 ? Set([1, 2]) : Set([1, 2, 3])
            XCTAssertTrue(headerRows.isSubset(of: Set(changed.map(\.1))), "\(size): markers on every sparkline row\n\(grid.text())")
        }
    }
}

extension Fixtures {
    /// One sample per second for the hour before `now` (as `histories`).
    static let sampleTimes = (0..<3_600).map { now.addingTimeInterval(-Double(3_599 - $0)) }

    /// The warn dashboard with a timeline: a deploy 2 minutes ago, a restart 20, a marker 45, and a latency spike
    /// (not a marked kind) 5 minutes ago.
    static func eventsModel() -> DashboardModel {
        var model = Fixtures.model()
        model.histories.sampleTimes = sampleTimes
        model.events = [
            Event(id: 4, at: now.addingTimeInterval(-120), kind: .deploy, severity: .ok, message: "Deploy or restart of the app"),
            Event(id: 3, at: now.addingTimeInterval(-300), kind: .latencySpike, severity: .warn, message: "PING took 80 ms"),
            Event(id: 2, at: now.addingTimeInterval(-1_200), kind: .restart, severity: .warn, message: "The cache server restarted"),
            Event(id: 1, at: now.addingTimeInterval(-2_700), kind: .marker, severity: .ok, message: "deploy v42"),
        ]
        return model
    }
}

extension GoldenTests {
    /// Goldens with a timeline: markers on the header sparklines and the fail-open chart (and the compact view's).
    func testEventMarkersGolden() {
        assertSnapshot(render(Fixtures.eventsModel(), DashboardState(), 80, 24).text(), named: "events-markers-80x24.txt")
        let wide = render(Fixtures.eventsModel(), DashboardState(), 132, 43)
        assertSnapshot(wide.text(), named: "events-markers-132x43.txt")
        assertSnapshot(wide.roles(), named: "events-markers-132x43.roles.txt")
        assertSnapshot(render(Fixtures.eventsModel(), DashboardState(), 40, 10).text(), named: "events-markers-40x10.txt")
        assertSnapshot(render(Fixtures.eventsModel(), DashboardState(), 80, 24, glyphs: .ascii).text(), named: "events-markers-ascii-80x24.txt")
    }
}
