import CachewatchCore
import Foundation
import XCTest

final class CensusScheduleTests: XCTestCase {
    let start = Date(timeIntervalSince1970: 1_000_000)
    let schedule = CensusSchedule(refreshSeconds: 300)
    let keyspace = CensusSchedule.Keyspace(keys: 10_000, expires: 8_000)

    func decide(_ now: Double, passSeconds: Double = 5, keys: Int = 10_000, atStart: CensusSchedule.Keyspace? = nil,
                current: CensusSchedule.Keyspace? = nil) -> CensusSchedule.Decision {
        schedule.decide(passStarted: start, passEnded: start.addingTimeInterval(passSeconds), passKeys: keys,
                        keyspaceAtStart: atStart ?? keyspace, keyspaceNow: current ?? keyspace, now: start.addingTimeInterval(now))
    }

    func testWaitsForTheRefreshIntervalFromThePassStart() {
        XCTAssertEqual(decide(6), .waitUntil(start.addingTimeInterval(300)))
        XCTAssertEqual(decide(299.9), .waitUntil(start.addingTimeInterval(300)))
        XCTAssertEqual(decide(300), .startNow(early: false))
        XCTAssertEqual(decide(10_000), .startNow(early: false))
    }

    func testBigKeyspacesAreSpacedForTheAverageKeyRate() {
        // 113 k keys at 80 keys/s on average: one pass every 1,412.5 s, not every 300 s.
        XCTAssertEqual(schedule.intervalSeconds(passKeys: 113_000), 1412.5)
        XCTAssertEqual(schedule.intervalSeconds(passKeys: 9_000), 300)
        XCTAssertEqual(decide(600, keys: 113_000), .waitUntil(start.addingTimeInterval(1412.5)))
        XCTAssertEqual(decide(1412.5, keys: 113_000), .startNow(early: false))
    }

    func testAKeyspaceChangeAboveTenPercentStartsAPassEarly() {
        let grown = CensusSchedule.Keyspace(keys: 11_001, expires: 8_000)
        XCTAssertEqual(decide(60, current: grown), .startNow(early: true))
        let fewerExpires = CensusSchedule.Keyspace(keys: 10_000, expires: 7_100)
        XCTAssertEqual(decide(60, current: fewerExpires), .startNow(early: true))
        // 10 % exactly, or less, is not a change.
        XCTAssertEqual(decide(60, current: .init(keys: 11_000, expires: 8_800)), .waitUntil(start.addingTimeInterval(300)))
        XCTAssertEqual(decide(60, current: .init(keys: 9_500, expires: 8_100)), .waitUntil(start.addingTimeInterval(300)))
    }

    func testAnEarlyPassWaitsForTheFloorAfterThePassEnded() {
        let grown = CensusSchedule.Keyspace(keys: 20_000, expires: 8_000)
        // Pass of 2 s: earliest 10 s after its end (the floor).
        XCTAssertEqual(decide(8, passSeconds: 2, current: grown), .waitUntil(start.addingTimeInterval(12)))
        XCTAssertEqual(decide(12, passSeconds: 2, current: grown), .startNow(early: true))
        // Pass of 30 s: four times its length after its end.
        XCTAssertEqual(decide(100, passSeconds: 30, current: grown), .waitUntil(start.addingTimeInterval(150)))
        XCTAssertEqual(decide(150, passSeconds: 30, current: grown), .startNow(early: true))
    }

    func testUnknownOrEmptyKeyspaces() {
        XCTAssertEqual(schedule.decide(passStarted: start, passEnded: start, passKeys: 0, keyspaceAtStart: nil,
                                       keyspaceNow: keyspace, now: start.addingTimeInterval(60)),
                       .waitUntil(start.addingTimeInterval(300)))
        let empty = CensusSchedule.Keyspace(keys: 0, expires: 0)
        XCTAssertTrue(schedule.changed(empty, .init(keys: 1, expires: 0)))
        XCTAssertFalse(schedule.changed(empty, empty))
    }

    func testHostileSettingsAreBounded() {
        let odd = CensusSchedule(refreshSeconds: .nan, averageKeysPerSecond: -1, changeThreshold: .infinity, earlyFloorSeconds: .nan)
        XCTAssertEqual(odd.refreshSeconds, 300)
        XCTAssertEqual(odd.averageKeysPerSecond, 80)
        XCTAssertEqual(odd.intervalSeconds(passKeys: Int.max), Double(Int.max) / 80)
    }
}
