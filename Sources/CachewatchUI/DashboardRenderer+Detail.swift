import CachewatchCore
import Foundation

extension DashboardRenderer {
    // MARK: - Family detail view

    /// A log2 bucket label such as `≤ 32s` or `≤ 68m`, `> 1y` above `yearBucketSeconds`, `none` for the no-TTL bucket.
    static func bucketLabel(_ bucket: TTLBucket, glyphs: Glyphs) -> String {
        guard let upper = bucket.upperSeconds else { return "none" }
        if upper > yearBucketSeconds { return glyphs.isASCII ? ">1y" : "> 1y" }
        return (glyphs.isASCII ? "<=" : "≤ ") + bucketDuration(upper)
    }

    /// The log2 bound 2^25 s (388 days): TTLs above it (up to the 2^54 s Redis allows) share one `> 1y` row.
    static let yearBucketSeconds: Double = 33_554_432

    /// Folds the log2 buckets above `yearBucketSeconds` into one (shown as `> 1y`), so a key expiring in
    /// 285 years does not stretch the histogram over 30 empty rows.
    static func foldingYears(_ buckets: [TTLBucket]) -> [TTLBucket] {
        let timed = buckets.filter { $0.upperSeconds != nil }
        let years = timed.filter { $0.upperSeconds! > yearBucketSeconds }
        guard !years.isEmpty else { return timed }
        let keys = years.reduce(0) { Clamp.sum($0, $1.keys) }
        return timed.filter { $0.upperSeconds! <= yearBucketSeconds } + [TTLBucket(upperSeconds: .infinity, keys: keys)]
    }

    /// Compact bucket bounds: 32s, 17m, 68m, 2.3h, 36h, 3d.
    static func bucketDuration(_ seconds: Double) -> String {
        if seconds < 120 { return "\(Humanize.clampedInt(seconds.rounded()))s" }
        if seconds < 6_000 { return "\(Humanize.clampedInt((seconds / 60).rounded()))m" }
        if seconds < 36_000 { return String(format: "%.1fh", seconds / 3_600) }
        if seconds < 360_000 { return "\(Humanize.clampedInt((seconds / 3_600).rounded()))h" }
        return "\(Humanize.clampedInt((seconds / 86_400).rounded()))d"
    }

    /// `db sizes (INFO keysizes) string p50 4B+ p90 1K+ max 512K+ │ hash p50 2+ items …`: the server's own
    /// power-of-two counts for the family's types (DB-wide, not per family; Redis ≥ 8 only). Nil when absent.
    static func keySizesLine(model: DashboardModel, family: FamilyReport, sep: String) -> [(String, StyleRole)]? {
        let types = Set(family.types.keys)
        let shown = model.keySizes.filter { types.contains($0.type) && $0.totalKeys > 0 }.prefix(3)
        guard !shown.isEmpty else { return nil }
        var parts: [(String, StyleRole)] = [("db sizes ", .muted), ("(INFO keysizes)", .muted)]
        for histogram in shown {
            func text(_ value: Int?) -> String {
                guard let value else { return "-" }
                return (histogram.countsBytes ? Humanize.bytes(Double(value)) : Humanize.count(Double(value))) + "+"
            }
            parts += [(sep, .muted), (safe(histogram.type) + " ", .normal),
                      ("p50 ", .muted), (text(histogram.quantileLowerBound(0.5)), .value),
                      (" p90 ", .muted), (text(histogram.quantileLowerBound(0.9)), .value),
                      (" max ", .muted), (text(histogram.bins.last { $0.keys > 0 }?.lowerBound), .value)]
            if !histogram.countsBytes { parts.append((" items", .muted)) }
        }
        return parts
    }

    static func renderDetail(into grid: inout Grid, model: DashboardModel, state: DashboardState, pattern: String, rect: Rect,
                             glyphs: Glyphs) {
        guard !rect.isEmpty else { return }
        guard let family = model.census?.families.first(where: { $0.pattern == pattern }) else {
            grid.put("\(safe(pattern)) is no longer in the census (esc to go back)", at: 1, rect.y, maxWidth: rect.width - 2,
                     role: .muted, ellipsis: glyphs.ellipsis)
            return
        }
        var writer = DetailWriter(rect: rect, y: rect.y - state.detailScroll, glyphs: glyphs)
        detailSummary(family, model: model, writer: &writer, grid: &grid)
        detailHistograms(family, writer: &writer, grid: &grid)
        detailForecast(family, model: model, writer: &writer, grid: &grid)
        detailFindingsAndExamples(family, model: model, writer: &writer, grid: &grid)
    }

