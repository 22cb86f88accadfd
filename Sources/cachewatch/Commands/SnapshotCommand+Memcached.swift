import CachewatchCore
import CachewatchMemcached
import CachewatchRedis
import Foundation

/// `cachewatch snapshot` against memcached: the same document, `target.kind` = `memcached`.
extension Snapshot {
    /// Samples `stats` twice `--interval` apart with a paced metadump census in between (or a full one
    /// with `--full`), then prints the document like the Redis path does.
    func runMemcached(servers: [MemcachedServerAddress], settings: ConfigFile) throws {
        let intervalSeconds = try interval.bounded(.interval, config: settings.interval, default: 1).seconds
        let endpoints = try connection.memcachedEndpoints(servers)
        let inputs = try OneShotInputs(logArguments: logArguments, censusArguments: censusArguments, settings: settings)

        let sample = MemcachedSampler.sample(endpoints: endpoints, intervalSeconds: intervalSeconds, budget: inputs.budget,
                                             maxFamilies: inputs.censusArguments.maxFamilies ?? 200, full: full, noCensus: noCensus,
                                             showProgress: !json)

        inputs.drainLogs()
        let now = Date()
        let logsReport = inputs.logs?.report(now: now)
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
}
