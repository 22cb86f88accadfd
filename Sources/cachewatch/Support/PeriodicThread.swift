import Foundation

/// A thread that runs a closure every `intervalSeconds` until stopped; `stop()` returns promptly.
final class PeriodicThread {
    private let condition = NSCondition()
    private var stopping = false
    private var thread: Thread?

    /// Starts calling `tick` (on the new thread) every `intervalSeconds`, the first time after one interval.
    init(name: String, intervalSeconds: Double, tick: @escaping () -> Void) {
        let thread = Thread { [condition] in
            var next = Date().addingTimeInterval(intervalSeconds)
            while true {
                condition.lock()
                while !self.stopping && Date() < next { _ = condition.wait(until: next) }
                let done = self.stopping
                condition.unlock()
                if done { return }
                tick()
                next = max(next.addingTimeInterval(intervalSeconds), Date())
            }
        }
        thread.name = name
        self.thread = thread
        thread.start()
    }

    /// Asks the thread to stop and waits until it has.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        while thread?.isFinished == false { Thread.sleep(forTimeInterval: 0.005) }
    }
}
