import CachewatchCore
@testable import CachewatchMemcached
import TestSupport
import XCTest

/// Starts a private memcached; skips without one unless `CI=true` (then the test fails).
func startMemcached(_ arguments: [String] = []) throws -> MemcachedServerFixture {
    if !MemcachedServerFixture.isInstalled && !MemcachedServerFixture.mustExist {
        throw XCTSkip("memcached is not installed (run make deps)")
    }
    return try MemcachedServerFixture(extraArguments: arguments)
}

final class MemcachedClientTests: XCTestCase {
    func endpoint(_ server: MemcachedServerFixture) -> MemcachedEndpoint {
        MemcachedEndpoint(host: server.host, port: server.port, connectTimeoutMilliseconds: 2000, commandTimeoutMilliseconds: 2000)
    }

    func testVersionStatsAndOnlyReadOnlyCommands() throws {
        let server = try startMemcached()
        let client = MemcachedClient(endpoint: endpoint(server))
        let (version, milliseconds) = try client.version()
        XCTAssertTrue(version.hasPrefix("1."), version)
        XCTAssertGreaterThanOrEqual(milliseconds, 0)
        let stats = MemcachedStats(text: try client.stats(), takenAt: Date())
        XCTAssertNotNil(stats.serverTime)
        XCTAssertEqual(stats.limitMaxBytes, 64 * 1024 * 1024)
        // Everything expressible is a read, and is sent (issue 8 §3: no allow-listed command that nothing sends).
        XCTAssertEqual(Set(MemcachedCommand.allCases.map(\.name)), ["version", "stats", "lru_crawler metadump all"])
        let after = MemcachedStats(text: try client.stats(), takenAt: Date())
        XCTAssertEqual(after.commandSets, 0)
        XCTAssertEqual(after.integer("cmd_flush"), 0)
    }

    func testConnectionRefusedIsOneSentence() throws {
        let server = try startMemcached()
        let port = server.port
        server.kill()
        let client = MemcachedClient(endpoint: MemcachedEndpoint(host: "127.0.0.1", port: port))
        XCTAssertThrowsError(try client.version()) { error in
            XCTAssertEqual(error as? MemcachedError, .connectionRefused(address: "127.0.0.1:\(port)"))
            XCTAssertEqual((error as? MemcachedError)?.message,
                           "Could not connect to memcached at 127.0.0.1:\(port): connection refused (is memcached running there?).")
        }
    }

    func testExactCensusWithFamiliesTTLsNeverReadAndAnEncodedKey() throws {
        let server = try startMemcached()
        try server.setMany((1...40).map { "widget:\($0)" }, exptimeSeconds: 600)
        try server.setMany((1...15).map { "user_\($0)_widgets:page_1" }, exptimeSeconds: 120)
        try server.setMany((1...12).map { "report:\($0)" }, exptimeSeconds: 3600)
        try server.setMany((1...5).map { "flag:\($0)" })                  // no TTL
        try server.set(Array("odd key:%:".utf8).map { $0 == 0x20 ? 0x01 : $0 }, exptimeSeconds: 300)   // needs URL-decoding
        try server.get((1...40).map { "widget:\($0)" })
        try server.get((1...15).map { "user_\($0)_widgets:page_1" })
        try server.get((1...5).map { "flag:\($0)" })
        // report:* are never read.

        let before = MemcachedStats(text: try server.send("stats\r\n", until: "END\r\n"), takenAt: Date())
        let report = try MemcachedCensusRunner.runFull(endpoints: [endpoint(server)])
        _ = MemcachedCollector(endpoints: [endpoint(server)], intervalSeconds: 1) { _ in }.sampleOnce()
        // Read-only, and invisible in the app's counters: no get, set, touch, delete or flush was counted.
        let after = MemcachedStats(text: try server.send("stats\r\n", until: "END\r\n"), takenAt: Date())
        for counter in ["cmd_get", "get_hits", "get_misses", "cmd_set", "cmd_touch", "cmd_flush", "delete_hits", "delete_misses", "total_items"] {
            XCTAssertEqual(after.integer(counter), before.integer(counter), counter)
        }
        XCTAssertTrue(report.complete)
        XCTAssertEqual(report.scannedKeys, 73)
        func family(_ pattern: String) throws -> FamilyReport { try XCTUnwrap(report.families.first { $0.pattern == pattern }, pattern) }
        let widget = try family("widget:{id}")
        XCTAssertEqual(widget.keys, 40)
        XCTAssertEqual(widget.neverReadKeys, 0)
        XCTAssertEqual(try XCTUnwrap(widget.ttlMaxSeconds), 600, accuracy: 2)
        XCTAssertGreaterThan(widget.memoryBytes ?? 0, 0)
        XCTAssertEqual(try family("user_{id}_widgets:page_{n}").keys, 15)
        XCTAssertEqual(try family("report:{id}").neverReadKeys, 12)
        XCTAssertEqual(try family("flag:{id}").noTTL, 5)
        let examples = report.families.flatMap(\.examples)
        XCTAssertTrue(examples.contains("odd\\x01key:%:"), "\(examples)")
        let codes = Findings.evaluate(report).map(\.code)
        XCTAssertTrue(codes.contains("never-read"), "\(codes)")
        XCTAssertTrue(codes.contains("no-ttl"), "\(codes)")
    }

