/// A reply tree as the Redis module hands it to the core (the core does not import hiredis).
public indirect enum ClusterReplyValue: Equatable, Sendable {
    case string(String)
    case integer(Int64)
    case array([ClusterReplyValue])
    case null
    case error(String)

    var text: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var integer: Int64? {
        switch self {
        case .integer(let value): return value
        case .string(let value): return Int64(value)
        default: return nil
        }
    }

    /// A RESP2 map (a flat `[key, value, key, value …]` array) as pairs; odd trailing elements are dropped.
    var pairs: [(String, ClusterReplyValue)]? {
        guard case .array(let items) = self else { return nil }
        var out: [(String, ClusterReplyValue)] = []
        var index = 0
        while index + 1 < items.count {
            if let key = items[index].text { out.append((key, items[index + 1])) }
            index += 2
        }
        return out
    }
}

/// Parses `CLUSTER SHARDS` (Redis ≥ 7.0): an array of shards, each a map with `slots` (start/end pairs) and
/// `nodes` (maps with `id`, `port`, `ip`, `endpoint`, `hostname`, `role`, `health`).
public enum ClusterShardsParser {
    /// Every well-formed node becomes a node; anything refused (a port outside 1…65535, a slot outside 0…16383, a
    /// shard that is not a map) is left out with one sentence in `problems`. Never traps.
    public static func parse(_ reply: ClusterReplyValue) -> ClusterTopology {
        guard case .array(let shards) = reply else {
            return ClusterTopology(nodes: [], problems: ["CLUSTER SHARDS did not answer with an array."])
        }
        var nodes: [ClusterNode] = []
        var problems: [String] = []
        for (shardIndex, shard) in shards.enumerated() {
            guard let fields = shard.pairs else {
                problems.append("CLUSTER SHARDS shard \(shardIndex + 1) is not a map.")
                continue
            }
            var slots: [SlotRange] = []
            var shardNodes: [ClusterReplyValue] = []
            for (key, value) in fields {
                switch key {
                case "slots":
                    guard case .array(let bounds) = value else { continue }
                    var index = 0
                    while index + 1 < bounds.count {
                        if let a = bounds[index].integer, let b = bounds[index + 1].integer,
                           let range = SlotRange(first: Int(clamping: a), last: Int(clamping: b)) {
                            slots.append(range)
                        } else {
                            problems.append("CLUSTER SHARDS shard \(shardIndex + 1): a slot range outside 0…16383 was ignored.")
                        }
                        index += 2
                    }
                case "nodes":
                    if case .array(let list) = value { shardNodes = list }
                default:
                    continue
                }
            }
            let normalized = SlotRange.normalized(slots)
            var primaryID: String?
            var parsed: [ClusterNode] = []
            for (nodeIndex, entry) in shardNodes.enumerated() {
                switch parseNode(entry) {
                case .success(let node):
                    if node.role == .primary { primaryID = node.id }
                    parsed.append(node)
                case .failure(let problem):
                    problems.append("CLUSTER SHARDS shard \(shardIndex + 1) node \(nodeIndex + 1): \(problem.sentence)")
                }
            }
            for var node in parsed {
                if node.role == .primary { node.slots = normalized } else { node.primaryID = primaryID }
                nodes.append(node)
            }
        }
        return ClusterTopology(nodes: nodes, problems: problems)
    }

    static func parseNode(_ entry: ClusterReplyValue) -> Result<ClusterNode, ClusterNodesParser.Problem> {
        guard let fields = entry.pairs else { return .failure(.init(sentence: "not a map.")) }
        var values: [String: ClusterReplyValue] = [:]
        for (key, value) in fields where values[key] == nil { values[key] = value }
        guard let id = values["id"]?.text.flatMap(ClusterField.nodeID) else { return .failure(.init(sentence: "no node ID.")) }
        // `port` (or `tls-port` alone on a TLS-only cluster, which hiredis 0.14 cannot reach anyway).
        guard let rawPort = values["port"]?.integer else { return .failure(.init(sentence: "no plain-text port.")) }
        guard let port = ClusterField.port(rawPort) else { return .failure(.init(sentence: "port \(rawPort) is not within 1…65535.")) }
        // The announced endpoint first (an IP, a hostname, or "?" when unknown), then hostname, then ip.
        let candidates = [values["endpoint"]?.text, values["hostname"]?.text, values["ip"]?.text]
        guard let host = candidates.lazy.compactMap({ $0.flatMap(ClusterField.host) }).first else {
            return .failure(.init(sentence: "no usable address."))
        }
        let roleText = values["role"]?.text ?? ""
        let role: ClusterNode.Role = roleText == "master" || roleText == "primary" ? .primary : .replica
        let health = values["health"]?.text.map { DisplayEscaper.escape(String($0.prefix(32))) } ?? "unknown"
        return .success(ClusterNode(id: id, host: host, port: port, role: role, health: health))
    }
}
