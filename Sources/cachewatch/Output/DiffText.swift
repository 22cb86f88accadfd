import CachewatchCore
import CachewatchUI

/// The text form of `cachewatch diff`: a few sections, every name escaped for the terminal.
enum DiffText {
    /// The whole report, ending with a newline.
    static func render(_ diff: CensusDiff, beforeName: String, afterName: String) -> String {
        var lines: [String] = []
        let when = { (at: String?) in at.map { " (\(DisplayEscaper.escape($0)))" } ?? "" }
        lines.append("cachewatch diff \(beforeName)\(when(diff.takenAtBefore)) -> \(afterName)\(when(diff.takenAtAfter))")
        for note in diff.notes { lines.append("note: \(note)") }
        if diff.isEmpty {
            lines.append("No family appeared, vanished or changed, and no finding is new.")
            return lines.joined(separator: "\n") + "\n"
        }
        let name = { (family: SnapshotSummary.Family) in
            DisplayEscaper.escape(diff.namesCarryDatabase ? "db\(family.db) \(family.pattern)" : family.pattern)
        }
        section(&lines, "Appeared", diff.appeared.map { "+ \(name($0))  \(Humanize.count($0.keys)) keys" })
        section(&lines, "Vanished", diff.vanished.map { "- \(name($0))  \(Humanize.count($0.keys)) keys" })
        section(&lines, "Changed", diff.changed.map(changeLine))
        section(&lines, "New findings", diff.findingsNew.map(findingLine))
        section(&lines, "Resolved findings", diff.findingsResolved.map(findingLine))
        return lines.joined(separator: "\n") + "\n"
    }

    private static func section(_ lines: inout [String], _ title: String, _ items: [String]) {
        guard !items.isEmpty else { return }
        lines.append("")
        lines.append("\(title) (\(items.count))")
        lines.append(contentsOf: items.map { "  " + $0 })
    }

    private static func changeLine(_ change: CensusDiff.Change) -> String {
        var parts = ["keys \(Humanize.count(change.keysBefore)) -> \(Humanize.count(change.keysAfter))"]
        if let fraction = change.keysChangeFraction, change.keysBefore != change.keysAfter, fraction.isFinite {
            let percent = (fraction * 100).rounded()
            parts[0] += " (\(percent >= 0 ? "+" : "")\(Humanize.count(percent))%)"
        }
        if change.ttlP50SecondsBefore != change.ttlP50SecondsAfter {
            parts.append("ttl p50 \(Humanize.duration(change.ttlP50SecondsBefore)) -> \(Humanize.duration(change.ttlP50SecondsAfter))")
        }
        if change.noTTLBefore != change.noTTLAfter {
            parts.append("no-ttl \(Humanize.count(change.noTTLBefore)) -> \(Humanize.count(change.noTTLAfter))")
        }
        return "~ \(DisplayEscaper.escape(change.name))  " + parts.joined(separator: "  ")
    }

    private static func findingLine(_ finding: SnapshotSummary.FindingSummary) -> String {
        let pattern = finding.pattern.map { " \(DisplayEscaper.escape($0))" } ?? ""
        return "\(DisplayEscaper.escape(finding.severity)) \(DisplayEscaper.escape(finding.code))\(pattern): \(DisplayEscaper.escape(finding.message))"
    }
}
