import CachewatchCore
import CachewatchLogs
import Foundation

extension LogArguments {
    /// The alert rule from the flags (validated: positive thresholds, warn ≤ crit).
    func alertRule() throws -> AlertRule {
        let window = try seconds(alertWindow, flag: "--alert-window", default: 60)
        let holdFor = try seconds(forDuration, flag: "--for", default: 0)
        guard window >= 1 else { throw CLIError("--alert-window must be at least 1s.") }
        do {
            return try AlertRule.validated(warnPerMinute: warnRate ?? 10, critPerMinute: critRate ?? 50,
                                           windowSeconds: Int(window.rounded()), forSeconds: holdFor)
        } catch let error as AlertRuleError {
            throw CLIError(error.description)
        }
    }

    /// A log monitor for the `--log` sources, or nil when none were given.
    func makeMonitor() throws -> LogMonitor? {
        let rule = try alertRule()
        guard !logs.isEmpty else { return nil }
        let backfillSeconds = try seconds(backfill, flag: "--backfill", default: 900)
        let staleSeconds = try seconds(stale, flag: "--stale", default: 300)
        var zone: TimeZone?
        if let logTimeZone {
            guard let parsed = TimeZone(identifier: logTimeZone) ?? TimeZone(abbreviation: logTimeZone) else {
                throw CLIError("--log-tz \(DisplayEscaper.escape(logTimeZone)) is not a time zone (try UTC or Europe/Paris).")
            }
            zone = parsed
        }
        return LogMonitor(paths: logs, backfillSeconds: backfillSeconds, timeZone: zone, alertRule: rule,
                          staleAfterSeconds: staleSeconds, familyOf: FamilyNaming.familyOf)
    }

    private func seconds(_ text: String?, flag: String, default value: Double) throws -> Double {
        guard let text else { return value }
        guard let seconds = DurationText.seconds(text) else {
            throw CLIError("\(flag) must be a duration such as 30s, 5m or 1h, not \(DisplayEscaper.escape(text)).")
        }
        return seconds
    }
}
