import CachewatchCore
import CachewatchLogs
import CachewatchRedis
import Foundation

/// The running workers of the dashboard and `watch`: INFO collector, background census, log followers.
///
/// Each worker has its own Redis connection (a worker's `stop()` interrupts its own socket), and all of
/// them post value snapshots into one `MonitorStore`.
final class MonitorSession {
    let store = MonitorStore()
    let options: ConnectionOptions
    let endpoint: RedisEndpoint
    let logs: LogMonitor?
    private var censusSettings: CensusSettings
    private let collector: RedisCollector
    private var census: CensusRunner?
    private var censusIsFull = false
    private let lock = NSLock()
    /// The config file's `[findings]` thresholds and `[[silence]]` entries (set once, before `start`).
    var findingThresholds = FindingThresholds()
    var silences: [FindingSilence] = []
    private let switchLock = NSLock()
    private var stopped = false
    /// The census of several databases (`-n 0,1,3`, `-n all`; DatabaseCensusSet); nil for one database.
    private(set) var databaseSet: DatabaseCensusSet?

    /// What the census worker does.
    struct CensusSettings {
        var enabled = true
        var budgetKeysPerSecond = 5000
        var memory = false
        var maxFamilies = 200
        /// Minimum seconds between the starts of two background passes (`--refresh`).
        var refreshSeconds: Double = 300
        /// Redis Cluster: census each shard on a replica (`--scan-replicas`).
        var scanReplicas = false
    }

    /// The collector's period (INFO and PING).
    let intervalSeconds: Double

    init(options: ConnectionOptions, endpoint: RedisEndpoint, intervalSeconds: Double, census: CensusSettings, logs: LogMonitor?) {
        self.options = options
        self.endpoint = endpoint
        self.logs = logs
        self.intervalSeconds = intervalSeconds
        censusSettings = census
        let store = self.store
        let restarted = RestartSignal()
        collector = RedisCollector(client: RedisClient(endpoint: endpoint, ownTraffic: store.ownTraffic), intervalSeconds: intervalSeconds) { sample in
            if store.ingest(sample) { restarted.fire() }
            restarted.sampled?()
        }
        // The log followers post their reports into the store from their own thread (a first one now, so every
        // document and frame has its logs section from the start).
        logs?.onReport = { store.ingest(logs: $0) }
        if let logs { store.ingest(logs: logs.report(now: Date())) }
        restarted.action = { [weak self] in self?.restartCensusAfterServerRestart() }
        if options.databases.isMultiple {
            let set = DatabaseCensusSet(selection: options.databases, endpoint: endpoint, store: store,
                                        settings: .init(budgetKeysPerSecond: census.budgetKeysPerSecond, memory: census.memory,
                                                        maxFamilies: census.maxFamilies, refreshSeconds: census.refreshSeconds))
            databaseSet = set
            restarted.sampled = { [weak set, weak store] in set?.observe(keyspace: store?.snapshot().info?.keyspace ?? []) }
        }
    }

    /// Calls `action` when the collector sees Redis restarted (set after init, so the closure may reference the session).
    private final class RestartSignal: @unchecked Sendable {
        var action: (() -> Void)?
        /// After every collector sample (`-n all` looks for new databases).
        var sampled: (() -> Void)?
        func fire() { action?() }
    }

    /// A session for the parsed flags, with the config file's values under them.
    static func make(connection: ConnectionArguments, logs: LogArguments, census: CensusArguments, settings: ConfigFile,
                     noCensus: Bool, intervalSeconds: Double) throws -> MonitorSession {
        let options = try connection.resolve(config: settings.connection, configPath: settings.path)
        let endpoint = options.endpoint(commandTimeoutMilliseconds: try connection.commandTimeoutMilliseconds())
        if case .list(let dbs) = options.databases, let missing = DatabaseCensusSampler.missingDatabase(endpoint: endpoint, databases: dbs) {
            throw CLIError(options.redact(missing))   // `-n 0,99`: one sentence before anything starts
        }
        let censusArguments = census.merged(with: settings)
        let censusSettings = CensusSettings(enabled: !noCensus && settings.censusEnabled != false,
                                            budgetKeysPerSecond: try censusArguments.validatedBudget(),
                                            memory: censusArguments.memory, maxFamilies: censusArguments.maxFamilies ?? 200,
                                            refreshSeconds: try censusArguments.refresh.bounded(.refresh, default: 300).seconds)
        let session = MonitorSession(options: options, endpoint: endpoint, intervalSeconds: intervalSeconds, census: censusSettings,
                                     logs: try logs.merged(with: settings).makeMonitor(deployPatterns: settings.deployPatterns))
        session.findingThresholds = settings.thresholds
        session.silences = settings.silences
        return session
    }

