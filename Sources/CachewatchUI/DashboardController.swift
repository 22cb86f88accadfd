/// Pure key handling: (key, state, model) → (new state, action for the event loop).
public enum DashboardController {
    /// What one key leaves behind: the new state and, if any, an action for the event loop.
    typealias Outcome = (DashboardState, Action?)

    /// Applies one key. `size` is the terminal size (for page-sized moves).
    public static func handle(key: InputKey, state: DashboardState, model: DashboardModel,
                              size: TerminalSize = TerminalSize(width: 80, height: 24)) -> (DashboardState, Action?) {
        if key == .ctrlC { return (state, .quit) }
        if key == .resize { return (state, .redraw) }
        // The modes that take every key, innermost first.
        if state.editingMarker { return markerNoteKey(key, state: state) }
        if state.eventsOpen { return eventsPaneKey(key, state: state, model: model) }
        if state.nodesOpen { return nodesPaneKey(key, state: state, model: model) }
        if state.helpOpen { return helpKey(key, state: state) }
        if state.editingFilter { return filterKey(key, state: state, model: model, size: size) }
        if let outcome = globalKey(key, state: state, model: model) { return outcome }
        if let pattern = state.detailPattern { return detailKey(key, state: state, model: model, pattern: pattern) }
        return mainViewKey(key, state: state, model: model, size: size)
    }

    /// The keys that work in the main and the detail view alike (quit, help, census, pause, panes);
    /// nil when `key` is not one of them.
    static func globalKey(_ key: InputKey, state: DashboardState, model: DashboardModel) -> Outcome? {
        var s = state
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
        default: return nil
        }
    }

    /// Main view: tab switches the pane, / filters, s sorts, enter opens the detail, arrows move.
    static func mainViewKey(_ key: InputKey, state: DashboardState, model: DashboardModel, size: TerminalSize) -> Outcome {
        var s = state
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
