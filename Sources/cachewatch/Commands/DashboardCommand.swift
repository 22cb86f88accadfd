import ArgumentParser
import CachewatchCore
import CachewatchTerminal
import Foundation

/// `cachewatch` / `cachewatch dashboard`: the terminal dashboard.
struct Dashboard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Open the dashboard (the default command).",
        discussion: """
        Keys: q quit · ? help · tab/shift-tab panes · ↑↓ j k PgUp PgDn scroll · enter/esc drill in/out · \
        / filter · s sort · p pause · F full census · r reset counters · m sample memory (detail view).
        """,
        helpNames: [.long]
    )

    @OptionGroup var connection: ConnectionArguments
    @OptionGroup var logArguments: LogArguments
    @OptionGroup var censusArguments: CensusArguments
    @OptionGroup var config: ConfigArguments
    @OptionGroup var display: DisplayArguments

    @Flag(name: .long, help: "Do not run the background census.")
    var noCensus = false

    @Option(name: .long, help: "How often INFO and PING are sampled. (default 1s)")
    var interval: String?

    func run() throws {
        ignoreSIGPIPE()
        TerminalStop.installHandlers()
        let settings = try config.load()
        let logArguments = self.logArguments.merged(with: settings)
        let censusArguments = self.censusArguments.merged(with: settings)
        let options = try connection.resolve()
        let intervalSeconds = try parseInterval(interval ?? settings.interval ?? "1s")
        let endpoint = options.endpoint(commandTimeoutMilliseconds: try connection.commandTimeoutMilliseconds())
        let display = self.display.merged(with: settings)
        let terminal = try display.makeTerminal()
        let censusSettings = MonitorSession.CensusSettings(enabled: !noCensus && settings.censusEnabled != false, budgetKeysPerSecond: try censusArguments.validatedBudget(),
                                                     memory: censusArguments.memory,
                                                     maxFamilies: censusArguments.maxFamilies ?? 200)
        let session = MonitorSession(options: options, endpoint: endpoint, intervalSeconds: intervalSeconds,
                                     census: censusSettings, logs: try logArguments.makeMonitor())
        session.start()
        defer { session.stop() }
        do {
            try DashboardApp(session: session, terminal: terminal, bell: display.bell).run()
        } catch let error as TerminalError {
            throw CLIError(error.description)
        }
    }
}
