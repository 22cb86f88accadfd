@testable import CachewatchCore
import XCTest

final class EdgeIndexTests: XCTestCase {
    /// Every entry filed under a key is reached by probing from that key's first slot, colliding ones included.
    func testProbingReachesEveryEntryOfAKey() {
        var index = EdgeIndex(capacity: 64)
        XCTAssertEqual(index.capacity, 64)
        let key = index.key(node: 3, hash: 0xABCD)
        for edge in Int32(0)..<Int32(10) { index.insert(edge, key: key) }
        var found: [Int32] = []
        var slot = index.firstSlot(key)
        while index.edge(at: slot) >= 0 {
            if index.key(at: slot) == key { found.append(index.edge(at: slot)) }
            slot = index.nextSlot(slot)
        }
        XCTAssertEqual(found, Array(0..<10))
    }

    /// The same signature hash under two nodes files two keys; the table asks to grow before it is half full.
    func testKeysDependOnTheNodeAndTheTableGrowsAtHalf() {
        let table = EdgeIndex(seed: 7)
        XCTAssertNotEqual(table.key(node: 1, hash: 42), table.key(node: 2, hash: 42))
        XCTAssertEqual(EdgeIndex(seed: 7).key(node: 1, hash: 42), table.key(node: 1, hash: 42), "the seed decides the key")
        XCTAssertEqual(EdgeIndex(capacity: 1).capacity, 64, "at least 64 slots")
        XCTAssertEqual(EdgeIndex(capacity: 100).capacity, 128, "a power of two")
        var index = EdgeIndex(capacity: 64)
        for edge in Int32(0)..<Int32(32) {
            XCTAssertFalse(index.needsGrowth)
            index.insert(edge, key: UInt64(edge) &* 7919)
        }
        XCTAssertTrue(index.needsGrowth, "a 33rd entry would fill more than half of 64 slots")
    }

    /// A trie that folds and merges many edges (every insertion past the first table's size rebuilds it) still
    /// gives each key the family it gave before, and the same key twice the same family.
    func testTrieKeepsItsFamiliesAcrossIndexRebuilds() {
        var trie = FamilyTrie()
        var first: [String: Int32] = [:]
        var keys: [String] = []
        /// A letters-only name per number (`1` → `b`, `42` → `ec`).
        func name(_ i: Int) -> String { String(String(i).unicodeScalars.map { Character(UnicodeScalar($0.value + 49)!) }) }
        for i in 0..<3000 {
            keys.append("user:\(name(i % 700))x:settings")
            keys.append("cache:v2:item\(i):blob_\(i % 13)")
            keys.append("t\(i % 5)_w\(i % 97)")
        }
        for key in keys {
            let id = Array(key.utf8).withUnsafeBufferPointer { trie.classify($0) }
            if first[key] == nil { first[key] = id }
        }
        for key in keys {
            let id = Array(key.utf8).withUnsafeBufferPointer { trie.classify($0) }
            XCTAssertEqual(trie.canonical(id), trie.canonical(first[key] ?? -2), key)
        }
        XCTAssertEqual(trie.pattern(of: trie.canonical(first["user:\(name(5))x:settings"] ?? -2)), "user:{str}:settings")
    }
}
