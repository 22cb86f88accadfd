import Foundation
import XCTest
@testable import CachewatchCore

/// `FamilyNameCache` (what `KeyFamilyNamer` returns for log keys) must equal `FamilyTrie.pattern(of:)` rendered afresh
/// after every key, including when a placeholder's vote flips, positions collapse to `{str}` and families merge.
final class FamilyNameCacheTests: XCTestCase {
    // MARK: - Streams

    /// `sess:` keys whose 32-hex vote flips `{uuid}` → `{hash}` → `{uuid}`, and `event:` keys whose `{id}` vote flips
    /// `{ts}` → `{id}` → `{ts}` → `{id}`.
    func voteFlipStream() -> [String] {
        var rng = SplitMix64(state: 11)
        var keys: [String] = []
        keys += (0..<100).map { _ in "sess:" + rng.uuid4(dashed: false) }
        keys += (0..<10).map { _ in "sess:" + rng.hex(32) }
        keys += (0..<300).map { _ in "sess:" + rng.uuid4(dashed: false) }
        keys += (0..<60).map { _ in "event:\(1_764_158_400 + rng.int(0...100_000))" }
        keys += (0..<8).map { _ in "event:\(rng.int(1...99_999))" }
        keys += (0..<200).map { _ in "event:\(1_764_158_400 + rng.int(0...100_000))" }
        keys += (0..<40).map { _ in "event:2026112\(rng.int(1...9))" }
        keys += (0..<400).map { _ in "event:2026112\(rng.int(1...9))" }
        return keys
    }

    /// Word positions that collapse to `{str}` mid-stream (usernames, nested words, `q=owner=…`), next to real families
    /// that stay literal, so subtrees merge.
    func collapseStream() -> [String] {
        var rng = SplitMix64(state: 12)
        let words = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj",
                     "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "xena", "yuri", "zoe"]
        var keys: [String] = []
        for i in 0..<1_500 {
            let name = rng.pick(words) + (i % 3 == 0 ? "" : "_\(rng.pick(words))x\(i % 50)")
            switch rng.int(0...5) {
            case 0: keys.append("user:\(name):settings")
            case 1: keys.append("user:\(name):widget:\(rng.pick(words))")
            case 2: keys.append("widgets:q=owner=\(name)&sort=\(rng.pick(["price", "-price", "name"])):u=\(rng.int(1...500))")
            case 3: keys.append("\(rng.pick(["top_widgets", "popular_widgets", "recent_widgets"])):\(rng.int(1...9))")
            case 4: keys.append("sess:\(rng.pick(words)):\(rng.uuid4(dashed: true))")
            default: keys.append("\(name)/cache/\(rng.pick(words))")
            }
        }
        return keys
    }

    /// The guide's shapes in random order, with hostile bytes and long keys.
    func mixedStream(seed: UInt64) -> [[UInt8]] {
        var rng = SplitMix64(state: seed)
        var keys: [[UInt8]] = []
        for _ in 0..<2_000 {
            switch rng.int(0...7) {
            case 0: keys.append(Array("user_\(rng.int(1...900))_widgets:page_\(rng.int(1...20)):size_10:\(rng.int(1...900))".utf8))
            case 1: keys.append(Array("session:\(rng.int(1...50_000))".utf8))
            case 2: keys.append(Array("widget_search:\(rng.hex(32))".utf8))
            case 3: keys.append(Array("stats:\(rng.pick(["20261126", "20261127", "1764158400", "42"])):pageviews".utf8))
            case 4: keys.append(Array("apikey:\(rng.base64(24)):quota".utf8))
            case 5: keys.append([0x66, 0x3A, UInt8(rng.int(0...255)), 0x1B, 0x5B, UInt8(rng.int(0...255))])
            case 6: keys.append(Array("w\(rng.hex(4)):\(rng.pick(["a", "b", "c", "d"]))\(rng.int(0...40))".utf8))
            default: keys.append(Array(String(repeating: "seg:", count: rng.int(1...40)).utf8) + Array(rng.hex(8).utf8))
            }
        }
        return keys
    }

