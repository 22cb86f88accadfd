import CachewatchCore
@testable import CachewatchRedis
import Foundation
import TestSupport
import XCTest

/// A full census goes deep (SCAN 1000, thousands of lookups queued) only while no app uses the server (issue 9
/// §2/§5): at once when `CLIENT LIST` shows every app connection silent for over a second, after watching a second
/// of silence itself otherwise.
final class CensusDepthTests: XCTestCase {
    /// 30,000 keys: about 3,000 SCANs read shallow (SCAN 10), about 30 deep (SCAN 1000).
    private func seededServer() throws -> RedisServerFixture {
        let server = try RedisServerFixture()
        XCTAssertTrue(server.pipe((1...30_000).map { ["SET", "item:\($0)", "v", "EX", "1000"] }).contains("errors: 0"))
        return server
    }

    /// Runs one full census to its complete report and returns how many SCANs it sent.
    private func fullCensusScans(_ server: RedisServerFixture) throws -> Int {
        let scansBefore = server.commandCalls(["scan"])
        let reports = Box<CensusReport>()
        let runner = CensusRunner(client: RedisClient(endpoint: RedisEndpoint(host: server.host, port: server.port)),
                                  options: CensusOptions(mode: .full), onReport: { reports.add($0) })
        runner.start()
        defer { runner.stop() }
        let deadline = Date().addingTimeInterval(60)
        while runner.latestCompleteReport == nil && Date() < deadline { usleep(20_000) }
        let report = try XCTUnwrap(runner.latestCompleteReport, "the full census finished")
        XCTAssertEqual(report.scannedKeys, 30_000)
        XCTAssertEqual(report.families.reduce(0) { $0 + $1.keys }, 30_000, "deep or shallow, the count is exact")
        return server.commandCalls(["scan"]) - scansBefore
    }

    func testOnASilentServerTheFullCensusGoesDeepAtOnce() throws {
        let server = try seededServer()
        // An app connection that has said nothing for over a second does not hold the census back.
        let app = try XCTUnwrap(LoopbackSocket(port: server.port))
        try withExtendedLifetime(app) {
            XCTAssertEqual(app.request("GET item:1\r\n"), "$1\r\nv\r\n")
            // idle= counts ticks of a whole-second clock: more than a second surely shows as idle=2 after 3 s.
            usleep(3_100_000)
            let scans = try fullCensusScans(server)
            XCTAssertLessThan(scans, 100, "deep from the first probe on: SCAN 1000 pages (\(scans) SCANs)")
            XCTAssertEqual(server.commandCalls(["client|list"]), 1, "CLIENT LIST once for the pass")
        }
    }

    func testAfterARecentAppCommandTheFullCensusWatchesASecondOfSilenceFirst() throws {
        let server = try seededServer()
        let app = try XCTUnwrap(LoopbackSocket(port: server.port))
        try withExtendedLifetime(app) {
            XCTAssertEqual(app.request("GET item:1\r\n"), "$1\r\nv\r\n")
            let scans = try fullCensusScans(server)
            // Shallow for its first second: SCAN 10 pages, over a hundred even on a slow machine (deep: about 32).
            XCTAssertGreaterThan(scans, 100, "shallow until a second of silence was seen (\(scans) SCANs)")
        }
    }
}
