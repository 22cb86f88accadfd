import CachewatchCore
import XCTest

/// The full census's traffic-aware pipeline depth (issue 9 §2/§5): deep only while nobody else uses the server.
final class CensusDepthPolicyTests: XCTestCase {
    private let start = Date(timeIntervalSince1970: 1_000_000)

    private func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }

    func testStartsShallowAndDeepensAfterTwoIdleIntervals() {
        var policy = CensusDepthPolicy(idleObservationsToDeepen: 2, probeSeconds: 0.25)
        XCTAssertEqual(policy.observe(otherClientsCalls: 500, at: at(0)), .shallow, "the first sample is only a baseline")
        XCTAssertEqual(policy.observe(otherClientsCalls: 500, at: at(0.25)), .shallow, "one idle interval is not enough")
        XCTAssertEqual(policy.observe(otherClientsCalls: 501, at: at(0.5)), .deep, "two idle intervals in a row (4 calls/s)")
        XCTAssertEqual(policy.observe(otherClientsCalls: 501, at: at(0.75)), .deep)
    }

    func testTheFirstBusyIntervalGoesBackToShallowAndIdleMustBeSeenTwiceAgain() {
        var policy = CensusDepthPolicy(idleObservationsToDeepen: 2, probeSeconds: 0.25)
        for (index, seconds) in [0, 0.25, 0.5].enumerated() { policy.observe(otherClientsCalls: 10 + index, at: at(seconds)) }
        XCTAssertEqual(policy.depth, .deep)
        XCTAssertEqual(policy.observe(otherClientsCalls: 20, at: at(0.75)), .shallow, "10 calls in 0.25 s = 40/s: busy")
        XCTAssertEqual(policy.observe(otherClientsCalls: 20, at: at(1.0)), .shallow, "hysteresis: one idle interval is not enough")
        XCTAssertEqual(policy.observe(otherClientsCalls: 20, at: at(1.25)), .deep)
    }

    func testUnknownOrResetCountersAreShallowAndStartOver() {
        var policy = CensusDepthPolicy(idleObservationsToDeepen: 2, probeSeconds: 0.25)
        for seconds in [0, 0.25, 0.5] { policy.observe(otherClientsCalls: 7, at: at(seconds)) }
        XCTAssertEqual(policy.depth, .deep)
        XCTAssertEqual(policy.observe(otherClientsCalls: nil, at: at(0.75)), .shallow, "INFO failed: assume an app")
        XCTAssertEqual(policy.observe(otherClientsCalls: 7, at: at(1.0)), .shallow, "a new baseline")
        XCTAssertEqual(policy.observe(otherClientsCalls: 7, at: at(1.25)), .shallow)
        XCTAssertEqual(policy.observe(otherClientsCalls: 7, at: at(1.5)), .deep)
        XCTAssertEqual(policy.observe(otherClientsCalls: 3, at: at(1.75)), .shallow, "CONFIG RESETSTAT / restart: the counter went back")
        XCTAssertEqual(policy.observe(otherClientsCalls: -1, at: at(2.0)), .shallow, "a negative count is not trusted")
        XCTAssertEqual(policy.observe(otherClientsCalls: 5, at: at(2.0)), .shallow)
        XCTAssertEqual(policy.observe(otherClientsCalls: 5, at: at(2.0)), .shallow, "no time passed: no rate")
    }

    func testByDefaultASecondOfSilenceBeforeGoingDeep() {
        var policy = CensusDepthPolicy()
        XCTAssertEqual(policy.probeSeconds, 0.1)
        policy.observe(otherClientsCalls: 0, at: at(0))
        for step in 1...9 { XCTAssertEqual(policy.observe(otherClientsCalls: 0, at: at(Double(step) / 10)), .shallow) }
        XCTAssertEqual(policy.observe(otherClientsCalls: 0, at: at(1.0)), .deep, "10 idle intervals of 0.1 s")
        XCTAssertEqual(policy.observe(otherClientsCalls: 1, at: at(1.1)), .shallow, "one GET in 0.1 s (10/s) is an app")
    }

    func testSilenceAlreadySeenByTheServerGoesDeepAtOnceAndBusyStillWins() {
        var policy = CensusDepthPolicy()
        XCTAssertEqual(policy.silenceSecondsToDeepen, 1, "10 intervals of 0.1 s: one whole second of idle=")
        XCTAssertEqual(CensusDepthPolicy(idleObservationsToDeepen: 3, probeSeconds: 0.5).silenceSecondsToDeepen, 2, "1.5 s rounds up")
        XCTAssertEqual(CensusDepthPolicy(idleObservationsToDeepen: 1, probeSeconds: 0.01).silenceSecondsToDeepen, 1, "at least a second")
        policy.noteSilenceAlreadySeen()
        XCTAssertEqual(policy.depth, .deep)
        XCTAssertEqual(policy.observe(otherClientsCalls: 40, at: at(0)), .deep, "the baseline keeps the depth")
        XCTAssertEqual(policy.observe(otherClientsCalls: 40, at: at(0.1)), .deep)
        XCTAssertEqual(policy.observe(otherClientsCalls: 41, at: at(0.2)), .shallow, "a GET in 0.1 s: back to shallow")
        XCTAssertEqual(policy.observe(otherClientsCalls: 41, at: at(0.3)), .shallow, "and a whole second of silence again")
        var unknown = CensusDepthPolicy()
        unknown.noteSilenceAlreadySeen()
        XCTAssertEqual(unknown.observe(otherClientsCalls: nil, at: at(0)), .shallow, "INFO denied: no deep pipeline")
    }

    func testDeepAsksTwiceAsOftenSoAnAppThatStartsIsNoticedSooner() {
        var policy = CensusDepthPolicy()
        XCTAssertEqual(policy.nextProbeSeconds, 0.1, "shallow: every 0.1 s")
        policy.noteSilenceAlreadySeen()
        XCTAssertEqual(policy.nextProbeSeconds, 0.05, "deep: every 0.05 s")
        policy.observe(otherClientsCalls: 0, at: at(0))
        XCTAssertEqual(policy.observe(otherClientsCalls: 1, at: at(0.05)), .shallow, "one call in 0.05 s: an app")
        XCTAssertEqual(policy.nextProbeSeconds, 0.1)
        XCTAssertEqual(CensusDepthPolicy(probeSeconds: 0.05, deepProbeSeconds: 1).deepProbeSeconds, 0.05, "never slower than shallow")
        XCTAssertEqual(CensusDepthPolicy(probeSeconds: .nan, deepProbeSeconds: .infinity).probeSeconds, 0.1)
        XCTAssertEqual(CensusDepthPolicy(deepProbeSeconds: 0).deepProbeSeconds, 0.005)
    }

    func testThresholdIsARate() {
        var policy = CensusDepthPolicy(idleCommandsPerSecond: 5, idleObservationsToDeepen: 1)
        policy.observe(otherClientsCalls: 0, at: at(0))
        XCTAssertEqual(policy.observe(otherClientsCalls: 10, at: at(2)), .deep, "10 calls over 2 s = 5/s: idle")
        XCTAssertEqual(policy.observe(otherClientsCalls: 12, at: at(2.25)), .shallow, "2 calls over 0.25 s = 8/s: busy")
    }

    func testOtherClientsCallsLeaveOutTheCensusOwnCommands() {
        let stats: [String: CommandStat] = [
            "get": CommandStat(calls: 100, usec: 0, usecPerCall: 0),
            "set": CommandStat(calls: 20, usec: 0, usecPerCall: 0),
            "pttl": CommandStat(calls: 1_000_000, usec: 0, usecPerCall: 0),
            "type": CommandStat(calls: 1_000_000, usec: 0, usecPerCall: 0),
            "scan": CommandStat(calls: 9000, usec: 0, usecPerCall: 0),
            "memory|usage": CommandStat(calls: 5, usec: 0, usecPerCall: 0),
            "info": CommandStat(calls: 3, usec: 0, usecPerCall: 0),
            "client|setname": CommandStat(calls: 3, usec: 0, usecPerCall: 0),
            "client|kill": CommandStat(calls: 1, usec: 0, usecPerCall: 0),
        ]
        XCTAssertEqual(CensusDepthPolicy.otherClientsCalls(stats), 121)
        XCTAssertEqual(CensusDepthPolicy.otherClientsCalls([:]), 0)
        let huge: [String: CommandStat] = ["get": CommandStat(calls: Int.max, usec: 0, usecPerCall: 0),
                                           "set": CommandStat(calls: Int.max, usec: 0, usecPerCall: 0)]
        XCTAssertEqual(CensusDepthPolicy.otherClientsCalls(huge), Int.max, "saturates instead of trapping")
    }
}
