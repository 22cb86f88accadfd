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

    @Option(name: .customLong("env-file"), help: "The app's .env file to read CACHE_REDIS_* from (default: ./.env when present).")
    var envFile: String?
}
