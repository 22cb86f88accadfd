import Foundation
import XCTest
@testable import CachewatchCore

/// Issue 9 §3 and §3b: small keyspaces group as well as big ones; the boilerplate's query keys are one
/// family per endpoint.
final class SmallKeyspaceFamiliesTests: XCTestCase {
    func patterns(_ keys: [String]) -> [String] {
        let table = FamiliesTable(keys: keys.map { Array($0.utf8) })
        return (0..<keys.count).map { table.pattern(ofKeyAt: $0) }
    }

    // MARK: - §3b query keys

    func testBoilerplateQueryKeysAreOneFamilyPerEndpoint() {
        var rng = SplitMix64(state: 31)
        var keys: [String] = []
        var seen = Set<String>()
        while keys.count < 3000 {
            let key = "widgets:q=limit=\(rng.pick([10, 20, 50]))&offset=\(rng.int(0...99) * 10)&sort=\(rng.pick(SmallCensusCorpus.sortOrders)):u=\(rng.int(1...5000))"
            if seen.insert(key).inserted { keys.append(key) }
        }
        XCTAssertEqual(Set(patterns(keys)), ["widgets:q=limit={n}&offset={n}&sort={str}:u={id}"])
        var search: [String] = []
        while search.count < 1500 {
            let key = "search_results:q=page=\(rng.int(1...200))&q=\(rng.pick(SmallCensusCorpus.searchWords))"
            if seen.insert(key).inserted { search.append(key) }
        }
        XCTAssertEqual(Set(patterns(search)), ["search_results:q=page={n}&q={str}"])
        // Both at once, shuffled, with six words only: still one family each.
        let few = (1...6).map { "search_results:q=page=1&q=\(SmallCensusCorpus.searchWords[$0])" }
        XCTAssertEqual(Set(patterns(keys.prefix(100) + few)),
                       ["widgets:q=limit={n}&offset={n}&sort={str}:u={id}", "search_results:q=page={n}&q={str}"])
    }

    func testNameValuePairsElsewhereInAKey() {
        let table = FamiliesTable(keys: [
            "widget:42:q=sort=-price", "feed:q=lang=en-us&tz=Europe.Paris", "report:from=2026-11-26&to=2026-11-30",
            "rate:window=30d:u=7", "price:q=min=10.5&max=99", "cursor:q=after=0b7c5b1e-3f2a-4c1d-9e8f-1a2b3c4d5e6f",
            "x:q=", "x:=alone", "token:abc==",
        ].map { Array($0.utf8) })
        XCTAssertEqual((0..<table.totalKeys).map { table.pattern(ofKeyAt: $0) }, [
            "widget:{id}:q=sort={str}", "feed:q=lang={str}&tz={str}", "report:from={date}&to={date}", "rate:window={str}:u={id}",
            "price:q=min={n}&max={id}", "cursor:q=after={uuid}", "x:q=", "x:=alone", "token:abc==",
        ])
    }

    // MARK: - §3 small keyspaces

    func testThirtyOneUsernamesAreOneFamilyNextToSettings() {
        var rng = SplitMix64(state: 12)
        var keys: [String] = []
        var names = Set<String>()
        while names.count < 31 { names.insert(CensusCorpus.username(&rng)) }
        keys += names.sorted().map { "user:" + $0 }
        keys += (1...40).map { "user:\($0):settings" }
        keys += ["top_widgets", "popular_widgets", "queue:default", "queue:mailers"]
        XCTAssertEqual(Set(patterns(keys)), ["user:{str}", "user:{id}:settings", "top_widgets", "popular_widgets",
                                             "queue:default", "queue:mailers"])
    }

    func testSmallCorporaGroupWithinTenPercentAndFullPurity() {
        for (total, seed) in [(2000, UInt64(1)), (2000, 2), (10_000, 3), (10_000, 4)] {
            for sorted in [false, true] {
                var corpus = SmallCensusCorpus.generate(total: total, seed: seed)
                if sorted { corpus.sort { $0.key.lexicographicallyPrecedes($1.key) } }
                let table = FamiliesTable(keys: corpus.map(\.key), maxFamilies: 1000)
                let predicted = (0..<corpus.count).map { table.pattern(ofKeyAt: $0) }
                let score = FamiliesAccuracyTests.score(predicted: predicted, truth: corpus.map(\.family))
                let label = "\(corpus.count) keys, seed \(seed)\(sorted ? ", sorted" : "")"
                print("small corpus \(label): purity \(score.purity) completeness \(score.completeness) predicted \(score.predicted) truth \(score.truth)")
                if score.predicted > score.truth || score.purity < 1 { print(table.tableText()) }
                XCTAssertEqual(score.purity, 1.0, label)
                XCTAssertLessThanOrEqual(Double(score.predicted), Double(score.truth) * 1.10, label)
            }
        }
    }

