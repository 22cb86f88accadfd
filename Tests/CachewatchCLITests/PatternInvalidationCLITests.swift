import Foundation
import TestSupport
import XCTest

/// `metrics.app_scan_per_second`: the app's SCANs (pattern invalidation) are counted, cachewatch's own census
/// SCANs are not. The "app" here is redis-cli looping `SCAN 0 MATCH x* COUNT 100`, as the boilerplate's
/// `pattern_to_invalidate_extra` does. (The class name contains `SnapshotCLITests` so that filter runs it.)
final class PatternInvalidationSnapshotCLITests: XCTestCase {
    private static let shared = SharedRedisServer()

    override class func setUp() {
        super.setUp()
        let server = shared.start()
        // 5,000 keys: at --scan-budget 1000 (COUNT 100) the census SCANs ~10 times a second for 5 s.
        server?.pipe((1...5_000).map { ["SET", "widget:\($0)", "v", "EX", "3600"] })
    }

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    private var server: RedisServerFixture { get throws { try Self.shared.server } }

    /// `cmdstat_scan` calls, read by the test through redis-cli.
    private func scanCalls(_ server: RedisServerFixture) -> Int {
        let line = server.redisCLI(["INFO", "commandstats"]).components(separatedBy: .newlines)
            .first { $0.hasPrefix("cmdstat_scan:") } ?? ""
        guard let calls = line.split(separator: ",").first?.split(separator: "=").last else { return 0 }
        return Int(calls) ?? 0
    }

    private func snapshot(_ server: RedisServerFixture) throws -> [String: Any] {
        let result = try CLIRunner.run(["snapshot", "--json", "--interval", "1s", "--scan-budget", "1000", "-p", String(server.port)])
        XCTAssertEqual(result.status, 0, result.stderr)
        return try parseJSONObject(result.stdout)
    }

    private func codes(_ document: [String: Any]) -> [String] {
        (document["findings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
    }

    func testOwnCensusScansAreNotCountedAsTheApps() throws {
        let server = try server
        let before = scanCalls(server)
        let document = try snapshot(server)
        let ours = scanCalls(server) - before
        XCTAssertGreaterThanOrEqual(ours, 5, "the census SCANned through the interval (COUNT 100 over 5,000 keys)")
        let metrics = try XCTUnwrap(document["metrics"] as? [String: Any])
        let appScans = try XCTUnwrap(metrics["app_scan_per_second"] as? Double, "a number: \(metrics)")
        // Our SCANs are booked as they are sent, so one still in flight at the second INFO can only make this lower;
        // the bound allows for one run by Redis in the instant between the write and its booking.
        XCTAssertLessThan(appScans, 1.5, "our \(ours) SCANs are not the app's")
        XCTAssertEqual(metrics["del_per_second"] as? Double, 0, "cachewatch never sends DEL")
        XCTAssertFalse(codes(document).contains("pattern-invalidation"))
    }

    func testAppScansAreCountedAndReported() throws {
        let server = try server
        // The app: SCAN every 10 ms (~100/s) and DEL of a missing key alongside, for a few seconds at most.
        let loops = [["SCAN", "0", "MATCH", "x*", "COUNT", "100"], ["DEL", "x:gone"]].map { command -> Process in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["redis-cli", "-h", server.host, "-p", String(server.port), "-r", "500", "-i", "0.01"] + command
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            return process
        }
        defer {
            for process in loops where process.isRunning { process.terminate() }
            for process in loops { process.waitUntilExit() }
        }
        let before = scanCalls(server)
        for process in loops { try process.run() }
        // Start measuring once the app's SCANs reach Redis.
        let deadline = Date().addingTimeInterval(10)
        while scanCalls(server) < before + 3, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        XCTAssertTrue(loops.allSatisfy(\.isRunning), "the SCAN loop outlasts the snapshot")

        let document = try snapshot(server)
        XCTAssertTrue(loops.allSatisfy(\.isRunning), "the SCAN loop ran through the whole interval")
        let metrics = try XCTUnwrap(document["metrics"] as? [String: Any])
        let appScans = try XCTUnwrap(metrics["app_scan_per_second"] as? Double, "a number: \(metrics)")
        XCTAssertGreaterThan(appScans, 1.5, "the app's SCANs are counted")
        XCTAssertGreaterThan(try XCTUnwrap(metrics["del_per_second"] as? Double), 1.5, "the app's DELs are counted")
        // The finding follows the same number: above 10 SCAN/s the document says so.
        XCTAssertEqual(codes(document).contains("pattern-invalidation"), appScans > 10, "\(appScans) SCAN/s: \(codes(document))")
        if appScans > 10 {
            let finding = (document["findings"] as? [[String: Any]])?.first { $0["code"] as? String == "pattern-invalidation" }
            XCTAssertEqual(finding?["severity"] as? String, "warn")
            XCTAssertTrue(finding?["pattern"] is NSNull)
            XCTAssertTrue((finding?["message"] as? String)?.contains("SCAN/s (pattern invalidation)") ?? false)
        }
    }
}
