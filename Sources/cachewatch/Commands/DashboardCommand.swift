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
    @OptionGroup var recording: RecordArguments

    @Flag(name: .long, help: "Do not run the background census.")
    var noCensus = false

    @Option(name: .long, help: "How often INFO and PING are sampled, 100ms…1h. (default 1s)")
    var interval: DurationArgument?

    func run() throws {
        StopRequest.installHandlers()
        let settings = try config.load()
        let intervalSeconds = try interval.bounded(.interval, config: settings.interval, default: 1).seconds
        let display = self.display.merged(with: settings)
        let terminal = try display.makeTerminal()
        let session = try makeMonitoringSession(connection: connection, logs: logArguments, census: censusArguments, settings: settings,
                                              noCensus: noCensus, intervalSeconds: intervalSeconds)
        let recorder = try recording.makeRecorder(session: session, intervalSeconds: intervalSeconds)
        session.start()
        defer { session.stop(); recorder?.finish() }
        let app = DashboardApp(session: session, terminal: terminal, bell: display.bell)
        app.recorder = recorder
        do {
            try app.run()
        } catch let error as TerminalError {
            throw CLIError(error.description)
        }
        if let failure = app.recordingFailure { throw failure }
    }
}
