import CachewatchCore
import CachewatchUI
import Foundation

extension DashboardModelBuilder {
    /// Several databases (`-n 0,1,3`, `-n all`): one families table with `db1 ratelimit:{id}` rows, the passes' progress
    /// added up, findings per database under the same names, and the header's keys summed over the watched databases
    /// (the header says which: `127.0.0.1:6379/0,1,3`).
    static func applyDatabases(_ view: DatabaseCensusView, to model: inout DashboardModel, session: MonitoringSession,
                               state: MonitorStore.Snapshot, now: Date) {
        model.header.databasesLabel = view.label
        if let info = state.info {
            model.header.keysTotal = DatabaseCensuses.keyspaceTotals(info.keyspace, databases: view.entries.map(\.db)).keys
        }
        guard !view.entries.isEmpty else { return }   // --no-census
        model.census = DatabaseCensuses.displayReport(view.censuses)
        var progress: CachewatchUI.CensusProgress?
        if let worker = view.progress {
            progress = CachewatchUI.CensusProgress(running: !worker.complete, full: session.fullCensusRunning,
                                                   scannedKeys: worker.scannedKeys, dbsizeKeys: worker.dbsizeKeys,
                                                   keysPerSecond: worker.keysPerSecond, etaSeconds: worker.etaSeconds)
            progress?.yielding = worker.yielding
        }
        if let completedAt = view.completedAt, progress?.running != true {
            var waiting = progress ?? CachewatchUI.CensusProgress(running: false, scannedKeys: 0, dbsizeKeys: 0, keysPerSecond: 0)
            waiting.completedSecondsAgo = max(0, now.timeIntervalSince(completedAt))
            waiting.nextPassInSeconds = view.nextPassAt.map { max(0, $0.timeIntervalSince(now)) }
            progress = waiting
        }
        model.censusProgress = progress
        // The families pane marks a row by its shown pattern: `db1 cart:{id}:items`.
        model.findings = session.findings(state, logs: state.logs, censuses: view.censuses).map { finding in
            var shown = finding
            shown.pattern = finding.displayPattern
            shown.db = nil   // already in the pattern
            return shown
        }
        if state.connection == .connected, model.problem == nil, let error = view.error {
            model.problem = session.redact("census: " + error)
        }
    }
}
