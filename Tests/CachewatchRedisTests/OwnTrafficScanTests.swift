import CachewatchCore
@testable import CachewatchRedis
import Foundation
import TestSupport
import XCTest

/// The census books every SCAN it sends in `OwnTraffic.scans`, so the app's SCAN rate can leave ours out.
final class OwnTrafficScanTests: XCTestCase {
    func testLedgerAddsScansApart() {
        let ledger = OwnTraffic()
        ledger.add(commands: 10, scans: 1, keyspaceHits: 8, keyspaceMisses: 1)
        ledger.add(commands: 4, keyspaceHits: 4)
        XCTAssertEqual(ledger.current, OwnTraffic.Totals(commands: 14, keyspaceHits: 12, keyspaceMisses: 1, scans: 1))
    }

    func testCensusBooksExactlyTheScansRedisCounted() throws {
        let server = try RedisServerFixture()
        let seeded = server.pipe((1...700).map { ["SET", "widget:\($0)", "v", "EX", "100"] })
        XCTAssertTrue(seeded.contains("errors: 0"), seeded)
        let before = try scanCalls(server)

        let ledger = OwnTraffic()
        let reports = Box<CensusReport>()
        // COUNT 50 (a big budget keeps the page small): a pass takes ~15 SCANs.
        let options = CensusOptions(db: 0, mode: .budgeted(keysPerSecond: 100_000), scanCount: 50, publishIntervalSeconds: 60)
        let runner = CensusRunner(client: RedisClient(endpoint: RedisEndpoint(host: server.host, port: server.port), ownTraffic: ledger),
                                  options: options, onReport: { reports.add($0) }, ownTraffic: ledger)
        runner.start()
        let deadline = Date().addingTimeInterval(30)
        while !reports.all.contains(where: \.complete), Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        // After a complete pass the census waits for the next one: nothing is in flight when it stops.
        runner.stop()
        XCTAssertEqual(reports.all.last { $0.complete }?.scannedKeys, 700)

        let sent = try scanCalls(server) - before
        XCTAssertGreaterThanOrEqual(sent, 14, "700 keys at COUNT 50")
        XCTAssertEqual(ledger.current.scans, sent, "every SCAN Redis counted is booked as ours, and no more")
        XCTAssertGreaterThan(ledger.current.commands, ledger.current.scans)
    }

    /// `cmdstat_scan` calls from `INFO commandstats` (0 before the first SCAN).
    private func scanCalls(_ server: RedisServerFixture) throws -> Int {
        let text = server.redisCLI(["INFO", "commandstats"])
        let info = InfoSnapshot(text: text, takenAt: Date())
        XCTAssertTrue(info.sectionOrder.contains("commandstats"), text)
        return info.commandStats["scan"]?.calls ?? 0
    }
}

/// The client books every command it sends, handshakes included: exactly what Redis counts.
final class OwnTrafficLedgerTests: XCTestCase {
    func testLedgerMatchesRedisTotalCommandsProcessed() throws {
        let server = try RedisServerFixture()
        let before = try totalCommands(server)
        let ledger = OwnTraffic()
        let client = RedisClient(endpoint: RedisEndpoint(host: server.host, port: server.port, db: 2), ownTraffic: ledger)
        _ = try client.send(.ping)
        _ = try client.pipeline([.dbsize, .ping, .type(key: Array("k".utf8)), .pttl(key: Array("k".utf8))])
        let written = try client.write([.ping, .dbsize])
        _ = try client.readReplies(count: 2, of: written)
        client.disconnect()
        _ = try client.send(.ping)   // a second handshake
        let after = try totalCommands(server)
        // CLIENT SETNAME + SELECT twice, 1 + 4 + 2 + 1 commands.
        XCTAssertEqual(ledger.current.commands, 12)
        // Redis counts the test's first INFO too (a command's own INFO reply never includes it).
        XCTAssertEqual(after - before, ledger.current.commands + 1)
    }

    private func totalCommands(_ server: RedisServerFixture) throws -> Int {
        let info = InfoSnapshot(text: server.redisCLI(["INFO", "stats"]), takenAt: Date())
        return try XCTUnwrap(info.totalCommandsProcessed)
    }
}
