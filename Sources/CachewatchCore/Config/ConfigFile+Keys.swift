/// The keys of each config section.
extension ConfigFile {
    mutating func apply(_ reader: ConfigEntryReader) throws {
        switch reader.entry.section {
        case "": try applyTopLevel(reader)
        case "connection": try applyConnection(reader)
        case "census": try applyCensus(reader)
        case "logs": try applyLogs(reader)
        case "findings": try thresholds.apply(reader)
        case "check":
            guard reader.entry.key == "fail_on" else { throw reader.unknownKey() }
            let value = try reader.string()
            guard ["warn", "crit"].contains(value) else { throw reader.fail("fail_on must be \"warn\" or \"crit\"") }
            checkFailOn = value
        default: throw reader.unknownKey()
        }
    }

    private mutating func applyTopLevel(_ reader: ConfigEntryReader) throws {
        switch reader.entry.key {
        case "theme": theme = try reader.string()
        case "bell": bell = try reader.bool()
        case "ascii": ascii = try reader.bool()
        case "interval": interval = try reader.duration(.interval)
        default: throw reader.unknownKey()
        }
    }

    private mutating func applyConnection(_ reader: ConfigEntryReader) throws {
        switch reader.entry.key {
        case "host":
            let host = try reader.string()
            guard !host.isEmpty, !host.unicodeScalars.contains(where: { $0.value < 0x21 || $0 == "/" }) else {
                throw reader.fail("host must be a host name or an IP address")
            }
            connection.host = host
        case "port": connection.port = try reader.integer(in: 1...65535)
        case "socket": connection.socket = try reader.string()
        case "db": try applyDatabases(reader)
        case "user": connection.user = try reader.string()
        case "password": connection.password = try reader.string()
        case "password_env":
            let name = try reader.string()
            guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" }) else {
                throw reader.fail("password_env must name an environment variable, such as CACHE_REDIS_PASSWORD")
            }
            connection.passwordEnv = name
        case "connect_timeout": connection.connectTimeout = try reader.duration(.connectTimeout)
        default: throw reader.unknownKey()
        }
    }

    /// `db`: a number (as before), `"0,1,3"` / `"all"`, or an array of numbers (several databases).
    private mutating func applyDatabases(_ reader: ConfigEntryReader) throws {
        switch reader.entry.value {
        case .integer:
            connection.db = try reader.integer(in: 0...DatabaseSelection.maximumIndex)
        case .string(let text):
            do {
                connection.databases = try DatabaseSelection.parse(text, source: "db")
            } catch let error as ConnectionOptionsError {
                throw reader.fail("db must be a database number, a list such as \"0,1,3\", or \"all\" (\(error.message))")
            }
        case .array(let items):
            let numbers = items.compactMap { item -> Int? in if case .integer(let n) = item { return n } else { return nil } }
            guard numbers.count == items.count, !numbers.isEmpty else { throw reader.wrongType("a database number, a list such as \"0,1,3\", or \"all\"") }
            do {
                connection.databases = try DatabaseSelection.parse(numbers.map(String.init).joined(separator: ","), source: "db")
            } catch let error as ConnectionOptionsError {
                throw reader.fail("db must list database numbers (0 to \(DatabaseSelection.maximumIndex)) once each, at most \(DatabaseSelection.maximumCount) (\(error.message))")
            }
        default:
            throw reader.wrongType("a database number, a list such as \"0,1,3\", or \"all\"")
        }
    }

    private mutating func applyCensus(_ reader: ConfigEntryReader) throws {
        switch reader.entry.key {
        case "enabled": censusEnabled = try reader.bool()
        case "scan_budget": scanBudget = try reader.integer(in: 1...CensusAccumulator.maximumScanBudget)
        case "max_families": maxFamilies = try reader.integer(in: 1...CensusAccumulator.maximumFamilies)
        case "memory": memory = try reader.bool()
        case "refresh": censusRefresh = try reader.duration(.refresh)
        default: throw reader.unknownKey()
        }
    }

    private mutating func applyLogs(_ reader: ConfigEntryReader) throws {
        switch reader.entry.key {
        case "paths": logPaths = try reader.paths()
        case "backfill": backfill = try reader.duration(.backfill)
        case "tz": logTimeZone = try reader.string()
        case "warn_rate": warnRate = try reader.positiveNumber()
        case "crit_rate": critRate = try reader.positiveNumber()
        case "alert_window": alertWindow = try reader.duration(.alertWindow)
        case "for": forDuration = try reader.duration(.holdFor)
        case "stale": stale = try reader.duration(.stale)
        case "deploy_patterns":
            let patterns = try reader.strings()
            guard patterns.count <= DeployLines.maximumPatterns,
                  patterns.allSatisfy({ !$0.isEmpty && $0.utf8.count <= DeployLines.maximumPatternBytes }) else {
                throw reader.fail("deploy_patterns must hold at most \(DeployLines.maximumPatterns) non-empty strings of at most \(DeployLines.maximumPatternBytes) bytes each")
            }
            deployPatterns = patterns
        default: throw reader.unknownKey()
        }
    }
}

extension FindingThresholds {
    /// One key of `[findings]`.
    mutating func apply(_ reader: ConfigEntryReader) throws {
        let unbounded = 0...Double.greatestFiniteMagnitude
        switch reader.entry.key {
        case "paginated_ttl_max": paginatedTTLMaxSeconds = try reader.durationSeconds(.ttlThreshold)
        case "search_ttl_max": searchTTLMaxSeconds = try reader.durationSeconds(.ttlThreshold)
        case "mixed_ttl_ratio": mixedTTLRatio = try reader.number(in: 1.1...1000)
        case "mixed_ttl_min_difference": mixedTTLMinDifferenceSeconds = try reader.durationSeconds(.ttlThreshold)
        case "free_text_min_length": freeTextMinLength = try reader.integer(in: 8...4096)
        case "generic_prefixes": genericPrefixes = try reader.strings().map { $0.lowercased() }
        case "scan_per_second": scanPerSecond = try reader.number(in: unbounded)
        case "keys_per_minute": keysPerMinute = try reader.number(in: unbounded)
        case "hit_ratio_warn": hitRatioWarn = try reader.number(in: 0...1)
        case "hit_ratio_crit": hitRatioCrit = try reader.number(in: 0...1)
        case "hit_ratio_min_lookups": hitRatioMinLookupsPerSecond = try reader.number(in: unbounded)
        case "evictions_warn": evictionsWarnPerSecond = try reader.number(in: unbounded)
        case "evictions_crit": evictionsCritPerSecond = try reader.number(in: unbounded)
        case "memory_warn": memoryWarnFraction = try reader.number(in: 0.01...1)
        case "memory_crit": memoryCritFraction = try reader.number(in: 0.01...1)
        case "cache_ttl_share": cacheTTLShare = try reader.number(in: 0...1)
        case "errors_per_minute": errorsPerMinute = try reader.number(in: unbounded)
        case "error_codes": errorCodes = try reader.strings().map { $0.uppercased() }
        default: throw reader.unknownKey()
        }
    }
}
