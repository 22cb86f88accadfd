import CachewatchCore
import Foundation

extension DashboardRenderer {
    // MARK: - Fail-open pane

    static func levelRole(_ level: AlertLevel) -> StyleRole {
        switch level {
        case .ok: return .ok
        case .warn: return .warn
        case .crit: return .crit
        }
    }


    static func failOpenTitle(_ logs: LogsReport?, glyphs: Glyphs) -> [Panel.TitlePart] {
        let sep = " \(glyphs.separator) "
        var parts: [Panel.TitlePart] = [.init("Fail-open", .title)]
        guard let logs else { return parts }
        if logs.sources.count == 1, let source = logs.sources.first {
            let name = (safe(source.path) as NSString).lastPathComponent
            parts.append(.init(sep + name + " " + safe(source.format), .muted))
            if source.status != "following" { parts.append(.init(" " + safe(source.status).uppercased(), sourceRole(source.status))) }
        } else if !logs.sources.isEmpty {
            parts.append(.init(sep + "\(logs.sources.count) sources", .muted))
            var problems: [String: Int] = [:]
            for source in logs.sources where source.status != "following" { problems[source.status, default: 0] += 1 }
            for (status, count) in problems.sorted(by: { $0.key < $1.key }) {
                parts.append(.init(" \(count) " + safe(status), sourceRole(status)))
            }
        } else {
            parts.append(.init(sep + "no source", .warn))
        }
        let f = logs.failOpen
        parts.append(.init(sep + "warn \(ge(glyphs))\(Humanize.count(f.warnPerMinute))/m", .warn))
        parts.append(.init(" crit \(ge(glyphs))\(Humanize.count(f.critPerMinute))/m", .crit))
        return parts
    }

    /// The state line: `CRIT since 22:37:12 (4m)`.
    static func stateText(_ f: FailOpenSummary, model: DashboardModel) -> String {
        var text = f.state.rawValue.uppercased()
        if let since = f.since {
            text += " since " + Humanize.clock(since, timeZone: model.timeZone)
            let age = model.now.timeIntervalSince(since)
            if age >= 0 { text += " (" + Humanize.duration(age) + ")" }
        }
        return text
    }

    static func sourceRole(_ status: String) -> StyleRole {
        switch status {
        case "following": return .ok
        case "stale", "missing": return .warn
        default: return .crit
        }
    }

    static func renderFailOpen(into grid: inout Grid, model: DashboardModel, state: DashboardState, rect: Rect, glyphs: Glyphs) {
        guard rect.height >= 3 else { return }
        let inner = Panel.draw(into: &grid, rect: rect, title: failOpenTitle(model.logs, glyphs: glyphs),
                               focused: state.focus == .failOpen, glyphs: glyphs)
        guard !inner.isEmpty else { return }
        let content = Rect(x: inner.x + 1, y: inner.y, width: inner.width - 2, height: inner.height)
        guard let logs = model.logs else {
            grid.put("not watching logs: run with --log PATH to count fail-open lines",
                     at: content.x, content.y, maxWidth: content.width, role: .muted, ellipsis: glyphs.ellipsis)
            return
        }
        var f = logs.failOpen
        // The focused pane scrolls through the error list (up/down).
        let errorOffset = min(max(0, state.failOpenScroll), max(0, f.byError.count - 1))
        f.byError = Array(f.byError.dropFirst(errorOffset))
        if content.width >= 90 && content.height >= 4 {
            renderFailOpenWide(into: &grid, f, logs: logs, model: model, content: content, glyphs: glyphs)
        } else {
            renderFailOpenNarrow(into: &grid, f, logs: logs, model: model, content: content, glyphs: glyphs)
        }
    }

    /// The chart's column role for `perMinute` events: crit, warn or a plain bar.
    private static func failOpenRole(_ perMinute: Double, _ f: FailOpenSummary) -> StyleRole {
        perMinute >= f.critPerMinute ? .crit : (perMinute >= f.warnPerMinute ? .warn : .bar)
    }

