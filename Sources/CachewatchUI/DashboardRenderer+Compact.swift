import CachewatchCore

extension DashboardRenderer {
    // MARK: - Compact view (below 60×14)

    /// What the graph column of one compact metric row draws.
    enum CompactGraph {
        case none
        /// A meter filled to `fraction` (memory against maxmemory).
        case meter(fraction: Double, role: StyleRole)
        /// A sparkline of the samples; a ratio is drawn on a 0…1 scale with a floor.
        case sparkline(values: [Double], isRatio: Bool)
        /// The fail-open per-minute counts, coloured against its thresholds, with the minute markers.
        case failOpen(perMinute: [Double], summary: FailOpenSummary)
    }

    /// One metric row of the compact view: label, value and its graph.
    struct CompactRow {
        var label: String
        var value: String
        var role: StyleRole
        var graph: CompactGraph
    }

    /// The state line, then the four numbers that matter: ops/s, hit %, fail-open/min, memory.
    static func renderCompact(into grid: inout Grid, model: DashboardModel, state: DashboardState, glyphs: Glyphs) {
        drawCompactStateLine(into: &grid, model: model, state: state, glyphs: glyphs)
        var y = 1
        guard y < grid.height else { return }
        let labelWidth = grid.width >= 24 ? 9 : 6
        for row in compactRows(model: model, width: grid.width) {
            guard y < grid.height else { return }
            drawCompactRow(row, into: &grid, y: y, labelWidth: labelWidth, model: model, glyphs: glyphs)
            y += 1
        }
        drawCompactExtras(into: &grid, from: y, model: model, glyphs: glyphs)
        if grid.height >= 7 {
            FunctionKeyBar.draw(into: &grid, items: [("q", "quit"), ("?", "help"), ("p", state.paused ? "resume" : "pause")],
                                x: -1, y: grid.height - 1, width: grid.width + 1)
        }
    }

    /// Row 0: what is wrong, loudest first (fail-open crit, then down), else the target and its state.
    static func drawCompactStateLine(into grid: inout Grid, model: DashboardModel, state: DashboardState, glyphs: Glyphs) {
        let width = grid.width
        let h = model.header
        let sep = " \(glyphs.separator) "
        if let f = model.logs?.failOpen, f.state == .crit {
            grid.fill(Rect(x: 0, y: 0, width: width, height: 1), role: .banner)
            let text = width >= 30 ? "FAIL-OPEN CRIT\(sep)\(f.last1m)/min" : "FAIL-OPEN \(f.last1m)/m"
            grid.put(text, at: width > DisplayWidth.of(text) + 1 ? 1 : 0, 0, maxWidth: width, role: .banner, ellipsis: glyphs.ellipsis)
        } else if case .disconnected(let since, _) = h.connection {
            grid.fill(Rect(x: 0, y: 0, width: width, height: 1), role: .crit)
            grid.put("\(h.product) down since \(Humanize.clock(since, timeZone: model.timeZone))", at: 0, 0, maxWidth: width, role: .crit,
                     ellipsis: glyphs.ellipsis)
        } else {
            var (connection, role) = connectionText(model, glyphs: glyphs)
            if state.paused || model.paused { (connection, role) = ("PAUSED", .warn) }
            let name = width >= 36 ? "cachewatch " + safe(h.address) : safe(h.address)
            let x = grid.put(name, at: 0, 0, maxWidth: max(0, width - 2), role: .title, ellipsis: glyphs.ellipsis)
            let right = width - x >= DisplayWidth.of(connection) + 1 ? connection : glyphs.bullet
            grid.put(right, at: max(x + 1, width - DisplayWidth.of(right)), 0, role: role)
        }
    }

    /// The four metric rows (ops/s, hit, fail/min, mem), coloured against the thresholds; muted while not connected.
    static func compactRows(model: DashboardModel, width: Int) -> [CompactRow] {
        let h = model.header
        let t = model.thresholds
        let failOpen = model.logs?.failOpen
        let live: Bool
        if case .connected = h.connection { live = true } else { live = false }
        var hitRole = StyleRole.value
        if let hit = h.hitRatio { hitRole = hit < t.hitRatioCrit ? .crit : (hit < t.hitRatioWarn ? .warn : .value) }
        var memValue = h.usedMemoryBytes.map(Humanize.bytes) ?? "-"
        var memGraph = CompactGraph.none
        var memRole = StyleRole.value
        if let used = h.usedMemoryBytes, let max = h.maxMemoryBytes, max > 0 {
            memValue += " " + Humanize.percent(used / max, decimals: 0)
            let level = MeterBar.role(for: used / max, warn: t.memoryWarnFraction, crit: t.memoryCritFraction)
            memRole = level == .ok ? .value : level
            memGraph = .meter(fraction: used / max, role: memRole == .value ? .bar : memRole)
        }
        let failValue = failOpen.map { "\($0.last1m) \($0.state.rawValue)" } ?? "-"
        let failRole = failOpen.map { levelRole($0.state) } ?? .muted
        let failGraph = failOpen.map { CompactGraph.failOpen(perMinute: $0.perMinute.map(Double.init), summary: $0) } ?? .none
        return [
            CompactRow(label: width >= 24 ? "ops/s" : "ops", value: h.opsPerSecond.map(Humanize.count) ?? "-",
                       role: live ? .value : .muted, graph: .sparkline(values: model.histories.opsPerSecond, isRatio: false)),
            CompactRow(label: "hit", value: h.hitRatio.map { Humanize.percent($0) } ?? "-",
                       role: live ? hitRole : .muted, graph: .sparkline(values: model.histories.hitRatio, isRatio: true)),
            CompactRow(label: width >= 24 ? "fail/min" : "fail", value: failValue, role: failRole, graph: failGraph),
            CompactRow(label: "mem", value: memValue, role: live ? memRole : .muted, graph: memGraph),
        ]
    }

