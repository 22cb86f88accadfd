import CachewatchCore
import CachewatchThreads
import Foundation

/// One tick of the cluster collector: the primaries' INFO summed into one `CollectorSample` (so the store, rates and
/// header read the cluster as one cache), every node's row, and the failovers seen since the previous discovery.
public struct ClusterSample: Sendable {
    public var collector: CollectorSample
    public var status: ClusterStatus
    /// The primaries to census (address → endpoint and slots), in slot order.
    public var primaries: [ClusterPrimary]
    /// Failovers found by this tick's discovery (a replica promoted, a primary gone or failed), and primaries that
    /// restarted (their own `run_id` or uptime).
    public var failovers: [Event]
    /// True when this tick's discovery changed the set of primaries (the census must follow).
    public var primariesChanged: Bool
    /// This tick's INFO keyspace of each primary that answered (address → entries): each node's early census pass.
    public var nodeKeyspaces: [String: [KeyspaceEntry]] = [:]
    /// Primaries that restarted since the previous tick (their census part is walked again at once).
    public var restartedNodes: [String] = []
}

/// A primary to connect to: its announced address, an endpoint for it, and its slots.
public struct ClusterPrimary: Equatable, Sendable {
    public var address: String
    public var endpoint: RedisEndpoint
    public var slots: [SlotRange]
    /// Where its census reads: the primary, or with `--scan-replicas` one of its healthy replicas (with `READONLY`).
    public var censusEndpoint: RedisEndpoint

    public init(address: String, endpoint: RedisEndpoint, slots: [SlotRange], censusEndpoint: RedisEndpoint? = nil) {
        self.address = address
        self.endpoint = endpoint
        self.slots = slots
        self.censusEndpoint = censusEndpoint ?? endpoint
    }
}

/// Watches a Redis Cluster from one seed: discovers it (`CLUSTER SHARDS`, else `CLUSTER NODES`) through the seed or
/// any node it knows, again every `rediscoverSeconds`, after a node stops answering and when asked
/// (`requestDiscovery()`: a MOVED/ASK), and every `intervalSeconds` sends PING and `INFO everything` to each primary
/// (one connection each) and `CLUSTER INFO` to one of them.
public final class ClusterCollector: @unchecked Sendable {
    public let seed: RedisEndpoint
    public let intervalSeconds: Double
    public var rediscoverSeconds: Double = 60
    /// While a node does not answer, discovery is repeated at most this often.
    public var failureRediscoverSeconds: Double = 5
    /// `--scan-replicas`: each shard's census reads a healthy replica (`READONLY`) when there is one.
    public var scanReplicas = false
    private let ownTraffic: OwnTraffic?
    private let onSample: @Sendable (ClusterSample) -> Void
    private let worker = WorkerThread(name: "cachewatch.cluster")

    private let lock = NSLock()
    private var clients: [String: RedisClient] = [:]
    private var replicaClients: [String: RedisClient] = [:]
    private var discoveryRequested = false

    // Worker thread only.
    private var topology: ClusterTopology?
    private var lastDiscovery = Date.distantPast
    private var discoveryProblems: [String] = []
    private var previousInfo: [String: InfoSnapshot] = [:]
    private var downSince: Date?

    public init(seed: RedisEndpoint, intervalSeconds: Double = 1, ownTraffic: OwnTraffic? = nil,
                onSample: @escaping @Sendable (ClusterSample) -> Void) {
        self.seed = seed
        self.intervalSeconds = max(0.05, intervalSeconds)
        self.ownTraffic = ownTraffic
        self.onSample = onSample
    }

    deinit { stop() }

    public func start() {
        worker.start { [self] in
            while !worker.isStopping {
                let started = Date()
                let sample = sampleOnce()
                if worker.isStopping { break }
                onSample(sample)
                guard worker.sleep(until: started.addingTimeInterval(intervalSeconds)) else { break }
            }
        }
    }