    // MARK: - Checks

    /// Classifies `keys` one by one; after each, the cached name of its family must equal a fresh rendering, and every
    /// `fullCheckEvery` keys so must every node's. Returns the names given, in order.
    @discardableResult
    func assertCacheMatchesRendering(_ keys: [[UInt8]], maxNodes: Int = 65_536, fullCheckEvery: Int = 7,
                                     file: StaticString = #filePath, line: UInt = #line) -> [String] {
        var trie = FamilyTrie(maxNodes: maxNodes)
        var cache = FamilyNameCache()
        var names: [String] = []
        for (index, key) in keys.enumerated() {
            let id = key.withUnsafeBufferPointer { trie.classify($0) }
            let family = trie.canonical(id)
            let name = cache.pattern(of: family, in: trie)
            XCTAssertEqual(name, trie.pattern(of: family), "key \(index)", file: file, line: line)
            names.append(name)
            guard index % fullCheckEvery == 0 else { continue }
            for node in 0..<Int32(trie.nodeCount) where cache.pattern(of: node, in: trie) != trie.pattern(of: node) {
                XCTFail("node \(node) after key \(index)", file: file, line: line)
                return names
            }
        }
        return names
    }

    func testVoteFlipsRenderAgain() {
        let keys = voteFlipStream()
        let names = assertCacheMatchesRendering(keys.map { Array($0.utf8) })
        // The stream really flips: each placeholder shows more than one name over time.
        let sessionNames = Set(zip(keys, names).filter { $0.0.hasPrefix("sess:") }.map(\.1))
        let eventNames = Set(zip(keys, names).filter { $0.0.hasPrefix("event:") }.map(\.1))
        XCTAssertEqual(sessionNames, ["sess:{uuid}", "sess:{hash}"])
        XCTAssertEqual(eventNames, ["event:{ts}", "event:{id}"])
        // `{ts}` → `{id}` (ids) → `{ts}` (more timestamps) → `{id}` (dates outvote the timestamps).
        let eventRun = zip(keys, names).filter { $0.0.hasPrefix("event:") }.map(\.1)
        XCTAssertGreaterThanOrEqual(zip(eventRun, eventRun.dropFirst()).filter { $0 != $1 }.count, 3)
        let sessionRun = zip(keys, names).filter { $0.0.hasPrefix("sess:") }.map(\.1)
        XCTAssertEqual(sessionRun.first, "sess:{uuid}")
        XCTAssertEqual(sessionRun.last, "sess:{uuid}")
    }

    func testCollapsesAndMergesRenderAgain() {
        let names = assertCacheMatchesRendering(collapseStream().map { Array($0.utf8) })
        XCTAssertTrue(names.contains { $0.contains("{str}") }, "the stream collapses a position")
        XCTAssertTrue(names.contains { $0.hasPrefix("user:") && !$0.contains("{str}") }, "before the collapse, names are literal")
    }

    func testMixedStreamsAndTheNodeBound() {
        for seed: UInt64 in [1, 2, 3] {
            assertCacheMatchesRendering(mixedStream(seed: seed), fullCheckEvery: 13)
        }
        assertCacheMatchesRendering(mixedStream(seed: 4) + collapseStream().map { Array($0.utf8) }, maxNodes: 60)
    }

    /// The namer the log followers use gives, key by key, what naming with the trie directly gave before the cache.
    func testNamerEqualsUncachedNaming() {
        let keys = voteFlipStream().map { Array($0.utf8) } + collapseStream().map { Array($0.utf8) } + mixedStream(seed: 5)
        for maxNodes in [4096, 80] {
            let namer = KeyFamilyNamer(maxNodes: maxNodes)
            var reference = FamilyTrie(maxNodes: maxNodes)
            for (index, key) in keys.enumerated() {
                let id = key.withUnsafeBufferPointer { reference.classify($0) }
                XCTAssertEqual(namer.family(of: key), reference.pattern(of: reference.canonical(id)), "key \(index)")
            }
        }
    }
}
