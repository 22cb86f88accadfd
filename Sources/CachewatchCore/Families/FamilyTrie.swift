/// Assigns keys to families: a trie over key segments whose word positions become `{str}` only by evidence.
///
/// Each key is cut into segments at the major delimiters (`:` `/` `|` `#`); a segment's signature is its
/// tokens with typed values already masked (`user_{id}_widgets`, `page_{n}`) and words kept literal. A
/// node's outgoing edges are the signatures seen after the same path. Edges whose signature holds a word
/// are evidence: when a node has seen more than 16 distinct *light* word signatures (each seen fewer than
/// max(8, 5 % of the node's keys) times), they are mostly new (distinct > half the light keys) and the
/// node has seen ≥ 32 keys (root: more than 63 distinct), the light edges collapse for good into one
/// `{str}` edge (keeping the text all of them share at the start and end, e.g. `q=owner={str}`) and their
/// subtrees merge. Heavy edges (real families) stay literal. A node holding 128 word signatures collapses
/// regardless (memory bound). Decisions are deterministic functions of the key sequence and never undone,
/// so a family keeps its name once its position has been decided. When the share of the pass already seen
/// is known, `settle(seenFraction:)` (FamilyTrie+Settle) judges positions again on evidence relative to it
/// (more than 5 light words once everything was seen), so small keyspaces group as well as big ones.
///
/// A family is a trie node where keys end (`familyID`); merged nodes redirect to the survivor
/// (`canonical(_:)`). Past `maxNodes`, keys on new paths go to the overflow family (`FamilyTrie.overflow`).
struct FamilyTrie: Sendable {
    typealias Tokenizer = KeyTokenizer

    /// The family id of keys that did not fit the node budget.
    static let overflow: Int32 = -1

    // MARK: - Storage

    struct DisplayToken: Sendable {
        var kind: UInt8
        var code: UInt8
        var bytes: [UInt8]
    }

    struct Edge: Sendable {
        var signature: [UInt8]
        var delimiter: UInt16
        var display: [DisplayToken]
        var parent: Int32
        var child: Int32
        var count: Int
        var hasWord: Bool
        var collapsed: Bool
        /// Per ambiguous placeholder (`{id}`, 32-hex) in `display`: total, flag-1 count, flag-2 count.
        var votes: [Int32]
        var hash: UInt64
        /// Filed in `edgeIndex` under its parent (a literal edge not folded away nor moved out of its node).
        var indexed = false
    }

    struct Node: Sendable {
        /// Its literal edges (all in `edgeIndex`), in the order they were linked.
        var literalEdges: [Int32] = []
        var wordEdges: [Int32] = []
        var wordKeys = 0
        var collapsed = false
        var collapsedDisplay: [DisplayToken] = []
        var collapsedEdges: [Int32] = []
        var terminal = false
        var parentEdge: Int32 = -1
    }

    private(set) var nodes: [Node] = [Node()]
    private(set) var edges: [Edge] = []
    private(set) var redirect: [Int32] = [0]
    /// Every linked literal edge (parent ≥ 0, not a `{str}` group edge) by (parent, signature hash).
    private var edgeIndex = EdgeIndex()
    let maxNodes: Int

    private var tokens: [Tokenizer.Token] = []
    private var segments: [Tokenizer.Segment] = []
    /// The current segment's signature: its first `signatureLength` bytes (a scratch that only grows, written through
    /// its buffer: appending byte by byte paid a uniqueness check per byte, ~10 % of `families`).
    private var signature: [UInt8] = []
    private var signatureLength = 0
    /// The seen fraction while `settle(seenFraction:)` runs (nil: streaming evidence; see FamilyTrie+Settle).
    var settlingFraction: Double?
    /// Changes whenever a pattern already rendered may render differently (a merge, a `{str}` group set or widened,
    /// a placeholder's vote crossing its threshold); new edges leave it alone. `FamilyNameCache` keys on it.
    private(set) var renderGeneration: UInt64 = 0

