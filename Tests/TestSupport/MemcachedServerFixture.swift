import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private `memcached -l 127.0.0.1 -p <free port> -U 0` for one test; `restart()` keeps the port.
/// Deinit (and process exit, through a watchdog) kills it.
public final class MemcachedServerFixture: @unchecked Sendable {
    public let host = "127.0.0.1"
    public private(set) var port = 0
    /// Extra command-line flags, e.g. `["-X"]` or `["-o", "no_lru_crawler"]`.
    public let extraArguments: [String]
    private var process: Process?
    private let lock = NSLock()

    /// True when a memcached binary is installed (tests skip without one, except under `CI=true`).
    public static var isInstalled: Bool { executable != nil }

    /// True when a missing memcached must fail the run (`CI=true`) instead of skipping tests.
    public static var mustExist: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Starts memcached (throws when it is not installed or does not start).
    public init(extraArguments: [String] = []) throws {
        self.extraArguments = extraArguments
        guard Self.executable != nil else {
            throw NSError(domain: "MemcachedServerFixture", code: 1,
                          userInfo: [NSLocalizedDescriptionKey: "memcached is not installed (run make deps)"])
        }
        var lastError: Error?
        for _ in 0..<5 {
            port = freeLoopbackPort()
            do {
                try start()
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? NSError(domain: "MemcachedServerFixture", code: 2)
    }

    deinit { kill() }

    static var executable: URL? { ServerProcess.executable("memcached", in: ["/usr/bin", "/usr/local/bin", "/usr/sbin"]) }

    /// `host:port`.
    public var address: String { "\(host):\(port)" }

    /// Starts memcached on `port` and waits until it answers `version`.
    public func start() throws {
        var arguments = ["-l", host, "-p", String(port), "-U", "0", "-m", "64"]
        if geteuid() == 0 { arguments += ["-u", "root"] }
        let proc = try ServerProcess.launch(Self.executable, arguments: arguments + extraArguments)
        lock.lock()
        process = proc
        lock.unlock()
        if ServerProcess.waitUntilAnswering(proc, { (try? send("version\r\n", until: "\r\n"))?.hasPrefix("VERSION") == true }) { return }
        kill()
        throw NSError(domain: "MemcachedServerFixture", code: 3, userInfo: [NSLocalizedDescriptionKey: "memcached did not start on \(port)"])
    }

    /// SIGKILL and wait.
    public func kill() {
        lock.lock()
        let proc = process
        process = nil
        lock.unlock()
        ServerProcess.terminate(proc, signal: SIGKILL)
    }

    /// Kill, then start again on the same port (an empty cache, a new pid).
    public func restart() throws {
        kill()
        try start()
    }

    // MARK: - Text protocol (the test writes its own keys)

    /// `set key 0 exptime n` + value; `exptime` 0 = never expires. Key bytes are sent as they are.
    public func set(_ key: [UInt8], value: String = "v", exptimeSeconds: Int = 0) throws {
        let command = Array("set ".utf8) + key + Array(" 0 \(exptimeSeconds) \(value.utf8.count)\r\n\(value)\r\n".utf8)
        let reply = try send(bytes: command, until: "\r\n")
        guard reply.hasPrefix("STORED") else { throw NSError(domain: "memcached", code: 4, userInfo: [NSLocalizedDescriptionKey: reply]) }
    }

    public func set(_ key: String, value: String = "v", exptimeSeconds: Int = 0) throws {
        try set(Array(key.utf8), value: value, exptimeSeconds: exptimeSeconds)
    }

    /// Many `set`s in one write (noreply), then a `version` to wait for them.
    public func setMany(_ keys: [String], value: String = "v", exptimeSeconds: Int = 0) throws {
        var text = ""
        for key in keys { text += "set \(key) 0 \(exptimeSeconds) \(value.utf8.count) noreply\r\n\(value)\r\n" }
        _ = try send(text + "version\r\n", until: "\r\n")
    }

    /// `get key` (marks it fetched).
    public func get(_ keys: [String]) throws {
        _ = try send("get \(keys.joined(separator: " "))\r\n", until: "END\r\n")
    }

    /// Sends text and reads until `terminator`.
    @discardableResult
    public func send(_ text: String, until terminator: String) throws -> String {
        try send(bytes: Array(text.utf8), until: terminator)
    }

    /// Sends bytes on a fresh connection and reads until the reply ends with `terminator` (5 s at most).
    public func send(bytes: [UInt8], until terminator: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw NSError(domain: "memcached", code: 5) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw NSError(domain: "memcached", code: 6, userInfo: [NSLocalizedDescriptionKey: "connect failed"]) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw NSError(domain: "memcached", code: 7) }
            offset += written
        }
        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        let end = Array(terminator.utf8)
        while !(reply.count >= end.count && Array(reply.suffix(end.count)) == end) {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            reply += chunk[0..<count]
        }
        return String(decoding: reply, as: UTF8.self)
    }
}
