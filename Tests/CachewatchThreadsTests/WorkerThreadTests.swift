import CachewatchThreads
import Foundation
import XCTest

/// The one stoppable worker thread: prompt stops, interruptible sleeps, periodic ticks, a stop from its own thread.
final class WorkerThreadTests: XCTestCase {
    func testStopWakesASleepingBodyAtOnce() {
        let worker = WorkerThread(name: "test.sleeper")
        let woke = expectation(description: "the body returned")
        worker.start {
            XCTAssertFalse(worker.sleep(seconds: 60), "a stopped sleep reports false")
            woke.fulfill()
        }
        Thread.sleep(forTimeInterval: 0.05)
        let started = Date()
        worker.stop()
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
        wait(for: [woke], timeout: 1)
        XCTAssertTrue(worker.isStopping)
    }

    func testStopInterruptsABlockedBodyUntilItReturns() {
        let worker = WorkerThread(name: "test.blocked")
        let lock = NSCondition()
        var released = false
        worker.start {
            lock.lock()
            while !released { lock.wait() }   // stands for a blocked socket read
            lock.unlock()
        }
        let started = Date()
        worker.stop(timeoutSeconds: 5) {
            lock.lock()
            released = true
            lock.broadcast()
            lock.unlock()
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 1, "the interrupt unblocked the body")
    }

    func testPeriodicTicksUntilStopped() {
        let counter = NSLock()
        var ticks = 0
        let worker = WorkerThread.periodic(name: "test.periodic", intervalSeconds: 0.02) {
            counter.lock()
            ticks += 1
            counter.unlock()
        }
        Thread.sleep(forTimeInterval: 0.3)
        worker.stop()
        counter.lock()
        let seen = ticks
        counter.unlock()
        XCTAssertGreaterThan(seen, 2)
        Thread.sleep(forTimeInterval: 0.1)
        counter.lock()
        XCTAssertEqual(ticks, seen, "no tick after stop")
        counter.unlock()
    }

    func testStopFromTheWorkersOwnThreadDoesNotDeadlock() {
        let worker = WorkerThread(name: "test.self-stop")
        let done = expectation(description: "returned")
        worker.start {
            worker.stop()   // e.g. from one of its own callbacks
            XCTAssertTrue(worker.isStopping)
            done.fulfill()
        }
        wait(for: [done], timeout: 2)
    }
}
