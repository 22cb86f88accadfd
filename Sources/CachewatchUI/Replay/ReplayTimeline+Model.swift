import CachewatchCore
import Foundation

extension ReplayTimeline {
    /// The dashboard model of frame `index` as the live dashboard would have drawn it then.
    public func model(at index: Int, thresholds: Thresholds = Thresholds(), notice: String?, timeZone: TimeZone) -> DashboardModel? {
        guard frames.indices.contains(index) else { return nil }
        let frame = frames[index]
        let document = (try? JSONParser.parse(frame.text)) ?? .null
        let server = document["server"] ?? .null
        let metrics = document["metrics"] ?? .null
        let error = document["error"]?.text(maximumLength: 300)
        let connection: ConnectionState
        if let error {
            connection = .disconnected(since: frame.errorSince ?? frame.takenAt, reason: error)
        } else {
            connection = server == .null ? .connecting : .connected
        }
        let target = document["target"] ?? .null
        let keyspace = (document["keyspace"] ?? .null).elements(limit: 1024).first { $0["db"]?.count() == db }
        let number: (String) -> Double? = { metrics[$0]?.finite(in: 0...1e18) }
        let header = HeaderInfo(
            address: address, db: db, redisVersion: server["version"]?.text(maximumLength: 40),
            role: target["mode"]?.text() == "cluster" ? "cluster" : server["role"]?.text(maximumLength: 20),
            uptimeSeconds: server["uptime_seconds"]?.finite(in: 0...1e12), connection: connection,
            opsPerSecond: number("ops_per_second"), hitRatio: metrics["hit_ratio"]?.finite(in: 0...1),
            usedMemoryBytes: number("used_memory_bytes"), maxMemoryBytes: server["maxmemory_bytes"]?.finite(in: 0...1e18),
            evictedPerSecond: number("evicted_keys_per_second"), expiredPerSecond: number("expired_keys_per_second"),
            clients: metrics["connected_clients"]?.count(limit: 1 << 40), blockedClients: metrics["blocked_clients"]?.count(limit: 1 << 40),
            pingMilliseconds: number("ping_ms"), keysTotal: server == .null ? nil : (keyspace?["keys"]?.count() ?? 0),
            appScanPerSecond: number("app_scan_per_second"), delPerSecond: number("del_per_second"),
            // `valkey 8.1.8` as live (memcached's header names its product, as live).
            serverName: target["kind"]?.text() == "memcached" ? nil : server["name"]?.text(maximumLength: 40).map(DisplayEscaper.escape))
        let window = frames[max(0, index - Self.historyFrames + 1)...index]
        let history = window.map(\.metrics)
        let histories = HeaderHistories(
            opsPerSecond: history.compactMap(\.ops), hitRatio: history.compactMap(\.hitRatio),
            usedMemoryBytes: history.compactMap(\.usedMemory), evictedPerSecond: history.compactMap(\.evicted),
            expiredPerSecond: history.compactMap(\.expired), clients: history.compactMap(\.clients),
            pingMilliseconds: history.compactMap(\.ping), sampleTimes: window.filter { $0.metrics.ops != nil }.map(\.takenAt))
        let census = frame.census.flatMap { censuses.indices.contains($0) ? censuses[$0] : nil }
        var model = DashboardModel(header: header, histories: histories, census: census, censusProgress: nil,
                                   logs: DocumentModels.logs(document["logs"]), findings: DocumentModels.findings(document["findings"]).map(Self.shownWithDatabase),
                                   now: frame.takenAt, timeZone: timeZone, thresholds: thresholds, notice: notice)
        model.events = events(upTo: index)
        // Redis Cluster: the nodes pane (`o`, or `N` live) as recorded, its sparklines from the last 120 frames.
        model.clusterNodes = DocumentModels.clusterNodes(target["nodes"])
        if !model.clusterNodes.isEmpty {
            var series: [String: [Double]] = [:]
            for frame in frames[max(0, index - 119)...index] {
                for (address, ops) in frame.metrics.nodeOps { series[address, default: []].append(ops) }
            }
            model.clusterNodeOps = series
        }
        return model
    }

    /// A finding as the live dashboard names it: `db1 ratelimit:{id}` when it belongs to one of several databases.
    static func shownWithDatabase(_ finding: Finding) -> Finding {
        var shown = finding
        shown.pattern = finding.displayPattern
        shown.db = nil
        return shown
    }
}
