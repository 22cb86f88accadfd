import CachewatchCore
import CachewatchUI
import Foundation
import XCTest

/// The replay dashboard: documents back into models, markers, the cursor, and a golden screen.
final class ReplayTests: XCTestCase {
    static let start = Fixtures.now.addingTimeInterval(-600)

    /// A `watch` document at `second`: the fixture census and logs, Redis down between 200 and 230 s,
    /// a restart at 230 s, fail-open turning crit at 400 s.
    static func document(_ second: Int) -> RecordedDocument {
        let taken = start.addingTimeInterval(Double(second))
        let down = (200..<230).contains(second)
        var pairs: [(String, JSONValue)] = [
            ("schema", .int(1)), ("taken_at", .string(ISOTime.format(taken))),
            ("target", .object([("kind", .string("redis")), ("address", .string("127.0.0.1:6379")), ("db", .int(0)),
                                ("mode", .string("standalone"))])),
        ]
        if down {
            pairs += [("server", .null), ("metrics", .null), ("keyspace", .array([]))]
        } else {
            let uptime = second < 230 ? 86_400 + second : second - 230
            pairs += [
                ("server", .object([("version", .string("7.0.15")), ("uptime_seconds", .int(uptime)), ("role", .string("master")),
                                    ("maxmemory_bytes", .int(1 << 30)), ("maxmemory_policy", .string("allkeys-lru"))])),
                ("metrics", .object([("ops_per_second", .double(1000 + Double(second % 60) * 10)), ("hits_per_second", .double(900)),
                                     ("misses_per_second", .double(100)), ("hit_ratio", .double(0.9)),
                                     ("used_memory_bytes", .int(400_000_000 + second * 1000)), ("expired_keys_per_second", .double(3)),
                                     ("evicted_keys_per_second", .double(0)), ("connected_clients", .int(12)),
                                     ("blocked_clients", .int(0)), ("ping_ms", .double(0.4)), ("app_scan_per_second", .double(0)),
                                     ("del_per_second", .double(1))])),
                ("keyspace", .array([.object([("db", .int(0)), ("keys", .int(1_130_000)), ("expires", .int(1_000_000))])])),
            ]
        }
        pairs.append(("census", Fixtures.census.json))
        pairs.append(("logs", Fixtures.logs(second < 400 ? .ok : .crit).json))
        pairs.append(("findings", .array(Fixtures.findings.map(\.json))))
        if down { pairs.append(("error", .string("Cannot connect to Redis at 127.0.0.1:6379: connection refused."))) }
        return RecordedDocument(takenAt: taken, document: .object(pairs))
    }

    static func timeline() -> ReplayTimeline {
        let timeline = ReplayTimeline(target: .object([("address", .string("127.0.0.1:6379")), ("db", .int(0))]))
        for second in 0..<600 { timeline.append(document(second)) }
        timeline.finishLoading()
        return timeline
    }

    func testReportsDecodeBackToWhatWasWritten() {
        let census = Fixtures.census
        XCTAssertEqual(DocumentModels.census(census.json)?.json, census.json)
        for state in AlertLevel.allCases {
            XCTAssertEqual(DocumentModels.logs(Fixtures.logs(state).json)?.json, Fixtures.logs(state).json)
        }
        XCTAssertEqual(DocumentModels.findings(.array(Fixtures.findings.map(\.json))), Fixtures.findings)
    }

    func testHostileDocumentsDecodeToBoundedValues() {
        let hostile: JSONValue = .object([
            ("db", .double(1e300)), ("scanned_keys", .int(-5)), ("estimated_keys", .double(.nan)),
            ("families", .array([.object([("pattern", .string("x")), ("keys", .double(-1e300)), ("share", .double(7)),
                                          ("ttl_seconds", .object([("p50", .double(-3))]))]), .int(3)])),
            ("forecast", .array(Array(repeating: .int(1), count: 500))),
        ])
        let census = DocumentModels.census(hostile)
        XCTAssertEqual(census?.families.count, 1)
        XCTAssertEqual(census?.families.first?.keys, 0)
        XCTAssertEqual(census?.families.first?.share, 1)
        XCTAssertEqual(census?.forecast.count, 60)
        XCTAssertEqual(census?.scannedKeys, 0)
        XCTAssertNil(DocumentModels.census(.string("x")))
        XCTAssertEqual(DocumentModels.logs(.object([("fail_open", .object([("per_minute", .array([.int(1)]))]))]))?.failOpen.perMinute.count, 60)
    }

