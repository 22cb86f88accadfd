import CachewatchCore
import Foundation

/// Renders a `DashboardModel` and `DashboardState` into a `Grid` of cells with style roles. Pure.
public enum DashboardRenderer {
    // MARK: - Entry

    /// The whole screen for one frame. Any size is accepted (0×0 gives an empty grid); below 60×14 the compact view.
    public static func render(model: DashboardModel, state: DashboardState, size: TerminalSize, glyphs: Glyphs) -> Grid {
        var grid = Grid(width: size.width, height: size.height)
        guard size.width > 0, size.height > 0 else { return grid }
        if isCompact(size) {
            renderCompact(into: &grid, model: model, state: state, glyphs: glyphs)
        } else {
            let layout = layout(size: size, model: model)
            renderTop(into: &grid, model: model, state: state, layout: layout, glyphs: glyphs)
            if let pattern = state.detailPattern {
                renderDetail(into: &grid, model: model, state: state, pattern: pattern,
                             rect: Rect(x: 0, y: layout.detailTop, width: size.width, height: layout.footerY - layout.detailTop),
                             glyphs: glyphs)
            } else {
                renderHeaderMeters(into: &grid, model: model, y: layout.metersY, width: size.width, glyphs: glyphs)
                renderFamilies(into: &grid, model: model, state: state, rect: layout.families, glyphs: glyphs)
                if let findings = layout.findings { renderFindings(into: &grid, model: model, rect: findings, glyphs: glyphs) }
                renderFailOpen(into: &grid, model: model, state: state, rect: layout.failOpen, glyphs: glyphs)
            }
            renderFooter(into: &grid, model: model, state: state, y: layout.footerY, width: size.width, glyphs: glyphs)
        }
        if state.eventsOpen { renderEvents(into: &grid, model: model, state: state, glyphs: glyphs) }
        if state.nodesOpen { renderNodes(into: &grid, model: model, state: state, glyphs: glyphs) }
        if state.editingMarker, grid.height > 0 { renderMarkerEditor(into: &grid, state: state, y: grid.height - 1, glyphs: glyphs) }
        if state.helpOpen { renderHelp(into: &grid, glyphs: glyphs) }
        return grid
    }

    /// Convenience overload with a width and height.
    public static func render(model: DashboardModel, state: DashboardState, width: Int, height: Int, glyphs: Glyphs) -> Grid {
        render(model: model, state: state, size: TerminalSize(width: width, height: height), glyphs: glyphs)
    }

    /// True when the screen is too small for panes (the compact view with the four numbers that matter).
    public static func isCompact(_ size: TerminalSize) -> Bool { size.width < 60 || size.height < 14 }

    /// Family rows that fit in the families pane (excluding its header); the controller pages by it.
    public static func familyRowsVisible(size: TerminalSize, model: DashboardModel) -> Int {
        guard !isCompact(size) else { return 1 }
        return max(1, layout(size: size, model: model).families.height - 3)
    }

    // MARK: - Layout

    struct Layout {
        var banner: Rect?
        var titleY: Int
        var metersY: Int
        var detailTop: Int
        var families: Rect
        var findings: Rect?
        var failOpen: Rect
        var footerY: Int
    }

    static func layout(size: TerminalSize, model: DashboardModel) -> Layout {
        let crit = model.logs?.failOpen.state == .crit
        var banner: Rect?
        var titleY = 0
        if crit {
            let bannerHeight = size.height >= 36 ? 3 : 1
            banner = Rect(x: 0, y: 0, width: size.width, height: bannerHeight)
            titleY = bannerHeight
        }
        let metersY = titleY + 1
        let detailTop = titleY + 1
        let footerY = size.height - 1
        let top = metersY + 2
        let remaining = footerY - top
        let failHeight = model.logs == nil ? 3 : (remaining < 19 ? 4 : min(12, 5 + (remaining - 19) / 3))
        var familiesHeight = max(0, remaining - failHeight)
        var findings: Rect?
        let findingsCount = model.findings.count
        if findingsCount > 0, size.height >= 36 {
            let height = min(8, findingsCount + 2)
            if familiesHeight - height >= 12 {
                familiesHeight -= height
                findings = Rect(x: 0, y: top + familiesHeight, width: size.width, height: height)
            }
        }
        return Layout(banner: banner, titleY: titleY, metersY: metersY, detailTop: detailTop,
                      families: Rect(x: 0, y: top, width: size.width, height: familiesHeight), findings: findings,
                      failOpen: Rect(x: 0, y: top + familiesHeight + (findings?.height ?? 0), width: size.width, height: failHeight),
                      footerY: footerY)
    }

