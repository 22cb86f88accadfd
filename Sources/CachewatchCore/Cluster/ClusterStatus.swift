import Foundation

/// One node's row: what discovery announced and what its own INFO said (`target.nodes` in the JSON).
public struct ClusterNodeStatus: Equatable, Sendable {
    public var id: String
    /// `host:port` as announced (escaped).
    public var address: String
    public var role: ClusterNode.Role
    public var slots: [SlotRange]
    /// `ok`, `down` (cachewatch cannot reach it), `failed` / `pfail` (the cluster says so), `loading`.
    public var state: String
    /// Keys in its INFO keyspace (all DBs); nil while unknown.
    public var keys: Int?
    /// Commands per second from its own INFO (cachewatch's own commands included); nil while unknown.
    public var opsPerSecond: Double?
    public var usedMemoryBytes: Int?
    public var maxmemoryBytes: Int?
    public var connectedClients: Int?
    /// Why it is down, one sentence (nil while it answers).
    public var error: String?
    /// Its own `uptime_in_seconds` (nil while unknown).
    public var uptimeSeconds: Int?

    public init(id: String, address: String, role: ClusterNode.Role, slots: [SlotRange], state: String, keys: Int? = nil,
                opsPerSecond: Double? = nil, usedMemoryBytes: Int? = nil, maxmemoryBytes: Int? = nil, connectedClients: Int? = nil,
                error: String? = nil) {
        self.id = id
        self.address = address
        self.role = role
        self.slots = slots
        self.state = state
        self.keys = keys
        self.opsPerSecond = opsPerSecond
        self.usedMemoryBytes = usedMemoryBytes
        self.maxmemoryBytes = maxmemoryBytes
        self.connectedClients = connectedClients
        self.error = error
    }

    /// An element of `target.nodes`: `address`, `role`, `slots` (count), `state`, `keys`, `ops_per_second`,
    /// `used_memory_bytes`, then `id`, `slot_ranges`, `connected_clients`, `error`, `uptime_seconds`, `maxmemory_bytes`.
    public var json: JSONValue {
        .object([("address", .string(address)), ("role", .string(role.rawValue)), ("slots", .int(SlotRange.total(slots))),
                 ("state", .string(state)), ("keys", .integer(keys)), ("ops_per_second", .number(opsPerSecond)),
                 ("used_memory_bytes", .integer(usedMemoryBytes)), ("id", .string(id)),
                 ("slot_ranges", .array(slots.map { .string($0.description) })), ("connected_clients", .integer(connectedClients)),
                 ("error", .text(error)), ("uptime_seconds", .integer(uptimeSeconds)), ("maxmemory_bytes", .integer(maxmemoryBytes))])
    }

    /// The row for `node` before its INFO is known: `failed`/`pfail` from the cluster's flags, else `ok`.
    public init(node: ClusterNode) {
        let state = node.isFailed ? "failed" : node.isSuspected ? "pfail" : node.health == "loading" ? "loading" : "ok"
        self.init(id: node.id, address: node.address, role: node.role, slots: node.slots, state: state)
    }
}

/// What cachewatch knows about a cluster: its nodes (primaries first), `CLUSTER INFO`, when it was discovered.
public struct ClusterStatus: Equatable, Sendable {
    public var nodes: [ClusterNodeStatus]
    public var info: ClusterInfo?
    public var discoveredAt: Date?
    /// Hostile entries of the discovery reply (refused, reported), and discovery failures, one sentence each.
    public var problems: [String]

    public init(nodes: [ClusterNodeStatus] = [], info: ClusterInfo? = nil, discoveredAt: Date? = nil, problems: [String] = []) {
        self.nodes = nodes
        self.info = info
        self.discoveredAt = discoveredAt
        self.problems = problems
    }

    /// The primaries' rows.
    public var primaries: [ClusterNodeStatus] { nodes.filter { $0.role == .primary } }

    /// The primary using the most memory (`address`, bytes), nil while unknown.
    public var fullestNode: (address: String, usedMemoryBytes: Int)? {
        primaries.compactMap { node in node.usedMemoryBytes.map { (node.address, $0) } }
            .max { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 > $1.0 }
    }

    /// `target.cluster`: `state`, slot counts, `primaries`, `replicas`, `nodes_down`, `fullest_node`, `problems`.
    public var json: JSONValue {
        let fullest = fullestNode
        return .object([
            ("state", .text(info?.state)), ("slots_assigned", .integer(info?.slotsAssigned)), ("slots_ok", .integer(info?.slotsOK)),
            ("slots_pfail", .integer(info?.slotsPFail)), ("slots_fail", .integer(info?.slotsFail)),
            ("primaries", .int(primaries.count)), ("replicas", .int(nodes.count - primaries.count)),
            ("nodes_down", .int(nodes.filter { $0.state != "ok" }.count)),
            ("fullest_node", fullest.map { .object([("address", .string($0.address)), ("used_memory_bytes", .int($0.usedMemoryBytes))]) } ?? .null),
            ("problems", .array(problems.map(JSONValue.string))),
        ])
    }

    /// One line for the header and the text summary: `cluster ok · 3 primaries · slots ok 16384 · fullest 10.0.0.1:7000`.
    public var summary: String {
        var parts = ["cluster \(info?.state ?? "?")", "\(primaries.count) primaries"]
        let down = nodes.filter { $0.state != "ok" }.count
        if down > 0 { parts.append("\(down) down") }
        if let info {
            parts.append("slots ok \(info.slotsOK.map(String.init) ?? "?")")
            if let pfail = info.slotsPFail, pfail > 0 { parts.append("pfail \(pfail)") }
            if let fail = info.slotsFail, fail > 0 { parts.append("fail \(fail)") }
        }
        return parts.joined(separator: " · ")
    }
}
