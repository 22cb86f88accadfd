@testable import CachewatchCore
import XCTest

final class MemcachedStatsTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func statsText(pid: Int = 100, uptime: Int = 50, time: Int = 1_795_981_531, hits: Int = 10, misses: Int = 5,
                          gets: Int = 15, sets: Int = 20, evictions: Int = 0, expiredUnfetched: Int = 0) -> String {
        """
        STAT pid \(pid)\r
        STAT uptime \(uptime)\r
        STAT time \(time)\r
        STAT version 1.6.18\r
        STAT curr_connections 3\r
        STAT rejected_connections 1\r
        STAT cmd_get \(gets)\r
        STAT cmd_set \(sets)\r
        STAT get_hits \(hits)\r
        STAT get_misses \(misses)\r
        STAT delete_misses 1\r
        STAT delete_hits 2\r
        STAT limit_maxbytes 67108864\r
        STAT bytes 2000\r
        STAT curr_items 12\r
        STAT expired_unfetched \(expiredUnfetched)\r
        STAT evicted_unfetched 0\r
        STAT evictions \(evictions)\r
        END\r

        """
    }

    func testParsesTypedFields() {
        let stats = MemcachedStats(text: Self.statsText(), takenAt: t0)
        XCTAssertEqual(stats.version, "1.6.18")
        XCTAssertEqual(stats.serverTime, 1_795_981_531)
        XCTAssertEqual(stats.currentItems, 12)
        XCTAssertEqual(stats.limitMaxBytes, 67_108_864)
        XCTAssertEqual(stats.deletes, 3)
        XCTAssertEqual(stats.unparsedLineCount, 0)
    }

    func testHostileValuesAreBoundedNotFatal() {
        let text = "STAT bytes 99999999999999999999999\r\nSTAT curr_items -5\r\nSTAT uptime NaN\r\ngarbage\r\nSTAT\r\nSTAT time 1e400\r\nEND\r\n"
        let stats = MemcachedStats(text: text, takenAt: t0)
        XCTAssertEqual(stats.bytes, Int.max)
        XCTAssertNil(stats.currentItems)
        XCTAssertNil(stats.uptimeSeconds)
        XCTAssertNil(stats.serverTime)
        XCTAssertEqual(stats.unparsedLineCount, 2)
        let escaped = MemcachedStats(text: "STAT version \u{1b}]0;x\u{07}\r\n", takenAt: t0)
        XCTAssertEqual(escaped.version, "\\x1b]0;x\\x07")
    }

    func testRatesThroughTheInfoBridge() {
        let a = MemcachedStats(text: Self.statsText(hits: 10, misses: 5, gets: 15, sets: 20), takenAt: t0).infoSnapshot
        let b = MemcachedStats(text: Self.statsText(uptime: 52, hits: 40, misses: 15, gets: 55, sets: 24, evictions: 4, expiredUnfetched: 6),
                               takenAt: t0.addingTimeInterval(2)).infoSnapshot
        let info = InfoRates.between(a, b)
        let rates = MemcachedRates(bridged: info)
        XCTAssertEqual(rates.hitsPerSecond, 15)
        XCTAssertEqual(rates.missesPerSecond, 5)
        XCTAssertEqual(rates.hitRatio, 0.75)
        XCTAssertEqual(rates.getsPerSecond, 20)
        XCTAssertEqual(rates.setsPerSecond, 2)
        XCTAssertEqual(rates.deletesPerSecond, 0)
        XCTAssertEqual(rates.evictionsPerSecond, 2)
        XCTAssertEqual(rates.expiredUnfetchedPerSecond, 3)
        XCTAssertEqual(rates.operationsPerSecond, 22)
        XCTAssertFalse(rates.counterReset)
        XCTAssertEqual(b.usedMemoryBytes, 2000)
        XCTAssertEqual(b.maxmemoryBytes, 67_108_864)
        XCTAssertEqual(b.connectedClients, 3)
        XCTAssertEqual(MemcachedStats(info: b)?.currentItems, 12)
        XCTAssertNil(MemcachedStats(info: InfoSnapshot(text: "# Server\r\nredis_version:7.0.15\r\n", takenAt: t0)))
    }

    func testRestartAndResetGiveNullRatesNeverNegative() {
        let before = MemcachedStats(text: Self.statsText(pid: 100, uptime: 500, hits: 1000), takenAt: t0).infoSnapshot
        let restarted = MemcachedStats(text: Self.statsText(pid: 200, uptime: 1, hits: 3), takenAt: t0.addingTimeInterval(1)).infoSnapshot
        let rates = MemcachedRates(bridged: InfoRates.between(before, restarted))
        XCTAssertTrue(rates.counterReset)
        XCTAssertNil(rates.hitsPerSecond)
        XCTAssertNil(rates.hitRatio)
        XCTAssertNil(rates.getsPerSecond)
        // `stats reset` without a restart: a counter goes backwards.
        let reset = MemcachedStats(text: Self.statsText(pid: 100, uptime: 501, hits: 2), takenAt: t0.addingTimeInterval(1)).infoSnapshot
        let afterReset = MemcachedRates(bridged: InfoRates.between(before, reset))
        XCTAssertTrue(afterReset.counterReset)
        XCTAssertNil(afterReset.hitsPerSecond)
    }

    func testSeveralServersAreCombined() throws {
        let one = MemcachedStats(text: Self.statsText(pid: 1, uptime: 10), takenAt: t0)
        let two = MemcachedStats(text: Self.statsText(pid: 2, uptime: 7), takenAt: t0)
        let both = try XCTUnwrap(MemcachedStats.combined([one, two]))
        XCTAssertEqual(both.currentItems, 24)
        XCTAssertEqual(both.limitMaxBytes, 2 * 67_108_864)
        XCTAssertEqual(both.uptimeSeconds, 7)
        XCTAssertEqual(both.fields["pid"], "1,2")
        XCTAssertEqual(both.version, "1.6.18")
        XCTAssertNil(MemcachedStats.combined([]))
    }

    func testSnapshotDocumentForMemcached() throws {
        let a = MemcachedStats(text: Self.statsText(), takenAt: t0).infoSnapshot
        let b = MemcachedStats(text: Self.statsText(uptime: 51, hits: 20), takenAt: t0.addingTimeInterval(1)).infoSnapshot
        let document = SnapshotDocument(takenAt: t0, target: TargetDescription(kind: "memcached", address: "127.0.0.1:11211", db: 0),
                                        info: b, rates: InfoRates.between(a, b), pingMilliseconds: 0.2, census: nil, logs: nil,
                                        redisError: nil)
        guard case .object(let fields) = document.json else { return XCTFail("not an object") }
        let byName = Dictionary(uniqueKeysWithValues: fields)
        XCTAssertEqual(byName["keyspace"], .array([]))
        guard case .object(let server)? = byName["server"], case .object(let metrics)? = byName["metrics"] else { return XCTFail("no server") }
        XCTAssertEqual(server.map(\.0), ["version", "uptime_seconds", "role", "maxmemory_bytes", "maxmemory_policy"])
        XCTAssertEqual(metrics.map(\.0), ["ops_per_second", "hits_per_second", "misses_per_second", "hit_ratio", "used_memory_bytes",
                                          "expired_keys_per_second", "evicted_keys_per_second", "connected_clients", "blocked_clients",
                                          "ping_ms", "app_scan_per_second", "del_per_second", "memcached"])
        let metricsByName = Dictionary(uniqueKeysWithValues: metrics)
        XCTAssertEqual(metricsByName["hits_per_second"], .number(10))
        XCTAssertEqual(metricsByName["blocked_clients"], .null)
        guard case .object(let target)? = byName["target"] else { return XCTFail("no target") }
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: target)["kind"], .string("memcached"))
    }
}

