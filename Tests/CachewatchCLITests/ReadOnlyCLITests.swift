import Foundation
import TestSupport
import XCTest

/// Black-box proof that snapshot/watch only read: the server's own `INFO commandstats` before and after, and
/// `CLIENT LIST` naming the connections `cachewatch`.
final class ReadOnlyCLITests: XCTestCase {
    /// Commands cachewatch may send (Redis 7 commandstats names; subcommands as `command|sub`).
    private static let allowed: Set<String> = [
        "info", "ping", "scan", "type", "pttl", "ttl", "strlen", "getrange", "memory|usage", "dbsize", "select", "auth", "hello",
        "client|setname", "client|no-touch", "client|list", "config|get", "slowlog|get", "latency|latest", "readonly",
        "cluster|info", "cluster|nodes", "cluster|shards", "object|encoding", "object|freq", "object|idletime",
        "command", "command|docs", "command|count",
    ]

    private func commandStats(_ server: RedisServerFixture) -> [String: Int] {
        var calls: [String: Int] = [:]
        for line in server.redisCLI(["INFO", "commandstats"]).components(separatedBy: .newlines) where line.hasPrefix("cmdstat_") {
            let parts = line.dropFirst("cmdstat_".count).split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let field = parts[1].split(separator: ",").first, field.hasPrefix("calls="),
                  let count = Int(field.dropFirst("calls=".count)) else { continue }
            calls[String(parts[0])] = count
        }
        return calls
    }

    func testSnapshotAndWatchSendOnlyReadCommandsAndNameThemselves() throws {
        let server: RedisServerFixture
        do { server = try RedisServerFixture() } catch { throw prerequisiteMissing("redis-server could not be started") }
        defer { server.teardown() }
        var seed: [[String]] = (1...200).map { ["SET", "widget:\($0)", "v", "EX", "900"] }
        seed += (1...20).map { ["HSET", "cart:\($0):items", "sku", "1"] }
        seed += [["SELECT", "2"], ["SET", "other", "x"]]
        server.pipe(seed)
        let before = commandStats(server)

        let port = String(server.port)
        let snapshot = try CLIRunner.run(["snapshot", "--json", "--full", "--memory", "--interval", "0.2s", "-p", port])
        XCTAssertEqual(snapshot.status, 0, snapshot.stderr)
        let budgeted = try CLIRunner.run(["snapshot", "--json", "--memory", "--interval", "0.3s", "-p", port, "-n", "2"])
        XCTAssertEqual(budgeted.status, 0, budgeted.stderr)

        let watch = try StreamingCLIProcess(["watch", "--json", "--interval", "0.3s", "--memory", "-p", port])
        defer { watch.send(SIGKILL); _ = watch.waitForExit(timeoutSeconds: 5) }
        XCTAssertTrue(watch.waitForLines(2, timeoutSeconds: 20))
        let clients = server.redisCLI(["CLIENT", "LIST"])
        let named = clients.components(separatedBy: .newlines).filter { $0.contains("name=cachewatch") }
        XCTAssertGreaterThanOrEqual(named.count, 1, "operators see cachewatch in CLIENT LIST: \(clients)")
        XCTAssertNotNil(watch.waitForDocument(timeoutSeconds: 20) {
            (($0["census"] as? [String: Any])?["complete"] as? Bool) == true
        }, "the background census completes a pass")
        watch.send(SIGTERM)
        XCTAssertEqual(watch.waitForExit(timeoutSeconds: 10), 0)

        let after = commandStats(server)
        var used: [String: Int] = [:]
        for (command, calls) in after where calls > (before[command] ?? 0) { used[command] = calls - (before[command] ?? 0) }
        // The test's own redis-cli calls: INFO (commandstats) and CLIENT LIST.
        XCTAssertTrue(used.keys.contains("scan") && used.keys.contains("pttl") && used.keys.contains("type"), "census ran: \(used)")
        XCTAssertTrue(used.keys.contains("memory|usage"), "--memory sampled: \(used)")
        let unexpected = used.keys.filter { !Self.allowed.contains($0) }.sorted()
        XCTAssertEqual(unexpected, [], "only read commands reach Redis: \(used)")
        for write in ["set", "del", "expire", "flushdb", "flushall", "eval", "keys", "monitor", "config|set", "hset"] {
            XCTAssertNil(used[write], "\(write) must never be sent")
        }
        // Values are only measured and, when ≤ 13 bytes, read that far: never fetched whole.
        for read in ["get", "mget", "hgetall", "dump"] { XCTAssertNil(used[read], "\(read) must never be sent") }
        XCTAssertEqual(server.redisCLI(["DBSIZE"]), "220", "the keyspace is untouched")
    }
}
