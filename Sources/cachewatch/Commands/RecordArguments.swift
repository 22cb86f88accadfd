import ArgumentParser

/// `--record FILE` and `--force` on `watch` and the dashboard.
struct RecordArguments: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Also write every interval's document to this recording (replay it with `cachewatch replay`).",
                                            valueName: "file"))
    var record: String?

    @Flag(name: .long, help: "With --record: replace the file if it exists (otherwise an existing file is refused).")
    var force = false

    func validate() throws {
        if force && record == nil { throw ValidationError("--force only applies with --record FILE.") }
    }

    /// The recorder for a session, nil without --record.
    func makeRecorder(session: MonitoringSession, intervalSeconds: Double) throws -> SessionRecorder? {
        guard let record else { return nil }
        return try SessionRecorder(path: record, force: force, session: session, intervalSeconds: intervalSeconds)
    }
}
