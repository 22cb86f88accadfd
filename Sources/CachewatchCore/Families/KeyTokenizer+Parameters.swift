/// Request parameters in keys: the values of `name=value` pairs (the boilerplate's `:q=limit=10&sort=price`).
extension KeyTokenizer {
    /// Masks the values of the `name=value` pairs of the segment whose tokens start at `from` (pairs are
    /// separated by `&`; the value is what follows the last `=` of a pair whose name holds a word, so the
    /// boilerplate's `q=page=3&q=desk` has the values `3` and `desk`). Request parameters are never
    /// namespace: a value holding a word, or several tokens, becomes one `{str}` (all digits with `.` `-`
    /// `+`: `{n}`); a single typed value (`{id}`, `{n}`, `{uuid}`, `{date}` …) keeps its type. Parameter
    /// names stay literal. Returns whether the segment still holds a word.
    static func maskParameterValues(_ key: UnsafeBufferPointer<UInt8>, tokens: inout [Token], from: Int) -> Bool {
        var chunkEnd = tokens.count
        var index = tokens.count - 1
        while index >= from - 1 {
            // A chunk ends at `&` (or at the segment's start); handle it when its start is reached.
            if index >= from && !(tokens[index].kind == Kind.delim && tokens[index].code == 0x26) {
                index -= 1
                continue
            }
            let chunkStart = index + 1
            maskValue(key, tokens: &tokens, chunkStart: chunkStart, chunkEnd: chunkEnd)
            chunkEnd = index
            index -= 1
        }
        for t in from..<tokens.count where tokens[t].kind == Kind.word { return true }
        return false
    }

    /// Masks the value of the pair `tokens[chunkStart..<chunkEnd]`, if it is one (see `maskParameterValues`).
    fileprivate static func maskValue(_ key: UnsafeBufferPointer<UInt8>, tokens: inout [Token], chunkStart: Int, chunkEnd: Int) {
        guard chunkEnd - chunkStart >= 3 else { return }
        var equals = chunkEnd - 1
        while equals > chunkStart && !(tokens[equals].kind == Kind.delim && tokens[equals].code == 0x3D) { equals -= 1 }
        guard equals > chunkStart, equals < chunkEnd - 1,
              (chunkStart..<equals).contains(where: { tokens[$0].kind == Kind.word }) else { return }
        let valueStart = equals + 1
        if valueStart == chunkEnd - 1 && tokens[valueStart].kind == Kind.placeholder { return }
        let start = Int(tokens[valueStart].start)
        let end = Int(tokens[chunkEnd - 1].start + tokens[chunkEnd - 1].length)
        var numeric = false
        if (start..<end).allSatisfy({ isDigit(key[$0]) || key[$0] == 0x2E || key[$0] == 0x2D || key[$0] == 0x2B }) {
            numeric = (start..<end).contains { isDigit(key[$0]) }
        }
        let masked = Token(kind: Kind.placeholder, code: numeric ? Code.n : Code.str, flags: 0, start: Int32(start), length: Int32(end - start))
        tokens.replaceSubrange(valueStart..<chunkEnd, with: CollectionOfOne(masked))
    }
}
