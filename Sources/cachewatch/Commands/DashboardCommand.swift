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
    @OptionGroup var display: DisplayArguments

    @Flag(name: .long, help: "Do not run the background census.")
    var noCensus = false

    @Option(name: .long, help: "How often INFO and PING are sampled.")
    var interval: String = "1s"

    func run() throws {
        ignoreSIGPIPE()
        TerminalStop.installHandlers()
        let options = try connection.resolve()
        let intervalSeconds = try parseInterval(interval)
        let endpoint = options.endpoint(commandTimeoutMilliseconds: try connection.commandTimeoutMilliseconds())
        let terminal = try display.makeTerminal()
        let settings = MonitorSession.CensusSettings(enabled: !noCensus, budgetKeysPerSecond: try censusArguments.validatedBudget(),
                                                     memory: censusArguments.memory,
                                                     maxFamilies: censusArguments.maxFamilies ?? 200)
        let session = MonitorSession(options: options, endpoint: endpoint, intervalSeconds: intervalSeconds,
                                     census: settings, logs: try logArguments.makeMonitor())
        session.start()
        defer { session.stop() }
        do {
            try DashboardApp(session: session, terminal: terminal, bell: display.bell).run()
        } catch let error as TerminalError {
            throw CLIError(error.description)
        }
    }
}
