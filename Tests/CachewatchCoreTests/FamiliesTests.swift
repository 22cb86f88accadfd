import Foundation
import XCTest
@testable import CachewatchCore

final class FamiliesTests: XCTestCase {
    // MARK: - Helpers

    func pattern(_ key: String) -> String { FamiliesTable(keys: [Array(key.utf8)]).pattern(ofKeyAt: 0) }

    func patterns(_ keys: [String]) -> [String] {
        let table = FamiliesTable(keys: keys.map { Array($0.utf8) })
        return (0..<keys.count).map { table.pattern(ofKeyAt: $0) }
    }

    func shuffled<T>(_ items: [T], seed: UInt64 = 9) -> [T] {
        var rng = SplitMix64(state: seed)
        var out = items
        for i in stride(from: out.count - 1, to: 0, by: -1) { out.swapAt(i, rng.int(0...i)) }
        return out
    }

    // MARK: - Placeholders

    func testIntegersAndParameters() {
        XCTAssertEqual(pattern("widget:42"), "widget:{id}")
        XCTAssertEqual(pattern("user_5_widgets:page_1:size_10:5"), "user_{id}_widgets:page_{n}:size_{n}:{id}")
        XCTAssertEqual(pattern("dashboard_for_user_5:5"), "dashboard_for_user_{id}:{id}")
        XCTAssertEqual(pattern("widget:list:q=page=1&size=10:u=42"), "widget:list:q=page={n}&size={n}:u={id}")
        XCTAssertEqual(pattern("list:page2"), "list:page{n}")
        XCTAssertEqual(pattern("item12345:v2:md5"), "item{id}:v2:md5")
    }

    func testDurationWordsStayLiteral() {
        XCTAssertEqual(pattern("analytics_5_30d:summary"), "analytics_{id}_30d:summary")
        XCTAssertEqual(pattern("rate:24h:7"), "rate:24h:{id}")
    }

    func testUUIDs() {
        XCTAssertEqual(pattern("session:0b7c5b1e-3f2a-4c1d-9e8f-1a2b3c4d5e6f"), "session:{uuid}")
        XCTAssertEqual(pattern("celery-task-meta-0B7C5B1E-3F2A-4C1D-9E8F-1A2B3C4D5E6F"), "celery-task-meta-{uuid}")
        XCTAssertEqual(pattern("sess:0b7c5b1e3f2a4c1d9e8f1a2b3c4d5e6f"), "sess:{uuid}")
    }

