import CachewatchCore
import CachewatchLogs
import CachewatchMemcached
import CachewatchRedis
import Foundation

/// The running workers for memcached: `stats` collector, paced metadump census, log followers, all posting
/// into the same `MonitorStore` as the Redis workers (stats travel as an INFO-shaped text, see
/// `MemcachedStats.infoText`), so the header, sparklines, families and fail-open work unchanged.
final class MemcachedSession: MonitoringSession {
    let store = MonitorStore()
    let endpoints: [MemcachedEndpoint]
    let logs: LogMonitor?
    private let settings: Settings
    private let collector: MemcachedCollector
    private var census: MemcachedCensusRunner?
    private var censusIsFull = false
    private let lock = NSLock()

    /// What the census worker does.
    struct Settings {
        var enabled = true
        var budgetKeysPerSecond = 5000
        var maxFamilies = 200
        /// Pause between budgeted passes (the crawler is the server's; leave it alone in between).
        var passPauseSeconds = 10.0
    }

    let intervalSeconds: Double
    /// The config file's `[findings]` thresholds and `[[silence]]` entries (set once, before `start`).
    var findingThresholds = FindingThresholds()
    var silences: [FindingSilence] = []

    init(endpoints: [MemcachedEndpoint], intervalSeconds: Double, settings: Settings, logs: LogMonitor?) {
        self.endpoints = endpoints
        self.settings = settings
        self.logs = logs
        self.intervalSeconds = intervalSeconds
        let store = self.store
        logs?.onReport = { store.ingest(logs: $0) }
        let downSince = LockedBox<Date?>(nil)
        collector = MemcachedCollector(endpoints: endpoints, intervalSeconds: intervalSeconds) { sample in
            store.ingest(Self.collectorSample(sample, downSince: downSince))
        }
    }

    /// A session for the parsed flags, with the config file's values under them.
    static func make(servers: [MemcachedServerAddress], connection: ConnectionArguments, logs: LogArguments, census: CensusArguments,
                     settings: ConfigFile, noCensus: Bool, intervalSeconds: Double) throws -> MemcachedSession {
        let censusArguments = census.merged(with: settings)
        let sessionSettings = Settings(enabled: !noCensus && settings.censusEnabled != false,
                                       budgetKeysPerSecond: try censusArguments.validatedBudget(),
                                       maxFamilies: censusArguments.maxFamilies ?? 200)
        let session = MemcachedSession(endpoints: try connection.memcachedEndpoints(servers), intervalSeconds: intervalSeconds,
                                       settings: sessionSettings, logs: try logs.merged(with: settings).makeMonitor(deployPatterns: settings.deployPatterns))
        session.findingThresholds = settings.thresholds
        session.silences = settings.silences
        return session
    }

    /// The store's form of a collector tick: stats as INFO text, or the outage with the time it began.
    static func collectorSample(_ sample: MemcachedSample, downSince: LockedBox<Date?>) -> CollectorSample {
        guard let stats = sample.stats else {
            var since = sample.takenAt
            downSince.update { value in
                if let value { since = value } else { value = sample.takenAt }
            }
            let reason = sample.error?.message ?? "memcached did not answer 'stats'."
            return CollectorSample(takenAt: sample.takenAt, infoText: nil, pingMilliseconds: nil,
                                   state: .disconnected(since: since, reason: reason), error: nil)
        }
        downSince.update { $0 = nil }
        return CollectorSample(takenAt: sample.takenAt, infoText: stats.infoText, pingMilliseconds: sample.pingMilliseconds,
                               state: .connected, error: nil)
    }

    // MARK: - MonitoringSession

    var displayAddress: String { endpoints.map(\.displayAddress).joined(separator: ",") }
    var db: Int { 0 }
    var product: String { "memcached" }

    func redact(_ text: String) -> String { text }
    func target(info: InfoSnapshot?) -> TargetDescription { memcachedTarget(endpoints) }

    func start() {
        collector.start()
        logs?.start()
        if settings.enabled { startCensus(full: false) }
    }

    func stop() {
        collector.stop()
        lock.lock()
        let runner = census
        census = nil
        lock.unlock()
        runner?.stop()
        logs?.stop()
    }

    func startFullCensus() {
        if settings.enabled { startCensus(full: true) }
    }

    func maintain() {
        lock.lock()
        let finishedFull = censusIsFull && store.snapshot().censusProgress?.complete == true
        lock.unlock()
        if finishedFull { startCensus(full: false) }
    }

    /// Item sizes always come with the metadump: nothing to turn on.
    func enableMemorySampling() {}

    var fullCensusRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return censusIsFull && store.snapshot().censusProgress?.complete != true
    }

    private func startCensus(full: Bool) {
        lock.lock()
        let previous = census
        census = nil
        lock.unlock()
        previous?.stop()
        let store = self.store
        let generation = store.beginCensusGeneration()
        let runner = MemcachedCensusRunner(
            endpoints: endpoints, mode: full ? .full : .budgeted(keysPerSecond: settings.budgetKeysPerSecond),
            maxFamilies: settings.maxFamilies, passPauseSeconds: settings.passPauseSeconds,
            onReport: { store.ingest(census: $0, generation: generation) },
            onProgress: { progress in
                store.ingest(censusProgress: CensusProgress(pass: progress.pass, scannedKeys: progress.scannedKeys,
                                                            dbsizeKeys: progress.serverItems, keysPerSecond: progress.keysPerSecond,
                                                            etaSeconds: progress.etaSeconds, budgetKeysPerSecond: nil,
                                                            complete: progress.complete), generation: generation)
            },
            onError: { store.ingest(censusErrorMessage: $0.message) })
        lock.lock()
        census = runner
        censusIsFull = full
        lock.unlock()
        runner.start()
    }
}
