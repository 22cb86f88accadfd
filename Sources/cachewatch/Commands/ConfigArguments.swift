import ArgumentParser
import CachewatchCore
import Foundation

/// `--config PATH`: a TOML file of defaults for the flags (format in the README).
struct ConfigArguments: ParsableArguments {
    @Option(name: .customLong("config"), help: "Config file (default: $CACHEWATCH_CONFIG, else ~/.config/cachewatch/config.toml when present).")
    var path: String?

    /// The config file's values; an explicit path must exist, the default one may not.
    func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ConfigFile {
        let explicit = path ?? environment["CACHEWATCH_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        guard let chosen = explicit ?? ConfigFile.defaultPath(environment: environment) else { return ConfigFile() }
        if explicit == nil && !FileManager.default.fileExists(atPath: chosen) { return ConfigFile() }
        do {
            let config = try ConfigFile.load(path: chosen)
            for warning in config.warnings {
                FileHandle.standardError.write(Data("Warning: \(DisplayEscaper.escape(warning))\n".utf8))
            }
            return config
        } catch let error as TOMLError {
            throw CLIError(error.line > 0 ? error.description : "Cannot read the config file \(chosen).")
        }
    }
}

// MARK: - Merging (flags win over the file)

extension LogArguments {
    /// These flags with the config file's values where a flag was not given.
    func merged(with config: ConfigFile) -> LogArguments {
        var merged = self
        if merged.logs.isEmpty { merged.logs = config.logPaths ?? [] }
        merged.backfill = backfill ?? config.backfill.map(DurationArgument.init(argument:))
        merged.logTimeZone = logTimeZone ?? config.logTimeZone
        merged.warnRate = warnRate ?? config.warnRate
        merged.critRate = critRate ?? config.critRate
        merged.alertWindow = alertWindow ?? config.alertWindow.map(DurationArgument.init(argument:))
        merged.forDuration = forDuration ?? config.forDuration.map(DurationArgument.init(argument:))
        merged.stale = stale ?? config.stale.map(DurationArgument.init(argument:))
        return merged
    }
}

extension CensusArguments {
    /// These flags with the config file's values where a flag was not given.
    func merged(with config: ConfigFile) -> CensusArguments {
        var merged = self
        merged.scanBudget = scanBudget ?? config.scanBudget
        merged.maxFamilies = maxFamilies ?? config.maxFamilies
        merged.memory = memory || config.memory == true
        merged.refresh = refresh ?? config.censusRefresh.map(DurationArgument.init(argument:))
        return merged
    }
}

extension DisplayArguments {
    /// These flags with the config file's values where a flag was not given.
    func merged(with config: ConfigFile) -> DisplayArguments {
        var merged = self
        merged.theme = theme ?? config.theme
        merged.bell = bell || config.bell == true
        merged.ascii = ascii || config.ascii == true
        return merged
    }
}
