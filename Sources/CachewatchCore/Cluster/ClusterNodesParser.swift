/// Parses `CLUSTER NODES` (Redis < 7.0, and the fallback when `CLUSTER SHARDS` is refused):
/// `<id> <ip:port@cport[,hostname]> <flags> <primary|-> <ping> <pong> <epoch> <link> <slot>…` per line.
public enum ClusterNodesParser {
    /// Every well-formed line becomes a node; a line that is not (a port outside 1…65535, a slot outside
    /// 0…16383, too few fields) is left out with one sentence in `problems`. Never traps.
    public static func parse(_ text: String) -> ClusterTopology {
        var nodes: [ClusterNode] = []
        var problems: [String] = []
        for (index, rawLine) in text.split(whereSeparator: { $0.isNewline }).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            switch parseLine(line) {
            case .success(let node): nodes.append(node)
            case .failure(let problem): problems.append("CLUSTER NODES line \(index + 1): \(problem.sentence)")
            }
        }
        return ClusterTopology(nodes: nodes, problems: problems)
    }

    /// One reason a line or an entry was refused.
    struct Problem: Error {
        var sentence: String
    }

    static func parseLine(_ line: String) -> Result<ClusterNode, Problem> {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count >= 8 else { return .failure(Problem(sentence: "too few fields (\(parts.count)).")) }
        guard let id = ClusterField.nodeID(parts[0]) else { return .failure(Problem(sentence: "not a node ID.")) }
        // `ip:port@cport[,hostname]`; the IP may be IPv6 (split at the last ':' before '@').
        var addressField = Substring(parts[1])
        var hostname: String?
        if let comma = addressField.firstIndex(of: ",") {
            let name = String(addressField[addressField.index(after: comma)...])
            if !name.isEmpty { hostname = name }
            addressField = addressField[..<comma]
        }
        if let at = addressField.firstIndex(of: "@") { addressField = addressField[..<at] }
        guard let colon = addressField.lastIndex(of: ":") else {
            return .failure(Problem(sentence: "no port in \"\(DisplayEscaper.escape(parts[1]))\"."))
        }
        let ip = String(addressField[..<colon])
        guard let port = ClusterField.port(String(addressField[addressField.index(after: colon)...])) else {
            return .failure(Problem(sentence: "port out of range in \"\(DisplayEscaper.escape(parts[1]))\"."))
        }
        let flags = parts[2].split(separator: ",").map(String.init)
        let role: ClusterNode.Role = flags.contains("master") ? .primary : .replica
        let primaryID = parts[3] == "-" ? nil : ClusterField.nodeID(parts[3])
        var slots: [SlotRange] = []
        for field in parts.dropFirst(8) {
            // `[slot->-id]` / `[slot-<-id]`: a migration in progress, not a served range.
            if field.hasPrefix("[") { continue }
            guard let range = ClusterField.slotRange(field) else {
                return .failure(Problem(sentence: "slot \"\(DisplayEscaper.escape(field))\" is not within 0…16383."))
            }
            slots.append(range)
        }
        // A node that has not met another yet does not know its own IP (`:7000@17000`): "" = the address it was asked at.
        guard let host = hostname.flatMap(ClusterField.host) ?? ClusterField.host(ip) ?? (ip.isEmpty && flags.contains("myself") ? "" : nil) else {
            return .failure(Problem(sentence: "no usable address in \"\(DisplayEscaper.escape(parts[1]))\"."))
        }
        let health: String
        if flags.contains("fail") { health = "failed" } else if flags.contains("noaddr") || flags.contains("handshake") {
            health = "unknown"
        } else { health = parts[7] == "connected" || flags.contains("myself") ? "online" : "disconnected" }
        return .success(ClusterNode(id: id, host: host, port: port, role: role, primaryID: role == .replica ? primaryID : nil,
                                    slots: role == .primary ? SlotRange.normalized(slots) : [], health: health, flags: flags))
    }
}

/// Bounds checks for the fields of cluster replies.
enum ClusterField {
    /// A node ID: 1…64 printable ASCII characters without spaces (Redis uses 40 hex digits).
    static func nodeID(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= 64, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { return nil }
        return text
    }

    /// A TCP port 1…65535 from decimal text.
    static func port(_ text: String) -> Int? {
        guard text.utf8.count <= 5, let value = Int(text), (1...65535).contains(value) else { return nil }
        return value
    }

    /// A port from an integer reply.
    static func port(_ value: Int64) -> Int? { (1...65535).contains(value) ? Int(value) : nil }

    /// A slot 0…16383 from decimal text.
    static func slot(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 5, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(text),
              (0..<SlotRange.slotCount).contains(value) else { return nil }
        return value
    }

    /// `0-5460` or `5461`.
    static func slotRange(_ text: String) -> SlotRange? {
        let pieces = text.split(separator: "-", omittingEmptySubsequences: false)
        switch pieces.count {
        case 1: return slot(pieces[0]).flatMap { SlotRange(first: $0, last: $0) }
        case 2:
            guard let first = slot(pieces[0]), let last = slot(pieces[1]) else { return nil }
            return SlotRange(first: first, last: last)
        default: return nil
        }
    }

    /// A host name or address: 1…255 bytes without spaces or control bytes.
    static func host(_ text: String) -> String? {
        guard !text.isEmpty, text != "?", text.utf8.count <= 255, text.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7f }) else { return nil }
        return text
    }
}
