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
        XCTAssertEqual(doc.entry("multi", in: "crit")?.line, 12)
        XCTAssertEqual(doc.entry("escaped", in: "crit")?.value, .string("tab\there \"q\" é"))
        XCTAssertEqual(doc.entry("escaped", in: "crit")?.line, 16)
        XCTAssertEqual(doc.entry("quoted key", in: "a.b")?.value, .bool(false))
        XCTAssertEqual(doc.entry("quoted key", in: "a.b")?.line, 18)
        XCTAssertEqual(doc.sections.map(\.name), ["crit", "a.b"])
        XCTAssertEqual(doc.sections.map(\.line), [5, 17])
        XCTAssertEqual(doc.entries.map(\.line), doc.entries.map(\.line).sorted(), "entries come in file order")
    }

    func testErrorsNameFileAndLine() {
        let cases: [(String, Int)] = [
            ("a = 1\nb = \"open\n", 2),
            ("a = 1\n\nb = bare\n", 3),
            ("[x\n", 1),
            ("a = 1\na = 2\n", 2),
            ("[s]\n[s]\n", 2),
            ("a\n", 1),
            ("a = 1 2\n", 1),
            ("a =\n", 1),
            ("a = \"\\q\"\n", 1),
            ("ok = 1\nbad = \"a\u{0}b\"\n", 2),
        ]
        for (text, line) in cases {
            XCTAssertThrowsError(try TOMLParser.parse(text, file: "bad.toml"), text) { error in
                guard let e = error as? TOMLError else { return XCTFail("\(error)") }
                XCTAssertEqual(e.line, line, "\(text.debugDescription): \(e)")
                XCTAssertFalse(e.reason.isEmpty)
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

    func testKeyLocatorFollowsArraysOfTablesInlineTablesAndMultilineStrings() {
        let text = """
        s = \"\"\"
        [not.a.header]
        x = 1\"\"\"
        [[silence]]
        code = "a"
        [[silence]]
        pattern = "b"
        t = { k = 1 }
        'q.k'.z = 2
        """
        let locator = TOMLKeyLocator(text: text)
        XCTAssertEqual(locator.line(of: ["s"]), 1)
        XCTAssertFalse(locator.isDeclared(["not"]))
        XCTAssertEqual(locator.line(of: ["silence", "#0", "code"]), 5)
        XCTAssertEqual(locator.line(of: ["silence", "#1"]), 6)
        XCTAssertEqual(locator.line(of: ["silence", "#1", "pattern"]), 7)
        XCTAssertEqual(locator.line(of: ["silence", "#1", "t", "k"]), 8, "inline keys take their table's line")
        XCTAssertEqual(locator.line(of: ["silence", "#1", "q.k", "z"]), 9)
    }
}

/// Inputs that made toml++ abort (found by `make fuzz`): refused with `file:line` before toml++ sees them.
final class TOMLParserCrashTests: XCTestCase {
    func testTableHeadersWithoutANameAreRefusedNotFatal() {
        for text in ["[\n", "[", "x = 1\n[\n", "[]\n", "[ ]\n", "[[]]\n", "[ .a]\n", "[\r\n", "[[\n", "\u{FEFF}[ \\[\n",
                     "\u{FEFF}[\u{01}\u{7F} ", "[a.]\n", "[a.\n", "[\"a\".\n", "[\"open\n",
                     "[\u{065D}\n", "  [\u{05A4}\u{FFFD}t\n"] {
            XCTAssertThrowsError(try ConfigFile.parse(text, file: "c.toml"), text.debugDescription) { error in
                XCTAssertTrue(String(describing: error).hasPrefix("c.toml:"), "\(error)")
                XCTAssertFalse(String(describing: error).contains("\n"))
            }
            XCTAssertThrowsError(try Theme.parse(text, file: "t.toml"), text.debugDescription)
        }
    }

    func testArraysWithABraceWhereAValueShouldBeAreRefused() throws {
        for text in ["x = [}\n", "x = [[}\n", "x = [1,}\n", "x = [\n  1, # c\n }\n", "fg = [[[[[[[[}}}}\n"] {
            XCTAssertThrowsError(try ConfigFile.parse(text, file: "c.toml"), text.debugDescription) { error in
                XCTAssertTrue(String(describing: error).hasPrefix("c.toml:"), "\(error)")
            }
            XCTAssertThrowsError(try Theme.parse(text, file: "t.toml"), text.debugDescription)
        }
        // Braces inside strings, comments and inline tables are not values of an array.
        let config = try ConfigFile.parse("[logs]\npaths = [\"a,}\", 'b[}', # [}\n \"c\\\"}\"]\n", file: "c.toml")
        XCTAssertEqual(config.logPaths, ["a,}", "b[}", "c\"}"])
    }

    func testDottedKeysWithoutANamePartAreRefused() throws {
        for text in ["em.=\t1\n", "a. = 1\n", "[census]\nscan_budget. = 3\n"] {
            XCTAssertThrowsError(try ConfigFile.parse(text, file: "c.toml"), text.debugDescription)
        }
        let config = try ConfigFile.parse("# comment.\n\n[census]\n  scan_budget = 3 # x.\n\"max_families\" = 9\n", file: "c.toml")
        XCTAssertEqual(config.scanBudget, 3)
        XCTAssertEqual(config.maxFamilies, 9)
    }

    func testNamedHeadersStillParse() throws {
        let config = try ConfigFile.parse("\u{FEFF}[ census ]\nscan_budget = 7\n[\"logs\"]\ntz = \"UTC\"\n", file: "c.toml")
        XCTAssertEqual(config.scanBudget, 7)
        XCTAssertEqual(config.logTimeZone, "UTC")
    }

    func testArraysSpanningLinesAreNotTakenForHeaders() throws {
        let config = try ConfigFile.parse("[logs]\npaths = [\n  \"/a.log\",\n  \"/b]#x.log\", # c [\n]\n[census]\nscan_budget = 10\n", file: "c.toml")
        XCTAssertEqual(config.logPaths, ["/a.log", "/b]#x.log"])
        XCTAssertEqual(config.scanBudget, 10)
    }

    /// toml++ reaches `__builtin_unreachable` (undefined behaviour in every build) when it tests a scalar such as
    /// U+00E9 or U+0301 for Unicode whitespace where a token may start; such text is not TOML and is refused first.
    func testNonASCIIWhereATokenMayStartIsRefused() {
        for text in ["x = é\n", "é = 1\n", "[\u{0301}]\n", "[a] é\n", "x = 1 é\n", "x = [é]\n", "x = {é = 1}\n",
                     "x = tru\u{E9}\n", "a\u{E9} = 1\n", "x = \u{2CE0}\n", "x = \u{FBE6}\n", "\u{A1}", "x = 1\n\u{499}"] {
            assertRefused(text)
        }
    }

    /// Valid TOML that toml++ 3.4.0 still mishandles (the same whitespace test, first after a line-ending backslash):
    /// refused with a way out; the escaped form parses.
    func testNonASCIIFirstAfterALineEndingBackslashIsRefused() throws {
        assertRefused("x = \"\"\"a\\\n   é\"\"\"\n", line: 2)
        let document = try TOMLParser.parse("x = \"\"\"a\\\n   \\u00E9 é\"\"\"\n", file: "c.toml")
        XCTAssertEqual(document.entry("x")?.value, .string("aé é"))
    }

    /// Shapes from toml++'s own bug reports (marzer/tomlplusplus#294, #301) and other malformed TOML: refused first.
    func testMalformedShapesAreRefused() {
        for text in ["[&", "[[[1]]]", "[[[a]]]", "[[[]]", "[[=", "[ [a]]", "x = [,]", "x = [1,,]", "x = {a = 1,}", "x = {,}",
                     "x = {a = 1\n}", "x = \"\"\"\"\"\"\"\"\"\n", "x = '''a''''''\n", "\"\"\"k\"\"\" = 1\n", "x = \"\\é\"\n",
                     "x = \"\"\"\\é\"\"\"\n", "x = \"a\rb\"\n", "x = 1\r", "# c\r", "x = 0x\n", "x = 1__0\n", "x = 01\n",
                     "x = 1.\n", "x = .5\n", "x = 1e\n", "x = +0x1\n", "x = 1979-05-27T\n", "x = 07:32\n", "x = True\n",
                     "x = \\u00e9\n", "x = \"\\u12\"\n", "x = 1979-05-27 07:32\n"] {
            assertRefused(text)
        }
    }

    private func assertRefused(_ text: String, line: Int? = nil, file: StaticString = #filePath, sourceLine: UInt = #line) {
        XCTAssertThrowsError(try TOMLParser.parse(text, file: "c.toml"), text.debugDescription, file: file, line: sourceLine) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.hasPrefix("c.toml:\(line.map { "\($0):" } ?? "")"), message, file: file, line: sourceLine)
            XCTAssertFalse(message.contains("\n"), message, file: file, line: sourceLine)
        }
        XCTAssertThrowsError(try ConfigFile.parse(text, file: "c.toml"), text.debugDescription, file: file, line: sourceLine)
        XCTAssertThrowsError(try Theme.parse(text, file: "t.toml"), text.debugDescription, file: file, line: sourceLine)
    }
}
