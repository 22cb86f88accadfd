import Foundation
import TestSupport
import XCTest

/// The census through `cachewatch snapshot --json --full` on a seeded redis-server: exact family counts,
/// no-TTL numbers and histogram buckets on a full pass; hostile key bytes escaped; empty DB; ACL-denied MEMORY.
final class CensusCLITests: XCTestCase {
    private static let shared = SharedRedisServer()

    /// db0: four families with known TTLs (EX 3600, EX 300, EX 60, none) and hostile keys; db1: plain keys; db6: empty.
    override class func setUp() {
        super.setUp()
        guard let server = shared.start(.init(aclUsers: ["nomem on >nomem-pw ~* +@all -memory",
                                                         "safe on >safe-pw ~* +@all -@dangerous"])) else { return }
        var commands: [[[UInt8]]] = []
        func set(_ key: [UInt8], _ ttl: Int?) {
            var argv: [[UInt8]] = [Array("SET".utf8), key, Array("{\"v\":1}".utf8)]
            if let ttl { argv += [Array("EX".utf8), Array(String(ttl).utf8)] }
            commands.append(argv)
        }
        for id in 1...40 { set(Array("widget:\(id)".utf8), 3600) }
        for user in 1...5 { for page in 1...4 { set(Array("user_\(user)_widgets:page_\(page):size_10:\(user)".utf8), 300) } }
        for id in 1...15 { set(Array("widget_nf:\(id * 7)".utf8), 60) }
        for _ in 1...10 { set(Array("session:\(UUID().uuidString.lowercased())".utf8), nil) }
        // Hostile bytes: ESC sequences, BEL, newline, invalid UTF-8 (10 keys, no TTL).
        for id in 1...5 { set(Array("ctl:".utf8) + [0x1B] + Array("[31mred".utf8) + [0x07] + Array(":\(id)".utf8), nil) }
        for id in 1...5 { set(Array("bin:".utf8) + [0xFF, 0xFE, 0x0A] + Array(":\(id)".utf8), nil) }
        commands.append([Array("SELECT".utf8), Array("1".utf8)])
        for id in 1...3 { set(Array("rate_limit:\(id)".utf8), 90) }
        server.pipe(commands)
    }

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    private var server: RedisServerFixture { get throws { try Self.shared.server } }

    private func fullCensus(_ extra: [String] = []) throws -> (CLIRunner.Result, [String: Any]) {
        let server = try server
        let result = try CLIRunner.run(["snapshot", "--json", "--full", "--interval", "0.1s", "-p", String(server.port)] + extra)
        XCTAssertEqual(result.status, 0, result.stderr)
        let document = try parseJSONObject(result.stdout)
        let census = try XCTUnwrap(document["census"] as? [String: Any], "census present")
        return (result, census)
    }

    private func families(_ census: [String: Any]) throws -> [[String: Any]] {
        try XCTUnwrap(census["families"] as? [[String: Any]])
    }

    // MARK: - Counts and TTLs

