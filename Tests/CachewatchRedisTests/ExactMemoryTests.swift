import CachewatchCore
@testable import CachewatchRedis
import Foundation
import TestSupport
import XCTest

/// `MEMORY USAGE key` for every key, and `MEMORY USAGE key SAMPLES 0` with the next page only for keys that are not
/// strings (`ExactMemoryLookup`).
final class ExactMemoryTests: XCTestCase {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    func testLookupsAskTheDefaultSampleAndHeldBackKeysTheExactSize() {
        let held = ExactMemoryLookup(key: bytes("h:1"), observation: KeyObservation(type: "hash", pttlMilliseconds: -1, memoryBytes: 900),
                                     observedAt: Date())
        let batch = PageBatch(keys: [bytes("s:1")], probes: [], exactMemory: [held], noTouch: false, type: true, memory: true,
                              scanCursor: bytes("7"), scanCount: 10)
        XCTAssertEqual(batch.commands.map(\.arguments), [
            [bytes("SCAN"), bytes("7"), bytes("COUNT"), bytes("10")],
            [bytes("TYPE"), bytes("s:1")], [bytes("PTTL"), bytes("s:1")], [bytes("MEMORY"), bytes("USAGE"), bytes("s:1")],
            [bytes("MEMORY"), bytes("USAGE"), bytes("h:1"), bytes("SAMPLES"), bytes("0")],
        ])
        XCTAssertEqual(batch.lookupCount, 4)
    }

    func testKeysThatAreNotStringsWaitForTheirExactSize() {
        var walk = CensusPassState(db: 0, maxFamilies: 50)
        let observedAt = Date()
        walk.record([bytes("s:1"), bytes("h:1"), bytes("h:2"), bytes("h:3"), bytes("gone:1")], [
            KeyObservation(type: "string", pttlMilliseconds: -1, memoryBytes: 56),
            KeyObservation(type: "hash", pttlMilliseconds: 5000, memoryBytes: 900),
            KeyObservation(type: "hash", pttlMilliseconds: -1, memoryBytes: 800),
            KeyObservation(type: "hash", pttlMilliseconds: -1, memoryBytes: 700),
            KeyObservation(type: nil, pttlMilliseconds: -2, memoryBytes: nil),
        ], observedAt: observedAt, probingValues: false)
        XCTAssertEqual(walk.exactMemory.map(\.key), [bytes("h:1"), bytes("h:2"), bytes("h:3")])
        XCTAssertEqual(walk.exactMemory.first?.observedAt, observedAt)
        let batch = walk.nextBatch(noTouch: false, type: true, memory: true, probingValues: false, scanCount: 10)
        XCTAssertEqual(batch.exactMemory.count, 3)
        XCTAssertTrue(walk.exactMemory.isEmpty)
        // Exact size; the key vanished (the sampled size stays); an error (the sampled size stays).
        let counts = walk.recordExactMemory(batch.exactMemory, [.integer(1234), .null, .error("ERR odd")][...])
        XCTAssertEqual(counts.hits, 1)
        XCTAssertEqual(counts.misses, 1)
        // The vanished key counts as expired, not as a key.
        let report = walk.accumulator.report(dbsizeKeys: 4, complete: true, keysPerSecond: 0, now: observedAt)
        XCTAssertEqual(report.families.reduce(0) { $0 + $1.keys }, 4)
        let hashes = report.families.first { $0.pattern.hasPrefix("h:") }
        XCTAssertEqual(hashes?.memoryBytes, 1234 + 800 + 700)
        XCTAssertEqual(hashes?.types, ["hash": 3])
    }

    func testTooFewRepliesKeepTheSampledSizesAndLoseNoKey() {
        var walk = CensusPassState(db: 0, maxFamilies: 50)
        let lookups = (1...3).map {
            ExactMemoryLookup(key: bytes("z:\($0)"), observation: KeyObservation(type: "zset", pttlMilliseconds: -1, memoryBytes: 100),
                              observedAt: Date())
        }
        let counts = walk.recordExactMemory(lookups, [.integer(150)][...])
        XCTAssertEqual(counts.hits, 1)
        let report = walk.accumulator.report(dbsizeKeys: 3, complete: true, keysPerSecond: 0, now: Date())
        XCTAssertEqual(report.families.reduce(0) { $0 + $1.keys }, 3)
        XCTAssertEqual(report.families.reduce(0) { $0 + ($1.memoryBytes ?? 0) }, 150 + 100 + 100)
    }

    /// Against Redis: a big hash, list, set and sorted set (non-compact encodings, where Redis's default of 5 samples is
    /// an estimate) weigh exactly what `MEMORY USAGE key SAMPLES 0` says; strings what `MEMORY USAGE key` says.
    func testAggregatesWeighExactlyAgainstRedis() throws {
        let server = try RedisServerFixture()
        var commands: [[String]] = []
        // Values of very different sizes, so that 5 samples cannot guess the total.
        for index in 0..<600 {
            let value = String(repeating: "v", count: index % 7 == 0 ? 2000 : 3)
            commands.append(["HSET", "big:hash", "f\(index)", value])
            commands.append(["RPUSH", "big:list", value])
            commands.append(["SADD", "big:set", "m\(index)" + value])
            commands.append(["ZADD", "big:zset", String(index), "m\(index)" + value])
        }
        commands += (1...40).map { ["SET", "str:\($0)", String(repeating: "x", count: $0 * 10)] }
        XCTAssertTrue(server.pipe(commands).contains("errors: 0"))
        let client = RedisClient(endpoint: RedisEndpoint(host: server.host, port: server.port))
        let report = try CensusRunner.runFull(client: client, db: 0, memory: true, scanCount: 7)
        XCTAssertTrue(report.complete)
        XCTAssertEqual(report.scannedKeys, 44)
        func exact(_ key: String) -> Int { Int(server.redisCLI(["MEMORY", "USAGE", key, "SAMPLES", "0"])) ?? -1 }
        var sampledDiffers = false
        for name in ["hash", "list", "set", "zset"] {
            let key = "big:\(name)"
            let family = try XCTUnwrap(report.families.first { $0.pattern == key || $0.examples.contains(key) }, key)
            XCTAssertEqual(family.memoryBytes, exact(key), key)
            if Int(server.redisCLI(["MEMORY", "USAGE", key])) != exact(key) { sampledDiffers = true }
        }
        XCTAssertTrue(sampledDiffers, "the fixture must hold an aggregate whose sampled size is an estimate")
        let strings = try XCTUnwrap(report.families.first { $0.pattern.hasPrefix("str:") })
        let stringTotal = (1...40).reduce(0) { $0 + (Int(server.redisCLI(["MEMORY", "USAGE", "str:\($1)"])) ?? 0) }
        XCTAssertEqual(strings.memoryBytes, stringTotal)
        XCTAssertEqual(report.notes, [])
    }
}
