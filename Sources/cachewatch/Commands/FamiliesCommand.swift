import ArgumentParser
import CachewatchCore
import Foundation

/// `cachewatch families [FILE|-]`: group keys (one per line) into families, without Redis.
struct Families: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "families",
        abstract: "Group keys read one per line (e.g. from `redis-cli --scan`) into families; no Redis needed.",
        discussion: """
        Prints a table of families (keys, share, pattern), or with --tsv one `key<TAB>pattern` line per \
        input key, in input order (keys escaped: control bytes as \\x1b, invalid UTF-8 as \\xff). Empty \
        lines are skipped.
        """,
        helpNames: [.long]
    )

    @Argument(help: "A file of keys, one per line, or - for stdin.")
    var file: String = "-"

    @Flag(name: .long, help: "One key<TAB>pattern line per input key instead of the table.")
    var tsv = false

    @Option(name: .customLong("max-families"), help: "Families shown before the rest is folded into (other).")
    var maxFamilies: Int = 200

    func run() throws {
        guard (1...CensusAccumulator.maximumFamilies).contains(maxFamilies) else {
            throw CLIError("--max-families must be between 1 and \(CensusAccumulator.maximumFamilies).")
        }
        let data = try readInput()
        let table = FamiliesTable(lines: data, maxFamilies: maxFamilies)
        let output = BufferedOutput()
        if tsv {
            table.writeTSVBytes { output.write(bytes: $0) }
        } else {
            output.write(table.tableText())
        }
        output.flush()
    }

    private func readInput() throws -> [UInt8] {
        if file == "-" {
            return Array(FileHandle.standardInput.readDataToEndOfFile())
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw CLIError("\(DisplayEscaper.escape(file)) does not exist.")
        }
        guard !isDirectory.boolValue else { throw CLIError("\(DisplayEscaper.escape(file)) is a directory, not a file of keys.") }
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw CLIError("Cannot read \(DisplayEscaper.escape(file)) (permission denied?).")
        }
        defer { try? handle.close() }
        return Array(handle.readDataToEndOfFile())
    }
}
