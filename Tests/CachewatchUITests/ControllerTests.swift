import CachewatchCore
import CachewatchUI
import XCTest

final class ControllerTests: XCTestCase {
    let model = Fixtures.model()

    func press(_ keys: [InputKey], from state: DashboardState = DashboardState(),
               size: TerminalSize = TerminalSize(width: 80, height: 24)) -> (DashboardState, [Action]) {
        var s = state
        var actions: [Action] = []
        for key in keys {
            let (next, action) = DashboardController.handle(key: key, state: s, model: model, size: size)
            s = next
            if let action { actions.append(action) }
        }
        return (s, actions)
    }

    func testQuitKeys() {
        XCTAssertEqual(press([.char("q")]).1, [.quit])
        XCTAssertEqual(press([.ctrlC]).1, [.quit])
        XCTAssertEqual(press([.function(10)]).1, [.quit], "htop's F10")
        XCTAssertTrue(press([.function(1)]).0.helpOpen, "htop's F1")
        XCTAssertEqual(press([.char("/"), .ctrlC]).1, [.quit], "Ctrl-C quits even while typing a filter")
        XCTAssertEqual(press([.char("/"), .char("q")]).1, [], "q is text while typing a filter")
    }

    func testHelpOpensAndClosesAndSwallowsKeys() {
        let (open, _) = press([.char("?")])
        XCTAssertTrue(open.helpOpen)
        let (still, actions) = press([.char("F"), .char("j")], from: open)
        XCTAssertTrue(still.helpOpen)
        XCTAssertEqual(actions, [])
        XCTAssertFalse(press([.escape], from: open).0.helpOpen)
        let (closed, quit) = press([.char("q")], from: open)
        XCTAssertFalse(closed.helpOpen)
        XCTAssertEqual(quit, [], "q closes help first")
    }

    func testSelectionMovesAndClamps() {
        XCTAssertEqual(press([.down, .down, .char("j")]).0.selectedFamily, 3)
        XCTAssertEqual(press([.up, .char("k")]).0.selectedFamily, 0)
        let count = model.visibleFamilies(DashboardState()).count
        XCTAssertEqual(press([.end]).0.selectedFamily, count - 1)
        XCTAssertEqual(press([.end, .home]).0.selectedFamily, 0)
        XCTAssertEqual(press([.pageDown, .pageDown, .pageDown]).0.selectedFamily, count - 1)
    }

    func testScrollFollowsSelectionOnSmallScreens() {
        let size = TerminalSize(width: 80, height: 16)
        let visible = DashboardRenderer.familyRowsVisible(size: size, model: model)
        XCTAssertLessThan(visible, 11)
        let (state, _) = press(Array(repeating: .down, count: 10), size: size)
        XCTAssertEqual(state.selectedFamily, 10)
        XCTAssertEqual(state.familiesScroll, 10 - visible + 1)
    }

    func testTabCyclesPanes() {
        XCTAssertEqual(press([.tab]).0.focus, .failOpen)
        XCTAssertEqual(press([.tab, .tab]).0.focus, .families)
        XCTAssertEqual(press([.backTab]).0.focus, .failOpen)
    }

    func testFailOpenPaneScrollsItsErrorList() {
        let (state, _) = press([.tab, .down, .down, .down])
        XCTAssertEqual(state.failOpenScroll, 1, "clamped to the last of two errors")
        XCTAssertEqual(state.selectedFamily, 0, "the families selection does not move")
        let text = DashboardRenderer.render(model: model, state: state, width: 80, height: 24, glyphs: .unicode).text()
        XCTAssertTrue(text.contains("(3m55s)  Timeout reading from socket"), text)
        XCTAssertEqual(press([.up], from: state).0.failOpenScroll, 0)
    }

    func testEnterOpensDetailOfSelectedFamilyAndEscCloses() {
        let (detail, _) = press([.down, .enter])
        XCTAssertEqual(detail.detailPattern, "user_{id}_widgets:page_{n}:size_{n}:{id}")
        let (next, _) = press([.down], from: detail)
        XCTAssertEqual(next.detailPattern, "session:{uuid}", "arrows move between families inside the detail view")
        XCTAssertNil(press([.escape], from: next).0.detailPattern)
        XCTAssertEqual(press([.char("m")], from: detail).1, [.sampleMemory(pattern: "user_{id}_widgets:page_{n}:size_{n}:{id}")])
    }

    func testFilterEditing() {
        let (typing, _) = press([.char("/"), .char("w"), .char("i"), .char("d"), .char("x"), .backspace])
        XCTAssertTrue(typing.editingFilter)
        XCTAssertEqual(typing.filter, "wid")
        XCTAssertEqual(model.visibleFamilies(typing).map(\.pattern),
                       ["widget:{id}", "user_{id}_widgets:page_{n}:size_{n}:{id}", "widget_search:{hash}", "top_widgets"])
        let (applied, _) = press([.enter], from: typing)
        XCTAssertFalse(applied.editingFilter)
        XCTAssertEqual(applied.filter, "wid")
        let (cleared, _) = press([.escape], from: applied)
        XCTAssertEqual(cleared.filter, "")
        let (cancelled, _) = press([.char("/"), .char("z"), .escape])
        XCTAssertEqual(cancelled.filter, "")
        XCTAssertFalse(cancelled.editingFilter)
    }

