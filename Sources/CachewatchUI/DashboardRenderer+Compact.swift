import CachewatchCore

extension DashboardRenderer {
    // MARK: - Compact view (below 60×14)

    /// The state line, then the four numbers that matter: ops/s, hit %, fail-open/min, memory.
    static func renderCompact(into grid: inout Grid, model: DashboardModel, state: DashboardState, glyphs: Glyphs) {
        let width = grid.width
        let h = model.header
        let failOpen = model.logs?.failOpen
        var y = 0

        // Row 0: what is wrong, loudest first.
        let sep = " \(glyphs.separator) "
        if let f = failOpen, f.state == .crit {
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
        y += 1
        guard y < grid.height else { return }

        let t = model.thresholds
        let live: Bool
        if case .connected = h.connection { live = true } else { live = false }
        var hitRole = StyleRole.value
        if let hit = h.hitRatio { hitRole = hit < t.hitRatioCrit ? .crit : (hit < t.hitRatioWarn ? .warn : .value) }
        var memValue = h.usedMemoryBytes.map(Humanize.bytes) ?? "-"
        var memFraction: Double?
        var memRole = StyleRole.value
        if let used = h.usedMemoryBytes, let max = h.maxMemoryBytes, max > 0 {
            memFraction = used / max
            memValue += " " + Humanize.percent(used / max, decimals: 0)
            let level = MeterBar.role(for: used / max, warn: t.memoryWarnFraction, crit: t.memoryCritFraction)
            memRole = level == .ok ? .value : level
        }
        let failValue = failOpen.map { "\($0.last1m) \($0.state.rawValue)" } ?? "-"
        let failRole = failOpen.map { levelRole($0.state) } ?? .muted
        let labelWidth = width >= 24 ? 9 : 6
        let rows: [(String, String, StyleRole, [Double]?, Double?)] = [
            (width >= 24 ? "ops/s" : "ops", h.opsPerSecond.map(Humanize.count) ?? "-", live ? .value : .muted, model.histories.opsPerSecond, nil),
            ("hit", h.hitRatio.map { Humanize.percent($0) } ?? "-", live ? hitRole : .muted, model.histories.hitRatio, nil),
            (width >= 24 ? "fail/min" : "fail", failValue, failRole, failOpen.map { $0.perMinute.map(Double.init) }, nil),
            ("mem", memValue, live ? memRole : .muted, nil, memFraction),
        ]
        for (label, value, role, series, fraction) in rows {
            guard y < grid.height else { return }
            var x = grid.put(DisplayWidth.pad(label, to: labelWidth), at: 0, y, role: .muted)
            x = grid.put(value, at: x, y, maxWidth: max(0, width - x), role: role, ellipsis: glyphs.ellipsis)
            let graphX = max(x + 1, labelWidth + 12)
            let graphWidth = width - graphX
            if graphWidth >= 4 {
                if let fraction {
                    MeterBar.draw(into: &grid, fraction: fraction, x: graphX, y: y, width: graphWidth, glyphs: glyphs,
                                  role: memRole == .value ? .bar : memRole)
                } else if let series, !series.isEmpty {
                    if let f = failOpen, label.hasPrefix("fail") {
                        Sparkline.draw(into: &grid, values: Array(series.suffix(graphWidth)), x: graphX, y: y, width: graphWidth,
                                       glyphs: glyphs, reduction: .max,
                                       roleFor: { $0 >= f.critPerMinute ? .crit : ($0 >= f.warnPerMinute ? .warn : .bar) })
                        drawMinuteSparklineMarkers(into: &grid, events: model.events, now: model.now, x: graphX, y: y,
                                                   width: graphWidth, glyphs: glyphs)
                    } else {
                        Sparkline.draw(into: &grid, values: series, x: graphX, y: y, width: graphWidth, glyphs: glyphs,
                                       maxValue: label == "hit" ? 1 : nil, minValue: label == "hit" ? hitFloor(series) : nil)
                        drawSparklineMarkers(into: &grid, events: model.events, sampleTimes: model.histories.sampleTimes,
                                             count: series.count, x: graphX, y: y, width: graphWidth, glyphs: glyphs)
                    }
                }
            }
            y += 1
        }

        // Extras while rows remain: connection detail, census, keys.
        let footer = grid.height >= 7 ? grid.height - 1 : grid.height
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
            y += 1
        }
        if grid.height >= 7 {
            FunctionKeyBar.draw(into: &grid, items: [("q", "quit"), ("?", "help"), ("p", state.paused ? "resume" : "pause")],
                                x: -1, y: grid.height - 1, width: width + 1)
        }
    }
}
