import CHiredis
import Foundation

/// hiredis writes without MSG_NOSIGNAL: a write to a closed socket must not kill the process.
private let ignoreSIGPIPEOnce: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

/// One hiredis connection, used by one thread at a time. After a connection error (I/O,
/// timeout, protocol) it is dead: every later call throws and the owner must open a new one.
public final class RedisConnection {
    public let endpoint: RedisEndpoint
    private var context: UnsafeMutablePointer<redisContext>?
    /// The error that killed the connection, if any.
    public private(set) var deadReason: RedisError?
    /// Commands the connection sent while opening (AUTH, CLIENT SETNAME, SELECT).
    public private(set) var handshakeCommands = 0
    /// Our end of a TCP connection as the server names it in `CLIENT LIST` (`127.0.0.1:53422`); nil for a unix socket.
    public private(set) var localAddress: String?
    /// The socket descriptor while open; guarded by `descriptorLock` so `interrupt()` never touches a reused fd.
    private var fileDescriptor: Int32 = -1
    private let descriptorLock = NSLock()
    /// Reused argv buffers (hiredis copies the command into its output buffer on append).
    private var scratch = UnsafeMutablePointer<CChar>.allocate(capacity: 256)
    private var scratchCapacity = 256
    private var scratchPointers: [UnsafePointer<CChar>?] = []
    private var scratchLengths: [Int] = []
    /// Reused wire buffer for pipelines (`appendPipeline`).
    private let encoder = RESPEncoder()

    // MARK: - Connect