    /// Stops the worker (interrupting a blocked command) and waits for it. Idempotent.
    public func stop() {
        worker.stop(interrupt: { [self] in
            lock.lock()
            let all = Array(clients.values) + Array(replicaClients.values)
            lock.unlock()
            all.forEach { $0.interrupt() }
        })
    }

    /// Thread-safe: discover again at the next tick (a MOVED/ASK reply, a census connection lost).
    public func requestDiscovery() {
        lock.lock()
        discoveryRequested = true
        lock.unlock()
    }

    /// The endpoint of a node: the seed's credentials, DB and timeouts at the node's announced host and port.
    public func endpoint(host: String, port: Int) -> RedisEndpoint {
        var endpoint = seed
        endpoint.socketPath = nil
        endpoint.host = host
        endpoint.port = port
        return endpoint
    }

    private func client(for endpoint: RedisEndpoint) -> RedisClient {
        lock.lock()
        defer { lock.unlock() }
        if let client = clients[endpoint.displayAddress] { return client }
        let client = RedisClient(endpoint: endpoint, ownTraffic: ownTraffic)
        clients[endpoint.displayAddress] = client
        return client
    }

    /// A replica's own connection for its PING and INFO. Not in the own-traffic ledger: the summed rates are the
    /// primaries', and cachewatch's commands to a replica never reach them.
    private func replicaClient(for endpoint: RedisEndpoint) -> RedisClient {
        lock.lock()
        defer { lock.unlock() }
        if let client = replicaClients[endpoint.displayAddress] { return client }
        let client = RedisClient(endpoint: endpoint)
        replicaClients[endpoint.displayAddress] = client
        return client
    }

    /// Closes the replica connections of nodes that are no longer replicas.
    private func closeReplicaClients(keeping addresses: Set<String>) {
        lock.lock()
        let gone = replicaClients.filter { !addresses.contains($0.key) }
        for key in gone.keys { replicaClients[key] = nil }
        lock.unlock()
        gone.values.forEach { $0.disconnect() }
    }

    // MARK: - One tick

    /// Discovers when due, then samples every primary (what the worker does each tick).
    public func sampleOnce() -> ClusterSample {
        let now = Date()
        var failovers: [Event] = []
        var changed = false
        lock.lock()
        let requested = discoveryRequested
        discoveryRequested = false
        lock.unlock()
        if topology == nil || requested || now.timeIntervalSince(lastDiscovery) >= rediscoverSeconds {
            (failovers, changed) = discover(at: now)
        }
        guard let topology else { return undiscoveredSample(at: now, failovers: failovers, primariesChanged: changed) }
        let ownBefore = ownTraffic?.current
        var rows: [ClusterNodeStatus] = []
        var infos: [InfoSnapshot] = []
        var slowestPing: Double?
        var firstError: RedisError?
        var clusterInfo: ClusterInfo?
        var anyDown = false
        var keyspaces: [String: [KeyspaceEntry]] = [:]
        var restarted: [String] = []
        for node in topology.primaries {
            // A failed primary without slots (its replica took over) is shown, not asked.
            if node.isFailed && node.slots.isEmpty {
                rows.append(ClusterNodeStatus(node: node))
                continue
            }
            let polled = poll(node, at: now, askClusterInfo: clusterInfo == nil)
            if let ping = polled.pingMilliseconds { slowestPing = max(slowestPing ?? 0, ping) }
            if clusterInfo == nil { clusterInfo = polled.clusterInfo }
            if let restart = polled.restart {
                restarted.append(node.address)
                failovers.append(restart)
            }
            if let info = polled.info {
                keyspaces[node.address] = info.keyspace
                infos.append(info)
            }
            if polled.demoted || polled.error != nil { anyDown = true }
            if firstError == nil { firstError = polled.error }
            rows.append(polled.row)
        }
        let replicas = topology.nodes.filter { $0.role == .replica }
        for node in replicas {
            let row = sampleReplica(node)
            if row.state == "stale" { anyDown = true }
            rows.append(row)
        }
        closeReplicaClients(keeping: Set(replicas.map { endpoint(host: $0.host, port: $0.port).displayAddress }))
        if anyDown && now.timeIntervalSince(lastDiscovery) >= failureRediscoverSeconds { requestDiscovery() }
        let state: ConnectionState
        if infos.isEmpty {
            let since = downSince ?? now
            downSince = since
            state = .disconnected(since: since, reason: firstError?.summary ?? "no primary answered")
        } else {
            downSince = nil
            state = .connected
        }
        let status = ClusterStatus(nodes: rows, info: clusterInfo, discoveredAt: lastDiscovery, problems: discoveryProblems)
        let collector = CollectorSample(takenAt: now, infoText: ClusterAggregate.infoText(infos, cluster: clusterInfo, nodesDown: rows.filter { $0.role == .primary && $0.state == "down" }.count), pingMilliseconds: slowestPing,
                                        state: state, error: infos.isEmpty ? firstError : nil, ownTrafficBeforeInfo: ownBefore)
        return ClusterSample(collector: collector, status: status, primaries: primaries(topology), failovers: failovers,
                             primariesChanged: changed, nodeKeyspaces: keyspaces, restartedNodes: restarted)
    }

