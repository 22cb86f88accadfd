import Foundation

/// Names the family of single keys as they arrive (keys found in log lines), thread-safe.
///
/// It keeps its own evidence trie, so the first keys of a family get typed placeholders only
/// (`widget:{id}`); word positions become `{str}` as evidence accumulates, exactly as in the census.
public final class KeyFamilyNamer: @unchecked Sendable {
    private let lock = NSLock()
    private var trie: FamilyTrie
    private var names = FamilyNameCache()

    /// A namer whose trie holds at most `maxNodes` nodes (memory bound).
    public init(maxNodes: Int = 4096) {
        trie = FamilyTrie(maxNodes: maxNodes)
    }

    /// The family pattern of `key`, already safe to display.
    public func family(of key: [UInt8]) -> String {
        lock.lock()
        defer { lock.unlock() }
        let id = key.withUnsafeBufferPointer { trie.classify($0) }
        return names.pattern(of: trie.canonical(id), in: trie)
    }
}