    static func ge(_ glyphs: Glyphs) -> String { glyphs.isASCII ? ">=" : "≥" }

    // MARK: - Text safety

    /// Defence in depth: every model string passes through `DisplayEscaper.escape` when it holds anything the
    /// escaper would change other than a backslash (producers already escaped it; `\x1b` stays `\x1b`, not `\\x1b`).
    static func safe(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        for scalar in text.unicodeScalars where scalar != "\\" {
            let one = String(Character(scalar))
            if DisplayEscaper.escape(one) != one { return DisplayEscaper.escape(text) }
        }
        return text
    }

    // MARK: - Title row and banner

    static func renderTop(into grid: inout Grid, model: DashboardModel, state: DashboardState, layout: Layout, glyphs: Glyphs) {
        if let banner = layout.banner, let failOpen = model.logs?.failOpen {
            Banner.draw(into: &grid, rect: banner, text: bannerText(failOpen, model: model, glyphs: glyphs, width: banner.width),
                        role: .banner, glyphs: glyphs)
        }
        if layout.titleY >= 0 { renderTitleRow(into: &grid, model: model, state: state, y: layout.titleY, glyphs: glyphs) }
    }

    /// The crit banner's text: the longest variant that fits `width` with its frame.
    static func bannerText(_ failOpen: FailOpenSummary, model: DashboardModel, glyphs: Glyphs, width: Int) -> String {
        let sep = " \(glyphs.separator) "
        // Below the threshold but still crit: the rule's hysteresis holds the level until the rate stays low.
        let clearing = Double(failOpen.last1m) < failOpen.critPerMinute ? ", clearing" : ""
        var core = "FAIL-OPEN CRITICAL\(sep)\(failOpen.last1m)/min (crit \(ge(glyphs)) \(Humanize.count(failOpen.critPerMinute))\(clearing))"
        if let since = failOpen.since { core += " since " + Humanize.clock(since, timeZone: model.timeZone) }
        let variants = [core + sep + "cache is down, the app is hitting the database", core + sep + "cache is down", core,
                        "FAIL-OPEN CRITICAL\(sep)\(failOpen.last1m)/min"]
        return variants.first { DisplayWidth.of($0) + 8 <= width } ?? variants[variants.count - 1]
    }

    static func connectionText(_ model: DashboardModel, glyphs: Glyphs) -> (String, StyleRole) {
        switch model.header.connection {
        case .connected:
            if let stale = model.header.staleSeconds, stale >= 1 {
                return ("\(glyphs.bullet) slow, no answer for \(Humanize.duration(stale))", .warn)
            }
            return ("\(glyphs.bullet) connected", .ok)
        case .connecting: return ("\(glyphs.isASCII ? "o" : "○") connecting\(glyphs.isASCII ? "..." : "…")", .warn)
        case .disconnected(let since, let reason):
            let dash = glyphs.isASCII ? "-" : "—"
            var text = "\(glyphs.bullet) reconnecting since \(Humanize.clock(since, timeZone: model.timeZone))"
            if !reason.isEmpty { text += " \(dash) " + safe(reason).prefix(1).lowercased() + safe(reason).dropFirst() }
            return (text, .crit)
        }
    }