    func testHashesAndHex() {
        XCTAssertEqual(pattern("widget_search:d41d8cd98f00b204e9800998ecf8427e"), "widget_search:{hash}")  // md5, not a UUID
        XCTAssertEqual(pattern("sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709"), "sha1:{hash}")
        XCTAssertEqual(pattern("blob:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), "blob:{hash}")
        XCTAssertEqual(pattern("heartbeat:a1b2c3d4e5f6"), "heartbeat:{hex}")
        // A family of 32-hex values is {hash} unless ≥ 95 % of them are UUIDs.
        var rng = SplitMix64(state: 3)
        let md5s = (0..<200).map { _ in "widget_search:" + rng.hex(32) }
        XCTAssertEqual(Set(patterns(md5s)), ["widget_search:{hash}"])
        let uuids = (0..<200).map { _ in "sess:" + rng.uuid4(dashed: false) }
        XCTAssertEqual(Set(patterns(uuids)), ["sess:{uuid}"])
    }

    func testDatesAndTimestamps() {
        XCTAssertEqual(pattern("stat:processed:2026-11-26"), "stat:processed:{date}")
        XCTAssertEqual(pattern("stats:20261126:pageviews"), "stats:{date}:pageviews")
        XCTAssertEqual(pattern("event:1764158400"), "event:{ts}")
        XCTAssertEqual(pattern("event:1764158400123"), "event:{ts}")
        XCTAssertEqual(pattern("log:2026-11-26T22:30:01Z"), "log:{ts}")
        XCTAssertEqual(pattern("log:2026-11-26T22:30:01.123+01:00:x"), "log:{ts}:x")
        XCTAssertEqual(pattern("views/widgets/17-20261126101500"), "views/widgets/{id}-{ts}")
        // Not a date: month 13.
        XCTAssertEqual(pattern("n:20261326"), "n:{id}")
    }

    func testBase64() {
        XCTAssertEqual(pattern("apikey:q8Ve/3kZx+T0mLp2Wd9aHr7B:quota"), "apikey:{b64}:quota")
        XCTAssertEqual(pattern("token:/x7Gq2LmN9pR4sT8vW1yZ3bA=="), "token:{b64}")
        XCTAssertEqual(pattern("cfg:getUserProfileSettings"), "cfg:getUserProfileSettings")  // camelCase is a word
    }

    func testWordsAndLongTokens() {
        XCTAssertEqual(pattern("top_widgets"), "top_widgets")
        XCTAssertEqual(pattern("lock:recompute_top_widgets"), "lock:recompute_top_widgets")
        XCTAssertEqual(pattern("blob:" + String(repeating: "x", count: 300)), "blob:{str}")
    }

    // MARK: - Evidence

    func testFewWordsStayLiteralAndSplitFamilies() {
        var keys = ["top_widgets", "popular_widgets"]
        for name in ["alice", "bob", "carol"] { keys += Array(repeating: "user:\(name)", count: 10) }
        keys += (1...50).map { "user:\($0):settings" }
        let result = patterns(shuffled(keys))
        XCTAssertEqual(Set(result), ["top_widgets", "popular_widgets", "user:alice", "user:bob", "user:carol", "user:{id}:settings"])
    }

    func testManyWordsCollapseToStr() {
        var rng = SplitMix64(state: 5)
        var keys = (0..<200).map { _ in "user:" + CensusCorpus.username(&rng) }
        keys += (1...50).map { "user:\($0):settings" }
        keys += (0..<100).map { _ in "post:" + CensusCorpus.slug(&rng) }
        XCTAssertEqual(Set(patterns(shuffled(keys))), ["user:{str}", "user:{id}:settings", "post:{str}"])
    }

    func testLiteralFanOutOfRealFamiliesStaysLiteral() {
        let names = ["orders", "carts", "tiers", "prices", "stock", "reviews", "coupons", "banners", "menus", "pages",
                     "authors", "tags", "topics", "feeds", "badges", "plans", "quotas", "regions", "teams", "roles"]
        var keys: [String] = []
        for name in names { keys += (1...60).map { "shop:\(name):\($0)" } }
        let result = Set(patterns(shuffled(keys)))
        XCTAssertEqual(result, Set(names.map { "shop:\($0):{id}" }))
    }

    func testQueryPrefixIsKeptWhenValuesVary() {
        var rng = SplitMix64(state: 11)
        var keys = (0..<300).map { _ in "widget:list:q=owner=" + CensusCorpus.username(&rng) + ":u=\(rng.int(1...999))" }
        keys += (0..<300).map { _ in "widget:list:q=page=\(rng.int(1...9))&size=10:u=\(rng.int(1...999))" }
        XCTAssertEqual(Set(patterns(shuffled(keys))), ["widget:list:q=owner={str}:u={id}", "widget:list:q=page={n}&size={n}:u={id}"])
    }

    // MARK: - Stability and bounds

    func testSameNameAfterOneThousandOrOneHundredThousandKeys() {
        var rng = SplitMix64(state: 21)
        var stream: [String] = []
        for i in 0..<100_000 {
            switch i % 4 {
            case 0: stream.append("user:" + CensusCorpus.username(&rng) + "\(i)")
            case 1: stream.append("widget:\(rng.int(1...9_999_999))")
            case 2: stream.append("user_\(rng.int(1...99))_widgets:page_\(rng.int(1...9)):size_10:\(rng.int(1...99))")
            default: stream.append("session:" + rng.uuid4(dashed: true))
            }
        }
        let probes = ["user:zed_probe", "widget:31337", "user_7_widgets:page_3:size_10:7", "session:" + rng.uuid4(dashed: true)]
        let small = patterns(Array(stream.prefix(1000)) + probes).suffix(4)
        let large = patterns(stream + probes).suffix(4)
        XCTAssertEqual(Array(small), ["user:{str}", "widget:{id}", "user_{id}_widgets:page_{n}:size_{n}:{id}", "session:{uuid}"])
        XCTAssertEqual(Array(small), Array(large))
        // Deterministic: the same input gives the same TSV.
        let a = FamiliesTable(keys: stream.prefix(5000).map { Array($0.utf8) }), b = FamiliesTable(keys: stream.prefix(5000).map { Array($0.utf8) })
        var la: [String] = [], lb: [String] = []
        a.writeTSV { la.append($0) }
        b.writeTSV { lb.append($0) }
        XCTAssertEqual(la, lb)
    }

    func testAccumulatorFamilyKeepsItsNameAsTheCensusProgresses() {
        var rng = SplitMix64(state: 4)
        var census = CensusAccumulator(db: 0)
        var names: [Set<String>] = []
        for i in 1...20_000 {
            census.add(key: Array("user:\(CensusCorpus.username(&rng))\(i)".utf8), type: "string", pttlMilliseconds: 60_000, memoryBytes: nil)
            census.add(key: Array("widget:\(i)".utf8), type: "string", pttlMilliseconds: 60_000, memoryBytes: nil)
            if i == 1000 || i == 20_000 {
                names.append(Set(census.report(dbsizeKeys: 0, complete: false, keysPerSecond: 0, now: Date()).families.map(\.pattern)))
            }
        }
        XCTAssertEqual(names[0], ["user:{str}", "widget:{id}"])
        XCTAssertEqual(names[0], names[1])
    }

    func testTableCapsFamiliesWithOtherRow() {
        var keys: [String] = []
        for (index, name) in ["alpha", "beta", "gamma", "delta", "epsilon"].enumerated() {
            keys += (0..<(10 * (5 - index))).map { "\(name):\($0)" }
        }
        let table = FamiliesTable(keys: keys.map { Array($0.utf8) }, maxFamilies: 3)
        XCTAssertEqual(table.rows.map(\.pattern), ["alpha:{id}", "beta:{id}", "gamma:{id}", "(other)"])
        XCTAssertEqual(table.rows.map(\.keys), [50, 40, 30, 30])
        XCTAssertEqual(table.rows.reduce(0) { $0 + $1.keys }, keys.count)
        XCTAssertEqual(table.familyCount, 5)
        XCTAssertTrue(table.tableText().contains("150 keys in 5 families"))
    }

    func testMemoryStaysBoundedOnAHugeVariableKeyspace() {
        var rng = SplitMix64(state: 8)
        var trie = FamilyTrie()
        for _ in 0..<50_000 {
            let key = Array("\(CensusCorpus.letters(&rng, 6).lowercased()):\(CensusCorpus.letters(&rng, 5).lowercased())_x".utf8)
            _ = key.withUnsafeBufferPointer { trie.classify($0) }
        }
        XCTAssertLessThan(trie.nodeCount, 2000)
        var small = FamilyTrie(maxNodes: 50)
        var overflowed = 0
        for i in 0..<200 {
            let key = Array("k\(i)x:\(CensusCorpus.letters(&rng, 3)):end".utf8)
            if key.withUnsafeBufferPointer({ small.classify($0) }) == FamilyTrie.overflow { overflowed += 1 }
        }
        XCTAssertLessThanOrEqual(small.nodeCount, 50)
        XCTAssertGreaterThan(overflowed, 0)
        XCTAssertEqual(small.pattern(of: FamilyTrie.overflow), "(other)")
    }

    // MARK: - Bad input

    func testHostileKeysAreGroupedCountedAndEscaped() {
        let big = Array("blob:".utf8) + Array(repeating: UInt8(ascii: "a"), count: 65_536)
        let keys: [[UInt8]] = [
            Array("evil:\u{1b}[31mred".utf8), Array("evil:\u{1b}]0;title\u{07}".utf8),
            Array("line:one\ntwo".utf8), Array("tab:a\tb".utf8),
            [0x62, 0x69, 0x6E, 0x3A, 0xFF, 0xFE, 0x80], big, big,
        ]
        let table = FamiliesTable(keys: keys)
        XCTAssertEqual(table.totalKeys, 7)
        XCTAssertEqual(table.rows.reduce(0) { $0 + $1.keys }, 7)
        XCTAssertEqual(table.pattern(ofKeyAt: 5), "blob:{str}")
        XCTAssertEqual(table.rows.first { $0.pattern == "blob:{str}" }?.keys, 2)
        XCTAssertEqual(table.pattern(ofKeyAt: 4), "bin:\\xff\\xfe\\x80")
        func safe(_ text: String) -> Bool { !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) } }
        for row in table.rows { XCTAssertTrue(safe(row.pattern), row.pattern) }
        XCTAssertTrue(table.tableText().split(separator: "\n").allSatisfy { safe(String($0)) })
        var lines: [String] = []
        table.writeTSV { lines.append($0) }
        XCTAssertEqual(lines.count, 7)
        for line in lines {
            XCTAssertTrue(safe(line.replacingOccurrences(of: "\t", with: " ")))
            XCTAssertEqual(line.filter { $0 == "\t" }.count, 1)
        }
        XCTAssertEqual(lines[3], "tab:a\\tb\ttab:a\\tb")
        XCTAssertTrue(lines[0].hasPrefix("evil:\\x1b[31mred\t"))
    }

