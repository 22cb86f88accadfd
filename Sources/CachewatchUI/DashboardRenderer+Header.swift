import CachewatchCore
import Foundation

extension DashboardRenderer {
    // MARK: - Header meters

    /// One labelled number with an optional sparkline or bar that grows with the free width.
    struct Meter {
        var label: String
        var value: String
        var valueRole: StyleRole
        var series: [Double]? = nil
        var seriesMax: Double? = nil
        var seriesMin: Double? = nil
        var seriesRole: StyleRole = .bar
        var barFraction: Double? = nil
        var barRole: StyleRole = .bar
        var tail: String? = nil
        var tailRole: StyleRole = .muted
        /// Lower numbers get graph room first.
        var graphPriority: Int = 9
        var maxGraph: Int = 30
        /// When the row is too narrow, the highest rank is dropped first (ties: the rightmost).
        var dropRank: Int = 0

        var fixedWidth: Int {
            DisplayWidth.of(label) + 1 + DisplayWidth.of(value) + (tail.map { 1 + DisplayWidth.of($0) } ?? 0)
        }
        var wantsGraph: Bool { !(series?.isEmpty ?? true) || barFraction != nil }
    }

    static func renderHeaderMeters(into grid: inout Grid, model: DashboardModel, y: Int, width: Int, glyphs: Glyphs) {
        let h = model.header
        let t = model.thresholds
        let hist = model.histories
        let live: Bool
        if case .connected = h.connection { live = true } else { live = false }
        func role(_ r: StyleRole) -> StyleRole { live ? r : .muted }

        var hitRole = StyleRole.value
        if let hit = h.hitRatio { hitRole = hit < t.hitRatioCrit ? .crit : (hit < t.hitRatioWarn ? .warn : .value) }
        var memory = Meter(label: "mem", value: h.usedMemoryBytes.map(Humanize.bytes) ?? "-", valueRole: role(.value), graphPriority: 0, maxGraph: 24)
        if let used = h.usedMemoryBytes, let max = h.maxMemoryBytes, max > 0 {
            let fraction = used / max
            let level = MeterBar.role(for: fraction, warn: t.memoryWarnFraction, crit: t.memoryCritFraction)
            memory.value += "/" + Humanize.bytes(max)
            memory.barFraction = fraction
            memory.barRole = level == .ok ? .bar : level
            memory.tail = Humanize.percent(fraction, decimals: 0)
            memory.tailRole = role(level == .ok ? .normal : level)
            memory.valueRole = role(level == .ok ? .value : level)
        } else {
            memory.tail = "no limit"
            memory.series = hist.usedMemoryBytes
        }
        var row1: [Meter] = [
            Meter(label: "ops/s", value: h.opsPerSecond.map(Humanize.count) ?? "-", valueRole: role(.value),
                  series: hist.opsPerSecond, graphPriority: 1),
            Meter(label: "hit", value: h.hitRatio.map { Humanize.percent($0) } ?? "-", valueRole: role(hitRole),
                  series: hist.hitRatio, seriesMax: 1, seriesMin: hitFloor(hist.hitRatio), seriesRole: hitRole == .value ? .bar : hitRole, graphPriority: 2),
            memory,
        ]
        let evicted = h.evictedPerSecond ?? 0
        let blocked = h.blockedClients ?? 0
        var pingRole = StyleRole.value
        if let ping = h.pingMilliseconds { pingRole = ping >= t.pingCritMilliseconds ? .crit : (ping >= t.pingWarnMilliseconds ? .warn : .value) }
        var row2: [Meter] = [
            Meter(label: "evict/s", value: h.evictedPerSecond.map(Humanize.count) ?? "-", valueRole: role(evicted > 0 ? .warn : .value),
                  series: hist.evictedPerSecond, seriesRole: .warn, graphPriority: 3, maxGraph: 16),
            Meter(label: "expired/s", value: h.expiredPerSecond.map(Humanize.count) ?? "-", valueRole: role(.value),
                  series: hist.expiredPerSecond, graphPriority: 1, maxGraph: 16),
            Meter(label: "clients", value: h.clients.map { Humanize.count($0) } ?? "-", valueRole: role(.value),
                  series: hist.clients, graphPriority: 4, maxGraph: 12),
            Meter(label: "blocked", value: h.blockedClients.map { Humanize.count($0) } ?? "-", valueRole: role(blocked > 0 ? .warn : .value),
                  dropRank: blocked > 0 ? 0 : 1),
            Meter(label: "ping", value: Humanize.milliseconds(h.pingMilliseconds), valueRole: role(pingRole),
                  series: hist.pingMilliseconds, seriesRole: pingRole == .value ? .bar : pingRole, graphPriority: 2, maxGraph: 12),
            Meter(label: "keys", value: h.keysTotal.map { Humanize.count($0) } ?? "-", valueRole: role(.value), dropRank: 2),
        ]
        // The app's own SCANs (pattern invalidation), only while there are any; DEL/s beside them for context.
        if let scans = h.appScanPerSecond, scans >= 0.05 {
            row2.insert(Meter(label: "scan/s", value: Humanize.count(scans),
                              valueRole: role(scans > t.appScanWarnPerSecond ? .warn : .value),
                              tail: h.delPerSecond.map { "(del/s \(Humanize.count($0)))" }), at: 2)
        }
        // Other cachewatch processes' census and polling are in Redis's counters and cannot be taken out: say so.
        if let others = h.otherCachewatch, others > 0 {
            row1.append(Meter(label: "rates include", value: "\(others) other cachewatch", valueRole: .warn, dropRank: 0))
        }
        // Timeline events are marked on every sparkline (a distinct glyph in the sample's column).
        let marks = SparklineMarks(events: model.events, sampleTimes: hist.sampleTimes)
        drawMeterRow(into: &grid, meters: row1, y: y, width: width, glyphs: glyphs, marks: marks)
        drawMeterRow(into: &grid, meters: row2, y: y + 1, width: width, glyphs: glyphs, marks: marks)
    }