    func testFullCensusCountsFamiliesExactly() throws {
        let (result, census) = try fullCensus()
        XCTAssertEqual(census["db"] as? Int, 0)
        XCTAssertEqual(census["complete"] as? Bool, true)
        XCTAssertEqual(census["scanned_keys"] as? Int, 95)
        XCTAssertEqual(census["estimated_keys"] as? Int, 95)
        let ordered = try OrderedJSON.parse(result.stdout)
        XCTAssertEqual(ordered["census"]?.keys, ["db", "complete", "scanned_keys", "estimated_keys", "families", "forecast", "notes"])
        if let first = ordered["census"]?["families"]?.elements.first {
            XCTAssertEqual(Array(first.keys.prefix(11)), ["pattern", "keys", "sampled", "share", "types", "no_ttl", "ttl_seconds",
                                                          "ttl_histogram", "ttl_bands", "memory_bytes", "examples"])
        }

        let list = try families(census)
        let keys = list.compactMap { $0["keys"] as? Int }
        XCTAssertEqual(keys, keys.sorted(by: >), "families sorted by keys, descending")
        XCTAssertEqual(keys.reduce(0, +), 95, "every key in exactly one family")

        func family(_ pattern: String) throws -> [String: Any] {
            try XCTUnwrap(list.first { $0["pattern"] as? String == pattern }, "family \(pattern) in \(list.map { $0["pattern"] ?? "?" })")
        }
        // (pattern, keys, no_ttl, seeded TTL, histogram upper bound, band index)
        let expectations: [(String, Int, Int, Double?, Double?, Int)] = [
            ("widget:{id}", 40, 0, 3600, 4096, 3),
            ("user_{id}_widgets:page_{n}:size_{n}:{id}", 20, 0, 300, 512, 1),
            ("widget_nf:{id}", 15, 0, 60, 64, 0),
            ("session:{uuid}", 10, 10, nil, nil, 6),
        ]
        for (pattern, count, noTTL, seededTTL, upper, band) in expectations {
            let entry = try family(pattern)
            XCTAssertEqual(entry["keys"] as? Int, count, pattern)
            XCTAssertEqual(entry["sampled"] as? Int, count, "\(pattern): a full pass samples every key")
            XCTAssertEqual(entry["no_ttl"] as? Int, noTTL, pattern)
            XCTAssertEqual((entry["types"] as? [String: Any])?["string"] as? Int, count, pattern)
            XCTAssertEqual(try XCTUnwrap(entry["share"] as? Double), Double(count) / 95, accuracy: 0.001, pattern)

            let histogram = try XCTUnwrap(entry["ttl_histogram"] as? [[String: Any]])
            XCTAssertEqual(histogram.count, 1, "\(pattern): one TTL bucket: \(histogram)")
            XCTAssertEqual(histogram.first?["keys"] as? Int, count, pattern)
            if let upper {
                XCTAssertEqual(histogram.first?["upper_seconds"] as? Double, upper, pattern)
            } else {
                XCTAssertTrue(histogram.first?["upper_seconds"] is NSNull, "\(pattern): null = no TTL")
            }
            let bands = try XCTUnwrap(entry["ttl_bands"] as? [[String: Any]])
            XCTAssertEqual(bands.compactMap { $0["band"] as? String }, ["<=2m", "<=5m", "<=15m", "<=1h", "<=24h", ">24h", "none"])
            XCTAssertEqual(bands.compactMap { $0["keys"] as? Int }, (0..<7).map { $0 == band ? count : 0 }, pattern)

            let ttl = try XCTUnwrap(entry["ttl_seconds"] as? [String: Any])
            if let seededTTL {
                let max = try XCTUnwrap(ttl["max"] as? Double), min = try XCTUnwrap(ttl["min"] as? Double)
                XCTAssertLessThanOrEqual(max, seededTTL, pattern)
                XCTAssertGreaterThan(min, seededTTL - 60, "\(pattern): seeded with EX \(seededTTL) moments ago")
                XCTAssertLessThanOrEqual(min, max, pattern)
            } else {
                XCTAssertTrue(ttl["min"] is NSNull && ttl["max"] is NSNull, "\(pattern): no TTL → null stats")
            }
            let examples = try XCTUnwrap(entry["examples"] as? [String])
            XCTAssertFalse(examples.isEmpty, pattern)
            XCTAssertLessThanOrEqual(examples.count, 3, pattern)
        }
        XCTAssertTrue(try XCTUnwrap(try family("widget:{id}")["examples"] as? [String]).allSatisfy { $0.hasPrefix("widget:") })

        // Every family (hostile ones included): histogram and bands each sum to keys.
        for entry in list {
            let count = try XCTUnwrap(entry["keys"] as? Int)
            let histogram = try XCTUnwrap(entry["ttl_histogram"] as? [[String: Any]])
            XCTAssertEqual(histogram.compactMap { $0["keys"] as? Int }.reduce(0, +), count, "\(entry["pattern"] ?? "?") histogram")
            let bands = try XCTUnwrap(entry["ttl_bands"] as? [[String: Any]])
            XCTAssertEqual(bands.compactMap { $0["keys"] as? Int }.reduce(0, +), count, "\(entry["pattern"] ?? "?") bands")
            XCTAssertTrue(entry["memory_bytes"] is NSNull, "memory_bytes null unless --memory")
        }

        let forecast = try XCTUnwrap(census["forecast"] as? [[String: Any]])
        XCTAssertEqual(forecast.compactMap { $0["minute"] as? Int }, Array(1...60))
        let perMinute = forecast.compactMap { $0["keys"] as? Int }
        XCTAssertEqual(perMinute.reduce(0, +), 15 + 20 + 40, "every key with a TTL ≤ 1 h expires within the hour")
        XCTAssertEqual(perMinute.first, 15, "the EX 60 keys expire in minute 1")
        XCTAssertEqual(perMinute[4], 20, "the EX 300 keys expire in minute 5")
        XCTAssertEqual(perMinute[59], 40, "the EX 3600 keys expire in minute 60")
    }