    /// The warn and crit lines drawn across the chart.
    private static func failOpenThresholds(_ f: FailOpenSummary) -> [ColumnChart.Threshold] {
        [ColumnChart.Threshold(value: f.warnPerMinute, role: .warn), ColumnChart.Threshold(value: f.critPerMinute, role: .crit)]
    }

    /// `1m 3  5m 12  15m 40`, as label/value pairs.
    private static func failOpenCounts(_ f: FailOpenSummary) -> [(String, String)] {
        [("1m ", "\(f.last1m)"), (" 5m ", "\(f.last5m)"), (" 15m ", "\(f.last15m)")]
    }

    /// Draws styled parts from `x` on row `y`, cut at `limit`; returns the column after the last one drawn.
    @discardableResult
    private static func drawParts(_ parts: [(String, StyleRole)], x: Int, y: Int, limit: Int, glyphs: Glyphs, into grid: inout Grid) -> Int {
        var cx = x
        for (text, role) in parts {
            guard limit - cx > 0 else { break }
            cx = grid.put(text, at: cx, y, maxWidth: limit - cx, role: role, ellipsis: glyphs.ellipsis)
        }
        return cx
    }

    /// Wide: a tall chart with labelled threshold lines on the left; state, counts, errors, families and sources on the right.
    private static func renderFailOpenWide(into grid: inout Grid, _ f: FailOpenSummary, logs: LogsReport, model: DashboardModel,
                                           content: Rect, glyphs: Glyphs) {
        let series = f.perMinute.map(Double.init)
        let thresholds = failOpenThresholds(f)
        let chartWidth = min(60, content.width - 50)
        let chartRect = Rect(x: content.x, y: content.y, width: chartWidth, height: content.height - 1)
        ColumnChart.draw(into: &grid, values: Array(series.suffix(chartWidth)), rect: chartRect, glyphs: glyphs,
                         thresholds: thresholds, reduction: .max, roleFor: { failOpenRole($0, f) })
        drawEventMarkers(into: &grid, events: model.events, now: model.now, rect: chartRect, glyphs: glyphs)
        // Label the threshold lines at the chart's right edge.
        let top = max(series.suffix(chartWidth).max() ?? 0, max(f.warnPerMinute, f.critPerMinute) * 1.1, 1)
        for threshold in thresholds where threshold.value > 0 {
            let row = ColumnChart.thresholdRow(value: threshold.value, top: top, rows: chartRect.height)
            grid.put(Humanize.count(threshold.value), at: chartRect.maxX + 1, chartRect.maxY - 1 - row, role: threshold.role)
        }
        let axisY = content.maxY - 1
        grid.put("-\(min(60, chartWidth))m", at: content.x, axisY, role: .muted)
        grid.put("now", at: content.x + chartWidth - 3, axisY, role: .muted)
        if chartWidth >= 30 { grid.put("-\(min(60, chartWidth) / 2)m", at: content.x + chartWidth / 2 - 2, axisY, role: .muted) }
        let x = chartRect.maxX + 6
        let infoWidth = min(56, content.maxX - x)
        let limit = min(content.maxX, x + infoWidth)
        var y = content.y
        func line(_ parts: [(String, StyleRole)]) {
            guard y < content.maxY else { return }
            drawParts(parts, x: x, y: y, limit: limit, glyphs: glyphs, into: &grid)
            y += 1
        }
        line([("state  ", .muted), (stateText(f, model: model), levelRole(f.state))])
        line([("last   ", .muted)] + failOpenCounts(f).flatMap { [($0.0, StyleRole.muted), ($0.1, StyleRole.value)] }
             + [("  total ", .muted), (Humanize.count(f.total), .value)])
        if !f.byError.isEmpty {
            line([("errors", .muted)])
            for e in f.byError.prefix(3) {
                line([("  " + DisplayWidth.pad(safe(e.error), to: infoWidth - 10, ellipsis: glyphs.ellipsis), .normal),
                      (DisplayWidth.pad(Humanize.count(e.count), to: 6, right: true), .value)])
            }
        }
        if !f.byFamily.isEmpty, y < content.maxY - logs.sources.count - 1 {
            line([("families", .muted)])
            for fam in f.byFamily.prefix(2) {
                line([("  " + DisplayWidth.pad(safe(fam.pattern), to: infoWidth - 10, ellipsis: glyphs.ellipsis), .normal),
                      (DisplayWidth.pad(Humanize.count(fam.count), to: 6, right: true), .value)])
            }
        }
        let sourceRows = Array(logs.sources.prefix(max(0, content.maxY - y)))
        for source in sourceRows {
            line([("src  ", .muted), (safe(source.path) + " ", .normal), (source.status, sourceRole(source.status)),
                  (source.detail.map { " " + safe($0) } ?? "", .muted)])
        }
    }

