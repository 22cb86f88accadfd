import CachewatchCore
@testable import CachewatchRedis
import Foundation
import TestSupport
import XCTest

/// Census integration tests against a seeded private redis-server.
final class CensusRunnerTests: XCTestCase {
    /// A key with control bytes, ESC and invalid UTF-8.
    private let binaryKey: [UInt8] = [0x62, 0x69, 0x6e, 0x3a, 0xff, 0x00, 0x1b, 0x5b, 0x32, 0x4a]

    /// The seeded keyspace: 300 widget keys EX 100, 200 negcache EX 1000, 100 report EX 200000,
    /// 50 config strings and 20 profile hashes without TTL, one binary key without TTL.
    private func seed(_ server: RedisServerFixture, db: Int = 0) {
        var commands: [[String]] = [["SELECT", String(db)]]
        commands += (1...300).map { ["SET", "widget:\($0)", "v", "EX", "100"] }
        commands += (1...200).map { ["SET", "negcache:\($0)", "__NOT_FOUND__", "EX", "1000"] }
        commands += (1...100).map { ["SET", "report:\($0)", String(repeating: "x", count: 100), "EX", "200000"] }
        commands += (1...50).map { ["SET", "config:\($0)", "v"] }
        commands += (1...20).map { ["HSET", "profile:\($0)", "name", "n", "age", "3"] }
        XCTAssertTrue(server.pipe(commands).contains("errors: 0"))
        var binary: [[[UInt8]]] = [[Array("SELECT".utf8), Array(String(db).utf8)]]
        binary.append([Array("SET".utf8), binaryKey, Array("v".utf8)])
        XCTAssertTrue(server.pipe(binary).contains("errors: 0"))
        XCTAssertEqual(server.redisCLI(["-n", String(db), "DBSIZE"]), "671")
    }

    private func client(_ server: RedisServerFixture, username: String? = nil, password: String? = nil, db: Int = 0) -> RedisClient {
        RedisClient(endpoint: RedisEndpoint(host: server.host, port: server.port, username: username, password: password, db: db))
    }

    private func family(_ report: CensusReport, prefix: String) -> FamilyReport? {
        report.families.first { $0.pattern.hasPrefix(prefix) }
    }

    /// Keys in the log2 histogram bucket holding `seconds` (its upper bound is in [seconds, 2 × seconds)).
    private func histogramKeys(_ report: CensusReport, containing seconds: Double) -> Int {
        report.families.reduce(0) { total, family in
            total + family.ttlHistogram.filter { bucket in
                guard let upper = bucket.upperSeconds else { return false }
                return upper >= seconds && upper < 2 * seconds
            }.reduce(0) { $0 + $1.keys }
        }
    }

    /// Asserts the exact totals of the seeded keyspace on a complete pass.
    private func assertSeededTotals(_ report: CensusReport, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(report.complete, file: file, line: line)
        XCTAssertEqual(report.scannedKeys, 671, file: file, line: line)
        XCTAssertEqual(report.estimatedKeys, 671, file: file, line: line)
        XCTAssertEqual(report.dbsizeKeys, 671, file: file, line: line)
        XCTAssertEqual(report.families.reduce(0) { $0 + $1.keys }, 671, file: file, line: line)
        XCTAssertEqual(report.families.reduce(0) { $0 + $1.noTTL }, 71, file: file, line: line)
        let bands = report.families.reduce(into: Array(repeating: 0, count: 7)) { sum, family in
            for (index, count) in family.ttlBands.enumerated() { sum[index] += count }
        }
        XCTAssertEqual(bands, [300, 0, 0, 200, 0, 100, 71], file: file, line: line)
        let histogramTotal = report.families.reduce(0) { $0 + $1.ttlHistogram.reduce(0) { $0 + $1.keys } }
        XCTAssertEqual(histogramTotal, 671, file: file, line: line)
        let noTTLBucket = report.families.reduce(0) { $0 + $1.ttlHistogram.filter { $0.upperSeconds == nil }.reduce(0) { $0 + $1.keys } }
        XCTAssertEqual(noTTLBucket, 71, file: file, line: line)
        XCTAssertEqual(histogramKeys(report, containing: 97), 300, file: file, line: line)
        XCTAssertEqual(histogramKeys(report, containing: 997), 200, file: file, line: line)
        XCTAssertEqual(histogramKeys(report, containing: 199_997), 100, file: file, line: line)

        let widgets = family(report, prefix: "widget:")
        XCTAssertEqual(widgets?.keys, 300, file: file, line: line)
        XCTAssertEqual(widgets?.noTTL, 0, file: file, line: line)
        XCTAssertEqual(widgets?.ttlBands, [300, 0, 0, 0, 0, 0, 0], file: file, line: line)
        XCTAssertEqual(family(report, prefix: "config:")?.noTTL, 50, file: file, line: line)
        XCTAssertEqual(family(report, prefix: "report:")?.ttlBands[5], 100, file: file, line: line)
    }

