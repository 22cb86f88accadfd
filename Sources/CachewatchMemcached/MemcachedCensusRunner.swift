import CachewatchCore
import CachewatchThreads
import Foundation

/// How far a memcached census pass has got.
public struct MemcachedCensusProgress: Sendable, Equatable {
    public var pass: Int
    public var scannedKeys: Int
    /// `curr_items` of the servers walked so far in this pass (plus those still to walk, once known).
    public var serverItems: Int
    public var keysPerSecond: Double
    public var complete: Bool

    public init(pass: Int, scannedKeys: Int, serverItems: Int, keysPerSecond: Double, complete: Bool) {
        self.pass = pass
        self.scannedKeys = scannedKeys
        self.serverItems = serverItems
        self.keysPerSecond = keysPerSecond
        self.complete = complete
    }

    /// Seconds left at the current rate (nil when unknown or done).
    public var etaSeconds: Double? {
        guard !complete, keysPerSecond > 0, serverItems > scannedKeys else { return nil }
        return Double(serverItems - scannedKeys) / keysPerSecond
    }
}

/// Walks every server's items with `lru_crawler metadump all` into a `MetadumpCensus`, pass after pass.
///
/// Budgeted mode reads at most `keysPerSecond` items per second (in 100 ms slots; while it waits the
/// server's crawler waits too, on the socket) and pauses `passPauseSeconds` between passes; full mode
/// reads as fast as the servers send. `BUSY` (another crawl) and lost connections (a restart) are
/// retried with back-off and a new pass; a disabled crawler or metadump stops the census with one sentence.
public final class MemcachedCensusRunner: @unchecked Sendable {
    public enum Mode: Sendable, Equatable {
        case full
        case budgeted(keysPerSecond: Int)
    }

    private let clients: [MemcachedClient]
    private let mode: Mode
    private let maxFamilies: Int
    private let passPauseSeconds: Double
    private let onReport: (CensusReport) -> Void
    private let onProgress: (MemcachedCensusProgress) -> Void
    private let onError: (MemcachedError) -> Void
    private let worker = WorkerThread(name: "cachewatch-memcached-census")
    private var census: MetadumpCensus?

    public init(endpoints: [MemcachedEndpoint], mode: Mode, maxFamilies: Int = 200, passPauseSeconds: Double = 30,
                onReport: @escaping (CensusReport) -> Void, onProgress: @escaping (MemcachedCensusProgress) -> Void = { _ in },
                onError: @escaping (MemcachedError) -> Void = { _ in }) {
        clients = endpoints.map(MemcachedClient.init(endpoint:))
        self.mode = mode
        self.maxFamilies = max(1, maxFamilies)
        self.passPauseSeconds = max(0, passPauseSeconds)
        self.onReport = onReport
        self.onProgress = onProgress
        self.onError = onError
    }

    // MARK: - Lifecycle

    /// Runs passes on a background thread until `stop()` (or until the census cannot run on a server).
    public func start() {
        worker.start { [self] in runPasses() }
    }

    /// Stops the thread within about 100 ms (interrupting a read) and waits for it. Idempotent.
    public func stop() {
        worker.stop(interrupt: { [clients] in clients.forEach { $0.stop() } })
    }

    /// One complete pass over `endpoints` as fast as they answer, on the caller's thread.
    public static func runFull(endpoints: [MemcachedEndpoint], maxFamilies: Int = 200,
                               progress: ((MemcachedCensusProgress) -> Void)? = nil) throws -> CensusReport {
        var last: CensusReport?
        let runner = MemcachedCensusRunner(endpoints: endpoints, mode: .full, maxFamilies: maxFamilies,
                                           onReport: { last = $0 }, onProgress: { progress?($0) })
        try runner.runPass(number: 1)
        guard let last else { throw MemcachedError.stopped }
        return last
    }

    private var isStopping: Bool { worker.isStopping }

    private func runPasses() {
        var backoff = Backoff()
        var pass = 1
        while !isStopping {
            do {
                try runPass(number: pass)
                backoff.succeeded()
                pass += 1
                sleep(seconds: mode == .full ? 0 : passPauseSeconds)
                if mode == .full { return }
            } catch let error as MemcachedError {
                if case .stopped = error { return }
                onError(error)
                if error.disablesCensus { return }
                sleep(seconds: max(backoff.failed(), { if case .crawlerBusy = error { return 5.0 } else { return 0 } }()))
            } catch {
                return
            }
        }
    }

    // MARK: - One pass

    /// Walks every server once; reports progress and partial censuses about once a second, then the complete one.
    func runPass(number: Int) throws {
        let started = Date()
        var census = self.census ?? MetadumpCensus(maxFamilies: maxFamilies, clock: MemcachedClock(serverTime: 0, receivedAt: started))
        var serverItems = 0
        var startedPass = false
        var lastReport = started
        let slotKeys: Int? = { if case .budgeted(let perSecond) = mode { return max(1, perSecond / 10) } else { return nil } }()
        var slotStart = Date()
        var slotCount = 0

        for client in clients {
            let stats = MemcachedStats(text: try client.stats(.stats), takenAt: Date())
            guard let clock = MemcachedClock(stats: stats) else {
                throw MemcachedError.protocolError(address: client.endpoint.displayAddress, detail: "'stats' has no server time")
            }
            if startedPass { census.useClock(clock) } else { census.startPass(clock: clock); startedPass = true }
            let (sum, overflow) = serverItems.addingReportingOverflow(stats.currentItems ?? 0)
            serverItems = overflow ? Int.max : sum
            let items = serverItems
            census.reserveCapacity(items)
            let complete = try client.metadump { line in
                let now = Date()
                switch line {
                case .item(let item): census.add(item, observedAt: now)
                case .malformed: census.addMalformedLine()
                default: break
                }
                if let slotKeys {
                    slotCount += 1
                    if slotCount >= slotKeys {
                        let slotEnd = slotStart.addingTimeInterval(0.1)
                        sleep(until: slotEnd)
                        slotStart = max(slotEnd, Date().addingTimeInterval(-0.1))
                        slotCount = 0
                    }
                }
                if now.timeIntervalSince(lastReport) >= 1 {
                    lastReport = now
                    // Partial reports only until a first pass is complete; after that the last complete one stands.
                    publish(census, items: items, started: started, pass: number, complete: false, now: now,
                            report: self.census == nil)
                }
                return !isStopping
            }
            if !complete { throw MemcachedError.stopped }
        }
        census.finishPass()
        self.census = census
        publish(census, items: serverItems, started: started, pass: number, complete: true, now: Date())
    }

    private func publish(_ census: MetadumpCensus, items: Int, started: Date, pass: Int, complete: Bool, now: Date, report: Bool = true) {
        let elapsed = now.timeIntervalSince(started)
        let rate = elapsed > 0 ? Double(census.items) / elapsed : 0
        if report { onReport(census.report(serverItems: items, complete: complete, keysPerSecond: rate, now: now)) }
        onProgress(MemcachedCensusProgress(pass: pass, scannedKeys: census.items, serverItems: max(items, census.items),
                                           keysPerSecond: rate, complete: complete))
    }

    private func sleep(seconds: Double) {
        worker.sleep(seconds: seconds)
    }

    private func sleep(until: Date) {
        worker.sleep(until: until)
    }
}
