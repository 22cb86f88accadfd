import CachewatchCore
import CachewatchRedis
import Foundation

/// What one snapshot learned from Redis.
struct RedisSample {
    var info: InfoSnapshot?
    var rates: InfoRates?
    var pingMilliseconds: Double?
    var census: CensusReport?
    var error: String?
    /// Other cachewatch processes on the server (`CLIENT LIST`); nil while unknown.
    var otherCachewatch: Int?
    /// Every database's census when `-n` is a list or `all` (`census` is then the first one's).
    var censuses: [CensusReport]?
    /// Redis Cluster: every node and the cluster's state (nil for a single server; see `ClusterSampler`).
    var cluster: ClusterStatus?
}

/// One budgeted sample of Redis, shared by `snapshot` and `check`.
enum RedisSampler {
    /// Samples a Redis Cluster (`--cluster`, or the server says so) through `ClusterSampler`, else the one server
    /// (its `databases`); true with the sample when it was a cluster. Detection reads `cluster_enabled` from the first
    /// INFO the single-server sample sends anyway (no probe of its own); that sample goes on when it is not a cluster.
    static func sampleClusterOrServer(endpoint: RedisEndpoint, forcedCluster: Bool, databases: DatabaseSelection,
                                      intervalSeconds: Double, budget: Int, census: CensusArguments, full: Bool, noCensus: Bool,
                                      showProgress: Bool, databaseFromFlag: Bool,
                                      databaseErrorExitCode: Int32? = nil) throws -> (isCluster: Bool, sample: RedisSample) {
        let started = FirstSample(endpoint: endpoint, intervalSeconds: intervalSeconds)
        let isCluster = try ClusterProbe.decide(info: started.info, error: started.first.error, endpoint: endpoint, forced: forcedCluster)
        guard isCluster else {
            return (false, sample(endpoint: endpoint, intervalSeconds: intervalSeconds, budget: budget, census: census, full: full,
                                  noCensus: noCensus, showProgress: showProgress, databases: databases, started: started))
        }
        started.client.disconnect()
        do {
            try ClusterProbe.checkDatabases(endpoint: endpoint, selection: databases, fromFlag: databaseFromFlag)
        } catch let error as CLIError {
            throw databaseErrorExitCode.map { CLIError(error.message, exitCode: $0) } ?? error
        }
        return (true, ClusterSampler.sample(seed: endpoint, intervalSeconds: intervalSeconds, budget: budget, census: census,
                                            full: full, noCensus: noCensus, showProgress: showProgress, databases: databases))
    }

    /// The start of a single-server sample: its connection (every command booked in `ownTraffic`), its collector and
    /// the collector's first PING and INFO (whose Cluster section tells a cluster node apart).
    struct FirstSample {
        let ownTraffic = OwnTraffic()
        let client: RedisClient
        let collector: RedisCollector
        let first: CollectorSample

        init(endpoint: RedisEndpoint, intervalSeconds: Double) {
            client = RedisClient(endpoint: endpoint, ownTraffic: ownTraffic)
            collector = RedisCollector(client: client, intervalSeconds: intervalSeconds) { _ in }
            first = collector.sampleOnce()
        }

        /// The first INFO (nil when the server did not answer it).
        var info: InfoSnapshot? { first.infoText.map { InfoSnapshot(text: $0, takenAt: first.takenAt) } }
    }