final class MetadumpTests: XCTestCase {
    let serverTime: Int64 = 1_795_981_531
    lazy var local = Date(timeIntervalSince1970: 1_700_000_000)   // deliberately far from the server's clock

    func line(_ text: String) -> MetadumpLine { MetadumpLine.parse(ArraySlice(Array(text.utf8))) }

    func testParsesItemsAndReplyLines() {
        XCTAssertEqual(line("key=widget%3A1 exp=1795981831 la=1795981531 cas=1 fetch=yes cls=1 size=69"),
                       .item(MetadumpItem(key: Array("widget:1".utf8), expiresAt: 1_795_981_831, lastAccess: 1_795_981_531,
                                          fetched: true, slabClass: 1, sizeBytes: 69)))
        XCTAssertEqual(line("key=a%2520b%01 exp=-1 la=1795981531 cas=2 fetch=no cls=1 size=66"),
                       .item(MetadumpItem(key: Array("a%20b".utf8) + [1], expiresAt: nil, lastAccess: 1_795_981_531, fetched: false,
                                          slabClass: 1, sizeBytes: 66)))
        XCTAssertEqual(line("OK"), .ok)
        XCTAssertEqual(line("END"), .end)
        XCTAssertEqual(line("BUSY currently processing crawler request"), .busy("BUSY currently processing crawler request"))
        XCTAssertEqual(line("CLIENT_ERROR lru crawler disabled"), .crawlerDisabled("CLIENT_ERROR lru crawler disabled"))
        XCTAssertEqual(line("ERROR metadump not allowed"), .notAllowed("ERROR metadump not allowed"))
        XCTAssertEqual(line("ERROR"), .notAllowed("ERROR"))
        XCTAssertEqual(line("SERVER_ERROR out of memory"), .serverError("SERVER_ERROR out of memory"))
    }

