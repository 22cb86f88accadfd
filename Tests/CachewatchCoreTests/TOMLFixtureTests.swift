import CachewatchCore
import Foundation
import XCTest

/// toml-test style edge cases the hand-written reader used to get wrong, read from `Fixtures/toml`.
final class TOMLFixtureTests: XCTestCase {
    private static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("toml")

    private func fixtures(_ kind: String) throws -> [URL] {
        let urls = try FileManager.default.contentsOfDirectory(at: Self.folder.appendingPathComponent(kind), includingPropertiesForKeys: nil)
        return urls.filter { $0.pathExtension == "toml" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    private func parse(_ name: String) throws -> TOMLDocument {
        let url = Self.folder.appendingPathComponent("valid").appendingPathComponent(name)
        return try TOMLParser.parse(String(decoding: try Data(contentsOf: url), as: UTF8.self), file: name)
    }

    func testEveryValidFixtureParses() throws {
        let urls = try fixtures("valid")
        XCTAssertGreaterThanOrEqual(urls.count, 9)
        for url in urls {
            XCTAssertNoThrow(try TOMLParser.parse(String(decoding: try Data(contentsOf: url), as: UTF8.self), file: url.lastPathComponent),
                             url.lastPathComponent)
        }
    }

    /// Expected line of each invalid fixture's error.
    private static let invalidLines: [String: Int] = [
        "bad-escape.toml": 1, "bare-value.toml": 1, "control-in-basic.toml": 1, "control-in-literal.toml": 1,
        "dotted-redefined.toml": 2, "double-underscore.toml": 1, "duplicate-key.toml": 2, "duplicate-table.toml": 2,
        "empty-hex.toml": 1, "integer-overflow.toml": 1, "leading-zero.toml": 1, "plus-minus.toml": 1,
        "unterminated-array.toml": 1, "unterminated-string.toml": 2,
    ]

    func testEveryInvalidFixtureFailsWithFileAndLine() throws {
        let urls = try fixtures("invalid")
        XCTAssertEqual(Set(urls.map(\.lastPathComponent)), Set(Self.invalidLines.keys))
        for url in urls {
            let name = url.lastPathComponent
            let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
            XCTAssertThrowsError(try TOMLParser.parse(text, file: name), name) { error in
                guard let e = error as? TOMLError else { return XCTFail("\(name): \(error)") }
                XCTAssertEqual(e.line, Self.invalidLines[name], "\(name): \(e)")
                XCTAssertTrue(e.description.hasPrefix("\(name):\(e.line): "), e.description)
            }
        }
    }

    func testDottedKeysAreTables() throws {
        let doc = try parse("dotted-keys.toml")
        XCTAssertEqual(doc.entry("scan_budget", in: "census")?.value, .integer(2000))
        XCTAssertEqual(doc.entry("scan_budget", in: "census")?.line, 2)
        XCTAssertEqual(doc.entry("warn_rate", in: "logs")?.line, 4)
        XCTAssertEqual(doc.sections.map(\.name), ["census", "logs"])
    }

    func testQuotedDottedHeadersKeepTheDotInTheName() throws {
        let doc = try parse("quoted-dotted-header.toml")
        XCTAssertEqual(doc.entry("key", in: "a.b")?.value, .integer(1))
        XCTAssertEqual(doc.entry("key", in: "a.b")?.line, 2)
        XCTAssertEqual(doc.entry("key", in: "a.c.d")?.value, .integer(2))
        XCTAssertEqual(doc.entry("key", in: "a.c.d")?.line, 4)
    }

    func testEscapes() throws {
        XCTAssertEqual(try parse("escapes.toml").entry("escapes")?.value,
                       .string("back\u{8}space form\u{C}feed tab\t quote\" é 😀"))
    }

    func testIntegersInEveryBase() throws {
        let doc = try parse("integers.toml")
        XCTAssertEqual(doc.entry("hex")?.value, .integer(0xDEAD_BEEF))
        XCTAssertEqual(doc.entry("oct")?.value, .integer(0o755))
        XCTAssertEqual(doc.entry("bin")?.value, .integer(10))
        XCTAssertEqual(doc.entry("big")?.value, .integer(Int.max))
        XCTAssertEqual(doc.entry("neg")?.value, .integer(Int.min))
    }

    func testUTF8ByteOrderMarkIsSkipped() throws {
        let doc = try parse("utf8-bom.toml")
        XCTAssertEqual(doc.entry("theme")?.value, .string("default"))
        XCTAssertEqual(doc.entry("theme")?.line, 1)
        XCTAssertEqual(doc.entry("scan_budget", in: "census")?.line, 3)
    }

    func testMultilineStringsArraysOfTablesAndInlineTables() throws {
        let doc = try parse("multiline-and-arrays-of-tables.toml")
        XCTAssertEqual(doc.entry("multi")?.value, .string("line one\nline two"))
        XCTAssertEqual(doc.entry("lit")?.value, .string("raw \\n kept"))
        XCTAssertEqual(doc.entry("lit")?.line, 4)
        XCTAssertEqual(doc.entry("code", in: "silence", index: 0)?.value, .string("no-ttl"))
        XCTAssertEqual(doc.entry("code", in: "silence", index: 0)?.line, 6)
        XCTAssertEqual(doc.entry("pattern", in: "silence", index: 1)?.line, 8)
        XCTAssertEqual(doc.entry("a", in: "silence.inline")?.line, 9)
        XCTAssertEqual(doc.sections.filter { $0.name == "silence" }.map(\.index), [0, 1])
    }

    func testFloatsAndDatesAreTyped() throws {
        let floats = try parse("floats.toml")
        XCTAssertEqual(floats.entry("f1")?.value, .float(1000))
        XCTAssertEqual(floats.entry("f3")?.value, .float(.infinity))
        if case .float(let nan)? = floats.entry("f4")?.value { XCTAssertTrue(nan.isNaN) } else { XCTFail("nan") }
        XCTAssertEqual(try parse("dates.toml").entry("when")?.value.typeName, "a date-time")
    }
}