    func testMarkersAreDerivedFromTheDocuments() {
        let timeline = Self.timeline()
        // The documents carry no `events`: the core detector derives them from the recorded fields.
        XCTAssertTrue(timeline.eventsDerived)
        XCTAssertEqual(timeline.markers.map(\.kind), ["connection-lost", "connection-restored", "restart", "fail-open"])
        XCTAssertEqual(timeline.markers.first?.at, Self.start.addingTimeInterval(200))
        XCTAssertEqual(timeline.marker(after: Self.start)?.kind, "connection-lost")
        XCTAssertEqual(timeline.marker(after: Self.start.addingTimeInterval(500), previous: true)?.kind, "fail-open")
        XCTAssertEqual(timeline.events.last?.evidence("to"), .string("crit"))
        XCTAssertEqual(timeline.events.last?.at, Fixtures.now.addingTimeInterval(-235), "placed at the state's `since`")
        XCTAssertNil(timeline.marker(after: Self.start.addingTimeInterval(500)))
        let down = timeline.model(at: 210, notice: nil, timeZone: Fixtures.utc)
        XCTAssertEqual(down?.header.connection, .disconnected(since: Self.start.addingTimeInterval(200),
                                                              reason: "Cannot connect to Redis at 127.0.0.1:6379: connection refused."))
        XCTAssertEqual(timeline.frameIndex(at: Self.start.addingTimeInterval(10.5)), 10)
        XCTAssertEqual(timeline.frameIndex(at: Self.start.addingTimeInterval(-10)), 0)
        XCTAssertEqual(timeline.frameIndex(at: Self.start.addingTimeInterval(10_000)), 599)
    }

    func testDocumentEventsWinOverDerivedOnes() {
        let timeline = ReplayTimeline(target: .null)
        var recorded = Self.document(0)
        guard case var .object(pairs) = recorded.document else { return XCTFail() }
        pairs.append(("events", .array([.object([("at", .string(ISOTime.format(Self.start))), ("kind", .string("deploy")),
                                                  ("message", .string("Application startup complete."))])])))
        recorded.document = .object(pairs)
        timeline.append(recorded)
        timeline.append(Self.document(200))
        timeline.finishLoading()
        XCTAssertEqual(timeline.markers.map(\.kind), ["deploy"])
    }

    /// `n` steps through events of the same second one by one (the restored connection and the restart it revealed).
    func testNextEventStepsThroughEventsOfTheSameSecond() {
        let timeline = Self.timeline()
        var time = Self.start
        var current: Int?
        var kinds: [String] = []
        while let index = timeline.markerIndex(after: time, current: current) {
            kinds.append(timeline.markers[index].kind)
            current = index
            time = timeline.markers[index].at
        }
        XCTAssertEqual(kinds, ["connection-lost", "connection-restored", "restart", "fail-open"])
        XCTAssertEqual(timeline.markerIndex(after: Self.start.addingTimeInterval(230), previous: true, current: 2), 1)
        XCTAssertEqual(timeline.markerIndex(after: Self.start.addingTimeInterval(240), previous: true, current: 2), 2,
                       "once the cursor moved on, by time again")
        XCTAssertEqual(timeline.markerIndex(after: Self.start.addingTimeInterval(230.5), previous: false, current: 1), 2,
                       "forward: playing on from an event, the next of the same second")
        XCTAssertEqual(timeline.markerIndex(after: Self.start.addingTimeInterval(230.9), previous: true, current: 2), 1,
                       "backward from just after an event: the one before it (more than half a second back)")
    }

