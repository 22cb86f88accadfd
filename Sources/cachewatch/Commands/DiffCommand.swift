import ArgumentParser
import CachewatchCore
import CachewatchUI
import Foundation

/// `cachewatch diff BEFORE AFTER`: what changed in the cache between two `snapshot --json` documents.
struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two `snapshot --json` documents: families that appeared or vanished, key counts, TTLs, new findings.",
        discussion: """
        Take one snapshot before a deploy and one after (`cachewatch snapshot --json --full > before.json`), \
        then `cachewatch diff before.json after.json`. A family counts as changed when its keys or its TTL \
        p50 moved by at least --min-change percent, or its number of keys without TTL changed. Either file \
        may be - (stdin), or RECORDING@TIME: the document of a recording (`cachewatch record`) nearest to TIME \
        (HH:MM[:SS] UTC on the recording's day, or ISO-8601), e.g. `diff deploy.cwrec@14:00 deploy.cwrec@14:30`. Exit status 0 whether or not something changed; 1 when a file cannot be read.
        """,
        helpNames: [.long]
    )

    @Argument(help: "The earlier snapshot document (a file, - for stdin, or RECORDING@TIME).")
    var before: String

    @Argument(help: "The later snapshot document (a file, - for stdin, or RECORDING@TIME).")
    var after: String

    @Flag(name: .long, help: "Print the differences as one JSON document.")
    var json = false

    @Flag(name: .long, help: "With --json: one line instead of indented JSON.")
    var compact = false

    @Option(name: .customLong("min-change"), help: "Percent a family's keys or TTL p50 must move to be listed (0-1000).")
    var minChangePercent: Double = 10

    func validate() throws {
        guard minChangePercent.isFinite, (0...1000).contains(minChangePercent) else {
            throw ValidationError("--min-change must be between 0 and 1000 (percent), not \(minChangePercent).")
        }
        guard !(before == "-" && after == "-") else {
            throw ValidationError("Only one of the two documents can be read from stdin (-).")
        }
    }

    func run() throws {
        let first = try Self.summary(before)
        let second = try Self.summary(after)
        let diff = CensusDiff(before: first, after: second, minimumChangeFraction: minChangePercent / 100)
        let output = BufferedOutput()
        if json {
            output.write((compact ? diff.json.serialized() : diff.json.prettyPrinted()) + "\n")
        } else {
            output.write(DiffText.render(diff, beforeName: Self.displayName(before), afterName: Self.displayName(after)))
        }
        output.flush()
    }

    /// One document read and decoded, or one sentence saying why not.
    static func summary(_ path: String) throws -> SnapshotSummary {
        if let (recording, time) = recordingReference(path) { return try recordedSummary(recording, time: time) }
        do {
            return try SnapshotSummary.decode(try read(path), name: displayName(path))
        } catch let error as SnapshotSummary.DecodeError {
            throw CLIError(error.description)
        }
    }

    /// A path as it may be shown on the terminal.
    static func displayName(_ path: String) -> String {
        path == "-" ? "stdin" : DisplayEscaper.escape(path)
    }

    /// The bytes of a document, or one sentence saying why they cannot be had.
    static func read(_ path: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        guard !path.isEmpty else { throw CLIError("A document path is empty.") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIError("\(displayName(path)) does not exist.")
        }
        guard !isDirectory.boolValue else { throw CLIError("\(displayName(path)) is a directory, not a snapshot document.") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CLIError("Cannot read \(displayName(path)) (permission denied?).")
        }
        defer { try? handle.close() }
        return handle.readDataToEndOfFile()
    }
}
