import Foundation

/// Why an alert rule was refused (one sentence for the user).
public struct AlertRuleError: Error, Equatable, CustomStringConvertible, Sendable {
    public var description: String
}

/// Thresholds for the fail-open rate (`--warn-rate`, `--crit-rate`, `--alert-window`, `--for`).
public struct AlertRule: Sendable, Equatable {
    /// Events per minute over the window that raise `warn`.
    public var warnPerMinute: Double
    /// Events per minute over the window that raise `crit`.
    public var critPerMinute: Double
    /// The window the rate is measured over, in seconds (1…3600).
    public var windowSeconds: Int
    /// How long a condition must hold before the level changes (Prometheus `for:`), in seconds.
    public var forSeconds: Double
    /// A level is left only when the rate stays below this fraction of its threshold for `forSeconds`.
    public var recoveryFraction: Double

    /// Creates a rule without checking it; call `validate()` (or use `validated`).
    public init(warnPerMinute: Double = 10, critPerMinute: Double = 50, windowSeconds: Int = 60,
                forSeconds: Double = 0, recoveryFraction: Double = 0.8) {
        self.warnPerMinute = warnPerMinute
        self.critPerMinute = critPerMinute
        self.windowSeconds = windowSeconds
        self.forSeconds = forSeconds
        self.recoveryFraction = recoveryFraction
    }

    /// Creates a rule and checks it.
    public static func validated(warnPerMinute: Double = 10, critPerMinute: Double = 50, windowSeconds: Int = 60,
                                 forSeconds: Double = 0) throws -> AlertRule {
        let rule = AlertRule(warnPerMinute: warnPerMinute, critPerMinute: critPerMinute,
                             windowSeconds: windowSeconds, forSeconds: forSeconds)
        try rule.validate()
        return rule
    }

    /// Throws a one-sentence error when the thresholds make no sense.
    public func validate() throws {
        guard warnPerMinute.isFinite, warnPerMinute > 0 else {
            throw AlertRuleError(description: "--warn-rate must be a positive number of events per minute.")
        }
        guard critPerMinute.isFinite, critPerMinute > 0 else {
            throw AlertRuleError(description: "--crit-rate must be a positive number of events per minute.")
        }
        guard warnPerMinute <= critPerMinute else {
            throw AlertRuleError(description: "--warn-rate (\(JSONValue.format(warnPerMinute))) must not be above --crit-rate (\(JSONValue.format(critPerMinute))).")
        }
        guard (1...FailOpenCounter.horizonSeconds).contains(windowSeconds) else {
            throw AlertRuleError(description: "--alert-window must be between 1 second and 60 minutes.")
        }
        guard forSeconds.isFinite, forSeconds >= 0 else {
            throw AlertRuleError(description: "--for must be zero or a positive duration.")
        }
        guard recoveryFraction > 0, recoveryFraction <= 1 else {
            throw AlertRuleError(description: "The recovery fraction must be in (0, 1].")
        }
    }

    /// Events per minute from a count over the window.
    public func ratePerMinute(count: Int) -> Double {
        Double(count) * 60 / Double(windowSeconds)
    }
}
