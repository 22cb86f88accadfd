/// `hot-shard`: a family whose keys sit on one node far beyond that node's share of the slots (a hash tag such as
/// `{user1}:…` pins every key of the family to one slot). Needs a cluster census with per-node counts.
public enum HotShardFindings {
    /// Families of at least `minimumKeys` keys of which one node holds ≥ 50 % and more than twice its slot share
    /// (a node with a third of the slots holding 90 % of a family). `warn`; pattern set.
    public static func evaluate(_ census: CensusReport, minimumKeys: Int = 100) -> [Finding] {
        guard let nodes = census.clusterNodes, nodes.count >= 2 else { return [] }
        let shares = Dictionary(nodes.map { ($0.address, $0.slotShare) }, uniquingKeysWith: { first, _ in first })
        var findings: [Finding] = []
        for family in census.families where family.pattern != "(other)" && family.keys >= minimumKeys {
            guard let perNode = family.nodeKeys,
                  let (address, keys) = perNode.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }) else { continue }
            let fraction = Double(keys) / Double(family.keys)
            let slotShare = shares[address] ?? 0
            guard fraction >= 0.5, fraction > 2 * slotShare, fraction.isFinite else { continue }
            findings.append(Finding(
                severity: .warn, code: "hot-shard", pattern: family.pattern,
                message: "\(keys) of the \(family.keys) keys of \(family.pattern) (\(Int((fraction * 100).rounded())) %) are on \(address), "
                    + "which serves \(Int((slotShare * 100).rounded())) % of the slots: a hash tag pins the family to one shard, "
                    + "so its load does not spread.",
                evidence: [FindingEvidence("keys", keys), FindingEvidence("family_keys", family.keys),
                           FindingEvidence("fraction", fraction), FindingEvidence("slot_share", slotShare)]))
        }
        return findings
    }

    /// `cluster-state`: the summed INFO of a cluster (see `ClusterAggregate`) says the cluster is not `ok`, slots
    /// have failed or a primary does not answer (`crit`), or some slots are suspected (PFAIL, `warn`).
    public static func clusterState(_ info: InfoSnapshot) -> [Finding] {
        guard info.clusterEnabled == true, let fields = info.fields["cluster"], fields["cachewatch_nodes_down"] != nil else { return [] }
        func number(_ key: String) -> Int { fields[key].flatMap { $0.utf8.count <= 6 ? Int($0) : nil }.map { max(0, $0) } ?? 0 }
        let state = fields["cluster_state"] ?? "?"
        let down = number("cachewatch_nodes_down"), failed = number("cluster_slots_fail"), pfail = number("cluster_slots_pfail")
        let evidence = [FindingEvidence("nodes_down", down), FindingEvidence("slots_fail", failed), FindingEvidence("slots_pfail", pfail)]
        if state != "ok" || failed > 0 || down > 0 {
            return [Finding(severity: .crit, code: "cluster-state", pattern: nil,
                            message: "The cluster is \(DisplayEscaper.escape(state)): \(down) primar\(down == 1 ? "y does" : "ies do") not answer, "
                                + "\(failed) slots failed, \(pfail) suspected.", evidence: evidence)]
        }
        if pfail > 0 {
            return [Finding(severity: .warn, code: "cluster-state", pattern: nil,
                            message: "\(pfail) slots are on a node some nodes cannot reach (PFAIL): a failover may follow.", evidence: evidence)]
        }
        return []
    }
}
