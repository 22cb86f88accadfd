import CachewatchCore
import CachewatchMemcached
import Foundation

extension ConnectionArguments {
    /// The memcached servers to watch (`--memcached`, or `CACHE_BACKEND=memcached` with no connection flags), nil for Redis.
    func memcachedServers(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [MemcachedServerAddress]? {
        let dotEnv: [String: String]
        if let envFile {
            guard let values = DotEnv.load(contentsOf: URL(fileURLWithPath: envFile)) else {
                throw CLIError("Cannot read the env file \(envFile).")
            }
            dotEnv = values
        } else {
            dotEnv = DotEnv.load(contentsOf: URL(fileURLWithPath: ".env")) ?? [:]
        }
        let flags = ConnectionFlags(host: host, port: port, socket: socket, pass: password, user: user, db: db, url: url)
        do {
            return try ConnectionOptions.memcachedServers(flags: memcached, redisFlags: flags, environment: environment, dotEnv: dotEnv)
        } catch let error as ConnectionOptionsError {
            throw CLIError(error.message)
        }
    }

    /// The memcached endpoints for `servers`, with the connect (`--connect-timeout`, default 5 s) and command timeouts.
    func memcachedEndpoints(_ servers: [MemcachedServerAddress]) throws -> [MemcachedEndpoint] {
        var connectSeconds = ConnectionOptions.defaultConnectTimeoutSeconds
        if let connectTimeout { connectSeconds = try connectTimeout.bounded(.connectTimeout).seconds }
        let commandMilliseconds = try commandTimeoutMilliseconds()
        return servers.map {
            MemcachedEndpoint(host: $0.host, port: $0.port, connectTimeoutMilliseconds: Int((connectSeconds * 1000).rounded()),
                              commandTimeoutMilliseconds: commandMilliseconds)
        }
    }
}

/// `target` for a memcached document: the servers' addresses joined with `,`.
func memcachedTarget(_ endpoints: [MemcachedEndpoint]) -> TargetDescription {
    TargetDescription(kind: "memcached", address: endpoints.map(\.displayAddress).joined(separator: ","), db: 0)
}
