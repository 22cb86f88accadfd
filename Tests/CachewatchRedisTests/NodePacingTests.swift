import CachewatchCore
@testable import CachewatchRedis
import Foundation
import XCTest

/// One cluster primary's steady-state pacing (`NodePacing`): due at once before a complete pass, then at the refresh,
/// early (after the floor) when its own keyspace moved by more than 10 %, measured from the INFO seen while it ran.
final class NodePacingTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    private let schedule = CensusSchedule(refreshSeconds: 3600)

    func testRefreshEarlyPassAndBaseline() {
        var pacing = NodePacing()
        XCTAssertTrue(pacing.isDue(now: t0, schedule: schedule), "no complete pass yet")
        pacing.running = NodePacing.Pass(startedAt: t0, keyspace: CensusSchedule.Keyspace(keys: 200, expires: 200))
        pacing.passCompleted(at: t0.addingTimeInterval(1), keys: 200)
        pacing.latest = CensusSchedule.Keyspace(keys: 210, expires: 210)
        XCTAssertFalse(pacing.isDue(now: t0.addingTimeInterval(30), schedule: schedule), "+5 % is not a reason")
        pacing.latest = CensusSchedule.Keyspace(keys: 300, expires: 300)
        XCTAssertFalse(pacing.isDue(now: t0.addingTimeInterval(5), schedule: schedule), "not before the 10 s floor")
        XCTAssertTrue(pacing.isDue(now: t0.addingTimeInterval(12), schedule: schedule), "+50 %: early")
        // Unchanged keyspace: the refresh (an hour after the pass started).
        var quiet = NodePacing()
        quiet.running = NodePacing.Pass(startedAt: t0, keyspace: CensusSchedule.Keyspace(keys: 200, expires: 200))
        quiet.passCompleted(at: t0.addingTimeInterval(1), keys: 200)
        quiet.latest = CensusSchedule.Keyspace(keys: 200, expires: 200)
        XCTAssertFalse(quiet.isDue(now: t0.addingTimeInterval(3599), schedule: schedule))
        XCTAssertTrue(quiet.isDue(now: t0.addingTimeInterval(3600), schedule: schedule))
    }
}