    static let lightMinimum = 8
    static let distinctThreshold = 16
    /// Distinct light words a (non-root) position needs once the whole keyspace has been seen (`settle()`).
    static let settledDistinctThreshold = 5
    static let rootDistinctThreshold = 63
    static let minimumNodeKeys = 32
    static let wordEdgeCap = 128

    init(maxNodes: Int = 65_536) {
        self.maxNodes = maxNodes
        tokens.reserveCapacity(64)
        segments.reserveCapacity(8)
        signature.reserveCapacity(128)
    }

    // MARK: - Classifying

    /// The family id of `key` (a trie node id, or `overflow`).
    mutating func classify(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        Tokenizer.tokenize(key, tokens: &tokens, segments: &segments)
        var node: Int32 = 0
        for s in 0..<segments.count {
            let segment = segments[s]
            buildSignature(key, segment)
            let hash = Self.hash(signature[..<signatureLength], segment.delimiter)
            var e = lookup(node, hash: hash, signature: signature[..<signatureLength], delimiter: segment.delimiter)
            if e < 0 {
                if nodes[Int(node)].collapsed && segment.hasWord && groupMatches(node, key: key, segment: segment) {
                    guard let c = collapsedEdge(node, segment.delimiter) else { return Self.overflow }
                    e = c
                } else {
                    guard nodes.count < maxNodes else { return Self.overflow }
                    e = addEdge(node, key: key, segment: segment, hash: hash)
                    if segment.hasWord {
                        nodes[Int(node)].wordEdges.append(e)
                        nodes[Int(node)].wordKeys += 1
                        edges[Int(e)].count += 1
                        if !edges[Int(e)].votes.isEmpty { vote(e, segment) }
                        // The new edge may just have been folded into `{str}` (its count moved with it).
                        if evaluate(node) && edges[Int(e)].parent != node {
                            guard let c = collapsedEdge(node, segment.delimiter) else { return Self.overflow }
                            e = c
                        }
                        node = edges[Int(e)].child
                        continue
                    }
                }
            } else if edges[Int(e)].hasWord {
                nodes[Int(node)].wordKeys += 1
            }
            edges[Int(e)].count += 1
            if !edges[Int(e)].collapsed && !edges[Int(e)].votes.isEmpty { vote(e, segment) }
            node = edges[Int(e)].child
        }
        nodes[Int(node)].terminal = true
        return node
    }

    /// The surviving family id for an id returned earlier (families merge when positions collapse).
    func canonical(_ id: Int32) -> Int32 {
        guard id >= 0 else { return id }
        var x = id
        while redirect[Int(x)] != x { x = redirect[Int(x)] }
        return x
    }

    /// The page number of the key classified last (`page_3` → 3), if it has one.
    func lastPageNumber(_ key: UnsafeBufferPointer<UInt8>) -> Int? { Tokenizer.pageNumber(key, tokens: tokens) }

    /// Number of nodes allocated (memory indicator).
    var nodeCount: Int { nodes.count }

    // MARK: - Signatures

    private mutating func buildSignature(_ key: UnsafeBufferPointer<UInt8>, _ segment: Tokenizer.Segment) {
        let range = Int(segment.tokenStart)..<Int(segment.tokenEnd)
        let tokens = self.tokens
        // At most two bytes per token, and two per byte of a word (0xFF is escaped as 0xFF 0xFE).
        var needed = 0
        for t in range {
            switch tokens[t].kind {
            case Tokenizer.Kind.delim: needed += 1
            case Tokenizer.Kind.placeholder: needed += 2
            default: needed += 2 * Int(max(0, tokens[t].length))
            }
        }
        if signature.count < needed { signature.append(contentsOf: repeatElement(0, count: needed - signature.count)) }
        signatureLength = signature.withUnsafeMutableBufferPointer { out in
            var n = 0
            for t in range {
                let token = tokens[t]
                switch token.kind {
                case Tokenizer.Kind.delim:
                    out[n] = token.code
                    n += 1
                case Tokenizer.Kind.placeholder:
                    out[n] = 0xFF
                    out[n + 1] = token.code
                    n += 2
                default:
                    for j in Int(token.start)..<Int(token.start + token.length) {
                        let b = key[j]
                        out[n] = b
                        n += 1
                        if b == 0xFF {
                            out[n] = 0xFE
                            n += 1
                        }
                    }
                }
            }
            return n
        }
    }

