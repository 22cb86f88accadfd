/// One connection of `CLIENT LIST` (only the fields cachewatch reads).
public struct ClientListEntry: Equatable, Sendable {
    /// `addr=`: the client's address as the server sees it (`127.0.0.1:53422`, `/tmp/redis.sock:0`).
    public var address: String
    /// `name=` (`CLIENT SETNAME`; empty when unnamed).
    public var name: String
    /// `cmd=`: the last command the connection ran (`info`, `client|list`, `pttl` …).
    public var lastCommand: String
    /// `idle=`: seconds since the connection last sent or received anything, in whole ticks of the server's cached
    /// clock (so within a second either way; nil when absent or unreadable).
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
        lines(text).compactMap(entry)
    }

    private static func lines(_ text: String) -> [Substring] {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
    }

    /// One line's entry, or nil without `addr=`.
    private static func entry(_ line: Substring) -> ClientListEntry? {
        var address: String?
        var name = ""
        var command = ""
        var idle: Int?
        for field in line.split(separator: " ") {
            guard let equals = field.firstIndex(of: "=") else { continue }
            let key = field[..<equals]
            let value = field[field.index(after: equals)...]
            switch key {
            case "addr": address = String(value)
            case "name": name = String(value)
            case "cmd": command = String(value)
            // A server's number: only a plain count of seconds is believed (no sign, at most 12 digits).
            case "idle": idle = value.count <= 12 && value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) ? Int(value) : nil
            default: break
            }
        }
        guard let address else { return nil }
        return ClientListEntry(address: address, name: name, lastCommand: command, idleSeconds: idle)
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

    /// True when every connection not named `cachewatch` in a `CLIENT LIST` reply has surely been silent for more
    /// than `seconds`, reading lines only up to the first busy connection. Redis counts `idle=` in whole ticks of a
    /// cached seconds clock (`unixtime` now minus `unixtime` at the last interaction), so `idle=N` means anything
    /// between N − 1 and N + 1 seconds: more than `seconds` takes `idle=` ≥ `seconds` + 1. A connection whose `idle=`
    /// is missing or unreadable counts as busy; a reply without any connection is false (the asking connection is
    /// always listed: such a reply is unreadable). Connections named `cachewatch` (this process's and others') only
    /// run the commands `CensusDepthPolicy.observerCommands` leaves out.
    public static func appClientsSilent(inReply text: String, forMoreThanSeconds seconds: Int) -> Bool {
        var sawOne = false
        for line in lines(text) {
            guard let entry = entry(line) else { continue }
            sawOne = true
            if !isSilent(entry, forMoreThanSeconds: seconds) { return false }
        }
        return sawOne
    }

    private static func isSilent(_ entry: ClientListEntry, forMoreThanSeconds seconds: Int) -> Bool {
        let (needed, overflow) = max(0, seconds).addingReportingOverflow(1)
        return entry.name == cachewatchName || (!overflow && (entry.idleSeconds.map { $0 >= needed } ?? false))
    }

    private static func isCollector(_ entry: ClientListEntry) -> Bool {
        entry.lastCommand == "info" || entry.lastCommand == "client|list"
    }
}
