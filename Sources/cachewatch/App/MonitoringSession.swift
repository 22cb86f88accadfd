import Foundation
import CachewatchCore
import CachewatchLogs

/// What the dashboard and `watch` need from a running session, whichever cache it watches
/// (`MonitorSession` for Redis, `MemcachedSession` for memcached); both post into a `MonitorStore`.
protocol MonitoringSession: AnyObject {
    var store: MonitorStore { get }
    var logs: LogMonitor? { get }
    /// `host:port` (several joined with `,`) or a socket path; never a password.
    var displayAddress: String { get }
    /// The database the census walks (0 for memcached).
    var db: Int { get }
    /// `redis` or `memcached`, as the header shows it.
    var product: String { get }
    /// True while a full pass requested with `F` runs.
    var fullCensusRunning: Bool { get }
    func start()
    func stop()
    /// Called from the UI loop each turn (returns to the budgeted census after a full pass).
    func maintain()
    func startFullCensus()
    func enableMemorySampling()
    /// `text` with any secret replaced by `***`.
    func redact(_ text: String) -> String
    /// `target` of the JSON document.
    func target(info: InfoSnapshot?) -> TargetDescription
    /// The collector's sampling interval (how late a sample may be before the numbers are stale).
    var intervalSeconds: Double { get }
    /// The config file's `[findings]` thresholds (the header's colours follow them too).
    var findingThresholds: FindingThresholds { get }
    /// The config file's `[[silence]]` entries.
    var silences: [FindingSilence] { get }
    /// Every watched database's census when `-n` is a list or `all` (nil for one database, and for memcached).
    func databaseCensusView(now: Date) -> DatabaseCensusView?
}

extension MonitoringSession {
    /// The doctor's findings for the store's state (the same for Redis and memcached, whose stats arrive in INFO
    /// form): INFO and rates only while connected, the reason otherwise; while other cachewatch processes are on
    /// the server, nothing their own SCANs and lookups could raise.
    func findings(_ state: MonitorStore.Snapshot, logs: LogsReport?, censuses: [CensusReport]? = nil) -> [Finding] {
        var input = DoctorInput(census: state.census, logs: logs)
        switch state.connection {
        case .connected:
            input.info = state.info
            input.rates = state.rates
        case .connecting:
            break
        case .disconnected(_, let reason):
            input.redisError = redact(state.redisError ?? reason)
        }
        let findings = censuses.map { DatabaseCensuses.findings(input, censuses: $0, thresholds: findingThresholds, silences: silences) }
            ?? Doctor.findings(input, thresholds: findingThresholds, silences: silences)
        guard (state.otherCachewatch ?? 0) > 0 else { return findings }
        return findings.filter { !MonitorSession.codesFromTraffic.contains($0.code) }
    }

    func databaseCensusView(now: Date) -> DatabaseCensusView? { nil }

    /// `Redis` or `memcached`, for sentences.
    var productName: String { product == "redis" ? "Redis" : product }
}

extension MonitorSession: MonitoringSession {
    var displayAddress: String { options.displayAddress }
    var db: Int { endpoint.db }
    var product: String { "redis" }
    func redact(_ text: String) -> String { options.redact(text) }
    func target(info: InfoSnapshot?) -> TargetDescription { options.target(info: info) }
    func databaseCensusView(now: Date) -> DatabaseCensusView? { databaseSet?.view(now: now) }
}

/// The session for the parsed flags: memcached when `--memcached` or `CACHE_BACKEND=memcached` says so, else Redis.
func makeMonitoringSession(connection: ConnectionArguments, logs: LogArguments, census: CensusArguments, settings: ConfigFile,
                           noCensus: Bool, intervalSeconds: Double) throws -> MonitoringSession {
    if let servers = try connection.memcachedServers() {
        return try MemcachedSession.make(servers: servers, connection: connection, logs: logs, census: census, settings: settings,
                                         noCensus: noCensus, intervalSeconds: intervalSeconds)
    }
    if let cluster = try makeClusterSession(connection: connection, logs: logs, census: census, settings: settings,
                                            noCensus: noCensus, intervalSeconds: intervalSeconds) {
        return cluster
    }
    return try MonitorSession.make(connection: connection, logs: logs, census: census, settings: settings,
                                   noCensus: noCensus, intervalSeconds: intervalSeconds)
}
