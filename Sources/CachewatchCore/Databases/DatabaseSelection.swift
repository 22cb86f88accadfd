/// Which logical databases a Redis census watches: one (`-n 3`), a list (`-n 0,1,3`) or `all` (every DB that
/// INFO keyspace lists, re-read as DBs appear).
///
/// Parsed once, here, for every source (`-n/--db`, `CACHE_REDIS_DB`, `.env`, the config file's `db`); a URL's
/// `/db` is always one DB. Database numbers are bounded to 0…2^31-1 (the server's own `databases` setting is
/// checked by `SELECT`, which names the missing DB in one sentence).
public enum DatabaseSelection: Sendable, Equatable, CustomStringConvertible {
    /// One database: the behaviour (and the display) of a single-DB cachewatch.
    case single(Int)
    /// Several databases in the order given (no duplicates, at least two).
    case list([Int])
    /// Every database INFO keyspace lists (DB 0 while it lists none).
    case all

    /// The largest database number accepted (Redis takes a 32-bit signed index).
    public static let maximumIndex = Int(Int32.max)
    /// The most databases a list may name (each is censused on its own connection).
    public static let maximumCount = 64

    /// The text form: `3`, `0,1,3` or `all` (what the parser reads back).
    public var description: String {
        switch self {
        case .single(let db): return String(db)
        case .list(let dbs): return dbs.map(String.init).joined(separator: ",")
        case .all: return "all"
        }
    }

    /// True for a list or `all` (the JSON then carries `censuses`, the dashboard prefixes families with `dbN`).
    public var isMultiple: Bool {
        if case .single = self { return false }
        return true
    }

    /// The database `SELECT`ed by the collector and shown as `target.db`: the single DB, or the first of a list
    /// (0 for `all`, which follows INFO keyspace).
    public var primary: Int {
        switch self {
        case .single(let db): return db
        case .list(let dbs): return dbs.first ?? 0
        case .all: return 0
        }
    }

    /// The databases to census now: the single DB, the list as given, or every DB `keyspaceDatabases` lists
    /// (ascending, at most `maximumCount`; `[0]` when it lists none, so there is always a first census).
    public func databases(keyspaceDatabases: [Int]) -> [Int] {
        switch self {
        case .single(let db): return [db]
        case .list(let dbs): return dbs
        case .all:
            let listed = Array(Set(keyspaceDatabases.filter { (0...Self.maximumIndex).contains($0) }).sorted().prefix(Self.maximumCount))
            return listed.isEmpty ? [0] : listed
        }
    }

    /// Reads `raw` (`3`, `0,1,3`, `all`; spaces around items are allowed); `source` names where it came from
    /// (`--db`, `CACHE_REDIS_DB in .env` …) in the one-sentence error.
    public static func parse(_ raw: String, source: String) throws -> DatabaseSelection {
        let text = raw.trimmingCharacters(in: .whitespaces)
        if text.lowercased() == "all" { return .all }
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var dbs: [Int] = []
        for item in items {
            guard !item.isEmpty, item.utf8.count <= 10, item.allSatisfy(\.isASCIIDigit), let db = Int(item), db <= maximumIndex else {
                throw error(raw, source: source, reason: items.count > 1 && item.isEmpty ? "has an empty entry" : nil)
            }
            if dbs.contains(db) { throw error(raw, source: source, reason: "names database \(db) twice") }
            dbs.append(db)
            if dbs.count > maximumCount { throw error(raw, source: source, reason: "names more than \(maximumCount) databases") }
        }
        if dbs.count == 1 { return .single(dbs[0]) }
        return .list(dbs)
    }

    private static func error(_ raw: String, source: String, reason: String?) -> ConnectionOptionsError {
        let shown = DisplayEscaper.escape(String(raw.prefix(80)))
        if let reason {
            return ConnectionOptionsError(kind: .badDB, message: "The database list \"\(shown)\" (from \(source)) \(reason).")
        }
        return ConnectionOptionsError(kind: .badDB, message: "The database \"\(shown)\" (from \(source)) is not a database number "
                                        + "(0 to \(maximumIndex)), a list such as 0,1,3, or all.")
    }
}

extension DatabaseSelection {
    /// The databases beyond 0 this selection names, each of which is `SELECT`ed once on a cluster's seed before anything
    /// runs: whether a cluster has numbered databases is the server's to say (Valkey 9 allows them in cluster mode,
    /// Redis and Valkey 8 answer `ERR SELECT is not allowed in cluster mode`). Empty for 0 and for `all`, which follows
    /// INFO keyspace (database 0 alone on a cluster whose nodes list no other).
    public var clusterDatabasesToProbe: [Int] {
        switch self {
        case .single(let db): return db == 0 ? [] : [db]
        case .list(let dbs): return dbs.filter { $0 != 0 }
        case .all: return []
        }
    }

    /// True when an error reply to `SELECT` says the server has no numbered databases in cluster mode.
    public static func isClusterModeSelectRefusal(_ reply: String) -> Bool {
        let lower = reply.lowercased()
        return lower.contains("select") && lower.contains("not allowed in cluster mode")
    }

    /// Why this selection cannot be watched on the Redis Cluster node at `address`, one sentence: the node refused
    /// `SELECT db` because it has no numbered databases in cluster mode.
    public func clusterProblem(address: String, refusedDatabase db: Int) -> String {
        let reason = "is a cluster node that refuses SELECT \(db) (SELECT is not allowed in cluster mode): its cluster has only "
            + "database 0 (Valkey 9 and later allow numbered databases in cluster mode)."
        if case .list = self {
            return "The database list \(description) cannot be watched: Redis at \(address) " + reason
        }
        return "Database \(db) was asked for, but Redis at \(address) " + reason
    }
}
