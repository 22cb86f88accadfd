import Foundation
import XCTest
@testable import CachewatchCore

final class FamiliesAccuracyTests: XCTestCase {
    struct Score { var purity: Double; var completeness: Double; var predicted: Int; var truth: Int }

    /// Purity: each predicted family's best-matching true family; completeness: the converse (key-weighted).
    static func score(predicted: [String], truth: [String]) -> Score {
        var pairs: [String: [String: Int]] = [:]
        var reverse: [String: [String: Int]] = [:]
        for (p, t) in zip(predicted, truth) {
            pairs[p, default: [:]][t, default: 0] += 1
            reverse[t, default: [:]][p, default: 0] += 1
        }
        let n = Double(predicted.count)
        let purity = Double(pairs.values.reduce(0) { $0 + ($1.values.max() ?? 0) }) / n
        let completeness = Double(reverse.values.reduce(0) { $0 + ($1.values.max() ?? 0) }) / n
        return Score(purity: purity, completeness: completeness, predicted: pairs.count, truth: reverse.count)
    }

    func testCorpusAccuracy() {
        let corpus = CensusCorpus.generate()
        XCTAssertGreaterThanOrEqual(corpus.count, 100_000)
        let table = FamiliesTable(keys: corpus.map(\.key), maxFamilies: 1000)
        let predicted = (0..<corpus.count).map { table.pattern(ofKeyAt: $0) }
        let score = Self.score(predicted: predicted, truth: corpus.map(\.family))
        XCTAssertGreaterThanOrEqual(score.truth, 25)
        if ProcessInfo.processInfo.environment["CACHEWATCH_FAMILIES_DEBUG"] != nil {
            print(table.tableText())
            var pairs: [String: [String: Int]] = [:]
            for (p, t) in zip(predicted, corpus.map(\.family)) { pairs[t, default: [:]][p, default: 0] += 1 }
            for (t, ps) in pairs.sorted(by: { $0.key < $1.key }) where ps.count > 1 { print("SPLIT", t, ps.sorted { $0.value > $1.value }.prefix(5)) }
        }
        print("families accuracy: purity \(score.purity) completeness \(score.completeness) predicted \(score.predicted) truth \(score.truth)")
        XCTAssertGreaterThanOrEqual(score.purity, 0.99)
        XCTAssertGreaterThanOrEqual(score.completeness, 0.99)
        XCTAssertLessThanOrEqual(abs(Double(score.predicted - score.truth)), Double(score.truth) * 0.10)
    }
}

extension FamiliesAccuracyTests {
    /// Other seeds and a sorted input (the evidence rule must not depend on SCAN's random order).
    func testAccuracyHoldsForOtherSeedsAndSortedInput() {
        for seed: UInt64 in [1, 7] {
            var corpus = CensusCorpus.generate(seed: seed)
            if seed == 7 { corpus.sort { $0.key.lexicographicallyPrecedes($1.key) } }
            let table = FamiliesTable(keys: corpus.map(\.key), maxFamilies: 1000)
            let score = Self.score(predicted: (0..<corpus.count).map { table.pattern(ofKeyAt: $0) }, truth: corpus.map(\.family))
            print("families accuracy seed \(seed)\(seed == 7 ? " sorted" : ""): purity \(score.purity) completeness \(score.completeness) predicted \(score.predicted) truth \(score.truth)")
            if ProcessInfo.processInfo.environment["CACHEWATCH_FAMILIES_DEBUG"] != nil { print(table.tableText()) }
            XCTAssertGreaterThanOrEqual(score.purity, 0.99, "seed \(seed)")
            XCTAssertGreaterThanOrEqual(score.completeness, 0.99, "seed \(seed)")
            XCTAssertLessThanOrEqual(abs(Double(score.predicted - score.truth)), Double(score.truth) * 0.10, "seed \(seed)")
        }
    }

    /// The rules other tools use produce orders of magnitude more "families" on the same corpus.
    func testNaiveRulesProduceFarMoreFamilies() {
        let corpus = CensusCorpus.generate()
        var firstSegment = Set<String>(), digitSegments = Set<String>()
        for item in corpus {
            let text = String(decoding: item.key, as: UTF8.self)
            firstSegment.insert(String(text.split(separator: ":", omittingEmptySubsequences: false).first ?? ""))
            digitSegments.insert(text.split(separator: ":", omittingEmptySubsequences: false)
                .map { $0.contains(where: \.isNumber) ? "*" : String($0) }.joined(separator: ":"))
        }
        let truth = Set(corpus.map(\.family)).count
        print("naive families: first segment \(firstSegment.count), digit segments → * \(digitSegments.count), truth \(truth)")
        XCTAssertGreaterThan(firstSegment.count, truth * 100)
        XCTAssertGreaterThan(digitSegments.count, truth * 100)
    }
}