    // MARK: - Full

    func testFullCensusCountsExactly() throws {
        let server = try RedisServerFixture()
        seed(server)
        let progressBox = Box<CensusProgress>()
        let report = try CensusRunner.runFull(client: client(server), db: 0, memory: false, scanCount: 50) { progressBox.add($0) }
        assertSeededTotals(report)
        XCTAssertEqual(Array(report.families.map(\.pattern).prefix(5)),
                       ["widget:{id}", "negcache:{id}", "report:{id}", "config:{id}", "profile:{id}"])
        let binary = try XCTUnwrap(family(report, prefix: "bin:"))
        XCTAssertEqual(binary.keys, 1)
        XCTAssertTrue(binary.examples.allSatisfy { !$0.unicodeScalars.contains { $0.value < 0x20 } }, "examples are escaped")
        XCTAssertTrue(binary.examples.first?.contains("\\x1b") ?? false)
        XCTAssertEqual(family(report, prefix: "widget:")?.types, ["string": 300])
        XCTAssertEqual(family(report, prefix: "profile:")?.types, ["hash": 20])
        XCTAssertNil(family(report, prefix: "widget:")?.memoryBytes)
        XCTAssertEqual(report.notes, [])
        let last = try XCTUnwrap(progressBox.all.last)
        XCTAssertTrue(last.complete)
        XCTAssertEqual(last.scannedKeys, 671)
        XCTAssertEqual(last.dbsizeKeys, 671)
        XCTAssertEqual(last.fraction, 1)
        // The census wrote nothing.
        XCTAssertEqual(server.redisCLI(["DBSIZE"]), "671")
    }

    func testFullCensusOfAnotherDatabase() throws {
        let server = try RedisServerFixture()
        seed(server, db: 2)
        server.redisCLI(["SET", "in-db0", "v"])
        let report = try CensusRunner.runFull(client: client(server), db: 2, memory: false)
        assertSeededTotals(report)
        XCTAssertEqual(report.db, 2)
    }

    func testEmptyDatabaseGivesAnEmptyCompleteCensus() throws {
        let server = try RedisServerFixture()
        let report = try CensusRunner.runFull(client: client(server), db: 0, memory: true)
        XCTAssertTrue(report.complete)
        XCTAssertEqual(report.scannedKeys, 0)
        XCTAssertEqual(report.families, [])
        XCTAssertEqual(report.notes, [])
    }

    func testMemoryUsageIsSampled() throws {
        let server = try RedisServerFixture()
        seed(server)
        let report = try CensusRunner.runFull(client: client(server), db: 0, memory: true)
        assertSeededTotals(report)
        let widgets = try XCTUnwrap(family(report, prefix: "widget:")?.memoryBytes)
        let reports = try XCTUnwrap(family(report, prefix: "report:")?.memoryBytes)
        XCTAssertGreaterThan(widgets, 300 * 8)
        XCTAssertGreaterThan(reports, 100 * 100, "100-byte values must weigh at least their payload")
        XCTAssertEqual(report.notes, [])
    }

