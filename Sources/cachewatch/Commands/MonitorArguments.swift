import ArgumentParser
import CachewatchCore
import Foundation

/// The options of the streaming commands (`watch`, `record`): connection, logs, census and config, listed in that
/// order in `--help`.
struct MonitorArguments: ParsableArguments {
    @OptionGroup var connection: ConnectionArguments
    @OptionGroup var logArguments: LogArguments
    @OptionGroup var censusArguments: CensusArguments
    @OptionGroup var config: ConfigArguments

    /// Loads the config, bounds `--interval` (default 1 s) and `--count`, and makes the monitoring session (its
    /// collector samples at least once a second). Not started yet.
    func makeStreamingSession(noCensus: Bool, interval: DurationArgument?, count: Int?) throws
        -> (session: MonitoringSession, intervalSeconds: Double) {
        let settings = try config.load()
        let intervalSeconds = try interval.bounded(.interval, config: settings.interval, default: 1).seconds
        if let count, count < 1 { throw CLIError("--count must be at least 1.") }
        let session = try makeMonitoringSession(connection: connection, logs: logArguments, census: censusArguments, settings: settings,
                                                noCensus: noCensus, intervalSeconds: min(intervalSeconds, 1))
        return (session, intervalSeconds)
    }
}
