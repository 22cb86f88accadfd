import Foundation

/// cachewatch's own load as counted by its client: commands sent, our SCANs, and the keyspace hits/misses our lookups
/// caused (cumulative totals, taken just before an INFO is sent).
public struct ObserverLoad: Equatable, Sendable {
    public var commands: Int
    public var scans: Int
    public var keyspaceHits: Int
    public var keyspaceMisses: Int

    public init(commands: Int = 0, scans: Int = 0, keyspaceHits: Int = 0, keyspaceMisses: Int = 0) {
        self.commands = commands
        self.scans = scans
        self.keyspaceHits = keyspaceHits
        self.keyspaceMisses = keyspaceMisses
    }
}

/// The application's rates, from consecutive INFO samples minus cachewatch's own load: the one computation the
/// dashboard, `watch` and `snapshot` share.
///
/// Our load booked before an INFO that Redis had not counted yet in it (a SCAN written but not run, lookups still in
/// flight) is carried into the next interval, so an idle server reads 0 ops/s through census passes. A restarted
/// server (another `run_id`, or an uptime that went back) starts over: no rate across the restart.
public struct ApplicationRates: Sendable {
    private var previousInfo: InfoSnapshot?
    private var loadAtPreviousInfo = ObserverLoad()
    private var carriedScans = 0
    private var carried = (commands: 0, keyspaceHits: 0, keyspaceMisses: 0)

    public init() {}

    /// True when `next` comes from a restarted server: another `run_id`, or an uptime that went back.
    public static func isRestart(from previous: InfoSnapshot, to next: InfoSnapshot) -> Bool {
        if let before = previous.runID, let after = next.runID, before != after { return true }
        if let before = previous.uptimeSeconds, let after = next.uptimeSeconds, after < before { return true }
        return false
    }

    /// Takes the next INFO sample and our load just before it was sent; returns the application's rates over the
    /// interval since the previous sample (nil for the first sample, after a restart and across a counter reset), and
    /// whether Redis restarted.
    public mutating func next(_ info: InfoSnapshot, load: ObserverLoad) -> (rates: InfoRates?, restarted: Bool) {
        defer {
            previousInfo = info
            loadAtPreviousInfo = load
        }
        guard let previousInfo else { return (nil, false) }
        if Self.isRestart(from: previousInfo, to: info) {
            carriedScans = 0
            carried = (0, 0, 0)
            return (nil, true)
        }
        guard let observed = InfoRates.overInterval(previousInfo, info) else {
            // A counter reset without a restart (CONFIG RESETSTAT, a garbled or wrapped counter) or a non-positive
            // interval: this interval's rates are unknown, and nothing of ours is carried across it.
            carriedScans = 0
            carried = (0, 0, 0)
            return (nil, false)
        }
        let scans = load.scans - loadAtPreviousInfo.scans + carriedScans
        carriedScans = observed.unseenObserverScans(scans)
        let commands = load.commands - loadAtPreviousInfo.commands + carried.commands
        let hits = load.keyspaceHits - loadAtPreviousInfo.keyspaceHits + carried.keyspaceHits
        let misses = load.keyspaceMisses - loadAtPreviousInfo.keyspaceMisses + carried.keyspaceMisses
        carried = observed.unseenObserverLoad(commands: commands, keyspaceHits: hits, keyspaceMisses: misses)
        let rates = observed.excludingObserver(commands: commands, scans: scans, keyspaceHits: hits, keyspaceMisses: misses)
        return (rates, false)
    }
}