    func testSortCyclesAndReorders() {
        let (byNoTTL, _) = press([.char("s")])
        XCTAssertEqual(byNoTTL.sort, .noTTL)
        XCTAssertEqual(model.visibleFamilies(byNoTTL).first?.pattern, "cart:{id}:items")
        let (byP50, _) = press([.char("s")], from: byNoTTL)
        XCTAssertEqual(byP50.sort, .ttlP50)
        XCTAssertEqual(model.visibleFamilies(byP50).first?.pattern, "rate_limit:{str}:{id}")
        var s = DashboardState()
        for _ in 0..<SortKey.allCases.count - 1 { s = press([.char("s")], from: s).0 }
        XCTAssertEqual(s.sort, .keys, "the cycle returns to keys")
        XCTAssertEqual(model.visibleFamilies(s).last?.pattern, "(other)", "(other) stays last")
    }

    func testActionsForCensusResetPauseAndResize() {
        XCTAssertEqual(press([.char("F")]).1, [.fullCensus])
        XCTAssertEqual(press([.char("r")]).1, [.resetCounters])
        let (paused, actions) = press([.char("p")])
        XCTAssertTrue(paused.paused)
        XCTAssertEqual(actions, [.pauseChanged(true)])
        XCTAssertEqual(press([.char("p")], from: paused).1, [.pauseChanged(false)])
        XCTAssertEqual(press([.resize]).1, [.redraw])
    }

    func testKeysOnAnEmptyCensusDoNotCrash() {
        let empty = DashboardModel(header: HeaderInfo(address: "x"), now: Fixtures.now)
        var s = DashboardState()
        for key: InputKey in [.down, .up, .pageDown, .end, .enter, .char("s"), .char("/"), .char("a"), .enter, .escape, .tab, .down] {
            s = DashboardController.handle(key: key, state: s, model: empty).0
        }
        XCTAssertNil(s.detailPattern)
        XCTAssertEqual(s.selectedFamily, 0)
    }
}

/// The events pane (`e`) and markers (`M`).
final class EventsPaneTests: XCTestCase {
    private func model(events: Int) -> DashboardModel {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var model = DashboardModel(header: HeaderInfo(address: "127.0.0.1:6379"), now: t0)
        var list: [Event] = []
        for index in 0..<events {
            let even = index % 2 == 0
            let event = Event(id: index + 1, at: t0.addingTimeInterval(Double(index)), kind: even ? .restart : .marker,
                              severity: even ? .warn : .ok, message: "event \(index) \u{1b}[31m")
            list.insert(event, at: 0)
        }
        model.events = list
        return model
    }

    func testEOpensAndEscClosesTheEventsPane() {
        let model = model(events: 3)
        var (state, action) = DashboardController.handle(key: .char("e"), state: DashboardState(), model: model)
        XCTAssertTrue(state.eventsOpen)
        XCTAssertNil(action)
        (state, _) = DashboardController.handle(key: .down, state: state, model: model)
        XCTAssertEqual(state.eventsScroll, 1)
        (state, action) = DashboardController.handle(key: .char("q"), state: state, model: model)
        XCTAssertFalse(state.eventsOpen, "q closes the pane, it does not quit")
        XCTAssertNil(action)
    }

    func testMTypesANoteAndEnterAddsTheMarker() {
        let model = model(events: 0)
        var state = DashboardState()
        var action: Action?
        (state, _) = DashboardController.handle(key: .char("M"), state: state, model: model)
        XCTAssertTrue(state.editingMarker)
        for c in "deploy v42" { (state, _) = DashboardController.handle(key: .char(c), state: state, model: model) }
        (state, _) = DashboardController.handle(key: .char("q"), state: state, model: model)
        (state, _) = DashboardController.handle(key: .backspace, state: state, model: model)
        (state, action) = DashboardController.handle(key: .enter, state: state, model: model)
        XCTAssertEqual(action, .addMarker(note: "deploy v42"), "q is part of the note, not quit")
        XCTAssertFalse(state.editingMarker)
        (state, _) = DashboardController.handle(key: .char("M"), state: state, model: model)
        (state, action) = DashboardController.handle(key: .escape, state: state, model: model)
        XCTAssertNil(action, "esc drops the note")
        XCTAssertEqual(state.markerNote, "")
    }

    func testThePaneListsEventsNewestFirstEscaped() {
        var state = DashboardState()
        state.eventsOpen = true
        let grid = DashboardRenderer.render(model: model(events: 4), state: state, width: 80, height: 24, glyphs: .unicode)
        let lines = (0..<grid.height).map { grid.rowText($0) }
        let text = lines.joined(separator: "\n")
        XCTAssertTrue(text.contains("Events"), text)
        XCTAssertTrue(text.contains("restart"), text)
        XCTAssertTrue(text.contains("event 3 \\x1b[31m"), "escaped: \(text)")
        XCTAssertFalse(text.contains("\u{1b}"))
        let three = lines.firstIndex { $0.contains("event 3") }, zero = lines.firstIndex { $0.contains("event 0") }
        XCTAssertLessThan(three ?? .max, zero ?? -1, "newest first")
        for size in [(40, 10), (20, 5), (132, 43)] {
            _ = DashboardRenderer.render(model: model(events: 40), state: state, width: size.0, height: size.1, glyphs: .ascii)
        }
    }
}
