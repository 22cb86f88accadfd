import CachewatchCore
import CachewatchRedis
import Foundation

/// The background census of several databases (`-n 0,1,3`, `-n all`) for the dashboard and `watch`: one runner per
/// database, each on its own connection, sharing one `--scan-budget` (and the steady-state average) evenly.
/// With `all`, a database INFO keyspace lists for the first time joins (the runners restart with the new split).
final class DatabaseCensusSet: @unchecked Sendable {
    /// What one database's census has reported.
    struct Track {
        var census: CensusReport?
        /// The latest progress (kept across restarts, for the title).
        var progress: CensusProgress?
        /// True once the runner started last delivered a complete report (`F` is finished by its own passes only; the
        /// runner announces completion in its progress before the report arrives).
        fileprivate var completedThisRun = false
        var error: String?
        var completedAt: Date?
        var nextPassAt: Date?
        fileprivate var runningPass: (startedAt: Date, keyspace: CensusSchedule.Keyspace?)?
        fileprivate var completedPass: (startedAt: Date, keyspace: CensusSchedule.Keyspace?)?
        fileprivate var completedPassKeys = 0
    }

    /// The settings the runners start with.
    struct Settings {
        var budgetKeysPerSecond: Int
        var memory: Bool
        var maxFamilies: Int
        var refreshSeconds: Double
    }

    let selection: DatabaseSelection
    private let endpoint: RedisEndpoint
    private let store: MonitorStore
    private let lock = NSLock()
    private var settings: Settings
    private var databases: [Int] = []
    private var tracks: [Int: Track] = [:]
    private var runners: [CensusRunner] = []
    private var generation = 0
    private var full = false
    private var stopped = false
    /// One start/stop at a time (the UI's `F`/`m`, the collector's restart and new-DB detection may race).
    private let switchLock = NSLock()

    init(selection: DatabaseSelection, endpoint: RedisEndpoint, store: MonitorStore, settings: Settings) {
        self.selection = selection
        self.endpoint = endpoint
        self.store = store
        self.settings = settings
    }

    // MARK: - Lifecycle

    /// (Re)starts one runner per database: budgeted, or as fast as possible with `full` (`F`). `waitFirst`: databases
    /// with a complete census wait for their refresh before walking again.
    func start(full: Bool, waitFirst: Bool = false) {
        switchLock.lock()
        defer { switchLock.unlock() }
        guard !isStopped else { return }
        let keyspace = store.snapshot().info?.keyspace.map(\.db) ?? []
        lock.lock()
        let previous = runners
        runners = []
        generation += 1
        let generation = self.generation
        // `all`: the DBs INFO lists now, and those already censused with keys (a DB that emptied keeps its row).
        let kept = selection == .all ? databases.filter { (tracks[$0]?.census?.estimatedKeys ?? 0) > 0 } : []
        databases = selection.databases(keyspaceDatabases: keyspace + kept)
        for db in databases where tracks[db] == nil { tracks[db] = Track() }
        for db in databases { tracks[db]?.completedThisRun = false }
        self.full = full
        let settings = self.settings
        let dbs = databases
        let completeDatabases = Set(tracks.filter { $0.value.census?.complete == true }.map(\.key))
        lock.unlock()
        for runner in previous { runner.stop() }

        let share = DatabaseCensuses.budgetShare(budgetKeysPerSecond: settings.budgetKeysPerSecond, databases: dbs.count)
        // The steady-state average (80 keys/s) is shared too: N databases together read no more than one would.
        let schedule = CensusSchedule(refreshSeconds: settings.refreshSeconds, averageKeysPerSecond: 80 / Double(max(1, dbs.count)))
        var started: [CensusRunner] = []
        for db in dbs {
            let options = CensusOptions(db: db, mode: full ? .full : .budgeted(keysPerSecond: share), memory: settings.memory,
                                        maxFamilies: settings.maxFamilies)
            let gate = CensusPassGate(waitBeforeFirstPass: waitFirst && completeDatabases.contains(db),
                                      passStarted: { [weak self] in self?.passStarted(db: db, at: $0, generation: generation) },
                                      isDue: { [weak self] in self?.passDue(db: db, now: $0, schedule: schedule) ?? false })
            var selected = endpoint
            selected.db = db
            let runner = CensusRunner(client: RedisClient(endpoint: selected, ownTraffic: store.ownTraffic), options: options,
                                      onReport: { [weak self] in self?.ingest(report: $0, db: db, generation: generation) },
                                      onProgress: { [weak self] in self?.ingest(progress: $0, db: db, generation: generation) },
                                      onError: { [weak self] in self?.ingest(error: $0, db: db, generation: generation) },
                                      ownTraffic: store.ownTraffic, gate: full ? nil : gate)
            started.append(runner)
        }
        lock.lock()
        runners = started
        lock.unlock()
        for runner in started { runner.start() }
    }

