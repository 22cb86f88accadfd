import Foundation
import XCTest

/// `cachewatch families [FILE|-]`: offline family inference from a key list, table and TSV output, hostile bytes,
/// errors, and a reader that goes away (`| head -1`).
final class FamiliesCLITests: XCTestCase {
    private var directory: TempDirectory!

    override func setUpWithError() throws {
        directory = try TempDirectory("families")
    }

    override func tearDown() {
        directory?.cleanup()
        directory = nil
        super.tearDown()
    }

    /// 12 widgets, 8 paginated user lists, 5 sessions, 1 singleton, an empty line, hostile keys (ESC, invalid UTF-8).
    private lazy var keyLines: [[UInt8]] = {
        var lines: [[UInt8]] = []
        for id in 1...12 { lines.append(Array("widget:\(id * 13)".utf8)) }
        for user in 1...4 { for page in 1...2 { lines.append(Array("user_\(user)_widgets:page_\(page):size_10:\(user)".utf8)) } }
        for _ in 1...5 { lines.append(Array("session:\(UUID().uuidString.lowercased())".utf8)) }
        lines.append(Array("top_widgets".utf8))
        lines.append([])
        lines.append(Array("evil:".utf8) + [0x1B] + Array("]0;pwned".utf8) + [0x07] + Array(":1".utf8))
        lines.append(Array("bin:".utf8) + [0xC3, 0x28, 0xFF] + Array(":2".utf8))
        return lines
    }()

    private var keyData: Data {
        Data(keyLines.map { $0 + [0x0A] }.joined())
    }

    func testTSVHasOneLinePerNonEmptyKeyInOrder() throws {
        let path = directory.file("keys.txt")
        try keyData.write(to: URL(fileURLWithPath: path))
        let fromFile = try CLIRunner.run(["families", "--tsv", path])
        XCTAssertEqual(fromFile.status, 0, fromFile.stderr)
        let fromStdin = try CLIRunner.run(["families", "--tsv", "-"], stdin: keyData)
        XCTAssertEqual(fromStdin.status, 0, fromStdin.stderr)
        let implicitStdin = try CLIRunner.run(["families", "--tsv"], stdin: keyData)
        XCTAssertEqual(implicitStdin.status, 0, implicitStdin.stderr)
        XCTAssertEqual(fromFile.stdout, fromStdin.stdout, "file and stdin agree")
        XCTAssertEqual(fromFile.stdout, implicitStdin.stdout)

        XCTAssertTrue(fromFile.stdout.hasSuffix("\n"))
        let lines = fromFile.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        let nonEmpty = keyLines.filter { !$0.isEmpty }
        XCTAssertEqual(lines.count, nonEmpty.count, "one line per non-empty input key")
        for (line, key) in zip(lines, nonEmpty) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(fields.count, 2, "key<TAB>pattern: \(line.debugDescription)")
            if let ascii = String(bytes: key, encoding: .ascii), key.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
                XCTAssertEqual(fields.first, ascii, "keys in input order")
            }
        }
        let patterns = lines.map { $0.split(separator: "\t", omittingEmptySubsequences: false).last.map(String.init) ?? "" }
        XCTAssertEqual(Array(patterns[0..<12]), Array(repeating: "widget:{id}", count: 12))
        XCTAssertEqual(Array(patterns[12..<20]), Array(repeating: "user_{id}_widgets:page_{n}:size_{n}:{id}", count: 8))
        XCTAssertEqual(Array(patterns[20..<25]), Array(repeating: "session:{uuid}", count: 5))
        XCTAssertEqual(patterns[25], "top_widgets")

        // Hostile bytes escaped, never raw.
        XCTAssertFalse(fromFile.stdout.contains("\u{1B}"))
        XCTAssertFalse(fromFile.stdout.contains("\u{07}"))
        XCTAssertFalse(fromFile.stdout.contains("\u{FFFD}"), "invalid UTF-8 is escaped, not replaced")
        XCTAssertTrue(lines[26].hasPrefix("evil:\\x1b]0;pwned\\x07:1\t"), lines[26])
        XCTAssertTrue(lines[27].hasPrefix("bin:\\xc3(\\xff:2\t"), lines[27])
    }

    func testTableCountsFamilies() throws {
        let result = try CLIRunner.run(["families"], stdin: keyData)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stdout.contains("\u{1B}"))
        let rows = result.stdout.split(separator: "\n").map(String.init)
        func count(of pattern: String) -> Int? {
            guard let row = rows.first(where: { $0.hasSuffix("  " + pattern) }) else { return nil }
            return Int(row.split(separator: " ").first ?? "")
        }
        XCTAssertEqual(count(of: "widget:{id}"), 12, result.stdout)
        XCTAssertEqual(count(of: "user_{id}_widgets:page_{n}:size_{n}:{id}"), 8, result.stdout)
        XCTAssertEqual(count(of: "session:{uuid}"), 5, result.stdout)
        XCTAssertEqual(count(of: "top_widgets"), 1, result.stdout)
        XCTAssertTrue(result.stdout.contains("28 keys"), "total of non-empty keys: \(result.stdout)")
        XCTAssertTrue(result.stdout.contains("1 empty line"), result.stdout)
    }

    func testEmptyInputIsNotAnError() throws {
        let result = try CLIRunner.run(["families", "--tsv"], stdin: Data())
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "")
        let table = try CLIRunner.run(["families"], stdin: Data("\n\n".utf8))
        XCTAssertEqual(table.status, 0, table.stderr)
        assertNoCrash(table)
    }

    func testMissingFileAndDirectoryGiveOneSentence() throws {
        let missing = try CLIRunner.run(["families", directory.file("nope.txt")])
        assertOneSentenceError(missing)
        XCTAssertTrue(missing.stderr.contains("nope.txt"), missing.stderr)

        let folder = try CLIRunner.run(["families", directory.path])
        assertOneSentenceError(folder)

        let badMax = try CLIRunner.run(["families", "--max-families", "0"], stdin: keyData)
        assertOneSentenceError(badMax)
    }

    func testClosedStdoutDoesNotCrash() throws {
        let path = directory.file("many.txt")
        var text = ""
        for id in 0..<100_000 { text += "widget:\(id)\n" }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        for mode in ["--tsv", ""] {
            let script = "'\(CLIRunner.binaryPath)' families \(mode) '\(path)' | head -1; echo \"status=${PIPESTATUS[0]}\" >&2"
            let result = try runShell(script)
            XCTAssertEqual(result.status, 0)
            XCTAssertEqual(result.stdout.split(separator: "\n").count, 1, "head printed one line: \(result.stdout)")
            let status = result.stderr.components(separatedBy: "status=").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            XCTAssertNotNil(status, result.stderr)
            XCTAssertLessThan(status ?? 999, 128, "cachewatch was not killed by a signal (\(mode)): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("Fatal error"), result.stderr)
            XCTAssertFalse(result.stderr.contains("cachewatch:"), "no error message for a reader that left: \(result.stderr)")
        }
    }

    /// Runs a bash script (for pipelines); returns status, stdout, stderr.
    private func runShell(_ script: String) throws -> CLIRunner.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let group = DispatchGroup()
        final class Box: @unchecked Sendable { var out = Data(); var err = Data() }
        let box = Box()
        group.enter()
        DispatchQueue.global().async { box.out = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { box.err = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        process.waitUntilExit()
        group.wait()
        return CLIRunner.Result(status: process.terminationStatus, stdout: String(decoding: box.out, as: UTF8.self),
                                stderr: String(decoding: box.err, as: UTF8.self))
    }
}
