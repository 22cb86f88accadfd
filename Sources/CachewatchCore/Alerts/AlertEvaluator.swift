import Foundation

/// Advances the fail-open alert state `ok` → `warn` → `crit` with `for` and hysteresis.
///
/// Each `evaluate` looks at the current rate at time `now` (injected; nothing here reads the clock):
/// - up: `rate ≥ crit` (or `≥ warn`) must have held at every evaluation for `forSeconds`;
///   `ok` may go straight to `crit`.
/// - down: `crit` is left only after `rate < 0.8 × crit` held for `forSeconds`, to `ok` when
///   `rate < 0.8 × warn` held as long too, else to `warn`; `warn` drops to `ok` after
///   `rate < 0.8 × warn` held for `forSeconds`.
/// A condition "holds since" the first evaluation it was true at, and is reset by one false evaluation.
/// Evaluations with a `now` earlier than the previous one are ignored (no time travel).
public struct AlertEvaluator: Sendable {
    public static let historyLimit = 100

    public let rule: AlertRule
    public private(set) var level: AlertLevel = .ok
    /// When the current level began (the first evaluation for `ok`).
    public private(set) var since: Date?
    /// Transitions, oldest first (at most 100).
    public private(set) var history: [AlertTransition] = []
    public private(set) var lastRatePerMinute = 0.0
    private var lastEvaluation: Date?
    private var atOrAboveWarnSince: Date?
    private var atOrAboveCritSince: Date?
    private var belowWarnRecoverySince: Date?
    private var belowCritRecoverySince: Date?

    public init(rule: AlertRule) {
        self.rule = rule
    }

    // MARK: - Evaluation

    /// Evaluates the rule on the counter's rate over the rule's window.
    @discardableResult
    public mutating func evaluate(counter: FailOpenCounter, now: Date) -> AlertTransition? {
        evaluate(ratePerMinute: rule.ratePerMinute(count: counter.count(lastSeconds: rule.windowSeconds, now: now)), now: now)
    }

    /// Evaluates the rule on a rate (events per minute) seen at `now`; returns the transition it caused.
    @discardableResult
    public mutating func evaluate(ratePerMinute rate: Double, now: Date) -> AlertTransition? {
        if let lastEvaluation, now < lastEvaluation { return nil }
        lastEvaluation = now
        lastRatePerMinute = rate
        if since == nil { since = now }
        Self.track(&atOrAboveWarnSince, rate >= rule.warnPerMinute, now)
        Self.track(&atOrAboveCritSince, rate >= rule.critPerMinute, now)
        Self.track(&belowWarnRecoverySince, rate < rule.warnPerMinute * rule.recoveryFraction, now)
        Self.track(&belowCritRecoverySince, rate < rule.critPerMinute * rule.recoveryFraction, now)

        let critHeld = held(atOrAboveCritSince, now)
        let warnHeld = held(atOrAboveWarnSince, now)
        let warnRecovered = held(belowWarnRecoverySince, now)
        let critRecovered = held(belowCritRecoverySince, now)
        var next = level
        switch level {
        case .ok:
            if critHeld { next = .crit } else if warnHeld { next = .warn }
        case .warn:
            if critHeld { next = .crit } else if warnRecovered { next = .ok }
        case .crit:
            if critRecovered { next = warnRecovered ? .ok : .warn }
        }
        guard next != level else { return nil }
        let transition = AlertTransition(at: now, from: level, to: next, ratePerMinute: rate)
        level = next
        since = now
        history.append(transition)
        if history.count > Self.historyLimit { history.removeFirst(history.count - Self.historyLimit) }
        return transition
    }

    private static func track(_ start: inout Date?, _ condition: Bool, _ now: Date) {
        if condition {
            if start == nil { start = now }
        } else {
            start = nil
        }
    }

    private func held(_ start: Date?, _ now: Date) -> Bool {
        guard let start else { return false }
        return now.timeIntervalSince(start) >= rule.forSeconds
    }
}
