import CachewatchCore
import Foundation

/// A memcached client that (re)connects on demand; every method sends one `MemcachedCommand`.
///
/// Not thread-safe except `stop()`, which interrupts a read in progress within 100 ms. After an error that
/// breaks the connection the next call connects again; callers pace retries with `Backoff`.
public final class MemcachedClient: @unchecked Sendable {
    public let endpoint: MemcachedEndpoint
    private var connection: MemcachedConnection?
    private let stopLock = NSLock()
    private var stopRequested = false

    public init(endpoint: MemcachedEndpoint) {
        self.endpoint = endpoint
    }

    /// Interrupts any read and makes later calls throw `.stopped`.
    public func stop() {
        stopLock.lock()
        stopRequested = true
        stopLock.unlock()
    }

    /// True once `stop()` was called.
    public var isStopped: Bool {
        stopLock.lock()
        defer { stopLock.unlock() }
        return stopRequested
    }

    /// Closes the connection (the next call reconnects).
    public func disconnect() {
        connection?.close()
        connection = nil
    }

    // MARK: - Commands

    /// `version` → `1.6.18`, with the round trip in milliseconds.
    public func version() throws -> (version: String, milliseconds: Double) {
        let started = Date()
        let line = try run(.version) { connection in try connection.readLine() }
        let elapsed = Date().timeIntervalSince(started) * 1000
        let text = DisplayEscaper.escape(Array(line.prefix(200)))
        guard text.hasPrefix("VERSION ") else { throw unexpected(text, command: .version) }
        return (String(text.dropFirst(8)), elapsed)
    }

    /// `stats`, `stats settings`, `stats slabs` or `stats items`: the `STAT` lines up to `END`, as text.
    public func stats(_ command: MemcachedCommand = .stats) throws -> String {
        precondition(command != .version && command != .metadumpAll, "not a stats command")
        return try run(command) { connection in
            var text = ""
            var lines = 0
            while true {
                let line = try connection.readLine()
                if line.elementsEqual("END".utf8) { return text }
                let decoded = String(decoding: line, as: UTF8.self)
                guard decoded.hasPrefix("STAT ") else { throw self.unexpected(DisplayEscaper.escape(Array(line.prefix(200))), command: command) }
                lines += 1
                if lines <= 4096 { text += decoded + "\n" }
                if lines > 100_000 {
                    self.disconnect()
                    throw MemcachedError.protocolError(address: self.endpoint.displayAddress, detail: "'\(command.name)' sent more than 100000 lines")
                }
            }
        }
    }

    /// `lru_crawler metadump all`: hands every line to `onLine` until `END`; `onLine` returns false to stop
    /// early (the connection is then closed, since the rest of the dump is still on its way).
    /// Throws `.crawlerBusy`, `.crawlerDisabled`, `.metadumpNotAllowed` when the dump cannot start.
    /// Returns true when the dump ended with `END`.
    @discardableResult
    public func metadump(onLine: (MetadumpLine) -> Bool) throws -> Bool {
        let complete: Bool = try run(.metadumpAll) { connection in
            var first = true
            while true {
                let line = MetadumpLine.parse(try connection.readLine())
                switch line {
                case .end: return true
                case .busy where first: throw MemcachedError.crawlerBusy(address: endpoint.displayAddress)
                case .crawlerDisabled where first: throw MemcachedError.crawlerDisabled(address: endpoint.displayAddress)
                case .notAllowed where first: throw MemcachedError.metadumpNotAllowed(address: endpoint.displayAddress)
                case .serverError(let message) where first:
                    throw MemcachedError.serverError(address: endpoint.displayAddress, command: MemcachedCommand.metadumpAll.name, message: message)
                default: break
                }
                first = false
                if !onLine(line) { return false }
            }
        }
        if !complete { disconnect() }
        return complete
    }

    // MARK: - Plumbing

    /// Sends `command` on a (re)opened connection and reads its reply with `read`; errors that break the
    /// connection close it.
    /// A kept connection the server closed meanwhile (a restart) is replaced once, at once, except for a
    /// metadump (whose lines may already have been handed out).
    private func run<T>(_ command: MemcachedCommand, read: (MemcachedConnection) throws -> T) throws -> T {
        if isStopped { throw MemcachedError.stopped }
        let reused = connection != nil
        do {
            let connection = try self.connection ?? MemcachedConnection.open(endpoint, shouldStop: { [weak self] in self?.isStopped ?? true })
            self.connection = connection
            try connection.send(command)
            return try read(connection)
        } catch let error as MemcachedError {
            if error.breaksConnection { disconnect() }
            if reused, command != .metadumpAll, case .connectionClosed = error { return try run(command, read: read) }
            throw error
        }
    }

    private func unexpected(_ text: String, command: MemcachedCommand) -> MemcachedError {
        if text.hasPrefix("ERROR") || text.hasPrefix("CLIENT_ERROR") || text.hasPrefix("SERVER_ERROR") {
            return .serverError(address: endpoint.displayAddress, command: command.name, message: text)
        }
        disconnect()
        return .protocolError(address: endpoint.displayAddress, detail: "unexpected reply to '\(command.name)': \(text)")
    }
}

/// Exponential back-off between reconnects: 0.25 s doubling to 5 s, reset by a success (as for Redis).
public struct Backoff: Sendable {
    public private(set) var delaySeconds: Double = 0
    public static let firstSeconds = 0.25
    public static let maximumSeconds = 5.0

    public init() {}

    /// The delay before the next attempt after a failure (and doubles it for the one after).
    public mutating func failed() -> Double {
        delaySeconds = delaySeconds == 0 ? Self.firstSeconds : min(Self.maximumSeconds, delaySeconds * 2)
        return delaySeconds
    }

    public mutating func succeeded() {
        delaySeconds = 0
    }
}