    func testHostileKeyBytesAreEscapedNeverRaw() throws {
        let (result, census) = try fullCensus()
        for raw in ["\u{1B}", "\u{07}", "\u{FFFD}"] {
            XCTAssertFalse(result.stdout.contains(raw), "raw \(raw.unicodeScalars.first!.value) on stdout")
        }
        let list = try families(census)
        let strings = list.flatMap { [$0["pattern"] as? String ?? ""] + ($0["examples"] as? [String] ?? []) }
        for text in strings {
            XCTAssertFalse(text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0.value == 0xFFFD },
                           "no control character or replacement character once decoded: \(text.debugDescription)")
        }
        let ctl = list.filter { ($0["pattern"] as? String)?.hasPrefix("ctl:") == true }
        XCTAssertEqual(ctl.compactMap { $0["keys"] as? Int }.reduce(0, +), 5, "ESC keys grouped and counted")
        XCTAssertTrue(ctl.allSatisfy { ($0["pattern"] as? String)?.contains("\\x1b") == true }, "pattern shows \\x1b")
        let ctlExamples = ctl.flatMap { $0["examples"] as? [String] ?? [] }
        XCTAssertFalse(ctlExamples.isEmpty)
        XCTAssertTrue(ctlExamples.allSatisfy { $0.hasPrefix("ctl:\\x1b[31mred\\x07:") }, "\(ctlExamples)")
        let bin = list.filter { ($0["pattern"] as? String)?.hasPrefix("bin:") == true }
        XCTAssertEqual(bin.compactMap { $0["keys"] as? Int }.reduce(0, +), 5, "invalid UTF-8 keys grouped and counted")
        let binExamples = bin.flatMap { $0["examples"] as? [String] ?? [] }
        XCTAssertTrue(binExamples.allSatisfy { $0.hasPrefix("bin:\\xff\\xfe\\n:") || $0.hasPrefix("bin:\\xff\\xfe\\x0a:") }, "\(binExamples)")

