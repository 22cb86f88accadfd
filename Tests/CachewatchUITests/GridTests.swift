import CachewatchUI
import XCTest

final class GridTests: XCTestCase {
    // MARK: - Display width

    func testDisplayWidthOfAsciiCJKCombiningAndEmoji() {
        XCTAssertEqual(DisplayWidth.of("widget:42"), 9)
        XCTAssertEqual(DisplayWidth.of("日本語"), 6)
        XCTAssertEqual(DisplayWidth.of("e\u{301}"), 1)            // e + combining acute
        XCTAssertEqual(DisplayWidth.of("\u{301}" as Unicode.Scalar), 0)
        XCTAssertEqual(DisplayWidth.of("🔥"), 2)
        XCTAssertEqual(DisplayWidth.of("ключ"), 4)
        XCTAssertEqual(DisplayWidth.of("ｶ"), 1)                   // halfwidth katakana
        XCTAssertEqual(DisplayWidth.of("Ａ"), 2)                   // fullwidth A
    }

    func testTruncateNeverSplitsAWideCharacter() {
        XCTAssertEqual(DisplayWidth.truncate("日本語キー", to: 6), "日本…")   // 4 + 1, a 5th column cannot hold half of 語
        XCTAssertEqual(DisplayWidth.of(DisplayWidth.truncate("日本語キー", to: 6)), 5)
        XCTAssertEqual(DisplayWidth.truncate("abcdef", to: 4), "abc…")
        XCTAssertEqual(DisplayWidth.truncate("abc", to: 3), "abc")
        XCTAssertEqual(DisplayWidth.truncate("abcdef", to: 0), "")
        XCTAssertEqual(DisplayWidth.pad("ab", to: 5, right: true), "   ab")
    }

    // MARK: - Grid

    func testWideCharacterTakesTwoCellsAndTextRoundTrips() {
        var grid = Grid(width: 8, height: 1)
        let end = grid.put("a日b", at: 1, 0, role: .accent)
        XCTAssertEqual(end, 5)
        XCTAssertEqual(grid[2, 0]?.width, 2)
        XCTAssertEqual(grid[3, 0]?.isContinuation, true)
        XCTAssertEqual(grid.text(), " a日b   ")
        XCTAssertEqual(grid.roles(), ".aaaa...")
    }

    func testWideCharacterAtRightEdgeIsNotSplit() {
        var grid = Grid(width: 4, height: 1)
        grid.put("abc日", at: 0, 0)
        XCTAssertEqual(grid.text(), "abc ")
        XCTAssertFalse(grid.row(0).contains { $0.width == 2 })
    }

    func testWideCharacterClippedAtLeftEdgeBecomesBlank() {
        var grid = Grid(width: 4, height: 1)
        grid.put("日ab", at: -1, 0)
        XCTAssertEqual(grid.text(), " ab ")
    }

    func testOverwritingHalfOfAWideCharacterBlanksTheOtherHalf() {
        var grid = Grid(width: 4, height: 1)
        grid.put("日本", at: 0, 0)
        grid.put("x", at: 1, 0)
        XCTAssertEqual(grid.text(), " x本")
        grid.put("y", at: 2, 0)
        XCTAssertEqual(grid.text(), " xy ")
        XCTAssertEqual(grid.row(0).map(\.width), [1, 1, 1, 1])
    }

    func testCombiningMarkStaysWithItsBase() {
        var grid = Grid(width: 3, height: 1)
        grid.put("e\u{301}x", at: 0, 0)
        XCTAssertEqual(grid[0, 0]?.text, "e\u{301}")
        XCTAssertEqual(grid.text(), "e\u{301}x ")
    }

    func testControlCharactersNeverReachTheGrid() {
        var grid = Grid(width: 12, height: 1)
        grid.put("a\u{1b}]0;x\u{07}b", at: 0, 0)
        XCTAssertFalse(grid.text().unicodeScalars.contains { $0.value < 0x20 })
        XCTAssertEqual(grid.text(), "a?]0;x?b    ")
    }

    func testClippingOutsideTheGridIsSafe() {
        var grid = Grid(width: 3, height: 2)
        grid.put("hello", at: 1, 1)
        grid.put("x", at: 5, 0)
        grid.put("x", at: 0, 7)
        grid.put("x", at: -9, -9)
        grid.fill(Rect(x: 10, y: 10, width: 5, height: 5), role: .crit)
        grid.fill(Rect(x: -5, y: -5, width: 2, height: 2), role: .crit)
        grid.setRole(.warn, in: Rect(x: 2, y: 1, width: 9, height: 9))
        XCTAssertEqual(grid.text(), "   \n he")
        XCTAssertEqual(grid.roles(), "...\n..w")
        XCTAssertEqual(Grid(width: -1, height: 3).text(), "\n\n")
    }
}