    func testHostileItemsAreRefused() {
        XCTAssertEqual(line("key= exp=1"), .malformed)
        XCTAssertEqual(line("key=a exp=99999999999999999999"), .malformed)
        XCTAssertEqual(line("key=a exp=-5"), .malformed)
        XCTAssertEqual(line("key=a la=1"), .malformed)
        XCTAssertEqual(line("key=" + String(repeating: "%41", count: 2000) + " exp=-1"), .malformed)
        XCTAssertEqual(line("garbage \u{1b}[2J"), .malformed)
        guard case .item(let item) = line("key=a exp=-1 size=99999999999999999999 cls=x fetch=maybe") else { return XCTFail("not an item") }
        XCTAssertNil(item.sizeBytes)
        XCTAssertNil(item.slabClass)
        XCTAssertNil(item.fetched)
        XCTAssertEqual(MetadumpItem.urlDecoded(ArraySlice(Array("100%+%zz%4".utf8))), Array("100%+%zz%4".utf8))
    }

    func testClockUsesTheServersTimeNotTheLocalOne() {
        let clock = MemcachedClock(serverTime: serverTime, receivedAt: local)
        XCTAssertEqual(clock.pttlMilliseconds(expiresAt: serverTime + 300, at: local), 300_000)
        XCTAssertEqual(clock.pttlMilliseconds(expiresAt: serverTime + 300, at: local.addingTimeInterval(10)), 290_000)
        XCTAssertEqual(clock.pttlMilliseconds(expiresAt: nil, at: local), -1)
        XCTAssertEqual(clock.pttlMilliseconds(expiresAt: serverTime - 1, at: local), -2)
        XCTAssertEqual(clock.pttlMilliseconds(expiresAt: serverTime, at: local), -2)
        XCTAssertEqual(MemcachedClock(serverTime: Int64.max, receivedAt: local).serverTime, MetadumpItem.maximumUnixSeconds)
    }

    func testCensusCountsFamiliesTTLsSizesAndNeverRead() throws {
        var census = MetadumpCensus(clock: MemcachedClock(serverTime: serverTime, receivedAt: local))
        for i in 0..<30 {
            census.add(MetadumpItem(key: Array("widget:\(i)".utf8), expiresAt: serverTime + 600, fetched: true, sizeBytes: 100), observedAt: local)
        }
        for i in 0..<12 {
            census.add(MetadumpItem(key: Array("report:\(i)".utf8), expiresAt: serverTime + 60 + Int64(i), fetched: false, sizeBytes: 50),
                       observedAt: local)
        }
        for i in 0..<5 {
            census.add(MetadumpItem(key: Array("flag:\(i)".utf8), expiresAt: nil, fetched: true, sizeBytes: 10), observedAt: local)
        }
        census.add(MetadumpItem(key: Array("gone:1".utf8), expiresAt: serverTime - 5), observedAt: local)
        let report = census.report(serverItems: 48, complete: true, keysPerSecond: 0, now: local)
        XCTAssertEqual(report.scannedKeys, 47)
        let widget = try XCTUnwrap(report.families.first { $0.pattern == "widget:{id}" })
        XCTAssertEqual(widget.keys, 30)
        XCTAssertEqual(widget.ttlMaxSeconds, 600)
        XCTAssertEqual(widget.memoryBytes, 3000)
        XCTAssertEqual(widget.neverReadKeys, 0)
        XCTAssertNotNil(widget.lockstep)
        let reportFamily = try XCTUnwrap(report.families.first { $0.pattern == "report:{id}" })
        XCTAssertEqual(reportFamily.neverReadKeys, 12)
        let flag = try XCTUnwrap(report.families.first { $0.pattern == "flag:{id}" })
        XCTAssertEqual(flag.noTTL, 5)
        XCTAssertTrue(report.notes.contains { $0.contains("1 items had already expired") })
        let codes = Findings.evaluate(report).map { "\($0.code) \($0.pattern ?? "")" }
        XCTAssertTrue(codes.contains("never-read report:{id}"), "\(codes)")
        XCTAssertTrue(codes.contains("no-ttl flag:{id}"), "\(codes)")
        XCTAssertFalse(codes.contains("never-read widget:{id}"))
    }

