import CachewatchCore
import Foundation

/// A thread-safe Redis client that (re)connects lazily with capped exponential backoff and never
/// lets an error escape as anything but a `RedisError`. Calls are serialized (one command or
/// pipeline at a time); give each worker (collector, census) its own client.
public final class RedisClient: @unchecked Sendable {
    public let endpoint: RedisEndpoint
    /// First retry delay after a connection error.
    public let initialBackoffSeconds: Double
    /// Largest retry delay.
    public let maxBackoffSeconds: Double
    /// Books every command this client sends (handshakes included), so rates can leave cachewatch's own load out.
    public let ownTraffic: OwnTraffic?

    // MARK: - State (guarded by stateLock)

    private let stateLock = NSLock()
    private var currentState: ConnectionState = .connecting
    private var currentError: RedisError?
    private var liveConnection: RedisConnection?

    // MARK: - Connection (guarded by commandLock)

    private let commandLock = NSLock()
    private var connection: RedisConnection?
    private var backoffSeconds: Double
    private var nextAttempt: Date = .distantPast
    /// How many connections this client has opened (the current one's number while it is open).
    private var openedConnections = 0

    public init(endpoint: RedisEndpoint, initialBackoffSeconds: Double = 0.25, maxBackoffSeconds: Double = 5,
                ownTraffic: OwnTraffic? = nil) {
        self.endpoint = endpoint
        self.ownTraffic = ownTraffic
        self.initialBackoffSeconds = initialBackoffSeconds
        self.maxBackoffSeconds = maxBackoffSeconds
        self.backoffSeconds = initialBackoffSeconds
    }

    deinit {
        if let connection { ownTraffic?.connectionClosed(ObjectIdentifier(connection)) }
        connection?.close()
    }

    /// What the connection is doing now (`connecting` before the first connect).
    public var state: ConnectionState {
        stateLock.lock()
        defer { stateLock.unlock() }
        return currentState
    }

    /// The last connection error (nil while connected).
    public var lastConnectionError: RedisError? {
        stateLock.lock()
        defer { stateLock.unlock() }
        return currentError
    }

    // MARK: - Commands

    /// Sends one command; error replies and connection failures are thrown as `RedisError`.
    /// A denied command (NOPERM, unknown command) leaves the connection up.
    public func send(_ command: RedisCommand) throws -> RedisReply {
        try withConnection { connection in
            ownTraffic?.add(commands: 1)
            return try connection.send(command)
        }
    }

    /// Sends a pipeline; error replies come back as `.error` in their slot, connection failures are thrown.
    public func pipeline(_ commands: [RedisCommand]) throws -> [RedisReply] {
        try withConnection { connection in
            ownTraffic?.add(commands: commands.count)
            return try connection.pipeline(commands)
        }
    }

    /// A pipeline written to Redis whose replies are not read yet (see `write(_:)`).
    public struct WrittenPipeline: @unchecked Sendable {
        fileprivate let connection: RedisConnection
        /// How many replies are due.
        public let replyCount: Int
        /// The `connectionGeneration` of the connection it was written on.
        public let connectionGeneration: Int
    }

    /// The number of the open connection (1 for the first this client opened, +1 on every reconnect), or nil
    /// when none is open (the next call opens a new one). Per-connection state (`CLIENT NO-TOUCH`) set on
    /// generation g holds while this is still g. Blocks while another thread runs a command on this client.
    public var connectionGeneration: Int? {
        commandLock.lock()
        defer { commandLock.unlock() }
        guard let connection, connection.isOpen else { return nil }
        return openedConnections
    }

    /// Writes a pipeline without reading its replies, so the caller can work while Redis answers; read
    /// them with `readReplies(count:of:)` before any other call on this client. Connection failures are thrown.
    public func write(_ commands: [RedisCommand]) throws -> WrittenPipeline {
        try withConnection { connection in
            ownTraffic?.add(commands: commands.count)
            try connection.write(commands)
            return WrittenPipeline(connection: connection, replyCount: commands.count, connectionGeneration: openedConnections)
        }
    }

