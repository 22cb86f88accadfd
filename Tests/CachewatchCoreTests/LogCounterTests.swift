import CachewatchCore
import Foundation
import XCTest

final class LogCounterTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_795_732_200)   // a whole second

    private func event(_ secondsAgo: Double, error: String = "Connection refused", family: String? = nil) -> FailOpenEvent {
        FailOpenEvent(timestamp: now.addingTimeInterval(-secondsAgo), match: FailOpenMatch(error: error, family: family))
    }

    func testWindowsAtTheirExactEdges() {
        var counter = FailOpenCounter()
        for ago in [0.0, 59, 60, 299, 300, 899, 900, 3599, 3600] { counter.record(event(ago), now: now) }
        XCTAssertEqual(counter.count(lastSeconds: 60, now: now), 2, "0 and 59 s ago; 60 s ago is outside")
        XCTAssertEqual(counter.count(lastSeconds: 300, now: now), 4)
        XCTAssertEqual(counter.count(lastSeconds: 900, now: now), 6)
        XCTAssertEqual(counter.total, 9)
        let series = counter.perMinute(now: now)
        XCTAssertEqual(series.count, 60)
        XCTAssertEqual(series[59], 2)
        XCTAssertEqual(series[58], 1, "60 s ago")
        XCTAssertEqual(series[0], 1, "3599 s ago; 3600 s ago is beyond the hour")
        XCTAssertEqual(series.reduce(0, +), 8)
        XCTAssertEqual(series.suffix(5).reduce(0, +), counter.count(lastSeconds: 300, now: now))
        XCTAssertEqual(series.suffix(15).reduce(0, +), counter.count(lastSeconds: 900, now: now))
    }

    func testWindowsSlideWithTime() {
        var counter = FailOpenCounter()
        counter.record(event(30), now: now)
        XCTAssertEqual(counter.count(lastSeconds: 60, now: now), 1)
        XCTAssertEqual(counter.count(lastSeconds: 60, now: now.addingTimeInterval(29.9)), 1)
        XCTAssertEqual(counter.count(lastSeconds: 60, now: now.addingTimeInterval(30)), 0)
        XCTAssertEqual(counter.count(lastSeconds: 900, now: now.addingTimeInterval(3600)), 0)
        XCTAssertEqual(counter.perMinute(now: now.addingTimeInterval(7200)).reduce(0, +), 0, "an old bucket is not reused")
    }

    func testFutureEventsCountNowAndOldOnesOnlyInTotals() {
        var counter = FailOpenCounter()
        counter.record(event(-120), now: now)             // app clock two minutes ahead
        counter.record(event(7200), now: now)             // two hours old
        counter.record(FailOpenEvent(timestamp: now, timed: false, match: FailOpenMatch(error: "x")), now: now)
        XCTAssertEqual(counter.count(lastSeconds: 60, now: now), 1)
        XCTAssertEqual(counter.futureEvents, 1)
        XCTAssertEqual(counter.total, 3)
    }

    func testBreakdownsAreSortedAndBounded() {
        var counter = FailOpenCounter()
        for _ in 0..<3 { counter.record(event(1, error: "Connection refused", family: "widget:{id}"), now: now) }
        counter.record(event(1, error: "ConnectionError", family: "user_{id}_widgets"), now: now)
        XCTAssertEqual(counter.topErrors().map(\.error), ["Connection refused", "ConnectionError"])
        XCTAssertEqual(counter.topErrors().map(\.count), [3, 1])
        XCTAssertEqual(counter.topFamilies().first?.pattern, "widget:{id}")
        for index in 0..<(FailOpenCounter.maximumDistinct + 50) { counter.record(event(1, error: "e\(index)"), now: now) }
        XCTAssertEqual(counter.topErrors(limit: 1000).count, FailOpenCounter.maximumDistinct + 1, "plus (other)")
        XCTAssertTrue(counter.topErrors(limit: 1000).contains { $0.error == "(other)" })
    }
}