    func testDuplicatesKeepTheLastSighting() throws {
        var census = MetadumpCensus(clock: MemcachedClock(serverTime: serverTime, receivedAt: local))
        census.add(MetadumpItem(key: Array("session:1".utf8), expiresAt: serverTime + 100, fetched: false, sizeBytes: 10), observedAt: local)
        census.add(MetadumpItem(key: Array("session:2".utf8), expiresAt: serverTime + 100, fetched: false, sizeBytes: 10), observedAt: local)
        census.add(MetadumpItem(key: Array("session:1".utf8), expiresAt: nil, fetched: true, sizeBytes: 30), observedAt: local)
        census.finishPass()
        XCTAssertEqual(census.duplicateItems, 1)
        let report = census.report(serverItems: 2, complete: true, keysPerSecond: 0, now: local)
        XCTAssertEqual(report.scannedKeys, 2)
        let session = try XCTUnwrap(report.families.first)
        XCTAssertEqual(session.keys, 2)
        XCTAssertEqual(session.noTTL, 1)
        XCTAssertEqual(session.neverReadKeys, 1)
        XCTAssertEqual(session.memoryBytes, 40)
        // A new pass forgets the keys (but not the learned families).
        census.startPass(clock: MemcachedClock(serverTime: serverTime + 10, receivedAt: local))
        census.add(MetadumpItem(key: Array("session:1".utf8), expiresAt: nil), observedAt: local)
        XCTAssertEqual(census.report(serverItems: 1, complete: true, keysPerSecond: 0, now: local).scannedKeys, 1)
        XCTAssertEqual(census.duplicateItems, 0)
    }

    func testRedisFamiliesHaveNullNeverRead() throws {
        var census = CensusAccumulator(db: 0)
        census.add(key: Array("widget:1".utf8), type: "string", pttlMilliseconds: 1000, memoryBytes: nil)
        let family = try XCTUnwrap(census.report(dbsizeKeys: 1, complete: true, keysPerSecond: 0, now: local).families.first)
        XCTAssertNil(family.neverReadKeys)
        guard case .object(let fields) = family.json else { return XCTFail("not an object") }
        XCTAssertEqual(fields.last?.0, "never_read")
        XCTAssertEqual(fields.last?.1, .null)
    }
}

final class MemcachedConnectionOptionsTests: XCTestCase {
    func servers(_ flags: [String] = [], redis: ConnectionFlags = ConnectionFlags(), env: [String: String] = [:],
                 dotEnv: [String: String] = [:]) throws -> [String]? {
        try ConnectionOptions.memcachedServers(flags: flags, redisFlags: redis, environment: env, dotEnv: dotEnv)?.map(\.displayAddress)
    }

