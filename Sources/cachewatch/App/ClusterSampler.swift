import CachewatchCore
import CachewatchRedis
import Foundation

/// One budgeted sample of a Redis Cluster for `snapshot` and `check`: discovery and every primary's INFO twice,
/// `intervalSeconds` apart (summed rates), with the primaries' budgeted census in between, or a full parallel census
/// of every primary afterwards with `full`.
enum ClusterSampler {
    static func sample(seed: RedisEndpoint, intervalSeconds: Double, budget: Int, census censusArguments: CensusArguments,
                       full: Bool, noCensus: Bool, showProgress: Bool) -> RedisSample {
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
        if !full && !noCensus && !first.primaries.isEmpty {
            let options = CensusOptions(db: seed.db, mode: .budgeted(keysPerSecond: budget), memory: censusArguments.memory,
                                        maxFamilies: maxFamilies)
            sampler = ClusterCensus(primaries: first.primaries, options: options, ownTraffic: ownTraffic,
                                    onReport: { report in partial.update { $0 = report } })
            sampler?.start()
        }
        Thread.sleep(forTimeInterval: intervalSeconds)
        sampler?.stop()
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
        if full && !noCensus {
            result.census = ClusterCensus.runFull(primaries: second.primaries.isEmpty ? first.primaries : second.primaries, db: seed.db,
                                                  memory: censusArguments.memory, maxFamilies: maxFamilies,
                                                  progress: showProgress ? ProgressLine.census : nil)
            if showProgress { ProgressLine.clear() }
        }
        return result
    }
}