    /// Stops every runner and waits for them; nothing starts afterwards.
    func stop() {
        switchLock.lock()
        defer { switchLock.unlock() }
        lock.lock()
        stopped = true
        let previous = runners
        runners = []
        lock.unlock()
        for runner in previous { runner.stop() }
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    /// Turns on `MEMORY USAGE` sampling (`m`) and restarts the runners with it.
    func enableMemory() {
        lock.lock()
        let already = settings.memory
        settings.memory = true
        let full = self.full
        lock.unlock()
        if !already { start(full: full) }
    }

    /// Redis restarted: every database's census described a keyspace that is gone; walk again.
    func restartAfterServerRestart() {
        lock.lock()
        tracks = [:]
        let full = self.full
        lock.unlock()
        start(full: full)
    }

    /// After an INFO sample (collector thread): with `all`, a database listed for the first time joins the census.
    func observe(keyspace: [KeyspaceEntry]) {
        guard selection == .all else { return }
        lock.lock()
        let known = Set(databases)
        let full = self.full
        lock.unlock()
        let listed = Set(keyspace.map(\.db).filter { (0...DatabaseSelection.maximumIndex).contains($0) })
        guard !listed.isSubset(of: known), known.count < DatabaseSelection.maximumCount else { return }
        start(full: full, waitFirst: true)
    }

    // MARK: - Full pass (`F`)

    /// True while a full pass requested with `F` runs on some database.
    var fullRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return full && databases.contains { tracks[$0]?.completedThisRun != true }
    }

    /// Called from the UI loop: after a complete `F` pass on every database, back to the budgeted census.
    func maintain() {
        lock.lock()
        let finished = full && !databases.isEmpty && databases.allSatisfy { tracks[$0]?.completedThisRun == true }
        lock.unlock()
        if finished { start(full: false, waitFirst: true) }
    }

    // MARK: - Reports (runner threads)

    private func ingest(report: CensusReport, db: Int, generation: Int) {
        lock.lock()
        guard generation == self.generation, var track = tracks[db] else {
            lock.unlock()
            return
        }
        track.census = CensusReport.shown(current: track.census, incoming: report)
        track.error = nil
        if report.complete {
            track.completedThisRun = true
            track.completedAt = Date()
            track.completedPass = track.runningPass ?? track.completedPass
            track.completedPassKeys = report.scannedKeys
        }
        tracks[db] = track
        // A complete pass: the timeline sees every database's shown census as one (`db1 ratelimit:{id}` families), so a
        // keyspace drop names the families that shrank and new families are announced, as with one database.
        let shown = databases.compactMap { tracks[$0]?.census }
        let combined = report.complete && shown.count == databases.count ? DatabaseCensuses.displayReport(shown) : nil
        lock.unlock()
        if let combined { store.observe(databaseCensus: db, combined: combined) }
    }

    private func ingest(progress: CensusProgress, db: Int, generation: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard generation == self.generation else { return }
        tracks[db]?.progress = progress
        tracks[db]?.error = nil
    }

    private func ingest(error: RedisError, db: Int, generation: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard generation == self.generation else { return }
        tracks[db]?.error = error.message
    }

    private func passStarted(db: Int, at date: Date, generation: Int) {
        let keyspace = Self.keyspace(store.snapshot().info, db: db)
        lock.lock()
        defer { lock.unlock() }
        guard generation == self.generation else { return }
        tracks[db]?.runningPass = (date, keyspace)
        tracks[db]?.nextPassAt = nil
    }

