/// Splits a key (raw bytes) into segments and typed tokens: the first step of family inference.
///
/// Placeholder vocabulary (what a pattern can contain besides literal text):
/// - `{id}`   an integer (a decimal digit run standing alone between delimiters, or inside a word);
/// - `{n}`    an integer that is a parameter value: it follows `page`, `size`, `limit`, `offset`, `per`,
///            `count`, `skip`, `take`, `top`, `n`, `num`, `first`, `last`, `start`, `end`, `from`, `to`,
///            `items`, `days`, `hours`, `minutes`, `p` and one `_` `-` `=` (`page_1` → `page_{n}`);
/// - `{date}` an ISO date `2026-11-26`, or an integer slot where ≥ 95 % of values are `yyyymmdd` dates;
/// - `{ts}`   an ISO date-time `2026-11-26T22:30:01Z`, or an integer slot where ≥ 95 % of values are unix
///            seconds / milliseconds (2000…2100) or `yyyymmddhhmmss`;
/// - `{uuid}` a dashed UUID, or a 32-hex slot where ≥ 95 % of values are RFC 4122 UUIDs without dashes;
/// - `{hash}` hex of md5/sha1/sha256 length (32, 40, 64; 32-hex slots that are not UUIDs);
/// - `{hex}`  other hex runs of ≥ 8 characters holding both a digit and a letter (`a1b2c3d4e5f6`);
/// - `{b64}`  base64-looking runs (≥ 16 characters of `A-Za-z0-9+/`, mixed case, random-looking; may hold `/`);
/// - `{str}`  variable text: a word position that evidence proved variable (usernames, slugs, SKUs),
///            a single token longer than 256 bytes, or the value of a `name=value` pair (request parameters
///            such as the boilerplate's `q=limit=10&sort=price` are never namespace: `q=limit={n}&sort={str}`).
/// Words with digits keep their letters and mask the digit runs (`item12` → `item{id}`), except duration
/// words (`30d`, `7d`, `24h`, `15m`, `500ms`), which stay literal (a time window names a cache, not a value),
/// versions `v1`…`v99` and technical names (`sha1`, `md5`, `utf8`, `s3`, `oauth2`, `ipv4` …).
/// Delimiters: major `:` `/` `|` `#` (they separate segments), minor `_` `-` `.` `=` `&`.
enum KeyTokenizer {
    // MARK: - Token kinds and placeholder codes

    enum Code {
        static let id: UInt8 = 1
        static let n: UInt8 = 2
        static let uuid: UInt8 = 3
        static let hash: UInt8 = 4
        static let hex32: UInt8 = 5   // rendered {uuid} or {hash} by votes
        static let hex: UInt8 = 6
        static let date: UInt8 = 7
        static let ts: UInt8 = 8
        static let b64: UInt8 = 9
        static let str: UInt8 = 10
    }

    static func placeholderText(_ code: UInt8) -> String {
        switch code {
        case Code.id: return "{id}"
        case Code.n: return "{n}"
        case Code.uuid: return "{uuid}"
        case Code.hash, Code.hex32: return "{hash}"
        case Code.hex: return "{hex}"
        case Code.date: return "{date}"
        case Code.ts: return "{ts}"
        case Code.b64: return "{b64}"
        default: return "{str}"
        }
    }

    /// Kind of a scratch token.
    enum Kind { static let delim: UInt8 = 0; static let word: UInt8 = 1; static let placeholder: UInt8 = 2 }

    /// Vote flags carried by ambiguous placeholders.
    enum Flag { static let dateLike: UInt8 = 1; static let tsLike: UInt8 = 2; static let uuidLike: UInt8 = 1 }

    /// One token in the scratch buffer (byte offsets into the key).
    struct Token {
        var kind: UInt8
        var code: UInt8
        var flags: UInt8
        var start: Int32
        var length: Int32
    }

    /// One segment: tokens `tokenStart..<tokenEnd` followed by a major delimiter (or 256 = end of key).
    struct Segment {
        var tokenStart: Int32
        var tokenEnd: Int32
        var delimiter: UInt16
        var hasWord: Bool
    }

    static let endOfKey: UInt16 = 256
    /// Segments after this many are folded into the last one (bounds work and recursion on huge keys).
    static let maxSegments = 24
    /// Plain tokens longer than this are `{str}`.
    static let maxWordBytes = 256
    /// Past this many tokens in one segment, the rest of the segment is one `{str}` (bounds memory per key shape).
    static let maxSegmentTokens = 64

