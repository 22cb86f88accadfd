import CachewatchCore
import CachewatchThreads
import Foundation

/// A worker thread that samples PING and `INFO everything` every `intervalSeconds` and posts
/// `CollectorSample`s. Give it its own `RedisClient`: `stop()` interrupts that client's socket.
public final class RedisCollector: @unchecked Sendable {
    public let client: RedisClient
    public let intervalSeconds: Double
    private let onSample: @Sendable (CollectorSample) -> Void

    private let worker = WorkerThread(name: "cachewatch.collector")
    /// How often `CLIENT LIST` is asked for other cachewatch processes (it costs the server O(clients)).
    public var clientListIntervalSeconds: Double = 10
    private var lastClientList = Date.distantPast
    private var clientListDenied = false

    public init(client: RedisClient, intervalSeconds: Double = 1, onSample: @escaping @Sendable (CollectorSample) -> Void) {
        self.client = client
        self.intervalSeconds = max(0.05, intervalSeconds)
        self.onSample = onSample
    }

    /// Convenience: a collector with its own client for `endpoint`.
    public convenience init(endpoint: RedisEndpoint, intervalSeconds: Double = 1, onSample: @escaping @Sendable (CollectorSample) -> Void) {
        self.init(client: RedisClient(endpoint: endpoint), intervalSeconds: intervalSeconds, onSample: onSample)
    }

    deinit { stop() }

    // MARK: - Lifecycle

    /// Starts the worker thread (no-op when running); the first sample is taken at once.
    public func start() {
        worker.start { [self] in run() }
    }

    /// Stops the worker and waits for it (a blocked command is interrupted). Idempotent.
    public func stop() {
        worker.stop(interrupt: { [client] in client.interrupt() })
    }

    /// Takes one sample synchronously (what the worker does each tick).
    public func sampleOnce() -> CollectorSample {
        let takenAt = Date()
        var firstError: RedisError?
        var pingMilliseconds: Double?
        var infoText: String?
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            _ = try client.send(.ping)
            pingMilliseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
        } catch let error as RedisError {
            firstError = error
        } catch {}
        var ownBeforeInfo: OwnTraffic.Totals?
        if firstError == nil || firstError?.isConnectionError == false {
            do {
                ownBeforeInfo = client.ownTraffic?.current
                infoText = try client.send(.info()).stringValue
                if infoText?.isEmpty != false {
                    // Redis before 6.0 answers `INFO everything` with an empty reply; `all` is its superset.
                    infoText = try client.send(.info(section: "all")).stringValue
                }
            } catch let error as RedisError {
                if firstError == nil { firstError = error }
            } catch {}
        }
        var sample = CollectorSample(takenAt: takenAt, infoText: infoText, pingMilliseconds: pingMilliseconds,
                                     state: client.state, error: firstError, ownTrafficBeforeInfo: ownBeforeInfo)
        if firstError == nil { lookForOtherCachewatch(&sample) }
        return sample
    }

    /// Every `clientListIntervalSeconds`: counts the other cachewatch processes in `CLIENT LIST` (their load is in
    /// INFO's counters and cannot be told apart there). A server that refuses it for good (`RedisError.isLastingRefusal`)
    /// is not asked again; a passing refusal (LOADING, BUSY) skips one look.
    private func lookForOtherCachewatch(_ sample: inout CollectorSample) {
        guard !clientListDenied, let ledger = client.ownTraffic, Date().timeIntervalSince(lastClientList) >= clientListIntervalSeconds else { return }
        lastClientList = Date()
        do {
            let own = ledger.ownConnections
            guard let text = try client.send(.clientList).stringValue else { return }
            sample.otherCachewatch = ClientList.otherCachewatchCount(in: ClientList.parse(text), ownAddresses: own.addresses,
                                                                     ownConnectionCount: own.count)
        } catch let error as RedisError {
            // Denied, not allowed or unknown: not asked again. LOADING, BUSY, MASTERDOWN pass: asked again next time.
            if error.isLastingRefusal {
                clientListDenied = true
                sample.clientListError = error
            }
        } catch {}
    }

    // MARK: - Worker

    private func run() {
        while !worker.isStopping {
            let tickStarted = Date()
            let sample = sampleOnce()
            if worker.isStopping { break }
            onSample(sample)
            guard worker.sleep(until: tickStarted.addingTimeInterval(intervalSeconds)) else { break }
        }
    }
}
