import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TestSupport
import XCTest

/// The fault matrix against `watch` and `snapshot` (issue 8 §4, §7): every test ends with the tool alive (or
/// with one clear sentence), never with old numbers presented as new.
final class FaultMatrixCLITests: RedisCLITestCase {
    private func startWatch(_ extra: [String] = []) throws -> StreamingCLIProcess {
        let process = try launch(["watch", "--json", "--interval", "0.5s", "-p", String(server.port)] + extra)
        XCTAssertNotNil(process.waitForDocument(timeoutSeconds: 20) { $0.redisError == nil && $0["metrics"] is [String: Any] },
                        "watch connected")
        return process
    }

    private func documents(_ watch: StreamingCLIProcess, from: Int, to: Int) -> [[String: Any]] {
        watch.lines[min(from, to)..<min(to, watch.lines.count)].compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.text.utf8)) as? [String: Any]
        }
    }

    private func patterns(_ document: [String: Any]) -> [String] {
        ((census(document)?["families"] as? [[String: Any]]) ?? []).compactMap { $0["pattern"] as? String }
    }

    // MARK: - Stalls

    /// `DEBUG SLEEP 4`: once the poll is late, every document says so (`stale_seconds`, then `error`), and the
    /// stream recovers afterwards.
    func testAStalledRedisIsNeverPresentedAsFresh() throws {
        try startServer(.init(extraConfig: ["enable-debug-command yes"]))
        let watch = try startWatch()
        let sleeper = DispatchGroup()
        sleeper.enter()
        DispatchQueue.global().async { [server] in
            server?.redisCLI(["DEBUG", "SLEEP", "4"])
            sleeper.leave()
        }
        // Documents written well after the stall began (redis-cli may take a moment to start) and before it ends.
        Thread.sleep(forTimeInterval: 2.2)
        let lateFrom = watch.lines.count
        Thread.sleep(forTimeInterval: 1.6)
        let lateTo = watch.lines.count
        sleeper.wait()
        let late = documents(watch, from: lateFrom, to: lateTo)
        XCTAssertFalse(late.isEmpty, "documents keep coming during the stall")
        for document in late {
            XCTAssertTrue(document["stale_seconds"] is Double || document["stale_seconds"] is Int || document.redisError != nil,
                          "old numbers presented as new during the stall: \(document["metrics"] ?? "nil")")
        }
        let afterSleep = watch.lines.count
        XCTAssertNotNil(watch.waitForDocument(after: afterSleep, timeoutSeconds: 15) {
            $0.redisError == nil && $0["stale_seconds"] == nil && $0["metrics"] is [String: Any]
        }, "fresh documents after the stall")
        XCTAssertTrue(watch.isRunning)
    }

    /// `CLIENT KILL` of our connections and `CLIENT PAUSE 3000`: watch carries on and recovers both times.
    func testClientKillAndClientPauseLeaveWatchAlive() throws {
        try startServer()
        server.pipe((1...200).map { ["SET", "widget:\($0)", "v", "EX", "600"] })
        let watch = try startWatch()
        let killed = server.redisCLI(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"])
        XCTAssertGreaterThanOrEqual(Int(killed) ?? 0, 1, "our connections were killed: \(killed)")
        let afterKill = watch.lines.count
        XCTAssertNotNil(watch.waitForDocument(after: afterKill, timeoutSeconds: 15) {
            $0.redisError == nil && $0["metrics"] is [String: Any] && ((self.census($0)?["scanned_keys"] as? Int) ?? 0) > 0
        }, "back after CLIENT KILL")
        XCTAssertEqual(server.redisCLI(["CLIENT", "PAUSE", "3000", "ALL"]), "OK")
        Thread.sleep(forTimeInterval: 3.2)
        let afterPause = watch.lines.count
        XCTAssertNotNil(watch.waitForDocument(after: afterPause, timeoutSeconds: 15) {
            $0.redisError == nil && $0["stale_seconds"] == nil && $0["metrics"] is [String: Any]
        }, "back after CLIENT PAUSE")
        XCTAssertTrue(watch.isRunning)
    }

    /// `CLIENT KILL` of each of our connections in turn (collector, census, ...): after each one `watch` carries on
    /// with fresh numbers and the census goes on.
    func testClientKillOfEachOfOurConnectionsLeavesWatchAlive() throws {
        try startServer()
        server.pipe((1...200).map { ["SET", "widget:\($0)", "v", "EX", "600"] })
        let watch = try startWatch()
        XCTAssertNotNil(watch.waitForDocument(timeoutSeconds: 15) { ((self.census($0)?["scanned_keys"] as? Int) ?? 0) > 0 },
                        "the census started")
        let ours = server.redisCLI(["CLIENT", "LIST"]).split(separator: "\n").filter { $0.contains(" name=cachewatch") }
        let ids = ours.compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("id=") }.map { String($0.dropFirst(3)) }
        }
        XCTAssertGreaterThanOrEqual(ids.count, 2, "our connections: \(ours)")
        for id in ids {
            XCTAssertEqual(server.redisCLI(["CLIENT", "KILL", "ID", id]), "1", "connection \(id)")
            let afterKill = watch.lines.count
            XCTAssertNotNil(watch.waitForDocument(after: afterKill, timeoutSeconds: 15) {
                $0.redisError == nil && $0["stale_seconds"] == nil && $0["metrics"] is [String: Any]
                    && ((self.census($0)?["scanned_keys"] as? Int) ?? 0) > 0
            }, "back after killing connection \(id)")
            XCTAssertTrue(watch.isRunning, "watch died after killing connection \(id)")
        }
    }

    /// Three `watch` processes on one idle Redis (issue 8 §7): each names the others in `metrics.other_cachewatch` and
    /// never raises a finding from their traffic (their censuses SCAN ~10 times a second each: 20/s is above the
    /// `pattern-invalidation` threshold of 10).
    func testOtherWatchesAreCountedAndRaiseNoFinding() throws {
        try startServer()
        server.pipe((1...6000).map { ["SET", "widget:\($0)", "v", "EX", "600"] })
        var others: [StreamingCLIProcess] = []
        defer { for other in others { other.send(SIGKILL); _ = other.waitForExit(timeoutSeconds: 5) } }
        for _ in 0..<2 {
            let other = try StreamingCLIProcess(["watch", "--json", "--interval", "0.5s", "--scan-budget", "300", "-p", String(server.port)])
            others.append(other)
            XCTAssertTrue(other.waitForLines(1, timeoutSeconds: 15))
        }
        let watch = try startWatch(["--scan-budget", "300"])
        let named = watch.waitForDocument(timeoutSeconds: 25) { (($0["metrics"] as? [String: Any])?["other_cachewatch"] as? Int) == 2 }
        XCTAssertNotNil(named, "metrics.other_cachewatch never said 2")
        let from = watch.lines.count
        Thread.sleep(forTimeInterval: 4)
        let documents = documents(watch, from: from, to: watch.lines.count)
        XCTAssertFalse(documents.isEmpty)
        for document in documents {
            let codes = ((document["findings"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
            XCTAssertFalse(codes.contains("pattern-invalidation") || codes.contains("low-hit-ratio"), "finding from the other watches: \(codes)")
        }
        XCTAssertTrue(watch.isRunning && others.allSatisfy(\.isRunning))
    }

    // MARK: - Restart

    /// Redis restarted with other keys: the census of the old keyspace is dropped (no old family, no old count
    /// presented as complete), and the new keyspace is walked.
    func testCensusAfterARestartDescribesTheNewKeyspace() throws {
        try startServer(.init(extraConfig: ["enable-debug-command yes"]))
        XCTAssertEqual(server.redisCLI(["DEBUG", "POPULATE", "3000", "widget"]), "OK")
        let watch = try startWatch(["--scan-budget", "100000"])
        XCTAssertNotNil(watch.waitForDocument(timeoutSeconds: 20) {
            (self.census($0)?["complete"] as? Bool) == true && (self.census($0)?["scanned_keys"] as? Int) == 3000
        }, "the first pass completes")
        try server.restart()
        XCTAssertEqual(server.redisCLI(["DEBUG", "POPULATE", "300", "item"]), "OK")
        let restarted = watch.lines.count
        Thread.sleep(forTimeInterval: 3)
        let settled = watch.lines.count
        let newPass = watch.waitForDocument(after: settled, timeoutSeconds: 20) {
            (self.census($0)?["complete"] as? Bool) == true && (self.census($0)?["scanned_keys"] as? Int) == 300
        }
        XCTAssertNotNil(newPass, "a complete pass of the new keyspace")
        for document in documents(watch, from: settled, to: watch.lines.count) {
            XCTAssertFalse(patterns(document).contains { $0.hasPrefix("widget") },
                           "a family of the old keyspace after the restart: \(patterns(document))")
        }
        _ = restarted
        XCTAssertTrue(watch.isRunning)
    }

    // MARK: - Refusals

    /// SCAN denied by ACL: the document says why the census is missing (a note), exit 0 with the rest.
    func testScanDeniedIsExplainedInTheDocument() throws {
        try assertCensusDenialIsExplained(command: "scan")
    }

    /// PTTL denied by ACL: like SCAN, the census cannot run, and the document says why (a note), exit 0 with the rest.
    func testPTTLDeniedIsExplainedInTheDocument() throws {
        try assertCensusDenialIsExplained(command: "pttl")
    }

    /// `snapshot --json` as a user denied `command`: exit 0, and a census note naming the command and the ACL.
    private func assertCensusDenialIsExplained(command: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let user = "no" + command
        try startServer(.init(aclUsers: ["\(user) on >pw ~* +@all -\(command)"]), seed: [["SET", "widget:1", "v"]])
        let result = try CLIRunner.run(["snapshot", "--json", "--interval", "0.3s", "-p", String(server.port),
                                        "--user", user, "-a", "pw", "--no-auth-warning"])
        XCTAssertEqual(result.status, 0, result.stderr, file: file, line: line)
        let document = try parseJSONObject(result.stdout)
        let notes = (census(document)?["notes"] as? [String]) ?? []
        XCTAssertTrue(notes.contains { $0.contains("'\(command)'") && $0.contains("ACL") }, "census notes: \(notes)", file: file, line: line)
    }

    /// INFO denied: watch documents carry the reason instead of nulls without one.
    func testInfoDeniedIsExplainedByWatch() throws {
        try startServer(.init(aclUsers: ["noinfo on >pw ~* +@all -info"]))
        let process = try launch(["watch", "--json", "--interval", "0.5s", "-p", String(server.port),
                                  "--user", "noinfo", "-a", "pw", "--no-auth-warning"])
        let document = process.waitForDocument(timeoutSeconds: 15) { $0.redisError != nil }
        XCTAssertTrue(document?.redisError?.contains("'info'") == true, "why there are no numbers: \(document?.redisError ?? "nil")")
    }

    /// maxclients reached at start: the server's own reason, in one sentence.
    func testMaxClientsAtStartIsNamed() throws {
        try startServer(.init(extraConfig: ["maxclients 1"]))
        let holder = try connectRawClient(port: server.port)
        defer { close(holder) }
        Thread.sleep(forTimeInterval: 0.2)
        let result = try CLIRunner.run(["snapshot", "--json", "--interval", "0.2s", "-p", String(server.port)])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("max number of clients reached"), result.stderr)
        XCTAssertEqual(result.stderr.components(separatedBy: "\n").filter { !$0.isEmpty }.count, 1, result.stderr)
    }

    /// maxclients reached mid-run (our connections killed while the server is full): the documents name the reason,
    /// watch stays alive, and recovers once a slot is free.
    func testMaxClientsMidRunIsNamedAndRecovered() throws {
        try startServer()
        let watch = try startWatch(["--no-census"])
        let holder = try connectRawClient(port: server.port)
        var holderOpen = true
        defer { if holderOpen { close(holder) } }
        let ids = server.redisCLI(["CLIENT", "LIST"]).components(separatedBy: "\n")
            .filter { $0.contains("name=cachewatch") }
            .compactMap { $0.split(separator: " ").first { $0.hasPrefix("id=") }.map { String($0.dropFirst(3)) } }
        XCTAssertFalse(ids.isEmpty)
        // One redis-cli session: the server is full once it leaves (the holder alone), then our connections go.
        let script = "CONFIG SET maxclients 1\n" + ids.map { "CLIENT KILL ID \($0)\n" }.joined()
        _ = server.redisCLI([], stdin: script)
        let killedAt = watch.lines.count
        let refused = watch.waitForDocument(after: killedAt, timeoutSeconds: 15) {
            $0.redisError?.contains("max number of clients reached") == true
        }
        XCTAssertNotNil(refused, "the reason is read from the server's reply: \(watch.lines.suffix(2).map(\.text))")
        close(holder)
        holderOpen = false
        _ = server.redisCLI(["CONFIG", "SET", "maxclients", "100"])
        let freedAt = watch.lines.count
        XCTAssertNotNil(watch.waitForDocument(after: freedAt, timeoutSeconds: 15) { $0.redisError == nil && $0["metrics"] is [String: Any] },
                        "back once a slot is free (within the 5 s back-off)")
        XCTAssertTrue(watch.isRunning)
    }

    /// A plain TCP client holding one of the server's slots.
    private func connectRawClient(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(connected, 0)
        return descriptor
    }

    /// A database the server does not have: one sentence naming it.
    func testMissingDatabaseIsNamed() throws {
        try startServer()
        let result = try CLIRunner.run(["snapshot", "--interval", "0.2s", "-p", String(server.port), "-n", "99"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("has no database 99"), result.stderr)
    }
}
