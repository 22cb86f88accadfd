import CachewatchCore
import CachewatchRedis
import Foundation

/// What the workers have reported, under one lock; the UI loop and `watch` read value snapshots.
final class MonitorStore: @unchecked Sendable {
    /// A consistent copy of everything known at one moment.
    struct Snapshot: Sendable {
        var connection: ConnectionState = .connecting
        var info: InfoSnapshot?
        var rates: InfoRates?
        var pingMilliseconds: Double?
        /// The last Redis error sentence (nil while healthy).
        var redisError: String?
        var histories = MetricHistories()
        /// The newest census (a complete pass when one exists, else the running partial pass).
        var census: CensusReport?
        var censusProgress: CensusProgress?
        var censusError: String?
    }

    /// The census books its own commands here; rates subtract them.
    let ownTraffic = OwnTraffic()
    private let lock = NSLock()
    private var state = Snapshot()
    private var previousInfo: InfoSnapshot?
    private var ownAtPreviousInfo = OwnTraffic.Totals()
    /// Our SCANs sent before the previous INFO that Redis ran after it (they belong to the next interval).
    private var carriedOwnScans = 0
    /// Our commands and lookups booked before the previous INFO that Redis counted after it.
    private var carriedOwn = (commands: 0, keyspaceHits: 0, keyspaceMisses: 0)

    // MARK: - Writers (worker threads)

    /// Records a collector tick: parses INFO, computes rates against the previous tick, extends histories.
    func ingest(_ sample: CollectorSample) {
        let info = sample.infoText.map { InfoSnapshot(text: $0, takenAt: sample.takenAt) }
        // Our totals as of the moment INFO was sent (what Redis's counters in that reply can include).
        let own = sample.ownTrafficBeforeInfo ?? ownTraffic.current
        lock.lock()
        defer { lock.unlock() }
        state.connection = sample.state
        state.pingMilliseconds = sample.pingMilliseconds
        state.redisError = sample.error?.message
        guard let info else { return }
        if let previousInfo {
            let observed = InfoRates.between(previousInfo, info)
            let ownScans = own.scans - ownAtPreviousInfo.scans + carriedOwnScans
            carriedOwnScans = observed.unseenObserverScans(ownScans)
            let ownCommands = own.commands - ownAtPreviousInfo.commands + carriedOwn.commands
            let ownHits = own.keyspaceHits - ownAtPreviousInfo.keyspaceHits + carriedOwn.keyspaceHits
            let ownMisses = own.keyspaceMisses - ownAtPreviousInfo.keyspaceMisses + carriedOwn.keyspaceMisses
            carriedOwn = observed.unseenObserverLoad(commands: ownCommands, keyspaceHits: ownHits, keyspaceMisses: ownMisses)
            let rates = observed.excludingObserver(commands: ownCommands, scans: ownScans,
                                                   keyspaceHits: ownHits, keyspaceMisses: ownMisses)
            state.rates = rates
            state.histories.record(info: info, rates: rates, pingMilliseconds: sample.pingMilliseconds)
        }
        previousInfo = info
        ownAtPreviousInfo = own
        state.info = info
    }

    /// Records a census report (partial or complete).
    func ingest(census report: CensusReport) {
        lock.lock()
        defer { lock.unlock() }
        state.census = report
        state.censusError = nil
    }

    /// Records census progress.
    func ingest(censusProgress progress: CensusProgress) {
        lock.lock()
        defer { lock.unlock() }
        state.censusProgress = progress
    }

    /// Records a census error sentence.
    func ingest(censusError error: RedisError) {
        lock.lock()
        defer { lock.unlock() }
        state.censusError = error.message
    }

    /// Records a census error sentence from a worker that is not Redis's (memcached).
    func ingest(censusErrorMessage message: String) {
        lock.lock()
        defer { lock.unlock() }
        state.censusError = message
    }

    /// Forgets the histories and rates (`r` in the dashboard); the next tick starts them again.
    func resetCounters() {
        lock.lock()
        defer { lock.unlock() }
        state.histories = MetricHistories()
        state.rates = nil
        previousInfo = nil
        carriedOwnScans = 0
        carriedOwn = (0, 0, 0)
    }

    // MARK: - Readers

    /// A copy of the current state.
    func snapshot() -> Snapshot {
        lock.lock()
        defer { lock.unlock() }
        return state
    }
}