    @inline(__always) private static func hash(_ bytes: ArraySlice<UInt8>, _ delimiter: UInt16) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(delimiter)
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    private func lookup(_ node: Int32, hash: UInt64, signature: ArraySlice<UInt8>, delimiter: UInt16) -> Int32 {
        let key = edgeIndex.key(node: node, hash: hash)
        var slot = edgeIndex.firstSlot(key)
        while true {
            let e = edgeIndex.edge(at: slot)
            guard e >= 0 else { return -1 }
            // An entry whose edge has moved (parent changed) no longer matches: see EdgeIndex.
            if edgeIndex.key(at: slot) == key && edges[Int(e)].indexed && edges[Int(e)].parent == node && edges[Int(e)].hash == hash
                && edges[Int(e)].delimiter == delimiter && edges[Int(e)].signature.count == signature.count
                && edges[Int(e)].signature.elementsEqual(signature) { return e }
            slot = edgeIndex.nextSlot(slot)
        }
    }

    // MARK: - Building

    private mutating func newNode(parentEdge: Int32) -> Int32 {
        var node = Node()
        node.parentEdge = parentEdge
        nodes.append(node)
        redirect.append(Int32(nodes.count - 1))
        return Int32(nodes.count - 1)
    }

    private mutating func addEdge(_ node: Int32, key: UnsafeBufferPointer<UInt8>, segment: Tokenizer.Segment, hash: UInt64) -> Int32 {
        var display: [DisplayToken] = []
        var ambiguous = 0
        for t in Int(segment.tokenStart)..<Int(segment.tokenEnd) {
            let token = tokens[t]
            var bytes: [UInt8] = []
            if token.kind == Tokenizer.Kind.word { bytes = Array(key[Int(token.start)..<Int(token.start + token.length)]) }
            if token.kind == Tokenizer.Kind.placeholder && Self.isAmbiguous(token.code) { ambiguous += 1 }
            display.append(DisplayToken(kind: token.kind, code: token.code, bytes: bytes))
        }
        let e = Int32(edges.count)
        edges.append(Edge(signature: Array(signature[..<signatureLength]), delimiter: segment.delimiter, display: display, parent: node, child: -1, count: 0,
                          hasWord: segment.hasWord, collapsed: false, votes: Array(repeating: 0, count: ambiguous * 3),
                          hash: hash))
        edges[Int(e)].child = newNode(parentEdge: e)
        link(e, into: node)
        return e
    }

    private mutating func link(_ e: Int32, into node: Int32) {
        edges[Int(e)].parent = node
        // Rebuilt before the edge counts as indexed, so the rebuild does not file it a first time.
        if edgeIndex.needsGrowth { rebuildEdgeIndex() }
        edges[Int(e)].indexed = true
        edgeIndex.insert(e, key: edgeIndex.key(node: node, hash: edges[Int(e)].hash))
        nodes[Int(node)].literalEdges.append(e)
    }

    /// A table twice as large holding the linked literal edges only (the entries of moved edges are dropped).
    private mutating func rebuildEdgeIndex() {
        var linked = 0
        for edge in edges where edge.indexed { linked += 1 }
        var index = EdgeIndex(capacity: max(edgeIndex.capacity, (linked + 1) * 4), seed: edgeIndex.seed)
        for e in edges.indices where edges[e].indexed {
            index.insert(Int32(e), key: index.key(node: edges[e].parent, hash: edges[e].hash))
        }
        edgeIndex = index
    }

