import CachewatchCore
import Foundation

/// The census of one or several databases of a cluster (`-n 0,1`, `-n all` on Valkey 9, whose numbered databases work
/// in cluster mode): one `ClusterCensus` per database, so every primary is walked once per database on its own
/// connection (`SELECT` once, when it connects). The databases share the budget and the steady-state average evenly
/// (each `ClusterCensus` then splits its share between the primaries), and each database's merged report (its
/// families with their per-node counts, its `nodes` and uncovered slots) is posted with its number.
public final class ClusterDatabaseCensus: @unchecked Sendable {
    /// The databases, in the order given.
    public let databases: [Int]
    private let censuses: [ClusterCensus]

    /// `options.db` is ignored (each database gets its own); `options.mode` budgeted is the whole budget of every
    /// database and primary together, as `schedule.averageKeysPerSecond` is.
    public init(primaries: [ClusterPrimary], databases: [Int], options: CensusOptions, ownTraffic: OwnTraffic?,
                schedule: CensusSchedule? = nil, onReport: @escaping @Sendable (Int, CensusReport) -> Void,
                onProgress: (@Sendable (Int, CensusProgress) -> Void)? = nil, onRedirect: (@Sendable () -> Void)? = nil) {
        self.databases = databases
        let count = max(1, databases.count)
        censuses = databases.map { db in
            var perDatabase = options
            perDatabase.db = db
            if case .budgeted(let total) = options.mode {
                perDatabase.mode = .budgeted(keysPerSecond: DatabaseCensuses.budgetShare(budgetKeysPerSecond: total, databases: count))
            }
            var shared = schedule
            shared?.averageKeysPerSecond /= Double(count)
            let progress: (@Sendable (CensusProgress) -> Void)? = onProgress.map { sink in { @Sendable in sink(db, $0) } }
            return ClusterCensus(primaries: primaries, options: perDatabase, ownTraffic: ownTraffic, schedule: shared,
                                 onReport: { onReport(db, $0) }, onProgress: progress,
                                 onRedirect: onRedirect)
        }
    }

    /// Starts every database's workers.
    public func start() { censuses.forEach { $0.start() } }

    /// Stops every worker and waits for them.
    public func stop() { censuses.forEach { $0.stop() } }

    /// Each primary's latest INFO keyspace (address → entries): every database paces on its own line of it.
    public func observe(keyspaces: [String: [KeyspaceEntry]]) { censuses.forEach { $0.observe(keyspaces: keyspaces) } }

    /// A primary restarted: its part of every database is dropped and walked again (see `ClusterCensus.restartNode`).
    public func restartNode(address: String) { censuses.forEach { $0.restartNode(address: address) } }

    /// A primary stopped answering (`reason`) or answers again (nil), for every database.
    public func mark(address: String, downBecause reason: String?) { censuses.forEach { $0.mark(address: address, downBecause: reason) } }

    /// Each database's merged report now, in order (nil where no primary reported yet).
    public var reports: [CensusReport?] { censuses.map(\.report) }

    /// True when every database's merged report is complete.
    public var complete: Bool { !censuses.isEmpty && censuses.allSatisfy { $0.report?.complete == true } }

    /// Walks every database to the end, one after the other, each on every primary in parallel (one connection per
    /// primary and database); one merged report per database, in order. Never throws: a primary that cannot be walked
    /// is in its database's report (slots uncovered, partial), like `ClusterCensus.runFull`.
    public static func runFull(primaries: [ClusterPrimary], databases: [Int], memory: Bool, maxFamilies: Int,
                               ownTraffic: OwnTraffic? = nil, progress: (@Sendable (CensusProgress) -> Void)? = nil) -> [CensusReport] {
        databases.map { db in
            ClusterCensus.runFull(primaries: primaries, db: db, memory: memory, maxFamilies: maxFamilies, ownTraffic: ownTraffic,
                                  progress: progress)
        }
    }
}
