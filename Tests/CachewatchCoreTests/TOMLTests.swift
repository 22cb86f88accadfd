import CachewatchCore
import XCTest

final class TOMLTests: XCTestCase {
    func testParsesSectionsValuesAndComments() throws {
        let text = """
        # a comment
        name = "dark" # trailing comment
        colors = 256

        [crit]
        fg = 196
        ratio = 0.5
        big = 1_000
        neg = -3
        on = true
        attrs = ["bold", 'reverse']   # literal string too
        multi = [
          1,
          2, # comment inside
        ]
        escaped = "tab\\there \\"q\\" \\u00e9"
        [a.b]
        "quoted key" = false
        """
        let doc = try TOMLParser.parse(text, file: "t.toml")
        XCTAssertEqual(doc.entry("name")?.value, .string("dark"))
        XCTAssertEqual(doc.entry("colors")?.value, .integer(256))
        XCTAssertEqual(doc.entry("fg", in: "crit")?.value, .integer(196))
        XCTAssertEqual(doc.entry("fg", in: "crit")?.line, 6)
        XCTAssertEqual(doc.entry("ratio", in: "crit")?.value, .float(0.5))
        XCTAssertEqual(doc.entry("big", in: "crit")?.value, .integer(1000))
        XCTAssertEqual(doc.entry("neg", in: "crit")?.value, .integer(-3))
        XCTAssertEqual(doc.entry("on", in: "crit")?.value, .bool(true))
        XCTAssertEqual(doc.entry("attrs", in: "crit")?.value, .array([.string("bold"), .string("reverse")]))
        XCTAssertEqual(doc.entry("multi", in: "crit")?.value, .array([.integer(1), .integer(2)]))
        XCTAssertEqual(doc.entry("escaped", in: "crit")?.value, .string("tab\there \"q\" é"))
        XCTAssertEqual(doc.entry("quoted key", in: "a.b")?.value, .bool(false))
        XCTAssertEqual(doc.sections.map(\.name), ["crit", "a.b"])
        XCTAssertEqual(doc.sections.map(\.line), [5, 17])
    }

    func testErrorsNameFileAndLine() {
        let cases: [(String, Int, String)] = [
            ("a = 1\nb = \"open\n", 2, "unterminated string"),
            ("a = 1\n\nb = bare\n", 3, "invalid value 'bare'"),
            ("[x\n", 1, "expected ']'"),
            ("a = 1\na = 2\n", 2, "defined twice"),
            ("[s]\n[s]\n", 2, "defined twice"),
            ("a = [1, 2\n", 1, "unterminated array"),
            ("a = { b = 1 }\n", 1, "inline tables"),
            ("a\n", 1, "expected '='"),
            ("a = 1 2\n", 1, "after the value"),
            ("a =\n", 1, "missing value"),
            ("[[t]]\n", 1, "arrays of tables"),
            ("a = \"\\q\"\n", 1, "unknown escape"),
        ]
        for (text, line, reason) in cases {
            XCTAssertThrowsError(try TOMLParser.parse(text, file: "bad.toml"), text) { error in
                guard let e = error as? TOMLError else { return XCTFail("\(error)") }
                XCTAssertEqual(e.line, line, text)
                XCTAssertTrue(e.reason.contains(reason), "\(e.reason) for \(text)")
                XCTAssertTrue(e.description.hasPrefix("bad.toml:\(line): "), e.description)
            }
        }
    }

    func testEmptyAndCRLFDocuments() throws {
        XCTAssertEqual(try TOMLParser.parse("", file: "e").entries.count, 0)
        let doc = try TOMLParser.parse("a = 1\r\n[b]\r\nc = \"x\"\r\n", file: "crlf")
        XCTAssertEqual(doc.entry("c", in: "b")?.value, .string("x"))
        XCTAssertEqual(doc.entry("c", in: "b")?.line, 3)
    }
}
