/// Family names from the trie: the display pattern of a family, and the `{id}`/`{hex}` unification.
extension FamilyTrie {
    /// Maps each pattern to its final name: families that differ only in `{id}` where another has `{hex}`
    /// (hex ids that happened to hold only digits, e.g. `heartbeat:{id}` beside `heartbeat:{hex}`) join
    /// the `{hex}` one.
    static func unified(_ patterns: some Sequence<String>) -> [String: String] {
        var groups: [String: [String]] = [:]
        for pattern in patterns { groups[pattern.replacingOccurrences(of: "{hex}", with: "{id}"), default: []].append(pattern) }
        var result: [String: String] = [:]
        for (_, members) in groups {
            let target = members.max { a, b in
                let ha = a.components(separatedBy: "{hex}").count, hb = b.components(separatedBy: "{hex}").count
                return ha != hb ? ha < hb : a > b
            }!
            for member in members { result[member] = target }
        }
        return result
    }

    /// The display pattern of a family (escaped, safe to print).
    func pattern(of family: Int32) -> String {
        guard family >= 0 else { return "(other)" }
        var parts: [String] = []
        var node = canonical(family)
        while nodes[Int(node)].parentEdge >= 0 {
            let edge = edges[Int(nodes[Int(node)].parentEdge)]
            var text = render(edge)
            if edge.delimiter != Tokenizer.endOfKey { text.unicodeScalars.append(Unicode.Scalar(UInt8(edge.delimiter))) }
            parts.append(text)
            node = edge.parent
            if node < 0 { break }
        }
        return parts.reversed().joined()
    }

    /// The placeholder an ambiguous `code` (`{id}`, 32-hex) at vote `slot` shows: `{uuid}`, `{date}` or `{ts}` when at
    /// least 95 % of the keys voted for it, else `code` (`votes` holds total, flag-1, flag-2 per slot).
    func votedCode(_ code: UInt8, _ votes: [Int32], slot: Int) -> UInt8 {
        guard slot >= 0, slot * 3 + 2 < votes.count else { return code }
        return Self.votedCode(code, total: votes[slot * 3], first: votes[slot * 3 + 1], second: votes[slot * 3 + 2])
    }

    /// `votedCode` on one slot's three counts (Int64 arithmetic: `× 20` of a count near Int32.max must not trap).
    @inline(__always)
    static func votedCode(_ code: UInt8, total: Int32, first: Int32, second: Int32) -> UInt8 {
        let total = Int64(total), first = Int64(first), second = Int64(second)
        guard total > 0 else { return code }
        if code == Tokenizer.Code.hex32 { return first * 20 >= total * 19 ? Tokenizer.Code.uuid : code }
        if first * 20 >= total * 19 { return Tokenizer.Code.date }
        if second * 20 >= total * 19 { return Tokenizer.Code.ts }
        return code
    }

    private func render(_ edge: Edge) -> String {
        var out = ""
        var slot = 0
        for token in edge.display {
            switch token.kind {
            case Tokenizer.Kind.delim:
                out.unicodeScalars.append(Unicode.Scalar(token.code))
            case Tokenizer.Kind.word:
                out += DisplayEscaper.escape(token.bytes)
            default:
                var code = token.code
                if Self.isAmbiguous(code) && !edge.collapsed && slot * 3 + 2 < edge.votes.count {
                    code = votedCode(code, edge.votes, slot: slot)
                    slot += 1
                }
                out += Tokenizer.placeholderText(code)
            }
        }
        return out
    }
}