    @inline(__always) static func isAmbiguous(_ code: UInt8) -> Bool {
        code == Tokenizer.Code.id || code == Tokenizer.Code.hex32
    }

    /// Counts one key's vote at `slot` (total, flag 1, flag 2); a total at `Int32.max` first halves the slot's three
    /// counts, which keeps their shares (the 95 % rule) instead of overflowing.
    @inline(__always)
    static func addVote(_ votes: inout [Int32], slot: Int, first: Bool, second: Bool) {
        let base = slot * 3
        guard base >= 0, base + 2 < votes.count else { return }
        if votes[base] == Int32.max { for i in base...base + 2 { votes[i] /= 2 } }
        votes[base] += 1
        if first { votes[base + 1] += 1 }
        if second { votes[base + 2] += 1 }
    }

    /// Adds `source`'s votes to `target`'s (same length), halving a slot's three sums until its total fits in Int32.
    static func mergeVotes(_ target: inout [Int32], _ source: [Int32]) {
        guard target.count == source.count else { return }
        var base = 0
        while base + 2 < target.count {
            var sums = (0...2).map { Int64(target[base + $0]) + Int64(source[base + $0]) }
            while sums[0] > Int64(Int32.max) { sums = sums.map { $0 / 2 } }
            for i in 0...2 { target[base + i] = Int32(clamping: sums[i]) }
            base += 3
        }
    }

    private mutating func vote(_ e: Int32, _ segment: Tokenizer.Segment) {
        var slot = 0
        for t in Int(segment.tokenStart)..<Int(segment.tokenEnd) {
            let token = tokens[t]
            guard token.kind == Tokenizer.Kind.placeholder, Self.isAmbiguous(token.code) else { continue }
            guard slot * 3 + 2 < edges[Int(e)].votes.count else { return }
            let base = slot * 3
            let before = Self.votedCode(token.code, total: edges[Int(e)].votes[base], first: edges[Int(e)].votes[base + 1],
                                        second: edges[Int(e)].votes[base + 2])
            Self.addVote(&edges[Int(e)].votes, slot: slot, first: token.flags & 1 != 0, second: token.flags & 2 != 0)
            let after = Self.votedCode(token.code, total: edges[Int(e)].votes[base], first: edges[Int(e)].votes[base + 1],
                                       second: edges[Int(e)].votes[base + 2])
            if after != before { renderGeneration &+= 1 }
            slot += 1
        }
    }

    private mutating func collapsedEdge(_ node: Int32, _ delimiter: UInt16) -> Int32? {
        for c in nodes[Int(node)].collapsedEdges where edges[Int(c)].delimiter == delimiter { return c }
        guard nodes.count < maxNodes else { return nil }
        let e = Int32(edges.count)
        edges.append(Edge(signature: [], delimiter: delimiter, display: nodes[Int(node)].collapsedDisplay, parent: node, child: -1,
                          count: 0, hasWord: false, collapsed: true, votes: [], hash: 0))
        edges[Int(e)].child = newNode(parentEdge: e)
        nodes[Int(node)].collapsedEdges.append(e)
        return e
    }

    // MARK: - Evidence

    private func lightThreshold(_ node: Int32) -> Int {
        max(Self.lightMinimum, nodes[Int(node)].wordKeys / 20)
    }

    /// Collapses `node` when its word positions are proven variable; true when it collapsed.
    @discardableResult
    mutating func evaluate(_ node: Int32) -> Bool {
        let state = nodes[Int(node)]
        let fraction = node == 0 ? nil : settlingFraction
        let distinctNeeded = fraction.map(Self.settledDistinct) ?? (node == 0 ? Self.rootDistinctThreshold : Self.distinctThreshold)
        let keysNeeded = fraction.map(Self.settledMinimumKeys) ?? Self.minimumNodeKeys
        guard state.wordEdges.count > min(distinctNeeded, Self.distinctThreshold) else { return false }
        if state.wordEdges.count >= Self.wordEdgeCap {
            collapse(node, fallback: [])
            return true
        }
        let threshold = lightThreshold(node)
        var distinct = 0, lightKeys = 0
        for e in state.wordEdges where edges[Int(e)].count < threshold {
            distinct += 1
            lightKeys += edges[Int(e)].count
        }
        guard distinct > distinctNeeded, distinct * 2 > lightKeys, state.wordKeys >= keysNeeded else { return false }
        collapse(node, fallback: [])
        return true
    }

