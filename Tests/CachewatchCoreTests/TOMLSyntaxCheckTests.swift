@testable import CachewatchCore
import XCTest

/// The TOML 1.0 syntax check in front of toml++ must accept every valid document (it only keeps malformed text away).
final class TOMLSyntaxCheckTests: XCTestCase {
    func testTheSpecificationsExamplesPass() throws {
        let text = #"""
        # a comment é
        title = "TOML Example" # é
        "quoted key" = 'literal'
        '' = 1
        site."google.com" = true
        a . b . c = 1
        3.14159 = "pi"
        [owner]
        dob = 1979-05-27T07:32:00-08:00
        [database]
        ports = [ 8000, 8001, 8002 ]
        data = [ ["delta", "phi"], [3.14] ]
        temp = { cpu = 79.5, case = 72.0 }
        [ servers . "beta" ]
        ip = "10.0.0.2"
        [[fruits]]
        name = "apple"
        [fruits.physical]
        color = "red"
        [[ fruits ]]
        str1 = """
        Roses are red
        Violets are blue"""
        str2 = """\
               The quick brown \
               fox jumps over \
               the lazy dog.\
               """
        str4 = """Here are fifteen quotation marks: ""\"""\"""\"""\"""\"."""
        str5 = """"This," she said, "is just a pointless statement.""""
        winpath = 'C:\Users\nodejs\templates'
        quot15 = '''Here are fifteen quotation marks: """""""""""""""'''
        str6 = ''''That,' she said, 'is still pointless.''''
        esc = "\b\t\n\f\r\"\\\u00E9\U0001F600 é 日本"
        ints = [+99, 42, 0, -17, 1_000, 5_349_221, 0xDEAD_beef, 0o755, 0b1101_0110, -0, +0]
        floats = [+1.0, 3.1415, -0.01, 5e+22, 1e06, -2E-2, 6.626e-34, 224_617.445_991_228, 0.0, -0e0, 1e1_0]
        specials = [inf, +inf, -inf, nan, +nan, -nan]
        bools = [true, false]
        dates = [1979-05-27T07:32:00Z, 1979-05-27t00:32:00.999999-07:00, 1979-05-27 07:32:00z, 1979-05-27T07:32:00,
                 1979-05-27, 07:32:00, 00:32:00.5]
        mixed = [ [ 1, 2 ], ["a", "b"], 1.1, {x = 1}, ] # a trailing comma
        nested = {a = {b = {c = [ {d = 1} ]}}, "e" = 'f', g.h = 2}
        empty = [
          # a comment
        ]
        emptyTable = {}
        tab	=	"tab"	# tab
        """#
        let document = try TOMLParser.parse(text, file: "spec.toml")
        XCTAssertEqual(document.entry("str2", in: "fruits", index: 1)?.value, .string("The quick brown fox jumps over the lazy dog."))
        XCTAssertEqual(document.entry("esc", in: "fruits", index: 1)?.value, .string("\u{8}\t\n\u{C}\r\"\\é😀 é 日本"))
        XCTAssertEqual(document.entry("str5", in: "fruits", index: 1)?.value, .string("\"This,\" she said, \"is just a pointless statement.\""))
        XCTAssertEqual(document.entry("ip", in: "servers.beta")?.value, .string("10.0.0.2"))
        XCTAssertEqual(document.entry("ints", in: "fruits", index: 1)?.value,
                       .array([99, 42, 0, -17, 1000, 5_349_221, 0xDEADBEEF, 0o755, 0b11010110, 0, 0].map(TOMLValue.integer)))
    }

    func testByteOrderMarkCRLFAndNoFinalNewlinePass() throws {
        XCTAssertEqual(try TOMLParser.parse("\u{FEFF}a = 1", file: "c").entry("a")?.value, .integer(1))
        let document = try TOMLParser.parse("a = \"\"\"x\r\ny\"\"\"\r\n# c\r\nb = [\r\n 1,\r\n]\r\n", file: "c")
        XCTAssertEqual(document.entry("a")?.value, .string("x\ny"))
        XCTAssertEqual(document.entry("b")?.line, 4)
    }

    func testSemanticErrorsAreLeftToToml() {
        // Well-formed but wrong: toml++ reports these (its error path is safe); the check does not duplicate it.
        for (text, line) in [("a = 1\na = 2\n", 2), ("x = 9999999999999999999999\n", 1), ("d = 1979-13-45\n", 1), ("[s]\n[s]\n", 2)] {
            XCTAssertNoThrow(try TOMLSyntaxCheck.check(text, file: "c.toml"), text)
            XCTAssertThrowsError(try TOMLParser.parse(text, file: "c.toml"), text) { error in
                XCTAssertEqual((error as? TOMLError)?.line, line, "\(error)")
            }
        }
    }

    func testScalarShapes() {
        let valid = ["true", "false", "0", "-0", "+7", "1_000", "0x0", "0xdead_BEEF", "0o17", "0b1", "1.5", "-0.0", "1e5", "1E-05",
                     "6.02e+2_3", "inf", "-nan", "1979-05-27", "07:32:00", "07:32:00.1", "1979-05-27T07:32:00", "1979-05-27 07:32:00+05:30"]
        let invalid = ["", "tru", "True", "01", "1__0", "_1", "1_", "0x", "0X1", "+0x1", "0b2", "0o8", "1.", ".1", "1e", "1.e5", "1e5.0",
                       "Inf", "--1", "1979-5-27", "1979-05-27T", "7:32:00", "07:32", "07:32:00.", "1979-05-27T07:32:00+0530",
                       "1979-05-27X07:32:00", "1979-05-27T07:32:00Zz"]
        for token in valid { XCTAssertTrue(TOMLScalarShape.isValid(Array(token.utf8)[...]), token) }
        for token in invalid { XCTAssertFalse(TOMLScalarShape.isValid(Array(token.utf8)[...]), token) }
    }

    func testDeepNestingIsRefusedNotAStackOverflow() {
        let deep = "x = " + String(repeating: "[", count: 100_000) + "\n"
        XCTAssertThrowsError(try TOMLParser.parse(deep, file: "c.toml")) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("c.toml:1: arrays and inline tables nest more than"), "\(error)")
        }
        let fine = "x = " + String(repeating: "[", count: 50) + String(repeating: "]", count: 50) + "\n"
        XCTAssertNoThrow(try TOMLParser.parse(fine, file: "c.toml"))
    }
}
