import CachewatchCore
import Foundation
import XCTest

/// `cachewatch diff`'s pure part: decoding hostile documents and comparing two of them.
final class CensusDiffTests: XCTestCase {
    private func document(families: [(String, Double, Double, Double?)], findings: [(String, String?)] = [],
                          complete: Bool = true, takenAt: String = "2026-11-29T14:00:00Z") -> Data {
        let familyJSON = families.map { pattern, keys, noTTL, p50 in
            "{\"pattern\": \"\(pattern)\", \"keys\": \(keys), \"no_ttl\": \(noTTL), \"ttl_seconds\": {\"p50\": \(p50.map { String($0) } ?? "null")}}"
        }.joined(separator: ",")
        let findingJSON = findings.map { code, pattern in
            "{\"severity\": \"warn\", \"code\": \"\(code)\", \"pattern\": \(pattern.map { "\"\($0)\"" } ?? "null"), \"message\": \"m\"}"
        }.joined(separator: ",")
        return Data("""
        {"schema": 1, "taken_at": "\(takenAt)", "census": {"db": 0, "complete": \(complete), "families": [\(familyJSON)]},
         "findings": [\(findingJSON)]}
        """.utf8)
    }

    private func summary(_ data: Data) throws -> SnapshotSummary { try SnapshotSummary.decode(data, name: "x.json") }

    func testAppearedVanishedChangedAndNewFindings() throws {
        let before = try summary(document(families: [("widget:{id}", 1000, 0, 600), ("legacy:{id}", 50, 0, 60),
                                                     ("session:{uuid}", 300, 0, 86400), ("tier:{id}", 12, 0, 86400)],
                                          findings: [("no-ttl", "cart:{id}:items"), ("lockstep-expiry", "widget:{id}")]))
        let after = try summary(document(families: [("widget:{id}", 400, 0, 600), ("session:{uuid}", 305, 0, 86400),
                                                    ("tier:{id}", 12, 12, nil), ("v2:widget:{id}", 900, 0, 300)],
                                         findings: [("no-ttl", "cart:{id}:items"), ("no-ttl", "tier:{id}")]))
        let diff = CensusDiff(before: before, after: after)
        XCTAssertEqual(diff.appeared.map(\.pattern), ["v2:widget:{id}"])
        XCTAssertEqual(diff.vanished.map(\.pattern), ["legacy:{id}"])
        // widget shrank 60 %, tier lost its TTLs; session moved < 10 % and stays out.
        XCTAssertEqual(diff.changed.map(\.name), ["widget:{id}", "tier:{id}"])
        XCTAssertEqual(diff.changed.first?.keysBefore, 1000)
        XCTAssertEqual(diff.changed.first?.keysAfter, 400)
        XCTAssertEqual(diff.changed.last?.noTTLAfter, 12)
        XCTAssertEqual(diff.findingsNew.map(\.code), ["no-ttl"])
        XCTAssertEqual(diff.findingsNew.first?.pattern, "tier:{id}")
        XCTAssertEqual(diff.findingsResolved.map(\.code), ["lockstep-expiry"])
        XCTAssertTrue(diff.notes.isEmpty)
    }

    func testJSONFieldOrderAndNames() throws {
        let before = try summary(document(families: [("a:{id}", 10, 0, 60)]))
        let after = try summary(document(families: [("a:{id}", 30, 0, 120)]))
        let json = CensusDiff(before: before, after: after).json
        guard case let .object(pairs) = json else { return XCTFail("not an object") }
        XCTAssertEqual(pairs.map(\.0), ["appeared", "vanished", "changed", "findings_new", "findings_resolved",
                                         "before", "after", "appeared_keys", "vanished_keys", "notes"])
        guard case let .array(changed)? = json["changed"], case let .object(change)? = changed.first else { return XCTFail("no change") }
        XCTAssertEqual(change.map(\.0), ["pattern", "keys_before", "keys_after", "ttl_p50_before", "ttl_p50_after",
                                          "no_ttl_before", "no_ttl_after"])
        XCTAssertEqual(json["changed"].flatMap { if case let .array(items) = $0 { return items.first?["ttl_p50_after"] } else { return nil } },
                       .double(120))
    }

    func testMinimumChangeAndSmallFamilies() throws {
        let before = try summary(document(families: [("a:{id}", 100, 0, 600), ("b:{id}", 1, 0, 600)]))
        let after = try summary(document(families: [("a:{id}", 115, 0, 650), ("b:{id}", 2, 0, 600)]))
        XCTAssertEqual(CensusDiff(before: before, after: after).changed.map(\.name), ["a:{id}"], "1 -> 2 keys is noise")
        XCTAssertTrue(CensusDiff(before: before, after: after, minimumChangeFraction: 0.5).changed.isEmpty)
    }

    func testSeveralDatabasesAreNamedWithTheirDB() throws {
        let data = Data("""
        {"schema": 1, "censuses": [
          {"db": 0, "complete": true, "families": [{"pattern": "widget:{id}", "keys": 5, "no_ttl": 0}]},
          {"db": 1, "complete": true, "families": [{"pattern": "ratelimit:{id}", "keys": 9, "no_ttl": 0}]}]}
        """.utf8)
        let before = try summary(document(families: [("widget:{id}", 5, 0, nil)]))
        let diff = CensusDiff(before: before, after: try summary(data))
        XCTAssertEqual(diff.json["appeared"], .array([.string("db1 ratelimit:{id}")]))
    }

    func testPartialAndMissingCensusesAreNoted() throws {
        let partial = try summary(document(families: [("a:{id}", 10, 0, 60)], complete: false))
        let none = try summary(Data("{\"schema\": 1, \"findings\": []}".utf8))
        XCTAssertEqual(CensusDiff(before: partial, after: partial).notes.count, 1)
        let diff = CensusDiff(before: partial, after: none)
        XCTAssertTrue(diff.notes.contains { $0.contains("second document has no census") })
        XCTAssertEqual(diff.vanished.map(\.pattern), ["a:{id}"])
    }

    func testHostileDocumentsGiveOneSentence() {
        let cases: [(String, String)] = [
            ("not json at all", "is not valid JSON"),
            ("[1, 2, 3]", "is not a cachewatch snapshot document"),
            ("{\"families\": []}", "has no \"schema\" field"),
            ("{\"schema\": 1, \"census\": {\"families\": [{\"pattern\": 7}]}}", "unexpected value at census.families.0.pattern"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try summary(Data(text.utf8)), text) { error in
                let sentence = String(describing: error)
                XCTAssertTrue(sentence.hasPrefix("x.json "), sentence)
                XCTAssertTrue(sentence.contains(expected), sentence)
                XCTAssertFalse(sentence.contains("\n"), sentence)
            }
        }
    }

    func testHugeAndNegativeNumbersAreClamped() throws {
        let data = Data("""
        {"schema": 1e300, "census": {"db": -5, "families": [
          {"pattern": "a", "keys": 1e300, "no_ttl": -7, "ttl_seconds": {"p50": 1e308}},
          {"pattern": "(other)", "keys": 3}]}}
        """.utf8)
        let decoded = try summary(data)
        XCTAssertEqual(decoded.families.count, 1, "(other) is not a family")
        XCTAssertEqual(decoded.families.first?.keys, 9_007_199_254_740_992)
        XCTAssertEqual(decoded.families.first?.noTTL, 0)
        XCTAssertEqual(decoded.families.first?.db, 0)
        let diff = CensusDiff(before: decoded, after: decoded)
        XCTAssertTrue(diff.isEmpty)
    }
}
