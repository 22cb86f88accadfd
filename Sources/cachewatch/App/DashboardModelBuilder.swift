import CachewatchCore
import CachewatchUI
import Foundation

/// Maps what the workers know into the dashboard's view model.
enum DashboardModelBuilder {
    /// The model for one frame.
    static func model(session: MonitoringSession, thresholds: Thresholds, notice: String?, now: Date) -> DashboardModel {
        let state = session.store.snapshot()
        let info = state.info
        let rates = state.rates
        let keyspace = info?.keyspace.first { $0.db == session.db }
        var header = HeaderInfo(
            address: session.displayAddress, db: session.db, redisVersion: info?.server.version,
            role: info?.clusterEnabled == true ? "cluster" : info?.role, uptimeSeconds: info?.uptimeSeconds.map(Double.init),
            connection: state.connection, opsPerSecond: rates?.opsPerSecond, hitRatio: rates?.hitRatio,
            usedMemoryBytes: info?.usedMemoryBytes.map(Double.init), maxMemoryBytes: info?.maxmemoryBytes.map(Double.init),
            evictedPerSecond: rates?.evictedKeysPerSecond, expiredPerSecond: rates?.expiredKeysPerSecond,
            clients: info?.connectedClients, blockedClients: info?.blockedClients, pingMilliseconds: state.pingMilliseconds,
            keysTotal: info == nil ? nil : (keyspace?.keys ?? 0),
            appScanPerSecond: rates?.scanCallsPerSecond, delPerSecond: rates?.delCallsPerSecond, serverName: info?.server.name)
        header.product = session.product
        header.otherCachewatch = state.otherCachewatch
        if state.connection == .connected, let received = state.infoReceivedAt {
            let late = now.timeIntervalSince(received) - session.intervalSeconds
            if late >= 1 { header.staleSeconds = late }
        }
        if let memcached = info.flatMap(MemcachedStats.init(info:)) {
            // memcached has no expired-keys or blocked-clients counters: show nothing rather than 0.
            header.serverName = nil
            header.redisVersion = memcached.version
            header.expiredPerSecond = nil
            header.blockedClients = nil
        }
        let histories = HeaderHistories(
            opsPerSecond: state.histories.opsPerSecond.elements, hitRatio: state.histories.hitRatio.elements,
            usedMemoryBytes: state.histories.usedMemoryBytes.elements,
            evictedPerSecond: state.histories.evictedKeysPerSecond.elements,
            expiredPerSecond: state.histories.expiredKeysPerSecond.elements,
            clients: state.histories.connectedClients.elements, pingMilliseconds: state.histories.pingMilliseconds.elements,
            sampleTimes: state.histories.takenAt.elements)
        var progress: CachewatchUI.CensusProgress?
        if let worker = state.censusProgress {
            progress = CachewatchUI.CensusProgress(running: !worker.complete, full: session.fullCensusRunning,
                                                   scannedKeys: worker.scannedKeys,
                                                   // DBSIZE denied: INFO keyspace still says how far the pass is from the whole.
                                                   dbsizeKeys: worker.dbsizeKeys > 0 ? worker.dbsizeKeys : (keyspace?.keys ?? 0),
                                                   keysPerSecond: worker.keysPerSecond, etaSeconds: worker.etaSeconds)
            progress?.yielding = worker.yielding
        }
        if state.census?.complete == true, let completedAt = state.censusCompletedAt, progress?.running != true {
            // Between passes: how old the picture is and when the next pass is due.
            var waiting = progress ?? CachewatchUI.CensusProgress(running: false, scannedKeys: 0, dbsizeKeys: 0, keysPerSecond: 0)
            waiting.completedSecondsAgo = max(0, now.timeIntervalSince(completedAt))
            waiting.nextPassInSeconds = state.censusNextPassAt.map { max(0, $0.timeIntervalSince(now)) }
            progress = waiting
        }
        // Standing problems go to their own row (the footer), never over the header; they clear when the cause does.
        var problem: String?
        if state.connection == .connected, info == nil, let error = state.redisError {
            problem = error   // e.g. INFO denied by ACL: the header's dashes need a reason
        } else if state.connection == .connected, let error = state.censusError {
            problem = "census: " + error
        }
        let findings = session.findings(state, logs: state.logs)
        var model = DashboardModel(header: header, histories: histories, census: state.agedCensus(now: now), censusProgress: progress,
                                   logs: state.logs, findings: findings,
                                   now: now, thresholds: thresholds, notice: notice.map(session.redact))
        model.problem = problem.map(session.redact)
        model.events = state.events.newestFirst
        model.keySizes = info?.keySizes.filter { $0.db == session.db } ?? []
        if let databases = session.databaseCensusView(now: now) {
            applyDatabases(databases, to: &model, session: session, state: state, now: now)
        }
        if let cluster = session as? ClusterSession { cluster.decorate(&model, now: now) }
        return model
    }
}
