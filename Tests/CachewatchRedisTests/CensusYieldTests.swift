import CachewatchCore
@testable import CachewatchRedis
import Foundation
import TestSupport
import XCTest

/// A budgeted census yields to a busy server (`ServerLoadGauge`, `INFO cpu` about 4 times a second).
final class CensusYieldTests: XCTestCase {
    /// Keeps Redis's CPU busy for 0.6 s (the test's own client; cachewatch never sends a script).
    private let busyScript = "local s=redis.call('TIME') local t0=s[1]*1000000+s[2] " +
        "while true do local n=redis.call('TIME') if n[1]*1000000+n[2]-t0 > 600000 then return 1 end end"

    private func waitUntil(seconds: Double, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && Date() < deadline { usleep(20_000) }
    }

    func testBudgetedCensusDropsToItsFloorWhileTheServerIsBusy() throws {
        let server = try RedisServerFixture()
        // 20,000 keys: a pass at 2,000 keys/s lasts about 10 s.
        XCTAssertTrue(server.pipe((1...20_000).map { ["SET", "item:\($0)", "v", "EX", "1000"] }).contains("errors: 0"))
        let paces = Box<Double>()
        let yielding = Box<Bool>()
        // PING back-off out of the way (the script also delays PING): only the load can lower the pace.
        let options = CensusOptions(mode: .budgeted(keysPerSecond: 2000), publishIntervalSeconds: 0, pingBackoffMilliseconds: 60_000)
        let runner = CensusRunner(client: RedisClient(endpoint: RedisEndpoint(host: server.host, port: server.port)), options: options,
                                  onReport: { _ in }, onProgress: { progress in
                                      if let pace = progress.budgetKeysPerSecond { paces.add(pace) }
                                      yielding.add(progress.yielding)
                                  })
        runner.start()
        defer { runner.stop() }
        waitUntil(seconds: 10) { paces.count >= 20 }
        XCTAssertEqual(paces.all.last, 2000, "an idle server: the whole budget")
        XCTAssertEqual(server.redisCLI(["EVAL", busyScript, "0"]), "1")
        waitUntil(seconds: 10) { paces.all.contains(40) }
        XCTAssertTrue(paces.all.contains(40), "busy: the floor, 2 % of the budget; paces seen: \(Set(paces.all).sorted())")
        XCTAssertEqual(paces.all.filter { $0 != 2000 && $0 != 40 }, [], "straight to the floor, no PING back-off steps")
        XCTAssertTrue(yielding.all.contains(true), "the progress says the census is yielding")
    }

    /// The gauge counts only the others' share (`ServerLoadGaugeTests.testTheCensusNeverYieldsToItsOwnLoad`); here a
    /// census as fast as budgeted pages go, alone on a server, keeps its budget from start to end.
    func testACensusAloneOnTheServerNeverYields() throws {
        let server = try RedisServerFixture()
        XCTAssertTrue(server.pipe((1...10_000).map { ["SET", "item:\($0)", "v", "EX", "1000"] }).contains("errors: 0"))
        let paces = Box<Double>()
        let done = Box<Bool>()
        let options = CensusOptions(mode: .budgeted(keysPerSecond: 1_000_000), publishIntervalSeconds: 0,
                                    pingBackoffMilliseconds: 60_000, minimumPassSeconds: 60)
        let runner = CensusRunner(client: RedisClient(endpoint: RedisEndpoint(host: server.host, port: server.port)), options: options,
                                  onReport: { if $0.complete { done.add(true) } }, onProgress: { progress in
                                      if let pace = progress.budgetKeysPerSecond { paces.add(pace) }
                                  })
        runner.start()
        defer { runner.stop() }
        waitUntil(seconds: 30) { done.count > 0 }
        XCTAssertEqual(done.count, 1, "one complete pass")
        XCTAssertGreaterThan(paces.count, 10)
        XCTAssertEqual(Set(paces.all), [1_000_000], "never below the budget")
    }
}