    /// The hit-ratio sparkline floor: 10 points below the window's lowest value (so dips show), at least 0.
    static func hitFloor(_ series: [Double]) -> Double {
        guard let low = series.filter({ $0 > 0 }).min() else { return 0 }
        return max(0, (low * 10).rounded(.down) / 10 - 0.1)
    }

    /// Lays meters out left to right: fixed parts first, then graph room shared by priority (≥ 5 columns each).
    /// The events to mark on sparklines and the times of their samples.
    struct SparklineMarks {
        var events: [Event] = []
        var sampleTimes: [Date] = []
    }

    static func drawMeterRow(into grid: inout Grid, meters: [Meter], y: Int, width: Int, glyphs: Glyphs,
                             marks: SparklineMarks = SparklineMarks()) {
        var shown = meters
        func fixedTotal(_ list: [Meter]) -> Int { list.reduce(0) { $0 + $1.fixedWidth } + 2 * max(0, list.count - 1) + 1 }
        while shown.count > 1, fixedTotal(shown) > width - 1 {
            // The highest drop rank goes first; among equals, the rightmost.
            let victim = shown.indices.max { (shown[$0].dropRank, $0) < (shown[$1].dropRank, $1) }!
            shown.remove(at: victim)
        }
        var spare = width - 1 - fixedTotal(shown)
        var graph = Array(repeating: 0, count: shown.count)
        let candidates = shown.indices.filter { shown[$0].wantsGraph }.sorted { shown[$0].graphPriority < shown[$1].graphPriority }
        var active: [Int] = []
        for i in candidates where spare >= 6 * (active.count + 1) { active.append(i) }
        if !active.isEmpty {
            // Share the room evenly, capped per meter; leftovers go to those below their cap.
            var room = spare
            var open = active
            while room > 0, !open.isEmpty {
                let share = max(1, room / open.count)
                var next: [Int] = []
                for i in open {
                    let want = min(share, shown[i].maxGraph + 1 - graph[i], room)
                    graph[i] += want
                    room -= want
                    if graph[i] < shown[i].maxGraph + 1 { next.append(i) }
                }
                if next.count == open.count && share == 1 && room == 0 { break }
                open = next
            }
            spare = room
        }
        var x = 1
        for (i, m) in shown.enumerated() {
            x = grid.put(m.label, at: x, y, role: .muted)
            x = grid.put(" " + m.value, at: x, y, role: m.valueRole)
            if graph[i] > 1 {
                let w = graph[i] - 1
                if let fraction = m.barFraction {
                    MeterBar.draw(into: &grid, fraction: fraction, x: x + 1, y: y, width: w, glyphs: glyphs, role: m.barRole)
                } else if let series = m.series {
                    if series.isEmpty {
                        grid.put(String(repeating: " ", count: w), at: x + 1, y)
                    } else {
                        Sparkline.draw(into: &grid, values: series, x: x + 1, y: y, width: w, glyphs: glyphs,
                                       maxValue: m.seriesMax, minValue: m.seriesMin, roleFor: { _ in m.seriesRole })
                        drawSparklineMarkers(into: &grid, events: marks.events, sampleTimes: marks.sampleTimes,
                                             count: series.count, x: x + 1, y: y, width: w, glyphs: glyphs)
                    }
                }
                x += graph[i]
            }
            if let tail = m.tail { x = grid.put(" " + tail, at: x, y, role: m.tailRole) }
            x += 2
        }
        _ = spare
    }
}
