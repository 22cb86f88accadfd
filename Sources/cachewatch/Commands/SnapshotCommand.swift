import ArgumentParser
import CachewatchCore
import CachewatchRedis
import Foundation

/// `cachewatch snapshot`: one document (JSON or text) and exit.
struct Snapshot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Print one snapshot of Redis, its key families and the app's logs, then exit.",
        discussion: """
        Rates come from two INFO samples --interval apart; meanwhile a budgeted census samples the keyspace \
        (--full walks all of it). Exit 0 on success; 1 with one sentence on stderr when Redis cannot be \
        reached or auth fails (with --log the document, logs included, is still printed).
        """,
        helpNames: [.long]
    )

    @OptionGroup var connection: ConnectionArguments
    @OptionGroup var logArguments: LogArguments
    @OptionGroup var censusArguments: CensusArguments
    @OptionGroup var config: ConfigArguments

    @Flag(name: .long, help: "Print the JSON document (schema in the README).")
    var json = false

    @Flag(name: .long, help: "Census every key (SCAN to the end) instead of a budgeted sample.")
    var full = false

    @Flag(name: .long, help: "Skip the census.")
    var noCensus = false

    @Flag(name: .long, help: "One JSON line instead of indented JSON.")
    var compact = false

    @Option(name: .long, help: "Time between the two INFO samples the rates come from, 100ms…1h. (default 1s)")
    var interval: DurationArgument?

    func run() throws {
        let settings = try config.load()
        if let servers = try connection.memcachedServers() { return try runMemcached(servers: servers, settings: settings) }
        let options = try connection.resolve(config: settings.connection, configPath: settings.path)
        let intervalSeconds = try interval.bounded(.interval, config: settings.interval, default: 1).seconds
        let endpoint = options.endpoint(commandTimeoutMilliseconds: try connection.commandTimeoutMilliseconds())
        let inputs = try OneShotInputs(logArguments: self.logArguments, censusArguments: self.censusArguments, settings: settings)
        let (logs, budget, censusArguments) = (inputs.logs, inputs.budget, inputs.censusArguments)

        let (isCluster, redis) = try RedisSampler.sampleClusterOrServer(endpoint: endpoint, forcedCluster: connection.cluster,
                                                                        databases: options.databases, intervalSeconds: intervalSeconds,
                                                                        budget: budget, census: censusArguments, full: full,
                                                                        noCensus: noCensus, showProgress: !json,
                                                                        databaseFromFlag: connection.db != nil)
        var target = options.target(info: redis.info)
        if isCluster {
            target.mode = "cluster"
            target.cluster = redis.cluster
        }

        inputs.drainLogs()
        let now = Date()
        let logsReport = logs?.report(now: now)
        var document = SnapshotDocument(takenAt: now, target: target, info: redis.info,
                                        rates: redis.rates, pingMilliseconds: redis.pingMilliseconds, census: redis.census,
                                        logs: logsReport,
                                        findings: Doctor.findings(DoctorInput(census: redis.census, info: redis.info, rates: redis.rates,
                                                                              logs: logsReport, redisError: redis.error.map(options.redact)),
                                                                  thresholds: settings.thresholds, silences: settings.silences)
                                            .filter { (redis.otherCachewatch ?? 0) == 0 || !MonitorSession.codesFromTraffic.contains($0.code) },
                                        redisError: redis.error.map(options.redact))
        document.otherCachewatch = redis.otherCachewatch
        if let censuses = redis.censuses {
            // Several databases: `censuses` in -n's order, findings per database (`db` on each family finding).
            document.censuses = censuses
            document.findings = DatabaseCensuses.findings(DoctorInput(info: redis.info, rates: redis.rates, logs: logsReport,
                                                                      redisError: redis.error.map(options.redact)),
                                                          censuses: censuses, thresholds: settings.thresholds, silences: settings.silences)
                .filter { (redis.otherCachewatch ?? 0) == 0 || !MonitorSession.codesFromTraffic.contains($0.code) }
        }
        document.events = EventDetector.events(fromAlerts: logsReport?.failOpen.history ?? [],
                                               deployLines: logsReport?.deployLines.recent ?? [])
        // Unreachable Redis and nothing else to report: only the sentence on stderr, exit 1. With something to
        // report (INFO, logs, or a census when only INFO is denied) the document is printed and the sentence follows.
        let hasSomethingToShow = redis.error == nil || redis.info != nil || redis.census != nil || logsReport != nil
        if hasSomethingToShow && json {
            print(compact ? document.json.serialized() : document.json.prettyPrinted())
        } else if hasSomethingToShow {
            var shown = document
            if let censuses = redis.censuses { shown.census = DatabaseCensuses.displayReport(censuses) }   // `db1 family` rows
            print(TextSummary.render(document: shown, info: redis.info, rates: redis.rates), terminator: "")
        }
        if let error = redis.error {
            fflush(stdout)
            throw CLIError(options.redact(error))
        }
    }
}

// MARK: - Shared parsing

extension CensusArguments {
    /// The scan budget in keys per second (validated).
    func validatedBudget() throws -> Int {
        let budget = scanBudget ?? 5000
        guard (1...CensusAccumulator.maximumScanBudget).contains(budget) else {
            throw CLIError("--scan-budget must be between 1 and \(CensusAccumulator.maximumScanBudget) keys per second.")
        }
        if let maxFamilies, !(1...CensusAccumulator.maximumFamilies).contains(maxFamilies) {
            throw CLIError("--max-families must be between 1 and \(CensusAccumulator.maximumFamilies).")
        }
        return budget
    }
}
