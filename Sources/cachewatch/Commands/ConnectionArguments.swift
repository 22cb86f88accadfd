import ArgumentParser

/// Connection flags, named as in redis-cli (`-h` is the host; help is `--help`).
struct ConnectionArguments: ParsableArguments {
    @Option(name: [.customShort("h"), .long], help: "Redis host (default: $CACHE_REDIS_HOST, then 127.0.0.1).")
    var host: String?

    @Option(name: [.customShort("p"), .long], help: "Redis port (default: $CACHE_REDIS_PORT, then 6379).")
    var port: String?

    @Option(name: [.customShort("s"), .long], help: "Unix socket path (overrides host and port).")
    var socket: String?

    @Option(name: [.customShort("a"), .customLong("pass")],
            help: "Password (visible in `ps`; prefer $REDISCLI_AUTH or $CACHE_REDIS_PASSWORD).")
    var password: String?

    @Option(name: .long, help: "ACL user name (Redis 6+).")
    var user: String?

    @Option(name: [.customShort("n"), .long], help: "Logical database: a number, a list such as 0,1,3, or all (default: $CACHE_REDIS_DB, then 0).")
    var db: String?

    @Option(name: [.customShort("u"), .long], help: "redis://[user[:pass]@]host[:port][/db]")
    var url: String?

    @Option(name: .customLong("connect-timeout"), help: "Connect timeout, 10ms…10m, e.g. 5s or 500ms (default: $CACHE_REDIS_CONNECT_TIMEOUT, then 5s).")
    var connectTimeout: DurationArgument?

    @Option(name: .customLong("command-timeout"), help: "Timeout for one command or pipeline, 10ms…10m, e.g. 2s.")
    var commandTimeout = DurationArgument(argument: "2s")

    @Flag(name: .customLong("no-auth-warning"), help: "Do not warn about a password given with -a.")
    var noAuthWarning = false

    @Option(name: .customLong("memcached"), help: "Watch this memcached server (host:port) instead of Redis; repeatable for several servers.")
    var memcached: [String] = []

    @Flag(name: .long, help: "The target is a Redis Cluster: discover and watch every node (detected from INFO otherwise).")
    var cluster = false

    @Option(name: .customLong("env-file"), help: "The app's .env file to read CACHE_REDIS_* / CACHE_BACKEND / CACHE_MEMCACHED_* from (default: ./.env when present).")
    var envFile: String?
}

// MARK: - Resolution

import CachewatchCore
import Foundation

extension ConnectionArguments {
    /// Resolves flags, URL, environment and the app's `.env` into connection options (flags win).
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment,
                 config: ConfigConnection = ConfigConnection(), configPath: String? = nil) throws -> ConnectionOptions {
        let appDotEnv: [String: String]
        if let envFile {
            guard let values = DotEnv.load(contentsOf: URL(fileURLWithPath: envFile)) else {
                throw CLIError("Cannot read the env file \(envFile).")
            }
            appDotEnv = values
        } else {
            appDotEnv = DotEnv.load(contentsOf: URL(fileURLWithPath: ".env")) ?? [:]
        }
        // The config file's [connection] is the lowest layer: under the app's environment and .env.
        let fileLayer = try ConnectionArguments.settings(from: config, path: configPath, environment: environment)
        let dotEnv = fileLayer.merging(appDotEnv) { _, fromDotEnv in fromDotEnv }
        var configSocket: String?
        if host == nil, port == nil, url == nil, environment["CACHE_REDIS_HOST"] == nil, appDotEnv["CACHE_REDIS_HOST"] == nil {
            configSocket = config.socket
        }
        // A bad flag is a usage error (exit 64); a bad CACHE_REDIS_CONNECT_TIMEOUT is reported by `resolve` (exit 1).
        let timeout = try connectTimeout.map { try $0.bounded(.connectTimeout) }
        // A bad -n is a usage error too (exit 64): one sentence naming the flag.
        if let db, !db.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            do { _ = try DatabaseSelection.parse(db, source: "--db") } catch let error as ConnectionOptionsError {
                throw CLIError(error.message, exitCode: 64)
            }
        }
        let flags = ConnectionFlags(host: host, port: port, socket: socket ?? configSocket, pass: password, user: user ?? config.user,
                                    db: db, url: url, connectTimeout: timeout.map { "\($0.seconds)" })
        do {
            let options = try ConnectionOptions.resolve(flags: flags, environment: environment, dotEnv: dotEnv)
            if password != nil && !noAuthWarning {
                FileHandle.standardError.write(Data("Warning: a password given with -a/--pass is visible in `ps`; prefer REDISCLI_AUTH or CACHE_REDIS_PASSWORD.\n".utf8))
            }
            return options
        } catch let error as ConnectionOptionsError {
            throw CLIError(error.message)
        }
    }

    /// The config file's `[connection]` as `CACHE_REDIS_*` settings; `password_env` is looked up here.
    static func settings(from config: ConfigConnection, path: String?, environment: [String: String]) throws -> [String: String] {
        var layer: [String: String] = [:]
        layer["CACHE_REDIS_HOST"] = config.host
        layer["CACHE_REDIS_PORT"] = config.port.map(String.init)
        layer["CACHE_REDIS_DB"] = config.databases.map(\.description) ?? config.db.map(String.init)
        layer["CACHE_REDIS_CONNECT_TIMEOUT"] = config.connectTimeout.flatMap(BoundedDuration.parseSeconds).map { String($0) }
        layer["CACHE_REDIS_PASSWORD"] = config.password
        if let name = config.passwordEnv {
            guard let value = environment[name], !value.isEmpty else {
                throw CLIError("\(path ?? "The config file") names the password variable \(name) (password_env), but it is not set.")
            }
            layer["CACHE_REDIS_PASSWORD"] = value
        }
        return layer
    }

    /// The command timeout in milliseconds (within `DurationBounds.commandTimeout`).
    func commandTimeoutMilliseconds() throws -> Int {
        try commandTimeout.bounded(.commandTimeout).milliseconds
    }
}