    /// Two INFO samples `intervalSeconds` apart (rates without our own load), with a budgeted census sample
    /// in between, or a full census afterwards with `full`; `showProgress` draws the full census's progress on stderr.
    static func sample(endpoint: RedisEndpoint, intervalSeconds: Double, budget: Int, census censusArguments: CensusArguments,
                       full: Bool, noCensus: Bool, showProgress: Bool, databases: DatabaseSelection = .single(0),
                       started: FirstSample? = nil) -> RedisSample {
        // Every command we send is booked in its ledger, so the rates can leave our own load out.
        let started = started ?? FirstSample(endpoint: endpoint, intervalSeconds: intervalSeconds)
        let (ownTraffic, client, collector, first) = (started.ownTraffic, started.client, started.collector, started.first)
        let firstInfo = started.info
        var result = RedisSample(info: firstInfo, pingMilliseconds: first.pingMilliseconds)
        if firstInfo == nil { result.error = first.error?.message ?? "Redis at \(endpoint.displayAddress) did not answer INFO." }
        // INFO denied by ACL (it is in @dangerous): Redis is reachable, so the census still runs.
        var infoDenied = false
        if case .noPermission(_, let command)? = first.error, command.lowercased() == "info" { infoDenied = true }
        guard firstInfo != nil || infoDenied else { return result }
        // Several databases: one census connection each, within the one budget (DatabaseCensusSampler).
        var multiple: DatabaseCensusSampler?
        if databases.isMultiple && !noCensus {
            let dbs = databases.databases(keyspaceDatabases: firstInfo?.keyspace.map(\.db) ?? [])
            if let missing = DatabaseCensusSampler.missingDatabase(endpoint: endpoint, databases: dbs, ownTraffic: ownTraffic) {
                return RedisSample(error: missing)
            }
            multiple = DatabaseCensusSampler(endpoint: endpoint, databases: dbs, budgetKeysPerSecond: budget, memory: censusArguments.memory,
                                             maxFamilies: censusArguments.maxFamilies ?? 200, ownTraffic: ownTraffic)
            if !full { multiple?.startBudgeted() }
        }

        let maxFamilies = censusArguments.maxFamilies ?? 200
        let partial = LockedBox<CensusReport?>(nil)
        let censusError = LockedBox<RedisError?>(nil)
        var sampler: CensusRunner?
        if !full && !noCensus && multiple == nil {
            let options = CensusOptions(db: endpoint.db, mode: .budgeted(keysPerSecond: budget), memory: censusArguments.memory,
                                        maxFamilies: maxFamilies)
            sampler = CensusRunner(client: RedisClient(endpoint: endpoint, ownTraffic: ownTraffic), options: options, onReport: { report in
                // Keep the first complete pass; otherwise the newest partial one.
                partial.update { current in if current?.complete != true { current = report } }
            }, onError: { error in censusError.update { $0 = error } }, ownTraffic: ownTraffic)
            sampler?.start()
        }
        Thread.sleep(forTimeInterval: intervalSeconds)
        // Stop the census first: its last pipeline is answered before the second INFO, so Redis's counters
        // and our ledger cover the same commands.
        sampler?.stop()
        multiple?.stop()
        let second = collector.sampleOnce()
        if let firstInfo, let text = second.infoText {
            let secondInfo = InfoSnapshot(text: text, takenAt: second.takenAt)
            // What we sent between the two INFO commands (the first INFO, the second PING, the census) is left out,
            // by the same computation the dashboard and watch use.
            var applicationRates = ApplicationRates()
            _ = applicationRates.next(firstInfo, load: (first.ownTrafficBeforeInfo ?? OwnTraffic.Totals()).observerLoad)
            result.rates = applicationRates.next(secondInfo, load: (second.ownTrafficBeforeInfo ?? ownTraffic.current).observerLoad).rates
            result.info = secondInfo
            result.pingMilliseconds = second.pingMilliseconds ?? result.pingMilliseconds
        }
        result.census = partial.value
        // SCAN or PTTL denied (ACL): no census, but the document says why instead of leaving it out silently.
        if result.census == nil, let error = censusError.value, !error.isConnectionError {
            result.census = CensusReport.unavailable(db: endpoint.db, reason: "The census cannot run: " + error.message)
        }
        result.otherCachewatch = first.otherCachewatch
        takeDatabaseAndFullCensuses(into: &result, multiple: multiple, full: full, noCensus: noCensus, client: client,
                                    endpoint: endpoint, memory: censusArguments.memory, maxFamilies: maxFamilies,
                                    showProgress: showProgress)
        return result
    }

    /// After the rate window: the budgeted reports of several databases, or the full census (of every database or the
    /// one), into `result` (its `census`, `censuses` or `error`); a census denied by ACL becomes an unavailable one.
    private static func takeDatabaseAndFullCensuses(into result: inout RedisSample, multiple: DatabaseCensusSampler?, full: Bool,
                                                    noCensus: Bool, client: RedisClient, endpoint: RedisEndpoint, memory: Bool,
                                                    maxFamilies: Int, showProgress: Bool) {
        if let multiple, !full {
            result.censuses = multiple.budgetedReports()
            result.census = result.censuses?.first
        } else if let multiple {
            do {
                result.censuses = try multiple.runFull(progress: showProgress ? ProgressLine.census : nil)
                result.census = result.censuses?.first
                ProgressLine.clear()
            } catch let error as RedisError {
                result.error = error.message
            } catch {
                result.error = "The census stopped: \(error)."
            }
        } else if full && !noCensus {
            do {
                result.census = try CensusRunner.runFull(client: client, db: endpoint.db, memory: memory,
                                                         maxFamilies: maxFamilies, progress: showProgress ? ProgressLine.census : nil)
                ProgressLine.clear()
            } catch let error as RedisError where !error.isConnectionError {
                result.census = CensusReport.unavailable(db: endpoint.db, reason: "The census cannot run: " + error.message)
            } catch let error as RedisError {
                result.error = error.message
            } catch {
                result.error = "The census stopped: \(error)."
            }
        }
    }
}
