import CachewatchCore
import CachewatchRedis
import Foundation

/// Each database's census state when a cluster is watched on several databases (`-n 0,1`, `-n all` on Valkey 9):
/// what `censuses`, the `db1 …` families table and the timeline read. Written from the census threads.
final class ClusterDatabaseTracks: @unchecked Sendable {
    private let lock = NSLock()
    private var databases: [Int] = []
    private var tracks: [Int: DatabaseCensusSet.Track] = [:]
    private var generation = 0

    /// A new census starts on the databases `selection` names now (`all`: those `keyspace` lists, and those already
    /// censused with keys: a database that empties keeps its row); reports of earlier censuses are ignored from now on.
    func begin(selection: DatabaseSelection, keyspace: [Int]) -> (list: [Int], generation: Int) {
        lock.lock()
        defer { lock.unlock() }
        let kept = selection == .all ? databases.filter { (tracks[$0]?.census?.estimatedKeys ?? 0) > 0 } : []
        databases = selection.databases(keyspaceDatabases: keyspace + kept)
        for db in databases where tracks[db] == nil { tracks[db] = DatabaseCensusSet.Track() }
        generation += 1
        return (databases, generation)
    }

    /// True when `listed` (INFO keyspace's databases) names one the census does not walk yet (`all` only).
    func lacksAny(of listed: [Int]) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !databases.isEmpty, databases.count < DatabaseSelection.maximumCount else { return false }
        let known = Set(databases)
        return listed.contains { (0...DatabaseSelection.maximumIndex).contains($0) && !known.contains($0) }
    }

    /// Records database `db`'s merged report; a complete one returns every database's shown census as one report
    /// (for the timeline) once each database has one. A report with uncovered slots (a primary down) replaces even a
    /// complete one, so the census says it is partial instead of showing old counts.
    func ingest(report: CensusReport, db: Int, generation: Int) -> CensusReport? {
        lock.lock()
        defer { lock.unlock() }
        guard generation == self.generation, var track = tracks[db] else { return nil }
        track.census = report.uncoveredSlots?.isEmpty == false ? report : CensusReport.shown(current: track.census, incoming: report)
        track.error = nil
        if report.complete { track.completedAt = Date() }
        tracks[db] = track
        let shown = databases.compactMap { tracks[$0]?.census }
        return report.complete && shown.count == databases.count ? DatabaseCensuses.displayReport(shown) : nil
    }

    /// Records database `db`'s merged progress.
    func ingest(progress: CensusProgress, db: Int, generation: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard generation == self.generation else { return }
        tracks[db]?.progress = progress
    }

    /// Every database's track in order, a complete census's TTLs aged by the whole minutes since it completed.
    func view(label: String, now: Date) -> DatabaseCensusView {
        lock.lock()
        defer { lock.unlock() }
        let entries = databases.map { db -> DatabaseCensusView.Entry in
            var track = tracks[db] ?? DatabaseCensusSet.Track()
            if let census = track.census, census.complete, let completedAt = track.completedAt {
                let elapsed = now.timeIntervalSince(completedAt)
                if elapsed.isFinite, elapsed >= 60 { track.census = census.aged(by: (elapsed / 60).rounded(.down) * 60) }
            }
            return DatabaseCensusView.Entry(db: db, track: track)
        }
        return DatabaseCensusView(label: label, entries: entries)
    }
}

extension ClusterSession {
    /// The databases a census starting now walks (`all`: those the cluster's summed INFO keyspace lists).
    func beginDatabases() -> (list: [Int], generation: Int) {
        databaseTracks.begin(selection: selection, keyspace: store.snapshot().info?.keyspace.map(\.db) ?? [])
    }

    /// `-n all`: true when the sample's nodes list a database the census does not walk yet.
    func newDatabaseListed(_ sample: ClusterSample) -> Bool {
        guard selection == .all else { return false }
        let listed = sample.nodeKeyspaces.values.flatMap { $0.map(\.db) }
        return databaseTracks.lacksAny(of: listed)
    }

    /// Every watched database's census when `-n` is a list or `all` (nil for one database).
    func databaseCensusView(now: Date) -> DatabaseCensusView? {
        guard selection.isMultiple else { return nil }
        return databaseTracks.view(label: selection.description, now: now)
    }
}
