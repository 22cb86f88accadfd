import Foundation

/// A private `redis-server` for one test suite: free loopback port, temp dir, no persistence.
/// `stop()`/`kill()`/`restart()` keep the same port; deinit (and process exit) kills it and removes the dir.
public final class RedisServerFixture: @unchecked Sendable {
    /// How to configure the server.
    public struct Options: Sendable {
        /// `requirepass` for the default user.
        public var password: String?
        /// Extra ACL users, each a full rule line without the `user` word, e.g. `"alice on >pw ~* +@all -info"`.
        public var aclUsers: [String]
        /// Also listen on a unix socket (`socketPath`).
        public var unixSocket: Bool
        /// More `redis.conf` lines (e.g. `"maxmemory 10mb"`).
        public var extraConfig: [String]
        /// Another server binary speaking the same config (e.g. Valkey's `valkey-server`); nil: `redis-server`.
        public var serverExecutable: URL?
        /// A Redis Cluster node: its port is ≤ 55535 and its bus port (port + 10000) is free too.
        public var clusterBus = false

        public init(password: String? = nil, aclUsers: [String] = [], unixSocket: Bool = false, extraConfig: [String] = [],
                    serverExecutable: URL? = nil) {
            self.password = password
            self.aclUsers = aclUsers
            self.unixSocket = unixSocket
            self.extraConfig = extraConfig
            self.serverExecutable = serverExecutable
        }
    }

    public enum FixtureError: Error, CustomStringConvertible {
        case notInstalled(String)
        case didNotStart(String)
        public var description: String {
            switch self {
            case .notInstalled(let what): return "\(what) is not installed (run make deps)"
            case .didNotStart(let log): return "redis-server did not start: \(log)"
            }
        }
    }

    public let options: Options
    public private(set) var port: Int
    /// The temp directory holding redis.conf, the log and the socket.
    public let directory: URL
    /// The unix socket path when `options.unixSocket`.
    public var socketPath: String? { options.unixSocket ? directory.appendingPathComponent("redis.sock").path : nil }
    public let host = "127.0.0.1"

    private var process: Process?
    private let lock = NSLock()

    /// Starts the server and waits until it answers.
    public init(options: Options = Options()) throws {
        self.options = options
        self.port = 0
        // Short path: unix socket paths are limited to 107 bytes.
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("cw-redis-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard let _ = options.serverExecutable ?? Self.executable("redis-server") else {
            try? FileManager.default.removeItem(at: directory)
            throw FixtureError.notInstalled("redis-server")
        }
        var lastError: Error?
        for _ in 0..<5 {
            port = options.clusterBus ? freeClusterPort() : freeLoopbackPort()
            do {
                try start()
                FixtureRegistry.shared.add(self)
                return
            } catch {
                lastError = error
            }
        }
        try? FileManager.default.removeItem(at: directory)
        throw lastError ?? FixtureError.didNotStart("unknown")
    }

    deinit {
        FixtureRegistry.shared.remove(self)
        teardown()
    }

    // MARK: - Lifecycle

