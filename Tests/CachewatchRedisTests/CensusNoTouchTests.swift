import CachewatchCore
@testable import CachewatchRedis
import Foundation
import XCTest

/// `CLIENT NO-TOUCH ON` goes out once per connection, before any lookup on it; a refusing server is not asked
/// again. The local redis-server (7.0) refuses NO-TOUCH, so these tests play Redis with `FakeRESPServer`.
final class CensusNoTouchTests: XCTestCase {
    /// 100 keys: 10 SCAN pages of 10; even positions have no TTL (50 keys).
    private let keys = (0..<100).map { "widget:\($0)" }
    private var server: FakeRESPServer?

    override func tearDown() {
        if let server { XCTAssertTrue(server.stop(), "the fake server thread ended and closed its sockets") }
        server = nil
        super.tearDown()
    }

    // MARK: - Helpers

    private func startServer(refusesNoTouch: Bool = false, dropAtTypeCommand: Int? = nil) throws -> FakeRESPServer {
        let server = try FakeRESPServer(keys: keys, refusesNoTouch: refusesNoTouch, dropAtTypeCommand: dropAtTypeCommand)
        self.server = server
        return server
    }

    private func client(_ server: FakeRESPServer) -> RedisClient {
        RedisClient(endpoint: RedisEndpoint(host: "127.0.0.1", port: server.port, connectTimeoutMilliseconds: 1000,
                                            commandTimeoutMilliseconds: 3000),
                    initialBackoffSeconds: 0.05, maxBackoffSeconds: 0.2)
    }

    /// The names of the commands received on one connection, in order.
    private func names(_ server: FakeRESPServer, connection: Int) -> [String] {
        server.commands.filter { $0.connection == connection }.map(\.name)
    }

    /// The connections that carried lookups (TYPE or PTTL).
    private func lookupConnections(_ server: FakeRESPServer) -> Set<Int> {
        Set(server.commands.filter { ["TYPE", "PTTL"].contains($0.name) }.map(\.connection))
    }

    /// Asserts NO-TOUCH ON came exactly once on `connection`, before its first TYPE or PTTL.
    private func assertNoTouchLeadsLookups(_ server: FakeRESPServer, connection: Int,
                                           file: StaticString = #filePath, line: UInt = #line) {
        let commands = server.commands.filter { $0.connection == connection }
        let noTouch = commands.indices.filter { commands[$0].name == "CLIENT NO-TOUCH" }
        XCTAssertEqual(noTouch.count, 1, "NO-TOUCH once on connection \(connection): \(commands.map(\.name))", file: file, line: line)
        guard let sent = noTouch.first else { return }
        XCTAssertEqual(commands[sent].words.map { $0.uppercased() }, ["CLIENT", "NO-TOUCH", "ON"], file: file, line: line)
        let firstLookup = commands.firstIndex { ["TYPE", "PTTL"].contains($0.name) }
        XCTAssertNotNil(firstLookup, "connection \(connection) carried lookups", file: file, line: line)
        if let firstLookup { XCTAssertLessThan(sent, firstLookup, "NO-TOUCH before the first lookup", file: file, line: line) }
    }

    /// Asserts the exact totals of the fake keyspace on a complete pass.
    private func assertExactTotals(_ report: CensusReport, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(report.complete, file: file, line: line)
        XCTAssertEqual(report.scannedKeys, 100, file: file, line: line)
        XCTAssertEqual(report.estimatedKeys, 100, file: file, line: line)
        XCTAssertEqual(report.dbsizeKeys, 100, file: file, line: line)
        XCTAssertEqual(report.families.reduce(0) { $0 + $1.keys }, 100, file: file, line: line)
        XCTAssertEqual(report.families.reduce(0) { $0 + $1.noTTL }, 50, file: file, line: line)
        XCTAssertEqual(report.families.reduce(0) { $0 + ($1.types["string"] ?? 0) }, 100, file: file, line: line)
    }

    // MARK: - Fake server sanity

    func testFakeServerParsesPipelinedCommands() {
        let bytes = Array("*2\r\n$4\r\nPTTL\r\n$4\r\na\r\nb\r\n*1\r\n$4\r\nPI".utf8)
        let first = FakeRESPServer.parseCommand(bytes)
        XCTAssertEqual(first?.0, ["PTTL", "a\r\nb"])
        XCTAssertNil(FakeRESPServer.parseCommand(Array(bytes[(first?.1 ?? 0)...])), "an incomplete command waits for more input")
    }