    func testLinesInputSkipsEmptyLinesAndKeepsOrder() {
        let data = Array("widget:1\n\nwidget:2\r\n\n\ntop_widgets".utf8)
        let table = FamiliesTable(lines: data)
        XCTAssertEqual(table.totalKeys, 3)
        XCTAssertEqual(table.skippedEmptyLines, 3)
        var lines: [String] = []
        table.writeTSV { lines.append($0) }
        XCTAssertEqual(lines, ["widget:1\twidget:{id}", "widget:2\\r\twidget:{id}\\r", "top_widgets\ttop_widgets"])
        XCTAssertTrue(table.tableText().contains("(3 empty lines skipped)"))
        XCTAssertEqual(FamiliesTable(lines: []).rows, [])
    }
}

extension FamiliesTests {
    func testHugeKeysWithManyDelimitersAreBounded() {
        let dashes = "blob:" + Array(repeating: "ab", count: 30_000).joined(separator: "-")
        let colons = Array(repeating: "seg", count: 20_000).joined(separator: ":")
        let table = FamiliesTable(keys: [Array(dashes.utf8), Array(dashes.utf8), Array(colons.utf8)])
        XCTAssertEqual(table.pattern(ofKeyAt: 0), table.pattern(ofKeyAt: 1))
        XCTAssertTrue(table.pattern(ofKeyAt: 0).hasSuffix("{str}"))
        XCTAssertLessThan(table.pattern(ofKeyAt: 0).utf8.count, 400)
        XCTAssertLessThan(table.pattern(ofKeyAt: 2).utf8.count, 400)
        XCTAssertEqual(table.totalKeys, 3)
    }
}

