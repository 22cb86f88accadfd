import Foundation

/// `config.toml`: defaults for the dashboard's flags (flags always win).
///
/// ```toml
/// theme = "high-contrast"     # name or path
/// bell = true
/// ascii = false
/// interval = "1s"
///
/// [census]
/// scan_budget = 5000          # keys/s
/// max_families = 200
/// memory = false
/// enabled = true
///
/// [logs]
/// paths = ["/srv/app/logs/app.log"]
/// backfill = "15m"
/// tz = "UTC"
/// warn_rate = 10              # fail-open lines per minute
/// crit_rate = 50
/// alert_window = "1m"
/// for = "30s"
/// stale = "5m"
/// ```
///
/// Connection settings are deliberately not here: they come from flags, `--url`, or the app's own
/// `CACHE_REDIS_*` environment and `.env`, so cachewatch reaches the cache the app uses.
public struct ConfigFile: Equatable, Sendable {
    public var theme: String?
    public var bell: Bool?
    public var ascii: Bool?
    public var interval: String?
    public var censusEnabled: Bool?
    public var scanBudget: Int?
    public var maxFamilies: Int?
    public var memory: Bool?
    public var logPaths: [String]?
    public var backfill: String?
    public var logTimeZone: String?
    public var warnRate: Double?
    public var critRate: Double?
    public var alertWindow: String?
    public var forDuration: String?
    public var stale: String?

    public init() {}

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
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// Parses config text; unknown sections and keys, and values of the wrong type, are errors.
    public static func parse(_ text: String, file: String) throws -> ConfigFile {
        let document = try TOMLParser.parse(text, file: file)
        var config = ConfigFile()
        for section in document.sections where !["census", "logs"].contains(section.name) {
            throw document.error(line: section.line, "unknown section [\(section.name)] (known: [census], [logs])")
        }
        for entry in document.entries {
            try config.apply(entry, document: document)
        }
        return config
    }

    // MARK: - Keys

    private mutating func apply(_ entry: TOMLEntry, document: TOMLDocument) throws {
        func string() throws -> String {
            guard case .string(let value) = entry.value else { throw wrongType("a string") }
            return value
        }
        func bool() throws -> Bool {
            guard case .bool(let value) = entry.value else { throw wrongType("true or false") }
            return value
        }
        func integer(minimum: Int, maximum: Int) throws -> Int {
            guard case .integer(let value) = entry.value else { throw wrongType("an integer") }
            guard value >= minimum else { throw document.error(line: entry.line, "\(entry.key) must be at least \(minimum)") }
            guard value <= maximum else { throw document.error(line: entry.line, "\(entry.key) must be at most \(maximum)") }
            return value
        }
        func number() throws -> Double {
            switch entry.value {
            case .integer(let value) where value > 0: return Double(value)
            case .float(let value) where value > 0: return value
            default: throw wrongType("a positive number")
            }
        }
        /// A duration string within the option's range (the same check as its flag's).
        func duration(_ bounds: DurationBounds) throws -> String {
            let value = try string()
            do {
                _ = try BoundedDuration(value, bounds: bounds)
            } catch let error as DurationRangeError {
                throw document.error(line: entry.line, error.message(name: entry.key))
            }
            return value
        }
        func wrongType(_ expected: String) -> TOMLError {
            document.error(line: entry.line, "\(entry.key) must be \(expected), not \(entry.value.typeName)")
        }

        switch (entry.section, entry.key) {
        case ("", "theme"): theme = try string()
        case ("", "bell"): bell = try bool()
        case ("", "ascii"): ascii = try bool()
        case ("", "interval"): interval = try duration(.interval)
        case ("census", "enabled"): censusEnabled = try bool()
        case ("census", "scan_budget"): scanBudget = try integer(minimum: 1, maximum: CensusAccumulator.maximumScanBudget)
        case ("census", "max_families"): maxFamilies = try integer(minimum: 1, maximum: CensusAccumulator.maximumFamilies)
        case ("census", "memory"): memory = try bool()
        case ("logs", "paths"):
            guard case .array(let items) = entry.value else { throw wrongType("an array of strings") }
            logPaths = try items.map { item in
                guard case .string(let path) = item else { throw wrongType("an array of strings") }
                guard !path.trimmingCharacters(in: .whitespaces).isEmpty else { throw document.error(line: entry.line, "paths must not contain an empty path") }
                return path
            }
        case ("logs", "backfill"): backfill = try duration(.backfill)
        case ("logs", "tz"): logTimeZone = try string()
        case ("logs", "warn_rate"): warnRate = try number()
        case ("logs", "crit_rate"): critRate = try number()
        case ("logs", "alert_window"): alertWindow = try duration(.alertWindow)
        case ("logs", "for"): forDuration = try duration(.holdFor)
        case ("logs", "stale"): stale = try duration(.stale)
        default:
            let place = entry.section.isEmpty ? "at the top level" : "in [\(entry.section)]"
            throw document.error(line: entry.line, "unknown key \(entry.key) \(place)")
        }
    }
}