    /// Steady-state pacing per database (the same `CensusSchedule` as one DB, with the shared average).
    private func passDue(db: Int, now: Date, schedule: CensusSchedule) -> Bool {
        let current = Self.keyspace(store.snapshot().info, db: db)
        lock.lock()
        defer { lock.unlock() }
        guard var track = tracks[db], let completedAt = track.completedAt else { return true }
        var pass = track.completedPass ?? (completedAt, nil)
        if pass.keyspace == nil, let current {
            pass.keyspace = current
            track.completedPass = pass
        }
        let decision = schedule.decide(passStarted: pass.startedAt, passEnded: completedAt, passKeys: track.completedPassKeys,
                                       keyspaceAtStart: pass.keyspace, keyspaceNow: current, now: now)
        let due: Bool
        switch decision {
        case .startNow:
            track.nextPassAt = nil
            due = true
        case .waitUntil(let date):
            track.nextPassAt = date
            due = false
        }
        tracks[db] = track
        return due
    }

    private static func keyspace(_ info: InfoSnapshot?, db: Int) -> CensusSchedule.Keyspace? {
        guard let info else { return nil }
        let entry = info.keyspace.first { $0.db == db }
        return CensusSchedule.Keyspace(keys: entry?.keys ?? 0, expires: entry?.expires ?? 0)
    }

    // MARK: - Readers

    /// Every database's track, in order, with a complete census's TTLs aged by the whole minutes since it completed.
    func view(now: Date) -> DatabaseCensusView {
        lock.lock()
        let entries = databases.map { db -> DatabaseCensusView.Entry in
            var track = tracks[db] ?? Track()
            if let census = track.census, census.complete, let completedAt = track.completedAt {
                let elapsed = now.timeIntervalSince(completedAt)
                if elapsed.isFinite, elapsed >= 60 { track.census = census.aged(by: (elapsed / 60).rounded(.down) * 60) }
            }
            return DatabaseCensusView.Entry(db: db, track: track)
        }
        lock.unlock()
        return DatabaseCensusView(label: selection.description, entries: entries)
    }
}

/// A copy of every watched database's census state at one moment (what `watch` and the dashboard read).
struct DatabaseCensusView {
    struct Entry {
        var db: Int
        var track: DatabaseCensusSet.Track
    }

    /// `-n` as given: `0,1,3` or `all` (the header shows it after the address).
    var label: String
    var entries: [Entry]

    /// One census per database, in order (`censuses`): its report, why it cannot run, or an empty partial report.
    var censuses: [CensusReport] {
        entries.map { entry in
            if let census = entry.track.census { return census }
            if let error = entry.track.error { return CensusReport.unavailable(db: entry.db, reason: "The census cannot run: " + error) }
            return CensusReport(db: entry.db, complete: false, scannedKeys: 0, estimatedKeys: 0, families: [],
                                forecast: Array(repeating: 0, count: 60))
        }
    }

    /// True once every database has a complete census.
    var complete: Bool { !entries.isEmpty && entries.allSatisfy { $0.track.census?.complete == true } }

    /// The oldest completion when every database is complete (no part of the picture is older).
    var completedAt: Date? { complete ? entries.compactMap(\.track.completedAt).min() : nil }

    /// The soonest next pass among the databases (nil while one runs or is due now).
    var nextPassAt: Date? {
        let dates = entries.map(\.track.nextPassAt)
        guard dates.allSatisfy({ $0 != nil }) else { return nil }
        return dates.compactMap { $0 }.min()
    }

    /// The first database's census error, named (`db1: …`).
    var error: String? {
        entries.first { $0.track.error != nil }.map { "db\($0.db): " + ($0.track.error ?? "") }
    }

    /// The databases' progress added up (scanned, DBSIZE, keys/s; ETA the longest); nil before any.
    var progress: CensusProgress? {
        let all = entries.compactMap(\.track.progress)
        guard !all.isEmpty else { return nil }
        var total = all[0]
        total.scannedKeys = all.reduce(0) { Clamp.sum($0, $1.scannedKeys) }
        total.dbsizeKeys = all.reduce(0) { Clamp.sum($0, $1.dbsizeKeys) }
        total.keysPerSecond = all.reduce(0) { $0 + ($1.keysPerSecond.isFinite ? $1.keysPerSecond : 0) }
        total.etaSeconds = all.compactMap(\.etaSeconds).max()
        total.complete = all.count == entries.count && all.allSatisfy(\.complete)
        total.yielding = all.contains { $0.yielding && !$0.complete }
        return total
    }
}
