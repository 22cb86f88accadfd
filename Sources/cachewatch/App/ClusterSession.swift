import CachewatchCore
import CachewatchLogs
import CachewatchRedis
import CachewatchUI
import Foundation

/// The running workers for a Redis Cluster: the cluster collector (discovery, every primary's INFO summed), one census
/// runner per primary sharing the budget, log followers; all posting into one `MonitorStore` like `MonitorSession`.
final class ClusterSession: MonitoringSession {
    let store = MonitorStore()
    let options: ConnectionOptions
    let seed: RedisEndpoint
    let logs: LogMonitor?
    let intervalSeconds: Double
    var findingThresholds = FindingThresholds()
    var silences: [FindingSilence] = []
    private var censusSettings: MonitorSession.CensusSettings
    private let collector: ClusterCollector
    private let status = LockedBox(ClusterStatus())
    /// Each node's ops/s, the last 120 samples, by address (the nodes pane's sparklines).
    private let nodeOps = LockedBox<[String: [Double]]>([:])
    private let lock = NSLock()
    private var census: ClusterDatabaseCensus?
    /// `-n` as resolved: one database (one census, as for a single server's `census`), or a list or `all` (Valkey 9's
    /// numbered databases in cluster mode: one census per database, `censuses`).
    var selection: DatabaseSelection { options.databases }
    /// With a list or `all`: each database's census state (see `ClusterSession+Databases`).
    let databaseTracks = ClusterDatabaseTracks()
    private var primaries: [ClusterPrimary] = []
    private var censusIsFull = false
    private var stopped = false

    init(options: ConnectionOptions, seed: RedisEndpoint, intervalSeconds: Double, census: MonitorSession.CensusSettings, logs: LogMonitor?) {
        self.options = options
        self.seed = seed
        self.logs = logs
        self.intervalSeconds = intervalSeconds
        censusSettings = census
        let store = self.store
        let status = self.status
        let relay = SampleRelay()
        let nodeOps = self.nodeOps
        collector = ClusterCollector(seed: seed, intervalSeconds: intervalSeconds, ownTraffic: store.ownTraffic) { sample in
            status.update { $0 = sample.status }
            nodeOps.update { series in
                for node in sample.status.nodes {
                    guard let ops = node.opsPerSecond, ops.isFinite else { continue }
                    series[node.address, default: []].append(max(0, ops))
                    if series[node.address]!.count > 120 { series[node.address]!.removeFirst() }
                }
            }
            store.record(events: sample.failovers)
            store.ingest(sample.collector)
            relay.action?(sample)
        }
        logs?.onReport = { store.ingest(logs: $0) }
        if let logs { store.ingest(logs: logs.report(now: Date())) }
        relay.action = { [weak self] sample in self?.follow(sample) }
        collector.scanReplicas = census.scanReplicas
    }

    /// Hands each collector sample to the session once it exists (the closure is set after init).
    private final class SampleRelay: @unchecked Sendable {
        var action: ((ClusterSample) -> Void)?
    }

    static func make(options: ConnectionOptions, endpoint: RedisEndpoint, logs: LogArguments, census: CensusArguments, settings: ConfigFile,
                     noCensus: Bool, intervalSeconds: Double) throws -> ClusterSession {
        let censusArguments = census.merged(with: settings)
        let censusSettings = MonitorSession.CensusSettings(enabled: !noCensus && settings.censusEnabled != false,
                                                           budgetKeysPerSecond: try censusArguments.validatedBudget(),
                                                           memory: censusArguments.memory, maxFamilies: censusArguments.maxFamilies ?? 200,
                                                           refreshSeconds: try censusArguments.refresh.bounded(.refresh, default: 300).seconds,
                                                           scanReplicas: censusArguments.scanReplicas)
        let session = ClusterSession(options: options, seed: endpoint, intervalSeconds: intervalSeconds, census: censusSettings,
                                     logs: try logs.merged(with: settings).makeMonitor(deployPatterns: settings.deployPatterns))
        session.findingThresholds = settings.thresholds
        session.silences = settings.silences
        return session
    }

    // MARK: - MonitoringSession

    var displayAddress: String { options.displayAddress }
    var db: Int { seed.db }
    var product: String { "redis" }
    func redact(_ text: String) -> String { options.redact(text) }

    func target(info: InfoSnapshot?) -> TargetDescription {
        var target = TargetDescription(address: options.displayAddress, db: seed.db, mode: "cluster")
        target.cluster = status.value
        return target
    }

    /// The dashboard's cluster parts: the nodes pane's rows and sparklines, and the header's role (`cluster`, its state
    /// when not ok, and `failover` for 15 minutes after one).
    func decorate(_ model: inout DashboardModel, now: Date) {
        let current = status.value
        model.clusterNodes = current.nodes
        model.clusterNodeOps = nodeOps.value
        var role = "cluster"
        if let state = current.info?.state, state != "ok" { role += " " + state }
        if let failover = model.events.first(where: { $0.kind == .failover }), now.timeIntervalSince(failover.at) < 900 { role += " failover" }
        model.header.role = role
        model.header.uptimeSeconds = current.primaries.compactMap(\.uptimeSeconds).max().map(Double.init)
    }

