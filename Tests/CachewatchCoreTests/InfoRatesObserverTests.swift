import XCTest
@testable import CachewatchCore

final class InfoRatesObserverTests: XCTestCase {
    private func rates(ops: Double, hits: Double, misses: Double, interval: Double = 2) -> InfoRates {
        InfoRates(intervalSeconds: interval, opsPerSecond: ops, hitsPerSecond: hits, missesPerSecond: misses,
                  hitRatio: hits + misses > 0 ? hits / (hits + misses) : nil, expiredKeysPerSecond: 0,
                  evictedKeysPerSecond: 0, netInputBytesPerSecond: 0, netOutputBytesPerSecond: 0,
                  commandCallsPerSecond: [:], counterReset: false)
    }

    func testCensusLoadIsRemovedAndHitRatioRecomputed() {
        // App: 100 ops/s, 60 hits/s, 40 misses/s. Census over 2 s: 20,000 commands, 19,000 hits, 1,000 misses.
        let observed = rates(ops: 10_100, hits: 9_560, misses: 540)
        let app = observed.excludingObserver(commands: 20_000, keyspaceHits: 19_000, keyspaceMisses: 1_000)
        XCTAssertEqual(app.opsPerSecond, 100, accuracy: 1e-9)
        XCTAssertEqual(app.hitsPerSecond, 60, accuracy: 1e-9)
        XCTAssertEqual(app.missesPerSecond, 40, accuracy: 1e-9)
        XCTAssertEqual(app.hitRatio ?? -1, 0.6, accuracy: 1e-9)
    }

    func testNothingLeftGivesNoRatioAndNoNegativeRates() {
        let observed = rates(ops: 5_000, hits: 4_000, misses: 0)
        let app = observed.excludingObserver(commands: 10_050, keyspaceHits: 8_010, keyspaceMisses: 3)
        XCTAssertEqual(app.opsPerSecond, 0)
        XCTAssertEqual(app.hitsPerSecond, 0)
        XCTAssertEqual(app.missesPerSecond, 0)
        XCTAssertNil(app.hitRatio)
    }

    func testLoadRedisHadNotCountedYetIsCarriedNotLost() {
        // Idle app; our 1,000-command pipeline (900 hits) was sent just before INFO and run just after it:
        // Redis counted 4 commands over 2 s, we booked 1,004.
        let observed = rates(ops: 2, hits: 0, misses: 0)
        let unseen = observed.unseenObserverLoad(commands: 1_004, keyspaceHits: 900, keyspaceMisses: 100)
        XCTAssertEqual(unseen.commands, 1_000)
        XCTAssertEqual(unseen.keyspaceHits, 900)
        XCTAssertEqual(unseen.keyspaceMisses, 100)
        // Everything counted: nothing to carry.
        let seen = rates(ops: 600, hits: 450, misses: 50).unseenObserverLoad(commands: 1_000, keyspaceHits: 900, keyspaceMisses: 100)
        XCTAssertEqual(seen.commands, 0)
        XCTAssertEqual(seen.keyspaceHits, 0)
        XCTAssertEqual(seen.keyspaceMisses, 0)
    }
}