    /// The sample of a tick without a topology (no node answered discovery): down since the first such tick.
    private func undiscoveredSample(at now: Date, failovers: [Event], primariesChanged: Bool) -> ClusterSample {
        let reason = discoveryProblems.last ?? "No cluster node answered."
        let since = downSince ?? now
        downSince = since
        var status = ClusterStatus(problems: discoveryProblems)
        status.discoveredAt = nil
        return ClusterSample(collector: CollectorSample(takenAt: now, infoText: nil, pingMilliseconds: nil,
                                                        state: .disconnected(since: since, reason: reason),
                                                        error: .connectionClosed(address: seed.displayAddress, detail: reason)),
                             status: status, primaries: [], failovers: failovers, primariesChanged: primariesChanged)
    }

    /// What asking one primary gave: its row, and what the tick sums up from it.
    private struct PrimaryPoll {
        var row: ClusterNodeStatus
        /// Its INFO, when PING, INFO (and CLUSTER INFO if asked) all answered.
        var info: InfoSnapshot?
        var pingMilliseconds: Double?
        var clusterInfo: ClusterInfo?
        var error: RedisError?
        /// A `restart` event when its `run_id` or uptime says it restarted since its previous INFO.
        var restart: Event?
        /// True when it no longer says it is a primary (discover again).
        var demoted = false
    }

    /// PING, `INFO everything` (and `CLUSTER INFO` when `askClusterInfo`) to one primary. Its INFO is remembered for the
    /// next tick's rates, and kept while it does not answer: when it answers again, another run_id is a restart (its
    /// census part is walked again at once).
    private func poll(_ node: ClusterNode, at now: Date, askClusterInfo: Bool) -> PrimaryPoll {
        var polled = PrimaryPoll(row: ClusterNodeStatus(node: node))
        let client = client(for: endpoint(host: node.host, port: node.port))
        do {
            let started = DispatchTime.now().uptimeNanoseconds
            _ = try client.send(.ping)
            polled.pingMilliseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
            let info = InfoSnapshot(text: try client.send(.info()).stringValue ?? "", takenAt: Date())
            if askClusterInfo { polled.clusterInfo = try ClusterDiscovery.info(client: client) }
            let previous = previousInfo[node.address]
            polled.row.fill(from: info, previous: previous)
            if let previous, ApplicationRates.isRestart(from: previous, to: info) {
                polled.restart = Event(at: now, kind: .restart, severity: .warn,
                                       message: "Node \(node.address) restarted\(info.uptimeSeconds.map { " (up \($0) s)" } ?? ""): its keys and counters start again.",
                                       evidence: [("uptime_seconds", .integer(info.uptimeSeconds)), ("run_id_changed", .bool(previous.runID != info.runID)),
                                                  ("node", .string(node.address))])
            }
            previousInfo[node.address] = info
            if info.role != nil, info.role != "master" {
                // Demoted since the last discovery: discover again.
                polled.row.state = "stale"
                polled.demoted = true
            }
            polled.info = info
        } catch let error as RedisError {
            polled.row.state = "down"
            polled.row.error = error.message
            polled.error = error
        } catch {}
        return polled
    }

