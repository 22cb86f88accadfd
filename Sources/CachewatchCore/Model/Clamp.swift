/// Conversions and sums that never trap on hostile numbers (a huge PTTL, a log timestamp of 1e22, a
/// counter near 2^63): what `Int(x)` and `+` would trap on is clamped to the representable range.
public enum Clamp {
    /// `value` rounded toward zero into `Int`; NaN → 0, ±∞ and out-of-range values → `Int.min`/`Int.max`.
    public static func int(_ value: Double) -> Int {
        Int(int64(value))
    }

    /// `value` rounded toward zero into `Int64`; NaN → 0, ±∞ and out-of-range values → `Int64.min`/`Int64.max`.
    public static func int64(_ value: Double) -> Int64 {
        guard !value.isNaN else { return 0 }
        // 2^63 is exactly representable; every Double below it converts.
        if value >= 9_223_372_036_854_775_808.0 { return .max }
        if value <= -9_223_372_036_854_775_808.0 { return .min }
        return Int64(value)
    }

    /// `a + b`, saturating at the type's bounds instead of trapping.
    public static func sum<T: FixedWidthInteger>(_ a: T, _ b: T) -> T {
        let (result, overflow) = a.addingReportingOverflow(b)
        guard overflow else { return result }
        return b > 0 ? .max : .min
    }

    /// `a - b`, saturating at the type's bounds instead of trapping.
    public static func difference<T: FixedWidthInteger>(_ a: T, _ b: T) -> T {
        let (result, overflow) = a.subtractingReportingOverflow(b)
        guard overflow else { return result }
        return b < 0 ? .max : .min
    }
}
