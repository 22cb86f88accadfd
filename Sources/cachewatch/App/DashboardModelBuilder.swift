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
            address: session.displayAddress, db: session.db, redisVersion: info?.redisVersion,
            role: info?.clusterEnabled == true ? "cluster" : info?.role, uptimeSeconds: info?.uptimeSeconds.map(Double.init),
            connection: state.connection, opsPerSecond: rates?.opsPerSecond, hitRatio: rates?.hitRatio,
            usedMemoryBytes: info?.usedMemoryBytes.map(Double.init), maxMemoryBytes: info?.maxmemoryBytes.map(Double.init),
            evictedPerSecond: rates?.evictedKeysPerSecond, expiredPerSecond: rates?.expiredKeysPerSecond,
            clients: info?.connectedClients, blockedClients: info?.blockedClients, pingMilliseconds: state.pingMilliseconds,
            keysTotal: info == nil ? nil : (keyspace?.keys ?? 0),
            appScanPerSecond: rates?.scanCallsPerSecond, delPerSecond: rates?.delCallsPerSecond)
        header.product = session.product
        if let memcached = info.flatMap(MemcachedStats.init(info:)) {
            // memcached has no expired-keys or blocked-clients counters: show nothing rather than 0.
            header.redisVersion = memcached.version
            header.expiredPerSecond = nil
            header.blockedClients = nil
        }
        let histories = HeaderHistories(
            opsPerSecond: state.histories.opsPerSecond.elements, hitRatio: state.histories.hitRatio.elements,
            usedMemoryBytes: state.histories.usedMemoryBytes.elements,
            evictedPerSecond: state.histories.evictedKeysPerSecond.elements,
            expiredPerSecond: state.histories.expiredKeysPerSecond.elements,
            clients: state.histories.connectedClients.elements, pingMilliseconds: state.histories.pingMilliseconds.elements)
        var progress: CachewatchUI.CensusProgress?
        if let worker = state.censusProgress {
            progress = CachewatchUI.CensusProgress(running: !worker.complete, full: session.fullCensusRunning,
                                                   scannedKeys: worker.scannedKeys, dbsizeKeys: worker.dbsizeKeys,
                                                   keysPerSecond: worker.keysPerSecond, etaSeconds: worker.etaSeconds)
        }
        var message = notice
        if message == nil, state.connection == .connected, let error = state.censusError { message = "census: " + error }
        let logs = session.logs?.report(now: now)
        let findings = (state.census.map(Findings.evaluate) ?? [])
            + RateFindings.evaluate(rates: rates, scanWarnPerSecond: thresholds.appScanWarnPerSecond)
            + (logs?.patternDeletions.finding.map { [$0] } ?? [])
        return DashboardModel(header: header, histories: histories, census: state.census, censusProgress: progress,
                              logs: logs, findings: findings,
                              now: now, thresholds: thresholds, notice: message.map(session.redact))
    }
}
