import Foundation
import XCTest
@testable import CachewatchCore

final class SnapshotDocumentTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_795_733_793) // 2026-11-26T…Z

    private func keys(_ value: JSONValue?) -> [String] {
        guard case let .object(pairs)? = value else { return [] }
        return pairs.map(\.0)
    }

    private func fixture(_ name: String, at offset: Double = 0) throws -> InfoSnapshot {
        InfoSnapshot(text: try InfoFixtures.text(name), takenAt: t0.addingTimeInterval(offset))
    }

    // MARK: - Shape

    func testFieldNamesAndOrderWithEverything() throws {
        let info = try fixture("info-redis7.txt")
        let rates = InfoRates.between(try fixture("info-redis7.txt", at: -1), info)
        let census = CensusReport(db: 0, complete: true, scannedKeys: 16, estimatedKeys: 16, families: [], forecast: [])
        let logs = LogsReport(sources: [], failOpen: FailOpenSummary())
        let finding = Finding(severity: .warn, code: "no-ttl", pattern: "config:{name}", message: "4 keys have no TTL.")
        let document = SnapshotDocument(takenAt: t0, target: TargetDescription(address: "127.0.0.1:6379", db: 0), info: info,
                                        rates: rates, pingMilliseconds: 0.25, census: census, logs: logs, findings: [finding],
                                        redisError: "Redis answered INFO but the census failed.")
        let json = document.json
        XCTAssertEqual(keys(json), ["schema", "taken_at", "target", "server", "metrics", "keyspace", "census", "logs", "findings", "error"])
        XCTAssertEqual(keys(json["target"]), ["kind", "address", "db", "mode"])
        XCTAssertEqual(keys(json["server"]), ["version", "uptime_seconds", "role", "maxmemory_bytes", "maxmemory_policy",
                                              "name", "redis_version"])
        XCTAssertEqual(keys(json["metrics"]), ["ops_per_second", "hits_per_second", "misses_per_second", "hit_ratio", "used_memory_bytes",
                                               "expired_keys_per_second", "evicted_keys_per_second", "connected_clients",
                                               "blocked_clients", "ping_ms", "app_scan_per_second", "del_per_second", "other_cachewatch"])
        guard case let .array(keyspace)? = json["keyspace"] else { return XCTFail("keyspace is not an array") }
        XCTAssertEqual(keyspace.map(keys), [["db", "keys", "expires", "avg_ttl_ms"], ["db", "keys", "expires", "avg_ttl_ms"]])
        XCTAssertEqual(json["census"], census.json)
        XCTAssertEqual(json["logs"], logs.json)
        XCTAssertEqual(json["findings"], .array([finding.json]))
        XCTAssertTrue(json.serialized().hasPrefix(#"{"schema":1,"taken_at":""# + ISOTime.format(t0) + #"","target":{"kind":"redis","#))
    }

    func testOptionalPartsAreLeftOut() throws {
        let document = SnapshotDocument(takenAt: t0, target: TargetDescription(address: "h:1", db: 0), info: try fixture("info-redis6.txt"),
                                        rates: nil, pingMilliseconds: nil, census: nil, logs: nil, redisError: nil)
        XCTAssertEqual(keys(document.json), ["schema", "taken_at", "target", "server", "metrics", "keyspace", "findings"])
        XCTAssertEqual(document.json["findings"], .array([]))
    }

    // MARK: - Values

    func testValuesComeFromInfoAndRates() throws {
        let text = try InfoFixtures.text("info-redis7.txt")
        let raw = InfoFixtures.naive(text)
        let before = InfoSnapshot(text: text, takenAt: t0)
        // The same server two seconds later: 40 more commands, 6 hits, 2 misses.
        let laterText = text
            .replacingOccurrences(of: "total_commands_processed:57", with: "total_commands_processed:97")
            .replacingOccurrences(of: "keyspace_hits:19", with: "keyspace_hits:25")
            .replacingOccurrences(of: "keyspace_misses:4", with: "keyspace_misses:6")
        let after = InfoSnapshot(text: laterText, takenAt: t0.addingTimeInterval(2))
        let document = SnapshotDocument(takenAt: t0, target: TargetDescription(address: "127.0.0.1:52927", db: 3), info: after,
                                        rates: InfoRates.between(before, after), pingMilliseconds: 0.5, census: nil, logs: nil,
                                        redisError: nil)
        let json = document.json
        XCTAssertEqual(json["schema"], .int(1))
        XCTAssertEqual(json["taken_at"], .string(ISOTime.format(t0)))
        XCTAssertEqual(json["target"], .object([("kind", .string("redis")), ("address", .string("127.0.0.1:52927")),
                                                ("db", .int(3)), ("mode", .string("standalone"))]))
        XCTAssertEqual(json["server"]?["version"], .string(raw["server"]!["redis_version"]!))
        XCTAssertEqual(json["server"]?["uptime_seconds"], .int(Int(raw["server"]!["uptime_in_seconds"]!)!))
        XCTAssertEqual(json["server"]?["role"], .string("master"))
        XCTAssertEqual(json["server"]?["maxmemory_bytes"], .int(0))
        XCTAssertEqual(json["server"]?["maxmemory_policy"], .string("noeviction"))
        XCTAssertEqual(json["metrics"]?["ops_per_second"], .double(20))
        XCTAssertEqual(json["metrics"]?["hits_per_second"], .double(3))
        XCTAssertEqual(json["metrics"]?["misses_per_second"], .double(1))
        XCTAssertEqual(json["metrics"]?["hit_ratio"], .double(0.75))
        XCTAssertEqual(json["metrics"]?["used_memory_bytes"], .int(Int(raw["memory"]!["used_memory"]!)!))
        XCTAssertEqual(json["metrics"]?["expired_keys_per_second"], .double(0))
        XCTAssertEqual(json["metrics"]?["evicted_keys_per_second"], .double(0))
        XCTAssertEqual(json["metrics"]?["connected_clients"], .int(Int(raw["clients"]!["connected_clients"]!)!))
        XCTAssertEqual(json["metrics"]?["blocked_clients"], .int(0))
        XCTAssertEqual(json["metrics"]?["ping_ms"], .double(0.5))
        XCTAssertEqual(json["keyspace"], .array([
            .object([("db", .int(0)), ("keys", .int(16)), ("expires", .int(12)), ("avg_ttl_ms", .int(335322))]),
            .object([("db", .int(3)), ("keys", .int(7)), ("expires", .int(6)), ("avg_ttl_ms", .int(3455429))]),
        ]))
    }

    func testNoTrafficGivesNullHitRatioAndOneSampleGivesNullRates() throws {
        let info = try fixture("info-redis7.txt")
        let quiet = SnapshotDocument(takenAt: t0, target: TargetDescription(address: "h:1", db: 0), info: info,
                                     rates: InfoRates.between(try fixture("info-redis7.txt", at: -1), info),
                                     pingMilliseconds: nil, census: nil, logs: nil, redisError: nil)
        XCTAssertEqual(quiet.json["metrics"]?["hit_ratio"], .null)
        XCTAssertEqual(quiet.json["metrics"]?["ops_per_second"], .double(0))
        XCTAssertEqual(quiet.json["metrics"]?["ping_ms"], .null)
        let single = SnapshotDocument(takenAt: t0, target: TargetDescription(address: "h:1", db: 0), info: info, rates: nil,
                                      pingMilliseconds: 1, census: nil, logs: nil, redisError: nil)
        XCTAssertEqual(single.json["metrics"]?["ops_per_second"], .null)
        XCTAssertEqual(single.json["metrics"]?["used_memory_bytes"], .int(info.usedMemoryBytes!))
    }

    func testClusterModeComesFromInfo() throws {
        let document = SnapshotDocument(takenAt: t0, target: TargetDescription(address: "h:7000", db: 0),
                                        info: try fixture("info-redis7-cluster.txt"), rates: nil, pingMilliseconds: nil,
                                        census: nil, logs: nil, redisError: nil)
        XCTAssertEqual(document.json["target"]?["mode"], .string("cluster"))
    }

    func testUnreachable() throws {
        let options = try ConnectionOptions.resolve(flags: ConnectionFlags(url: "redis://:hunter2@10.1.2.3:6390/2"),
                                                    environment: [:], dotEnv: [:])
        let sentence = options.redact("Could not connect to Redis at \(options.displayAddress) with password hunter2: connection refused.")
        let document = SnapshotDocument(takenAt: t0, target: TargetDescription(address: options.displayAddress, db: options.db),
                                        info: nil, rates: nil, pingMilliseconds: nil, census: nil, logs: nil, redisError: sentence)
        let json = document.json
        XCTAssertEqual(keys(json), ["schema", "taken_at", "target", "server", "metrics", "keyspace", "findings", "error"])
        XCTAssertEqual(json["server"], .null)
        XCTAssertEqual(json["metrics"], .null)
        XCTAssertEqual(json["keyspace"], .array([]))
        XCTAssertEqual(json["error"], .string("Could not connect to Redis at 10.1.2.3:6390 with password ***: connection refused."))
        XCTAssertEqual(json["target"]?["address"], .string("10.1.2.3:6390"))
        XCTAssertFalse(json.serialized().contains("hunter2"))
        XCTAssertFalse(json.prettyPrinted().contains("hunter2"))
    }
}