    /// True while the server process runs.
    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return process?.isRunning ?? false
    }

    /// The server's pid (nil when stopped).
    public var pid: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return process.map { $0.processIdentifier }
    }

    /// Starts the server on `port` (after stop/kill) and waits for it to accept connections.
    public func start() throws {
        lock.lock()
        if process?.isRunning == true { lock.unlock(); return }
        lock.unlock()
        let config = directory.appendingPathComponent("redis.conf")
        try configText().write(to: config, atomically: true, encoding: .utf8)
        let log = directory.appendingPathComponent("redis.log")
        let proc = try ServerProcess.launch(options.serverExecutable ?? Self.executable("redis-server"), arguments: [config.path],
                                            currentDirectory: directory, cleanupDirectory: directory)
        lock.lock()
        process = proc
        lock.unlock()
        if ServerProcess.waitUntilAnswering(proc, { loopbackPortAccepts(port) && pingAnswers() }) { return }
        let logText = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        terminate(signal: SIGKILL)
        throw FixtureError.didNotStart(String(logText.suffix(600)))
    }

    /// SIGTERM and wait (the port is reused by `start()`).
    public func stop() { terminate(signal: SIGTERM) }

    /// SIGKILL and wait (a crash, as a deploy might look).
    public func kill() { terminate(signal: SIGKILL) }

    /// Kill then start again on the same port.
    public func restart() throws {
        kill()
        try start()
    }

    /// Kills the server and removes the temp dir (deinit does it too).
    public func teardown() {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }

    private func terminate(signal: Int32) {
        lock.lock()
        let proc = process
        process = nil
        lock.unlock()
        ServerProcess.terminate(proc, signal: signal)
    }

    // MARK: - redis-cli

    /// Runs `redis-cli -p PORT [auth] args…` (optionally feeding `stdin`) and returns stdout+stderr, trimmed.
    @discardableResult
    public func redisCLI(_ args: [String], stdin: String? = nil) -> String {
        redisCLI(args, stdinData: stdin.map { Data($0.utf8) })
    }

    /// `redisCLI` with binary stdin (e.g. `--pipe` with RESP bytes).
    @discardableResult
    public func redisCLI(_ args: [String], stdinData: Data?) -> String {
        guard let cli = Self.executable("redis-cli") else { return "redis-cli is not installed" }
        var full = ["-h", host, "-p", String(port)]
        if let password = options.password { full += ["-a", password, "--no-auth-warning"] }
        full += args
        let proc = Process()
        proc.executableURL = cli
        proc.arguments = full
        let output = Pipe()
        proc.standardOutput = output
        proc.standardError = output
        let input = Pipe()
        proc.standardInput = stdinData == nil ? FileHandle.nullDevice : input
        do { try proc.run() } catch { return "redis-cli failed: \(error)" }
        if let stdinData {
            DispatchQueue.global().async {
                input.fileHandleForWriting.write(stdinData)
                try? input.fileHandleForWriting.close()
            }
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        proc.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Sends commands (binary-safe argv) through `redis-cli --pipe`; returns its summary (`errors: 0, replies: N`).
    @discardableResult
    public func pipe(_ commands: [[[UInt8]]]) -> String {
        redisCLI(["--pipe"], stdinData: Self.resp(commands))
    }

    /// Text convenience for `pipe`: each command is a list of words, e.g. `["SET", "k", "v", "EX", "60"]`.
    @discardableResult
    public func pipe(_ commands: [[String]]) -> String {
        pipe(commands.map { $0.map { Array($0.utf8) } })
    }

    /// Encodes commands as RESP arrays of bulk strings.
    public static func resp(_ commands: [[[UInt8]]]) -> Data {
        var data = Data()
        for argv in commands {
            data.append(contentsOf: Array("*\(argv.count)\r\n".utf8))
            for arg in argv {
                data.append(contentsOf: Array("$\(arg.count)\r\n".utf8))
                data.append(contentsOf: arg)
                data.append(contentsOf: [13, 10])
            }
        }
        return data
    }

    // MARK: - Private

    private func configText() -> String {
        var lines = [
            "port \(port)",
            "bind 127.0.0.1",
            "dir \(directory.path)",
            "save \"\"",
            "appendonly no",
            "daemonize no",
            "logfile \(directory.appendingPathComponent("redis.log").path)",
            "protected-mode no",
        ]
        if let socketPath {
            lines += ["unixsocket \(socketPath)", "unixsocketperm 700"]
        }
        if let password = options.password {
            lines.append("requirepass \(password)")
        }
        lines += options.aclUsers.map { "user \($0)" }
        lines += options.extraConfig
        return lines.joined(separator: "\n") + "\n"
    }

    /// True when the server answers PING (with PONG, or NOAUTH when a password is set).
    private func pingAnswers() -> Bool {
        let reply = redisCLI(["ping"])
        return reply.contains("PONG") || reply.contains("NOAUTH")
    }

    static func executable(_ name: String) -> URL? { ServerProcess.executable(name) }
}

/// Kills every live fixture when the test process exits normally (deinit may not run for globals).
final class FixtureRegistry: @unchecked Sendable {
    static let shared = FixtureRegistry()
    private let lock = NSLock()
    private var fixtures: [ObjectIdentifier: Weak] = [:]

    private struct Weak { weak var fixture: RedisServerFixture? }

    private init() {
        atexit {
            FixtureRegistry.shared.killAll()
        }
    }

    func add(_ fixture: RedisServerFixture) {
        lock.lock()
        fixtures[ObjectIdentifier(fixture)] = Weak(fixture: fixture)
        lock.unlock()
    }

    func remove(_ fixture: RedisServerFixture) {
        lock.lock()
        fixtures[ObjectIdentifier(fixture)] = nil
        lock.unlock()
    }

    func killAll() {
        lock.lock()
        let all = fixtures.values.compactMap(\.fixture)
        lock.unlock()
        for fixture in all { fixture.teardown() }
    }
}