    static func renderTitleRow(into grid: inout Grid, model: DashboardModel, state: DashboardState, y: Int, glyphs: Glyphs) {
        let width = grid.width
        let h = model.header
        // Right side first: it carries the state and must not be cut.
        var right: [(String, StyleRole)] = []
        if state.paused || model.paused { right.append((" PAUSED ", .warn)); right.append(("  ", .normal)) }
        if let notice = model.notice, !notice.isEmpty { right.append((safe(notice), .accent)); right.append(("  ", .normal)) }
        var (connection, connectionRole) = connectionText(model, glyphs: glyphs)
        let clock = "  " + Humanize.clock(model.now, timeZone: model.timeZone)
        let leftMinimum = 12 + min(DisplayWidth.of(safe(h.address)), 22)
        let fixed = right.reduce(0) { $0 + DisplayWidth.of($1.0) }
        let showClock = width >= 72 && leftMinimum + fixed + DisplayWidth.of(connection) + DisplayWidth.of(clock) + 2 <= width
        connection = DisplayWidth.truncate(connection, to: max(12, width - leftMinimum - fixed - 2), ellipsis: glyphs.ellipsis)
        right.append((connection, connectionRole))
        if showClock { right.append((clock, .muted)) }
        let rightWidth = right.reduce(0) { $0 + DisplayWidth.of($1.0) }
        var x = max(0, width - rightWidth)
        let rightStart = x
        for (text, role) in right { x = grid.put(text, at: x, y, role: role) }

        // Left side: name, target, version, role, uptime. Whole segments only (the address may be cut).
        var segments: [[(String, StyleRole)]] = [[("cachewatch", .title)], [(safe(h.address) + (h.databasesLabel.map { "/" + $0 } ?? (h.db != 0 ? "/\(h.db)" : "")), .value)]]
        if let version = h.redisVersion {
            var segment: [(String, StyleRole)] = [(safe(h.serverName ?? h.product) + " ", .muted), (safe(version), .normal)]
            if let role = h.role { segment.append((" " + safe(role), .accent)) }
            segments.append(segment)
        }
        if let uptime = h.uptimeSeconds { segments.append([("up ", .muted), (Humanize.uptime(uptime), .normal)]) }
        var cx = 1
        let limit = rightStart - 2
        for (index, segment) in segments.enumerated() {
            let gap = index == 0 ? 0 : (index == 1 ? 1 : 2)
            let need = segment.reduce(0) { $0 + DisplayWidth.of($1.0) }
            if index > 1, cx + gap + need > limit { break }
            cx += gap
            for (text, role) in segment where limit - cx > 0 {
                cx = grid.put(text, at: cx, y, maxWidth: limit - cx, role: role, ellipsis: glyphs.ellipsis)
            }
        }
    }

    // MARK: - Findings panel (tall screens)

    static func renderFindings(into grid: inout Grid, model: DashboardModel, rect: Rect, glyphs: Glyphs) {
        let sorted = model.findings.enumerated().sorted { ($0.element.severity, -$0.offset) > ($1.element.severity, -$1.offset) }.map(\.element)
        let inner = Panel.draw(into: &grid, rect: rect, title: [.init("Findings", .title), .init(" \(sorted.count)", .value)], glyphs: glyphs)
        guard !inner.isEmpty else { return }
        // The code column fits the longest code shown (`pattern-invalidation` is 20), within reason.
        let codeWidth = min(22, max(12, sorted.prefix(inner.height).map { DisplayWidth.of(safe($0.code)) }.max() ?? 0))
        for (i, finding) in sorted.prefix(inner.height).enumerated() {
            let y = inner.y + i
            var x = grid.put(DisplayWidth.pad(finding.severity.rawValue.uppercased(), to: 5), at: inner.x + 1, y, role: levelRole(finding.severity))
            x = grid.put(DisplayWidth.pad(safe(finding.code), to: codeWidth, ellipsis: glyphs.ellipsis) + " ", at: x, y, role: .accent)
            x = grid.put(DisplayWidth.pad(safe(finding.pattern ?? "(keyspace)"), to: 26, ellipsis: glyphs.ellipsis), at: x + 1, y, role: .normal)
            grid.put(safe(finding.message), at: x + 1, y, maxWidth: inner.maxX - x - 2, role: .muted, ellipsis: glyphs.ellipsis)
        }
    }

    // MARK: - Footer