    // MARK: - Lifecycle

    /// Starts every worker.
    func start() {
        collector.start()
        logs?.start()
        if censusSettings.enabled, let databaseSet { return databaseSet.start(full: false) }
        if censusSettings.enabled { startCensus(full: false) }
    }

    /// Stops every worker and waits for them.
    func stop() {
        collector.stop()
        switchLock.lock()
        defer { switchLock.unlock() }
        stopped = true
        lock.lock()
        let runner = census
        census = nil
        lock.unlock()
        runner?.stop()
        databaseSet?.stop()
        logs?.stop()
    }

    // MARK: - Census

    /// Replaces the background census with a full pass as fast as possible (`F`).
    func startFullCensus() {
        if let databaseSet { return databaseSet.start(full: true) }
        startCensus(full: true)
    }

    /// Returns to the budgeted census once a full pass has completed (called from the UI loop).
    func maintain() {
        if let databaseSet { return databaseSet.maintain() }
        lock.lock()
        let finishedFull = censusIsFull && census?.progress?.complete == true
        lock.unlock()
        // The full pass is the fresh picture: the budgeted census waits for the refresh before walking again.
        if finishedFull { startCensus(full: false, waitFirst: true) }
    }

    /// Turns on MEMORY USAGE sampling and restarts the background census with it (`m`).
    func enableMemorySampling() {
        if let databaseSet { return censusSettings.enabled ? databaseSet.enableMemory() : () }
        lock.lock()
        let already = censusSettings.memory
        censusSettings.memory = true
        let full = censusIsFull
        lock.unlock()
        if !already && censusSettings.enabled { startCensus(full: full) }
    }

    /// Redis restarted (collector thread): the census of the old keyspace was dropped; walk the new one.
    private func restartCensusAfterServerRestart() {
        if let databaseSet { return censusSettings.enabled ? databaseSet.restartAfterServerRestart() : () }
        lock.lock()
        let running = census != nil
        let full = censusIsFull
        lock.unlock()
        if running { startCensus(full: full) }
    }

    /// True while a full pass requested with `F` runs.
    var fullCensusRunning: Bool {
        if let databaseSet { return databaseSet.fullRunning }
        lock.lock()
        defer { lock.unlock() }
        return censusIsFull && census?.progress?.complete != true
    }

    private func startCensus(full: Bool, waitFirst: Bool = false) {
        // One switch at a time (the UI's `F`/`m` and the collector's restart detection may race).
        switchLock.lock()
        defer { switchLock.unlock() }
        guard !stopped else { return }
        lock.lock()
        let previous = census
        census = nil
        lock.unlock()
        previous?.stop()
        lock.lock()
        let settings = censusSettings
        lock.unlock()
        let options = CensusOptions(db: endpoint.db,
                                    mode: full ? .full : .budgeted(keysPerSecond: settings.budgetKeysPerSecond),
                                    memory: settings.memory, maxFamilies: settings.maxFamilies)
        let store = self.store
        let generation = store.beginCensusGeneration()
        let db = endpoint.db
        let schedule = CensusSchedule(refreshSeconds: settings.refreshSeconds)
        let gate = CensusPassGate(waitBeforeFirstPass: waitFirst,
                                  passStarted: { store.censusPassStarted(at: $0, db: db, generation: generation) },
                                  isDue: { store.censusPassDue(now: $0, db: db, schedule: schedule) })
        let runner = CensusRunner(client: RedisClient(endpoint: endpoint, ownTraffic: store.ownTraffic), options: options,
                                  onReport: { store.ingest(census: $0, generation: generation) },
                                  onProgress: { store.ingest(censusProgress: $0, generation: generation) },
                                  onError: { store.ingest(censusError: $0, generation: generation) }, ownTraffic: store.ownTraffic,
                                  gate: gate)
        lock.lock()
        census = runner
        censusIsFull = full
        lock.unlock()
        runner.start()
    }
}

// MARK: - Findings

extension MonitorSession {
    /// Findings that other cachewatch processes' own SCANs and lookups could raise.
    static let codesFromTraffic: Set<String> = ["pattern-invalidation", "low-hit-ratio"]
}
