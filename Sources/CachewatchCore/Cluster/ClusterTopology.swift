/// A Redis Cluster hash-slot range, both ends included (0…16383).
public struct SlotRange: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The number of hash slots of a Redis Cluster.
    public static let slotCount = 16384
    public var first: Int
    public var last: Int

    /// A range when both ends are slots (0…16383) and `first <= last`; nil otherwise.
    public init?(first: Int, last: Int) {
        guard (0..<Self.slotCount).contains(first), (0..<Self.slotCount).contains(last), first <= last else { return nil }
        self.first = first
        self.last = last
    }

    /// Slots in the range.
    public var count: Int { last - first + 1 }

    /// `0-5460`, or `5461` for a single slot.
    public var description: String { first == last ? String(first) : "\(first)-\(last)" }

    /// Sorted, merged ranges covering the same slots (adjacent and overlapping ranges joined).
    public static func normalized(_ ranges: [SlotRange]) -> [SlotRange] {
        var out: [SlotRange] = []
        for range in ranges.sorted(by: { ($0.first, $0.last) < ($1.first, $1.last) }) {
            if let last = out.last, range.first <= last.last + 1 {
                out[out.count - 1].last = max(last.last, range.last)
            } else {
                out.append(range)
            }
        }
        return out
    }

    /// The slots of 0…16383 that `ranges` leave out, as sorted ranges.
    public static func complement(of ranges: [SlotRange]) -> [SlotRange] {
        var out: [SlotRange] = []
        var next = 0
        for range in normalized(ranges) {
            if range.first > next, let gap = SlotRange(first: next, last: range.first - 1) { out.append(gap) }
            next = max(next, range.last + 1)
        }
        if next < slotCount, let gap = SlotRange(first: next, last: slotCount - 1) { out.append(gap) }
        return out
    }

    /// The number of slots in `ranges` (overlaps counted once).
    public static func total(_ ranges: [SlotRange]) -> Int { normalized(ranges).reduce(0) { $0 + $1.count } }
}

/// One node of a Redis Cluster as `CLUSTER SHARDS` or `CLUSTER NODES` announces it.
public struct ClusterNode: Equatable, Sendable {
    /// Primary (`master`) or replica (`slave`).
    public enum Role: String, Equatable, Sendable {
        case primary
        case replica
    }

    /// The node ID (40 hex characters in a well-formed reply; escaped for display).
    public var id: String
    /// Where to connect: the announced endpoint (a hostname when the cluster announces hostnames), else the IP.
    public var host: String
    /// TCP port, 1…65535.
    public var port: Int
    public var role: Role
    /// A replica's primary (nil for a primary, or when unknown).
    public var primaryID: String?
    /// Slots served (primaries; empty for replicas and for a primary without slots).
    public var slots: [SlotRange]
    /// `online`, `failed`, `loading` (`CLUSTER SHARDS` `health`), or derived from `CLUSTER NODES` flags.
    public var health: String
    /// Raw flags (`myself`, `fail`, `fail?`, `handshake`, `noaddr`, `nofailover`), `CLUSTER NODES` only.
    public var flags: [String]

    public init(id: String, host: String, port: Int, role: Role, primaryID: String? = nil, slots: [SlotRange] = [],
                health: String = "online", flags: [String] = []) {
        self.id = id
        self.host = host
        self.port = port
        self.role = role
        self.primaryID = primaryID
        self.slots = slots
        self.health = health
        self.flags = flags
    }

    /// `host:port` (`[v6]:port` for an IPv6 address), escaped for display.
    public var address: String {
        let shown = DisplayEscaper.escape(host)
        return shown.contains(":") ? "[\(shown)]:\(port)" : "\(shown):\(port)"
    }

    /// True when the cluster considers it failed (`fail` flag, or health `fail` (Redis 7.0) / `failed`).
    public var isFailed: Bool { health == "failed" || health == "fail" || flags.contains("fail") }

    /// True when some node suspects it (`fail?`, PFAIL).
    public var isSuspected: Bool { flags.contains("fail?") }

    /// Slots served.
    public var slotCount: Int { SlotRange.total(slots) }
}

/// The nodes of a cluster, and what was wrong with the reply they were read from.
public struct ClusterTopology: Equatable, Sendable {
    public var nodes: [ClusterNode]
    /// One sentence per entry of the reply that was refused (hostile port, slot out of range …); never fatal.
    public var problems: [String]

    public init(nodes: [ClusterNode], problems: [String] = []) {
        self.nodes = nodes
        self.problems = problems
    }

    /// The primaries, sorted by their first slot, then address (slotless primaries last).
    public var primaries: [ClusterNode] {
        nodes.filter { $0.role == .primary }.sorted { a, b in
            let fa = a.slots.map(\.first).min() ?? Int.max, fb = b.slots.map(\.first).min() ?? Int.max
            return fa != fb ? fa < fb : a.address < b.address
        }
    }

    /// The replicas of the primary `id`.
    public func replicas(of id: String) -> [ClusterNode] { nodes.filter { $0.role == .replica && $0.primaryID == id } }

    /// The node with `id`, if any.
    public func node(id: String) -> ClusterNode? { nodes.first { $0.id == id } }

    /// Slots no healthy primary serves.
    public var unservedSlots: [SlotRange] {
        SlotRange.complement(of: nodes.filter { $0.role == .primary && !$0.isFailed }.flatMap(\.slots))
    }
}
