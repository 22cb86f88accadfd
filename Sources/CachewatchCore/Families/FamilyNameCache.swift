/// Rendered family patterns by trie node, reused while the trie's `renderGeneration` stays the same.
///
/// `FamilyTrie.pattern(of:)` builds a String from every edge on the family's path (escaping words, resolving
/// `{uuid}`/`{date}`/`{ts}` votes); a log names the same few families over and over. The trie changes its
/// `renderGeneration` whenever a pattern already rendered could come out differently (merges, `{str}` groups,
/// a vote crossing its threshold), so a cached name is exactly what `pattern(of:)` would return now.
struct FamilyNameCache: Sendable {
    /// Per node id: the generation its name was rendered at (`.max`: none yet) and the name.
    private var generations: [UInt64] = []
    private var names: [String] = []

    /// `trie.pattern(of: family)`, rendered again only when the trie changed since it was last rendered.
    mutating func pattern(of family: Int32, in trie: FamilyTrie) -> String {
        guard family >= 0 else { return trie.pattern(of: family) }
        let index = Int(family)
        let generation = trie.renderGeneration
        if index < generations.count, generations[index] == generation { return names[index] }
        let name = trie.pattern(of: family)
        if index >= generations.count {
            let grown = max(index + 1, min(2 * generations.count, trie.maxNodes))
            generations.append(contentsOf: repeatElement(.max, count: grown - generations.count))
            names.append(contentsOf: repeatElement("", count: grown - names.count))
        }
        generations[index] = generation
        names[index] = name
        return name
    }
}
