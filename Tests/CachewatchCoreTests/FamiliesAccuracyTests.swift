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
