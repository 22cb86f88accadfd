import ArgumentParser
import CachewatchCore
import CachewatchTerminal
import Foundation

/// `cachewatch record FILE`: `watch` without stdout, every document written to a recording.
struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record the cache to a file every --interval (headless), for `cachewatch replay` and `cachewatch diff FILE@TIME`.",
        discussion: """
        Writes the document `watch` prints each interval into FILE (gzip, each entry flushed as it is written, \
        so an interrupted recording replays up to its last complete entry). A census is stored only when it \
        changed. An existing FILE is refused unless --force. Stops cleanly on SIGINT and SIGTERM and then \
        prints one line on stderr: how many entries, how big.
        """,
        helpNames: [.long]
    )

    @Argument(help: ArgumentHelp("The recording to create.", valueName: "file"))
    var file: String

    @OptionGroup var monitor: MonitorArguments

    @Flag(name: .long, help: "Replace FILE if it exists.")
    var force = false

    @Flag(name: .long, help: "Skip the background census.")
    var noCensus = false

    @Option(name: .long, help: "Time between entries. (default 1s)")
    var interval: DurationArgument?

    @Option(name: .long, help: "Stop after this many entries (default: run until interrupted).")
    var count: Int?

    func run() throws {
        StopRequest.installHandlers()
        let (session, intervalSeconds) = try monitor.makeStreamingSession(noCensus: noCensus, interval: interval, count: count)
        let recorder = try SessionRecorder(path: file, force: force, session: session, intervalSeconds: intervalSeconds)
        session.start()
        defer { session.stop() }
        do {
            try Watch.loop(session: session, intervalSeconds: intervalSeconds, count: count) { document in
                try recorder.record(document)
                return true
            }
        } catch {
            recorder.finish()
            throw error
        }
        recorder.finish()
        FileHandle.standardError.write(Data("cachewatch: \(recorder.summary)\n".utf8))
    }
}
