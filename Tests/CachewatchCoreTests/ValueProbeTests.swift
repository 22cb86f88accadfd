import Foundation
import XCTest
@testable import CachewatchCore

/// The bounded look at values: classification, per-family counts, estimates, findings and JSON.
final class ValueProbeTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_795_700_000)

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func add(_ census: inout CensusAccumulator, _ key: String, _ pttl: Int64, _ valueClass: ValueClass, type: String? = "string") {
        census.add(key: bytes(key), type: type, pttlMilliseconds: pttl, memoryBytes: nil, valueClass: valueClass)
    }

    private func family(_ report: CensusReport, _ pattern: String) throws -> FamilyReport {
        try XCTUnwrap(report.families.first { $0.pattern == pattern }, pattern)
    }

    // MARK: - Classification

    func testClassifiesTheSentinelFalsyValuesAndTheRest() {
        func classify(_ text: String) -> ValueClass? { ValueClass.classify(lengthBytes: text.utf8.count, bytes: bytes(text)) }
        XCTAssertEqual(classify("__NOT_FOUND__"), .notFoundSentinel)
        for falsy in ["[]", "{}", "0", "0.0", "\"\"", "false", "False", ""] {
            XCTAssertEqual(classify(falsy), .falsy, falsy)
        }
        for other in ["[1]", "{\"a\":1}", "1", "00", "true", "v", "__NOT_FOUND_", "__not_found__", " []", "None"] {
            XCTAssertEqual(classify(other), .other, other)
        }
        // Longer than the sentinel: known from STRLEN alone, no bytes needed (or read).
        XCTAssertEqual(ValueClass.classify(lengthBytes: 14, bytes: nil), .other)
        XCTAssertEqual(ValueClass.classify(lengthBytes: 0, bytes: nil), .falsy)
        // Bytes that do not match the length: the value changed between STRLEN and GETRANGE, no answer.
        XCTAssertNil(ValueClass.classify(lengthBytes: 2, bytes: bytes("0")))
        XCTAssertNil(ValueClass.classify(lengthBytes: 13, bytes: nil))
    }

    // MARK: - Accumulator

    func testCountsSentinelsTheirTTLsAndFalsyValuesPerFamily() throws {
        var census = CensusAccumulator(db: 0)
        for i in 1...30 { add(&census, "widget:\(i)", 3_600_000, .notFoundSentinel) }
        for i in 31...40 { add(&census, "widget:\(i)", -1, .notFoundSentinel) }
        for i in 41...50 { add(&census, "widget:\(i)", 600_000, .other) }
        for i in 1...20 { add(&census, "product:\(i)", 60_000, .notFoundSentinel) }
        for i in 1...4 { add(&census, "tier_list:\(i)", 300_000, .falsy) }
        for i in 5...8 { add(&census, "tier_list:\(i)", 300_000, .other) }
        for i in 1...5 { add(&census, "plain:\(i)", 300_000, .notProbed) }
        let report = census.report(dbsizeKeys: 83, complete: true, keysPerSecond: 0, now: now)

        let widgets = try family(report, "widget:{id}")
        XCTAssertEqual(widgets.valuesProbed, 50)
        XCTAssertEqual(widgets.negativeCacheKeys, 40)
        XCTAssertEqual(widgets.negativeCacheLongTTLKeys, 40)
        XCTAssertEqual(widgets.negativeCacheNoTTL, 10)
        XCTAssertEqual(widgets.negativeCacheMaxTTLSeconds, 3600)
        XCTAssertEqual(widgets.falsyValueKeys, 0)

        let products = try family(report, "product:{id}")
        XCTAssertEqual(products.negativeCacheKeys, 20)
        XCTAssertEqual(products.negativeCacheLongTTLKeys, 0)
        XCTAssertEqual(products.negativeCacheMaxTTLSeconds, 60)

        let tiers = try family(report, "tier_list:{id}")
        XCTAssertEqual(tiers.valuesProbed, 8)
        XCTAssertEqual(tiers.falsyValueKeys, 4)
        XCTAssertEqual(tiers.negativeCacheKeys, 0)
        XCTAssertNil(tiers.negativeCacheMaxTTLSeconds)

        let plain = try family(report, "plain:{id}")
        XCTAssertEqual(plain.valuesProbed, 0)
        XCTAssertEqual(plain.falsyValueKeys, 0)
    }

    func testProbesAreReservedOnlyForStringsAndAtMostNPerFamily() throws {
        var census = CensusAccumulator(db: 0, valueProbesPerFamily: 5)
        let at = now
        var tickets: [ValueProbeTicket] = []
        for i in 1...20 {
            if let ticket = census.addReservingValueProbe(key: bytes("widget:\(i)"), type: "string", pttlMilliseconds: 900_000,
                                                          memoryBytes: nil, observedAt: at) {
                tickets.append(ticket)
            }
        }
        XCTAssertEqual(tickets.count, 5, "at most 5 values of one family are looked at in a pass")
        XCTAssertEqual(tickets.first?.pttlMilliseconds, 900_000)
        XCTAssertNil(census.addReservingValueProbe(key: bytes("profile:1"), type: "hash", pttlMilliseconds: -1, memoryBytes: nil, observedAt: at))
        XCTAssertNil(census.addReservingValueProbe(key: bytes("gone:1"), type: "string", pttlMilliseconds: -2, memoryBytes: nil, observedAt: at))
        XCTAssertNotNil(census.addReservingValueProbe(key: bytes("other:1"), type: "string", pttlMilliseconds: -1, memoryBytes: nil, observedAt: at),
                        "another family has its own budget")
        // Answers: 2 sentinels (15 min TTL), 1 falsy, 1 other, 1 unanswered (the key vanished).
        census.addValue(.notFoundSentinel, ticket: tickets[0])
        census.addValue(.notFoundSentinel, ticket: tickets[1])
        census.addValue(.falsy, ticket: tickets[2])
        census.addValue(.other, ticket: tickets[3])
        census.addValue(.notProbed, ticket: tickets[4])
        let report = census.report(dbsizeKeys: 22, complete: true, keysPerSecond: 0, now: now)
        let widgets = try family(report, "widget:{id}")
        XCTAssertEqual(widgets.keys, 20)
        XCTAssertEqual(widgets.valuesProbed, 4)
        // Estimated over the family's 20 string keys from 4 looked at.
        XCTAssertEqual(widgets.negativeCacheKeys, 10)
        XCTAssertEqual(widgets.negativeCacheLongTTLKeys, 10)
        XCTAssertEqual(widgets.negativeCacheMaxTTLSeconds, 900)
        XCTAssertEqual(widgets.falsyValueKeys, 5)
    }

    func testPartialPassScalesTheEstimatesByDBSIZE() throws {
        var census = CensusAccumulator(db: 0)
        for i in 1...10 { add(&census, "widget:\(i)", 3_600_000, i <= 5 ? .notFoundSentinel : .falsy) }
        let report = census.report(dbsizeKeys: 1000, complete: false, keysPerSecond: 0, now: now)
        let widgets = try family(report, "widget:{id}")
        XCTAssertEqual(widgets.keys, 1000)
        XCTAssertEqual(widgets.negativeCacheKeys, 500)
        XCTAssertEqual(widgets.falsyValueKeys, 500)
        XCTAssertEqual(widgets.valuesProbed, 10)
    }

    func testStatsMergeWhenFamiliesMerge() {
        var a = FamilyStats()
        var b = FamilyStats()
        a.addValue(.notFoundSentinel, pttlMilliseconds: 200_000)
        a.addValue(.falsy, pttlMilliseconds: 10_000)
        b.addValue(.notFoundSentinel, pttlMilliseconds: -1)
        b.addValue(.notFoundSentinel, pttlMilliseconds: 90_000)
        b.valueProbesReserved = 3
        a.merge(b)
        XCTAssertEqual(a.valuesProbed, 4)
        XCTAssertEqual(a.notFoundKeys, 3)
        XCTAssertEqual(a.notFoundLongKeys, 2)
        XCTAssertEqual(a.notFoundNoTTL, 1)
        XCTAssertEqual(a.notFoundMaxTTLMilliseconds, 200_000)
        XCTAssertEqual(a.falsyKeys, 1)
        XCTAssertEqual(a.valueProbesReserved, 3)
    }

    // MARK: - Findings

    func testLongNegativeTTLFindingNamesTheFamilyAndItsCounts() throws {
        var census = CensusAccumulator(db: 0)
        for i in 1...40 { add(&census, "widget:\(i)", 3_600_000, .notFoundSentinel) }
        for i in 1...40 { add(&census, "product:\(i)", 60_000, .notFoundSentinel) }
        for i in 1...3 { add(&census, "lookup:\(i)", -1, .notFoundSentinel) }
        let findings = Findings.evaluate(census.report(dbsizeKeys: 83, complete: true, keysPerSecond: 0, now: now))
            .filter { $0.code == "long-negative-ttl" }
        XCTAssertEqual(findings.map(\.pattern), ["widget:{id}", "lookup:{id}"], "a 60 s negative cache is within the guide")
        XCTAssertEqual(findings[0].message,
                       "40 \"__NOT_FOUND__\" entries of widget:{id} live up to 1 h (guide: 30–120 s; estimated from 40 values looked at), "
                       + "so rows created since keep answering 404; shorten the negative-cache TTL.")
        XCTAssertTrue(findings[1].message.hasPrefix("3 \"__NOT_FOUND__\" entries of lookup:{id} never expire (guide"), findings[1].message)
        XCTAssertEqual(findings[0].severity, .warn)
    }

    func testNegativeCacheFindingWordsMixedTTLs() throws {
        var census = CensusAccumulator(db: 0)
        for i in 1...10 { add(&census, "short:\(i)", 60_000, .notFoundSentinel) }
        for i in 11...12 { add(&census, "short:\(i)", -1, .notFoundSentinel) }
        for i in 1...10 { add(&census, "long:\(i)", 600_000, .notFoundSentinel) }
        for i in 11...14 { add(&census, "long:\(i)", -1, .notFoundSentinel) }
        let findings = Findings.evaluate(census.report(dbsizeKeys: 26, complete: true, keysPerSecond: 0, now: now))
            .filter { $0.code == "long-negative-ttl" }
        let short = try XCTUnwrap(findings.first { $0.pattern == "short:{id}" })
        XCTAssertTrue(short.message.hasPrefix("12 \"__NOT_FOUND__\" entries of short:{id} include 2 that never expire (guide"), short.message)
        let long = try XCTUnwrap(findings.first { $0.pattern == "long:{id}" })
        XCTAssertTrue(long.message.hasPrefix("14 \"__NOT_FOUND__\" entries of long:{id} live up to 10 min and 4 of them never expire (guide"),
                      long.message)
    }

    func testAnswerAfterANewPassIsIgnored() throws {
        var census = CensusAccumulator(db: 0)
        let ticket = try XCTUnwrap(census.addReservingValueProbe(key: bytes("widget:1"), type: "string", pttlMilliseconds: 1000,
                                                                 memoryBytes: nil, observedAt: now))
        census.startNewPass()
        census.addValue(.falsy, ticket: ticket)
        XCTAssertEqual(census.report(dbsizeKeys: 0, complete: true, keysPerSecond: 0, now: now).families, [])
    }

    func testFalsyValuesFindingAndItsAbsence() throws {
        var census = CensusAccumulator(db: 0)
        for i in 1...50 { add(&census, "tier_list:\(i)", 300_000, i <= 20 ? .falsy : .other) }
        for i in 1...50 { add(&census, "widget:\(i)", 300_000, .other) }
        let findings = Findings.evaluate(census.report(dbsizeKeys: 100, complete: true, keysPerSecond: 0, now: now))
        let falsy = findings.filter { $0.code == "falsy-values" }
        XCTAssertEqual(falsy.map(\.pattern), ["tier_list:{id}"])
        XCTAssertTrue(falsy[0].message.hasPrefix("20 keys of tier_list:{id} hold an empty or false value"), falsy[0].message)
        XCTAssertFalse(findings.contains { $0.code == "long-negative-ttl" })
        XCTAssertFalse(falsy[0].message.contains("\n"))
    }

    func testNoValueFindingsWithoutProbes() {
        var census = CensusAccumulator(db: 0)
        for i in 1...50 { add(&census, "widget:\(i)", 3_600_000, .notProbed) }
        let findings = Findings.evaluate(census.report(dbsizeKeys: 50, complete: true, keysPerSecond: 0, now: now))
        XCTAssertFalse(findings.contains { $0.code == "long-negative-ttl" || $0.code == "falsy-values" })
    }

    func testGroupedCounts() {
        XCTAssertEqual(Findings.grouped(40_211), "40,211")
        XCTAssertEqual(Findings.grouped(999), "999")
        XCTAssertEqual(Findings.grouped(1_000_000), "1,000,000")
        XCTAssertEqual(Findings.grouped(0), "0")
    }

    // MARK: - JSON

    func testFamilyJSONAppendsTheValueFieldsAfterTheExistingOnes() throws {
        var census = CensusAccumulator(db: 0)
        for i in 1...4 { add(&census, "widget:\(i)", i == 4 ? -1 : 3_600_000, i <= 3 ? .notFoundSentinel : .falsy) }
        let json = try family(census.report(dbsizeKeys: 4, complete: true, keysPerSecond: 0, now: now), "widget:{id}").json
        guard case .object(let fields) = json else { return XCTFail("not an object") }
        XCTAssertEqual(fields.map(\.0), ["pattern", "keys", "sampled", "share", "types", "no_ttl", "ttl_seconds", "ttl_histogram",
                                         "ttl_bands", "memory_bytes", "examples", "lockstep", "values_probed", "negative_cache",
                                         "falsy_values", "never_read"])
        let byName = Dictionary(uniqueKeysWithValues: fields)
        XCTAssertEqual(byName["values_probed"], .int(4))
        XCTAssertEqual(byName["falsy_values"], .int(1))
        XCTAssertEqual(byName["negative_cache"], .object([("keys", .int(3)), ("long_ttl", .int(3)), ("no_ttl", .int(0)),
                                                          ("max_ttl_seconds", .number(3600))]))
    }
}
