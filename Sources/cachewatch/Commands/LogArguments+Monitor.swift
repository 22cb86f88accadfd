import CachewatchCore
import CachewatchLogs
import Foundation

extension LogArguments {
    /// The alert rule from the flags (validated: positive thresholds, warn ≤ crit, durations in range).
    func alertRule() throws -> AlertRule {
        let window = try alertWindow.bounded(.alertWindow, default: 60)
        let holdFor = try forDuration.bounded(.holdFor, default: 0)
        do {
            return try AlertRule.validated(warnPerMinute: warnRate ?? 10, critPerMinute: critRate ?? 50,
                                           windowSeconds: Int(window.seconds.rounded()), forSeconds: holdFor.seconds)
        } catch let error as AlertRuleError {
            throw CLIError(error.description)
        }
    }

    /// A log monitor for the `--log` sources, or nil when none were given; `deployPatterns` from the config
    /// (`[logs] deploy_patterns`, default `DeployLines.defaultPatterns`).
    func makeMonitor(deployPatterns: [String]? = nil) throws -> LogMonitor? {
        // An empty path (`--log ''`, an unset shell variable) would silently follow nothing.
        if logs.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw CLIError("--log needs a file path, a glob or - for stdin, not an empty string.", exitCode: 64)
        }
        let rule = try alertRule()
        guard !logs.isEmpty else { return nil }
        let backfillSeconds = try backfill.bounded(.backfill, default: 900).seconds
        let staleSeconds = try stale.bounded(.stale, default: 300).seconds
        var zone: TimeZone?
        if let logTimeZone {
            guard let parsed = TimeZone(identifier: logTimeZone) ?? TimeZone(abbreviation: logTimeZone) else {
                throw CLIError("--log-tz \(DisplayEscaper.escape(logTimeZone)) is not a time zone (try UTC or Europe/Paris).")
            }
            zone = parsed
        }
        return LogMonitor(paths: logs, backfillSeconds: backfillSeconds, timeZone: zone, alertRule: rule,
                          staleAfterSeconds: staleSeconds, familyOf: FamilyNaming.familyOf,
                          deployPatterns: deployPatterns ?? DeployLines.defaultPatterns)
    }
}
