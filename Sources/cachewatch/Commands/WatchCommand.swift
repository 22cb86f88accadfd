import ArgumentParser
import CachewatchCore
import CachewatchTerminal
import Foundation

/// `cachewatch watch --json`: one snapshot document per interval (NDJSON) until interrupted.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print a snapshot document every --interval (NDJSON), following logs live, until interrupted.",
        discussion: """
        Each line is one complete document (the schema of `snapshot --json`), flushed as it is written, so \
        `cachewatch watch --json | jq` and supervisors see it at once. Redis going away does not stop the \
        stream: documents carry `error` and the connection state until it comes back. Stops cleanly on \
        SIGINT and SIGTERM.
        """,
        helpNames: [.long]
    )

    @OptionGroup var connection: ConnectionArguments
    @OptionGroup var logArguments: LogArguments
    @OptionGroup var censusArguments: CensusArguments
    @OptionGroup var config: ConfigArguments
    @OptionGroup var recording: RecordArguments

    @Flag(name: .long, help: "Write NDJSON (the only output format of watch; accepted for symmetry with snapshot).")
    var json = false

    @Flag(name: .long, help: "Skip the background census.")
    var noCensus = false

    @Option(name: .long, help: "Time between documents. (default 1s)")
    var interval: String?

    @Option(name: .long, help: "Stop after this many documents (default: run until interrupted).")
    var count: Int?

    func run() throws {
        TerminalStop.installHandlers()
        let settings = try config.load()
        let intervalSeconds = try parseInterval(interval ?? settings.interval ?? "1s")
        if let count, count < 1 { throw CLIError("--count must be at least 1.") }
        let session = try MonitorSession.make(connection: connection, logs: logArguments, census: censusArguments, settings: settings,
                                              noCensus: noCensus, intervalSeconds: min(intervalSeconds, 1))
        let recorder = try recording.makeRecorder(session: session, intervalSeconds: intervalSeconds)
        session.start()
        defer { session.stop(); recorder?.finish() }
        try Self.loop(session: session, intervalSeconds: intervalSeconds, count: count) { document in
            try recorder?.record(document)
            return writeLine(document.json.serialized())   // false: the reader went away (EPIPE)
        }
    }

    /// Builds a document every interval and hands it to `emit` until a stop signal, `count`
    /// documents, or `emit` returns false (shared with `record`).
    static func loop(session: MonitorSession, intervalSeconds: Double, count: Int?, emit: (SnapshotDocument) throws -> Bool) throws {
        var written = 0
        var next = Date().addingTimeInterval(intervalSeconds)
        while !TerminalStop.isRequested {
            let now = Date()
            if now < next {
                Thread.sleep(forTimeInterval: min(0.05, next.timeIntervalSince(now)))
                continue
            }
            next = next.addingTimeInterval(intervalSeconds)
            if next < now { next = now.addingTimeInterval(intervalSeconds) }
            guard try emit(Self.document(session: session, now: now)) else { return }
            written += 1
            if let count, written >= count { return }
        }
    }

    /// The document for the session's current state.
    static func document(session: MonitorSession, now: Date) -> SnapshotDocument {
        let state = session.store.snapshot()
        let census = state.census
        let error: String?
        switch state.connection {
        case .connected: error = nil
        case .connecting: error = state.info == nil ? "Connecting to Redis at \(session.endpoint.displayAddress)." : nil
        case .disconnected(_, let reason): error = state.redisError ?? reason
        }
        return SnapshotDocument(takenAt: now, target: session.options.target(info: state.info),
                                info: error == nil ? state.info : nil, rates: error == nil ? state.rates : nil,
                                pingMilliseconds: state.pingMilliseconds, census: census,
                                logs: session.logs?.report(now: now), findings: (census.map(Findings.evaluate) ?? []) + RateFindings.evaluate(rates: error == nil ? state.rates : nil),
                                redisError: (error ?? state.redisError).map(session.options.redact))
    }

    /// Writes one line to stdout and flushes it; false when stdout is closed.
    private func writeLine(_ line: String) -> Bool {
        StandardOutput.write(Array((line + "\n").utf8))
    }
}
