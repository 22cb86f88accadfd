import ArgumentParser

/// The root command: `cachewatch [dashboard] | snapshot | watch | check | families | demo`.
struct Cachewatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cachewatch",
        abstract: "A terminal dashboard for the Redis cache of a FastAPI-boilerplate app.",
        discussion: """
        With no subcommand, opens the dashboard. Connection settings follow redis-cli \
        (-h host, -p port, -s socket, -a password, --user, -n db, -u URL); with no flags the app's \
        CACHE_REDIS_HOST, CACHE_REDIS_PORT, CACHE_REDIS_DB and CACHE_REDIS_PASSWORD are used \
        (from the environment, then ./.env), then the config file's [connection], then 127.0.0.1:6379. \
        Precedence: flags > URL > env > .env > config file > defaults. `check` judges the cache once for monitoring.
        """,
        version: VersionInfo.current.text,
        subcommands: [Dashboard.self, Snapshot.self, Watch.self, Check.self, Record.self, Replay.self, Families.self, Diff.self, Demo.self],
        defaultSubcommand: Dashboard.self,
        helpNames: [.long]
    )
}
