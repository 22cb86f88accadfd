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
        /// The log followers' latest report (nil without `--log`).
        var logs: LogsReport?
        /// When the shown complete census pass completed (its TTLs age from then; nil before one completes).
        var censusCompletedAt: Date?
        /// When the next background pass is due (nil while one runs or before the first completes).
        var censusNextPassAt: Date?
        /// The timeline: restarts, outages, failovers, config changes, drops, fail-open transitions, markers.
        var events = EventLog()
    }

    /// When passes started and what INFO keyspace said then (steady-state pacing).
    private struct PassTiming {
        var startedAt: Date
        var keyspace: CensusSchedule.Keyspace?
    }
    /// The running pass, and the one the shown complete report comes from.
    private var runningPass: PassTiming?
    private var completedPass: PassTiming?
    private var completedPassKeys = 0

    /// The census books its own commands here; rates subtract them.
    let ownTraffic = OwnTraffic()
    private let lock = NSLock()
    private var state = Snapshot()
    /// The application's rates: INFO's deltas minus our own load (the computation `snapshot` uses too).
    private var applicationRates = ApplicationRates()
    /// Turns what the workers post into timeline events (state.events is its log).
    private var detector = EventDetector()
    /// The newest fail-open transition already on the timeline.
    private var lastAlertTransitionAt: Date?
    /// The newest deploy line (`LogsReport.deployLines` sequence) already fed to the detector.
    private var lastDeployLineSequence = 0

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
        if sample.clientListError != nil { state.otherCachewatch = nil }   // CLIENT LIST denied: unknown from now on
        detector.observe(connection: sample.state, at: sample.takenAt)
        state.events = detector.log
        guard let info else { return false }
        state.infoReceivedAt = Date()
        let (rates, restarted) = applicationRates.next(info, load: own.observerLoad)
        if restarted {
            // Another run_id or an uptime that went back: the census describes a keyspace that is gone.
            state.rates = nil
            state.census = nil
            state.censusProgress = nil
            state.censusError = nil
            state.censusCompletedAt = nil
            state.censusNextPassAt = nil
            runningPass = nil
            completedPass = nil
            censusGeneration += 1
        }
        if let rates {
            state.rates = rates
            state.histories.record(info: info, rates: rates, pingMilliseconds: sample.pingMilliseconds)
        } else if state.info != nil {
            // A reset (restart, CONFIG RESETSTAT, a garbled counter): this interval's rates are unknown.
            state.rates = nil
        }
        state.info = info
        detector.observe(info: info, pingMilliseconds: sample.pingMilliseconds)
        state.events = detector.log
        return restarted
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
        if report.complete {
            detector.observe(census: report, at: Date())
            state.events = detector.log
        }
        state.censusError = nil
        if report.complete {
            state.censusCompletedAt = Date()
            completedPass = runningPass ?? completedPass
            completedPassKeys = report.scannedKeys
        }
    }

    /// A census pass of `db` starts (its worker's thread): INFO keyspace now is what later changes are measured against.
    func censusPassStarted(at date: Date, db: Int, generation: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard generation == censusGeneration else { return }
        runningPass = PassTiming(startedAt: date, keyspace: keyspace(db: db))
        state.censusNextPassAt = nil
    }

    /// True when the next background pass of `db` is due by `schedule`; otherwise records when it will be.
    func censusPassDue(now: Date, db: Int, schedule: CensusSchedule) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let completedAt = state.censusCompletedAt else { return true }
        // A complete report whose start was not seen (never expected): count from its completion, never walk at once.
        var pass = completedPass ?? PassTiming(startedAt: completedAt, keyspace: nil)
        let current = keyspace(db: db)
        if pass.keyspace == nil, let current {
            // INFO had not arrived when the pass started: measure changes from the first one seen after it.
            pass.keyspace = current
            completedPass = pass
        }
        switch schedule.decide(passStarted: pass.startedAt, passEnded: completedAt, passKeys: completedPassKeys,
                               keyspaceAtStart: pass.keyspace, keyspaceNow: current, now: now) {
        case .startNow:
            state.censusNextPassAt = nil
            return true
        case .waitUntil(let date):
            state.censusNextPassAt = date
            return false
        }
    }

    /// `keys` and `expires` of `db` in the latest INFO (a DB INFO does not list has none; nil before INFO).
    private func keyspace(db: Int) -> CensusSchedule.Keyspace? {
        guard let info = state.info else { return nil }
        let entry = info.keyspace.first { $0.db == db }
        return CensusSchedule.Keyspace(keys: entry?.keys ?? 0, expires: entry?.expires ?? 0)
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
        for transition in report.failOpen.history where transition.at > (lastAlertTransitionAt ?? .distantPast) {
            detector.observe(alert: transition)
            lastAlertTransitionAt = transition.at
        }
        for line in report.deployLines.recent where line.sequence > lastDeployLineSequence {
            detector.observe(deployLine: line)
            lastDeployLineSequence = line.sequence
        }
        state.events = detector.log
    }

    /// Records a census error sentence from a worker that is not Redis's (memcached).
    func ingest(censusErrorMessage message: String) {
        lock.lock()
        defer { lock.unlock() }
        state.censusError = message
    }

    /// Records events detected outside the store (Redis Cluster failovers) on the timeline.
    func record(events: [Event]) {
        guard !events.isEmpty else { return }
        lock.lock()
        defer { lock.unlock() }
        for event in events { detector.record(event) }
        state.events = detector.log
    }

    /// Several databases: database `db` completed a pass; `combined` is every database's shown census as one report
    /// (the timeline's new families and the families a keyspace drop shrank).
    func observe(databaseCensus db: Int, combined: CensusReport) {
        lock.lock()
        defer { lock.unlock() }
        detector.observe(databaseCensus: db, combined: combined, at: Date())
        state.events = detector.log
    }

    /// Records a Redis Cluster census: like `ingest(census:generation:)`, except that a report with uncovered slots (a
    /// primary down) replaces even a complete one, so the census says it is partial instead of showing old counts.
    func ingest(clusterCensus report: CensusReport, generation: Int) {
        if report.uncoveredSlots?.isEmpty == false {
            lock.lock()
            defer { lock.unlock() }
            guard generation == censusGeneration else { return }
            state.census = report
            return
        }
        ingest(census: report, generation: generation)
    }

    /// Adds a marker typed by the engineer (`M` in the dashboard).
    func mark(note: String, at now: Date = Date()) {
        lock.lock()
        defer { lock.unlock() }
        detector.mark(note: note, at: now)
        state.events = detector.log
    }

    /// Forgets the histories and rates (`r` in the dashboard); the next tick starts them again.
    func resetCounters() {
        lock.lock()
        defer { lock.unlock() }
        state.histories = MetricHistories()
        state.rates = nil
        applicationRates = ApplicationRates()
    }

    // MARK: - Readers

    /// A copy of the current state.
    func snapshot() -> Snapshot {
        lock.lock()
        defer { lock.unlock() }
        return state
    }
}

extension MonitorStore.Snapshot {
    /// The census to show at `now`: a complete pass with its TTLs aged by the whole minutes since it completed (the
    /// forecast's step; a `watch` document's census, and so a recording's, changes once a minute between passes).
    func agedCensus(now: Date) -> CensusReport? {
        guard let census, census.complete, let completedAt = censusCompletedAt else { return census }
        let elapsed = now.timeIntervalSince(completedAt)
        guard elapsed.isFinite, elapsed >= 60 else { return census }
        return census.aged(by: (elapsed / 60).rounded(.down) * 60)
    }
}
