import CachewatchCore
import Foundation

/// Asks the server, on a connection of its own, how many commands other clients have run (`INFO commandstats`
/// without cachewatch's own commands) and, once a pass, whether they have all been silent a while (`CLIENT LIST`):
/// the input of a full census's `CensusDepthPolicy`.
final class CensusTrafficProbe {
    private let client: RedisClient
    /// INFO was refused (ACL, renamed): not asked again, the census stays shallow.
    private var denied = false
    /// CLIENT LIST was refused (ACL): not asked again, the census waits for the silence itself.
    private var clientListDenied = false

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
            if error.isLastingRefusal { denied = true }
            return nil
        } catch {
            return nil
        }
    }

    /// True when `CLIENT LIST TYPE normal` shows every connection but cachewatch's silent for more than `seconds`;
    /// false when some app connection is not, or when the list cannot be had (denied, no connection, unreadable).
    /// Not asked once INFO is denied: the census stays shallow then anyway.
    func appClientsSilent(forMoreThanSeconds seconds: Int) -> Bool {
        guard !clientListDenied, !denied else { return false }
        do {
            guard let text = try client.send(.clientList).stringValue else { return false }
            return ClientList.appClientsSilent(inReply: text, forMoreThanSeconds: seconds)
        } catch let error as RedisError {
            if error.isLastingRefusal { clientListDenied = true }
            return false
        } catch {
            return false
        }
    }
}
