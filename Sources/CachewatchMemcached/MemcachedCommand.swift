import Foundation

/// The only commands cachewatch can send to memcached: all of them read-only, and each one sent. Nothing else is
/// expressible.
public enum MemcachedCommand: String, CaseIterable, Sendable {
    case version
    case stats
    case metadumpAll

    /// The command line as sent (CR LF terminated).
    public var wire: String {
        switch self {
        case .version: return "version\r\n"
        case .stats: return "stats\r\n"
        case .metadumpAll: return "lru_crawler metadump all\r\n"
        }
    }

    /// The command as people read it (`lru_crawler metadump all`).
    public var name: String { wire.trimmingCharacters(in: .newlines) }
}

/// Where one memcached server is, with timeouts.
public struct MemcachedEndpoint: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var connectTimeoutMilliseconds: Int
    public var commandTimeoutMilliseconds: Int

    public init(host: String, port: Int, connectTimeoutMilliseconds: Int = 5000, commandTimeoutMilliseconds: Int = 2000) {
        self.host = host
        self.port = port
        self.connectTimeoutMilliseconds = max(1, connectTimeoutMilliseconds)
        self.commandTimeoutMilliseconds = max(1, commandTimeoutMilliseconds)
    }

    /// `host:port` (`[v6]:port` for IPv6 literals).
    public var displayAddress: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Everything that can go wrong talking to memcached, as one sentence naming the address.
public enum MemcachedError: Error, Equatable, Sendable, CustomStringConvertible {
    case connectionRefused(address: String)
    case hostNotFound(address: String)
    case timeout(address: String, milliseconds: Int)
    case connectionClosed(address: String, detail: String)
    case protocolError(address: String, detail: String)
    /// `BUSY currently processing crawler request`: another crawl runs (retried later).
    case crawlerBusy(address: String)
    /// `CLIENT_ERROR lru crawler disabled`.
    case crawlerDisabled(address: String)
    /// `ERROR metadump not allowed` (`-X`) or `ERROR` (no `lru_crawler metadump` on this server).
    case metadumpNotAllowed(address: String)
    case serverError(address: String, command: String, message: String)
    /// The read was stopped (shutdown).
    case stopped

    /// One sentence for people.
    public var message: String {
        switch self {
        case .connectionRefused(let address):
            return "Could not connect to memcached at \(address): connection refused (is memcached running there?)."
        case .hostNotFound(let address):
            return "Could not connect to memcached at \(address): host not found."
        case .timeout(let address, let milliseconds):
            return "memcached at \(address) did not answer within \(milliseconds) ms (timeout)."
        case .connectionClosed(let address, let detail):
            return "The connection to memcached at \(address) was closed (\(detail))."
        case .protocolError(let address, let detail):
            return "memcached at \(address) sent a reply cachewatch cannot read (\(detail))."
        case .crawlerBusy(let address):
            return "memcached at \(address) is busy with another LRU crawl; the census will retry later."
        case .crawlerDisabled(let address):
            return "memcached at \(address) has its LRU crawler disabled (-o no_lru_crawler): no key census, metrics only."
        case .metadumpNotAllowed(let address):
            return "memcached at \(address) refuses lru_crawler metadump (-X, or too old): no key census, metrics only."
        case .serverError(let address, let command, let message):
            return "memcached at \(address) answered '\(command)' with an error: \(message)."
        case .stopped:
            return "The read was stopped."
        }
    }

    public var description: String { message }

    /// True for errors after which the connection cannot be reused.
    public var breaksConnection: Bool {
        switch self {
        case .crawlerBusy, .crawlerDisabled, .metadumpNotAllowed, .serverError: return false
        default: return true
        }
    }

    /// True when the census can never run on this server (no point retrying).
    public var disablesCensus: Bool {
        switch self {
        case .crawlerDisabled, .metadumpNotAllowed: return true
        default: return false
        }
    }
}