    /// One metric row at `y`: the padded label, the value, and its graph where at least 4 columns remain.
    static func drawCompactRow(_ row: CompactRow, into grid: inout Grid, y: Int, labelWidth: Int, model: DashboardModel,
                               glyphs: Glyphs) {
        var x = grid.put(DisplayWidth.pad(row.label, to: labelWidth), at: 0, y, role: .muted)
        x = grid.put(row.value, at: x, y, maxWidth: max(0, grid.width - x), role: row.role, ellipsis: glyphs.ellipsis)
        let graphX = max(x + 1, labelWidth + 12)
        let graphWidth = grid.width - graphX
        guard graphWidth >= 4 else { return }
        switch row.graph {
        case .none:
            break
        case .meter(let fraction, let role):
            MeterBar.draw(into: &grid, fraction: fraction, x: graphX, y: y, width: graphWidth, glyphs: glyphs, role: role)
        case .failOpen(let series, let f):
            guard !series.isEmpty else { return }
            Sparkline.draw(into: &grid, values: Array(series.suffix(graphWidth)), x: graphX, y: y, width: graphWidth,
                           glyphs: glyphs, reduction: .max,
                           roleFor: { $0 >= f.critPerMinute ? .crit : ($0 >= f.warnPerMinute ? .warn : .bar) })
            drawMinuteSparklineMarkers(into: &grid, events: model.events, now: model.now, x: graphX, y: y,
                                       width: graphWidth, glyphs: glyphs)
        case .sparkline(let series, let isRatio):
            guard !series.isEmpty else { return }
            Sparkline.draw(into: &grid, values: series, x: graphX, y: y, width: graphWidth, glyphs: glyphs,
                           maxValue: isRatio ? 1 : nil, minValue: isRatio ? hitFloor(series) : nil)
            drawSparklineMarkers(into: &grid, events: model.events, sampleTimes: model.histories.sampleTimes,
                                 count: series.count, x: graphX, y: y, width: graphWidth, glyphs: glyphs)
        }
    }

    /// Extras from row `y` while rows remain above the footer: connection detail, problem, other cachewatch,
    /// census, keys.
    static func drawCompactExtras(into grid: inout Grid, from startY: Int, model: DashboardModel, glyphs: Glyphs) {
        let width = grid.width
        let h = model.header
        let sep = " \(glyphs.separator) "
        let footer = grid.height >= 7 ? grid.height - 1 : grid.height
        var y = startY
        if y < footer, case .disconnected(_, let reason) = h.connection, !reason.isEmpty {
            grid.put(h.product + ": " + safe(reason), at: 0, y, maxWidth: width, role: .crit, ellipsis: glyphs.ellipsis)
            y += 1
        }
        if y < footer, let problem = model.problem, !problem.isEmpty {
            grid.put("! " + safe(problem), at: 0, y, maxWidth: width, role: .warn, ellipsis: glyphs.ellipsis)
            y += 1
        }
        if y < footer, let others = h.otherCachewatch, others > 0 {
            grid.put("rates include \(others) other cachewatch", at: 0, y, maxWidth: width, role: .warn, ellipsis: glyphs.ellipsis)
            y += 1
        }
        if y < footer, let progress = model.censusProgress, progress.running, progress.dbsizeKeys > 0 {
            let fraction = min(1, Double(progress.scannedKeys) / Double(progress.dbsizeKeys))
            grid.put("census " + Humanize.percent(fraction, decimals: 0) + " " + Humanize.count(progress.keysPerSecond) + "/s",
                     at: 0, y, maxWidth: width, role: .accent, ellipsis: glyphs.ellipsis)
            y += 1
        } else if y < footer, let census = model.census {
            let flagged = model.findings.filter { $0.severity >= .warn }.count
            var text = "\(census.families.count) families"
            if flagged > 0 { text += sep + "\(flagged) findings" }
            grid.put(text, at: 0, y, maxWidth: width, role: flagged > 0 ? .warn : .muted, ellipsis: glyphs.ellipsis)
            y += 1
        }
        if y < footer {
            var parts: [String] = []
            if let keys = h.keysTotal { parts.append("keys \(Humanize.count(keys))") }
            if let clients = h.clients { parts.append("clients \(Humanize.count(clients))") }
            if let ping = h.pingMilliseconds { parts.append("ping \(Humanize.milliseconds(ping))") }
            if let evicted = h.evictedPerSecond { parts.append("evict/s \(Humanize.count(evicted))") }
            var x = 0
            for part in parts where x + DisplayWidth.of(part) <= width {
                grid.put(part, at: x, y, role: .muted)
                x += DisplayWidth.of(part) + 2
            }
        }
    }
}
