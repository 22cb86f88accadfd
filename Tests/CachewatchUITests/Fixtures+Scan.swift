import CachewatchCore
import CachewatchUI
import Foundation

extension Fixtures {
    /// The app's pattern invalidation, as the lead maps it: 14 SCAN/s and 340 DEL/s, with the finding.
    static let patternInvalidation = Finding(
        severity: .warn, code: "pattern-invalidation", pattern: nil,
        message: "The app runs 14 SCAN/s (pattern invalidation): every write with pattern_to_invalidate_extra scans the keyspace; "
            + "prefer narrow invalidation (guide: Anti-Patterns).")

    /// `model(logState:)` while the app runs `scanPerSecond` SCANs (and 340 DELs) per second.
    static func scanningModel(logState: AlertLevel = .warn, scanPerSecond: Double = 14) -> DashboardModel {
        var model = model(logState: logState)
        model.header.appScanPerSecond = scanPerSecond
        model.header.delPerSecond = 340
        if scanPerSecond > model.thresholds.appScanWarnPerSecond { model.findings.append(patternInvalidation) }
        return model
    }
}
