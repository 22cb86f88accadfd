@testable import CachewatchRedis
import XCTest

/// Pure pieces of the census: dedupe set, pace controller, options.
final class CensusUnitTests: XCTestCase {
    func testFingerprintSetDedupesAndGrows() {
        var set = KeyFingerprintSet(initialSlots: 4, maxSlots: 1 << 12)
        XCTAssertTrue(set.insert(Array("a".utf8)))
        XCTAssertFalse(set.insert(Array("a".utf8)))
        XCTAssertTrue(set.insert([0xff, 0x00]))
        XCTAssertTrue(set.insert([]))
        XCTAssertFalse(set.insert([]))
        for index in 0..<1000 { XCTAssertTrue(set.insert(Array("key:\(index)".utf8))) }
        for index in 0..<1000 { XCTAssertFalse(set.insert(Array("key:\(index)".utf8))) }
        XCTAssertEqual(set.count, 1003)
    }

    func testFingerprintSetTakesAWholePageAtOnce() {
        var set = KeyFingerprintSet(initialSlots: 4, maxSlots: 1 << 12)
        let page = (0..<300).map { Array("key:\($0)".utf8) }
        XCTAssertEqual(set.insertNew(page), page, "all new, in order, the table growing first")
        XCTAssertEqual(set.insertNew(page + [Array("x".utf8)]), [Array("x".utf8)], "seen keys are left out")
        XCTAssertEqual(set.insertNew([Array("y".utf8), Array("y".utf8), []]), [Array("y".utf8), []], "a key twice in one page counts once")
        XCTAssertEqual(set.count, 303)
        var bounded = KeyFingerprintSet(initialSlots: 4, maxSlots: 64)
        XCTAssertEqual(bounded.insertNew(page).count, 300, "beyond the cap keys are still taken, not remembered")
        XCTAssertLessThanOrEqual(bounded.count, 32)
    }

    func testFingerprintSetIsBounded() {
        var set = KeyFingerprintSet(initialSlots: 4, maxSlots: 64)
        for index in 0..<500 { XCTAssertTrue(set.insert(Array("k\(index)".utf8))) }
        XCTAssertLessThanOrEqual(set.count, 32, "stops remembering at half of maxSlots")
        XCTAssertFalse(set.insert(Array("k0".utf8)), "keys remembered before the cap are still deduped")
    }

    func testPaceBacksOffAndRecovers() {
        var pace = CensusPace(budgetKeysPerSecond: 5000, pingBackoffMilliseconds: 10)
        XCTAssertEqual(pace.keysPerSecond, 5000)
        XCTAssertFalse(pace.observe(pingMilliseconds: 1), "already at budget")
        XCTAssertTrue(pace.observe(pingMilliseconds: 25))
        XCTAssertEqual(pace.keysPerSecond, 2500)
        XCTAssertFalse(pace.observe(pingMilliseconds: 7), "between half and the threshold: hold")
        for _ in 0..<20 { pace.observe(pingMilliseconds: 50) }
        XCTAssertEqual(pace.keysPerSecond, 100, "floor: 2 % of the budget")
        pace.observe(pingMilliseconds: 1)
        XCTAssertEqual(pace.keysPerSecond, 125)
        for _ in 0..<40 { pace.observe(pingMilliseconds: 1) }
        XCTAssertEqual(pace.keysPerSecond, 5000, "recovers up to the budget, never above")
    }

    func testPaceYieldsToABusyServerAndRecoversOnlyOnceItIsCalm() {
        var pace = CensusPace(budgetKeysPerSecond: 5000, pingBackoffMilliseconds: 10)
        XCTAssertTrue(pace.observe(serverBusy: true))
        XCTAssertEqual(pace.keysPerSecond, 100, "the floor")
        XCTAssertTrue(pace.yielding)
        pace.observe(pingMilliseconds: 1)
        XCTAssertEqual(pace.keysPerSecond, 100, "fast PINGs do not raise the pace while the server is busy")
        XCTAssertFalse(pace.observe(serverBusy: false))
        XCTAssertFalse(pace.yielding)
        pace.observe(pingMilliseconds: 1)
        XCTAssertEqual(pace.keysPerSecond, 125, "calm: recovers a quarter at a time")
    }

