import CachewatchCore
import Foundation

/// Counts the commands cachewatch itself sends and the keyspace hits/misses they cause.
///
/// `TYPE`, `PTTL` and `MEMORY USAGE` look keys up like a `GET` does, so a census at 5,000 keys/s adds
/// ~10,000 ops/s and as many "hits" to INFO. The dashboard subtracts these totals so ops/s and the
/// hit ratio describe the application, not the observer. Our `SCAN`s are counted apart too, so the
/// app's own `SCAN` rate (pattern invalidation) is what is left of `cmdstat_scan`.
public final class OwnTraffic: @unchecked Sendable {
    /// Cumulative totals since the ledger was created.
    public struct Totals: Equatable, Sendable {
        public var commands = 0
        public var keyspaceHits = 0
        public var keyspaceMisses = 0
        /// `SCAN`s sent. Booked when written (before Redis may have run them, `commands` is booked when the
        /// replies are read), so at an INFO sample a SCAN is never counted by Redis but not yet here; one
        /// booked but not yet run is carried to the next interval (`InfoRates.unseenObserverScans`).
        public var scans = 0

        /// The same numbers for the core's `ApplicationRates`.
        public var observerLoad: ObserverLoad {
            ObserverLoad(commands: commands, scans: scans, keyspaceHits: keyspaceHits, keyspaceMisses: keyspaceMisses)
        }

        public init(commands: Int = 0, keyspaceHits: Int = 0, keyspaceMisses: Int = 0, scans: Int = 0) {
            self.commands = commands
            self.keyspaceHits = keyspaceHits
            self.keyspaceMisses = keyspaceMisses
            self.scans = scans
        }
    }

    private let lock = NSLock()
    private var totals = Totals()

    public init() {}

    /// Adds what one pipeline cost, or (`commands: 0, scans: 1`) a SCAN just sent.
    public func add(commands: Int, scans: Int = 0, keyspaceHits: Int = 0, keyspaceMisses: Int = 0) {
        lock.lock()
        defer { lock.unlock() }
        totals.commands += commands
        totals.scans += scans
        totals.keyspaceHits += keyspaceHits
        totals.keyspaceMisses += keyspaceMisses
    }

    private var openConnections: [ObjectIdentifier: String?] = [:]

    /// Notes an open connection and its local address (`127.0.0.1:53422`; nil for a unix socket).
    func connectionOpened(_ id: ObjectIdentifier, localAddress: String?) {
        lock.lock()
        defer { lock.unlock() }
        openConnections[id] = localAddress
    }

    /// Forgets a closed connection.
    func connectionClosed(_ id: ObjectIdentifier) {
        lock.lock()
        defer { lock.unlock() }
        openConnections[id] = nil
    }

    /// Our open connections: how many, and the local addresses of the TCP ones (to find them in `CLIENT LIST`).
    public var ownConnections: (count: Int, addresses: Set<String>) {
        lock.lock()
        defer { lock.unlock() }
        return (openConnections.count, Set(openConnections.values.compactMap { $0 }))
    }

    /// The totals so far.
    public var current: Totals {
        lock.lock()
        defer { lock.unlock() }
        return totals
    }
}
