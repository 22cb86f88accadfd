import CachewatchCore
import Foundation
import XCTest

/// A recording without `events`: the core detector rebuilds the timeline from the recorded documents.
final class RecordedEventDeriverTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_795_700_000)

    /// A `watch` document of second `second`; nil server fields mean the collector could not reach the server.
    private func document(_ second: Int, uptime: Int? = nil, keys: Int = 1000, maxmemory: Int = 1 << 30,
                          policy: String = "allkeys-lru", role: String = "master", used: Int = 100_000_000,
                          ping: Double = 0.3, evictedPerSecond: Double = 0, error: String? = nil,
                          logs: JSONValue? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("schema", .int(1)), ("taken_at", .string(ISOTime.format(t0.addingTimeInterval(Double(second)))))]
        if let error {
            pairs += [("server", .null), ("metrics", .null), ("keyspace", .array([]))]
            if let logs { pairs.append(("logs", logs)) }
            pairs.append(("error", .string(error)))
            return .object(pairs)
        }
        pairs += [
            ("server", .object([("version", .string("7.0.15")), ("uptime_seconds", .int(uptime ?? 10_000 + second)), ("role", .string(role)),
                                ("maxmemory_bytes", .int(maxmemory)), ("maxmemory_policy", .string(policy))])),
            ("metrics", .object([("ops_per_second", .double(100)), ("used_memory_bytes", .int(used)),
                                 ("evicted_keys_per_second", .double(evictedPerSecond)), ("ping_ms", .double(ping))])),
            ("keyspace", .array([.object([("db", .int(0)), ("keys", .int(keys)), ("expires", .int(keys))])])),
        ]
        if let logs { pairs.append(("logs", logs)) }
        return .object(pairs)
    }

    private func census(_ families: [(String, Int)]) -> CensusReport {
        CensusReport(db: 0, complete: true, scannedKeys: families.reduce(0) { $0 + $1.1 },
                     estimatedKeys: families.reduce(0) { $0 + $1.1 },
                     families: families.map { FamilyReport(pattern: $0.0, keys: $0.1, sampled: $0.1, share: 0, types: [:], noTTL: 0) },
                     forecast: Array(repeating: 0, count: 60))
    }

    private func feed(_ documents: [(Int, JSONValue, CensusReport?)]) -> [Event] {
        var deriver = RecordedEventDeriver()
        for (second, document, census) in documents {
            deriver.observe(document: document, at: t0.addingTimeInterval(Double(second)), census: census)
        }
        return deriver.events
    }

    func testServerEventsFromTheRecordedFields() {
        var documents: [(Int, JSONValue, CensusReport?)] = []
        for second in 0..<70 { documents.append((second, document(second), second == 5 ? census([("widget:{id}", 700), ("session:{id}", 300)]) : nil)) }
        documents.append((70, document(70, maxmemory: 64 << 20, used: 10_000_000), nil))        // CONFIG SET maxmemory
        documents.append((71, document(71, maxmemory: 64 << 20, used: 10_000_000, ping: 600), nil))   // DEBUG SLEEP
        documents.append((72, document(72, keys: 300, maxmemory: 64 << 20, used: 10_000_000), nil))   // FLUSH of widgets
        documents.append((80, document(80, keys: 300, maxmemory: 64 << 20, used: 10_000_000),
                          census([("session:{id}", 300)])))                                              // the next pass names them
        documents.append((81, document(81, keys: 300, maxmemory: 64 << 20, used: 63_000_000), nil))   // memory near max
        documents.append((82, document(82, keys: 300, maxmemory: 64 << 20, used: 63_000_000, evictedPerSecond: 4), nil))
        documents.append((83, document(83, keys: 300, maxmemory: 64 << 20, used: 63_000_000, error: "Cannot connect to Redis."), nil))
        documents.append((90, document(90, keys: 300, maxmemory: 64 << 20, used: 63_000_000, error: "Cannot connect to Redis."), nil))
        documents.append((95, document(95, uptime: 3, keys: 300, maxmemory: 0, role: "slave", used: 1_000_000), nil))
        let events = feed(documents)
        XCTAssertEqual(events.map(\.kind.rawValue), ["config-change", "latency-spike", "keyspace-drop", "memory-near-max",
                                                     "evictions-started", "connection-lost", "connection-restored", "restart",
                                                     "role-change", "config-change"], "\(events.map(\.message))")
        let drop = events.first { $0.kind == .keyspaceDrop }
        XCTAssertEqual(drop?.evidence("keys_before"), .int(1000))
        XCTAssertEqual(drop?.evidence("keys_after"), .int(300))
        XCTAssertTrue(drop?.message.contains("widget:{id} 700 -> 0") == true, "the next complete census names the family: \(drop?.message ?? "")")
        let lost = events.first { $0.kind == .connectionLost }
        XCTAssertEqual(lost?.at, t0.addingTimeInterval(83), "the outage starts at the first document that could not reach the server")
        XCTAssertEqual(events.first { $0.kind == .connectionRestored }?.evidence("outage_seconds"), .number(12))
        XCTAssertEqual(events.first { $0.kind == .configChange }?.evidence("maxmemory"),
                       .object([("before", .string(String(1 << 30))), ("after", .string(String(64 << 20)))]))
    }

    func testFailOpenTransitionsAndDeploysFromTheLogCounts() {
        func logs(history: [(Int, String, String)], deploys: [(Int, String)], total: Int) -> JSONValue {
            .object([
                ("fail_open", .object([("state", .string(history.last?.2 ?? "ok")),
                                       ("history", .array(history.map { .object([("at", .string(ISOTime.format(t0.addingTimeInterval(Double($0.0))))),
                                                                                  ("from", .string($0.1)), ("to", .string($0.2)),
                                                                                  ("rate_per_minute", .int(12))]) }))])),
                ("deploy_lines", .object([("total", .int(total)),
                                          ("recent", .array(deploys.map { .object([("at", .string(ISOTime.format(t0.addingTimeInterval(Double($0.0))))),
                                                                                   ("line", .string($0.1))]) }))])),
            ])
        }
        let startup = "uvicorn.error: Application startup complete."
        let documents: [(Int, JSONValue, CensusReport?)] = [
            (0, document(0, logs: logs(history: [], deploys: [], total: 0)), nil),
            (1, document(1, logs: logs(history: [(1, "ok", "warn")], deploys: [(1, startup)], total: 1)), nil),
            (2, document(2, logs: logs(history: [(1, "ok", "warn")], deploys: [(1, startup), (2, startup)], total: 2)), nil),
            (3, document(3, logs: logs(history: [(1, "ok", "warn"), (3, "warn", "crit")], deploys: [(1, startup), (2, startup)], total: 2)), nil),
            (300, document(300, logs: logs(history: [(1, "ok", "warn"), (3, "warn", "crit"), (300, "crit", "ok")],
                                           deploys: [(1, startup), (2, startup), (299, startup)], total: 3)), nil),
        ]
        let events = feed(documents)
        XCTAssertEqual(events.map(\.kind.rawValue), ["fail-open", "deploy", "fail-open", "fail-open", "deploy"])
        XCTAssertEqual(events[1].evidence("lines"), .int(2), "startup lines a second apart are one deploy")
        XCTAssertEqual(events.filter { $0.kind == .failOpen }.map { $0.evidence("to") }, [.string("warn"), .string("crit"), .string("ok")])
    }

    func testHostileDocumentsGiveNoEventsAndNoTrap() {
        let weird: [JSONValue] = [.null, .bool(true), .int(Int.max), .int(Int.min), .double(-1e308), .double(.nan), .string("\u{1b}[2J"),
                                  .array([.null]), .object([])]
        var deriver = RecordedEventDeriver()
        for (second, value) in weird.enumerated() {
            let document: JSONValue = .object([
                ("server", .object([("uptime_seconds", value), ("maxmemory_bytes", value), ("role", value), ("maxmemory_policy", value)])),
                ("metrics", .object([("used_memory_bytes", value), ("ping_ms", value), ("evicted_keys_per_second", value)])),
                ("keyspace", .array([.object([("db", value), ("keys", value)])])),
                ("logs", .object([("fail_open", .object([("history", .array([.object([("at", value)])]))])),
                                  ("deploy_lines", .object([("total", value), ("recent", .array([value]))]))])),
                ("error", value),
            ])
            deriver.observe(document: document, at: t0.addingTimeInterval(Double(second)))
            deriver.observe(document: value, at: t0.addingTimeInterval(Double(second) + 0.5))
        }
        XCTAssertLessThan(deriver.events.count, 20)
    }

    func testDocumentEventsReadBackBounded() {
        let event = Event(at: t0, kind: .keyspaceDrop, severity: .warn, message: "Keys fell",
                          evidence: [("keys_before", .int(10)), ("keys_after", .int(0))])
        let value: JSONValue = .array([event.json, .object([("at", .string(ISOTime.format(t0))), ("kind", .string("from-the-future"))]),
                                       .object([("kind", .string("restart"))]), .int(3)])
        let read = DocumentModels.events(value)
        XCTAssertEqual(read.map(\.kind), [.keyspaceDrop], "unknown kinds and events without a time are left out")
        XCTAssertEqual(read.first?.json, event.json)
    }
}
