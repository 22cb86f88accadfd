extension DashboardController {
    // MARK: - Modes that take every key (text entry, overlays, panes) and the detail view

    /// Marker note: typed, enter adds it to the timeline, esc drops it.
    static func markerNoteKey(_ key: InputKey, state: DashboardState) -> Outcome {
        var s = state
        switch key {
        case .enter:
            s.editingMarker = false
            let note = s.markerNote
            s.markerNote = ""
            return (s, .addMarker(note: note))
        case .escape:
            s.editingMarker = false
            s.markerNote = ""
        default:
            edit(&s.markerNote, with: key, maxCharacters: 120)
        }
        return (s, nil)
    }

    /// Events pane: esc e q enter close it; up/down scroll; M adds a marker.
    static func eventsPaneKey(_ key: InputKey, state: DashboardState, model: DashboardModel) -> Outcome {
        var s = state
        switch key {
        case .escape, .char("e"), .char("q"), .enter, .left, .char("h"):
            s.eventsOpen = false
            s.eventsScroll = 0
        case .up, .char("k"): s.eventsScroll = max(0, s.eventsScroll - 1)
        case .down, .char("j"): s.eventsScroll = min(max(0, model.events.count - 1), s.eventsScroll + 1)
        case .pageUp: s.eventsScroll = max(0, s.eventsScroll - 10)
        case .pageDown: s.eventsScroll = min(max(0, model.events.count - 1), s.eventsScroll + 10)
        case .home, .char("g"): s.eventsScroll = 0
        case .char("M"):
            s.editingMarker = true
            s.markerNote = ""
        default: break
        }
        return (s, nil)
    }

    /// Nodes pane (Redis Cluster): esc N q enter close it; n still picks the node the families show.
    static func nodesPaneKey(_ key: InputKey, state: DashboardState, model: DashboardModel) -> Outcome {
        var s = state
        switch key {
        case .escape, .char("N"), .char("o"), .char("q"), .enter, .left, .char("h"): s.nodesOpen = false
        case .char("n"): s.nodeFilter = nextNode(after: s.nodeFilter, model: model)
        default: break
        }
        return (s, nil)
    }

    /// Help overlay: any of ? esc q enter closes it; other keys are ignored.
    static func helpKey(_ key: InputKey, state: DashboardState) -> Outcome {
        var s = state
        switch key {
        case .char("?"), .escape, .char("q"), .enter, .char("h"): s.helpOpen = false
        default: break
        }
        return (s, nil)
    }

    /// Filter editing: typed text narrows the families, enter keeps it, esc clears it, arrows still move.
    static func filterKey(_ key: InputKey, state: DashboardState, model: DashboardModel, size: TerminalSize) -> Outcome {
        var s = state
        switch key {
        case .enter: s.editingFilter = false
        case .escape:
            s.editingFilter = false
            s.filter = ""
        case .up, .down, .pageUp, .pageDown, .home, .end:
            return move(key: key, state: s, model: model, size: size)
        default:
            edit(&s.filter, with: key, maxCharacters: 64)
        }
        s.selectedFamily = 0
        s.familiesScroll = 0
        return (s, nil)
    }

    /// Detail view of `pattern`: esc goes back, up/down step through the families, m samples memory, pages scroll.
    static func detailKey(_ key: InputKey, state: DashboardState, model: DashboardModel, pattern: String) -> Outcome {
        var s = state
        let families = model.visibleFamilies(s)
        switch key {
        case .escape, .left, .backspace, .char("h"):
            s.detailPattern = nil
            s.detailScroll = 0
        case .up, .char("k"), .down, .char("j"):
            guard !families.isEmpty else { return (s, nil) }
            let current = families.firstIndex { $0.pattern == pattern } ?? s.selectedFamily
            let step = (key == .up || key == .char("k")) ? -1 : 1
            s.selectedFamily = min(families.count - 1, max(0, current + step))
            s.detailPattern = families[s.selectedFamily].pattern
            s.detailScroll = 0
        case .char("m"): return (s, .sampleMemory(pattern: pattern))
        case .pageDown, .char(" "): s.detailScroll = min(200, s.detailScroll + 5)
        case .pageUp: s.detailScroll = max(0, s.detailScroll - 5)
        default: break
        }
        return (s, nil)
    }

    /// One key of a one-line text field: backspace/delete remove the last character; a printable character is
    /// appended while the text is shorter than `maxCharacters`; other keys do nothing.
    static func edit(_ text: inout String, with key: InputKey, maxCharacters: Int) {
        switch key {
        case .backspace, .delete:
            if !text.isEmpty { text.removeLast() }
        case .char(let c):
            if text.count < maxCharacters, c.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) { text.append(c) }
        default: break
        }
    }
}
