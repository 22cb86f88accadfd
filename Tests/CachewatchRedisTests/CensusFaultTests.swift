import CachewatchCore
@testable import CachewatchRedis
import Foundation
import TestSupport
import XCTest

/// Faults found by hand (issue 8 §7): a restart mid-pass, a stall mid-pass, maxclients, PTTL denied.
final class CensusFaultTests: XCTestCase {
    private func endpoint(_ server: RedisServerFixture) -> RedisEndpoint {
        RedisEndpoint(host: server.host, port: server.port)
    }

    /// Redis killed mid-pass and restarted with other keys: the pass is dropped, and the next complete report
    /// describes only the new keyspace (no family of the old one, the new count).
    func testRestartMidPassStartsANewPass() throws {
        let server = try RedisServerFixture(options: .init(extraConfig: ["enable-debug-command yes"]))
        XCTAssertEqual(server.redisCLI(["DEBUG", "POPULATE", "20000", "widget"]), "OK")
        let reports = Box<CensusReport>()
        let options = CensusOptions(mode: .budgeted(keysPerSecond: 4000), publishIntervalSeconds: 0.1, minimumPassSeconds: 0.1)
        let runner = CensusRunner(client: RedisClient(endpoint: endpoint(server), initialBackoffSeconds: 0.05, maxBackoffSeconds: 0.2),
                                  options: options, onReport: { reports.add($0) })
        runner.start()
        defer { runner.stop() }
        var deadline = Date().addingTimeInterval(15)
        while (reports.all.last?.scannedKeys ?? 0) < 2000 && Date() < deadline { usleep(20_000) }
        XCTAssertFalse(reports.all.contains { $0.complete }, "the first pass should still be running")
        try server.restart()
        XCTAssertEqual(server.redisCLI(["DEBUG", "POPULATE", "2000", "item"]), "OK")
        let restartedAt = reports.count
        deadline = Date().addingTimeInterval(20)
        while !reports.all.dropFirst(restartedAt).contains(where: { $0.complete }) && Date() < deadline { usleep(20_000) }
        let complete = try XCTUnwrap(reports.all.dropFirst(restartedAt).first { $0.complete }, "no complete pass after the restart")
        XCTAssertEqual(complete.scannedKeys, 2000)
        XCTAssertFalse(complete.families.contains { $0.pattern.hasPrefix("widget") },
                       "a family of the old keyspace: \(complete.families.map(\.pattern))")
    }

    /// A server at maxclients: the reason is read from its reply, the outage start is kept and retries back off.
    func testMaxClientsIsNamedAndBackedOff() throws {
        let server = try RedisServerFixture(options: .init(extraConfig: ["maxclients 1"]))
        let holder = RedisClient(endpoint: endpoint(server))
        XCTAssertEqual(try holder.send(.ping), .status("PONG"))
        func rejected() throws -> Int {
            let text = try XCTUnwrap(holder.send(.info(section: "stats")).stringValue)
            return InfoSnapshot(text: text, takenAt: Date()).rejectedConnections ?? -1
        }
        let before = try rejected()
        let client = RedisClient(endpoint: endpoint(server), initialBackoffSeconds: 0.05, maxBackoffSeconds: 5)
        XCTAssertThrowsError(try client.send(.ping)) { error in
            XCTAssertEqual(error as? RedisError, .maxClients(address: "127.0.0.1:\(server.port)"))
        }
        guard case .disconnected(let since, let reason)? = Optional(client.state) else { return XCTFail("state \(client.state)") }
        XCTAssertEqual(reason, "max number of clients reached")
        let until = Date().addingTimeInterval(3)
        while Date() < until {
            _ = try? client.send(.ping)
            usleep(50_000)
        }
        guard case .disconnected(let laterSince, _) = client.state else { return XCTFail("state \(client.state)") }
        XCTAssertEqual(laterSince, since, "the outage start moved with each retry")
        // 0.05 s doubling: about 6 attempts in 3 s, not one per call (60).
        XCTAssertLessThanOrEqual(try rejected() - before, 8)
    }

    /// `DEBUG SLEEP` mid-pass: once Redis answers again the budgeted census reads at its budget or less, never a
    /// catch-up burst paying back the time the stall took (issue 8 §7, "Bursts above --scan-budget").
    func testStallMidPassGivesNoBurstAboveTheBudget() throws {
        let server = try RedisServerFixture(options: .init(extraConfig: ["enable-debug-command yes"]))
        XCTAssertEqual(server.redisCLI(["DEBUG", "POPULATE", "30000", "widget"]), "OK")
        let budget = 2000
        let samples = Box<(at: Date, keys: Int)>()
        let options = CensusOptions(mode: .budgeted(keysPerSecond: budget), publishIntervalSeconds: 0.05, minimumPassSeconds: 60)
        let runner = CensusRunner(client: RedisClient(endpoint: endpoint(server)), options: options, onReport: { _ in },
                                  onProgress: { samples.add((Date(), $0.scannedKeys)) })
        runner.start()
        defer { runner.stop() }
        var deadline = Date().addingTimeInterval(15)
        while (samples.all.last?.keys ?? 0) < 1500 && Date() < deadline { usleep(20_000) }
        XCTAssertGreaterThanOrEqual(samples.all.last?.keys ?? 0, 1500, "the pass did not get going")
        // The stall: 2 s, in which a pacer that pays back lost time would bank 4,000 keys.
        XCTAssertEqual(server.redisCLI(["DEBUG", "SLEEP", "2"]), "OK")
        let stallEnded = Date()
        deadline = stallEnded.addingTimeInterval(4)
        while Date() < deadline { usleep(50_000) }
        let after = samples.all.filter { $0.at >= stallEnded }
        let first = try XCTUnwrap(after.first, "no progress after the stall")
        let page = options.effectiveScanCount
        // Any stretch after the stall: at most the budget for its length, plus the pages in flight at its ends.
        for sample in after where sample.at.timeIntervalSince(first.at) >= 0.5 {
            let seconds = sample.at.timeIntervalSince(first.at)
            let allowed = Double(budget) * seconds + Double(3 * page)
            XCTAssertLessThanOrEqual(Double(sample.keys - first.keys), allowed,
                                     "\(sample.keys - first.keys) keys in \(seconds) s after the stall (budget \(budget)/s)")
        }
        XCTAssertGreaterThan(after.last?.keys ?? 0, first.keys, "the census carried on after the stall")
    }

    /// PTTL denied by ACL: the census cannot run without it and says so in one clear error naming the command.
    func testPTTLDeniedIsOneClearError() throws {
        let server = try RedisServerFixture(options: .init(aclUsers: ["nopttl on >pw ~* +@all -pttl"]))
        server.pipe([["SET", "widget:1", "v", "EX", "60"]])
        let client = RedisClient(endpoint: RedisEndpoint(host: server.host, port: server.port, username: "nopttl", password: "pw"))
        XCTAssertThrowsError(try CensusRunner.runFull(client: client, db: 0, memory: false)) { error in
            guard let error = error as? RedisError, case .noPermission = error else { return XCTFail("\(error)") }
            XCTAssertTrue(error.message.contains("'pttl'"), error.message)
        }
    }
}