    // MARK: - ACL

    func testMemoryUsageDeniedByACLDropsOnlyThatColumn() throws {
        let server = try RedisServerFixture(options: .init(aclUsers: ["census on >pw ~* +@all -memory"]))
        seed(server)
        let report = try CensusRunner.runFull(client: client(server, username: "census", password: "pw"), db: 0, memory: true)
        assertSeededTotals(report)
        XCTAssertTrue(report.families.allSatisfy { $0.memoryBytes == nil })
        XCTAssertEqual(report.notes.count, 1)
        XCTAssertTrue(report.notes[0].contains("MEMORY USAGE") && report.notes[0].contains("denied"), report.notes[0])
        XCTAssertEqual(family(report, prefix: "widget:")?.types, ["string": 300])
    }

    func testTypeDeniedByACLDropsOnlyTheTypeMix() throws {
        let server = try RedisServerFixture(options: .init(aclUsers: ["census on >pw ~* +@all -type"]))
        seed(server)
        let report = try CensusRunner.runFull(client: client(server, username: "census", password: "pw"), db: 0, memory: false)
        assertSeededTotals(report)
        XCTAssertTrue(report.families.allSatisfy { $0.types.isEmpty })
        XCTAssertEqual(report.notes.count, 1)
        XCTAssertTrue(report.notes[0].hasPrefix("TYPE is denied"), report.notes[0])
    }

    func testScanDeniedIsOneClearError() throws {
        let server = try RedisServerFixture(options: .init(aclUsers: ["noscan on >pw ~* +@all -scan"]))
        seed(server)
        XCTAssertThrowsError(try CensusRunner.runFull(client: client(server, username: "noscan", password: "pw"), db: 0, memory: false)) { error in
            XCTAssertEqual(error as? RedisError, .noPermission(address: "127.0.0.1:\(server.port)", command: "scan"))
        }
    }

    func testUnreachableServerThrowsAConnectionError() {
        let port = freeLoopbackPort()
        let dead = RedisClient(endpoint: RedisEndpoint(host: "127.0.0.1", port: port), initialBackoffSeconds: 0.01)
        XCTAssertThrowsError(try CensusRunner.runFull(client: dead, db: 0, memory: false)) { error in
            XCTAssertEqual(error as? RedisError, .connectionRefused(address: "127.0.0.1:\(port)"))
        }
    }

    // MARK: - Worker

    func testBudgetedWorkerPublishesCompletePassesContinuously() throws {
        let server = try RedisServerFixture()
        seed(server)
        let reports = Box<CensusReport>()
        let options = CensusOptions(mode: .budgeted(keysPerSecond: 5000), publishIntervalSeconds: 0.05, minimumPassSeconds: 0.1)
        let runner = CensusRunner(client: client(server), options: options, onReport: { reports.add($0) })
        runner.start()
        let deadline = Date().addingTimeInterval(20)
        while reports.all.filter(\.complete).count < 2 && Date() < deadline { usleep(20_000) }
        runner.stop()
        let complete = reports.all.filter(\.complete)
        XCTAssertGreaterThanOrEqual(complete.count, 2, "a budgeted census walks again after a pass")
        for report in complete { assertSeededTotals(report) }
        XCTAssertEqual(runner.latestCompleteReport.map { $0.scannedKeys }, 671)
        XCTAssertGreaterThanOrEqual(runner.progress?.pass ?? 0, 2)
        XCTAssertNotNil(runner.progress?.budgetKeysPerSecond)
        // Partial reports only before the first complete pass.
        let firstComplete = try XCTUnwrap(reports.all.firstIndex { $0.complete })
        XCTAssertTrue(reports.all[firstComplete...].allSatisfy(\.complete))
        let countAtStop = reports.count
        usleep(300_000)
        XCTAssertEqual(reports.count, countAtStop, "no report after stop()")
    }