    /// The census names families the same way once its pass has seen the whole keyspace.
    func testCensusSettlesWhenThePassIsWhole() {
        let corpus = SmallCensusCorpus.generate(total: 2000, seed: 5)
        var census = CensusAccumulator(db: 0, maxFamilies: 1000)
        for item in corpus { census.add(key: item.key, type: "string", pttlMilliseconds: 60_000, memoryBytes: nil) }
        let table = FamiliesTable(keys: corpus.map(\.key), maxFamilies: 1000)
        let expected = Set(table.rows.map(\.pattern))
        let complete = census.report(dbsizeKeys: corpus.count, complete: true, keysPerSecond: 0, now: Date())
        XCTAssertEqual(Set(complete.families.map(\.pattern)), expected)
        XCTAssertTrue(expected.contains("user:{str}"))
        XCTAssertEqual(complete.families.reduce(0) { $0 + $1.keys }, corpus.count)
        // Every key seen (scanned = DBSIZE) before SCAN said so: already settled.
        let whole = census.report(dbsizeKeys: corpus.count, complete: false, keysPerSecond: 0, now: Date())
        XCTAssertEqual(Set(whole.families.map(\.pattern)), expected)
        // 90 % of the way: relative evidence already (31 usernames over 31 keys).
        let late = census.report(dbsizeKeys: corpus.count * 10 / 9, complete: false, keysPerSecond: 0, now: Date())
        XCTAssertTrue(late.families.contains { $0.pattern == "user:{str}" })
        // A hundredth of a far bigger keyspace: nearly the streaming evidence (31 keys are not 32).
        let partial = census.report(dbsizeKeys: corpus.count * 100, complete: false, keysPerSecond: 0, now: Date())
        XCTAssertFalse(partial.families.contains { $0.pattern == "user:{str}" })
        // Without DBSIZE, a partial pass cannot know how much is left: streaming evidence.
        let unknown = census.report(dbsizeKeys: 0, complete: false, keysPerSecond: 0, now: Date())
        XCTAssertFalse(unknown.families.contains { $0.pattern == "user:{str}" })
    }

    /// Partial reports of the big corpus settle only into groups the whole keyspace also has (no premature
    /// `{str}` that the end of the pass would not confirm).
    func testPartialPassesOfTheBigCorpusNeverInventGroups() {
        let corpus = CensusCorpus.generate(seed: 3)
        let whole = Set(FamiliesTable(keys: corpus.map(\.key), maxFamilies: 1000).rows.map(\.pattern))
        for fraction in [0.05, 0.2, 0.4, 0.7] {
            var census = CensusAccumulator(db: 0, maxFamilies: 1000)
            for item in corpus.prefix(Int(Double(corpus.count) * fraction)) {
                census.add(key: item.key, type: "string", pttlMilliseconds: 60_000, memoryBytes: nil)
            }
            let partial = census.report(dbsizeKeys: corpus.count, complete: false, keysPerSecond: 0, now: Date())
            let invented = partial.families.map(\.pattern).filter { $0.contains("{str}") && !whole.contains($0) }
            XCTAssertEqual(invented, [], "at \(fraction)")
        }
    }

    /// The evidence a position needs falls from the streaming rule (16 words, 32 keys) at the start of a pass
    /// to more than 5 words at the end.
    func testSettledEvidenceFallsAsThePassNearsItsEnd() {
        XCTAssertEqual(FamilyTrie.settledDistinct(0), 16)
        XCTAssertEqual(FamilyTrie.settledMinimumKeys(0), 32)
        XCTAssertEqual(FamilyTrie.settledDistinct(0.25), 12)
        XCTAssertEqual(FamilyTrie.settledMinimumKeys(0.25), 8)
        XCTAssertEqual(FamilyTrie.settledDistinct(0.5), 8)
        XCTAssertEqual(FamilyTrie.settledMinimumKeys(0.5), 0)
        XCTAssertEqual(FamilyTrie.settledDistinct(0.75), 5)
        XCTAssertEqual(FamilyTrie.settledDistinct(1), 5)
        XCTAssertEqual(FamilyTrie.settledMinimumKeys(1), 0)
        XCTAssertEqual(FamilyTrie.settledDistinct(.nan), 16)
        XCTAssertEqual(FamilyTrie.settledMinimumKeys(-.infinity), 32)
        // A handful of literal names stays apart even with the whole keyspace seen.
        let few = ["queue:default", "queue:mailers", "queue:critical", "queue:low", "queue:high"]
        XCTAssertEqual(Set(patterns(few)), Set(few))
        let six = few + ["queue:bulk"]
        XCTAssertEqual(Set(patterns(six)), ["queue:{str}"])
    }
}
