import Foundation

/// The thread of a Redis worker (collector, census): start, a stop flag, interruptible sleeps, and a
/// `stop()` that interrupts the worker's client so a blocked command returns at once.
final class RedisWorker: @unchecked Sendable {
    private let name: String
    private let client: RedisClient
    private let condition = NSCondition()
    private var stopping = false
    private var running = false
    private var finished = true
    private var thread: Thread?

    init(name: String, client: RedisClient) {
        self.name = name
        self.client = client
    }

    /// Runs `body` on a new thread (no-op while one runs).
    func start(_ body: @escaping () -> Void) {
        condition.lock()
        defer { condition.unlock() }
        guard !running else { return }
        running = true
        stopping = false
        finished = false
        let thread = Thread { [self] in
            body()
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        self.thread = thread
        thread.name = name
        thread.start()
    }

    /// Raises the stop flag, interrupts a blocked command and waits (up to 5 s) for the body to return.
    /// Called from the worker's own thread (a callback), it only raises the flag. Idempotent.
    func stop() {
        condition.lock()
        guard running else { condition.unlock(); return }
        stopping = true
        condition.broadcast()
        condition.unlock()
        if Thread.current === thread {
            // Called from our own callback: the loop ends after it returns; waiting would deadlock.
            condition.lock()
            running = false
            condition.unlock()
            return
        }
        client.interrupt()
        condition.lock()
        let deadline = Date().addingTimeInterval(5)
        while !finished {
            if !condition.wait(until: deadline) { break }
            if !finished { client.interrupt() }
        }
        running = false
        condition.unlock()
    }

    /// True once `stop()` was called.
    var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }

    /// Sleeps until `date` unless stopped first; returns false when stopped.
    func sleep(until date: Date) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !stopping && Date() < date {
            _ = condition.wait(until: date)
        }
        return !stopping
    }
}
