import Foundation

/// What the Redis connection is doing, as the UI and JSON show it.
public enum ConnectionState: Equatable, Sendable {
    case connecting
    case connected
    case disconnected(since: Date, reason: String)

    /// A short word for the header and the JSON (`connecting`, `connected`, `disconnected`).
    public var word: String {
        switch self {
        case .connecting: return "connecting"
        case .connected: return "connected"
        case .disconnected: return "disconnected"
        }
    }
}
