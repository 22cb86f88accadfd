import XCTest
@testable import CachewatchCore

/// The placeholder votes never overflow: a family seen more than Int32.max times keeps its shares instead of trapping.
final class FamilyTrieVoteTests: XCTestCase {
    func testVoteAtTheInt32LimitHalvesTheSlotAndKeepsItsShares() {
        var votes: [Int32] = [Int32.max, Int32.max - 10, 3, 7, 7, 0]
        FamilyTrie.addVote(&votes, slot: 0, first: true, second: false)
        XCTAssertEqual(votes[0], Int32.max / 2 + 1)
        XCTAssertEqual(votes[1], (Int32.max - 10) / 2 + 1)
        XCTAssertEqual(votes[2], 1)
        XCTAssertEqual(Array(votes[3...]), [7, 7, 0], "other slots untouched")
        FamilyTrie.addVote(&votes, slot: 5, first: true, second: true)   // out of range: ignored
        XCTAssertEqual(votes.count, 6)
    }

    func testMergedVotesBeyondInt32AreHalvedUntilTheyFit() {
        var target: [Int32] = [Int32.max - 1, Int32.max - 1, 0]
        FamilyTrie.mergeVotes(&target, [Int32.max, Int32.max, 5])
        XCTAssertLessThanOrEqual(Int64(target[0]), Int64(Int32.max))
        XCTAssertEqual(target[0], target[1], "a 100 % share stays 100 %")
        var small: [Int32] = [3, 1, 2]
        FamilyTrie.mergeVotes(&small, [4, 4, 0])
        XCTAssertEqual(small, [7, 5, 2])
        FamilyTrie.mergeVotes(&small, [1, 1])   // lengths differ: unchanged
        XCTAssertEqual(small, [7, 5, 2])
    }

    func testVotedCodeAtTheLimitDoesNotTrap() {
        let trie = FamilyTrie()
        let votes: [Int32] = [Int32.max, Int32.max, 0]
        XCTAssertEqual(trie.votedCode(KeyTokenizer.Code.hex32, votes, slot: 0), KeyTokenizer.Code.uuid)
    }
}
