import Foundation

/// When a budgeted census worker walks again after a complete pass (steady-state pacing: the session answers from
/// the store with `CensusSchedule`).
public struct CensusPassGate: Sendable {
    /// Called as each pass starts.
    public var passStarted: @Sendable (Date) -> Void
    /// Asked about every `pollSeconds` after a complete pass: true to start the next one now.
    public var isDue: @Sendable (Date) -> Bool
    /// Also wait before the first pass (a budgeted census resuming after a complete `F` pass).
    public var waitBeforeFirstPass: Bool
    public var pollSeconds: Double

    public init(waitBeforeFirstPass: Bool = false, pollSeconds: Double = 1, passStarted: @escaping @Sendable (Date) -> Void,
                isDue: @escaping @Sendable (Date) -> Bool) {
        self.passStarted = passStarted
        self.isDue = isDue
        self.waitBeforeFirstPass = waitBeforeFirstPass
        self.pollSeconds = pollSeconds.isFinite ? min(max(0.05, pollSeconds), 60) : 1
    }
}