    /// The cluster's nodes and state as last sampled.
    var clusterStatus: ClusterStatus { status.value }

    func start() {
        collector.start()
        logs?.start()
    }

    func stop() {
        collector.stop()
        lock.lock()
        stopped = true
        let running = census
        census = nil
        lock.unlock()
        running?.stop()
        logs?.stop()
    }

    func startFullCensus() {
        lock.lock()
        let current = primaries
        lock.unlock()
        restartCensus(primaries: current, full: true)
    }

    func maintain() {
        lock.lock()
        let finishedFull = censusIsFull && census?.complete == true
        let current = primaries
        lock.unlock()
        if finishedFull { restartCensus(primaries: current, full: false) }
    }

    func enableMemorySampling() {
        lock.lock()
        let already = censusSettings.memory
        censusSettings.memory = true
        let current = primaries
        let full = censusIsFull
        lock.unlock()
        if !already { restartCensus(primaries: current, full: full) }
    }

    var fullCensusRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return censusIsFull && census?.complete != true
    }

    // MARK: - Following the cluster

    /// Collector thread: a new set of primaries restarts the census on them; a primary that stopped answering
    /// leaves its slots uncovered.
    private func follow(_ sample: ClusterSample) {
        lock.lock()
        let changed = sample.primariesChanged || (primaries.isEmpty && !sample.primaries.isEmpty)
        if changed { primaries = sample.primaries }
        let currentPrimaries = primaries
        let running = census
        let full = censusIsFull
        lock.unlock()
        if changed {
            restartCensus(primaries: sample.primaries, full: full)
            // This tick's INFO is the new census's baseline (a change written right after its first pass is noticed).
            lock.lock()
            let fresh = census
            lock.unlock()
            fresh?.observe(keyspaces: sample.nodeKeyspaces)
        } else if let running {
            if newDatabaseListed(sample) {
                // `-n all`: a database the cluster's INFO keyspace lists for the first time joins the census.
                restartCensus(primaries: sample.primaries.isEmpty ? currentPrimaries : sample.primaries, full: full)
                return
            }
            running.observe(keyspaces: sample.nodeKeyspaces)
            for address in sample.restartedNodes { running.restartNode(address: address) }
            for row in sample.status.primaries {
                if row.state == "down" {
                    running.mark(address: row.address, downBecause: row.error ?? "\(row.address) does not answer.")
                } else if row.state == "ok" {
                    running.mark(address: row.address, downBecause: nil)
                }
            }
        }
    }

    private func restartCensus(primaries: [ClusterPrimary], full: Bool) {
        lock.lock()
        guard !stopped, censusSettings.enabled else {
            lock.unlock()
            return
        }
        let previous = census
        census = nil
        let settings = censusSettings
        lock.unlock()
        previous?.stop()
        guard !primaries.isEmpty else { return }
        var options = CensusOptions(db: seed.db, mode: full ? .full : .budgeted(keysPerSecond: settings.budgetKeysPerSecond),
                                    memory: settings.memory, maxFamilies: settings.maxFamilies)
        options.minimumPassSeconds = settings.refreshSeconds
        let store = self.store
        let generation = store.beginCensusGeneration()
        let collector = self.collector
        let databases: [Int]
        let onReport: @Sendable (Int, CensusReport) -> Void
        let onProgress: @Sendable (Int, CachewatchRedis.CensusProgress) -> Void
        if selection.isMultiple {
            let begun = beginDatabases()
            let tracks = databaseTracks
            databases = begun.list
            onReport = { db, report in
                // A complete pass: the timeline sees every database's census as one (`db1 …`).
                if let combined = tracks.ingest(report: report, db: db, generation: begun.generation) {
                    store.observe(databaseCensus: db, combined: combined)
                }
            }
            onProgress = { tracks.ingest(progress: $1, db: $0, generation: begun.generation) }
        } else {
            databases = [seed.db]
            onReport = { store.ingest(clusterCensus: $1, generation: generation) }
            onProgress = { store.ingest(censusProgress: $1, generation: generation) }
        }
        let runner = ClusterDatabaseCensus(primaries: primaries, databases: databases, options: options, ownTraffic: store.ownTraffic,
                                           schedule: CensusSchedule(refreshSeconds: settings.refreshSeconds),
                                           onReport: onReport, onProgress: onProgress, onRedirect: { collector.requestDiscovery() })
        lock.lock()
        if stopped {
            lock.unlock()
            return
        }
        census = runner
        censusIsFull = full
        lock.unlock()
        runner.start()
    }
}