    /// Reads the next `count` replies of a pipeline sent with `write(_:)` (in order; a pipeline may be read
    /// in parts, and another may be written before it is read to the end). Error replies come back as
    /// `.error` in their slot. Throws a connection error when that connection has been lost.
    public func readReplies(count: Int, of written: WrittenPipeline) throws -> [RedisReply] {
        commandLock.lock()
        defer { commandLock.unlock() }
        guard let connection, connection === written.connection, connection.isOpen else {
            throw RedisError.connectionClosed(address: endpoint.displayAddress, detail: "connection lost with a pipeline in flight")
        }
        do {
            return try connection.readReplies(count: count)
        } catch let error as RedisError {
            if error.isConnectionError || !connection.isOpen {
                drop(reason: error)
            }
            throw error
        }
    }

    /// Connects now if not connected (honouring the backoff); throws the connection error.
    public func connect() throws {
        try withConnection { _ in () }
    }

    /// Closes the connection; the next call reconnects at once.
    public func disconnect() {
        commandLock.lock()
        defer { commandLock.unlock() }
        drop(reason: nil)
        stateLock.lock()
        currentState = .connecting
        stateLock.unlock()
        nextAttempt = .distantPast
        backoffSeconds = initialBackoffSeconds
    }

    /// Thread-safe: unblocks a command waiting on the socket in another thread (it fails with a
    /// connection error and the client reconnects later). Used to stop workers promptly.
    public func interrupt() {
        stateLock.lock()
        let live = liveConnection
        stateLock.unlock()
        live?.interrupt()
    }

    // MARK: - Connection management

    private func withConnection<T>(_ body: (RedisConnection) throws -> T) throws -> T {
        commandLock.lock()
        defer { commandLock.unlock() }
        let conn = try openIfNeeded()
        do {
            return try body(conn)
        } catch let error as RedisError {
            if error.isConnectionError || !conn.isOpen {
                drop(reason: error)
            }
            throw error
        }
    }

    /// Returns the open connection or opens one (unless still backing off from the last failure).
    private func openIfNeeded() throws -> RedisConnection {
        if let connection, connection.isOpen { return connection }
        if Date() < nextAttempt, let error = lastConnectionError {
            throw error
        }
        do {
            // Registered as soon as the socket is open, so `interrupt()` also cuts a handshake short.
            let conn = try RedisConnection(endpoint: endpoint) { [stateLock] opened in
                stateLock.lock()
                self.liveConnection = opened
                stateLock.unlock()
            }
            ownTraffic?.add(commands: conn.handshakeCommands)
            ownTraffic?.connectionOpened(ObjectIdentifier(conn), localAddress: conn.localAddress)
            connection = conn
            openedConnections += 1
            backoffSeconds = initialBackoffSeconds
            nextAttempt = .distantPast
            stateLock.lock()
            currentState = .connected
            currentError = nil
            liveConnection = conn
            stateLock.unlock()
            return conn
        } catch let error as RedisError {
            drop(reason: error)
            throw error
        }
    }

    /// Forgets the connection; with a reason, records the outage and schedules the next attempt.
    private func drop(reason: RedisError?) {
        stateLock.lock()
        liveConnection = nil
        stateLock.unlock()
        if let connection { ownTraffic?.connectionClosed(ObjectIdentifier(connection)) }
        connection?.close()
        connection = nil
        guard let reason else { return }
        nextAttempt = Date().addingTimeInterval(backoffSeconds)
        backoffSeconds = min(maxBackoffSeconds, backoffSeconds * 2)
        stateLock.lock()
        if case .disconnected(let since, _) = currentState {
            currentState = .disconnected(since: since, reason: reason.summary)
        } else {
            currentState = .disconnected(since: Date(), reason: reason.summary)
        }
        currentError = reason
        stateLock.unlock()
    }
}
