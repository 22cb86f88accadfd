import CachewatchCore
import Foundation

/// Asks the server, on a connection of its own, how many commands other clients have run (`INFO commandstats`
/// without cachewatch's own commands): the input of a full census's `CensusDepthPolicy`.
final class CensusTrafficProbe {
    private let client: RedisClient
    /// INFO was refused (ACL): not asked again, the census stays shallow.
    private var denied = false

    /// A probe on its own connection to `endpoint` (its commands booked in `ownTraffic`).
    init(endpoint: RedisEndpoint, ownTraffic: OwnTraffic?) {
        client = RedisClient(endpoint: endpoint, initialBackoffSeconds: 1, maxBackoffSeconds: 5, ownTraffic: ownTraffic)
    }

    deinit { client.disconnect() }

    /// Other clients' cumulative calls, or nil when unknown (INFO denied, no connection, unreadable reply).
    func otherClientsCalls() -> Int? {
        guard !denied else { return nil }
        do {
            guard let text = try client.send(.info(section: "commandstats")).stringValue else { return nil }
            return CensusDepthPolicy.otherClientsCalls(InfoSnapshot(text: text, takenAt: Date()).commandStats)
        } catch let error as RedisError {
            if !error.isConnectionError { denied = true }
            return nil
        } catch {
            return nil
        }
    }
}