    /// Narrow: chart (1+ rows) with the counts on the right, then state + top errors, then sources.
    private static func renderFailOpenNarrow(into grid: inout Grid, _ f: FailOpenSummary, logs: LogsReport, model: DashboardModel,
                                             content: Rect, glyphs: Glyphs) {
        let sep = " \(glyphs.separator) "
        let series = f.perMinute.map(Double.init)
        let counts = failOpenCounts(f)
        let countsWidth = counts.reduce(0) { $0 + DisplayWidth.of($1.0) + DisplayWidth.of($1.1) }
        let chartHeight = max(1, content.height - 1 - (content.height >= 4 ? 1 : 0))
        let chartWidth = max(0, min(60, content.width - countsWidth - 2))
        let narrowChart = Rect(x: content.x, y: content.y, width: chartWidth, height: min(chartHeight, content.height))
        ColumnChart.draw(into: &grid, values: Array(series.suffix(chartWidth)), rect: narrowChart,
                         glyphs: glyphs, thresholds: chartHeight > 1 ? failOpenThresholds(f) : [], reduction: .max,
                         roleFor: { failOpenRole($0, f) })
        drawEventMarkers(into: &grid, events: model.events, now: model.now, rect: narrowChart, glyphs: glyphs)
        var cx = content.maxX - countsWidth
        for (label, value) in counts {
            cx = grid.put(label, at: cx, content.y + min(chartHeight, content.height) - 1, role: .muted)
            cx = grid.put(value, at: cx, content.y + min(chartHeight, content.height) - 1, role: .value)
        }
        var y = content.y + chartHeight
        guard y < content.maxY else { return }
        var errors: [(String, StyleRole)] = []
        for (i, e) in f.byError.prefix(3).enumerated() {
            if i > 0 { errors.append((sep, .muted)) }
            errors.append((safe(e.error) + " ", .normal))
            errors.append((Humanize.count(e.count), .value))
        }
        if errors.isEmpty { errors.append((f.total == 0 ? "no fail-open lines seen" : "", .muted)) }
        let x = grid.put(stateText(f, model: model), at: content.x, y, maxWidth: content.width, role: levelRole(f.state),
                         ellipsis: glyphs.ellipsis)
        drawParts([("  ", .normal)] + errors, x: x, y: y, limit: content.maxX, glyphs: glyphs, into: &grid)
        y += 1
        guard y < content.maxY else { return }
        var parts: [(String, StyleRole)] = []
        for (i, source) in logs.sources.enumerated() {
            if i > 0 { parts.append((sep, .muted)) }
            parts.append((safe(source.path) + " ", .normal))
            parts.append((source.status, sourceRole(source.status)))
        }
        if let top = f.byFamily.first {
            parts.append(("  top family ", .muted))
            parts.append((safe(top.pattern) + " " + Humanize.count(top.count), .normal))
        }
        drawParts(parts, x: content.x, y: y, limit: content.maxX, glyphs: glyphs, into: &grid)
    }
}
