import Foundation

/// Spaces a budgeted census's pages so that it reads at most `keysPerSecond`, and never pays back time it lost.
///
/// Keys are counted in a window that starts when the pace was last set. After each page the pacer says when the
/// next may be sent: `windowStart + keysInWindow / rate`. When that moment is already well past (Redis stalled,
/// `DEBUG SLEEP`, a reconnect, the process was stopped), the window restarts at `now`: a recovering server gets
/// the budget or less, never a catch-up burst. Small lateness (up to `slackSeconds`, or one page's time) is kept
/// so the long-run pace stays on the budget despite round trips.
public struct CensusPacer: Sendable, Equatable {
    /// How late the schedule may fall before it restarts (seconds; the larger of this and one page's time).
    public var slackSeconds: Double
    private var windowStart: Date
    private var windowKeys = 0
    private var rate: Double

    public init(now: Date, keysPerSecond: Double, slackSeconds: Double = 0.25) {
        windowStart = now
        rate = max(1, keysPerSecond)
        self.slackSeconds = slackSeconds
    }

    /// Records a page of `keys` read at `now` at the pace `keysPerSecond`; returns when the next page may be sent
    /// (`now` or later).
    public mutating func nextSend(afterReading keys: Int, now: Date, keysPerSecond: Double) -> Date {
        let pace = max(1, keysPerSecond)
        if pace != rate {
            rate = pace
            windowStart = now
            windowKeys = 0
        }
        windowKeys += max(0, keys)
        let due = windowStart.addingTimeInterval(Double(windowKeys) / rate)
        let pageSeconds = Double(max(0, keys)) / rate
        if now.timeIntervalSince(due) > max(slackSeconds, pageSeconds) {
            // Behind schedule after a stall: start again from now instead of catching up.
            windowStart = now
            windowKeys = 0
            return now
        }
        return max(due, now)
    }
}
