import Foundation

/// The private Redis Cluster a test class shares: started (and seeded) in the class's `setUp()`, torn down in its
/// `tearDown()`. A test asking for a cluster that could not start is skipped (and fails under CI, see
/// `prerequisiteMissing`).
public final class SharedRedisCluster: @unchecked Sendable {
    private let lock = NSLock()
    private var fixture: RedisClusterFixture?
    private var startError: Error?

    public init() {}

    /// Starts a cluster of `primaries` (no replicas) on `serverExecutable` (nil: redis-server) and hands it to `seed`.
    public func start(primaries: Int = 3, nodeTimeoutMilliseconds: Int = 5000, serverExecutable: URL? = nil,
                      seed: (RedisClusterFixture) -> Void = { _ in }) {
        do {
            let cluster = try RedisClusterFixture(primaries: primaries, nodeTimeoutMilliseconds: nodeTimeoutMilliseconds,
                                                  serverExecutable: serverExecutable)
            seed(cluster)
            lock.lock()
            fixture = cluster
            lock.unlock()
        } catch {
            lock.lock()
            startError = error
            lock.unlock()
        }
    }

    /// Stops every node and removes their directories.
    public func stop() {
        lock.lock()
        let stopping = fixture
        fixture = nil
        lock.unlock()
        stopping?.teardown()
    }

    /// The running cluster; throws `prerequisiteMissing` when it could not start.
    public var cluster: RedisClusterFixture {
        get throws {
            lock.lock()
            defer { lock.unlock() }
            guard let fixture else {
                throw prerequisiteMissing("a Redis Cluster could not be started: \(startError.map { "\($0)" } ?? "it was not started")")
            }
            return fixture
        }
    }
}
