import CachewatchCore
import Foundation
import XCTest

final class ThemeTests: XCTestCase {
    static let themesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("themes").path
    static let shipped = ["default", "dark-8", "high-contrast", "monochrome"]

    func testEveryShippedThemeLoadsAndMapsEveryRoleExplicitly() throws {
        for name in ThemeTests.shipped {
            let path = ThemeTests.themesDirectory + "/\(name).toml"
            let theme = try Theme.load(path: path)
            XCTAssertEqual(theme.name, name)
            XCTAssertEqual(Set(theme.styles.keys), Set(Theme.roleNames))
            let sections = try TOMLParser.parse(String(contentsOfFile: path, encoding: .utf8), file: path).sections.map(\.name)
            XCTAssertEqual(Set(sections), Set(Theme.roleNames), "\(name) defines every role itself")
        }
    }

    func testBuiltinCopiesMatchTheFiles() throws {
        XCTAssertEqual(Theme.builtinNames.sorted(), ThemeTests.shipped.sorted())
        for name in ThemeTests.shipped {
            let file = try Theme.load(path: ThemeTests.themesDirectory + "/\(name).toml")
            let builtin = try Theme.named(name)
            XCTAssertEqual(file.styles, builtin.styles, "Sources/CachewatchCore/Config/ThemeBuiltins.swift is stale for \(name)")
        }
    }

    func testAlertRolesAreDistinctInEveryTheme() throws {
        for name in ThemeTests.shipped {
            let theme = try Theme.named(name)
            XCTAssertNotEqual(theme.style(for: "crit"), theme.style(for: "normal"), name)
            XCTAssertNotEqual(theme.style(for: "warn"), theme.style(for: "normal"), name)
            XCTAssertNotEqual(theme.style(for: "banner"), theme.style(for: "normal"), name)
            XCTAssertNotEqual(theme.style(for: "selected"), theme.style(for: "normal"), name)
        }
        let mono = try Theme.named("monochrome")
        for style in mono.styles.values {
            XCTAssertEqual(style.foreground, .terminalDefault)
            XCTAssertEqual(style.background, .terminalDefault)
        }
        XCTAssertTrue(mono.style(for: "banner").reverse)
    }

    func testParsingColoursAndAttributes() throws {
        let theme = try Theme.parse("""
            name = "t"
            colors = 256
            [crit]
            fg = "bright-red"
            bg = 52
            attrs = ["bold", "underline"]
            [muted]
            fg = "default"
            attrs = ["dim"]
            """, file: "t.toml")
        XCTAssertEqual(theme.style(for: "crit"), ThemeStyle(foreground: .index(9), background: .index(52), bold: true, underline: true))
        XCTAssertEqual(theme.style(for: "muted").dim, true)
        XCTAssertEqual(theme.style(for: "ok"), theme.style(for: "normal"), "missing roles inherit normal")
    }

    func testMalformedThemesFailWithFileAndLine() {
        let cases: [(String, Int, String)] = [
            ("name = \"x\"\n[crit]\nfg = \"purple\"\n", 3, "fg must be"),
            ("[critical]\nfg = 1\n", 1, "unknown role [critical]"),
            ("[crit]\nattrs = [\"blink\"]\n", 2, "unknown attribute"),
            ("[crit]\nattrs = \"bold\"\n", 2, "attrs must be an array"),
            ("[crit]\ncolour = 1\n", 2, "unknown key 'colour'"),
            ("colors = 8\n[crit]\nfg = 196\n", 3, "outside this theme's 8 colours"),
            ("[crit]\nfg = 300\n", 2, "fg must be"),
            ("colors = 7\n", 1, "colors must be"),
            ("# ok\n[crit]\nfg = red\n", 3, "strings need quotes"),
            ("[[crit]]\nfg = 1\n", 1, "unknown role [crit]"),
        ]
        for (text, line, reason) in cases {
            XCTAssertThrowsError(try Theme.parse(text, file: "themes/bad.toml"), text) { error in
                guard let e = error as? TOMLError else { return XCTFail("\(error)") }
                XCTAssertEqual("\(e)".components(separatedBy: ": ").first, "themes/bad.toml:\(line)", "\(e)")
                XCTAssertTrue(e.reason.contains(reason), "\(e.reason)")
            }
        }
    }

    func testLookupByNamePathAndUnknownName() throws {
        XCTAssertEqual(try Theme.named("dark-8").name, "dark-8")
        XCTAssertEqual(try Theme.named(ThemeTests.themesDirectory + "/high-contrast.toml").name, "high-contrast")
        XCTAssertEqual(try Theme.named("monochrome", searchDirectories: [ThemeTests.themesDirectory]).name, "monochrome")
        XCTAssertThrowsError(try Theme.named("neon")) { error in
            XCTAssertTrue("\(error)".contains("unknown theme 'neon'"), "\(error)")
        }
        XCTAssertThrowsError(try Theme.named("/nonexistent/x.toml")) { error in
            XCTAssertTrue("\(error)".contains("cannot read theme file /nonexistent/x.toml"), "\(error)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-theme-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "[crit]\nfg = \"nope\"\n".write(to: directory.appendingPathComponent("mine.toml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Theme.named("mine", searchDirectories: [directory.path])) { error in
            XCTAssertEqual("\(error)".components(separatedBy: ": ").first, directory.path + "/mine.toml:2")
        }
    }

    func testNoColorAndColourDegradation() throws {
        XCTAssertEqual(try Theme.resolve(nameOrPath: "default", colorCount: 256, environment: ["NO_COLOR": "1"]).name, "monochrome")
        XCTAssertEqual(try Theme.resolve(nameOrPath: "default", colorCount: 256, environment: ["NO_COLOR": ""]).name, "default",
                       "an empty NO_COLOR does not count")
        XCTAssertEqual(try Theme.resolve(nameOrPath: "default", colorCount: 2, environment: [:]).name, "monochrome")
        let eight = try Theme.resolve(nameOrPath: "default", colorCount: 8, environment: [:])
        for style in eight.styles.values {
            for color in [style.foreground, style.background] {
                if case .index(let n) = color { XCTAssertLessThan(n, 8) }
            }
        }
        XCTAssertEqual(eight.style(for: "crit").foreground, .index(1), "203 (salmon red) degrades to red")
        XCTAssertEqual(eight.style(for: "ok").foreground, .index(2), "114 (green) degrades to green")
        XCTAssertEqual(ThemeColor.index(12).degraded(toColorCount: 8), .index(4), "bright blue → blue")
        let full = try Theme.resolve(nameOrPath: "default", colorCount: 256, environment: [:])
        XCTAssertEqual(full, try Theme.named("default"))
        XCTAssertThrowsError(try Theme.resolve(nameOrPath: "neon", colorCount: 256, environment: ["NO_COLOR": "1"]),
                             "a bad --theme still fails under NO_COLOR")
    }
}
