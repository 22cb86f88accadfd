/// One connection of `CLIENT LIST` (only the fields cachewatch reads).
public struct ClientListEntry: Equatable, Sendable {
    /// `addr=`: the client's address as the server sees it (`127.0.0.1:53422`, `/tmp/redis.sock:0`).
    public var address: String
    /// `name=` (`CLIENT SETNAME`; empty when unnamed).
    public var name: String
    /// `cmd=`: the last command the connection ran (`info`, `client|list`, `pttl` …).
    public var lastCommand: String
    /// `idle=`: whole seconds since the connection last sent or received anything (nil when absent or unreadable).
    public var idleSeconds: Int?

    public init(address: String, name: String, lastCommand: String, idleSeconds: Int? = nil) {
        self.address = address
        self.name = name
        self.lastCommand = lastCommand
        self.idleSeconds = idleSeconds
    }
}

/// Parses `CLIENT LIST` and recognises other cachewatch processes among the clients.
public enum ClientList {
    /// The name every cachewatch connection gives itself (`CLIENT SETNAME`).
    public static let cachewatchName = "cachewatch"

    /// One entry per line of `key=value` pairs; lines without `addr=` are skipped. Values are kept as text.
    public static func parse(_ text: String) -> [ClientListEntry] {
        var entries: [ClientListEntry] = []
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            var address: String?
            var name = ""
            var command = ""
            var idle: Int?
            for field in line.split(separator: " ") {
                guard let equals = field.firstIndex(of: "=") else { continue }
                let key = field[..<equals]
                let value = String(field[field.index(after: equals)...])
                switch key {
                case "addr": address = value
                case "name": name = value
                case "cmd": command = value
                // A server's number: only a plain count of seconds is believed (no sign, at most 12 digits).
                case "idle": idle = value.count <= 12 && value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) ? Int(value) : nil
                default: break
                }
            }
            if let address { entries.append(ClientListEntry(address: address, name: name, lastCommand: command, idleSeconds: idle)) }
        }
        return entries
    }

    /// How many other cachewatch processes use the server, from their connections named `cachewatch`.
    ///
    /// Ours are left out by address (`ownAddresses`: the local addresses of our open TCP connections). When
    /// addresses cannot tell them apart (a unix socket: every client reads `path:0`), `ownConnectionCount` of
    /// them are taken as ours. Each process has one collector connection (last command `info` or `client|list`)
    /// beside its census; processes are counted by those, and at least one when any other connection remains.
    public static func otherCachewatchCount(in entries: [ClientListEntry], ownAddresses: Set<String>, ownConnectionCount: Int) -> Int {
        var others = entries.filter { $0.name == cachewatchName && !ownAddresses.contains($0.address) }
        if ownAddresses.isEmpty {
            // No address to match (unix socket): take out as many as we hold: our collector (the one running
            // CLIENT LIST now), then census connections.
            var remaining = max(0, ownConnectionCount)
            if remaining > 0, let index = others.firstIndex(where: { $0.lastCommand == "client|list" }) ?? others.firstIndex(where: isCollector) {
                others.remove(at: index)
                remaining -= 1
            }
            while remaining > 0, let index = others.lastIndex(where: { !isCollector($0) }) ?? others.indices.last {
                others.remove(at: index)
                remaining -= 1
            }
        }
        guard !others.isEmpty else { return 0 }
        return max(1, others.filter(isCollector).count)
    }

    /// True when every connection not named `cachewatch` has been silent for at least `seconds` (none there: true).
    /// A connection whose `idle=` is missing or unreadable counts as busy. Connections named `cachewatch` (this
    /// process's and others') only run the commands `CensusDepthPolicy.observerCommands` leaves out as well.
    public static func appClientsSilent(in entries: [ClientListEntry], forAtLeastSeconds seconds: Int) -> Bool {
        entries.allSatisfy { entry in
            entry.name == cachewatchName || (entry.idleSeconds.map { $0 >= seconds } ?? false)
        }
    }

    private static func isCollector(_ entry: ClientListEntry) -> Bool {
        entry.lastCommand == "info" || entry.lastCommand == "client|list"
    }
}
