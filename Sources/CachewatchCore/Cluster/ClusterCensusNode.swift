/// One primary's part of a cluster census (`census.nodes` in the JSON).
public struct ClusterCensusNode: Equatable, Sendable {
    public var address: String
    /// Hash slots the node serves (its share of 16384 is what `hot-shard` compares families against).
    public var slots: [SlotRange]
    /// Keys its pass read (estimated when partial).
    public var keys: Int
    /// DBSIZE when its pass started.
    public var dbsizeKeys: Int
    public var complete: Bool
    /// Why its part is missing (the node is down, SCAN denied …), one sentence; nil when it answered.
    public var error: String?

    public init(address: String, slots: [SlotRange], keys: Int, dbsizeKeys: Int, complete: Bool, error: String? = nil) {
        self.address = address
        self.slots = slots
        self.keys = keys
        self.dbsizeKeys = dbsizeKeys
        self.complete = complete
        self.error = error
    }

    /// The node's share of the 16384 slots, 0…1.
    public var slotShare: Double { Double(SlotRange.total(slots)) / Double(SlotRange.slotCount) }

    /// An element of `census.nodes`.
    public var json: JSONValue {
        .object([("address", .string(address)), ("slots", .int(SlotRange.total(slots))), ("keys", .int(keys)),
                 ("dbsize_keys", .int(dbsizeKeys)), ("complete", .bool(complete)), ("error", .text(error))])
    }
}

extension CensusReport {
    /// The fields a cluster census adds at the end of `census`: `nodes` and `uncovered_slots` (none for a single server).
    var clusterJSON: [(String, JSONValue)] {
        guard let clusterNodes else { return [] }
        return [("nodes", .array(clusterNodes.map(\.json))),
                ("uncovered_slots", .array((uncoveredSlots ?? []).map { .string($0.description) }))]
    }
}