    /// Folds the light word edges of `node` into its `{str}` group (creating or widening the group).
    private mutating func collapse(_ node: Int32, fallback: [DisplayToken]) {
        let threshold = lightThreshold(node)
        let light = nodes[Int(node)].wordEdges.filter { edges[Int($0)].count < threshold }
        let lightSet = Set(light)
        // Out of the index (EdgeIndex: the entries stay and stop matching).
        for e in light { edges[Int(e)].indexed = false }
        let heavy = nodes[Int(node)].wordEdges.filter { !lightSet.contains($0) }
        var displays = light.map { edges[Int($0)].display }
        if nodes[Int(node)].collapsed { displays.append(nodes[Int(node)].collapsedDisplay) }
        if !fallback.isEmpty { displays.append(fallback) }
        setGroup(node, Self.generalize(displays))
        nodes[Int(node)].wordEdges = heavy
        nodes[Int(node)].literalEdges = nodes[Int(node)].literalEdges.filter { !lightSet.contains($0) }
        for e in light {
            guard let target = collapsedEdge(node, edges[Int(e)].delimiter) else { continue }
            edges[Int(target)].count += edges[Int(e)].count
            edges[Int(e)].parent = -1
            merge(edges[Int(e)].child, into: edges[Int(target)].child)
        }
    }

    /// Sets (or widens) the `{str}` group of `node`; its collapsed edges are renamed in place.
    private mutating func setGroup(_ node: Int32, _ display: [DisplayToken]) {
        renderGeneration &+= 1
        nodes[Int(node)].collapsed = true
        nodes[Int(node)].collapsedDisplay = display
        for c in nodes[Int(node)].collapsedEdges { edges[Int(c)].display = display }
    }

    private static func same(_ a: DisplayToken, _ b: DisplayToken) -> Bool { a.kind == b.kind && a.code == b.code && a.bytes == b.bytes }

    /// Whether a display fits the node's group (`prefix {str} suffix`).
    private func groupMatches(_ node: Int32, display: [DisplayToken]) -> Bool {
        let group = nodes[Int(node)].collapsedDisplay
        guard group.count > 1 else { return true }
        let star = group.firstIndex { $0.kind == Tokenizer.Kind.placeholder && $0.code == Tokenizer.Code.str } ?? 0
        let suffix = group.count - star - 1
        guard display.count > star + suffix else { return false }
        for i in 0..<star where !Self.same(display[i], group[i]) { return false }
        for i in 0..<suffix where !Self.same(display[display.count - 1 - i], group[group.count - 1 - i]) { return false }
        return true
    }

    private func groupMatches(_ node: Int32, key: UnsafeBufferPointer<UInt8>, segment: Tokenizer.Segment) -> Bool {
        guard nodes[Int(node)].collapsedDisplay.count > 1 else { return true }
        var display: [DisplayToken] = []
        for t in Int(segment.tokenStart)..<Int(segment.tokenEnd) {
            let token = tokens[t]
            let bytes = token.kind == Tokenizer.Kind.word ? Array(key[Int(token.start)..<Int(token.start + token.length)]) : []
            display.append(DisplayToken(kind: token.kind, code: token.code, bytes: bytes))
        }
        return groupMatches(node, display: display)
    }

