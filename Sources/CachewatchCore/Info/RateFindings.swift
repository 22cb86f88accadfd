/// Turns the INFO rates of the latest interval into warnings (the census has its own: `Findings`).
///
/// Codes: `pattern-invalidation` (the application runs more `SCAN`s per second than the threshold: the
/// cache guide's "pattern invalidation on every mutation" anti-pattern). One sentence each.
public enum RateFindings {
    /// The application's `SCAN` calls per second above which `pattern-invalidation` is reported.
    public static let defaultScanWarnPerSecond: Double = 10

    /// Warn findings for `rates` (nil rates → none). `rates` should have had the observer's SCANs excluded.
    public static func evaluate(rates: InfoRates?, scanWarnPerSecond: Double = defaultScanWarnPerSecond) -> [Finding] {
        guard let rates else { return [] }
        var thresholds = FindingThresholds()
        thresholds.scanPerSecond = scanWarnPerSecond
        return ServerFindings.rateFindings(rates, info: nil, thresholds: thresholds).filter { $0.code == "pattern-invalidation" }
    }

    /// `14`, or `2.5` below 10.
    static func perSecond(_ value: Double) -> String {
        guard value.isFinite else { return "?" }
        return value >= 10 ? "\(Clamp.int(value.rounded()))" : String(Double((value * 10).rounded()) / 10)
    }
}