    func testFlagsEnvironmentAndDotEnv() throws {
        XCTAssertEqual(try servers(["10.0.0.1:11300", "cache", "[::1]:11211"]), ["10.0.0.1:11300", "cache:11211", "[::1]:11211"])
        XCTAssertNil(try servers())
        XCTAssertNil(try servers(env: ["CACHE_BACKEND": "redis"]))
        XCTAssertEqual(try servers(env: ["CACHE_BACKEND": "memcached"]), ["127.0.0.1:11211"])
        XCTAssertEqual(try servers(env: ["CACHE_BACKEND": "memcached", "CACHE_MEMCACHED_PORT": "11999"],
                                   dotEnv: ["CACHE_MEMCACHED_HOST": "mc.internal", "CACHE_MEMCACHED_PORT": "1"]), ["mc.internal:11999"])
        XCTAssertEqual(try servers(dotEnv: ["CACHE_BACKEND": "Memcached", "CACHE_MEMCACHED_HOST": "mc"]), ["mc:11211"])
        // The environment beats .env for the backend too; a Redis flag means Redis.
        XCTAssertNil(try servers(env: ["CACHE_BACKEND": "redis"], dotEnv: ["CACHE_BACKEND": "memcached"]))
        XCTAssertNil(try servers(redis: ConnectionFlags(port: "6380"), env: ["CACHE_BACKEND": "memcached"]))
    }

    func testBadValuesAreOneSentence() {
        XCTAssertThrowsError(try servers(["cache:99999"])) { error in
            XCTAssertEqual((error as? ConnectionOptionsError)?.message,
                           "The port \"99999\" (from --memcached) is not a number between 1 and 65535.")
        }
        XCTAssertThrowsError(try servers(["a b"]))
        XCTAssertThrowsError(try servers(["cache:1"], redis: ConnectionFlags(host: "redis")))
        XCTAssertThrowsError(try servers(env: ["CACHE_BACKEND": "memcached", "CACHE_MEMCACHED_PORT": "x"]))
    }
}

final class PatternDeletionTests: XCTestCase {
    func testThePatternIsFoundInEveryFormatAndEscaped() {
        let lines = [
            "2026-11-26 22:30:01 [   ERROR] src.infrastructure.cache.backends: Memcached doesn't support pattern-based deletion. Pattern 'user_5_widgets:*' cannot be used.",
            "2026-11-26 22:30:01,123 - src.cache - ERROR - Memcached doesn't support pattern-based deletion. Pattern 'user_5_widgets:*' cannot be used.",
            "timestamp=2026-11-26T22:30:01Z level=ERROR module=cache message=\"Memcached doesn't support pattern-based deletion. Pattern 'user_5_widgets:*' cannot be used.\"",
            "{\"timestamp\": \"2026-11-26T22:30:01Z\", \"level\": \"ERROR\", \"message\": \"Memcached doesn't support pattern-based deletion. Pattern 'user_5_widgets:*' cannot be used.\"}",
        ]
        for line in lines { XCTAssertEqual(PatternDeletionCounts.pattern(in: Array(line.utf8)), "user_5_widgets:*", line) }
        XCTAssertNil(PatternDeletionCounts.pattern(in: Array("Cache backend not available: x".utf8)))
        XCTAssertEqual(PatternDeletionCounts.pattern(in: Array("Memcached doesn't support pattern-based deletion. Pattern 'a\u{1b}[2J*' cannot be used.".utf8)),
                       "a\\x1b[2J*")
        let long = "Memcached doesn't support pattern-based deletion. Pattern '" + String(repeating: "x", count: 5000)
        XCTAssertEqual(PatternDeletionCounts.pattern(in: Array(long.utf8))?.count, PatternDeletionCounts.maximumPatternBytes + 1)
    }

    func testCountsAreBoundedAndMergeAndGiveOneFinding() throws {
        var counts = PatternDeletionCounts()
        XCTAssertNil(counts.finding)
        for i in 0..<150 { counts.record("p\(i)*") }
        counts.record("p0*")
        XCTAssertEqual(counts.total, 151)
        XCTAssertEqual(counts.byPattern.count, PatternDeletionCounts.maximumPatterns + 1)
        XCTAssertEqual(counts.byPattern["(other)"], 50)
        var merged = PatternDeletionCounts()
        merged.merge(counts)
        merged.merge(counts)
        XCTAssertEqual(merged.total, 302)
        XCTAssertEqual(merged.top(limit: 1).first?.pattern, "(other)")
        let finding = try XCTUnwrap(counts.finding)
        XCTAssertEqual(finding.code, "pattern-deletion-ignored")
        XCTAssertTrue(finding.message.contains("151 pattern invalidations"), finding.message)
    }
}
