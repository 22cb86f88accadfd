import Foundation

/// A thread-safe "please stop" flag with a wakeable sleep.
final class StopFlag {
    private let condition = NSCondition()
    private var stopped = false

    var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps up to `seconds`, returning early (true) when stopped.
    @discardableResult
    func sleep(seconds: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(seconds)
        while !stopped {
            if !condition.wait(until: deadline) { break }
        }
        return stopped
    }
}
