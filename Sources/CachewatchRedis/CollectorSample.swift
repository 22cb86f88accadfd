import CachewatchCore
import Foundation

/// One tick of the INFO collector: raw INFO text (parsed elsewhere), PING round trip and connection state.
public struct CollectorSample: Sendable {
    public var takenAt: Date
    /// `INFO everything` as received (nil when it failed or was denied).
    public var infoText: String?
    /// PING round trip in milliseconds (nil when it failed).
    public var pingMilliseconds: Double?
    public var state: ConnectionState
    /// The first error of this tick, if any.
    public var error: RedisError?
    /// The client's `OwnTraffic` totals just before INFO was sent (nil without a ledger): Redis's counters in
    /// that INFO reply include everything we sent before it, so rates subtract the difference of these.
    public var ownTrafficBeforeInfo: OwnTraffic.Totals?
    /// Other cachewatch processes seen in `CLIENT LIST` this tick (nil: not asked this tick, or denied).
    public var otherCachewatch: Int?
    /// Why `CLIENT LIST` cannot tell (denied by ACL …); set once, on the tick it failed.
    public var clientListError: RedisError?

    public init(takenAt: Date, infoText: String?, pingMilliseconds: Double?, state: ConnectionState, error: RedisError?,
                ownTrafficBeforeInfo: OwnTraffic.Totals? = nil) {
        self.ownTrafficBeforeInfo = ownTrafficBeforeInfo
        self.takenAt = takenAt
        self.infoText = infoText
        self.pingMilliseconds = pingMilliseconds
        self.state = state
        self.error = error
    }
}
