import Foundation
import XCTest

/// `cachewatch --version`: the release, the commit it was built from, the C libraries it was built
/// against, and whether the Swift runtime is linked in, each checked against the system it runs on.
final class VersionCLITests: XCTestCase {
    private var fields: [String: String] = [:]
    private var firstLine = ""

    override func setUpWithError() throws {
        let result = try CLIRunner.run(["--version"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        firstLine = lines.first ?? ""
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { XCTFail("not name: value: \(line)"); continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }

    func testFirstLineIsNameAndSemanticVersion() {
        let parts = firstLine.split(separator: " ")
        XCTAssertEqual(parts.count, 2, firstLine)
        XCTAssertEqual(parts.first, "cachewatch")
        let numbers = parts.last?.split(separator: ".") ?? []
        XCTAssertEqual(numbers.count, 3, "major.minor.patch: \(firstLine)")
        XCTAssertTrue(numbers.allSatisfy { UInt($0) != nil }, firstLine)
        XCTAssertEqual(Array(fields.keys).sorted(), ["commit", "hiredis", "ncurses", "swift runtime"])
    }

    func testCommitIsTheCheckedOutOne() throws {
        let commit = try XCTUnwrap(fields["commit"])
        let head = Self.output("/usr/bin/git", ["-C", Self.packageDirectory, "rev-parse", "--short=12", "HEAD"])
        guard let head, !head.isEmpty else {
            XCTAssertEqual(commit, "unknown", "no git checkout here")
            return
        }
        if commit == head || commit == head + "-dirty" { return }
        // A binary built before the latest local commit names an ancestor of HEAD (CI builds the checked-out one).
        let plain = commit.hasSuffix("-dirty") ? String(commit.dropLast(6)) : commit
        let ancestor = Self.output("/usr/bin/git", ["-C", Self.packageDirectory, "merge-base", "--is-ancestor", plain, "HEAD"])
        XCTAssertNotNil(ancestor, "commit \(commit) is neither HEAD (\(head)) nor one of its ancestors")
    }

    func testLibraryVersionsAreTheOnesBuiltAgainst() throws {
        guard let hiredis = Self.output("/usr/bin/pkg-config", ["--modversion", "hiredis"]),
              let ncurses = Self.output("/usr/bin/pkg-config", ["--modversion", "ncursesw"]) else {
            throw XCTSkip("pkg-config cannot name the hiredis and ncursesw versions")
        }
        XCTAssertEqual(fields["hiredis"], hiredis)
        XCTAssertEqual(fields["ncurses"], ncurses)
    }

    func testSwiftRuntimeLineMatchesHowTheBinaryIsLinked() throws {
        let ldd = try XCTUnwrap(Self.output("/usr/bin/ldd", [CLIRunner.binaryPath]))
        let runtime = try XCTUnwrap(fields["swift runtime"])
        if ldd.contains("libswiftCore.so") {
            XCTAssertTrue(runtime.hasPrefix("shared"), runtime)
        } else {
            XCTAssertEqual(runtime, "static")
        }
    }

    /// The repository root (three levels above this file).
    private static var packageDirectory: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    /// A program's trimmed stdout, or nil when it is missing or fails.
    private static func output(_ executable: String, _ arguments: [String]) -> String? {
        guard FileManager.default.isExecutableFile(atPath: executable) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
