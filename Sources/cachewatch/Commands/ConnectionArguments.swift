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

    @Option(name: [.customShort("n"), .long], help: "Logical database (default: $CACHE_REDIS_DB, then 0).")
    var db: String?

    @Option(name: [.customShort("u"), .long], help: "redis://[user[:pass]@]host[:port][/db]")
    var url: String?

    @Option(name: .customLong("connect-timeout"), help: "Connect timeout, e.g. 5s (default: $CACHE_REDIS_CONNECT_TIMEOUT, then 5s).")
    var connectTimeout: String?

    @Option(name: .customLong("command-timeout"), help: "Timeout for one command or pipeline, e.g. 2s.")
    var commandTimeout: String = "2s"

    @Flag(name: .customLong("no-auth-warning"), help: "Do not warn about a password given with -a.")
    var noAuthWarning = false

    @Option(name: .customLong("memcached"), help: "Watch this memcached server (host:port) instead of Redis; repeatable for several servers.")
    var memcached: [String] = []

    @Option(name: .customLong("env-file"), help: "The app's .env file to read CACHE_REDIS_* / CACHE_BACKEND / CACHE_MEMCACHED_* from (default: ./.env when present).")
    var envFile: String?
}

// MARK: - Resolution

import CachewatchCore
import Foundation

extension ConnectionArguments {
    /// Resolves flags, URL, environment and the app's `.env` into connection options (flags win).
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ConnectionOptions {
        let dotEnv: [String: String]
        if let envFile {
            guard let values = DotEnv.load(contentsOf: URL(fileURLWithPath: envFile)) else {
                throw CLIError("Cannot read the env file \(envFile).")
            }
            dotEnv = values
        } else {
            dotEnv = DotEnv.load(contentsOf: URL(fileURLWithPath: ".env")) ?? [:]
        }
        let flags = ConnectionFlags(host: host, port: port, socket: socket, pass: password, user: user, db: db,
                                    url: url, connectTimeout: connectTimeout)
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

    /// The command timeout in milliseconds (validated).
    func commandTimeoutMilliseconds() throws -> Int {
        guard let seconds = DurationText.seconds(commandTimeout), seconds > 0 else {
            throw CLIError("--command-timeout must be a duration such as 2s or 500ms, not \(DisplayEscaper.escape(commandTimeout)).")
        }
        return Int((seconds * 1000).rounded())
    }
}
