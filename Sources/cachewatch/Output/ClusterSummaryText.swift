import CachewatchCore
import CachewatchUI

/// The text summary's cluster lines: the cluster's state, then one line per node.
enum ClusterSummaryText {
    static func lines(_ cluster: ClusterStatus) -> String {
        var out = cluster.summary
        if let fullest = cluster.fullestNode { out += " · fullest \(fullest.address) \(Humanize.bytes(Double(fullest.usedMemoryBytes)))" }
        out += "\n"
        for node in cluster.nodes {
            var parts = ["  \(node.address)", node.role.rawValue, "slots \(SlotRange.total(node.slots))"]
            if let keys = node.keys { parts.append("keys \(Humanize.count(keys))") }
            if let ops = node.opsPerSecond { parts.append("ops/s \(Humanize.count(ops))") }
            if let used = node.usedMemoryBytes { parts.append("mem \(Humanize.bytes(Double(used)))") }
            parts.append(node.state + (node.error.map { ": " + DisplayEscaper.escape($0) } ?? ""))
            out += parts.joined(separator: "  ") + "\n"
        }
        for problem in cluster.problems { out += "  discovery: \(DisplayEscaper.escape(problem))\n" }
        return out
    }
}
