import CachewatchCore
import CachewatchMemcached
import CachewatchRedis
import Foundation

/// `cachewatch snapshot` against memcached: the same document, `target.kind` = `memcached`.
extension Snapshot {
    /// Samples `stats` twice `--interval` apart with a paced metadump census in between (or a full one
    /// with `--full`), then prints the document like the Redis path does.
    func runMemcached(servers: [MemcachedServerAddress], settings: ConfigFile) throws {
        let logArguments = self.logArguments.merged(with: settings)
        let censusArguments = self.censusArguments.merged(with: settings)
        let intervalSeconds = try interval.bounded(.interval, config: settings.interval, default: 1).seconds
        let endpoints = try connection.memcachedEndpoints(servers)
        let logs = try logArguments.makeMonitor(deployPatterns: settings.deployPatterns)
        let budget = try censusArguments.validatedBudget()
        let readsStdin = logArguments.logs.contains("-")
        if readsStdin { logs?.start() }

        let sample = sampleMemcached(endpoints: endpoints, intervalSeconds: intervalSeconds, budget: budget,
                                     maxFamilies: censusArguments.maxFamilies ?? 200)

        if readsStdin, let logs {
            while !logs.stdinEnded { Thread.sleep(forTimeInterval: 0.02) }
            logs.stop()
        }
        logs?.pollOnce()
        let now = Date()
        let logsReport = logs?.report(now: now)
        var findings = Doctor.findings(DoctorInput(census: sample.census, info: sample.info, rates: sample.rates, logs: logsReport,
                                                   redisError: sample.error),
                                       thresholds: settings.thresholds, silences: settings.silences)
        if let note = sample.censusUnavailable {
            findings.append(Finding(severity: .ok, code: "census-unavailable", pattern: nil, message: note))
        }
        var document = SnapshotDocument(takenAt: now, target: memcachedTarget(endpoints), info: sample.info, rates: sample.rates,
                                        pingMilliseconds: sample.pingMilliseconds, census: sample.census, logs: logsReport,
                                        findings: findings, redisError: sample.error)
        document.events = EventDetector.events(fromAlerts: logsReport?.failOpen.history ?? [],
                                               deployLines: logsReport?.deployLines.recent ?? [])
        let hasSomethingToShow = sample.error == nil || sample.info != nil || logsReport != nil
        if hasSomethingToShow && json {
            print(compact ? document.json.serialized() : document.json.prettyPrinted())
        } else if hasSomethingToShow {
            print(TextSummary.render(document: document, info: sample.info, rates: sample.rates), terminator: "")
        }
        if let error = sample.error {
            fflush(stdout)
            throw CLIError(error)
        }
    }

    /// What one memcached snapshot learned.
    private struct MemcachedSnapshotSample {
        var info: InfoSnapshot?
        var rates: InfoRates?
        var pingMilliseconds: Double?
        var census: CensusReport?
        /// Why there is no census (crawler disabled, metadump not allowed), one sentence.
        var censusUnavailable: String?
        var error: String?
    }

    private func sampleMemcached(endpoints: [MemcachedEndpoint], intervalSeconds: Double, budget: Int,
                                 maxFamilies: Int) -> MemcachedSnapshotSample {
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
            result.rates = InfoRates.between(firstStats.infoSnapshot, secondInfo)
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
                                                                      progress: json ? nil : { progress in
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
