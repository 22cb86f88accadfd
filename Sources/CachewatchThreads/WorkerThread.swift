import Foundation

/// The one stoppable worker thread of cachewatch (INFO collector, census, log poller, stdin reader, demo traffic).
///
/// `start` runs a body on a new named thread; the body checks `isStopping` and waits with `sleep(until:)` /
/// `sleep(seconds:)`, which return early (false) once `stop()` is called. `stop()` raises the flag, runs the
/// owner's `interrupt` (e.g. shutting a blocked socket down) until the body returns, and waits for it (bounded).
/// Called from the worker's own thread (one of its callbacks) it only raises the flag.
public final class WorkerThread: @unchecked Sendable {
    public let name: String
    private let condition = NSCondition()
    private var stopping = false
    private var running = false
    private var finished = true
    private var thread: Thread?

    public init(name: String) {
        self.name = name
    }

    /// Runs `body` on a new thread (no-op while one runs).
    public func start(_ body: @escaping () -> Void) {
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

    /// A worker calling `tick` every `intervalSeconds` (the first time after one interval) until stopped.
    public static func periodic(name: String, intervalSeconds: Double, tick: @escaping () -> Void) -> WorkerThread {
        let worker = WorkerThread(name: name)
        worker.start { [unowned worker] in
            var next = Date().addingTimeInterval(intervalSeconds)
            while worker.sleep(until: next) {
                tick()
                next = max(next.addingTimeInterval(intervalSeconds), Date())
            }
        }
        return worker
    }

    /// Raises the stop flag, runs `interrupt` (again every 100 ms while waiting) and waits up to `timeoutSeconds` for
    /// the body to return. From the worker's own thread it only raises the flag (waiting would deadlock). Idempotent.
    public func stop(timeoutSeconds: Double = 5, interrupt: (() -> Void)? = nil) {
        condition.lock()
        guard running else { condition.unlock(); return }
        stopping = true
        condition.broadcast()
        if Thread.current === thread {
            running = false
            condition.unlock()
            return
        }
        condition.unlock()
        interrupt?()
        condition.lock()
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while !finished && Date() < deadline {
            _ = condition.wait(until: min(deadline, Date().addingTimeInterval(0.1)))
            if !finished, let interrupt {
                condition.unlock()
                interrupt()
                condition.lock()
            }
        }
        running = false
        condition.unlock()
    }

    /// True once `stop()` was called.
    public var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }

    /// Sleeps until `date` unless stopped first; returns false when stopped.
    @discardableResult
    public func sleep(until date: Date) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !stopping && Date() < date {
            _ = condition.wait(until: date)
        }
        return !stopping
    }

    /// Sleeps `seconds` unless stopped first; returns false when stopped.
    @discardableResult
    public func sleep(seconds: Double) -> Bool {
        sleep(until: Date().addingTimeInterval(seconds))
    }
}
