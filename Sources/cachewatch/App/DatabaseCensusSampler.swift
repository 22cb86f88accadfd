import CachewatchCore
import CachewatchRedis
import Foundation

/// The census of `snapshot` and `check` when several databases are watched (`-n 0,1,3`, `-n all`): one runner per
/// database, each on its own connection (`SELECT` once, when it connects), sharing one `--scan-budget`.
final class DatabaseCensusSampler {
    let endpoint: RedisEndpoint
    /// The databases in the order of `-n` (ascending for `all`).
    let databases: [Int]
    private let budgetKeysPerSecond: Int
    private let memory: Bool
    private let maxFamilies: Int
    private let ownTraffic: OwnTraffic
    private var runners: [CensusRunner] = []
    private let reports: [LockedBox<CensusReport?>]
    private let errors: [LockedBox<RedisError?>]

    init(endpoint: RedisEndpoint, databases: [Int], budgetKeysPerSecond: Int, memory: Bool, maxFamilies: Int, ownTraffic: OwnTraffic) {
        self.endpoint = endpoint
        self.databases = databases
        self.budgetKeysPerSecond = budgetKeysPerSecond
        self.memory = memory
        self.maxFamilies = maxFamilies
        self.ownTraffic = ownTraffic
        reports = databases.map { _ in LockedBox(nil) }
        errors = databases.map { _ in LockedBox(nil) }
    }

    /// The first database the server refuses to `SELECT` (`has no database 99`), as its sentence; nil when every one
    /// can be selected (connection errors are left to the census, which reports them as for one DB; the first one ends
    /// the check, so an unreachable server costs one connect timeout, not one per database).
    /// `ownTraffic` books the check's commands so the rates leave them out.
    static func missingDatabase(endpoint: RedisEndpoint, databases: [Int], ownTraffic: OwnTraffic? = nil) -> String? {
        for db in databases where db != endpoint.db {
            var selected = endpoint
            selected.db = db
            let client = RedisClient(endpoint: selected, ownTraffic: ownTraffic)
            defer { client.disconnect() }
            do {
                try client.connect()
            } catch let error as RedisError {
                if case .noSuchDatabase = error { return error.message }
                return nil   // unreachable, refused …: the census reports it; do not wait once per database
            } catch {
                return nil
            }
        }
        return nil
    }

    /// Starts the budgeted census of every database (each at an even share of the budget).
    func startBudgeted() {
        let share = DatabaseCensuses.budgetShare(budgetKeysPerSecond: budgetKeysPerSecond, databases: databases.count)
        for (index, db) in databases.enumerated() {
            let options = CensusOptions(db: db, mode: .budgeted(keysPerSecond: share), memory: memory, maxFamilies: maxFamilies)
            let report = reports[index]
            let error = errors[index]
            let runner = CensusRunner(client: RedisClient(endpoint: endpoint, ownTraffic: ownTraffic), options: options, onReport: { incoming in
                // Keep the first complete pass; otherwise the newest partial one.
                report.update { current in if current?.complete != true { current = incoming } }
            }, onError: { failure in error.update { $0 = failure } }, ownTraffic: ownTraffic)
            runners.append(runner)
            runner.start()
        }
    }

    /// Stops every runner (their last pipelines are answered before this returns).
    func stop() {
        for runner in runners { runner.stop() }
    }

    /// One report per database, in order: what its runner found, why it could not run, or an empty partial report.
    func budgetedReports() -> [CensusReport] {
        databases.enumerated().map { index, db in
            if let report = reports[index].value { return report }
            if let error = errors[index].value, !error.isConnectionError {
                return CensusReport.unavailable(db: db, reason: "The census cannot run: " + error.message)
            }
            return CensusReport(db: db, complete: false, scannedKeys: 0, estimatedKeys: 0, families: [],
                                forecast: Array(repeating: 0, count: 60))
        }
    }

    /// Walks every database to the end, one after the other (each on its own connection). A database the server
    /// refuses to census gets a report saying why; a connection error ends it with that error.
    func runFull(progress: (@Sendable (CensusProgress) -> Void)?) throws -> [CensusReport] {
        var result: [CensusReport] = []
        for db in databases {
            var selected = endpoint
            selected.db = db
            let client = RedisClient(endpoint: selected, ownTraffic: ownTraffic)
            defer { client.disconnect() }
            do {
                result.append(try CensusRunner.runFull(client: client, db: db, memory: memory, maxFamilies: maxFamilies, progress: progress))
            } catch let error as RedisError where !error.isConnectionError {
                result.append(CensusReport.unavailable(db: db, reason: "The census cannot run: " + error.message))
            }
        }
        return result
    }
}
