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

    @Option(name: .long, help: "Time between the two INFO samples the rates come from. (default 1s)")
    var interval: String?

    func run() throws {
        ignoreSIGPIPE()
        let settings = try config.load()
        let logArguments = self.logArguments.merged(with: settings)
        let censusArguments = self.censusArguments.merged(with: settings)
        let options = try connection.resolve()
        let intervalSeconds = try parseInterval(interval ?? settings.interval ?? "1s")
        let endpoint = options.endpoint(commandTimeoutMilliseconds: try connection.commandTimeoutMilliseconds())
        let logs = try logArguments.makeMonitor()
        let budget = try censusArguments.validatedBudget()
        // `--log -`: stdin has its own reader thread; read it (to EOF) while Redis is sampled.
        let readsStdin = logArguments.logs.contains("-")
        if readsStdin { logs?.start() }

        let client = RedisClient(endpoint: endpoint)
        let collector = RedisCollector(client: client, intervalSeconds: intervalSeconds) { _ in }
        let first = collector.sampleOnce()
        var info = first.infoText.map { InfoSnapshot(text: $0, takenAt: first.takenAt) }
        var rates: InfoRates?
        var ping = first.pingMilliseconds
        var census: CensusReport?
        var redisError = info == nil ? (first.error?.message ?? "Redis at \(endpoint.displayAddress) did not answer INFO.") : nil

        // INFO denied by ACL (it is in @dangerous): Redis is reachable, so the census still runs.
        var infoDenied = false
        if case .noPermission(_, let command)? = first.error, command.lowercased() == "info" { infoDenied = true }

        if info != nil || infoDenied {
            let firstInfo = info
            var sampler: CensusRunner?
            let partial = LockedBox<CensusReport?>(nil)
            let ownTraffic = OwnTraffic()
            if !full && !noCensus {
                let runner = CensusRunner(client: RedisClient(endpoint: endpoint),
                                          options: CensusOptions(db: endpoint.db, mode: .budgeted(keysPerSecond: budget),
                                                                 memory: censusArguments.memory,
                                                                 maxFamilies: censusArguments.maxFamilies ?? 200),
                                          onReport: { report in partial.update { current in
                                              // Keep the first complete pass; otherwise the newest partial one.
                                              if current?.complete != true { current = report }
                                          } }, ownTraffic: ownTraffic)
                runner.start()
                sampler = runner
            }
            Thread.sleep(forTimeInterval: intervalSeconds)
            let second = collector.sampleOnce()
            if let firstInfo, let text = second.infoText {
                let secondInfo = InfoSnapshot(text: text, takenAt: second.takenAt)
                let own = ownTraffic.current
                rates = InfoRates.between(firstInfo, secondInfo)
                    .excludingObserver(commands: own.commands, keyspaceHits: own.keyspaceHits, keyspaceMisses: own.keyspaceMisses)
                info = secondInfo
                ping = second.pingMilliseconds ?? ping
            }
            sampler?.stop()
            census = partial.value
            if full && !noCensus {
                do {
                    census = try CensusRunner.runFull(client: client, db: endpoint.db, memory: censusArguments.memory,
                                                      maxFamilies: censusArguments.maxFamilies ?? 200,
                                                      progress: json ? nil : ProgressLine.census)
                    ProgressLine.clear()
                } catch let error as RedisError {
                    redisError = error.message
                }
            }
        }
        if readsStdin, let logs {
            while !logs.stdinEnded { Thread.sleep(forTimeInterval: 0.02) }
            logs.stop()
        }
        logs?.pollOnce()
        let now = Date()
        let logsReport = logs?.report(now: now)
        let findings = census.map(Findings.evaluate) ?? []
        let document = SnapshotDocument(takenAt: now, target: options.target(info: info), info: info, rates: rates,
                                        pingMilliseconds: ping, census: census, logs: logsReport, findings: findings,
                                        redisError: redisError.map(options.redact))
        // Unreachable Redis and nothing else to report: only the sentence on stderr, exit 1. With something to
        // report (INFO, logs, or a census when only INFO is denied) the document is printed and the sentence follows.
        let hasSomethingToShow = redisError == nil || info != nil || census != nil || logsReport != nil
        if hasSomethingToShow && json {
            print(compact ? document.json.serialized() : document.json.prettyPrinted())
        } else if hasSomethingToShow {
            print(TextSummary.render(document: document, info: info, rates: rates), terminator: "")
        }
        if let redisError {
            fflush(stdout)
            throw CLIError(options.redact(redisError))
        }
    }
}

// MARK: - Shared parsing

/// Validates an `--interval` value.
func parseInterval(_ text: String) throws -> Double {
    guard let seconds = DurationText.seconds(text), seconds >= 0.1 else {
        throw CLIError("--interval must be a duration of at least 100ms, such as 1s or 5s, not \(DisplayEscaper.escape(text)).")
    }
    return seconds
}

extension CensusArguments {
    /// The scan budget in keys per second (validated).
    func validatedBudget() throws -> Int {
        let budget = scanBudget ?? 5000
        guard budget >= 1 else { throw CLIError("--scan-budget must be at least 1 key per second.") }
        if let maxFamilies, maxFamilies < 1 { throw CLIError("--max-families must be at least 1.") }
        return budget
    }
}
