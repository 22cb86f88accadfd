/// The shapes TOML 1.0 gives booleans, integers, floats and dates, checked on a token's ASCII bytes.
///
/// Only the shape: whether an integer fits 64 bits or a date exists is toml++'s to say (it reports both as errors).
enum TOMLScalarShape {
    typealias Token = ArraySlice<UInt8>

    /// True for `true`, `false`, an integer (decimal, `0x`, `0o`, `0b`), a float (`inf`, `nan` too) or a date/time.
    static func isValid(_ token: Token) -> Bool {
        token.elementsEqual("true".utf8) || token.elementsEqual("false".utf8)
            || isInteger(token) || isFloat(token) || isDateTime(token)
    }

    static func isInteger(_ token: Token) -> Bool {
        if token.count > 2, token.first == UInt8(ascii: "0") {
            let digits = token.dropFirst(2)
            switch token[token.startIndex + 1] {
            case UInt8(ascii: "x"): return isDigitRun(digits, TOMLSyntaxCheck.isHexDigit)
            case UInt8(ascii: "o"): return isDigitRun(digits) { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }
            case UInt8(ascii: "b"): return isDigitRun(digits) { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "1") }
            default: break
            }
        }
        return isDecimalInteger(dropSign(token))
    }

    /// `[+-]` integer part, then a fraction, an exponent or both; or `[+-]inf`, `[+-]nan`.
    static func isFloat(_ token: Token) -> Bool {
        let unsigned = dropSign(token)
        if unsigned.elementsEqual("inf".utf8) || unsigned.elementsEqual("nan".utf8) { return true }
        let exponentStart = unsigned.firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        let mantissa = unsigned[..<(exponentStart ?? unsigned.endIndex)]
        let dot = mantissa.firstIndex(of: UInt8(ascii: "."))
        guard isDecimalInteger(mantissa[..<(dot ?? mantissa.endIndex)]) else { return false }
        if let dot, !isDigitRun(mantissa[(dot + 1)...], TOMLSyntaxCheck.isDigit) { return false }
        if let exponentStart, !isDigitRun(dropSign(unsigned[(exponentStart + 1)...]), TOMLSyntaxCheck.isDigit) { return false }
        return dot != nil || exponentStart != nil
    }

    /// `1979-05-27`, `07:32:00[.999]`, or a date, `T`/`t`/space, a time and an optional `Z`/`z`/`±hh:mm`.
    static func isDateTime(_ token: Token) -> Bool {
        if let length = timeLength(token), length == token.count { return true }
        guard token.count >= 10, isDate(token.prefix(10)) else { return false }
        if token.count == 10 { return true }
        let separator = token[token.startIndex + 10]
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " ") else { return false }
        let rest = token.dropFirst(11)
        guard let length = timeLength(rest) else { return false }
        let offset = rest.dropFirst(length)
        if offset.isEmpty || offset.elementsEqual("Z".utf8) || offset.elementsEqual("z".utf8) { return true }
        guard offset.count == 6, offset.first == UInt8(ascii: "+") || offset.first == UInt8(ascii: "-") else { return false }
        return matches(offset.dropFirst(), "dd:dd")
    }

    /// `yyyy-mm-dd`.
    static func isDate(_ token: Token) -> Bool { token.count == 10 && matches(token, "dddd-dd-dd") }

    /// The length of a leading `hh:mm:ss` with an optional fraction, nil when there is none.
    private static func timeLength(_ token: Token) -> Int? {
        guard token.count >= 8, matches(token.prefix(8), "dd:dd:dd") else { return nil }
        var length = 8
        if token.dropFirst(8).first == UInt8(ascii: ".") {
            let digits = token.dropFirst(9).prefix { TOMLSyntaxCheck.isDigit($0) }
            guard !digits.isEmpty else { return nil }
            length += 1 + digits.count
        }
        return length
    }

    /// `d` stands for a decimal digit; every other character of `pattern` must match itself.
    private static func matches(_ token: Token, _ pattern: String) -> Bool {
        token.count == pattern.utf8.count && zip(token, pattern.utf8).allSatisfy { byte, expected in
            expected == UInt8(ascii: "d") ? TOMLSyntaxCheck.isDigit(byte) : byte == expected
        }
    }

    /// `0`, or digits without a leading zero; `_` only between digits.
    private static func isDecimalInteger(_ token: Token) -> Bool {
        isDigitRun(token, TOMLSyntaxCheck.isDigit) && (token.count == 1 || token.first != UInt8(ascii: "0"))
    }

    /// One or more digits, with single underscores between digits.
    private static func isDigitRun(_ token: Token, _ isDigit: (UInt8) -> Bool) -> Bool {
        let parts = token.split(separator: UInt8(ascii: "_"), omittingEmptySubsequences: false)
        return !token.isEmpty && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(isDigit) }
    }

    private static func dropSign(_ token: Token) -> Token {
        token.first == UInt8(ascii: "+") || token.first == UInt8(ascii: "-") ? token.dropFirst() : token
    }
}
