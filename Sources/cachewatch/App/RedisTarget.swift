import CachewatchCore
import CachewatchRedis

/// Turns resolved connection options into what the Redis module and the JSON need.
extension ConnectionOptions {
    /// The Redis module's endpoint (timeouts in milliseconds, client name `cachewatch`).
    func endpoint(commandTimeoutMilliseconds: Int) -> RedisEndpoint {
        RedisEndpoint(host: host, port: port, socketPath: socketPath, username: username, password: password, db: db,
                      connectTimeoutMilliseconds: Int((connectTimeoutSeconds * 1000).rounded()),
                      commandTimeoutMilliseconds: commandTimeoutMilliseconds)
    }

    /// `target` for the JSON document; `mode` comes from INFO when known.
    func target(info: InfoSnapshot?) -> TargetDescription {
        TargetDescription(address: displayAddress, db: db, mode: info?.clusterEnabled == true ? "cluster" : "standalone")
    }
}