    static func renderFooter(into grid: inout Grid, model: DashboardModel, state: DashboardState, y: Int, width: Int, glyphs: Glyphs) {
        if let problem = model.problem, !problem.isEmpty, !state.editingFilter {
            // A standing problem takes the key hints' row (help and quit stay, pinned right), not the header.
            let keys: [(key: String, label: String)] = [("?", "help"), ("q", "quit")]
            let keysWidth = 16
            var x = grid.put(" ! ", at: 0, y, role: .warn)
            x = grid.put(safe(problem), at: x, y, maxWidth: max(0, width - x - keysWidth - 1), role: .warn, ellipsis: glyphs.ellipsis)
            FunctionKeyBar.draw(into: &grid, items: keys, x: max(x + 1, width - keysWidth), y: y, width: min(keysWidth, width - x - 1), pinLast: true)
            return
        }
        if state.editingFilter {
            var x = grid.put(" / ", at: 0, y, role: .key)
            x = grid.put(safe(state.filter), at: x, y, maxWidth: max(0, width - 34), role: .value, ellipsis: glyphs.ellipsis)
            x = grid.put(glyphs.isASCII ? "_" : "▏", at: x, y, role: .accent)
            FunctionKeyBar.draw(into: &grid, items: [(glyphs.enter, "apply"), ("esc", "clear")], x: x + 2, y: y, width: width - x - 2)
            return
        }
        let items: [(key: String, label: String)]
        if state.detailPattern != nil {
            items = [("esc", "back"), (glyphs.arrowUpDown, "family"), ("m", "memory sample"), ("?", "help"), ("q", "quit")]
        } else {
            items = [("?", "help"), ("tab", "pane"), ("/", "filter"), ("s", "sort"), (glyphs.enter, "detail"),
                     ("F", "full census"), ("p", state.paused ? "resume" : "pause"), ("r", "reset"), ("q", "quit")]
        }
        FunctionKeyBar.draw(into: &grid, items: items, y: y, width: width, pinLast: true)
    }

    // MARK: - Help overlay

    static let helpLines: [(String, String)] = [
        ("q  Ctrl-C", "quit (the terminal is restored)"),
        ("?", "this help (any of ? esc q closes it)"),
        ("tab  shift-tab", "move between the families and fail-open panes"),
        ("up down  j k", "select a family / scroll"),
        ("PgUp PgDn  g G", "page / first / last"),
        ("enter  esc", "family detail / back"),
        ("/", "filter families by pattern (esc clears)"),
        ("s", "sort: keys, no-ttl, p50, memory, pattern"),
        ("F", "full census now (as fast as Redis allows)"),
        ("p", "pause the display (collectors keep running)"),
        ("r", "reset rates, counters and histories"),
        ("m", "sample memory for the family (detail view)"),
        ("e  M", "events timeline (newest first) / add a marker note"),
        ("N  n", "Redis Cluster: nodes pane / families of one node"),
        ("", ""),
        ("bands", "<=2m <=5m <=15m <=1h <=24h >24h none"),
        ("!", "the family has findings (enter for details)"),
        ("states", "ok / warn / crit against --warn-rate, --crit-rate"),
    ]

    static func renderHelp(into grid: inout Grid, glyphs: Glyphs) {
        let width = min(grid.width - 2, 70)
        let height = min(grid.height - 2, helpLines.count + 3)
        guard width >= 20, height >= 4 else {
            grid.fill(Rect(x: 0, y: 0, width: grid.width, height: 1), role: .selected)
            grid.put("? q:quit esc:back", at: 0, 0, role: .selected)
            return
        }
        let rect = Rect(x: (grid.width - width) / 2, y: (grid.height - height) / 2, width: width, height: height)
        grid.fill(rect)
        let inner = Panel.draw(into: &grid, rect: rect, title: [.init("Help", .title), .init(" \(glyphs.separator) cachewatch keys", .muted)],
                               focused: true, glyphs: glyphs)
        let keyWidth = 16
        for (i, line) in helpLines.prefix(inner.height - 1).enumerated() {
            let y = inner.y + 1 + i
            grid.put(DisplayWidth.pad(line.0, to: keyWidth), at: inner.x + 1, y, role: .key)
            grid.put(line.1, at: inner.x + 1 + keyWidth, y, maxWidth: inner.width - keyWidth - 2, role: .normal, ellipsis: glyphs.ellipsis)
        }
    }
}
