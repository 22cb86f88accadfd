import ArgumentParser
import CachewatchCore

/// A duration flag's value (`90`, `5s`, `500ms`, `1m30s`, `1h`), parsed once when ArgumentParser reads it
/// with the core's one grammar (`BoundedDuration.parseSeconds`); `bounded(_:)` checks the option's range.
///
/// Parsing never fails here, so that a bad value gets cachewatch's own one sentence and exit 64
/// (`--alert-window must be between 1s and 1h, not "inf".`) instead of a usage dump.
struct DurationArgument: ExpressibleByArgument, Equatable {
    /// The text as given.
    let text: String
    /// Its value in seconds; nil when the text is not a duration.
    let parsedSeconds: Double?

    init(argument: String) {
        text = argument
        parsedSeconds = BoundedDuration.parseSeconds(argument)
    }

    var defaultValueDescription: String { text }

    /// The value within `bounds`; a value outside it (or no duration at all) is a usage error (exit 64).
    func bounded(_ bounds: DurationBounds) throws -> BoundedDuration {
        do {
            return try BoundedDuration(parsedSeconds: parsedSeconds, text: text, bounds: bounds)
        } catch let error as DurationRangeError {
            throw CLIError(error.description, exitCode: 64)
        }
    }
}

extension Optional where Wrapped == DurationArgument {
    /// The flag's value within `bounds`, else the config file's text (already checked by the loader), else `fallback`.
    func bounded(_ bounds: DurationBounds, config: String? = nil, default fallback: Double) throws -> BoundedDuration {
        if let self { return try self.bounded(bounds) }
        if let config { return try DurationArgument(argument: config).bounded(bounds) }
        return BoundedDuration(seconds: fallback, bounds: bounds)
    }
}