    /// A replica's row: its own PING and INFO on its own connection (keys, ops/s, memory, clients, uptime), `down`
    /// with the reason when it does not answer, `stale` when it answers as a primary (discovery follows). A replica
    /// the cluster flags as failed is shown from the flags, not asked.
    private func sampleReplica(_ node: ClusterNode) -> ClusterNodeStatus {
        var row = ClusterNodeStatus(node: node)
        guard !node.isFailed else {
            previousInfo[node.address] = nil
            return row
        }
        let client = replicaClient(for: endpoint(host: node.host, port: node.port))
        do {
            _ = try client.send(.ping)
            let info = InfoSnapshot(text: try client.send(.info()).stringValue ?? "", takenAt: Date())
            row.fill(from: info, previous: previousInfo[node.address])
            previousInfo[node.address] = info
            if info.role == "master" { row.state = "stale" }
        } catch let error as RedisError {
            row.state = "down"
            row.error = error.message
            previousInfo[node.address] = nil
        } catch {}
        return row
    }

    /// The primaries to census, in slot order (failed ones left out: their replica takes over).
    func primaries(_ topology: ClusterTopology) -> [ClusterPrimary] {
        topology.primaries.filter { !$0.isFailed }.map { primary in
            var census: RedisEndpoint?
            if scanReplicas, let replica = topology.replicas(of: primary.id).first(where: { !$0.isFailed && !$0.isSuspected }) {
                census = endpoint(host: replica.host, port: replica.port)
                census?.clusterReadOnly = true
            }
            return ClusterPrimary(address: primary.address, endpoint: endpoint(host: primary.host, port: primary.port), slots: primary.slots,
                                  censusEndpoint: census)
        }
    }

    /// Asks the seed, then every node already known, for the topology; the first non-empty answer wins.
    private func discover(at now: Date) -> (failovers: [Event], primariesChanged: Bool) {
        var candidates = [seed]
        for node in topology?.nodes ?? [] where !node.isFailed {
            let endpoint = endpoint(host: node.host, port: node.port)
            if !candidates.contains(where: { $0.displayAddress == endpoint.displayAddress }) { candidates.append(endpoint) }
        }
        var problems: [String] = []
        for candidate in candidates {
            do {
                var found = try ClusterDiscovery.topology(client: client(for: candidate))
                for index in found.nodes.indices where found.nodes[index].host.isEmpty { found.nodes[index].host = candidate.host }
                guard !found.nodes.isEmpty else {
                    problems.append("\(candidate.displayAddress) announced no cluster nodes.")
                    continue
                }
                lastDiscovery = now
                discoveryProblems = found.problems
                let previous = topology
                topology = found
                guard let previous else { return ([], true) }
                let before = primaries(previous).map(\.address), after = primaries(found).map(\.address)
                return (ClusterFailover.events(from: previous, to: found, at: now), before != after)
            } catch let error as RedisError {
                problems.append(error.message)
            } catch {}
        }
        lastDiscovery = now
        discoveryProblems = problems
        return ([], false)
    }
}

extension ClusterNodeStatus {
    /// Keys (every DB), used and max memory, clients and uptime from the node's own INFO, and ops/s against its
    /// previous INFO (nil without one, or across a restart).
    mutating func fill(from info: InfoSnapshot, previous: InfoSnapshot?) {
        keys = info.keyspace.reduce(0) { Clamp.sum($0, $1.keys) }
        usedMemoryBytes = info.usedMemoryBytes
        maxmemoryBytes = info.maxmemoryBytes
        connectedClients = info.connectedClients
        uptimeSeconds = info.uptimeSeconds
        if let previous { opsPerSecond = InfoRates.overInterval(previous, info)?.opsPerSecond }
    }
}
