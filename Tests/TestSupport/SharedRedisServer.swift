import Foundation

/// The redis-server a test class shares: started (and seeded) in the class's `setUp()`, torn down in its `tearDown()`.
/// A test asking for a server that could not start is skipped (and fails under CI, see `prerequisiteMissing`).
public final class SharedRedisServer: @unchecked Sendable {
    private let shared = SharedFixture<RedisServerFixture>("redis-server") { $0.teardown() }

    public init() {}

    /// Starts the server with `options`; returns it for seeding (nil when it could not start).
    @discardableResult
    public func start(_ options: RedisServerFixture.Options = .init()) -> RedisServerFixture? {
        shared.start { try RedisServerFixture(options: options) }
    }

    /// Stops the server and removes its directory.
    public func stop() { shared.stop() }

    /// The running server; throws `prerequisiteMissing` when it could not start.
    public var server: RedisServerFixture { get throws { try shared.value } }
}
