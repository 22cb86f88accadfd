import ArgumentParser
import CachewatchRedis
import CachewatchTerminal

/// The root command: `cachewatch [dashboard] | snapshot | watch | families | demo`.
struct Cachewatch: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "cachewatch",
        abstract: "A terminal dashboard for the Redis cache of a FastAPI-boilerplate app.",
        discussion: """
        With no subcommand, opens the dashboard. Connection settings follow redis-cli \
        (-h host, -p port, -s socket, -a password, --user, -n db, -u URL); with no flags the app's \
        CACHE_REDIS_HOST, CACHE_REDIS_PORT, CACHE_REDIS_DB and CACHE_REDIS_PASSWORD are used \
        (from the environment, then ./.env), then 127.0.0.1:6379. Precedence: flags > URL > env > .env > defaults.
        """,
        version: "cachewatch \(version) (hiredis \(hiredisVersion), \(cursesVersion()))",
        subcommands: [Dashboard.self, Snapshot.self, Watch.self, Record.self, Replay.self, Families.self, Diff.self, Demo.self],
        defaultSubcommand: Dashboard.self,
        helpNames: [.long]
    )
}
