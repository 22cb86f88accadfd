import ArgumentParser
import CachewatchCore
import CachewatchMemcached
import CachewatchRedis
import Foundation

/// `cachewatch check`: one budgeted sample judged by the doctor, as a Nagios plugin line and exit code.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Judge the cache once, for monitoring and CI: one Nagios line and exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
        discussion: """
        Takes one budgeted snapshot (--scan-budget, or --full), evaluates every finding and the fail-open rule \
        (with --log), prints `CACHEWATCH OK|WARNING|CRITICAL|UNKNOWN - summary | perfdata` and exits with the \
        Nagios status. A connection, auth, config or command-line problem is UNKNOWN (3). --json prints the \
        findings and the verdict instead.
        """,
        helpNames: [.long]
    )

    @OptionGroup var connection: ConnectionArguments
    @OptionGroup var logArguments: LogArguments
    @OptionGroup var censusArguments: CensusArguments
    @OptionGroup var config: ConfigArguments

    @Flag(name: .long, help: "Print the findings and the verdict as JSON instead of the Nagios line.")
    var json = false

    @Flag(name: .long, help: "Census every key (SCAN to the end) instead of a budgeted sample.")
    var full = false

    @Flag(name: .long, help: "Skip the census (INFO and logs only).")
    var noCensus = false

    @Option(name: .customLong("fail-on"), help: "Lowest finding severity that fails the check: warn or crit. (default warn)")
    var failOn: String?

    @Option(name: .long, help: "Time between the two INFO samples the rates come from. (default 1s)")
    var interval: DurationArgument?

    func run() throws {
        let settings = try config.load()
        let failOnText = failOn ?? settings.checkFailOn ?? "warn"
        guard let failLevel = AlertLevel(rawValue: failOnText), failLevel != .ok else {
            throw CLIError("--fail-on must be warn or crit, not \(DisplayEscaper.escape(failOnText)).", exitCode: 3)
        }
        let intervalSeconds = try interval.bounded(.interval, config: settings.interval, default: 1).seconds
        let inputs = try OneShotInputs(logArguments: self.logArguments, censusArguments: self.censusArguments, settings: settings)
        let (logs, budget, censusArguments) = (inputs.logs, inputs.budget, inputs.censusArguments)

        let skipCensus = noCensus || settings.censusEnabled == false
        let sample: (info: InfoSnapshot?, rates: InfoRates?, pingMilliseconds: Double?, census: CensusReport?, error: String?)
        var censuses: [CensusReport]?
        if let servers = try connection.memcachedServers() {
            // memcached: the same verdict on its stats (in INFO form) and metadump census.
            let endpoints = try connection.memcachedEndpoints(servers)
            let memcached = MemcachedSampler.sample(endpoints: endpoints, intervalSeconds: intervalSeconds, budget: budget,
                                                    maxFamilies: censusArguments.maxFamilies ?? 200, full: full,
                                                    noCensus: skipCensus, showProgress: false)
            sample = (memcached.info, memcached.rates, memcached.pingMilliseconds, memcached.census, memcached.error)
        } else {
            let options = try connection.resolve(config: settings.connection, configPath: settings.path)
            let endpoint = options.endpoint(commandTimeoutMilliseconds: try connection.commandTimeoutMilliseconds())
            let redis = try RedisSampler.sampleClusterOrServer(endpoint: endpoint, forcedCluster: connection.cluster,
                                                               databases: options.databases, intervalSeconds: intervalSeconds,
                                                               budget: budget, census: censusArguments, full: full,
                                                               noCensus: skipCensus, showProgress: false,
                                                               // A command-line problem is UNKNOWN (3) for check.
                                                               databaseFromFlag: true, databaseErrorExitCode: 3).sample
            sample = (redis.info, redis.rates, redis.pingMilliseconds, redis.census, redis.error.map(options.redact))
            censuses = redis.censuses
        }
        inputs.drainLogs()
        let now = Date()
        let logsReport = logs?.report(now: now)
        // Any server error (connection, auth, a census cut short) means the sample is incomplete: UNKNOWN, unless
        // the findings that were made are critical.
        let redisError = sample.error
        var findings = Doctor.findings(DoctorInput(census: sample.census, info: sample.info, rates: sample.rates, logs: logsReport,
                                                   redisError: redisError),
                                       thresholds: settings.thresholds, silences: settings.silences)
        if let censuses {
            // Several databases: every database's findings (`db1: …`), the server's once.
            findings = DatabaseCensuses.findings(DoctorInput(info: sample.info, rates: sample.rates, logs: logsReport, redisError: redisError),
                                                 censuses: censuses, thresholds: settings.thresholds, silences: settings.silences)
        }
        let rule = logsReport?.failOpen
        var metrics = CheckMetrics(info: sample.info, rates: sample.rates, pingMilliseconds: sample.pingMilliseconds, logs: logsReport)
        if let censuses, let info = sample.info {
            metrics.keys = DatabaseCensuses.keyspaceTotals(info.keyspace, databases: censuses.map(\.db)).keys   // the watched DBs'
        }
        let verdict = CheckVerdict.evaluate(findings: findings,
                                            metrics: metrics,
                                            unreachable: redisError, failOn: failLevel, thresholds: settings.thresholds,
                                            failOpenWarn: rule?.warnPerMinute ?? 10, failOpenCrit: rule?.critPerMinute ?? 50)
        print(json ? verdict.json(takenAt: now).prettyPrinted() : verdict.line)
        fflush(stdout)
        if verdict.status != .ok { throw ExitCode(verdict.status.exitCode) }
    }
}