    /// `prefix {str} suffix` where prefix/suffix are the tokens all displays share, cut at a delimiter.
    static func generalize(_ displays: [[DisplayToken]]) -> [DisplayToken] {
        let str = DisplayToken(kind: Tokenizer.Kind.placeholder, code: Tokenizer.Code.str, bytes: [])
        guard let first = displays.first else { return [str] }
        // One distinct display that already is a group (`q=owner={str}`) stays as it is.
        if displays.allSatisfy({ $0.count == first.count && zip($0, first).allSatisfy { Self.same($0, $1) } }),
           first.contains(where: { $0.kind == Tokenizer.Kind.placeholder && $0.code == Tokenizer.Code.str }) {
            return first
        }
        let shortest = displays.map(\.count).min() ?? 0
        var prefix = 0
        while prefix < shortest && displays.allSatisfy({ Self.same($0[prefix], first[prefix]) }) { prefix += 1 }
        while prefix > 0 && first[prefix - 1].kind != Tokenizer.Kind.delim { prefix -= 1 }
        var suffix = 0
        while suffix < shortest - prefix && displays.allSatisfy({ Self.same($0[$0.count - 1 - suffix], first[first.count - 1 - suffix]) }) { suffix += 1 }
        while suffix > 0 && first[first.count - suffix].kind != Tokenizer.Kind.delim { suffix -= 1 }
        if prefix + suffix >= shortest { prefix = 0; suffix = 0 }
        return Array(first[0..<prefix]) + [str] + Array(first[(first.count - suffix)...])
    }

    /// Moves everything below `source` into `target` (recursively), redirecting families.
    private mutating func merge(_ source: Int32, into target: Int32) {
        guard source != target else { return }
        renderGeneration &+= 1
        redirect[Int(source)] = target
        if nodes[Int(source)].terminal { nodes[Int(target)].terminal = true }
        let sourceLiteral = nodes[Int(source)].literalEdges
        let sourceCollapsed = nodes[Int(source)].collapsedEdges
        let sourceDisplay = nodes[Int(source)].collapsedDisplay
        nodes[Int(source)].literalEdges = []
        nodes[Int(source)].collapsedEdges = []
        // Out of the index until linked into the target (EdgeIndex).
        for e in sourceLiteral { edges[Int(e)].indexed = false }
        nodes[Int(source)].wordEdges = []
        if !sourceCollapsed.isEmpty {
            if nodes[Int(target)].collapsed {
                setGroup(target, Self.generalize([nodes[Int(target)].collapsedDisplay, sourceDisplay]))
            } else {
                collapse(target, fallback: sourceDisplay)
            }
        }
        for e in sourceLiteral {
            let edge = edges[Int(e)]
            if let existing = Optional(lookup(target, hash: edge.hash, signature: edge.signature[...], delimiter: edge.delimiter)), existing >= 0 {
                edges[Int(existing)].count += edge.count
                if edges[Int(existing)].votes.count == edge.votes.count {
                    Self.mergeVotes(&edges[Int(existing)].votes, edge.votes)
                }
                if edge.hasWord { nodes[Int(target)].wordKeys += edge.count }
                edges[Int(e)].parent = -1
                merge(edge.child, into: edges[Int(existing)].child)
            } else if edge.hasWord && nodes[Int(target)].collapsed && groupMatches(target, display: edge.display) {
                guard let c = collapsedEdge(target, edge.delimiter) else { continue }
                edges[Int(c)].count += edge.count
                edges[Int(e)].parent = -1
                merge(edge.child, into: edges[Int(c)].child)
            } else {
                link(e, into: target)
                if edge.hasWord {
                    nodes[Int(target)].wordEdges.append(e)
                    nodes[Int(target)].wordKeys += edge.count
                }
            }
        }
        for c in sourceCollapsed {
            let edge = edges[Int(c)]
            guard let t = collapsedEdge(target, edge.delimiter) else { continue }
            edges[Int(t)].count += edge.count
            edges[Int(c)].parent = -1
            merge(edge.child, into: edges[Int(t)].child)
        }
        evaluate(target)
    }
}
