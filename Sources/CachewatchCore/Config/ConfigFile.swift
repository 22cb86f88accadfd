import Foundation

/// `config.toml`: defaults for the flags (flags always win), finding thresholds and silences.
///
/// Sections: top level (`theme`, `bell`, `ascii`, `interval`), `[connection]`, `[census]`, `[logs]`,
/// `[findings]`, `[check]` and `[[silence]]`; every key is listed in `examples/config.toml` and the README.
/// Parsed with TOMLKit (`TOMLParser`); unknown sections and keys, and values of the wrong type, are errors
/// that read `file:line: reason`.
public struct ConfigFile: Equatable, Sendable {
    /// The file it was read from (nil when built in code).
    public var path: String?
    public var theme: String?
    public var bell: Bool?
    public var ascii: Bool?
    public var interval: String?
    public var censusEnabled: Bool?
    public var scanBudget: Int?
    public var maxFamilies: Int?
    public var memory: Bool?
    /// `[census] refresh`: the duration text (checked against `DurationBounds.refresh` when read).
    public var censusRefresh: String?
    public var logPaths: [String]?
    public var backfill: String?
    public var logTimeZone: String?
    public var warnRate: Double?
    public var critRate: Double?
    public var alertWindow: String?
    public var forDuration: String?
    public var stale: String?
    /// `[logs] deploy_patterns`: lines containing one of these are app deploy markers (nil: the defaults).
    public var deployPatterns: [String]?
    /// `[connection]`: the lowest layer of connection settings (below the app's environment and `.env`).
    public var connection = ConfigConnection()
    /// `[findings]`: thresholds (defaults where the file is silent).
    public var thresholds = FindingThresholds()
    /// `[[silence]]` entries, in file order.
    public var silences: [FindingSilence] = []
    /// `[check] fail_on`: `warn` or `crit`.
    public var checkFailOn: String?
    /// Things worth saying on stderr (a password in a file others can read).
    public var warnings: [String] = []

    public init() {}

    /// Known sections and whether each is an array of tables (`[[silence]]`).
    static let knownSections: [String: Bool] = ["connection": false, "census": false, "logs": false, "findings": false,
                                                 "check": false, "silence": true]

    // MARK: - Loading

    /// The default location: `$CACHEWATCH_CONFIG`, else `$XDG_CONFIG_HOME/cachewatch/config.toml`,
    /// else `~/.config/cachewatch/config.toml`.
    public static func defaultPath(environment: [String: String]) -> String? {
        if let explicit = environment["CACHEWATCH_CONFIG"], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/cachewatch/config.toml" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/cachewatch/config.toml" }
        return nil
    }

    /// Reads and validates a config file; errors read `file:line: reason`.
    public static func load(path: String) throws -> ConfigFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TOMLError(file: path, line: 0, reason: "cannot read the config file")
        }
        var config = try parse(try TOMLText.decode(data, file: path), file: path)
        config.path = path
        if config.connection.password != nil,
           let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int, mode & 0o077 != 0 {
            config.warnings.append("\(path) holds a password and others can read it (mode \(String(mode & 0o777, radix: 8))); "
                + "run chmod 600 on it, or name an environment variable with password_env instead.")
        }
        return config
    }

    /// Parses config text; unknown sections and keys, and values of the wrong type, are errors.
    public static func parse(_ text: String, file: String) throws -> ConfigFile {
        let document = try TOMLParser.parse(text, file: file)
        var config = ConfigFile()
        for section in document.sections {
            guard let isArray = knownSections[section.name] else {
                throw document.error(line: section.line, "unknown section [\(section.name)] "
                    + "(known: [connection], [census], [logs], [findings], [check], [[silence]])")
            }
            if isArray && section.index == nil {
                throw document.error(line: section.line, "\(section.name) must be written [[\(section.name)]] (one table per entry)")
            }
            if !isArray && section.index != nil {
                throw document.error(line: section.line, "[[\(section.name)]] must be written [\(section.name)]")
            }
        }
        var silences: [Int: (code: String?, pattern: String?, line: Int)] = [:]
        for entry in document.entries {
            let reader = ConfigEntryReader(entry: entry, document: document)
            if entry.section == "silence", let index = entry.tableIndex {
                let header = document.sections.first { $0.name == "silence" && $0.index == index }?.line ?? entry.line
                var silence = silences[index] ?? (nil, nil, header)
                switch entry.key {
                case "code": silence.code = try reader.string()
                case "pattern": silence.pattern = try reader.string()
                case "reason": _ = try reader.string()
                default: throw reader.unknownKey()
                }
                silences[index] = silence
            } else {
                try config.apply(reader)
            }
        }
        for index in silences.keys.sorted() {
            guard let silence = silences[index] else { continue }
            guard silence.code != nil || silence.pattern != nil else {
                throw document.error(line: silence.line, "a [[silence]] needs a code, a pattern, or both")
            }
            config.silences.append(FindingSilence(code: silence.code, pattern: silence.pattern))
        }
        if let section = document.sections.first(where: { $0.name == "silence" && silences[$0.index ?? -1] == nil }) {
            throw document.error(line: section.line, "a [[silence]] needs a code, a pattern, or both")
        }
        try config.checkConsistency(document)
        return config
    }

    /// Cross-key rules: warn ≤ crit, password or password_env (not both).
    private func checkConsistency(_ document: TOMLDocument) throws {
        func line(_ key: String, _ section: String) -> Int { document.entry(key, in: section)?.line ?? 1 }
        if let warn = warnRate, let crit = critRate, warn > crit {
            throw document.error(line: line("warn_rate", "logs"), "warn_rate (\(warn)) must not be above crit_rate (\(crit))")
        }
        if connection.password != nil && connection.passwordEnv != nil {
            throw document.error(line: line("password_env", "connection"), "give password or password_env, not both")
        }
        if thresholds.hitRatioCrit > thresholds.hitRatioWarn {
            throw document.error(line: line("hit_ratio_crit", "findings"), "hit_ratio_crit must not be above hit_ratio_warn")
        }
        if thresholds.memoryWarnFraction > thresholds.memoryCritFraction {
            throw document.error(line: line("memory_warn", "findings"), "memory_warn must not be above memory_crit")
        }
        if thresholds.evictionsWarnPerSecond > thresholds.evictionsCritPerSecond {
            throw document.error(line: line("evictions_warn", "findings"), "evictions_warn must not be above evictions_crit")
        }
    }
}

/// `[connection]` of the config file: where Redis is when neither flags nor the app's settings say.
public struct ConfigConnection: Equatable, Sendable {
    public var host: String?
    public var port: Int?
    public var socket: String?
    public var db: Int?
    /// `db` given as a list or `all` (`"0,1,3"`, `[0, 1, 3]`, `"all"`); wins over `db` when set.
    public var databases: DatabaseSelection?
    public var user: String?
    /// A password written in the file (cachewatch warns when others can read the file).
    public var password: String?
    /// The name of an environment variable holding the password.
    public var passwordEnv: String?
    public var connectTimeout: String?

    public init() {}
}

/// Decoding a config or theme file's bytes.
enum TOMLText {
    /// The text of `data`; invalid UTF-8 is an error naming the line it is on.
    static func decode(_ data: Data, file: String) throws -> String {
        if let text = String(data: data, encoding: .utf8) { return text }
        var line = 1
        var valid = 0
        var iterator = data.makeIterator()
        var decoder = UTF8()
        decode: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" { line += 1 }
                valid += 1
            case .emptyInput: break decode
            case .error: break decode
            }
        }
        throw TOMLError(file: file, line: line, reason: "the file is not valid UTF-8")
    }
}