/// Whether the Redis target is a cluster: `--cluster`, or `cluster_enabled:1` in the seed's `INFO cluster`.
enum ClusterProbe {
    /// True for a cluster node. With `forced`, a seed that answers `cluster_enabled:0` is an error (one sentence);
    /// an unreachable seed is left to the standalone path (its errors and retries) unless `forced`. The dashboard, `watch`
    /// and `record` ask this before their session (single server or cluster) exists; `snapshot` and `check` read the
    /// answer from their first INFO instead (`decide`).
    static func isCluster(endpoint: RedisEndpoint, forced: Bool) throws -> Bool {
        if endpoint.socketPath != nil && !forced { return false }
        // INFO is server-wide: no SELECT (a cluster node refuses `SELECT 1`, which is `checkDatabases`' to explain).
        var probeEndpoint = endpoint.withDatabase(0)
        if !forced {
            // Detection must not hold a slow standalone server's user up: one short try.
            probeEndpoint.connectTimeoutMilliseconds = min(endpoint.connectTimeoutMilliseconds, 1000)
            probeEndpoint.commandTimeoutMilliseconds = min(endpoint.commandTimeoutMilliseconds, 1000)
        }
        let client = RedisClient(endpoint: probeEndpoint)
        defer { client.disconnect() }
        do {
            let text = try client.send(.info(section: "cluster")).stringValue ?? ""
            return try decide(info: InfoSnapshot(text: text, takenAt: Date()), error: nil, endpoint: endpoint, forced: forced)
        } catch let error as RedisError {
            return try decide(info: nil, error: error, endpoint: endpoint, forced: forced)
        }
    }

    /// Whether the seed that answered `info` (any INFO with its Cluster section; nil when `error` kept it from
    /// answering) is a cluster node: `cluster_enabled:1`, or a connection to `-n 1` that the seed refused with
    /// `SELECT is not allowed in cluster mode` (the server saying so itself; `checkDatabases` explains it). A unix
    /// socket is a single server unless `forced`; with `forced`, a seed that did not answer or says
    /// `cluster_enabled:0` is one sentence.
    static func decide(info: InfoSnapshot?, error: RedisError?, endpoint: RedisEndpoint, forced: Bool) throws -> Bool {
        if endpoint.socketPath != nil && !forced { return false }
        if info == nil, case .serverError(_, "select", let reply)? = error, DatabaseSelection.isClusterModeSelectRefusal(reply) {
            return true
        }
        guard let info else {
            if forced { throw CLIError(error?.message ?? "Redis at \(endpoint.displayAddress) did not answer INFO.") }
            return false
        }
        let enabled = info.clusterEnabled == true
        if forced && !enabled {
            throw CLIError("--cluster: Redis at \(endpoint.displayAddress) is not a cluster node (cluster_enabled:0).")
        }
        return enabled
    }

    /// A cluster with `-n` naming databases other than 0: each is `SELECT`ed once on the seed (one short connection
    /// each). A node that refuses (`SELECT is not allowed in cluster mode`: Redis, Valkey 8) is one sentence
    /// (`DatabaseSelection.clusterProblem`), exit 64 from `--db`/`-n`, else 1; a database the server does not have
    /// is the sentence `-n 99` gives on a single server (exit 1). Valkey 9 accepts: every node is watched on them.
    /// A seed that does not answer is left to the session (its errors and retries).
    static func checkDatabases(endpoint: RedisEndpoint, selection: DatabaseSelection, fromFlag: Bool) throws {
        for db in selection.clusterDatabasesToProbe {
            let client = RedisClient(endpoint: endpoint.withDatabase(db))
            defer { client.disconnect() }
            do {
                try client.connect()
            } catch let error as RedisError {
                if case .serverError(_, "select", let reply) = error, DatabaseSelection.isClusterModeSelectRefusal(reply) {
                    throw CLIError(selection.clusterProblem(address: endpoint.displayAddress, refusedDatabase: db), exitCode: fromFlag ? 64 : 1)
                }
                if case .noSuchDatabase = error { throw CLIError(error.message) }
                return
            }
        }
    }
}

extension RedisEndpoint {
    /// The same endpoint on database `db`.
    func withDatabase(_ db: Int) -> RedisEndpoint {
        var endpoint = self
        endpoint.db = db
        return endpoint
    }
}

/// A cluster session when `--cluster` says so or the seed says `cluster_enabled:1`; nil for a single server.
func makeClusterSession(connection: ConnectionArguments, logs: LogArguments, census: CensusArguments, settings: ConfigFile,
                        noCensus: Bool, intervalSeconds: Double) throws -> ClusterSession? {
    // Resolved quietly first: the single-server path resolves (and warns about -a) on its own.
    var quiet = connection
    quiet.noAuthWarning = true
    let probeOptions = try quiet.resolve(config: settings.connection, configPath: settings.path)
    let probeEndpoint = probeOptions.endpoint(commandTimeoutMilliseconds: try connection.commandTimeoutMilliseconds())
    guard try ClusterProbe.isCluster(endpoint: probeEndpoint, forced: connection.cluster) else {
        return nil
    }
    try ClusterProbe.checkDatabases(endpoint: probeEndpoint, selection: probeOptions.databases, fromFlag: connection.db != nil)
    let options = try connection.resolve(config: settings.connection, configPath: settings.path)
    let endpoint = options.endpoint(commandTimeoutMilliseconds: try connection.commandTimeoutMilliseconds())
    return try ClusterSession.make(options: options, endpoint: endpoint, logs: logs, census: census, settings: settings,
                                   noCensus: noCensus, intervalSeconds: intervalSeconds)
}