        // The text summary escapes too.
        let text = try CLIRunner.run(["snapshot", "--full", "--interval", "0.1s", "-p", String(try server.port)])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertFalse(text.stdout.contains("\u{1B}"), "no raw ESC in the text summary")
        XCTAssertTrue(text.stdout.contains("ctl:\\x1b[{id}mred\\x07:{id}"), "escaped once: \(text.stdout)")
        XCTAssertFalse(text.stdout.contains("\\\\x"), "not escaped twice: \(text.stdout)")
    }

    func testOtherDatabaseAndEmptyDatabase() throws {
        let (_, db1) = try fullCensus(["-n", "1"])
        XCTAssertEqual(db1["db"] as? Int, 1)
        let list = try families(db1)
        XCTAssertEqual(list.count, 1)
        XCTAssertEqual(list.first?["pattern"] as? String, "rate_limit:{id}")
        XCTAssertEqual(list.first?["keys"] as? Int, 3)

        let (_, empty) = try fullCensus(["-n", "6"])
        XCTAssertEqual(empty["db"] as? Int, 6)
        XCTAssertEqual(empty["complete"] as? Bool, true)
        XCTAssertEqual(empty["scanned_keys"] as? Int, 0)
        XCTAssertEqual(try families(empty).count, 0)
        let forecast = try XCTUnwrap(empty["forecast"] as? [[String: Any]])
        XCTAssertTrue(forecast.allSatisfy { $0["keys"] as? Int == 0 })
    }

    func testMemoryDeniedByACLKeepsTheCensusAndSaysWhy() throws {
        let (_, census) = try fullCensus(["--user", "nomem", "-a", "nomem-pw", "--no-auth-warning", "--memory"])
        XCTAssertEqual(census["complete"] as? Bool, true)
        XCTAssertEqual(census["scanned_keys"] as? Int, 95)
        let notes = try XCTUnwrap(census["notes"] as? [String])
        XCTAssertTrue(notes.contains { $0.contains("MEMORY") && ($0.contains("NOPERM") || $0.lowercased().contains("denied")) },
                      "notes say MEMORY USAGE was denied: \(notes)")
        XCTAssertTrue(try families(census).allSatisfy { $0["memory_bytes"] is NSNull })
        XCTAssertEqual(try families(census).compactMap { $0["keys"] as? Int }.reduce(0, +), 95)
    }

    func testINFODeniedByACLStillGivesTheCensus() throws {
        // INFO (and CLIENT) are in @dangerous, which restricted users commonly lack.
        let server = try server
        let result = try CLIRunner.run(["snapshot", "--json", "--full", "--interval", "0.1s", "-p", String(server.port),
                                        "--user", "safe", "-a", "safe-pw", "--no-auth-warning"])
        XCTAssertEqual(result.status, 1, "INFO denied is reported as an error")
        XCTAssertEqual(stderrLines(result).count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("'info'") && result.stderr.contains("NOPERM"), result.stderr)
        assertNoCrash(result)
        let document = try parseJSONObject(result.stdout)
        XCTAssertTrue(document["server"] is NSNull)
        XCTAssertTrue(document["metrics"] is NSNull)
        XCTAssertNotNil(document["error"] as? String)
        let census = try XCTUnwrap(document["census"] as? [String: Any], "the census does not need INFO")
        XCTAssertEqual(census["complete"] as? Bool, true)
        XCTAssertEqual(census["scanned_keys"] as? Int, 95)
        XCTAssertFalse(result.stdout.contains("safe-pw"))
    }

    func testMaxFamiliesFoldsTheRestIntoOther() throws {
        for mode in [["--full"], ["--interval", "1s"]] {
            let server = try server
            let result = try CLIRunner.run(["snapshot", "--json", "--max-families", "2", "-p", String(server.port)] + mode)
            XCTAssertEqual(result.status, 0, result.stderr)
            let census = try XCTUnwrap(try parseJSONObject(result.stdout)["census"] as? [String: Any])
            if mode == ["--full"] { XCTAssertEqual(census["complete"] as? Bool, true) }
            guard census["complete"] as? Bool == true else { continue }   // budgeted: only a complete pass is exact
            let list = try families(census)
            XCTAssertEqual(list.compactMap { $0["pattern"] as? String }, ["widget:{id}", "user_{id}_widgets:page_{n}:size_{n}:{id}", "(other)"],
                           "\(mode)")
            XCTAssertEqual(list.last?["keys"] as? Int, 95 - 40 - 20, "\(mode): (other) carries the rest")
            XCTAssertEqual(list.last?["no_ttl"] as? Int, 20, "\(mode): sessions and hostile keys have no TTL")
        }
    }

    func testMemorySampledWhenAllowed() throws {
        let (_, census) = try fullCensus(["--memory"])
        XCTAssertEqual(census["notes"] as? [String], [])
        let widget = try XCTUnwrap(try families(census).first { $0["pattern"] as? String == "widget:{id}" })
        XCTAssertGreaterThan(try XCTUnwrap(widget["memory_bytes"] as? Int), 40 * 8, "40 keys take some bytes")
    }
}