extension FamiliesTests {
    func testGeneralizeKeepsSharedTextAndIsIdempotent() {
        typealias T = FamilyTrie.DisplayToken
        func word(_ s: String) -> T { T(kind: KeyTokenizer.Kind.word, code: 0, bytes: Array(s.utf8)) }
        let eq = T(kind: KeyTokenizer.Kind.delim, code: UInt8(ascii: "="), bytes: [])
        func text(_ d: [T]) -> String { d.map { $0.kind == KeyTokenizer.Kind.delim ? "=" : ($0.kind == KeyTokenizer.Kind.word ? String(decoding: $0.bytes, as: UTF8.self) : "{str}") }.joined() }
        let group = FamilyTrie.generalize([[word("q"), eq, word("owner"), eq, word("alice")], [word("q"), eq, word("owner"), eq, word("bob")]])
        XCTAssertEqual(text(group), "q=owner={str}")
        XCTAssertEqual(text(FamilyTrie.generalize([group, group])), "q=owner={str}")
        XCTAssertEqual(text(FamilyTrie.generalize([group, [word("q"), eq, word("owner"), eq, word("carol")]])), "q=owner={str}")
        XCTAssertEqual(text(FamilyTrie.generalize([group, [word("sort"), eq, word("asc")]])), "{str}")
        XCTAssertEqual(text(FamilyTrie.generalize([[word("alice")], [word("bob")]])), "{str}")
    }

    func testTSVBytesAreTheTSVLinesInBlocks() {
        var keys: [[UInt8]] = (1...40).map { Array("widget:\($0)".utf8) }
        keys += [
            Array("back\\slash:1".utf8), Array("tab:a\tb".utf8), [0x65, 0x76, 0x69, 0x6C, 0x3A, 0x1B, 0x5B, 0x33, 0x31, 0x6D],
            [0x62, 0x69, 0x6E, 0x3A, 0xFF, 0xFE, 0x80], Array("caf\u{e9}:1".utf8), Array("rtl:\u{202E}x".utf8),
            [0x64, 0x65, 0x6C, 0x3A, 0x7F], Array("cr:1\r".utf8), Array("user_7_widgets:page_1:size_10:7".utf8),
        ]
        let table = FamiliesTable(keys: keys)
        var lines: [String] = []
        table.writeTSV { lines.append($0) }
        let expected = lines.map { $0 + "\n" }.joined()
        for blockBytes in [1, 17, 64 * 1024] {
            var blocks: [[UInt8]] = []
            table.writeTSVBytes(blockBytes: blockBytes) { blocks.append($0) }
            XCTAssertEqual(String(decoding: blocks.flatMap { $0 }, as: UTF8.self), expected, "blockBytes \(blockBytes)")
            XCTAssertTrue(blocks.dropLast().allSatisfy { $0.count >= blockBytes })
        }
        XCTAssertTrue(lines.contains { $0.hasPrefix("back\\\\slash:1\t") }, "the backslash is escaped, so not copied as is")
        var none: [[UInt8]] = []
        FamiliesTable(keys: []).writeTSVBytes { none.append($0) }
        XCTAssertEqual(none, [])
    }
}
