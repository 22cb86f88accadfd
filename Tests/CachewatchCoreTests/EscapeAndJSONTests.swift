import XCTest
@testable import CachewatchCore

final class EscapeAndJSONTests: XCTestCase {
    func testControlBytesAndInvalidUTF8AreEscaped() {
        let bytes: [UInt8] = [0x1B] + Array("]0;pwned".utf8) + [0x07, 0x0A, 0xFF, 0x41]
        XCTAssertEqual(DisplayEscaper.escape(bytes), "\\x1b]0;pwned\\x07\\n\\xffA")
    }

    func testValidMultibyteIsKept() {
        XCTAssertEqual(DisplayEscaper.escape(Array("ключ:日本".utf8)), "ключ:日本")
    }

    func testC1AndBidiControlsAreEscaped() {
        XCTAssertEqual(DisplayEscaper.escape("a\u{9B}b\u{202E}c"), "a\\u{9b}b\\u{202e}c")
    }

    func testJSONKeepsKeyOrderAndEscapes() {
        let value = JSONValue.object([("b", .int(1)), ("a", .string("x\u{1b}\"")), ("n", .number(nil)), ("d", .double(0.5))])
        XCTAssertEqual(value.serialized(), #"{"b":1,"a":"x\u001b\"","n":null,"d":0.5}"#)
    }
}
