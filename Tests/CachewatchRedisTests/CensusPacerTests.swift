import CachewatchRedis
import XCTest

/// The budgeted census's pacing: the budget over time, and no catch-up burst after a stall (issue 8 §7).
final class CensusPacerTests: XCTestCase {
    /// Simulates pages of `pageKeys` read in `roundTripSeconds` each, sent when the pacer allows, from `start` to `end`
    /// (with a stall: the page sent at `stallAt` takes `stallSeconds`); returns the send times and keys per page.
    private func simulate(budget: Double, pageKeys: Int, roundTripSeconds: Double, seconds: Double,
                          stallAt: Double? = nil, stallSeconds: Double = 0) -> [(sentAt: Double, keys: Int)] {
        let origin = Date(timeIntervalSince1970: 1_000_000)
        var pacer = CensusPacer(now: origin, keysPerSecond: budget)
        var now = 0.0
        var stalled = false
        var sends: [(Double, Int)] = []
        while now < seconds {
            sends.append((now, pageKeys))
            var trip = roundTripSeconds
            if let stallAt, !stalled, now >= stallAt { trip += stallSeconds; stalled = true }
            now += trip
            let next = pacer.nextSend(afterReading: pageKeys, now: origin.addingTimeInterval(now), keysPerSecond: budget)
            now = max(now, next.timeIntervalSince(origin))
        }
        return sends
    }

    func testKeepsTheBudgetOverTime() {
        let sends = simulate(budget: 5000, pageKeys: 500, roundTripSeconds: 0.01, seconds: 10)
        let keys = sends.reduce(0) { $0 + $1.keys }
        XCTAssertLessThanOrEqual(Double(keys), 5000 * 10 + 500, "above the budget")
        XCTAssertGreaterThan(Double(keys), 5000 * 10 * 0.85, "far below the budget: \(keys)")
    }

    func testNoCatchUpBurstAfterAStall() {
        // Redis sleeps 8 s (DEBUG SLEEP 8) while a page is in flight at t = 2 s.
        let sends = simulate(budget: 5000, pageKeys: 500, roundTripSeconds: 0.001, seconds: 14, stallAt: 2, stallSeconds: 8)
        // In any one-second window after the stall, at most the budget (plus one page) is read.
        for start in stride(from: 10.0, to: 13.0, by: 0.1) {
            let keys = sends.filter { $0.sentAt >= start && $0.sentAt < start + 1 }.reduce(0) { $0 + $1.keys }
            XCTAssertLessThanOrEqual(keys, 5000 + 500, "a burst of \(keys) keys/s after the stall (window at \(start) s)")
        }
    }

    func testAPaceChangeStartsAFreshWindow() {
        let origin = Date(timeIntervalSince1970: 0)
        var pacer = CensusPacer(now: origin, keysPerSecond: 1000)
        let first = pacer.nextSend(afterReading: 100, now: origin, keysPerSecond: 1000)
        XCTAssertEqual(first.timeIntervalSince(origin), 0.1, accuracy: 1e-6)
        // Backed off to 500 keys/s: the next 100 keys are due 0.2 s after the change, not measured from the start.
        let second = pacer.nextSend(afterReading: 100, now: origin.addingTimeInterval(0.1), keysPerSecond: 500)
        XCTAssertEqual(second.timeIntervalSince(origin), 0.3, accuracy: 1e-6)
    }
}
