/// `CLUSTER INFO`: the cluster's state and slot health as one node sees it.
public struct ClusterInfo: Equatable, Sendable {
    /// `ok` or `fail` (escaped; nil when missing).
    public var state: String?
    public var slotsAssigned: Int?
    public var slotsOK: Int?
    /// Slots whose node some node suspects (PFAIL).
    public var slotsPFail: Int?
    /// Slots whose node the cluster agrees has failed.
    public var slotsFail: Int?
    public var knownNodes: Int?
    /// Primaries serving at least one slot.
    public var size: Int?
    public var currentEpoch: Int?

    public init(state: String? = nil, slotsAssigned: Int? = nil, slotsOK: Int? = nil, slotsPFail: Int? = nil, slotsFail: Int? = nil,
                knownNodes: Int? = nil, size: Int? = nil, currentEpoch: Int? = nil) {
        self.state = state
        self.slotsAssigned = slotsAssigned
        self.slotsOK = slotsOK
        self.slotsPFail = slotsPFail
        self.slotsFail = slotsFail
        self.knownNodes = knownNodes
        self.size = size
        self.currentEpoch = currentEpoch
    }

    /// Parses the `key:value` lines; slot counts outside 0…16383 and other numbers that are negative are unknown (nil).
    public init(text: String) {
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: { $0.isNewline }) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            values[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        func slots(_ key: String) -> Int? {
            guard let text = values[key], text.utf8.count <= 6, let value = Int(text), (0...SlotRange.slotCount).contains(value) else { return nil }
            return value
        }
        func count(_ key: String) -> Int? {
            guard let text = values[key], text.utf8.count <= 18, let value = Int(text), value >= 0 else { return nil }
            return value
        }
        self.init(state: values["cluster_state"].map { DisplayEscaper.escape(String($0.prefix(16))) },
                  slotsAssigned: slots("cluster_slots_assigned"), slotsOK: slots("cluster_slots_ok"),
                  slotsPFail: slots("cluster_slots_pfail"), slotsFail: slots("cluster_slots_fail"),
                  knownNodes: count("cluster_known_nodes"), size: count("cluster_size"), currentEpoch: count("cluster_current_epoch"))
    }

    /// `cluster` in the JSON document: `state`, `slots_assigned`, `slots_ok`, `slots_pfail`, `slots_fail`, `known_nodes`.
    public var json: JSONValue {
        .object([("state", .text(state)), ("slots_assigned", .integer(slotsAssigned)), ("slots_ok", .integer(slotsOK)),
                 ("slots_pfail", .integer(slotsPFail)), ("slots_fail", .integer(slotsFail)), ("known_nodes", .integer(knownNodes))])
    }
}
