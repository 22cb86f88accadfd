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
        // A plain `swift build` reuses its cached build plan, and with it the commit BuildCommitPlugin wrote when
        // it last planned (make dist and make install always re-plan, and check the commit is HEAD's).
        let hash = String(commit.prefix { $0 != "-" })
        XCTAssertTrue(commit == hash || commit == hash + "-dirty", commit)
        XCTAssertEqual(hash.count, 12, commit)
        XCTAssertTrue(hash.allSatisfy(\.isHexDigit), commit)
        let ancestor = Self.output("/usr/bin/git", ["-C", Self.packageDirectory, "merge-base", "--is-ancestor", hash, "HEAD"])
        XCTAssertNotNil(ancestor, "commit \(commit) is not HEAD (\(head)) or one of its ancestors")
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
