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

    @OptionGroup var monitor: MonitorArguments
    @OptionGroup var recording: RecordArguments

    @Flag(name: .long, help: "Write NDJSON (the only output format of watch; accepted for symmetry with snapshot).")
    var json = false

    @Flag(name: .long, help: "Skip the background census.")
    var noCensus = false

    @Option(name: .long, help: "Time between documents, 100ms…1h. (default 1s)")
    var interval: DurationArgument?

    @Option(name: .long, help: "Stop after this many documents (default: run until interrupted).")
    var count: Int?

    func run() throws {
        StopRequest.installHandlers()
        let (session, intervalSeconds) = try monitor.makeStreamingSession(noCensus: noCensus, interval: interval, count: count)
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
    static func loop(session: MonitoringSession, intervalSeconds: Double, count: Int?, emit: (SnapshotDocument) throws -> Bool) throws {
        var written = 0
        var next = Date().addingTimeInterval(intervalSeconds)
        while !StopRequest.isRequested {
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
    ///
    /// Numbers are never presented as new when the poll is late: once the last INFO is older than one collector
    /// interval (plus slack) the document carries `stale_seconds`; past `interval + 2 s` it also carries `error`
    /// and no server numbers (Redis is stalled or too slow to answer).
    static func document(session: MonitoringSession, now: Date) -> SnapshotDocument {
        let state = session.store.snapshot()
        var census = state.agedCensus(now: now)
        if census == nil, let reason = state.censusError {
            census = CensusReport.unavailable(db: session.db, reason: "The census cannot run: " + reason)
        }
        var error: String?
        switch state.connection {
        case .connected: error = nil
        case .connecting: error = state.info == nil ? "Connecting to \(session.productName) at \(session.displayAddress)." : nil
        case .disconnected(_, let reason): error = state.redisError ?? reason
        }
        // Connected but INFO failed (denied by ACL): say why instead of a document of nulls without a reason.
        if error == nil, state.info == nil, let reason = state.redisError { error = reason }
        var staleSeconds: Double?
        if error == nil, let received = state.infoReceivedAt {
            let age = now.timeIntervalSince(received)
            if age > session.intervalSeconds + 0.5 { staleSeconds = age }
            if age > session.intervalSeconds + 2 {
                error = "\(session.productName) at \(session.displayAddress) has not answered for \(Int(age)) s (stalled or too slow)."
            }
        }
        let rates = error == nil ? state.rates : nil
        var document = SnapshotDocument(takenAt: now, target: session.target(info: state.info),
                                        info: error == nil ? state.info : nil, rates: rates,
                                        pingMilliseconds: error == nil ? state.pingMilliseconds : nil, census: census,
                                        logs: state.logs,
                                        findings: session.findings(state, logs: state.logs),
                                        redisError: (error ?? state.redisError).map(session.redact))
        document.staleSeconds = staleSeconds
        if census?.complete == true, let completedAt = state.censusCompletedAt {
            document.censusFreshness = CensusFreshness(completedSecondsAgo: now.timeIntervalSince(completedAt),
                                                       nextPassInSeconds: state.censusNextPassAt.map { $0.timeIntervalSince(now) })
        }
        document.otherCachewatch = state.otherCachewatch
        document.events = state.events.newestFirst
        if let databases = session.databaseCensusView(now: now) { document.addDatabases(databases, session: session, state: state, now: now) }
        return document
    }

    /// Writes one line to stdout and flushes it; false when stdout is closed.
    private func writeLine(_ line: String) -> Bool {
        StandardOutput.write(Array((line + "\n").utf8))
    }
}
