import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One TCP connection to a memcached server speaking the text protocol: connect and per-read timeouts,
/// line-buffered reads, and a send path that takes only `MemcachedCommand`s (read-only by construction).
///
/// Waits are sliced into 100 ms polls so `shouldStop` interrupts any read within 100 ms.
final class MemcachedConnection {
    let endpoint: MemcachedEndpoint
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private let shouldStop: () -> Bool
    /// A line longer than this is a protocol error (metadump lines are a few hundred bytes).
    static let maximumLineBytes = 64 * 1024

    private init(endpoint: MemcachedEndpoint, descriptor: Int32, shouldStop: @escaping () -> Bool) {
        self.endpoint = endpoint
        self.descriptor = descriptor
        self.shouldStop = shouldStop
    }

    deinit { close() }

    var address: String { endpoint.displayAddress }

    // MARK: - Connecting

    /// Connects within the endpoint's connect timeout.
    static func open(_ endpoint: MemcachedEndpoint, shouldStop: @escaping () -> Bool) throws -> MemcachedConnection {
        let address = endpoint.displayAddress
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard (1...65535).contains(endpoint.port), getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list) == 0, let first = list else {
            throw MemcachedError.hostNotFound(address: address)
        }
        defer { freeaddrinfo(list) }
        var lastError = MemcachedError.connectionRefused(address: address)
        let deadline = Date().addingTimeInterval(Double(endpoint.connectTimeoutMilliseconds) / 1000)
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let started = connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
            if started == 0 || errno == EINPROGRESS {
                let connection = MemcachedConnection(endpoint: endpoint, descriptor: fd, shouldStop: shouldStop)
                do {
                    if started != 0 {
                        try connection.wait(for: Int16(POLLOUT), until: deadline, timeoutMilliseconds: endpoint.connectTimeoutMilliseconds)
                        var code: Int32 = 0
                        var length = socklen_t(MemoryLayout<Int32>.size)
                        _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
                        if code != 0 {
                            lastError = code == ECONNREFUSED ? .connectionRefused(address: address)
                                : .connectionClosed(address: address, detail: String(cString: strerror(code)))
                            continue
                        }
                    }
                    return connection
                } catch let error as MemcachedError {
                    lastError = error
                    if case .stopped = error { throw error }
                }
            } else {
                let code = errno
                Glibc.close(fd)
                lastError = code == ECONNREFUSED ? .connectionRefused(address: address)
                    : .connectionClosed(address: address, detail: String(cString: strerror(code)))
            }
        }
        throw lastError
    }

    /// Closes the socket (idempotent).
    func close() {
        if descriptor >= 0 {
            Glibc.close(descriptor)
            descriptor = -1
        }
    }

    // MARK: - Sending

    /// Sends one allowed command (the only way bytes reach the server).
    func send(_ command: MemcachedCommand) throws {
        let bytes = Array(command.wire.utf8)
        let deadline = Date().addingTimeInterval(Double(endpoint.commandTimeoutMilliseconds) / 1000)
        var sent = 0
        while sent < bytes.count {
            guard descriptor >= 0 else { throw MemcachedError.connectionClosed(address: address, detail: "closed") }
            let written = bytes[sent...].withUnsafeBytes { raw in
                Glibc.send(descriptor, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                sent += written
            } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                try wait(for: Int16(POLLOUT), until: deadline, timeoutMilliseconds: endpoint.commandTimeoutMilliseconds)
            } else {
                throw MemcachedError.connectionClosed(address: address, detail: String(cString: strerror(errno)))
            }
        }
    }

    // MARK: - Reading

    /// The next line without its CR LF; waits at most the command timeout for more bytes.
    func readLine() throws -> ArraySlice<UInt8> {
        while true {
            if let newline = buffer[readIndex...].firstIndex(of: 0x0A) {
                var end = newline
                if end > readIndex && buffer[end - 1] == 0x0D { end -= 1 }
                let line = buffer[readIndex..<end]
                readIndex = newline + 1
                return line
            }
            if buffer.count - readIndex > Self.maximumLineBytes {
                throw MemcachedError.protocolError(address: address, detail: "a line longer than \(Self.maximumLineBytes) bytes")
            }
            try fill()
        }
    }

    /// Reads more bytes into the buffer (compacting it first).
    private func fill() throws {
        if readIndex > 0 && readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        let deadline = Date().addingTimeInterval(Double(endpoint.commandTimeoutMilliseconds) / 1000)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            guard descriptor >= 0 else { throw MemcachedError.connectionClosed(address: address, detail: "closed") }
            let count = chunk.withUnsafeMutableBytes { Glibc.recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                return
            }
            if count == 0 { throw MemcachedError.connectionClosed(address: address, detail: "the server closed it") }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                throw MemcachedError.connectionClosed(address: address, detail: String(cString: strerror(errno)))
            }
            try wait(for: Int16(POLLIN), until: deadline, timeoutMilliseconds: endpoint.commandTimeoutMilliseconds)
        }
    }

    /// Polls in 100 ms slices until the socket is ready, the deadline passes (timeout) or a stop is requested.
    private func wait(for events: Int16, until deadline: Date, timeoutMilliseconds: Int) throws {
        while true {
            if shouldStop() { throw MemcachedError.stopped }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { throw MemcachedError.timeout(address: address, milliseconds: timeoutMilliseconds) }
            var descriptorEvents = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&descriptorEvents, 1, Int32(max(1, min(100, left * 1000))))
            if ready > 0 { return }
            if ready < 0 && errno != EINTR {
                throw MemcachedError.connectionClosed(address: address, detail: String(cString: strerror(errno)))
            }
        }
    }
}
