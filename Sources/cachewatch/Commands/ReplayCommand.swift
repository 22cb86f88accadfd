import ArgumentParser
import CachewatchCore
import CachewatchRecording
import Foundation

/// `cachewatch replay FILE`: the dashboard on a recording, or its documents as NDJSON (`--json`).
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a recording: the dashboard with a time cursor, or (--json) its documents for scripts.",
        discussion: """
        With --json, prints the recorded documents (NDJSON, census re-inserted: each line exactly as `watch` \
        printed it) whose taken_at lies in [--from, --to]. T is ISO-8601 (2026-11-29T14:03:00Z) or HH:MM[:SS] \
        in UTC on the day the recording started. Without --json, opens the dashboard on the recording: \
        space pause/resume · ← → seek 10 s (shift: 1 min) · + - speed 1×–60× · n N next/previous event · \
        g go to a time · q quit. A truncated or damaged recording replays up to its last complete entry and \
        says so in one sentence on stderr.
        """,
        helpNames: [.long]
    )

    @Argument(help: ArgumentHelp("The recording (written by record, watch --record or the dashboard's --record).", valueName: "file"))
    var file: String

    @Flag(name: .long, help: "Print the documents as NDJSON instead of opening the dashboard.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("First time to print (ISO-8601 or HH:MM[:SS] UTC).", valueName: "T"))
    var from: String?

    @Option(name: .long, help: ArgumentHelp("Last time to print (ISO-8601 or HH:MM[:SS] UTC).", valueName: "T"))
    var to: String?

    @OptionGroup var display: DisplayArguments

    func run() throws {
        if json {
            try printDocuments()
        } else {
            if from != nil || to != nil { throw CLIError("--from and --to apply to replay --json; in the dashboard press g to go to a time.") }
            try ReplayApp.run(path: file, display: display)
        }
    }

    /// `--json`: the documents of the window, one line each.
    private func printDocuments() throws {
        let output = BufferedOutput()
        var window: ClosedRange<Date>?
        var printer = RecordedDocumentPrinter()
        let summary: RecordingReadSummary
        do {
            summary = try RecordingReader.read(path: file, onHeader: { header in
                window = try Self.window(from: from, to: to, start: header.startedAt)
            }, each: { recorded in
                guard let window else { return false }
                if recorded.takenAt > window.upperBound { return false }
                if recorded.takenAt >= window.lowerBound { output.write(printer.line(recorded) + "\n") }
                return true
            })
        } catch let error as RecordingError {
            output.flush()
            throw CLIError(error.description)
        }
        output.flush()
        if let problem = summary.problem { FileHandle.standardError.write(Data("cachewatch: \(problem)\n".utf8)) }
    }

    /// The `[--from, --to]` window; either end open when not given.
    static func window(from: String?, to: String?, start: Date) throws -> ClosedRange<Date> {
        func parse(_ text: String?, flag: String, fallback: Date) throws -> Date {
            guard let text else { return fallback }
            guard let date = RecordingTime.parse(text, recordingStart: start) else {
                throw CLIError("\(flag) \(DisplayEscaper.escape(text)) is not a time (use HH:MM[:SS] in UTC, or ISO-8601 such as 2026-11-29T14:00:00Z).")
            }
            return date
        }
        let lower = try parse(from, flag: "--from", fallback: .distantPast)
        let upper = try parse(to, flag: "--to", fallback: .distantFuture)
        guard lower <= upper else { throw CLIError("--from must not be later than --to.") }
        return lower...upper
    }
}