    /// The events pane at the cursor lists the timeline up to the cursor's frame, newest first.
    func testEventsPaneFollowsTheCursor() {
        let timeline = Self.timeline()
        XCTAssertEqual(timeline.model(at: 100, notice: nil, timeZone: Fixtures.utc)?.events, [])
        let kinds = timeline.model(at: 245, notice: nil, timeZone: Fixtures.utc)?.events.map(\.kind)
        XCTAssertEqual(kinds, [.restart, .connectionRestored, .connectionLost])
        XCTAssertEqual(timeline.model(at: 599, notice: nil, timeZone: Fixtures.utc)?.events.first?.kind, .failOpen)
        var state = DashboardState()
        state.eventsOpen = true
        var cursor = ReplayCursor(start: Self.start, end: Self.start.addingTimeInterval(599))
        cursor.jump(to: Self.start.addingTimeInterval(245))
        let grid = ReplayScreen.render(timeline: timeline, cursor: cursor, state: state, notice: nil, prompt: nil,
                                       size: TerminalSize(width: 80, height: 24), glyphs: .unicode, timeZone: Fixtures.utc)
        XCTAssertTrue(grid.text().contains("Events · 3"), grid.text())
        XCTAssertTrue(grid.text().contains("connection-lost"), grid.text())
    }

    /// Documents that carry `events` (each the timeline so far): one entry per event, in its newest version.
    func testDocumentEventsAreMergedInTheirNewestVersion() {
        func recorded(_ second: Int, _ events: [Event]) -> RecordedDocument {
            var document = Self.document(second)
            guard case var .object(pairs) = document.document else { return document }
            pairs.append(("events", .array(events.reversed().map(\.json))))
            document.document = .object(pairs)
            return document
        }
        let drop = Event(at: Self.start.addingTimeInterval(1), kind: .keyspaceDrop, severity: .warn, message: "Keys fell.")
        var named = drop
        named.message = "Keys fell. Shrank: widget:{id} 700 -> 0."
        let family = { (pattern: String) in
            Event(at: Self.start.addingTimeInterval(2), kind: .newFamily, severity: .ok, message: "New key family \(pattern)")
        }
        let timeline = ReplayTimeline(target: .null)
        timeline.append(recorded(0, []))
        timeline.append(recorded(1, [drop]))
        timeline.append(recorded(2, [drop, family("a"), family("b")]))
        timeline.append(recorded(3, [named, family("a"), family("b")]))
        timeline.append(Self.document(200))   // an outage: not derived, the documents have their own events
        timeline.finishLoading()
        XCTAssertFalse(timeline.eventsDerived)
        XCTAssertEqual(timeline.events.map(\.message), [named.message, "New key family a", "New key family b"])
    }