    /// The summary line (keys, share, type mix, no TTL, memory), the TTL quantiles, the server's key sizes and what the
    /// bounded look at string values found (only the sentinel's text is ever shown, never a value).
    private static func detailSummary(_ family: FamilyReport, model: DashboardModel, writer: inout DetailWriter, grid: inout Grid) {
        let sep = writer.sep
        let totalTypes = max(1.0, family.types.values.reduce(0.0) { $0 + Double($1) })
        let typeMix = family.types.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3)
            .map { "\(safe($0.key)) \(Humanize.percent(Double($0.value) / totalTypes, decimals: 0))" }.joined(separator: " ")
        var summary: [(String, StyleRole)] = [(safe(family.pattern), .title), ("  ", .normal),
                                              (Humanize.grouped(family.keys), .value), (family.keys == 1 ? " key (" : " keys (", .muted),
                                              (Humanize.share(family.share), .normal), (")", .muted)]
        if !typeMix.isEmpty { summary += [(sep, .muted), (typeMix, .normal)] }
        summary += [(sep + "no TTL ", .muted), (Humanize.grouped(family.noTTL), family.noTTL > 0 ? .warn : .normal)]
        if let memory = family.memoryBytes { summary += [(sep + "~", .muted), (Humanize.bytes(Double(memory)), .value), (" (sampled)", .muted)] }
        writer.line(summary, into: &grid)
        writer.line([("sampled ", .muted), (Humanize.grouped(family.sampled), .normal),
                     ("  ttl min ", .muted), (Humanize.duration(family.ttlMinSeconds), .normal),
                     ("  p50 ", .muted), (Humanize.duration(family.ttlP50Seconds), .normal),
                     ("  p90 ", .muted), (Humanize.duration(family.ttlP90Seconds), .normal),
                     ("  max ", .muted), (Humanize.duration(family.ttlMaxSeconds), .normal)], into: &grid)
        if let sizes = keySizesLine(model: model, family: family, sep: sep) { writer.line(sizes, into: &grid) }
        guard family.valuesProbed > 0 else { return }
        let longNegative = family.negativeCacheLongTTLKeys > 0
        var values: [(String, StyleRole)] = [("values ", .muted), (Humanize.grouped(family.valuesProbed), .normal), (" looked at", .muted),
                                             (sep + "\"\(ValueClass.notFoundSentinelText)\" ~", .muted),
                                             (Humanize.grouped(family.negativeCacheKeys), longNegative ? .warn : .normal)]
        if family.negativeCacheKeys > 0 {
            if let longest = family.negativeCacheMaxTTLSeconds {
                values += [(" up to ", .muted), (Humanize.duration(longest), longNegative ? .warn : .normal)]
            }
            if family.negativeCacheNoTTL > 0 { values += [(", ", .muted), (Humanize.grouped(family.negativeCacheNoTTL) + " no TTL", .warn)] }
        }
        values += [(sep + "falsy ~", .muted), (Humanize.grouped(family.falsyValueKeys), family.falsyValueKeys > 0 ? .warn : .normal)]
        writer.line(values, into: &grid)
    }

    /// The TTL histograms side by side: log2 buckets (with a few empty neighbours for context) and the guide's bands.
    private static func detailHistograms(_ family: FamilyReport, writer: inout DetailWriter, grid: inout Grid) {
        let (x0, width, glyphs, rect) = (writer.x0, writer.width, writer.glyphs, writer.rect)
        let leftWidth = min(width * 55 / 100, 64)
        let rightX = x0 + leftWidth + 2
        let rightWidth = min(width - leftWidth - 2, 48)
        if writer.visible(writer.y) {
            grid.put("TTL, log2 buckets", at: x0, writer.y, role: .header)
            grid.put("guide bands", at: rightX, writer.y, role: .header)
        }
        writer.y += 1
        var buckets = foldingYears(family.ttlHistogram)
        if var first = buckets.firstIndex(where: { $0.keys > 0 }), var last = buckets.lastIndex(where: { $0.keys > 0 }) {
            // Show some empty neighbours for context: at least 5 rows where the buckets allow.
            while last - first < 4, first > 0 || last < buckets.count - 1 {
                if first > 0 { first -= 1 }
                if last - first < 4, last < buckets.count - 1 { last += 1 }
            }
            buckets = Array(buckets[first...last])
        } else {
            buckets = []
        }
        if let none = family.ttlHistogram.first(where: { $0.upperSeconds == nil }), none.keys > 0 { buckets.append(none) }
        let histogramRows = max(7, min(buckets.count, 10))
        // Keep at most histogramRows log2 buckets: merge the smallest leading ones into the first shown.
        if buckets.count > histogramRows { buckets = Array(buckets.suffix(histogramRows)) }
        let leftRows = buckets.map {
            Histogram.Row(label: bucketLabel($0, glyphs: glyphs), value: Double($0.keys), valueText: Humanize.grouped($0.keys),
                          role: $0.upperSeconds == nil ? .warn : .bar)
        }
        let bandLabels = glyphs.isASCII ? TTLBands.names : ["≤ 2m", "≤ 5m", "≤ 15m", "≤ 1h", "≤ 24h", "> 24h", "none"]
        let bands = family.ttlBands.count == 7 ? family.ttlBands : Array(repeating: 0, count: 7)
        let rightRows = zip(bandLabels, bands).enumerated().map { i, pair in
            Histogram.Row(label: pair.0, value: Double(pair.1), valueText: Humanize.grouped(pair.1), role: i == 6 ? .warn : .bar)
        }
        let histogramTop = writer.y
        let clipTop = max(rect.y, histogramTop)
        let clipBottom = min(rect.maxY, histogramTop + histogramRows)
        if clipBottom > clipTop {
            let skip = clipTop - histogramTop
            if leftRows.isEmpty {
                grid.put("no key of this family has a TTL", at: x0, clipTop, maxWidth: leftWidth, role: .muted, ellipsis: glyphs.ellipsis)
            } else {
                Histogram.draw(into: &grid, rows: Array(leftRows.dropFirst(skip)),
                               rect: Rect(x: x0, y: clipTop, width: leftWidth, height: clipBottom - clipTop), glyphs: glyphs)
            }
            Histogram.draw(into: &grid, rows: Array(rightRows.dropFirst(skip)),
                           rect: Rect(x: rightX, y: clipTop, width: rightWidth, height: clipBottom - clipTop), glyphs: glyphs)
        }
        writer.y += histogramRows
    }

    /// The expiry forecast for the next hour, with the lockstep wave marked and described beside the chart.
    private static func detailForecast(_ family: FamilyReport, model: DashboardModel, writer: inout DetailWriter, grid: inout Grid) {
        let (x0, width, glyphs, rect) = (writer.x0, writer.width, writer.glyphs, writer.rect)
        let forecast = family.forecast.map(Double.init)
        let total = family.forecast.reduce(0.0) { $0 + Double($1) }
        writer.line([("Expiry forecast, next 60 min", .header), ("  keys per minute, ", .muted), (Humanize.count(total), .value),
                      (" in the hour", .muted)], into: &grid)
        let waveMinute = family.lockstep.map { min(59, max(0, Humanize.clampedInt($0.startsInSeconds / 60))) }
        let chartHeight = rect.height >= 34 ? 5 : (rect.height >= 24 ? 3 : 2)
        let infoWidth = family.lockstep == nil ? 0 : min(30, width / 3)
        let chartWidth = max(0, min(60, width - infoWidth - 2))
        var markers: [Int: StyleRole] = [:]
        if let minute = waveMinute {
            let sampledCount = min(chartWidth, forecast.count)
            let index = forecast.count > chartWidth ? minute * sampledCount / forecast.count : minute
            markers[index] = .crit
        }
        let chartTop = writer.y
        if chartTop >= rect.y, chartTop + chartHeight <= rect.maxY, !forecast.isEmpty {
            ColumnChart.draw(into: &grid, values: forecast, rect: Rect(x: x0, y: chartTop, width: chartWidth, height: chartHeight),
                             glyphs: glyphs, reduction: .max, markers: markers)
        }
        if let wave = family.lockstep, let minute = waveMinute {
            let at = Humanize.clockMinutes(model.now.addingTimeInterval(wave.startsInSeconds), timeZone: model.timeZone)
            let ix = x0 + chartWidth + 2
            if writer.visible(chartTop) {
                grid.put("\(Humanize.count(wave.keys)) at \(at)", at: ix, chartTop, maxWidth: infoWidth, role: .crit, ellipsis: glyphs.ellipsis)
            }
            if writer.visible(chartTop + 1) {
                grid.put("lockstep: \(Humanize.percent(wave.fraction, decimals: 0)) in \(Humanize.duration(wave.windowSeconds))",
                         at: ix, chartTop + 1, maxWidth: infoWidth, role: .warn, ellipsis: glyphs.ellipsis)
            }
            if chartHeight > 2, writer.visible(chartTop + 2) {
                grid.put("in \(Humanize.duration(Double(minute) * 60))", at: ix, chartTop + 2, maxWidth: infoWidth, role: .muted)
            }
        }
        writer.y += chartHeight
        if writer.visible(writer.y), chartWidth >= 12 {
            grid.put("now", at: x0, writer.y, role: .muted)
            grid.put("+30m", at: x0 + chartWidth / 2 - 2, writer.y, role: .muted)
            grid.put("+60m", at: x0 + chartWidth - 4, writer.y, role: .muted)
        }
        writer.y += 1
    }

    /// The family's findings, then up to three example keys with what the census read for each.
    private static func detailFindingsAndExamples(_ family: FamilyReport, model: DashboardModel, writer: inout DetailWriter,
                                                  grid: inout Grid) {
        let findings = model.findings(for: family.pattern)
        if !findings.isEmpty {
            writer.line([("Findings", .header)], into: &grid)
            for finding in findings {
                writer.line([("[\(finding.severity.rawValue)] ", levelRole(finding.severity)), (safe(finding.code) + ": ", .accent),
                             (safe(finding.message), .normal)], indent: 1, into: &grid)
            }
        }
        guard !family.examples.isEmpty else { return }
        writer.line([("Examples", .header)], into: &grid)
        if family.exampleKeys.isEmpty {
            for example in family.examples.prefix(3) { writer.line([(safe(example), .normal)], indent: 1, into: &grid) }
            return
        }
        // Key, then what the census read for it: TTL at that moment, type, size when sampled.
        let keys = family.exampleKeys.prefix(3).map { safe($0.key) }
        let keyWidth = min(keys.map(DisplayWidth.of).max() ?? 0, max(8, writer.width / 2))
        for (example, key) in zip(family.exampleKeys.prefix(3), keys) {
            var facts = example.ttlSeconds.map { "ttl " + Humanize.duration($0) } ?? "no ttl"
            if let type = example.type { facts += "  " + safe(type) }
            if let bytes = example.memoryBytes { facts += "  " + Humanize.bytes(Double(bytes)) }
            writer.line([(DisplayWidth.pad(key, to: keyWidth, ellipsis: writer.glyphs.ellipsis) + "  ", .normal), (facts, .muted)],
                        indent: 1, into: &grid)
        }
    }
}

/// Writes the detail view's rows top to bottom from a scrolled start: rows outside `rect` are counted, not drawn.
struct DetailWriter {
    let rect: Rect
    /// The next row (may be above `rect` while scrolled).
    var y: Int
    let glyphs: Glyphs
    var x0: Int { rect.x + 1 }
    var width: Int { rect.width - 2 }
    var sep: String { " \(glyphs.separator) " }

    func visible(_ row: Int) -> Bool { row >= rect.y && row < rect.maxY }

    /// One row of styled parts (cut at the right edge), then the next row.
    mutating func line(_ parts: [(String, StyleRole)], indent: Int = 0, into grid: inout Grid) {
        if visible(y) {
            var x = x0 + indent
            for (text, role) in parts where x < x0 + width {
                x = grid.put(text, at: x, y, maxWidth: x0 + width - x, role: role, ellipsis: glyphs.ellipsis)
            }
        }
        y += 1
    }
}
