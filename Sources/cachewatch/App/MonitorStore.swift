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
        /// When the last INFO sample arrived (how old the numbers are; nil before the first).
        var infoReceivedAt: Date?
        /// Other cachewatch processes on the server (`CLIENT LIST`); nil while unknown.
        var otherCachewatch: Int?
        /// Why other cachewatch processes cannot be recognised (`CLIENT LIST` denied), if so.
        var otherCachewatchUnknownReason: String?
        /// The log followers' latest report (nil without `--log`).
        var logs: LogsReport?
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

    /// Census reports are accepted from this generation only (a replaced runner's last reports are dropped).
    private var censusGeneration = 0

    // MARK: - Writers (worker threads)

    /// Records a collector tick: parses INFO, computes rates against the previous tick, extends histories.
    /// Returns true when INFO says Redis restarted since the previous tick (another `run_id`, or its uptime went
    /// back): the census of the old keyspace is dropped then, and the caller starts a new one.
    @discardableResult
    func ingest(_ sample: CollectorSample) -> Bool {
        let info = sample.infoText.map { InfoSnapshot(text: $0, takenAt: sample.takenAt) }
        // Our totals as of the moment INFO was sent (what Redis's counters in that reply can include).
        let own = sample.ownTrafficBeforeInfo ?? ownTraffic.current
        lock.lock()
        defer { lock.unlock() }
        state.connection = sample.state
        state.pingMilliseconds = sample.pingMilliseconds
        state.redisError = sample.error?.message
        if let others = sample.otherCachewatch { state.otherCachewatch = others }
        if let error = sample.clientListError {
            state.otherCachewatch = nil
            state.otherCachewatchUnknownReason = error.message
        }
        guard let info else { return false }
        state.infoReceivedAt = Date()
        var restarted = false
        if let previousInfo, Self.isRestart(from: previousInfo, to: info) {
            restarted = true
            self.previousInfo = nil
            carriedOwnScans = 0
            carriedOwn = (0, 0, 0)
            state.rates = nil
            state.census = nil
            state.censusProgress = nil
            state.censusError = nil
            censusGeneration += 1
        }
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
        return restarted
    }

    /// True when `next` comes from a restarted server: another `run_id`, or an uptime that went back.
    static func isRestart(from previous: InfoSnapshot, to next: InfoSnapshot) -> Bool {
        if let before = previous.runID, let after = next.runID, before != after { return true }
        if let before = previous.uptimeSeconds, let after = next.uptimeSeconds, after < before { return true }
        return false
    }

    /// Starts a census generation (a new runner); reports of earlier ones are ignored from now on.
    func beginCensusGeneration() -> Int {
        lock.lock()
        defer { lock.unlock() }
        censusGeneration += 1
        return censusGeneration
    }

    /// Records a census report. A complete report stays until the next complete one: partial reports of a later
    /// pass (a restarted budgeted census after `F` or `m`) never replace it.
    func ingest(census report: CensusReport, generation: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard generation == censusGeneration else { return }
        state.census = CensusReport.shown(current: state.census, incoming: report)
        state.censusError = nil
    }

    /// Records census progress (progress also means the census works again: its error is cleared).
    func ingest(censusProgress progress: CensusProgress, generation: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard generation == censusGeneration else { return }
        state.censusProgress = progress
        state.censusError = nil
    }

    /// Records a census error sentence.
    func ingest(censusError error: RedisError, generation: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard generation == censusGeneration else { return }
        state.censusError = error.message
    }

    /// Records the log followers' latest report (posted by their poll thread).
    func ingest(logs report: LogsReport) {
        lock.lock()
        defer { lock.unlock() }
        state.logs = report
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
