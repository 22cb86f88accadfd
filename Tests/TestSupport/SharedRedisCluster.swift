import Foundation

/// The private Redis Cluster a test class shares: started (and seeded) in the class's `setUp()`, torn down in its
/// `tearDown()`. A test asking for a cluster that could not start is skipped (and fails under CI, see
/// `prerequisiteMissing`).
public final class SharedRedisCluster: @unchecked Sendable {
    private let shared = SharedFixture<RedisClusterFixture>("a Redis Cluster") { $0.teardown() }

    public init() {}

    /// Starts a cluster of `primaries` (no replicas) on `serverExecutable` (nil: redis-server) and hands it to `seed`.
    public func start(primaries: Int = 3, nodeTimeoutMilliseconds: Int = 5000, serverExecutable: URL? = nil,
                      seed: (RedisClusterFixture) -> Void = { _ in }) {
        shared.start {
            let cluster = try RedisClusterFixture(primaries: primaries, nodeTimeoutMilliseconds: nodeTimeoutMilliseconds,
                                                  serverExecutable: serverExecutable)
            seed(cluster)
            return cluster
        }
    }

    /// Stops every node and removes their directories.
    public func stop() { shared.stop() }

    /// The running cluster; throws `prerequisiteMissing` when it could not start.
    public var cluster: RedisClusterFixture { get throws { try shared.value } }
}