    func testFullWorkerPublishesOneFinalReportAndFinishes() throws {
        let server = try RedisServerFixture()
        seed(server)
        let reports = Box<CensusReport>()
        let runner = CensusRunner(client: client(server), options: CensusOptions(mode: .full, scanCount: 20), onReport: { reports.add($0) })
        runner.start()
        let deadline = Date().addingTimeInterval(20)
        while runner.latestCompleteReport == nil && Date() < deadline { usleep(20_000) }
        usleep(200_000)
        runner.stop()
        XCTAssertEqual(reports.all.filter(\.complete).count, 1)
        assertSeededTotals(try XCTUnwrap(reports.all.last))
    }

    func testFullPassStaysExactWhenTheConnectionDropsWithAPageInFlight() throws {
        let server = try RedisServerFixture()
        seed(server)
        let client = RedisClient(endpoint: RedisEndpoint(host: server.host, port: server.port), initialBackoffSeconds: 0.05,
                                 maxBackoffSeconds: 0.2)
        let errors = Box<RedisError>()
        let reports = Box<CensusReport>()
        let progressCalls = Box<Int>()
        // Progress is published after every page, when (in full mode) the next page is already written
        // and unread: cutting the socket there loses those replies, which must be asked for again. Pages of 20 keys
        // shallow and deep alike (alone on its server the pass goes deep at once, with many pages in flight).
        let options = CensusOptions(mode: .full, memory: true, scanCount: 20, publishIntervalSeconds: 0, deepScanCount: 20)
        let runner = CensusRunner(client: client, options: options, onReport: { reports.add($0) },
                                  onProgress: { progress in
                                      progressCalls.add(progress.scannedKeys)
                                      if !progress.complete && [3, 9].contains(progressCalls.count) { client.interrupt() }
                                  },
                                  onError: { errors.add($0) })
        runner.start()
        defer { runner.stop() }
        let deadline = Date().addingTimeInterval(20)
        while !(reports.all.last?.complete ?? false) && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(errors.count, 2, "both cuts were seen as connection errors: \(errors.all)")
        let report = try XCTUnwrap(reports.all.last)
        assertSeededTotals(report)
        XCTAssertEqual(reports.all.filter(\.complete).count, 1)
        XCTAssertEqual(report.families.reduce(0) { $0 + ($1.memoryBytes == nil ? 0 : $1.keys) }, 671, "memory sampled for every key")
        XCTAssertEqual(server.redisCLI(["DBSIZE"]), "671")
    }

    func testWorkerSurvivesAServerRestart() throws {
        let server = try RedisServerFixture()
        let errors = Box<RedisError>()
        let reports = Box<CensusReport>()
        let options = CensusOptions(mode: .budgeted(keysPerSecond: 5000), minimumPassSeconds: 0.1)
        let runner = CensusRunner(client: RedisClient(endpoint: RedisEndpoint(host: server.host, port: server.port), initialBackoffSeconds: 0.05,
                                                      maxBackoffSeconds: 0.2),
                                  options: options, onReport: { reports.add($0) }, onError: { errors.add($0) })
        runner.start()
        defer { runner.stop() }
        var deadline = Date().addingTimeInterval(10)
        while reports.all.filter(\.complete).isEmpty && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(reports.all.last?.scannedKeys, 0)
        server.kill()
        deadline = Date().addingTimeInterval(10)
        while errors.count == 0 && Date() < deadline { usleep(20_000) }
        XCTAssertGreaterThan(errors.count, 0)
        try server.start()
        seed(server)
        deadline = Date().addingTimeInterval(20)
        while !(reports.all.last.map { $0.complete && $0.scannedKeys == 671 } ?? false) && Date() < deadline { usleep(20_000) }
        assertSeededTotals(try XCTUnwrap(reports.all.last))
    }
}

/// A thread-safe list for callbacks.
final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    func add(_ item: T) { lock.lock(); items.append(item); lock.unlock() }
    var all: [T] { lock.lock(); defer { lock.unlock() }; return items }
    var count: Int { all.count }
}
