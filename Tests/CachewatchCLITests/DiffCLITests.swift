import Foundation
import TestSupport
import XCTest

/// `cachewatch diff` on two real `snapshot --json --full` documents of a private redis-server, taken before
/// and after a "deploy" that renames a family, drops TTLs and shrinks another.
final class DiffCLITests: XCTestCase {
    private var server: RedisServerFixture!
    private var directory: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        do { server = try RedisServerFixture() } catch { throw prerequisiteMissing("redis-server could not be started: \(error)") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-diff-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        server?.teardown()
        if let directory { try? FileManager.default.removeItem(at: directory) }
        super.tearDown()
    }

    private func snapshot(to name: String) throws -> String {
        let result = try CLIRunner.run(["snapshot", "--json", "--full", "--interval", "0.2s", "-p", String(server.port)])
        XCTAssertEqual(result.status, 0, result.stderr)
        let path = directory.appendingPathComponent(name).path
        try Data(result.stdout.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testDiffOfTwoSnapshotsAcrossADeploy() throws {
        var commands: [[String]] = []
        for id in 1...200 { commands.append(["SET", "widget:\(id)", "{}", "EX", "3600"]) }
        for id in 1...40 { commands.append(["SET", "legacy_user:\(id)", "{}", "EX", "600"]) }
        for id in 1...12 { commands.append(["SET", "tier:\(id)", "{}", "EX", "86400"]) }
        server.pipe(commands)
        let before = try snapshot(to: "before.json")

        commands = []
        for id in 1...40 { commands.append(["DEL", "legacy_user:\(id)"]) }
        for id in 1...40 { commands.append(["SET", "user_profile:\(id)", "{}", "EX", "600"]) }
        for id in 101...200 { commands.append(["DEL", "widget:\(id)"]) }
        for id in 1...12 { commands.append(["PERSIST", "tier:\(id)"]) }
        server.pipe(commands)
        let after = try snapshot(to: "after.json")

        let result = try CLIRunner.run(["diff", before, after, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let document = try parseJSONObject(result.stdout)
        XCTAssertEqual(document["appeared"] as? [String], ["user_profile:{id}"])
        XCTAssertEqual(document["vanished"] as? [String], ["legacy_user:{id}"])
        let changed = document["changed"] as? [[String: Any]] ?? []
        XCTAssertEqual(changed.compactMap { $0["pattern"] as? String }, ["widget:{id}", "tier:{id}"])
        XCTAssertEqual(changed.first?["keys_before"] as? Int, 200)
        XCTAssertEqual(changed.first?["keys_after"] as? Int, 100)
        XCTAssertEqual(changed.last?["no_ttl_after"] as? Int, 12)
        let newCodes = (document["findings_new"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        XCTAssertTrue(newCodes.contains("no-ttl"), "\(newCodes)")

        let text = try CLIRunner.run(["diff", before, after])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("Appeared (1)\n  + user_profile:{id}  40 keys"), text.stdout)
        XCTAssertTrue(text.stdout.contains("Vanished (1)\n  - legacy_user:{id}  40 keys"), text.stdout)
        XCTAssertTrue(text.stdout.contains("~ widget:{id}  keys 200 -> 100 (-50%)"), text.stdout)
        XCTAssertTrue(text.stdout.contains("no-ttl 0 -> 12"), text.stdout)

        let same = try CLIRunner.run(["diff", after, "-"], stdin: try Data(contentsOf: URL(fileURLWithPath: after)))
        XCTAssertEqual(same.status, 0, same.stderr)
        XCTAssertTrue(same.stdout.contains("No family appeared, vanished or changed"), same.stdout)
    }

    func testUnreadableDocumentsGiveOneSentenceAndExit1() throws {
        let garbage = directory.appendingPathComponent("garbage.json")
        try Data("\u{1b}]0;pwned\u{07} not json".utf8).write(to: garbage)
        let notSnapshot = directory.appendingPathComponent("other.json")
        try Data("{\"hello\": 1}".utf8).write(to: notSnapshot)
        let cases: [([String], String)] = [
            (["diff", "/nonexistent/a.json", notSnapshot.path], "cachewatch: /nonexistent/a.json does not exist.\n"),
            (["diff", garbage.path, notSnapshot.path], "cachewatch: \(garbage.path) is not valid JSON (expected the output of `cachewatch snapshot --json`).\n"),
            (["diff", notSnapshot.path, notSnapshot.path], "cachewatch: \(notSnapshot.path) is not a cachewatch snapshot document (it has no \"schema\" field).\n"),
            (["diff", directory.path, notSnapshot.path], "cachewatch: \(directory.path) is a directory, not a snapshot document.\n"),
        ]
        for (arguments, expected) in cases {
            let result = try CLIRunner.run(arguments)
            XCTAssertEqual(result.status, 1, arguments.joined(separator: " "))
            XCTAssertEqual(result.stderr, expected)
            XCTAssertEqual(result.stdout, "")
        }
        let usage = try CLIRunner.run(["diff", "-", "-"])
        XCTAssertEqual(usage.status, 64)
        XCTAssertTrue(usage.stderr.contains("Only one of the two documents can be read from stdin"), usage.stderr)
    }
}
