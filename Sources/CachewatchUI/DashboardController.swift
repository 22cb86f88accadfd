/// Pure key handling: (key, state, model) → (new state, action for the event loop).
public enum DashboardController {
    /// Applies one key. `size` is the terminal size (for page-sized moves).
    public static func handle(key: InputKey, state: DashboardState, model: DashboardModel,
                              size: TerminalSize = TerminalSize(width: 80, height: 24)) -> (DashboardState, Action?) {
        var s = state
        if key == .ctrlC { return (s, .quit) }
        if key == .resize { return (s, .redraw) }

        // MARK: Marker note: typed, enter adds it to the timeline, esc drops it.
        if s.editingMarker {
            switch key {
            case .enter:
                s.editingMarker = false
                let note = s.markerNote
                s.markerNote = ""
                return (s, .addMarker(note: note))
            case .escape:
                s.editingMarker = false
                s.markerNote = ""
            case .backspace, .delete:
                if !s.markerNote.isEmpty { s.markerNote.removeLast() }
            case .char(let c):
                if s.markerNote.count < 120, c.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) { s.markerNote.append(c) }
            default: break
            }
            return (s, nil)
        }

        // MARK: Events pane: esc e q enter close it; up/down scroll; M adds a marker.
        if s.eventsOpen {
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

        // MARK: Nodes pane (Redis Cluster): esc N o q enter close it; n still picks the node the families show.
        if s.nodesOpen {
            switch key {
            case .escape, .char("N"), .char("o"), .char("q"), .enter, .left, .char("h"): s.nodesOpen = false
            case .char("n"): s.nodeFilter = nextNode(after: s.nodeFilter, model: model)
            default: break
            }
            return (s, nil)
        }

        // MARK: Help overlay: any of ? esc q enter closes it; other keys are ignored.
        if s.helpOpen {
            switch key {
            case .char("?"), .escape, .char("q"), .enter, .char("h"): s.helpOpen = false
            default: break
            }
            return (s, nil)
        }

        // MARK: Filter editing
        if s.editingFilter {
            switch key {
            case .enter: s.editingFilter = false
            case .escape:
                s.editingFilter = false
                s.filter = ""
            case .backspace, .delete:
                if !s.filter.isEmpty { s.filter.removeLast() }
            case .char(let c):
                if s.filter.count < 64, c.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) { s.filter.append(c) }
            case .up, .down, .pageUp, .pageDown, .home, .end:
                return move(key: key, state: s, model: model, size: size)
            default: break
            }
            s.selectedFamily = 0
            s.familiesScroll = 0
            return (s, nil)
        }

        switch key {
        case .char("q"), .function(10): return (s, .quit)
        case .char("?"), .function(1):
            s.helpOpen = true
            return (s, nil)
        case .char("F"): return (s, .fullCensus)
        case .char("r"): return (s, .resetCounters)
        case .char("p"):
            s.paused.toggle()
            return (s, .pauseChanged(s.paused))
        case .char("L"), .char("\u{0C}"): return (s, .redraw)
        case .char("N") where !model.clusterNodes.isEmpty, .char("o") where !model.clusterNodes.isEmpty:
            s.nodesOpen = true
            return (s, nil)
        case .char("n") where !model.clusterNodes.isEmpty:
            s.nodeFilter = nextNode(after: s.nodeFilter, model: model)
            s.selectedFamily = 0
            s.familiesScroll = 0
            return (s, nil)
        case .char("e"):
            s.eventsOpen = true
            s.eventsScroll = 0
            return (s, nil)
        case .char("M"):
            s.editingMarker = true
            s.markerNote = ""
            return (s, nil)
        default: break
        }

        // MARK: Detail view
        if let pattern = s.detailPattern {
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

        // MARK: Main view
        switch key {
        case .tab:
            s.focus = s.focus == .families ? .failOpen : .families
        case .backTab:
            s.focus = s.focus == .failOpen ? .families : .failOpen
        case .char("/"):
            s.focus = .families
            s.editingFilter = true
        case .char("s"):
            s.sort = s.sort.next
            s.selectedFamily = 0
            s.familiesScroll = 0
        case .enter, .right, .char("l"):
            let families = model.visibleFamilies(s)
            if s.focus == .families, !families.isEmpty {
                s.selectedFamily = min(max(0, s.selectedFamily), families.count - 1)
                s.detailPattern = families[s.selectedFamily].pattern
                s.detailScroll = 0
            }
        case .escape:
            if !s.filter.isEmpty {
                s.filter = ""
                s.selectedFamily = 0
                s.familiesScroll = 0
            }
        case .up, .down, .pageUp, .pageDown, .home, .end, .char("j"), .char("k"), .char("g"), .char("G"):
            return move(key: key, state: s, model: model, size: size)
        default: break
        }
        return (s, nil)
    }

    /// Moves the selection (families pane) or the scroll (fail-open pane).
    static func move(key: InputKey, state: DashboardState, model: DashboardModel, size: TerminalSize) -> (DashboardState, Action?) {
        var s = state
        let page = max(1, DashboardRenderer.familyRowsVisible(size: size, model: model) - 1)
        if s.focus == .failOpen {
            switch key {
            case .up, .char("k"): s.failOpenScroll = max(0, s.failOpenScroll - 1)
            case .down, .char("j"): s.failOpenScroll = min(max(0, (model.logs?.failOpen.byError.count ?? 0) - 1), s.failOpenScroll + 1)
            case .home, .char("g"): s.failOpenScroll = 0
            default: break
            }
            return (s, nil)
        }
        let count = model.visibleFamilies(s).count
        guard count > 0 else {
            s.selectedFamily = 0
            return (s, nil)
        }
        var index = min(max(0, s.selectedFamily), count - 1)
        switch key {
        case .up, .char("k"): index -= 1
        case .down, .char("j"): index += 1
        case .pageUp: index -= page
        case .pageDown: index += page
        case .home, .char("g"): index = 0
        case .end, .char("G"): index = count - 1
        default: break
        }
        s.selectedFamily = min(max(0, index), count - 1)
        s.familiesScroll = Table.scrollOffset(selected: s.selectedFamily, offset: s.familiesScroll,
                                              visibleRows: DashboardRenderer.familyRowsVisible(size: size, model: model),
                                              count: count)
        return (s, nil)
    }

    /// `n`: the next primary after `current`, then nil (all nodes) again.
    static func nextNode(after current: String?, model: DashboardModel) -> String? {
        let primaries = model.clusterNodes.filter { $0.role == .primary }.map(\.address)
        guard let current, let index = primaries.firstIndex(of: current) else { return primaries.first }
        return index + 1 < primaries.count ? primaries[index + 1] : nil
    }
}
