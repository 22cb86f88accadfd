import CachewatchCore
import CachewatchRedis
import Foundation

/// One budgeted sample of a Redis Cluster for `snapshot` and `check`: discovery and every primary's INFO twice,
/// `intervalSeconds` apart (summed rates), with the primaries' budgeted census in between, or a full parallel census
/// of every primary afterwards with `full`. With a list of databases or `all` (Valkey 9's numbered databases in cluster
/// mode), every database is censused on every primary (`censuses`, `census` the first one's).
enum ClusterSampler {
    static func sample(seed: RedisEndpoint, intervalSeconds: Double, budget: Int, census censusArguments: CensusArguments,
                       full: Bool, noCensus: Bool, showProgress: Bool, databases: DatabaseSelection = .single(0)) -> RedisSample {
        let ownTraffic = OwnTraffic()
        let collector = ClusterCollector(seed: seed, intervalSeconds: intervalSeconds, ownTraffic: ownTraffic) { _ in }
        collector.scanReplicas = censusArguments.scanReplicas
        let first = collector.sampleOnce()
        let firstInfo = first.collector.infoText.map { InfoSnapshot(text: $0, takenAt: first.collector.takenAt) }
        var result = RedisSample(info: firstInfo, pingMilliseconds: first.collector.pingMilliseconds)
        result.cluster = first.status
        guard let firstInfo else {
            result.error = first.collector.error?.message ?? "No node of the cluster at \(seed.displayAddress) answered."
            return result
        }
        let maxFamilies = censusArguments.maxFamilies ?? 200
        let partial = LockedBox<CensusReport?>(nil)
        var sampler: ClusterCensus?
        // Several databases: every (primary, database) on its own connection, within the one budget.
        let databaseList = databases.isMultiple ? databases.databases(keyspaceDatabases: firstInfo.keyspace.map(\.db)) : nil
        var multiple: ClusterDatabaseCensus?
        if !full && !noCensus && !first.primaries.isEmpty {
            let options = CensusOptions(db: seed.db, mode: .budgeted(keysPerSecond: budget), memory: censusArguments.memory,
                                        maxFamilies: maxFamilies)
            if let databaseList {
                multiple = ClusterDatabaseCensus(primaries: first.primaries, databases: databaseList, options: options,
                                                 ownTraffic: ownTraffic, onReport: { _, _ in })
            } else {
                sampler = ClusterCensus(primaries: first.primaries, options: options, ownTraffic: ownTraffic,
                                        onReport: { report in partial.update { $0 = report } })
            }
            sampler?.start()
            multiple?.start()
        }
        Thread.sleep(forTimeInterval: intervalSeconds)
        sampler?.stop()
        multiple?.stop()
        let second = collector.sampleOnce()
        if let text = second.collector.infoText {
            let secondInfo = InfoSnapshot(text: text, takenAt: second.collector.takenAt)
            var applicationRates = ApplicationRates()
            _ = applicationRates.next(firstInfo, load: (first.collector.ownTrafficBeforeInfo ?? OwnTraffic.Totals()).observerLoad)
            result.rates = applicationRates.next(secondInfo, load: (second.collector.ownTrafficBeforeInfo ?? ownTraffic.current).observerLoad).rates
            result.info = secondInfo
            result.pingMilliseconds = second.collector.pingMilliseconds ?? result.pingMilliseconds
            result.cluster = second.status
        }
        result.census = sampler?.report ?? partial.value
        if let multiple {
            result.censuses = zip(multiple.databases, multiple.reports).map { db, report in
                report ?? CensusReport(db: db, complete: false, scannedKeys: 0, estimatedKeys: 0, families: [], forecast: Array(repeating: 0, count: 60))
            }
        }
        if full && !noCensus {
            let primaries = second.primaries.isEmpty ? first.primaries : second.primaries
            let progress = showProgress ? ProgressLine.census : nil
            if let databaseList {
                result.censuses = ClusterDatabaseCensus.runFull(primaries: primaries, databases: databaseList, memory: censusArguments.memory,
                                                                maxFamilies: maxFamilies, progress: progress)
            } else {
                result.census = ClusterCensus.runFull(primaries: primaries, db: seed.db, memory: censusArguments.memory,
                                                      maxFamilies: maxFamilies, progress: progress)
            }
            if showProgress { ProgressLine.clear() }
        }
        if let censuses = result.censuses { result.census = censuses.first }
        return result
    }
}