    func testConnectionGenerationCountsConnectionsOpened() throws {
        let server = try startServer()
        let client = client(server)
        XCTAssertNil(client.connectionGeneration, "none open before the first call")
        XCTAssertEqual(try client.send(.ping).stringValue, "PONG")
        XCTAssertEqual(client.connectionGeneration, 1)
        _ = try client.send(.dbsize)
        XCTAssertEqual(client.connectionGeneration, 1, "same connection")
        client.disconnect()
        XCTAssertNil(client.connectionGeneration)
        let written = try client.write([.ping])
        XCTAssertEqual(written.connectionGeneration, 2)
        XCTAssertEqual(try client.readReplies(count: 1, of: written).first?.stringValue, "PONG")
        XCTAssertEqual(client.connectionGeneration, 2)
    }

    // MARK: - Accepting server (7.2+)

    func testFullPassSendsNoTouchOnceBeforeTheFirstLookup() throws {
        let server = try startServer()
        let report = try CensusRunner.runFull(client: client(server), db: 0, memory: true, scanCount: 10)
        assertExactTotals(report)
        XCTAssertEqual(lookupConnections(server), [1])
        assertNoTouchLeadsLookups(server, connection: 1)
        let sent = names(server, connection: 1)
        XCTAssertEqual(sent.filter { $0 == "SCAN" }.count, 10, "a multi-page pass")
        XCTAssertEqual(sent.filter { $0 == "PTTL" }.count, 100)
        XCTAssertEqual(sent.filter { $0 == "MEMORY USAGE" }.count, 100)
    }

    func testBudgetedPassesSendNoTouchOncePerConnection() throws {
        let server = try startServer()
        let reports = Box<CensusReport>()
        let options = CensusOptions(mode: .budgeted(keysPerSecond: 1000), scanCount: 10, publishIntervalSeconds: 0.05,
                                    minimumPassSeconds: 0.1)
        let runner = CensusRunner(client: client(server), options: options, onReport: { reports.add($0) })
        runner.start()
        let deadline = Date().addingTimeInterval(20)
        while reports.all.filter(\.complete).count < 2 && Date() < deadline { usleep(20_000) }
        runner.stop()
        let complete = reports.all.filter(\.complete)
        XCTAssertGreaterThanOrEqual(complete.count, 2, "two budgeted passes")
        for report in complete { assertExactTotals(report) }
        XCTAssertEqual(lookupConnections(server), [1])
        assertNoTouchLeadsLookups(server, connection: 1)
        let sent = names(server, connection: 1)
        XCTAssertGreaterThanOrEqual(sent.filter { $0 == "SCAN" }.count, 20, "both passes were multi-page, on one connection")
        XCTAssertGreaterThanOrEqual(sent.filter { $0 == "PTTL" }.count, 200)
    }

    func testReconnectedConnectionGetsNoTouchAgainAndTheCensusStaysExact() throws {
        // Connection 1 is cut at its 35th TYPE: pages are in flight, their replies lost. (No traffic probe: its own
        // connection would be number 2.)
        let server = try startServer(dropAtTypeCommand: 35)
        let report = try CensusRunner.runFull(client: client(server), db: 0, memory: false, scanCount: 10, trafficAware: false)
        XCTAssertTrue(server.didDrop)
        assertExactTotals(report)
        XCTAssertEqual(lookupConnections(server), [1, 2])
        assertNoTouchLeadsLookups(server, connection: 1)
        assertNoTouchLeadsLookups(server, connection: 2)
        XCTAssertEqual(server.commands.filter { $0.name == "CLIENT NO-TOUCH" }.count, 2, "once per connection, not per page")
    }

    // MARK: - Refusing server (before 7.2, or ACL)

    func testRefusingServerIsAskedOnceAndTheCensusGoesOn() throws {
        let server = try startServer(refusesNoTouch: true)
        let report = try CensusRunner.runFull(client: client(server), db: 0, memory: false, scanCount: 10)
        assertExactTotals(report)
        XCTAssertEqual(server.commands.filter { $0.name == "CLIENT NO-TOUCH" }.count, 1)
        assertNoTouchLeadsLookups(server, connection: 1)
        XCTAssertEqual(names(server, connection: 1).filter { $0 == "SCAN" }.count, 10)
    }

    func testRefusedNoTouchIsNotSentAgainAfterAReconnect() throws {
        let server = try startServer(refusesNoTouch: true, dropAtTypeCommand: 35)
        let report = try CensusRunner.runFull(client: client(server), db: 0, memory: false, scanCount: 10, trafficAware: false)
        XCTAssertTrue(server.didDrop)
        assertExactTotals(report)
        XCTAssertEqual(lookupConnections(server), [1, 2])
        XCTAssertEqual(server.commands.filter { $0.name == "CLIENT NO-TOUCH" }.map(\.connection), [1])
    }
}
