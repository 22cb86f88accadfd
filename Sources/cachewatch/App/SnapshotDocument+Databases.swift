import CachewatchCore
import Foundation

extension SnapshotDocument {
    /// `watch` with several databases: `censuses` in `-n`'s order, `census` the first one's, findings per database,
    /// and `census_freshness` once every database has a complete pass.
    mutating func addDatabases(_ view: DatabaseCensusView, session: MonitoringSession, state: MonitorStore.Snapshot, now: Date) {
        guard !view.entries.isEmpty else { return }   // --no-census: neither census nor censuses
        let censuses = view.censuses
        self.censuses = censuses
        census = censuses.first
        findings = session.findings(state, logs: state.logs, censuses: censuses)
        censusFreshness = view.completedAt.map {
            CensusFreshness(completedSecondsAgo: now.timeIntervalSince($0), nextPassInSeconds: view.nextPassAt.map { $0.timeIntervalSince(now) })
        }
    }
}