    func testDisabledCrawlerAndMetadumpDegradeWithOneSentence() throws {
        for (arguments, expected) in [(["-o", "no_lru_crawler"], "LRU crawler disabled"), (["-X"], "refuses lru_crawler metadump")] {
            let server = try startMemcached(arguments)
            try server.set("widget:1", exptimeSeconds: 60)
            XCTAssertThrowsError(try MemcachedCensusRunner.runFull(endpoints: [endpoint(server)])) { error in
                let error = error as? MemcachedError
                XCTAssertEqual(error?.disablesCensus, true)
                XCTAssertTrue(error?.message.contains(expected) == true, error?.message ?? "")
                XCTAssertTrue(error?.message.hasSuffix("metrics only.") == true)
            }
            // Metrics still work.
            let sample = MemcachedCollector(endpoints: [endpoint(server)], intervalSeconds: 1) { _ in }.sampleOnce()
            XCTAssertNil(sample.error)
            XCTAssertEqual(sample.stats?.currentItems, 1)
        }
    }

    func testBackgroundCensusSurvivesARestartMidCensus() throws {
        let server = try startMemcached()
        // More than the loopback socket buffers hold, so the dump is still streaming when the server goes.
        let padding = String(repeating: "f", count: 40)
        for chunk in stride(from: 1, through: 60000, by: 10000) {
            try server.setMany((chunk..<(chunk + 10000)).map { "session:\(padding)\($0)" }, exptimeSeconds: 900)
        }
        let reports = LockedList<CensusReport>()
        let errors = LockedList<MemcachedError>()
        let runner = MemcachedCensusRunner(endpoints: [endpoint(server)], mode: .budgeted(keysPerSecond: 5000), passPauseSeconds: 0.2,
                                           onReport: { reports.append($0) }, onError: { errors.append($0) })
        runner.start()
        defer { runner.stop() }
        // Restart while the first, paced pass (12 s at 5000 keys/s) is under way.
        let deadline = Date().addingTimeInterval(10)
        while reports.items.isEmpty, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertFalse(reports.items.isEmpty, "no partial report")
        XCTAssertFalse(reports.items.last?.complete ?? true)
        try server.restart()
        try server.setMany((1...20).map { "cart:\($0)" }, exptimeSeconds: 60)
        let after = Date().addingTimeInterval(15)
        while Date() < after, !(reports.items.last.map { $0.complete && $0.scannedKeys == 20 } ?? false) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertFalse(errors.items.isEmpty, "the lost connection was not reported")
        let last = try XCTUnwrap(reports.items.last)
        XCTAssertTrue(last.complete)
        XCTAssertEqual(last.scannedKeys, 20)
        XCTAssertEqual(last.families.map(\.pattern), ["cart:{id}"])
    }

    func testCollectorReportsRatesAcrossARestartWithoutNegativeValues() throws {
        let server = try startMemcached()
        let collector = MemcachedCollector(endpoints: [endpoint(server)], intervalSeconds: 1) { _ in }
        try server.set("widget:1", exptimeSeconds: 60)
        try server.get(["widget:1", "widget:2"])
        let first = collector.sampleOnce()
        try server.get(["widget:1", "widget:1", "widget:1", "widget:3"])
        Thread.sleep(forTimeInterval: 0.2)
        let second = collector.sampleOnce()
        let a = try XCTUnwrap(first.stats).infoSnapshot
        let b = try XCTUnwrap(second.stats).infoSnapshot
        let rates = MemcachedRates(bridged: InfoRates.between(a, b))
        XCTAssertEqual(try XCTUnwrap(rates.hitRatio), 0.75, accuracy: 0.001)
        try server.restart()
        let third = collector.sampleOnce()   // the client reconnects by itself
        XCTAssertNil(third.error)
        let reset = MemcachedRates(bridged: InfoRates.between(b, try XCTUnwrap(third.stats).infoSnapshot))
        XCTAssertTrue(reset.counterReset)
        XCTAssertNil(reset.hitsPerSecond)
    }
}

/// A list several threads append to.
final class LockedList<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [T] = []
    func append(_ item: T) { lock.lock(); storage.append(item); lock.unlock() }
    var items: [T] { lock.lock(); defer { lock.unlock() }; return storage }
}