    /// Documents whose every field has the wrong type or an absurd value still draw (no trap).
    func testHostileDocumentsStillDraw() {
        let weird: [JSONValue] = [.null, .bool(true), .int(Int.max), .int(Int.min), .double(-1e308), .double(1e308),
                                  .string("\u{1b}[2J\u{7}"), .array([.null]), .object([])]
        let timeline = ReplayTimeline(target: .object([("address", .string("\u{1b}]0;x\u{7}")), ("db", .int(-4))]))
        for (second, value) in weird.enumerated() {
            let taken = Self.start.addingTimeInterval(Double(second))
            let document: JSONValue = .object([
                ("schema", .int(1)), ("taken_at", .string(ISOTime.format(taken))), ("target", value),
                ("server", .object([("version", value), ("uptime_seconds", value), ("maxmemory_bytes", value)])),
                ("metrics", .object([("ops_per_second", value), ("hit_ratio", value), ("used_memory_bytes", value),
                                     ("connected_clients", value), ("ping_ms", value)])),
                ("keyspace", .array([.object([("db", value), ("keys", value)])])),
                ("census", .object([("families", .array([.object([("pattern", .string("p")), ("keys", value), ("share", value),
                                                                   ("ttl_seconds", value), ("ttl_bands", .array([value])),
                                                                   ("types", .object([("string", value)]))])])),
                                    ("forecast", .array([.object([("keys", value)])]))])),
                ("logs", .object([("fail_open", .object([("per_minute", .array([value])), ("state", value), ("since", value),
                                                         ("history", .array([.object([("at", value)])]))]))])),
                ("findings", .array([.object([("code", .string("c")), ("message", value), ("severity", value)])])),
                ("events", .array([value])), ("error", second % 2 == 0 ? value : .string("down")),
            ])
            timeline.append(RecordedDocument(takenAt: taken, document: document))
        }
        timeline.finishLoading()
        var cursor = ReplayCursor(start: Self.start, end: Self.start.addingTimeInterval(Double(weird.count)))
        for second in 0..<weird.count {
            cursor.jump(to: Self.start.addingTimeInterval(Double(second)))
            for (width, height) in [(80, 24), (132, 43), (40, 10)] {
                let grid = ReplayScreen.render(timeline: timeline, cursor: cursor, state: DashboardState(), notice: "\u{1b}[31m",
                                               prompt: nil, size: TerminalSize(width: width, height: height), glyphs: .unicode,
                                               timeZone: Fixtures.utc)
                XCTAssertFalse(grid.text().unicodeScalars.contains { $0.value == 0x1B }, "escape bytes never reach the screen")
            }
        }
    }

    func testCursorPlaysSeeksAndClamps() {
        var cursor = ReplayCursor(start: Self.start, end: Self.start.addingTimeInterval(600))
        cursor.changeSpeed(up: true)
        cursor.changeSpeed(up: true)
        cursor.changeSpeed(up: true)
        XCTAssertEqual(cursor.speed, 10)
        cursor.advance(by: 2)
        XCTAssertEqual(cursor.time, Self.start.addingTimeInterval(20))
        cursor.seek(by: -60)
        XCTAssertEqual(cursor.time, Self.start)
        for _ in 0..<20 { cursor.changeSpeed(up: true) }
        XCTAssertEqual(cursor.speed, 60)
        cursor.advance(by: 100)
        XCTAssertEqual(cursor.time, Self.start.addingTimeInterval(600))
        XCTAssertFalse(cursor.playing, "stops at the end")
        cursor.advance(by: .nan)
        for _ in 0..<20 { cursor.changeSpeed(up: false) }
        XCTAssertEqual(cursor.speed, 1)
    }
}

extension GoldenTests {
    /// Golden: the replay screen at a fixed time (Redis just restarted, fail-open ok), 80x24 and 40x10.
    func testReplayScreenGolden() {
        let timeline = ReplayTests.timeline()
        var cursor = ReplayCursor(start: ReplayTests.start, end: ReplayTests.start.addingTimeInterval(599))
        cursor.jump(to: ReplayTests.start.addingTimeInterval(245))
        cursor.changeSpeed(up: true)
        cursor.changeSpeed(up: true)
        cursor.changeSpeed(up: true)
        let grid = ReplayScreen.render(timeline: timeline, cursor: cursor, state: DashboardState(), notice: nil, prompt: nil,
                                       size: TerminalSize(width: 80, height: 24), glyphs: .unicode, timeZone: Fixtures.utc)
        XCTAssertTrue(grid.text().contains("REPLAY 22:35:12 ×10"), grid.text())
        assertSnapshot(grid.text(), named: "replay-80x24.txt")
        cursor.playing = false
        let small = ReplayScreen.render(timeline: timeline, cursor: cursor, state: DashboardState(), notice: nil, prompt: "14:0",
                                        size: TerminalSize(width: 40, height: 10), glyphs: .unicode, timeZone: Fixtures.utc)
        assertSnapshot(small.text(), named: "replay-40x10.txt")
    }
}
