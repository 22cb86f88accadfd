import Foundation

/// The redis-server a test class shares: started (and seeded) in the class's `setUp()`, torn down in its `tearDown()`.
/// A test asking for a server that could not start is skipped (and fails under CI, see `prerequisiteMissing`).
public final class SharedRedisServer: @unchecked Sendable {
    private let lock = NSLock()
    private var fixture: RedisServerFixture?

    public init() {}

    /// Starts the server with `options`; returns it for seeding (nil when it could not start).
    @discardableResult
    public func start(_ options: RedisServerFixture.Options = .init()) -> RedisServerFixture? {
        let started = try? RedisServerFixture(options: options)
        lock.lock()
        fixture = started
        lock.unlock()
        return started
    }

    /// Stops the server and removes its directory.
    public func stop() {
        lock.lock()
        let stopping = fixture
        fixture = nil
        lock.unlock()
        stopping?.teardown()
    }

    /// The running server; throws `prerequisiteMissing` when it could not start.
    public var server: RedisServerFixture {
        get throws {
            lock.lock()
            defer { lock.unlock() }
            guard let fixture else { throw prerequisiteMissing("redis-server could not be started") }
            return fixture
        }
    }
}
