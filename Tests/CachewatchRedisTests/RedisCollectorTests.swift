import CachewatchCore
@testable import CachewatchRedis
import Foundation
import TestSupport
import XCTest

/// The INFO/PING collector thread.
final class RedisCollectorTests: XCTestCase {
    private final class Box: @unchecked Sendable {
        let lock = NSLock()
        var samples: [CollectorSample] = []
        func add(_ sample: CollectorSample) { lock.lock(); samples.append(sample); lock.unlock() }
        var count: Int { lock.lock(); defer { lock.unlock() }; return samples.count }
        var all: [CollectorSample] { lock.lock(); defer { lock.unlock() }; return samples }
    }

    func testCollectsPingAndInfoThenStops() throws {
        let server = try RedisServerFixture()
        let box = Box()
        let collector = RedisCollector(endpoint: RedisEndpoint(host: server.host, port: server.port), intervalSeconds: 0.05) { box.add($0) }
        collector.start()
        let deadline = Date().addingTimeInterval(10)
        while box.count < 3 && Date() < deadline { usleep(20_000) }
        collector.stop()
        let countAtStop = box.count
        XCTAssertGreaterThanOrEqual(countAtStop, 3)
        for sample in box.all {
            XCTAssertEqual(sample.state, .connected)
            XCTAssertNil(sample.error)
            XCTAssertNotNil(sample.pingMilliseconds)
            XCTAssertTrue(sample.infoText?.contains("redis_version:") ?? false)
        }
        usleep(200_000)
        XCTAssertEqual(box.count, countAtStop, "no sample after stop()")
    }

    func testReportsDisconnectedWhenServerDies() throws {
        let server = try RedisServerFixture()
        let collector = RedisCollector(endpoint: RedisEndpoint(host: server.host, port: server.port)) { _ in }
        XCTAssertNotNil(collector.sampleOnce().infoText)
        server.kill()
        let sample = collector.sampleOnce()
        XCTAssertNil(sample.infoText)
        XCTAssertNil(sample.pingMilliseconds)
        XCTAssertNotNil(sample.error)
        guard case .disconnected = sample.state else { return XCTFail("state \(sample.state)") }
    }

    func testDeniedInfoIsReportedButPingStillWorks() throws {
        let server = try RedisServerFixture(options: .init(aclUsers: ["noinfo on >pw ~* +@all -info"]))
        let collector = RedisCollector(endpoint: RedisEndpoint(host: server.host, port: server.port, username: "noinfo", password: "pw")) { _ in }
        let sample = collector.sampleOnce()
        XCTAssertNotNil(sample.pingMilliseconds)
        XCTAssertNil(sample.infoText)
        XCTAssertEqual(sample.error, .noPermission(address: "127.0.0.1:\(server.port)", command: "info"))
        XCTAssertEqual(sample.state, .connected)
    }

    func testClientListIsAskedAgainAfterAPassingRefusalButNotAfterALastingOne() throws {
        // LOADING passes (asked again at the next look); an unknown command lasts (never asked again).
        let server = try FakeRESPServer(keys: [], clientListReplies: [
            "-LOADING Redis is loading the dataset in memory\r\n",
            "$47\r\nid=7 addr=127.0.0.1:5 name=app idle=0 cmd=get\r\n\r\n",
        ])
        defer { server.stop() }
        let client = RedisClient(endpoint: RedisEndpoint(host: "127.0.0.1", port: server.port), ownTraffic: OwnTraffic())
        let collector = RedisCollector(client: client) { _ in }
        collector.clientListIntervalSeconds = 0
        let loading = collector.sampleOnce()
        XCTAssertNil(loading.clientListError, "LOADING is not a denial")
        XCTAssertNil(loading.otherCachewatch)
        XCTAssertEqual(collector.sampleOnce().otherCachewatch, 0, "asked again after LOADING: no other cachewatch")
        let unknown = collector.sampleOnce()
        XCTAssertNotNil(unknown.clientListError, "an unknown command is reported once")
        XCTAssertNil(collector.sampleOnce().clientListError)
        XCTAssertEqual(server.commands.filter { $0.name == "CLIENT LIST" }.count, 3, "not asked after the lasting refusal")
    }

    func testStopFromTheCallbackDoesNotDeadlock() throws {
        let server = try RedisServerFixture()
        let box = Box()
        let holder = CollectorHolder()
        let collector = RedisCollector(endpoint: RedisEndpoint(host: server.host, port: server.port), intervalSeconds: 0.05) { sample in
            box.add(sample)
            holder.collector?.stop()
        }
        holder.collector = collector
        collector.start()
        let deadline = Date().addingTimeInterval(10)
        while box.count < 1 && Date() < deadline { usleep(20_000) }
        usleep(300_000)
        XCTAssertEqual(box.count, 1, "stopped from its own callback after the first sample")
        collector.stop()
        holder.collector = nil
    }
}

private final class CollectorHolder: @unchecked Sendable {
    var collector: RedisCollector?
}