    /// Connects, authenticates, selects the DB and names the client. Throws a `RedisError`.
    /// `connected` runs once the socket is open, before the handshake, so an owner can `interrupt()` a handshake
    /// that a server never answers.
    public init(endpoint: RedisEndpoint, connected: ((RedisConnection) -> Void)? = nil) throws {
        _ = ignoreSIGPIPEOnce
        self.endpoint = endpoint
        let connectTimeout = cw_timeval_ms(max(1, endpoint.connectTimeoutMilliseconds))
        let ctx: UnsafeMutablePointer<redisContext>?
        if let path = endpoint.socketPath, !path.isEmpty {
            ctx = redisConnectUnixWithTimeout(path, connectTimeout)
        } else {
            ctx = redisConnectWithTimeout(endpoint.host, Int32(clamping: endpoint.port), connectTimeout)
        }
        guard let ctx else {
            throw RedisError.connectionClosed(address: endpoint.displayAddress, detail: "out of memory")
        }
        if cw_context_error(ctx) != 0 {
            let error = RedisError.fromContext(code: cw_context_error(ctx), text: String(cString: cw_context_errstr(ctx)),
                                               address: endpoint.displayAddress, timeoutMilliseconds: endpoint.connectTimeoutMilliseconds)
            redisFree(ctx)
            throw error
        }
        context = ctx
        descriptorLock.lock()
        fileDescriptor = cw_context_fd(ctx)
        descriptorLock.unlock()
        _ = redisSetTimeout(ctx, cw_timeval_ms(max(1, endpoint.commandTimeoutMilliseconds)))
        localAddress = Self.localAddress(of: cw_context_fd(ctx))
        connected?(self)
        do {
            try handshake()
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
        scratch.deallocate()
    }

    /// AUTH, SELECT, CLIENT SETNAME.
    private func handshake() throws {
        if let password = endpoint.password, !password.isEmpty {
            let auth: RedisCommand
            if let user = endpoint.username, !user.isEmpty {
                auth = .auth(user: user, password: password)
            } else {
                auth = .auth(password: password)
            }
            let reply = try handshakeSend(auth)
            if let text = reply.errorText {
                let lower = text.lowercased()
                // A server without a password refuses AUTH; like redis-cli, carry on.
                let noPasswordConfigured = lower.contains("no password is set") || lower.contains("without any password configured")
                if !noPasswordConfigured {
                    throw mapped(text, command: "auth")
                }
            }
        }
        // CLIENT SETNAME first: its NOAUTH tells us early that a password is needed.
        let nameReply = try handshakeSend(.clientSetName(endpoint.clientName))
        if let text = nameReply.errorText {
            // NOAUTH: a password is needed. `max number of clients reached`: the server turned us away (it closes the
            // connection next). Anything else (NOPERM for CLIENT SETNAME) leaves the connection usable, unnamed.
            let error = mapped(text, command: "client|setname")
            if case .authRequired = error { throw error }
            if case .maxClients = error { throw error }
        }
        if endpoint.db != 0 {
            let reply = try handshakeSend(.select(endpoint.db))
            if let text = reply.errorText {
                if text.lowercased().contains("out of range") {
                    throw RedisError.noSuchDatabase(address: endpoint.displayAddress, db: endpoint.db)
                }
                throw mapped(text, command: "select")
            }
        }
        if endpoint.clusterReadOnly {
            // A cluster replica answers key reads (TYPE, PTTL …) on this connection instead of redirecting them.
            let reply = try handshakeSend(.readOnly)
            if let text = reply.errorText { throw mapped(text, command: "readonly") }
        }
    }

    /// Sends one handshake command, counting it (the observer's own load includes the handshake).
    private func handshakeSend(_ command: RedisCommand) throws -> RedisReply {
        handshakeCommands += 1
        return try sendRaw(command)
    }

    /// Frees the hiredis context (idempotent).
    public func close() {
        if let ctx = context {
            free(ctx)
        }
        if deadReason == nil { deadReason = .connectionClosed(address: endpoint.displayAddress, detail: "closed by cachewatch") }
    }

    /// True while the connection can be used.
    public var isOpen: Bool { context != nil }

    // MARK: - Commands

    /// Sends one command. An error reply is thrown as a mapped `RedisError` (the connection stays usable
    /// unless the error says otherwise); connection errors kill the connection.
    public func send(_ command: RedisCommand) throws -> RedisReply {
        let reply = try sendRaw(command)
        if let text = reply.errorText {
            throw mapped(text, command: command.aclName)
        }
        return reply
    }

    /// Sends commands in one pipeline (append all, then read all). Error replies come back as `.error`
    /// in their slot; only connection errors are thrown.
    public func pipeline(_ commands: [RedisCommand]) throws -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        // Check every command before buffering any, so a refused one leaves nothing half-sent.
        for command in commands where !RedisCommand.isAllowed(command.arguments) {
            throw RedisError.commandNotAllowed(command: RedisCommand.name(of: command.arguments))
        }
        let ctx = try liveContext()
        try appendPipeline(commands, to: ctx)
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            replies.append(try readReply(ctx))
        }
        return replies
    }

    /// Writes commands to the socket without reading their replies (the first half of a pipeline;
    /// `readReplies(count:)` is the second). Nothing else may use the connection in between.
    public func write(_ commands: [RedisCommand]) throws {
        for command in commands where !RedisCommand.isAllowed(command.arguments) {
            throw RedisError.commandNotAllowed(command: RedisCommand.name(of: command.arguments))
        }
        let ctx = try liveContext()
        try appendPipeline(commands, to: ctx)
        var done: Int32 = 0
        while done == 0 {
            guard redisBufferWrite(ctx, &done) == REDIS_OK else { throw kill(ctx) }
        }
    }

    /// Reads `count` replies of commands sent with `write(_:)`; error replies come back as `.error`.
    public func readReplies(count: Int) throws -> [RedisReply] {
        let ctx = try liveContext()
        var replies: [RedisReply] = []
        replies.reserveCapacity(count)
        for _ in 0..<count {
            replies.append(try readReply(ctx))
        }
        return replies
    }

    /// The maps an error reply with our endpoint's address and password masking.
    func mapped(_ text: String, command: String) -> RedisError {
        RedisError.fromReply(text, command: command, address: endpoint.displayAddress, password: endpoint.password,
                             username: endpoint.username)
    }

    /// Sends one command, returning error replies as `.error`.
    func sendRaw(_ command: RedisCommand) throws -> RedisReply {
        let ctx = try liveContext()
        try append(command, to: ctx)
        return try readReply(ctx)
    }

    private func liveContext() throws -> UnsafeMutablePointer<redisContext> {
        guard let ctx = context else {
            throw deadReason ?? RedisError.connectionClosed(address: endpoint.displayAddress, detail: "not connected")
        }
        return ctx
    }

    /// Appends one command to the output buffer after the read-only check.
    private func append(_ command: RedisCommand, to ctx: UnsafeMutablePointer<redisContext>) throws {
        guard RedisCommand.isAllowed(command.arguments) else {
            throw RedisError.commandNotAllowed(command: RedisCommand.name(of: command.arguments))
        }
        let args = command.arguments
        let total = args.reduce(0) { $0 + $1.count }
        if total > scratchCapacity {
            scratch.deallocate()
            scratchCapacity = max(total, scratchCapacity * 2)
            scratch = UnsafeMutablePointer<CChar>.allocate(capacity: scratchCapacity)
        }
        scratchPointers.removeAll(keepingCapacity: true)
        scratchLengths.removeAll(keepingCapacity: true)
        var offset = 0
        for arg in args {
            arg.withUnsafeBytes { raw in
                if let base = raw.baseAddress, raw.count > 0 {
                    UnsafeMutableRawPointer(scratch + offset).copyMemory(from: base, byteCount: raw.count)
                }
            }
            scratchPointers.append(UnsafePointer(scratch + offset))
            scratchLengths.append(arg.count)
            offset += arg.count
        }
        let status = scratchPointers.withUnsafeMutableBufferPointer { argv in
            scratchLengths.withUnsafeBufferPointer { argvlen in
                redisAppendCommandArgv(ctx, Int32(args.count), argv.baseAddress, argvlen.baseAddress)
            }
        }
        if status != REDIS_OK {
            throw kill(ctx)
        }
    }

    /// Appends commands the caller has checked against the allow-list to the output buffer in one piece
    /// (formatted here: hiredis's per-argument formatting cost more than the census's own work).
    private func appendPipeline(_ commands: [RedisCommand], to ctx: UnsafeMutablePointer<redisContext>) throws {
        encoder.reset()
        for command in commands { encoder.append(command.arguments) }
        let status = encoder.withBytes { wire in
            wire.withMemoryRebound(to: CChar.self) { redisAppendFormattedCommand(ctx, $0.baseAddress, $0.count) }
        }
        if status != REDIS_OK {
            throw kill(ctx)
        }
    }

    /// Reads one reply, copies it and frees the C object.
    private func readReply(_ ctx: UnsafeMutablePointer<redisContext>) throws -> RedisReply {
        var raw: UnsafeMutableRawPointer?
        let status = redisGetReply(ctx, &raw)
        guard status == REDIS_OK, let raw else {
            if let raw { freeReplyObject(raw) }
            throw kill(ctx)
        }
        defer { freeReplyObject(raw) }
        return RedisReply.copy(raw.assumingMemoryBound(to: redisReply.self))
    }

    /// Marks the connection dead after an I/O or protocol error and returns the mapped error.
    private func kill(_ ctx: UnsafeMutablePointer<redisContext>) -> RedisError {
        // A server that turns a connection away (maxclients) writes one error reply and closes: our write then fails
        // (EPIPE, reset) before that reply is read. It is still in the socket's receive queue: read it for the reason.
        if let text = pendingErrorReply(cw_context_fd(ctx)) {
            let error = mapped(text, command: "connect")
            if case .maxClients = error {
                deadReason = error
                free(ctx)
                return error
            }
        }
        let error = RedisError.fromContext(code: cw_context_error(ctx), text: String(cString: cw_context_errstr(ctx)),
                                           address: endpoint.displayAddress, timeoutMilliseconds: endpoint.commandTimeoutMilliseconds)
        deadReason = error
        free(ctx)
        return error
    }

    private func free(_ ctx: UnsafeMutablePointer<redisContext>) {
        descriptorLock.lock()
        fileDescriptor = -1
        redisFree(ctx)
        descriptorLock.unlock()
        context = nil
    }

    /// `ip:port` of a TCP socket's local end (IPv6 as `[::1]:port` is not how Redis prints it: `::1:port`).
    private static func localAddress(of descriptor: Int32) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard status == 0 else { return nil }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let family = Int32(storage.ss_family)
        guard family == AF_INET || family == AF_INET6 else { return nil }
        let named = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &host, socklen_t(host.count), &service, socklen_t(service.count), NI_NUMERICHOST | NI_NUMERICSERV)
            }
        }
        guard named == 0 else { return nil }
        return String(cString: host) + ":" + String(cString: service)
    }

    /// An error reply (`-ERR …`) waiting unread in the socket, without blocking (nil when there is none).
    private func pendingErrorReply(_ descriptor: Int32) -> String? {
        guard descriptor >= 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT) | Int32(MSG_PEEK)) }
        guard count > 1, buffer[0] == UInt8(ascii: "-") else { return nil }
        let line = buffer[1..<count].prefix { $0 != 13 && $0 != 10 }
        return String(decoding: line, as: UTF8.self)
    }

    /// Thread-safe: shuts the socket down so a read blocked in another thread returns at once
    /// (the connection then dies with a connection error). Used by `stop()` of workers.
    public func interrupt() {
        descriptorLock.lock()
        if fileDescriptor >= 0 { _ = shutdown(fileDescriptor, Int32(SHUT_RDWR)) }
        descriptorLock.unlock()
    }
}
