import CachewatchCore
import CachewatchLogs
import Foundation

/// What a one-shot sample (`snapshot`, `check`) takes from the log and census flags merged with the config: the
/// scan budget and the log monitor, which is already reading stdin with `--log -` while the server is sampled.
struct OneShotInputs {
    var logArguments: LogArguments
    var censusArguments: CensusArguments
    /// `--scan-budget` (validated, with `--max-families`).
    var budget: Int
    /// nil without `--log`.
    var logs: LogMonitor?

    /// Merges the flags with `settings`, makes the log monitor and checks the census bounds (errors in that order).
    init(logArguments: LogArguments, censusArguments: CensusArguments, settings: ConfigFile) throws {
        self.logArguments = logArguments.merged(with: settings)
        self.censusArguments = censusArguments.merged(with: settings)
        logs = try self.logArguments.makeMonitor(deployPatterns: settings.deployPatterns)
        budget = try self.censusArguments.validatedBudget()
        // `--log -`: stdin has its own reader thread; read it (to EOF) while the server is sampled.
        if readsStdin { logs?.start() }
    }

    /// True with `--log -`.
    var readsStdin: Bool { logArguments.logs.contains("-") }

    /// After the sample: waits for stdin's end (with `--log -`) and reads what the log files hold, so that
    /// `logs.report(now:)` describes everything written up to now.
    func drainLogs() {
        if readsStdin, let logs {
            while !logs.stdinEnded { Thread.sleep(forTimeInterval: 0.02) }
            logs.stop()
        }
        logs?.pollOnce()
    }
}
