import Foundation
import XCTest
@testable import CachewatchCore

final class InfoSnapshotTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    // MARK: - Every fixture, against an independent reading

    func testEveryFixtureFieldIsReachableRaw() throws {
        for name in InfoFixtures.names {
            let text = try InfoFixtures.text(name)
            let info = InfoSnapshot(text: text, takenAt: t0)
            let naive = InfoFixtures.naive(text)
            XCTAssertFalse(naive.isEmpty, name)
            for (section, fields) in naive {
                for (key, value) in fields {
                    XCTAssertEqual(info[section: section, key: key], value, "\(name): \(section).\(key)")
                }
            }
            XCTAssertEqual(info.unparsedLineCount, 0, name)
        }
    }

    func testTypedValuesMatchTheFixtures() throws {
        for name in InfoFixtures.names {
            let text = try InfoFixtures.text(name)
            let info = InfoSnapshot(text: text, takenAt: t0)
            let raw = InfoFixtures.naive(text)
            func int(_ section: String, _ key: String) -> Int? { raw[section]?[key].flatMap { Int($0) } }

            XCTAssertEqual(info.redisVersion, raw["server"]?["redis_version"], name)
            XCTAssertEqual(info.redisMode, raw["server"]?["redis_mode"], name)
            XCTAssertEqual(info.runID, raw["server"]?["run_id"], name)
            XCTAssertEqual(info.uptimeSeconds, int("server", "uptime_in_seconds"), name)
            XCTAssertEqual(info.role, raw["replication"]?["role"], name)
            XCTAssertEqual(info.connectedClients, int("clients", "connected_clients"), name)
            XCTAssertEqual(info.blockedClients, int("clients", "blocked_clients"), name)
            XCTAssertEqual(info.usedMemoryBytes, int("memory", "used_memory"), name)
            XCTAssertEqual(info.usedMemoryRSSBytes, int("memory", "used_memory_rss"), name)
            XCTAssertEqual(info.maxmemoryBytes, int("memory", "maxmemory"), name)
            XCTAssertEqual(info.maxmemoryPolicy, raw["memory"]?["maxmemory_policy"], name)
            XCTAssertEqual(info.totalCommandsProcessed, int("stats", "total_commands_processed"), name)
            XCTAssertEqual(info.keyspaceHits, int("stats", "keyspace_hits"), name)
            XCTAssertEqual(info.keyspaceMisses, int("stats", "keyspace_misses"), name)
            XCTAssertEqual(info.expiredKeys, int("stats", "expired_keys"), name)
            XCTAssertEqual(info.evictedKeys, int("stats", "evicted_keys"), name)
            XCTAssertEqual(info.totalNetInputBytes, int("stats", "total_net_input_bytes"), name)
            XCTAssertEqual(info.totalNetOutputBytes, int("stats", "total_net_output_bytes"), name)
            XCTAssertEqual(info.instantaneousOpsPerSecond, int("stats", "instantaneous_ops_per_sec"), name)
            XCTAssertEqual(info.rejectedConnections, int("stats", "rejected_connections"), name)
            XCTAssertEqual(info.clusterEnabled, int("cluster", "cluster_enabled").map { $0 == 1 }, name)
            // Every typed accessor above is present in every fixture.
            XCTAssertNotNil(info.usedMemoryBytes, name)
            XCTAssertNotNil(info.keyspaceHits, name)

            // Command stats: one per cmdstat_ line, values as in the line.
            let cmdLines = raw["commandstats"] ?? [:]
            XCTAssertEqual(info.commandStats.count, cmdLines.count, name)
            XCTAssertFalse(cmdLines.isEmpty, name)
            for (key, value) in cmdLines {
                let command = String(key.dropFirst("cmdstat_".count))
                let expected = InfoFixtures.pairs(value)
                let stat = try XCTUnwrap(info.commandStats[command], "\(name) \(command)")
                XCTAssertEqual(stat.calls, Int(expected["calls"]!), "\(name) \(command)")
                XCTAssertEqual(stat.usec, Int(expected["usec"]!), "\(name) \(command)")
                XCTAssertEqual(stat.usecPerCall, Double(expected["usec_per_call"]!)!, accuracy: 1e-9, "\(name) \(command)")
                XCTAssertEqual(stat.rejectedCalls, expected["rejected_calls"].flatMap { Int($0) }, "\(name) \(command)")
                XCTAssertEqual(stat.failedCalls, expected["failed_calls"].flatMap { Int($0) }, "\(name) \(command)")
            }

            // Keyspace: one entry per dbN line, sorted.
            let dbLines = (raw["keyspace"] ?? [:]).sorted { Int($0.key.dropFirst(2))! < Int($1.key.dropFirst(2))! }
            XCTAssertEqual(info.keyspace.map(\.db), dbLines.map { Int($0.key.dropFirst(2))! }, name)
            for (entry, line) in zip(info.keyspace, dbLines) {
                let expected = InfoFixtures.pairs(line.value)
                XCTAssertEqual(entry.keys, Int(expected["keys"]!), name)
                XCTAssertEqual(entry.expires, Int(expected["expires"]!), name)
                XCTAssertEqual(entry.avgTTLMilliseconds, Int(expected["avg_ttl"]!), name)
            }

            XCTAssertEqual(info.errorStats.count, raw["errorstats"]?.count ?? 0, name)
            XCTAssertEqual(info.latencyPercentiles.count, raw["latencystats"]?.count ?? 0, name)
        }
    }

    // MARK: - Literal lines per version

    func testRedis7Literals() throws {
        let info = InfoSnapshot(text: try InfoFixtures.text("info-redis7.txt"), takenAt: t0)
        XCTAssertEqual(info.redisVersion, "7.0.15")
        XCTAssertEqual(info.redisMode, "standalone")
        XCTAssertEqual(info.role, "master")
        XCTAssertEqual(info.maxmemoryBytes, 0)
        XCTAssertEqual(info.maxmemoryPolicy, "noeviction")
        XCTAssertEqual(info.keyspaceHits, 19)
        XCTAssertEqual(info.keyspaceMisses, 4)
        XCTAssertEqual(info.totalCommandsProcessed, 57)
        XCTAssertEqual(info.clusterEnabled, false)
        // cmdstat_client|setname:calls=1,usec=3,usec_per_call=3.00,rejected_calls=0,failed_calls=0
        XCTAssertEqual(info.commandStats["client|setname"], CommandStat(calls: 1, usec: 3, usecPerCall: 3, rejectedCalls: 0, failedCalls: 0))
        // cmdstat_incr:calls=1,usec=6,usec_per_call=6.00,rejected_calls=0,failed_calls=1
        XCTAssertEqual(info.commandStats["incr"]?.failedCalls, 1)
        XCTAssertEqual(info.commandStats["set"]?.usecPerCall, 8.45)
        XCTAssertEqual(info.errorStats, ["ERR": 2, "WRONGTYPE": 1])
        // latency_percentiles_usec_set:p50=8.031,p99=13.055,p99.9=13.055
        XCTAssertEqual(info.latencyPercentiles["set"], ["p50": 8.031, "p99": 13.055, "p99.9": 13.055])
        XCTAssertEqual(info.latencyPercentiles["client|setname"]?["p50"], 3.007)
        XCTAssertEqual(info.keyspace, [KeyspaceEntry(db: 0, keys: 16, expires: 12, avgTTLMilliseconds: 335322),
                                       KeyspaceEntry(db: 3, keys: 7, expires: 6, avgTTLMilliseconds: 3455429)])
        XCTAssertEqual(info.sectionOrder.first, "server")
        XCTAssertTrue(info.sectionOrder.contains("modules"))
        XCTAssertEqual(info.sectionOrder.last, "keyspace")
    }

    func testRedis6Literals() throws {
        let info = InfoSnapshot(text: try InfoFixtures.text("info-redis6.txt"), takenAt: t0)
        XCTAssertEqual(info.redisVersion, "6.2.14")
        XCTAssertEqual(info[section: "server", key: "io_threads_active"], "0")
        XCTAssertEqual(info[section: "clients", key: "tracking_clients"], "0")
        XCTAssertEqual(info.errorStats, ["ERR": 2, "WRONGTYPE": 1])
        XCTAssertTrue(info.latencyPercentiles.isEmpty, "latencystats arrived in Redis 7")
        // 6.2 reports CLIENT as one command: cmdstat_client:calls=1,usec=2,usec_per_call=2.00,rejected_calls=0,failed_calls=0
        XCTAssertEqual(info.commandStats["client"], CommandStat(calls: 1, usec: 2, usecPerCall: 2, rejectedCalls: 0, failedCalls: 0))
        XCTAssertEqual(info.keyspace.map(\.db), [0, 3])
    }

    func testRedis5Literals() throws {
        let info = InfoSnapshot(text: try InfoFixtures.text("info-redis5.txt"), takenAt: t0)
        XCTAssertEqual(info.redisVersion, "5.0.6")
        XCTAssertTrue(info.errorStats.isEmpty)
        XCTAssertTrue(info.latencyPercentiles.isEmpty)
        // cmdstat_set:calls=22,usec=186,usec_per_call=8.45 — no rejected/failed counts before 6.2
        XCTAssertEqual(info.commandStats["set"], CommandStat(calls: 22, usec: 186, usecPerCall: 8.45, rejectedCalls: nil, failedCalls: nil))
        XCTAssertNil(info[section: "server", key: "io_threads_active"])
        XCTAssertEqual(info.keyspace.first, KeyspaceEntry(db: 0, keys: 16, expires: 12, avgTTLMilliseconds: 367459))
    }

    func testClusterFixture() throws {
        let info = InfoSnapshot(text: try InfoFixtures.text("info-redis7-cluster.txt"), takenAt: t0)
        XCTAssertEqual(info.redisMode, "cluster")
        XCTAssertEqual(info.clusterEnabled, true)
        XCTAssertEqual(info.keyspace, [KeyspaceEntry(db: 0, keys: 4, expires: 4, avgTTLMilliseconds: 0)])
    }

    func testCRLFAndLFFixturesBothParseWithoutCarriageReturns() throws {
        let crlf = try Data(contentsOf: InfoFixtures.url("info-redis7.txt"))
        XCTAssertNotNil(crlf.range(of: Data("\r\n".utf8)), "the Redis 7 fixture keeps the CRLF Redis sends")
        let lf = try Data(contentsOf: InfoFixtures.url("info-redis5.txt"))
        XCTAssertNil(lf.range(of: Data("\r".utf8)), "the Redis 5 fixture is LF-only")
        for name in InfoFixtures.names {
            let info = InfoSnapshot(text: try InfoFixtures.text(name), takenAt: t0)
            for (section, fields) in info.fields {
                XCTAssertFalse(section.contains("\r"), name)
                for (key, value) in fields {
                    XCTAssertFalse(key.contains("\r") || value.contains("\r"), "\(name) \(key)")
                }
            }
        }
    }

    // MARK: - Junk

    func testJunkLinesAreCountedNotFatal() {
        let text = """
        garbage without colon
        # Server
        redis_version:7.2.4
        :no key
        uptime_in_seconds:not-a-number
        # Memory
        used_memory:99999999999999999999999999
        maxmemory:-1
        # Stats
        keyspace_hits:12
        # Commandstats
        cmdstat_get:calls=abc,usec=,usec_per_call=nan
        cmdstat_:calls=1
        cmdstat_set:junk
        # Errorstats
        errorstat_ERR:count=oops
        # Keyspace
        db0:keys=x,expires=1
        dbx:keys=1,expires=0,avg_ttl=0
        db2:keys=5
        db1:keys=3,expires=2,avg_ttl=10,subexpiry=0
        #
        \u{1B}[2J:\u{07}
        """
        let info = InfoSnapshot(text: text, takenAt: t0)
        XCTAssertEqual(info.redisVersion, "7.2.4")
        XCTAssertNil(info.uptimeSeconds)
        XCTAssertEqual(info[section: "server", key: "uptime_in_seconds"], "not-a-number")
        XCTAssertNil(info.usedMemoryBytes, "overflow is nil, not a trap")
        XCTAssertNil(info.maxmemoryBytes, "-1 is unknown (Dragonfly and others print it for what they do not track)")
        XCTAssertEqual(info[section: "memory", key: "maxmemory"], "-1")
        XCTAssertEqual(info.keyspaceHits, 12)
        XCTAssertEqual(info.commandStats["get"], CommandStat(calls: 0, usec: 0, usecPerCall: 0))
        XCTAssertNil(info.commandStats[""])
        XCTAssertEqual(info.commandStats["set"]?.calls, 0)
        XCTAssertTrue(info.errorStats.isEmpty)
        XCTAssertEqual(info.keyspace, [KeyspaceEntry(db: 1, keys: 3, expires: 2, avgTTLMilliseconds: 10),
                                       KeyspaceEntry(db: 2, keys: 5, expires: 0, avgTTLMilliseconds: 0)])
        XCTAssertEqual(info[section: "keyspace", key: "dbx"], "keys=1,expires=0,avg_ttl=0")
        // "garbage without colon", ":no key" and the unparseable db0 line.
        XCTAssertEqual(info.unparsedLineCount, 3)
        XCTAssertEqual(info[section: "", key: "\u{1B}[2J"], "\u{07}")
    }

    func testEmptyAndErrorTextsGiveAnEmptySnapshot() {
        for text in ["", "\r\n\r\n", "-NOPERM this user has no permissions to run the 'info' command"] {
            let info = InfoSnapshot(text: text, takenAt: t0)
            XCTAssertNil(info.redisVersion)
            XCTAssertNil(info.clusterEnabled)
            XCTAssertTrue(info.keyspace.isEmpty)
            XCTAssertTrue(info.commandStats.isEmpty)
        }
    }

    func testFieldsWithoutSectionHeadersStillType() {
        // Pasted output without headers, or a field that moved sections between versions.
        let info = InfoSnapshot(text: "role:slave\nused_memory:42\ncmdstat_ping:calls=2,usec=4,usec_per_call=2.00\ndb5:keys=1,expires=0,avg_ttl=0", takenAt: t0)
        XCTAssertEqual(info.role, "slave")
        XCTAssertEqual(info.usedMemoryBytes, 42)
        XCTAssertEqual(info.commandStats["ping"]?.calls, 2)
        XCTAssertEqual(info.keyspace.map(\.db), [5])
    }

    func testValuesMayContainColons() {
        let info = InfoSnapshot(text: "# Replication\r\nrole:slave\r\nslave0:ip=::1,port=6380,state=online,offset=42,lag=0\r\nmaster_host:fe80::1\r\n", takenAt: t0)
        XCTAssertEqual(info[section: "replication", key: "slave0"], "ip=::1,port=6380,state=online,offset=42,lag=0")
        XCTAssertEqual(info[section: "Replication", key: "master_host"], "fe80::1")
    }

    func testLinesEndAtCROrLFAndLoseTheirBlanks() {
        // Old Mac line ends, tabs and spaces around lines and pair pieces, a repeated pair key (the last wins).
        let text = "\t# Stats \rkeyspace_hits:7\t\r\r  # Keyspace\n\tdb3: keys = 4 , expires=1,expires=2 ,avg_ttl=9\r\n"
        let info = InfoSnapshot(text: text, takenAt: t0)
        XCTAssertEqual(info.sectionOrder, ["stats", "keyspace"])
        XCTAssertEqual(info.keyspaceHits, 7)
        XCTAssertEqual(info.keyspace, [KeyspaceEntry(db: 3, keys: 4, expires: 2, avgTTLMilliseconds: 9)])
        XCTAssertEqual(info[section: "keyspace", key: "db3"], " keys = 4 , expires=1,expires=2 ,avg_ttl=9", "the value as sent")
        XCTAssertEqual(info.unparsedLineCount, 0)
    }

    func testTheParserSplitsBytesNotCharacters() {
        // INFO is bytes: a colon followed by a combining mark still ends the key (a Character-based split kept
        // `:\u{301}` whole and lost the field), and a database number too long for an Int makes no keyspace entry.
        let info = InfoSnapshot(text: "# Stats\nkeyspace_misses:\u{301}4\n# Keyspace\ndb99999999999999999999:keys=1\n", takenAt: t0)
        XCTAssertEqual(info[section: "stats", key: "keyspace_misses"], "\u{301}4")
        XCTAssertNil(info.keyspaceMisses)
        XCTAssertTrue(info.keyspace.isEmpty)
        XCTAssertEqual(info[section: "keyspace", key: "db99999999999999999999"], "keys=1")
    }

    func testArbitraryBytesNeverCrash() {
        var generator = SplitMix64(state: 0xCAC4E)
        let alphabet = Array("abc_:=,#\r\n 0123456789.-|db\u{0}\u{FFFD}é")
        for _ in 0..<300 {
            let length = Int(generator.next() % 200)
            let text = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            let info = InfoSnapshot(text: text, takenAt: t0)
            _ = InfoRates.between(info, InfoSnapshot(text: String(text.reversed()), takenAt: t0.addingTimeInterval(1)))
        }
    }
}
