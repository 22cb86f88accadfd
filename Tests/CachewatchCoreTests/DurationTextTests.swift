import XCTest
@testable import CachewatchCore

final class DurationTextTests: XCTestCase {
    func testParsesUnitsAndCombinations() {
        XCTAssertEqual(DurationText.seconds("90"), 90)
        XCTAssertEqual(DurationText.seconds("30s"), 30)
        XCTAssertEqual(DurationText.seconds("5m"), 300)
        XCTAssertEqual(DurationText.seconds("1h30m"), 5400)
        XCTAssertEqual(DurationText.seconds("250ms"), 0.25)
        XCTAssertEqual(DurationText.seconds("1d"), 86400)
    }

    func testRejectsJunk() {
        for bad in ["", "m", "5x", "-5", "5m-", "1h 2m", "abc"] {
            XCTAssertNil(DurationText.seconds(bad), bad)
        }
    }
}
