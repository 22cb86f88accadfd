import CachewatchCore
import Foundation

/// The nodes pane of a Redis Cluster (`N`): one row per node with address, role, slots, keys, an ops/s sparkline,
/// a memory bar and its state.
extension DashboardRenderer {
    static func renderNodes(into grid: inout Grid, model: DashboardModel, state: DashboardState, glyphs: Glyphs) {
        let primaries = model.clusterNodes.filter { $0.role == .primary }.count
        guard let inner = overlayPane(into: &grid, minimumWidth: 30, fallback: "nodes \(model.clusterNodes.count) esc:back",
                                      title: [.init("Nodes", .title),
                                              .init(" \(glyphs.separator) \(primaries) primaries \(glyphs.separator) \(model.clusterNodes.count - primaries) replicas", .muted)],
                                      glyphs: glyphs) else { return }
        guard inner.height >= 2 else { return }
        // ADDRESS ROLE SLOTS KEYS OPS/S [spark] MEM [bar] STATE
        // Fixed columns take 37 cells, the state at least 10; the sparkline and the bar share what is left.
        let available = inner.width - 2
        let addressWidth = max(12, min(24, available - 37 - 10 - 12))
        let rest = max(0, available - addressWidth - 37 - 10)
        let sparkWidth = min(12, rest / 2)
        let barWidth = min(10, rest - sparkWidth)
        var header = DisplayWidth.pad("ADDRESS", to: addressWidth) + " ROLE    SLOTS   KEYS  OPS/S "
        header += String(repeating: " ", count: sparkWidth) + "    MEM " + String(repeating: " ", count: barWidth) + " STATE"
        grid.put(header, at: inner.x + 1, inner.y, maxWidth: inner.width - 2, role: .muted, ellipsis: glyphs.ellipsis)
        for (i, node) in model.clusterNodes.prefix(inner.height - 2).enumerated() {
            let y = inner.y + 1 + i
            let selected = state.nodeFilter == node.address
            var x = grid.put(DisplayWidth.pad(safe(node.address), to: addressWidth), at: inner.x + 1, y, maxWidth: addressWidth,
                             role: selected ? .selected : .normal, ellipsis: glyphs.ellipsis)
            x = grid.put(" " + DisplayWidth.pad(node.role == .primary ? "primary" : "replica", to: 7), at: x, y, role: .muted)
            let slots = SlotRange.total(node.slots)
            x = grid.put(" " + leftPad(slots > 0 ? String(slots) : "-", 5), at: x, y, role: .value)
            x = grid.put(" " + leftPad(node.keys.map(Humanize.count) ?? "-", 6), at: x, y, role: .value)
            x = grid.put(" " + leftPad(node.opsPerSecond.map(Humanize.count) ?? "-", 6) + " ", at: x, y, role: .value)
            if sparkWidth > 0 {
                Sparkline.draw(into: &grid, values: model.clusterNodeOps[node.address] ?? [], x: x, y: y, width: sparkWidth, glyphs: glyphs)
                x += sparkWidth
            }
            x = grid.put(" " + leftPad(node.usedMemoryBytes.map { Humanize.bytes(Double($0)) } ?? "-", 6) + " ", at: x, y, role: .value)
            if barWidth > 0 {
                if let used = node.usedMemoryBytes, let limit = node.maxmemoryBytes, limit > 0 {
                    let fraction = Double(used) / Double(limit)
                    MeterBar.draw(into: &grid, fraction: fraction, x: x, y: y, width: barWidth, glyphs: glyphs,
                                  role: MeterBar.role(for: fraction, warn: model.thresholds.memoryWarnFraction, crit: model.thresholds.memoryCritFraction))
                } else {
                    grid.put(String(repeating: " ", count: barWidth), at: x, y)
                }
                x += barWidth
            }
            let stateRole: StyleRole = node.state == "ok" ? .ok : (node.state == "pfail" || node.state == "loading" ? .warn : .crit)
            let stateText = node.error.map { node.state + ": " + safe($0) } ?? node.state
            grid.put(" " + stateText, at: x, y, maxWidth: max(0, inner.maxX - x - 1), role: stateRole, ellipsis: glyphs.ellipsis)
        }
        let filter = state.nodeFilter.map { "families of \(safe($0))" } ?? "families of all nodes"
        grid.put("esc back  n \(filter)", at: inner.x + 1, inner.maxY - 1, maxWidth: inner.width - 2, role: .muted, ellipsis: glyphs.ellipsis)
    }

    private static func leftPad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
