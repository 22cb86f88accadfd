import Foundation
import TestSupport
import XCTest

/// The set-up of the cluster tests that change their cluster (kill, restart, write): a private cluster per test
/// (`clusterShape`), the streaming process of `RedisCLITestCase`, and a tearDown that stops the process, then the cluster.
class ClusterCLITestCase: RedisCLITestCase {
    /// The test's private cluster (nil when it could not start: the test is skipped, or fails under CI).
    var cluster: RedisClusterFixture?

    /// Primaries, replicas per primary and node timeout (ms) of the test's cluster; subclasses override.
    var clusterShape: (primaries: Int, replicasPerPrimary: Int, nodeTimeoutMilliseconds: Int) { (3, 0, 5000) }

    override func setUpWithError() throws {
        let shape = clusterShape
        do {
            cluster = try RedisClusterFixture(primaries: shape.primaries, replicasPerPrimary: shape.replicasPerPrimary,
                                              nodeTimeoutMilliseconds: shape.nodeTimeoutMilliseconds)
        } catch {
            throw prerequisiteMissing("a Redis Cluster could not be started: \(error)")
        }
    }

    override func tearDown() {
        super.tearDown()   // the streaming process first
        cluster?.teardown()
        cluster = nil
    }
}
