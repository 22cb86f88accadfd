/// What cachewatch does with several databases' censuses (`-n 0,1,3`, `-n all`): one shared scan budget,
/// one table for the dashboard, findings per database, and INFO keyspace summed over the watched DBs.
public enum DatabaseCensuses {
    /// Keys per second each of `databases` census connections may read so that together they stay within
    /// `budgetKeysPerSecond` (an even split; at least 1 key/s each).
    public static func budgetShare(budgetKeysPerSecond: Int, databases: Int) -> Int {
        guard databases > 1 else { return max(1, budgetKeysPerSecond) }
        return max(1, budgetKeysPerSecond / databases)
    }

    /// The family pattern as shown when several databases are watched: `db1 ratelimit:{id}`.
    public static func displayPattern(_ pattern: String, db: Int) -> String { "db\(db) \(pattern)" }

    /// One report for the dashboard's families table: every DB's families with `dbN ` before their pattern, sorted
    /// by keys (each DB's own `(other)` row last), shares of the total, counts, forecast and speed summed; complete
    /// only when every DB's pass is. `db` is the first report's. Nil without reports.
    public static func displayReport(_ reports: [CensusReport]) -> CensusReport? {
        guard let first = reports.first else { return nil }
        let estimated = reports.reduce(0) { Clamp.sum($0, $1.estimatedKeys) }
        var families: [FamilyReport] = []
        var others: [FamilyReport] = []
        for report in reports {
            for family in report.families {
                var shown = family
                let isOther = family.pattern == "(other)"
                shown.pattern = displayPattern(family.pattern, db: report.db)
                shown.share = estimated > 0 ? Double(family.keys) / Double(estimated) : 0
                if isOther { others.append(shown) } else { families.append(shown) }
            }
        }
        families.sort { $0.keys != $1.keys ? $0.keys > $1.keys : $0.pattern < $1.pattern }
        var forecast = Array(repeating: 0, count: 60)
        for report in reports {
            for (index, keys) in report.forecast.prefix(60).enumerated() { forecast[index] = Clamp.sum(forecast[index], keys) }
        }
        let notes = reports.flatMap { report in report.notes.map { "db\(report.db): \($0)" } }
        var shown = CensusReport(db: first.db, complete: reports.allSatisfy(\.complete),
                                 scannedKeys: reports.reduce(0) { Clamp.sum($0, $1.scannedKeys) }, estimatedKeys: estimated,
                                 dbsizeKeys: reports.reduce(0) { Clamp.sum($0, $1.dbsizeKeys) },
                                 keysPerSecond: reports.reduce(0) { $0 + ($1.keysPerSecond.isFinite ? max(0, $1.keysPerSecond) : 0) },
                                 families: families + others, forecast: forecast, notes: notes)
        addClusterParts(of: reports, to: &shown)
        return shown
    }

    /// Redis Cluster with several databases (Valkey 9): each primary's part summed over the databases (its keys and
    /// DBSIZE added, complete when every database's part is, the first error kept) and the uncovered slots of every
    /// database (one range once). Nothing for a single server.
    static func addClusterParts(of reports: [CensusReport], to shown: inout CensusReport) {
        guard reports.contains(where: { $0.clusterNodes != nil }) else { return }
        var nodes: [ClusterCensusNode] = []
        var uncovered: [SlotRange] = []
        for report in reports {
            for node in report.clusterNodes ?? [] {
                guard let index = nodes.firstIndex(where: { $0.address == node.address }) else {
                    nodes.append(node)
                    continue
                }
                nodes[index].keys = Clamp.sum(nodes[index].keys, node.keys)
                nodes[index].dbsizeKeys = Clamp.sum(nodes[index].dbsizeKeys, node.dbsizeKeys)
                nodes[index].complete = nodes[index].complete && node.complete
                nodes[index].error = nodes[index].error ?? node.error
            }
            for range in report.uncoveredSlots ?? [] where !uncovered.contains(range) { uncovered.append(range) }
        }
        shown.clusterNodes = nodes
        shown.uncoveredSlots = uncovered.sorted { $0.first < $1.first }
    }

    /// The doctor's findings with several databases: each DB's census findings (`hot-shard` included on a cluster;
    /// silences matched on the family's own pattern, so `cart:{id}:items` silences it in every DB, or on
    /// `db1 cart:{id}:items` for one DB) carrying their `db` and a message starting `db1: `, then the server's findings once.
    public static func findings(_ input: DoctorInput, censuses: [CensusReport], thresholds: FindingThresholds = FindingThresholds(),
                                silences: [FindingSilence] = []) -> [Finding] {
        var perDatabase: [Finding] = []
        for census in censuses {
            // `hot-shard` too: a cluster's per-DB census carries its per-node counts (nothing for a single server).
            for var finding in Findings.evaluate(census, thresholds: thresholds) + HotShardFindings.evaluate(census) {
                var shown = finding
                shown.pattern = finding.pattern.map { displayPattern($0, db: census.db) }
                guard !silences.contains(where: { $0.matches(finding) || $0.matches(shown) }) else { continue }
                finding.db = census.db
                finding.message = "db\(census.db): " + finding.message
                perDatabase.append(finding)
            }
        }
        var serverInput = input
        serverInput.census = nil
        return perDatabase + Doctor.findings(serverInput, thresholds: thresholds, silences: silences)
    }

    /// `keys` and `expires` of INFO keyspace summed over `databases` (a DB INFO does not list holds none).
    public static func keyspaceTotals(_ keyspace: [KeyspaceEntry], databases: [Int]) -> (keys: Int, expires: Int) {
        let watched = Set(databases)
        return keyspace.filter { watched.contains($0.db) }.reduce((0, 0)) { (Clamp.sum($0.0, $1.keys), Clamp.sum($0.1, $1.expires)) }
    }
}
