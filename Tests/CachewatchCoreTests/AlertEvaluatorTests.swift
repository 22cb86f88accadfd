import CachewatchCore
import Foundation
import XCTest

final class AlertEvaluatorTests: XCTestCase {
    private let start = Date(timeIntervalSince1970: 1_795_732_200)

    private func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }

    func testValidation() {
        XCTAssertThrowsError(try AlertRule.validated(warnPerMinute: 60, critPerMinute: 10))
        XCTAssertThrowsError(try AlertRule.validated(warnPerMinute: 0, critPerMinute: 10))
        XCTAssertThrowsError(try AlertRule.validated(warnPerMinute: 1, critPerMinute: -1))
        XCTAssertThrowsError(try AlertRule.validated(windowSeconds: 0))
        XCTAssertThrowsError(try AlertRule.validated(forSeconds: -5))
        XCTAssertNoThrow(try AlertRule.validated(warnPerMinute: 10, critPerMinute: 10))
        do {
            _ = try AlertRule.validated(warnPerMinute: 60, critPerMinute: 10)
        } catch {
            XCTAssertEqual("\(error)", "--warn-rate (60) must not be above --crit-rate (10).")
        }
    }

    func testStatesWithoutForAndHysteresis() {
        var alert = AlertEvaluator(rule: AlertRule(warnPerMinute: 10, critPerMinute: 50))
        XCTAssertNil(alert.evaluate(ratePerMinute: 9, now: at(0)))
        XCTAssertEqual(alert.since, at(0))
        XCTAssertEqual(alert.evaluate(ratePerMinute: 10, now: at(1))?.to, .warn, "at the threshold")
        XCTAssertEqual(alert.evaluate(ratePerMinute: 50, now: at(2))?.to, .crit)
        XCTAssertNil(alert.evaluate(ratePerMinute: 40, now: at(3)), "40 is not below 80 % of 50")
        XCTAssertEqual(alert.evaluate(ratePerMinute: 39.9, now: at(4))?.to, .warn)
        XCTAssertNil(alert.evaluate(ratePerMinute: 8, now: at(5)), "8 is not below 80 % of 10")
        let down = alert.evaluate(ratePerMinute: 7, now: at(6))
        XCTAssertEqual(down, AlertTransition(at: at(6), from: .warn, to: .ok, ratePerMinute: 7))
        XCTAssertEqual(alert.evaluate(ratePerMinute: 100, now: at(7))?.from, .ok, "ok jumps straight to crit")
        XCTAssertEqual(alert.level, .crit)
        XCTAssertEqual(alert.evaluate(ratePerMinute: 0, now: at(8))?.to, .ok, "crit falls to ok when below both")
        XCTAssertEqual(alert.history.map(\.to), [.warn, .crit, .warn, .ok, .crit, .ok])
        XCTAssertEqual(alert.since, at(8))
    }

    func testForDurationMustHoldWithoutInterruption() {
        var alert = AlertEvaluator(rule: AlertRule(warnPerMinute: 10, critPerMinute: 50, forSeconds: 60))
        XCTAssertNil(alert.evaluate(ratePerMinute: 20, now: at(0)))
        XCTAssertNil(alert.evaluate(ratePerMinute: 20, now: at(59)))
        XCTAssertNil(alert.evaluate(ratePerMinute: 5, now: at(59.5)), "interrupted: the clock restarts")
        XCTAssertNil(alert.evaluate(ratePerMinute: 20, now: at(60)))
        XCTAssertNil(alert.evaluate(ratePerMinute: 20, now: at(119)))
        XCTAssertEqual(alert.evaluate(ratePerMinute: 20, now: at(120))?.to, .warn)
        // Down needs 60 s below 8/min as well.
        XCTAssertNil(alert.evaluate(ratePerMinute: 7, now: at(130)))
        XCTAssertNil(alert.evaluate(ratePerMinute: 9, now: at(170)), "above 80 %: recovery restarts")
        XCTAssertNil(alert.evaluate(ratePerMinute: 7, now: at(180)))
        XCTAssertNil(alert.evaluate(ratePerMinute: 7, now: at(239)))
        XCTAssertEqual(alert.evaluate(ratePerMinute: 7, now: at(240))?.to, .ok)
    }

    func testStateAdvancesWithoutNewEventsAndIgnoresTimeTravel() {
        var alert = AlertEvaluator(rule: AlertRule(warnPerMinute: 1, critPerMinute: 5, windowSeconds: 60))
        var counter = FailOpenCounter()
        for offset in 0..<6 {
            counter.record(FailOpenEvent(timestamp: at(Double(offset)), match: FailOpenMatch(error: "x")), now: at(10))
        }
        XCTAssertEqual(alert.evaluate(counter: counter, now: at(10))?.to, .crit)
        XCTAssertNil(alert.evaluate(counter: counter, now: at(5)), "earlier now is ignored")
        XCTAssertEqual(alert.evaluate(counter: counter, now: at(70))?.to, .ok, "the window emptied with no new line")
    }

    func testHistoryKeepsTheLast100() {
        var alert = AlertEvaluator(rule: AlertRule(warnPerMinute: 10, critPerMinute: 50))
        for step in 0..<130 { alert.evaluate(ratePerMinute: step % 2 == 0 ? 60 : 0, now: at(Double(step))) }
        XCTAssertEqual(alert.history.count, 100)
        XCTAssertEqual(alert.history.last?.at, at(129))
        XCTAssertEqual(alert.history.first?.at, at(30))
    }
}
