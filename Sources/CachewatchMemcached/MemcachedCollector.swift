import CachewatchCore
import CachewatchThreads
import Foundation

/// One tick of the memcached collector: `stats` of every server (combined) and the `version` round trip.
public struct MemcachedSample: Sendable {
    public var takenAt: Date
    /// All servers' `stats` combined (nil unless every server answered).
    public var stats: MemcachedStats?
    /// The slowest server's `version` round trip in milliseconds.
    public var pingMilliseconds: Double?
    /// The first error of this tick.
    public var error: MemcachedError?

    public init(takenAt: Date, stats: MemcachedStats?, pingMilliseconds: Double?, error: MemcachedError?) {
        self.takenAt = takenAt
        self.stats = stats
        self.pingMilliseconds = pingMilliseconds
        self.error = error
    }
}

/// Samples `version` + `stats` on every server once per interval on its own thread; a failed tick is
/// retried with back-off (0.25 s doubling to 5 s).
public final class MemcachedCollector: @unchecked Sendable {
    private let clients: [MemcachedClient]
    private let intervalSeconds: Double
    private let onSample: (MemcachedSample) -> Void
    private let worker = WorkerThread(name: "cachewatch-memcached-collector")

    public init(endpoints: [MemcachedEndpoint], intervalSeconds: Double, onSample: @escaping (MemcachedSample) -> Void) {
        clients = endpoints.map(MemcachedClient.init(endpoint:))
        self.intervalSeconds = max(0.1, intervalSeconds)
        self.onSample = onSample
    }

    /// One sample now, on the caller's thread.
    public func sampleOnce() -> MemcachedSample {
        var all: [MemcachedStats] = []
        var slowest: Double?
        for client in clients {
            do {
                let (_, milliseconds) = try client.version()
                let text = try client.stats(.stats)
                all.append(MemcachedStats(text: text, takenAt: Date()))
                slowest = max(slowest ?? 0, milliseconds)
            } catch let error as MemcachedError {
                return MemcachedSample(takenAt: Date(), stats: nil, pingMilliseconds: nil, error: error)
            } catch {
                return MemcachedSample(takenAt: Date(), stats: nil, pingMilliseconds: nil,
                                       error: .protocolError(address: client.endpoint.displayAddress, detail: "\(error)"))
            }
        }
        return MemcachedSample(takenAt: Date(), stats: MemcachedStats.combined(all), pingMilliseconds: slowest, error: nil)
    }

    /// Starts sampling on a background thread (no-op while it runs).
    public func start() {
        worker.start { [self] in
            var backoff = Backoff()
            while !worker.isStopping {
                let sample = sampleOnce()
                // Stopped (also a stop that came before this start: the clients then refuse every command).
                if worker.isStopping || clients.contains(where: \.isStopped) { break }
                onSample(sample)
                let wait = sample.error == nil ? intervalSeconds : backoff.failed()
                if sample.error == nil { backoff.succeeded() }
                worker.sleep(seconds: wait)
            }
        }
    }

    /// Stops the thread (interrupting a read within 100 ms) and waits for it. Idempotent.
    public func stop() {
        worker.stop(interrupt: { [clients] in clients.forEach { $0.stop() } })
    }
}
