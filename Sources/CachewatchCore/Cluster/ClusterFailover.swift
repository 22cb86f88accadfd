import Foundation

/// Compares two discoveries of a cluster and names its failovers: a replica that became a primary, and a primary
/// that vanished (left the topology, or is marked failed). Each is one `failover` event.
public enum ClusterFailover {
    public static func events(from previous: ClusterTopology, to current: ClusterTopology, at now: Date) -> [Event] {
        var events: [Event] = []
        let before = Dictionary(previous.nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for node in current.nodes where node.role == .primary {
            guard let old = before[node.id], old.role == .replica else { continue }
            let failedPrimary = old.primaryID.flatMap { previous.node(id: $0) }
            let replaced = failedPrimary.map { " in place of \($0.address)" } ?? ""
            events.append(Event(at: now, kind: .failover, severity: .warn,
                                message: "Failover: replica \(node.address) became a primary\(replaced) (slots \(describe(node.slots))).",
                                evidence: [("from", .string("replica")), ("to", .string("primary")), ("node", .string(node.address)),
                                           ("replaced", .text(failedPrimary?.address))]))
        }
        let currentByID = Dictionary(current.nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for old in previous.nodes where old.role == .primary && !old.isFailed {
            let now_ = currentByID[old.id]
            let vanished = now_ == nil
            let failed = now_?.isFailed == true
            guard vanished || failed else { continue }
            events.append(Event(at: now, kind: .failover, severity: .crit,
                                message: "Primary \(old.address) \(vanished ? "left the cluster" : "failed") (slots \(describe(old.slots))).",
                                evidence: [("from", .string("primary")), ("to", .string(vanished ? "gone" : "failed")),
                                           ("node", .string(old.address)), ("replaced", .null)]))
        }
        return events
    }

    static func describe(_ slots: [SlotRange]) -> String {
        slots.isEmpty ? "none" : slots.map(\.description).joined(separator: ",")
    }
}