    // MARK: - Byte classes

    @inline(__always) static func isDelimiter(_ b: UInt8) -> Bool {
        switch b {
        case 0x3A, 0x5F, 0x2D, 0x2E, 0x2F, 0x7C, 0x23, 0x3D, 0x26: return true  // : _ - . / | # = &
        default: return false
        }
    }

    @inline(__always) static func isMajor(_ b: UInt8) -> Bool {
        b == 0x3A || b == 0x2F || b == 0x7C || b == 0x23
    }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    @inline(__always) static func isLower(_ b: UInt8) -> Bool { b &- 0x61 < 26 }
    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b &- 0x41 < 26 }
    @inline(__always) static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (b | 0x20) &- 0x61 < 6 }
    @inline(__always) static func hexValue(_ b: UInt8) -> UInt8 { isDigit(b) ? b - 0x30 : (b | 0x20) - 0x61 + 10 }

    // MARK: - Tokenizing

    /// Tokenizes `key` into `tokens` and `segments` (both cleared first).
    static func tokenize(_ key: UnsafeBufferPointer<UInt8>, tokens: inout [Token], segments: inout [Segment]) {
        tokens.removeAll(keepingCapacity: true)
        segments.removeAll(keepingCapacity: true)
        let count = key.count
        var i = 0
        var segmentStart: Int32 = 0
        var hasWord = false
        var hasEquals = false
        while i < count {
            let b = key[i]
            if tokens.count - Int(segmentStart) >= maxSegmentTokens && !(isMajor(b) && segments.count < maxSegments - 1) {
                var end = i
                while end < count && !(isMajor(key[end]) && segments.count < maxSegments - 1) { end += 1 }
                tokens.append(Token(kind: Kind.placeholder, code: Code.str, flags: 0, start: Int32(i), length: Int32(end - i)))
                i = end
                continue
            }
            // Base64 may hold `/` and `+` and may start with them: try it where a value can start.
            if i == 0 || key[i - 1] == 0x3A || key[i - 1] == 0x7C || key[i - 1] == 0x23 || key[i - 1] == 0x3D,
               b != 0x3A, let length = matchBase64(key, i) {
                tokens.append(Token(kind: Kind.placeholder, code: Code.b64, flags: 0, start: Int32(i), length: Int32(length)))
                i += length
                continue
            }
            if isDelimiter(b) {
                if isMajor(b) && segments.count < maxSegments - 1 {
                    if hasEquals { hasWord = maskParameterValues(key, tokens: &tokens, from: Int(segmentStart)) }
                    segments.append(Segment(tokenStart: segmentStart, tokenEnd: Int32(tokens.count), delimiter: UInt16(b), hasWord: hasWord))
                    segmentStart = Int32(tokens.count)
                    hasWord = false
                    hasEquals = false
                } else {
                    if b == 0x3D { hasEquals = true }
                    tokens.append(Token(kind: Kind.delim, code: b, flags: 0, start: Int32(i), length: 1))
                }
                i += 1
                continue
            }
            // A token starts here: try the multi-token shapes first.
            if let length = matchDashedUUID(key, i) {
                tokens.append(Token(kind: Kind.placeholder, code: Code.uuid, flags: 0, start: Int32(i), length: Int32(length)))
                i += length
                continue
            }
            if let (length, code) = matchISODate(key, i) {
                tokens.append(Token(kind: Kind.placeholder, code: code, flags: 0, start: Int32(i), length: Int32(length)))
                i += length
                continue
            }
            // The run up to the next delimiter, counting its digits and hex letters on the way (one pass, not two).
            var end = i
            var digits = 0, hexLetters = 0
            while end < count {
                let byte = key[end]
                if isDelimiter(byte) { break }
                if isDigit(byte) { digits += 1 } else if isHex(byte) { hexLetters += 1 }
                end += 1
            }
            if classifySimple(key, i, end, digits: digits, hexLetters: hexLetters, tokens: &tokens) { hasWord = true }
            i = end
        }
        if hasEquals { hasWord = maskParameterValues(key, tokens: &tokens, from: Int(segmentStart)) }
        segments.append(Segment(tokenStart: segmentStart, tokenEnd: Int32(tokens.count), delimiter: endOfKey, hasWord: hasWord))
    }

    /// Classifies the delimiter-free run `start..<end`, which holds `digits` digits and `hexLetters` letters a–f/A–F;
    /// returns true when it produced a word.
    private static func classifySimple(_ key: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, digits: Int, hexLetters: Int,
                                       tokens: inout [Token]) -> Bool {
        let length = end - start
        if digits == length {
            let code = integerCode(key, tokenStart: start, tokens: tokens)
            var flags: UInt8 = 0
            if code == Code.id { flags = integerFlags(key, start, end) }
            tokens.append(Token(kind: Kind.placeholder, code: code, flags: flags, start: Int32(start), length: Int32(length)))
            return false
        }
        if digits + hexLetters == length {
            if length == 32 {
                let uuidLike = uuidNibblesOK(version: key[start + 12], variant: key[start + 16])
                tokens.append(Token(kind: Kind.placeholder, code: Code.hex32, flags: uuidLike ? Flag.uuidLike : 0, start: Int32(start), length: 32))
                return false
            }
            if length == 40 || length == 64 {
                tokens.append(Token(kind: Kind.placeholder, code: Code.hash, flags: 0, start: Int32(start), length: Int32(length)))
                return false
            }
            if length >= 8 && digits > 0 {
                tokens.append(Token(kind: Kind.placeholder, code: Code.hex, flags: 0, start: Int32(start), length: Int32(length)))
                return false
            }
        }
        if length > maxWordBytes {
            tokens.append(Token(kind: Kind.placeholder, code: Code.str, flags: 0, start: Int32(start), length: Int32(length)))
            return false
        }
        if digits == 0 || isDuration(key, start, end) || isTechnicalWord(key, start, end) {
            tokens.append(Token(kind: Kind.word, code: 0, flags: 0, start: Int32(start), length: Int32(length)))
            return true
        }
        // A word with digits: keep the letters, mask each digit run.
        var j = start
        while j < end {
            let runStart = j
            let digitRun = isDigit(key[j])
            while j < end && isDigit(key[j]) == digitRun { j += 1 }
            if digitRun {
                let code = vocabularyBefore(key, wordStart: runStart, tokens: tokens, inWord: true) ? Code.n : Code.id
                tokens.append(Token(kind: Kind.placeholder, code: code, flags: 0, start: Int32(runStart), length: Int32(j - runStart)))
            } else {
                tokens.append(Token(kind: Kind.word, code: 0, flags: 0, start: Int32(runStart), length: Int32(j - runStart)))
            }
        }
        return true
    }

    /// `{n}` when a parameter word and one minor delimiter precede the integer, else `{id}`.
    private static func integerCode(_ key: UnsafeBufferPointer<UInt8>, tokenStart: Int, tokens: [Token]) -> UInt8 {
        vocabularyBefore(key, wordStart: tokenStart, tokens: tokens, inWord: false) ? Code.n : Code.id
    }

    private static let parameterWords: [[UInt8]] = [
        "page", "size", "limit", "offset", "per", "count", "skip", "take", "top", "n", "num", "first", "last",
        "start", "end", "from", "to", "items", "days", "hours", "minutes", "p",
    ].map { Array($0.utf8) }

    private static func vocabularyBefore(_ key: UnsafeBufferPointer<UInt8>, wordStart: Int, tokens: [Token], inWord: Bool) -> Bool {
        var index = tokens.count - 1
        if !inWord {
            guard index >= 1, tokens[index].kind == Kind.delim else { return false }
            let d = tokens[index].code
            guard d == 0x5F || d == 0x2D || d == 0x3D else { return false }
            guard Int(tokens[index].start) + 1 == wordStart else { return false }
            index -= 1
        }
        guard index >= 0, tokens[index].kind == Kind.word else { return false }
        let word = tokens[index]
        guard Int(word.start + word.length) + (inWord ? 0 : 1) == wordStart else { return false }
        return parameterWords.contains { candidate in
            candidate.count == Int(word.length) && candidate.indices.allSatisfy { key[Int(word.start) + $0] | 0x20 == candidate[$0] }
        }
    }

    /// Digits followed by a time unit: `30d`, `7d`, `24h`, `15m`, `500ms`, `10min`, `1w`, `1y`, `3mo`.
    private static func isDuration(_ key: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var j = start
        while j < end && isDigit(key[j]) { j += 1 }
        guard j > start, j < end else { return false }
        guard end - j <= 4 else { return false }
        var unit: UInt32 = 0
        for k in j..<end { unit = unit << 8 | UInt32(key[k] | 0x20) }
        return durationUnits.contains(unit)
    }

    /// Names that contain digits but are not values: `v2`, `sha1`, `md5`, `utf8`, `s3`, `oauth2` …
    private static func isTechnicalWord(_ key: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        let length = end - start
        guard length <= 8 else { return false }
        if length <= 3, key[start] | 0x20 == 0x76, (start + 1..<end).allSatisfy({ isDigit(key[$0]) }) { return true }  // v1 … v99
        var packed: UInt64 = 0
        for k in start..<end { packed = packed << 8 | UInt64(isUpper(key[k]) ? key[k] | 0x20 : key[k]) }
        return technicalWords.contains(packed)
    }

    private static let technicalWords: Set<UInt64> = Set([
        "sha1", "sha224", "sha256", "sha384", "sha512", "md5", "utf8", "utf16", "base64", "base32", "s3", "ipv4", "ipv6",
        "oauth2", "http2", "http3", "x509", "k8s", "ec2", "l10n", "i18n", "2fa", "mp3", "mp4", "h264", "py3", "es6", "b2b", "b2c",
    ].map { $0.utf8.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } })

    private static let durationUnits: Set<UInt32> = Set(["s", "m", "h", "d", "w", "y", "ms", "min", "mo", "hr", "hrs", "days", "wk"].map {
        $0.utf8.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    })

    /// The value of a `page_{n}` / `page={n}` / `page{n}` token of the last tokenized key, if any (≤ 9 digits).
    static func pageNumber(_ key: UnsafeBufferPointer<UInt8>, tokens: [Token]) -> Int? {
        for index in tokens.indices where tokens[index].kind == Kind.placeholder && tokens[index].code == Code.n && tokens[index].length <= 9 {
            var w = index - 1
            if w >= 0 && tokens[w].kind == Kind.delim { w -= 1 }
            guard w >= 0, tokens[w].kind == Kind.word, tokens[w].length == 4 else { continue }
            let s = Int(tokens[w].start)
            guard key[s] | 0x20 == 0x70, key[s + 1] | 0x20 == 0x61, key[s + 2] | 0x20 == 0x67, key[s + 3] | 0x20 == 0x65 else { continue }
            return digitsValue(key, Int(tokens[index].start), Int(tokens[index].length))
        }
        return nil
    }

    // MARK: - Value recognisers

    private static func digitsValue(_ key: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int {
        var v = 0
        for j in start..<(start + count) { v = v * 10 + Int(key[j] - 0x30) }
        return v
    }

    private static func validDate(year: Int, month: Int, day: Int) -> Bool {
        (1970...2099).contains(year) && (1...12).contains(month) && (1...31).contains(day)
    }

    /// Date/timestamp vote flags of an all-digit token.
    private static func integerFlags(_ key: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt8 {
        switch end - start {
        case 8:
            return validDate(year: digitsValue(key, start, 4), month: digitsValue(key, start + 4, 2), day: digitsValue(key, start + 6, 2)) ? Flag.dateLike : 0
        case 14:
            return validDate(year: digitsValue(key, start, 4), month: digitsValue(key, start + 4, 2), day: digitsValue(key, start + 6, 2))
                && digitsValue(key, start + 8, 2) < 24 ? Flag.tsLike : 0
        case 10:
            return (946_684_800..<4_102_444_800).contains(digitsValue(key, start, 10)) ? Flag.tsLike : 0
        case 13:
            return (946_684_800_000..<4_102_444_800_000).contains(digitsValue(key, start, 13)) ? Flag.tsLike : 0
        default:
            return 0
        }
    }

    private static func uuidNibblesOK(version: UInt8, variant: UInt8) -> Bool {
        guard isHex(version), isHex(variant) else { return false }
        let v = hexValue(version), r = hexValue(variant)
        return (1...8).contains(v) && (8...11).contains(r)
    }

    @inline(__always) private static func endsToken(_ key: UnsafeBufferPointer<UInt8>, _ at: Int) -> Bool {
        at == key.count || isDelimiter(key[at])
    }

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, any hex case.
    private static func matchDashedUUID(_ key: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        guard start + 36 <= key.count, key[start + 8] == 0x2D, isHex(key[start]) else { return nil }
        for j in 0..<36 {
            let b = key[start + j]
            if j == 8 || j == 13 || j == 18 || j == 23 {
                if b != 0x2D { return nil }
            } else if !isHex(b) {
                return nil
            }
        }
        return endsToken(key, start + 36) ? 36 : nil
    }

    /// `yyyy-mm-dd` → `{date}`; followed by `Thh:mm[:ss[.fff]][Z|±hh[:]mm]` → `{ts}`.
    private static func matchISODate(_ key: UnsafeBufferPointer<UInt8>, _ start: Int) -> (Int, UInt8)? {
        let count = key.count
        guard start + 10 <= count, key[start + 4] == 0x2D, key[start + 7] == 0x2D else { return nil }
        for j in [0, 1, 2, 3, 5, 6, 8, 9] where !isDigit(key[start + j]) { return nil }
        guard validDate(year: digitsValue(key, start, 4), month: digitsValue(key, start + 5, 2), day: digitsValue(key, start + 8, 2)) else { return nil }
        var j = start + 10
        if j + 6 <= count, key[j] == 0x54 || key[j] == 0x20, isDigit(key[j + 1]), isDigit(key[j + 2]), key[j + 3] == 0x3A,
           isDigit(key[j + 4]), isDigit(key[j + 5]) {
            j += 6
            if j + 3 <= count, key[j] == 0x3A, isDigit(key[j + 1]), isDigit(key[j + 2]) { j += 3 }
            if j + 1 < count, key[j] == 0x2E, isDigit(key[j + 1]) {
                j += 1
                while j < count && isDigit(key[j]) { j += 1 }
            }
            if j < count, key[j] == 0x5A { j += 1 } else if j + 3 <= count, key[j] == 0x2B || key[j] == 0x2D,
                isDigit(key[j + 1]), isDigit(key[j + 2]) {
                var k = j + 3
                if k < count, key[k] == 0x3A { k += 1 }
                if k + 2 <= count, isDigit(key[k]), isDigit(key[k + 1]) { j = k + 2 }
            }
            return endsToken(key, j) ? (j - start, Code.ts) : nil
        }
        return endsToken(key, j) ? (10, Code.date) : nil
    }

    /// A base64 run: ≥ 16 characters of `A-Za-z0-9+/`, optional `=` padding, upper and lower case present,
    /// and random-looking (see below).
    private static func matchBase64(_ key: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        let limit = min(key.count, start + 4096)
        // A cheap first look at the run (tried at every value start: most are short or all lower case, and the full
        // count below was 10 % of `families`): at least 16 bytes of the alphabet, both cases present.
        var end = start
        var cases: UInt8 = 0
        while end < limit {
            let b = key[end]
            if isLower(b) { cases |= 2 } else if isUpper(b) { cases |= 1 } else if !(isDigit(b) || b == 0x2B || b == 0x2F) { break }
            end += 1
        }
        guard end - start >= 16, cases == 3 else { return nil }
        var j = start
        var upper = 0, lower = 0, digit = 0, symbol = 0, changes = 0
        var previousClass: UInt8 = 255
        while j < end {
            let b = key[j]
            let cls: UInt8
            if isUpper(b) { cls = 0; upper += 1 } else if isLower(b) { cls = 1; lower += 1 } else if isDigit(b) { cls = 2; digit += 1 }
            else if b == 0x2B || b == 0x2F { cls = 3; symbol += 1 } else { break }
            if previousClass != 255 && cls != previousClass { changes += 1 }
            previousClass = cls
            j += 1
        }
        let body = j - start
        guard body >= 16, upper > 0, lower > 0 else { return nil }
        // Random-looking: the character class changes at ≥ 25 % of positions (with digits or symbols), or
        // for letters only (≥ 20 of them) at ≥ 20 % with 20–80 % upper case (camelCase has far fewer capitals).
        if digit + symbol > 0 {
            guard changes * 100 >= (body - 1) * 25 else { return nil }
        } else {
            guard body >= 20, changes * 100 >= (body - 1) * 20, upper * 5 >= body, upper * 5 <= body * 4 else { return nil }
        }
        var padding = 0
        while j < key.count && key[j] == 0x3D && padding < 2 { j += 1; padding += 1 }
        guard j == key.count || isDelimiter(key[j]) || key[j - 1] == 0x3D else { return nil }
        return j - start
    }
}
