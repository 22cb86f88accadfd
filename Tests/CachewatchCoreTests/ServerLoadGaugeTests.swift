@testable import CachewatchCore
import Foundation
import XCTest

/// `ServerLoadGauge` (a budgeted census yields to a server other clients keep busy) and `InfoSnapshot.usedCPUSeconds`.
final class ServerLoadGaugeTests: XCTestCase {
    private let start = Date(timeIntervalSince1970: 1_800_000_000)
    private func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }

    /// Feeds `cpu` seconds and `total` commands, of which `own` are the census's.
    @discardableResult
    private func feed(_ gauge: inout ServerLoadGauge, cpu: Double?, total: Int?, own: Int = 0, at seconds: Double) -> Bool {
        gauge.observe(cpuSeconds: cpu, totalCommands: total, ownCommands: own, at: at(seconds))
    }

    func testBusyFromHalfACoreOfOthersAndCalmBelowAThirdWithHysteresis() {
        var gauge = ServerLoadGauge()
        XCTAssertFalse(feed(&gauge, cpu: 10, total: 1000, at: 0), "one sample is no interval")
        XCTAssertNil(gauge.othersCoreShare)
        XCTAssertFalse(feed(&gauge, cpu: 10.1, total: 2000, at: 1), "10 % of a core")
        XCTAssertEqual(gauge.othersCoreShare ?? -1, 0.1, accuracy: 1e-6)
        XCTAssertTrue(feed(&gauge, cpu: 10.6, total: 3000, at: 2), "50 % of a core")
        XCTAssertTrue(feed(&gauge, cpu: 11.0, total: 4000, at: 3), "40 %: still busy (hysteresis)")
        XCTAssertFalse(feed(&gauge, cpu: 11.3, total: 5000, at: 4), "30 %: calm")
        XCTAssertFalse(feed(&gauge, cpu: 11.7, total: 6000, at: 5), "40 %: not busy again until 50 %")
        XCTAssertTrue(feed(&gauge, cpu: 12.7, total: 7000, at: 6))
    }

    func testTheCensusNeverYieldsToItsOwnLoad() {
        var gauge = ServerLoadGauge()
        feed(&gauge, cpu: 0, total: 0, own: 0, at: 0)
        XCTAssertFalse(feed(&gauge, cpu: 0.9, total: 100_000, own: 99_000, at: 1), "90 % of a core, 99 % of it the census's")
        XCTAssertEqual(gauge.othersCoreShare ?? -1, 0.009, accuracy: 1e-6)
        XCTAssertTrue(feed(&gauge, cpu: 1.8, total: 200_000, own: 129_000, at: 2), "70 % of the commands are others': 0.63 core")
        XCTAssertEqual(gauge.othersCoreShare ?? -1, 0.63, accuracy: 1e-6)
        XCTAssertFalse(feed(&gauge, cpu: 2.0, total: 200_100, own: 129_200, at: 3), "more own commands than processed: none are others'")
        XCTAssertEqual(gauge.othersCoreShare, 0)
    }

    func testShortIntervalsAreSkippedNotMeasured() {
        var gauge = ServerLoadGauge(minimumIntervalSeconds: 0.1)
        feed(&gauge, cpu: 1, total: 10, at: 0)
        XCTAssertFalse(feed(&gauge, cpu: 1.01, total: 20, at: 0.01), "10 ms: 100 % of a core, too short to judge")
        XCTAssertNil(gauge.othersCoreShare)
        XCTAssertFalse(feed(&gauge, cpu: 1.02, total: 30, at: 0.2), "measured from the first sample: 10 %")
        XCTAssertEqual(gauge.othersCoreShare ?? -1, 0.1, accuracy: 1e-6)
    }

    func testUnknownHostileAndRestartedCountersReadAsCalm() {
        var gauge = ServerLoadGauge()
        feed(&gauge, cpu: 100, total: 1000, at: 0)
        XCTAssertTrue(feed(&gauge, cpu: 101, total: 2000, at: 1))
        XCTAssertFalse(feed(&gauge, cpu: 0.5, total: 10, at: 2), "the counters went back: a restart")
        XCTAssertNil(gauge.othersCoreShare)
        XCTAssertFalse(feed(&gauge, cpu: 0.6, total: 20, at: 3), "measured from the restart: 10 %")
        let hostile: [(Double?, Int?)] = [(nil, 10), (.nan, 10), (.infinity, 10), (-1, 10), (3, nil), (3, -5)]
        for (cpu, total) in hostile {
            var fresh = ServerLoadGauge()
            feed(&fresh, cpu: 1, total: 0, at: 0)
            XCTAssertTrue(feed(&fresh, cpu: 2, total: 100, at: 1))
            XCTAssertFalse(feed(&fresh, cpu: cpu, total: total, at: 2), "\(String(describing: cpu)) \(String(describing: total))")
            XCTAssertFalse(feed(&fresh, cpu: 3, total: 200, at: 3), "no baseline after an unreadable sample")
        }
        var clockBack = ServerLoadGauge()
        feed(&clockBack, cpu: 1, total: 0, at: 10)
        XCTAssertFalse(feed(&clockBack, cpu: 5, total: 100, at: 5), "the clock went back: no share from that")
        var quiet = ServerLoadGauge()
        feed(&quiet, cpu: 1, total: 5, at: 0)
        XCTAssertFalse(feed(&quiet, cpu: 2, total: 5, at: 1), "no command processed: nobody to yield to")
    }

    func testUsedCPUSecondsSumsSystemAndUserAndRejectsNonsense() throws {
        let info = InfoSnapshot(text: "# CPU\r\nused_cpu_sys:0.016016\r\nused_cpu_user:0.005338\r\nused_cpu_sys_children:9\r\n", takenAt: start)
        XCTAssertEqual(info.usedCPUSeconds ?? -1, 0.021354, accuracy: 1e-9)
        for bad in ["nan", "-1", "inf", "1e300", "", "x"] {
            let hostile = InfoSnapshot(text: "# CPU\nused_cpu_sys:\(bad)\nused_cpu_user:1\n", takenAt: start)
            XCTAssertNil(hostile.usedCPUSeconds, bad)
        }
        XCTAssertNil(InfoSnapshot(text: "# CPU\nused_cpu_user:1\n", takenAt: start).usedCPUSeconds)
        for name in InfoFixtures.names where !name.contains("dragonfly") {
            XCTAssertNotNil(InfoSnapshot(text: try InfoFixtures.text(name), takenAt: start).usedCPUSeconds, name)
        }
    }
}
