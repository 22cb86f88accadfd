import Foundation
import TestSupport
import XCTest

/// The doctor's findings fired and not fired on real keys of a seeded private redis-server (through `snapshot
/// --json`, whose `findings` the dashboard and `watch` share). The class name contains `SnapshotCLITests` so
/// that filter runs it.
final class DoctorSnapshotCLITests: XCTestCase {
    private static let shared = SharedRedisServer()

    override class func setUp() {
        super.setUp()
        let server = shared.start(.init(extraConfig: ["maxmemory 64mb", "maxmemory-policy allkeys-lru"]))
        var commands: [[String]] = []
        // db 0: the anti-patterns of the guide's "Avoid prefixes that …" list, and a paginated family whose keys were
        // written with 60 s and 300 s on every page (remaining TTLs spread as if written over time).
        for i in 1...30 { commands.append(["SET", "\(i)_comments", "[]x", "EX", "600"]) }
        let queries = ["red running shoes for men", "blue jacket kids", "cheap flights to paris"]
        for i in 1...30 { commands.append(["SET", "search:\(queries[i % 3]) \(i)", "r", "EX", "600"]) }
        for i in 1...30 { commands.append(["SET", "data:\(i)", "d", "EX", "600"]) }
        for i in 1...20 { commands.append(["SET", "cart:\(i):items", "[1]"]) }
        for i in 0..<400 {
            let setting = (i / 4) % 2 == 0 ? 60.0 : 300.0
            let remaining = max(1, Int(Double((i * 7919) % 1000) / 1000 * setting) + 1)
            commands.append(["SET", "user_\(i % 40)_widgets:page_\(i / 40 + 1):size_10:\(i % 40)", "[1]", "EX", String(remaining)])
        }
        // db 1: the guide's healthy shapes only.
        commands.append(["SELECT", "1"])
        for i in 1...300 { commands.append(["SET", "widget:\(i)", "v", "EX", String(60 + (i * 37) % 1740)]) }
        for i in 1...40 { commands.append(["SET", "session:\(UUID().uuidString.lowercased())", "v", "EX", String(80_000 + i)]) }
        for i in 1...12 { commands.append(["SET", "tier:\(i)", "v", "EX", "86400"]) }
        server?.pipe(commands)
    }

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    private var server: RedisServerFixture { get throws { try Self.shared.server } }

    private func findings(_ arguments: [String]) throws -> [[String: Any]] {
        let server = try server
        let result = try CLIRunner.run(["snapshot", "--json", "--interval", "300ms", "-p", String(server.port)] + arguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        return try parseJSONObject(result.stdout)["findings"] as? [[String: Any]] ?? []
    }

    private func codes(_ findings: [[String: Any]]) -> [String] {
        findings.map { "\($0["code"] as? String ?? "?") \($0["pattern"] as? String ?? "-")" }
    }

    func testHealthyShapesRaiseNothing() throws {
        XCTAssertEqual(codes(try findings(["-n", "1", "--full"])), [])
    }

    func testKeyShapeTTLAndMixedSettingsFindingsOnRealKeys() throws {
        let found = try findings(["-n", "0", "--full"])
        let all = Set(codes(found))
        for expected in ["raw-id-prefix {id}_comments", "generic-prefix data:{id}", "no-ttl cart:{id}:items",
                         "mixed-ttl-pages user_{id}_widgets:page_{n}:size_{n}:{id}"] {
            XCTAssertTrue(all.contains(expected), "\(expected) in \(all)")
        }
        XCTAssertTrue(all.contains { $0.hasPrefix("free-text-key search:") }, "\(all)")
        XCTAssertFalse(all.contains { $0.hasPrefix("generic-prefix search") || $0.hasPrefix("raw-id-prefix user_") }, "\(all)")
        let mixed = try XCTUnwrap(found.first { $0["code"] as? String == "mixed-ttl-pages" })
        let evidence = try XCTUnwrap(mixed["evidence"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(evidence["short_ttl_seconds"] as? Double), 60, accuracy: 10)
        XCTAssertEqual(try XCTUnwrap(evidence["long_ttl_seconds"] as? Double), 300, accuracy: 10)
    }

    func testPolicyFindings() throws {
        let server = try server
        defer { _ = server.redisCLI(["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]) }
        _ = server.redisCLI(["CONFIG", "SET", "maxmemory-policy", "volatile-lru"])
        let volatile = try findings(["--no-census"])
        XCTAssertEqual(codes(volatile), ["no-ttl-under-volatile-policy -"])
        let evidence = try XCTUnwrap(volatile.first?["evidence"] as? [String: Any])
        XCTAssertEqual(evidence["keys_without_ttl"] as? Int, 20)
        _ = server.redisCLI(["CONFIG", "SET", "maxmemory-policy", "noeviction"])
        XCTAssertEqual(codes(try findings(["--no-census"])), ["noeviction-cache -"])
        _ = server.redisCLI(["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"])
        XCTAssertEqual(codes(try findings(["--no-census"])), [])
    }

    func testKeysCommandAndErrorsByOtherClientsDuringTheSample() throws {
        let server = try server
        // Another client runs KEYS and gets WRONGTYPE errors while cachewatch samples for 2 s.
        let other = Thread {
            for _ in 0..<8 {
                _ = server.redisCLI(["-n", "1", "KEYS", "tier:*"])
                _ = server.redisCLI(["-n", "1", "LPUSH", "widget:1", "x"])
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        other.start()
        let result = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "2s", "-p", String(server.port)])
        XCTAssertEqual(result.status, 0, result.stderr)
        let found = codes(try parseJSONObject(result.stdout)["findings"] as? [[String: Any]] ?? [])
        XCTAssertTrue(found.contains("keys-command -"), "\(found)")
        XCTAssertTrue(found.contains("errorstats -"), "\(found)")
    }

    func testOOMErrorsAndMemoryNearMax() throws {
        let server = try server
        _ = server.redisCLI(["CONFIG", "SET", "maxmemory-policy", "noeviction"])
        _ = server.redisCLI(["CONFIG", "SET", "maxmemory", "1"])
        defer {
            _ = server.redisCLI(["CONFIG", "SET", "maxmemory", "64mb"])
            _ = server.redisCLI(["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"])
        }
        let writer = Thread {
            for i in 0..<10 {
                _ = server.redisCLI(["-n", "3", "SET", "oom:\(i)", "v"])
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        writer.start()
        let result = try CLIRunner.run(["snapshot", "--json", "--no-census", "--interval", "1500ms", "-p", String(server.port)])
        XCTAssertEqual(result.status, 0, result.stderr)
        let found = try parseJSONObject(result.stdout)["findings"] as? [[String: Any]] ?? []
        let severities = Dictionary(found.map { ($0["code"] as? String ?? "?", $0["severity"] as? String ?? "?") }) { a, _ in a }
        XCTAssertEqual(severities["oom-errors"], "crit", "\(severities)")
        XCTAssertEqual(severities["memory-near-max"], "crit", "\(severities)")
    }
}