    func testLoadIsAskedOftenAtPaceAndLessWhileYielding() {
        var pace = CensusPace(budgetKeysPerSecond: 5000, pingBackoffMilliseconds: 10)
        XCTAssertEqual(pace.loadCheckSeconds, 0.05, "reading at the default budget: a load that starts is noticed within about 0.1 s")
        pace.observe(serverBusy: true)
        XCTAssertEqual(pace.loadCheckSeconds, 0.45, "yielding: only the end of the load is waited for")
        pace.observe(serverBusy: false)
        XCTAssertEqual(pace.loadCheckSeconds, 0.05)
        // A smaller budget (a share of it per database) asks in proportion, at most every 0.45 s.
        XCTAssertEqual(CensusPace(budgetKeysPerSecond: 1000, pingBackoffMilliseconds: 10).loadCheckSeconds, 0.25, accuracy: 1e-9)
        XCTAssertEqual(CensusPace(budgetKeysPerSecond: 10, pingBackoffMilliseconds: 10).loadCheckSeconds, 0.45)
        XCTAssertEqual(CensusPace(budgetKeysPerSecond: 10_000_000, pingBackoffMilliseconds: 10).loadCheckSeconds, 0.05)
        XCTAssertEqual(CensusPace(budgetKeysPerSecond: 0, pingBackoffMilliseconds: 10).loadCheckSeconds, 0.45, "budget floored at 1")
    }

    func testAYieldingCensusReadsHalfASecondAtATimeInOneWriteOfLookups() {
        // The floor is 2 % of the budget; while yielding a page holds half a second of it (≥ the usual page, ≤ scanCount).
        let defaults = CensusOptions(mode: .budgeted(keysPerSecond: 5000))
        XCTAssertEqual(defaults.yieldingScanCount(floorKeysPerSecond: 100), 50, "2 pages a second at the default budget")
        XCTAssertEqual(CensusOptions(mode: .budgeted(keysPerSecond: 100)).yieldingScanCount(floorKeysPerSecond: 10), 10,
                       "never below the usual page")
        XCTAssertEqual(CensusOptions(mode: .budgeted(keysPerSecond: 100_000)).yieldingScanCount(floorKeysPerSecond: 2000), 64,
                       "never above scanCount")
        XCTAssertEqual(defaults.yieldingScanCount(floorKeysPerSecond: .nan), 10)
        XCTAssertEqual(defaults.yieldingScanCount(floorKeysPerSecond: .infinity), 10)
        // Its lookups (50 keys: TYPE and PTTL each) go out in one write after the SCAN alone.
        XCTAssertTrue(PipelineWindow.yielding.isolatesHeads)
        XCTAssertGreaterThanOrEqual(PipelineWindow.yielding.batchCommands, 2 * 64)
    }

    func testBudgetedPagesAreSmall() {
        // The budget is spread over 500 small pages a second (10 keys, one write of 21 commands, every 2 ms), not
        // bursts of big pages.
        XCTAssertEqual(CensusOptions(mode: .budgeted(keysPerSecond: 5000)).effectiveScanCount, 10)
        XCTAssertEqual(CensusOptions(mode: .budgeted(keysPerSecond: 16000)).effectiveScanCount, 32)
        XCTAssertEqual(CensusOptions(mode: .budgeted(keysPerSecond: 1000)).effectiveScanCount, 10)
        XCTAssertEqual(CensusOptions(mode: .budgeted(keysPerSecond: 5000), scanCount: 1000, budgetPagesPerSecond: 10).effectiveScanCount, 500)
        XCTAssertEqual(CensusOptions(mode: .budgeted(keysPerSecond: 50)).effectiveScanCount, 10)
        XCTAssertEqual(CensusOptions(mode: .budgeted(keysPerSecond: 1_000_000)).effectiveScanCount, 64, "never above scanCount")
        XCTAssertEqual(CensusOptions(mode: .full).effectiveScanCount, 10, "full mode next to other clients: SCAN 10, as redis-cli --scan")
        XCTAssertEqual(CensusOptions(mode: .full, scanCount: 2000).effectiveScanCount, 2000)
    }

    func testFullModeSharesTheServerInSmallWrites() {
        // A full census next to an app: pages of 10 keys in writes of 21 commands, two in flight (budgeted pages go
        // out a write at a time, their SCAN alone); on an idle server it goes deep.
        let full = CensusOptions(mode: .full)
        XCTAssertEqual(full.pipelineWindow, .shallow)
        XCTAssertEqual(full.pipelineWindow.batchCommands, 21)
        XCTAssertEqual(full.pipelineWindow.maxCommandsInFlight, 42)
        XCTAssertEqual(full.deepPipelineWindow, .deep)
        XCTAssertEqual(full.deepScanCount, 1000)
        XCTAssertEqual(CensusOptions(mode: .budgeted(keysPerSecond: 5000)).pipelineWindow, .budgeted)
        let explicit = PipelineWindow(batchCommands: 7, maxCommandsInFlight: 7)
        XCTAssertEqual(CensusOptions(mode: .full, pipelineWindow: explicit).pipelineWindow, explicit)
    }
}
