import Foundation

/// A private Redis Cluster for one test class: `primaries` primaries (and `replicasPerPrimary` replicas each) on free
/// loopback ports whose bus ports are free, created with `redis-cli --cluster create`, ready (`cluster_state:ok`).
/// Deinit (and process exit) kills every node.
public final class RedisClusterFixture: @unchecked Sendable {
    public let nodes: [RedisServerFixture]

    /// `serverExecutable` runs another server speaking the same config (Valkey's `valkey-server`); nil: `redis-server`.
    public init(primaries: Int = 3, replicasPerPrimary: Int = 0, nodeTimeoutMilliseconds: Int = 1000, serverExecutable: URL? = nil) throws {
        var started: [RedisServerFixture] = []
        let config = ["cluster-enabled yes", "cluster-config-file nodes.conf", "cluster-node-timeout \(nodeTimeoutMilliseconds)",
                      "cluster-require-full-coverage yes"]
        for _ in 0..<(primaries * (1 + replicasPerPrimary)) {
            var options = RedisServerFixture.Options(extraConfig: config, serverExecutable: serverExecutable)
            options.clusterBus = true
            started.append(try RedisServerFixture(options: options))
        }
        nodes = started
        let addresses = started.map { "127.0.0.1:\($0.port)" }
        let output = started[0].redisCLI(["--cluster", "create"] + addresses + ["--cluster-replicas", String(replicasPerPrimary), "--cluster-yes"])
        guard output.contains("[OK] All 16384 slots covered") else {
            teardown()
            throw RedisServerFixture.FixtureError.didNotStart("redis-cli --cluster create: \(output.suffix(600))")
        }
        guard waitUntil(timeout: 30, { self.isReady(replicas: replicasPerPrimary > 0) }) else {
            teardown()
            throw RedisServerFixture.FixtureError.didNotStart("the cluster did not reach cluster_state:ok")
        }
    }

    deinit { teardown() }

    /// Kills every node.
    public func teardown() {
        for node in nodes { node.teardown() }
    }

    /// True when every running node says `cluster_state:ok` and (with `replicas`) every replica's link is up.
    public func isReady(replicas: Bool) -> Bool {
        for node in nodes where node.isRunning {
            guard node.redisCLI(["cluster", "info"]).contains("cluster_state:ok") else { return false }
            if replicas {
                let info = node.redisCLI(["info", "replication"])
                if info.contains("role:slave") && !info.contains("master_link_status:up") { return false }
            }
            // Every node must know every other (the gossip of the create has settled).
            let known = node.redisCLI(["cluster", "nodes"]).split(separator: "\n").count
            if known < nodes.count { return false }
        }
        return true
    }

    /// The running nodes that are primaries now (by their own `INFO replication`).
    public var primaries: [RedisServerFixture] {
        nodes.filter { $0.isRunning && $0.redisCLI(["info", "replication"]).contains("role:master") }
    }

    /// The running replicas now.
    public var replicas: [RedisServerFixture] {
        nodes.filter { $0.isRunning && $0.redisCLI(["info", "replication"]).contains("role:slave") }
    }

    /// The sum of `DBSIZE` over the primaries.
    public var totalKeys: Int {
        primaries.reduce(0) { $0 + (Int($1.redisCLI(["dbsize"])) ?? 0) }
    }

    /// Writes `commands` (`SET key …`, the key second) to the primary serving each key's slot, in one pipe per node.
    @discardableResult
    public func write(_ commands: [[String]]) -> [String] {
        var ownerBySlot: [Int: RedisServerFixture] = [:]
        for primary in primaries {
            let nodesText = primary.redisCLI(["cluster", "nodes"])
            for line in nodesText.split(separator: "\n") where line.contains("myself") {
                for field in line.split(separator: " ").dropFirst(8) where !field.hasPrefix("[") {
                    let bounds = field.split(separator: "-").compactMap { Int($0) }
                    guard let first = bounds.first else { continue }
                    for slot in first...(bounds.last ?? first) { ownerBySlot[slot] = primary }
                }
            }
        }
        var byNode: [ObjectIdentifier: (RedisServerFixture, [[String]])] = [:]
        for command in commands where command.count > 1 {
            guard let owner = ownerBySlot[Self.slot(of: Array(command[1].utf8))] else { continue }
            byNode[ObjectIdentifier(owner), default: (owner, [])].1.append(command)
        }
        return byNode.values.map { $0.0.pipe($0.1) }
    }

    /// The hash slot of a key (CRC16/XMODEM of the key, or of its first non-empty `{tag}`, mod 16384).
    public static func slot(of key: [UInt8]) -> Int {
        var hashed = key[...]
        if let open = key.firstIndex(of: UInt8(ascii: "{")),
           let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1 {
            hashed = key[(open + 1)..<close]
        }
        var crc: UInt16 = 0
        for byte in hashed {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 { crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        return Int(crc) % 16384
    }

    /// Polls `condition` every 100 ms until it holds or `timeout` seconds pass.
    public func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }
}
