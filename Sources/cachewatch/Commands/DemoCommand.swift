import ArgumentParser
import CachewatchCore
import CachewatchTerminal
import CachewatchUI
import Foundation

/// `cachewatch demo`: a throwaway redis-server with the guide's traffic, an app log with fail-open
/// bursts, and the dashboard on both. Ctrl-C stops everything it started and removes its temp dir.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Open the dashboard on a throwaway redis-server with realistic cache traffic and app logs.",
        discussion: """
        Starts redis-server on a free loopback port in a temporary directory (no persistence), fills it with \
        keys shaped like the boilerplate's cache guide, keeps GET/SET/expiry traffic flowing, and writes an \
        app log whose fail-open lines burst into warn and crit every four minutes. Without a terminal on \
        stdout it prints a text summary every few seconds instead.
        """,
        helpNames: [.long]
    )

    @OptionGroup var display: DisplayArguments
    @OptionGroup var config: ConfigArguments

    @Option(name: .long, help: "Stop after this long, 1s…7d (e.g. 30s); default: until q or Ctrl-C.")
    var duration: DurationArgument?

    @Flag(name: .long, help: "Print text summaries instead of opening the dashboard.")
    var text = false

    func run() throws {
        StopRequest.installHandlers()
        var deadline: Date?
        if let duration {
            deadline = Date().addingTimeInterval(try duration.bounded(.demoDuration).seconds)
        }
        let useTerminal = !text && isatty(STDOUT_FILENO) == 1
        let display = self.display.merged(with: try config.load())
        let terminal = useTerminal ? try display.makeTerminal() : nil

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachewatch-demo-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        if !useTerminal { print("cachewatch demo: starting redis-server in \(directory.path)") }
        let server = try DemoServer(directory: directory)
        defer { server.stop() }
        let traffic = DemoTraffic(port: server.port)
        try traffic.start()
        defer { traffic.stop() }
        let logPath = directory.appendingPathComponent("app.log").path
        let logWriter = DemoLogWriter(path: logPath)
        try logWriter.start()
        defer { logWriter.stop() }

        let options = ConnectionOptions(host: "127.0.0.1", port: server.port, db: 0)
        let logs = try LogArguments.parse(["--log", logPath, "--for", "10s"]).makeMonitor()
        let session = MonitorSession(options: options, endpoint: options.endpoint(commandTimeoutMilliseconds: 2000),
                                     intervalSeconds: 1, census: MonitorSession.CensusSettings(), logs: logs)
        session.start()
        defer { session.stop() }
        if let terminal {
            do {
                try DashboardApp(session: session, terminal: terminal, bell: display.bell).run(until: deadline)
            } catch let error as TerminalError {
                throw CLIError(error.description)
            }
        } else {
            print("cachewatch demo: redis-server on 127.0.0.1:\(server.port), app log \(logPath); Ctrl-C stops")
            var nextPrint = Date().addingTimeInterval(2)
            while !StopRequest.isRequested {
                if let deadline, Date() >= deadline { break }
                if Date() >= nextPrint {
                    let document = Watch.document(session: session, now: Date())
                    let state = session.store.snapshot()
                    print("— \(Humanize.clock(Date(), timeZone: .current))\n" + TextSummary.render(document: document, info: state.info, rates: state.rates))
                    nextPrint = Date().addingTimeInterval(5)
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
    }
}
