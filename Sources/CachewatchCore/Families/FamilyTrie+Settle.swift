/// Evidence relative to what the pass has seen (issue 9 §3: small keyspaces group as well as big ones).
extension FamilyTrie {
    /// Judges every word position again with what the pass has seen so far: `seenFraction` is the share of
    /// the final pass classified (scanned / DBSIZE; 1: the input is whole — offline `families`, a complete
    /// census pass). Keys still to come are what could prove a light word a family of its own, so the evidence
    /// is relative to the part still unseen: a non-root position collapses when it holds more than
    /// `settledDistinct(seenFraction)` distinct light words that are mostly new (distinct > half their keys),
    /// over at least `settledMinimumKeys(seenFraction)` keys. At 0 that is the streaming rule (16 words,
    /// 32 keys); at a third of the pass the key minimum is gone; at the end it is more than 5 words, whatever
    /// the node's size (31 usernames are `user:{str}`). The root keeps its absolute rule (`top_widgets`,
    /// `popular_widgets` and other singletons there are real families). Deterministic; a decision is never
    /// undone. One sweep over the nodes (linear in the trie's size).
    mutating func settle(seenFraction: Double = 1) {
        guard seenFraction.isFinite, seenFraction > 0 else { return }
        settlingFraction = min(1, seenFraction)
        defer { settlingFraction = nil }
        var n = 1
        while n < nodes.count {
            if redirect[n] == Int32(n) && nodes[n].wordEdges.count > Self.settledDistinctThreshold { evaluate(Int32(n)) }
            n += 1
        }
    }

    /// Distinct light words a non-root position needs when `fraction` (0…1) of the pass has been seen.
    static func settledDistinct(_ fraction: Double) -> Int {
        let unseen = fraction.isFinite ? min(1, max(0, 1 - fraction)) : 1
        return min(distinctThreshold, max(settledDistinctThreshold, Int((Double(distinctThreshold) * unseen).rounded(.up))))
    }

    /// Word keys a non-root position needs when `fraction` (0…1) of the pass has been seen.
    static func settledMinimumKeys(_ fraction: Double) -> Int {
        let unseen = fraction.isFinite ? min(1, max(0, 1 - 3 * fraction)) : 1
        return Int((Double(minimumNodeKeys) * unseen).rounded(.up))
    }
}
