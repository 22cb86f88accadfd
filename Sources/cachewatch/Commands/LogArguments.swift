import ArgumentParser

/// Log sources and the fail-open alert rule.
struct LogArguments: ParsableArguments {
    @Option(name: .customLong("log"), help: "An app log to follow (repeatable; globs allowed; - for stdin).")
    var logs: [String] = []

    @Option(name: .long, help: "How much of each log to read back at start, 0s…7d (default 15m).")
    var backfill: DurationArgument?

    @Option(name: .customLong("log-tz"), help: "Time zone of naive log timestamps (default: local), e.g. UTC or Europe/Paris.")
    var logTimeZone: String?

    @Option(name: .customLong("warn-rate"), help: "Fail-open lines per minute that raise a warning (default 10).")
    var warnRate: Double?

    @Option(name: .customLong("crit-rate"), help: "Fail-open lines per minute that are critical (default 50).")
    var critRate: Double?

    @Option(name: .customLong("alert-window"), help: "Window the rate is measured over, 1s…1h (default 1m).")
    var alertWindow: DurationArgument?

    @Option(name: .customLong("for"), help: "How long a level's condition must hold before it fires, 0s…24h (default 0s).")
    var forDuration: DurationArgument?

    @Option(name: .long, help: "A source silent for longer than this is reported stale, 1s…7d (default 5m).")
    var stale: DurationArgument?
}
