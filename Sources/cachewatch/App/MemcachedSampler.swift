import CachewatchCore
import CachewatchMemcached
import CachewatchRedis
import Foundation

/// What one memcached snapshot learned.
struct MemcachedSnapshotSample {
    var info: InfoSnapshot?
    var rates: InfoRates?
    var pingMilliseconds: Double?
    var census: CensusReport?
    /// Why there is no census (crawler disabled, metadump not allowed), one sentence.
    var censusUnavailable: String?
    var error: String?
}

/// One budgeted sample of memcached, shared by `snapshot` and `check`.
enum MemcachedSampler {
    /// `stats` twice `intervalSeconds` apart with a paced metadump census in between, or a full one with `full`.
    static func sample(endpoints: [MemcachedEndpoint], intervalSeconds: Double, budget: Int, maxFamilies: Int,
                       full: Bool, noCensus: Bool, showProgress: Bool) -> MemcachedSnapshotSample {
        let collector = MemcachedCollector(endpoints: endpoints, intervalSeconds: intervalSeconds) { _ in }
        let first = collector.sampleOnce()
        guard let firstStats = first.stats else {
            return MemcachedSnapshotSample(error: first.error?.message ?? "memcached did not answer 'stats'.")
        }
        var result = MemcachedSnapshotSample(info: firstStats.infoSnapshot, pingMilliseconds: first.pingMilliseconds)
        let partial = LockedBox<CensusReport?>(nil)
        let censusError = LockedBox<MemcachedError?>(nil)
        var sampler: MemcachedCensusRunner?
        if !full && !noCensus {
            sampler = MemcachedCensusRunner(endpoints: endpoints, mode: .budgeted(keysPerSecond: budget), maxFamilies: maxFamilies,
                                            onReport: { report in partial.update { current in if current?.complete != true { current = report } } },
                                            onError: { error in censusError.update { $0 = error } })
            sampler?.start()
        }
        Thread.sleep(forTimeInterval: intervalSeconds)
        sampler?.stop()
        let second = collector.sampleOnce()
        if let secondStats = second.stats {
            let secondInfo = secondStats.infoSnapshot
            result.rates = InfoRates.overInterval(firstStats.infoSnapshot, secondInfo)   // null across a restart or stats reset
            result.info = secondInfo
            result.pingMilliseconds = second.pingMilliseconds ?? result.pingMilliseconds
        }
        result.census = partial.value
        var unavailable = censusError.value.flatMap { $0.disablesCensus ? $0 : nil }
        if full && !noCensus {
            var attempts = 0
            while true {
                do {
                    result.census = try MemcachedCensusRunner.runFull(endpoints: endpoints, maxFamilies: maxFamilies,
                                                                      progress: !showProgress ? nil : { progress in
                        ProgressLine.census(CensusProgress(pass: progress.pass, scannedKeys: progress.scannedKeys,
                                                           dbsizeKeys: progress.serverItems, keysPerSecond: progress.keysPerSecond,
                                                           etaSeconds: progress.etaSeconds, budgetKeysPerSecond: nil,
                                                           complete: progress.complete))
                    })
                    ProgressLine.clear()
                } catch let error as MemcachedError {
                    ProgressLine.clear()
                    attempts += 1
                    if case .crawlerBusy = error, attempts < 5 {
                        Thread.sleep(forTimeInterval: Double(attempts))
                        continue
                    }
                    if error.disablesCensus { unavailable = error } else { result.error = error.message }
                } catch {
                    result.error = "The census stopped: \(error)."
                }
                break
            }
        }
        if let unavailable {
            result.census = nil
            result.censusUnavailable = unavailable.message
        }
        return result
    }
}
