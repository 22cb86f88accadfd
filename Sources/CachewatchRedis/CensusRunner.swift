import CachewatchCore
import CachewatchThreads
import Foundation

/// Walks a DB with `SCAN` and pipelined `TYPE`/`PTTL` (and `MEMORY USAGE` with `--memory`), feeding a
/// `CensusAccumulator`. The next page's `SCAN` rides in the same pipeline as this page's TYPE/PTTL, so a
/// census costs little more than SCAN alone. Never KEYS, never Lua, never a write. `CLIENT NO-TOUCH ON` (7.2+)
/// goes out once per connection so the lookups leave LRU/LFU alone; a server that refuses it is not asked again.
/// For at most 64 `string` keys per family and pass (none while a budgeted pace is backed off) it looks at the
/// value: `STRLEN` in a following page's pipeline, then `GETRANGE key 0 12` only for values of ≤ 13 bytes (the
/// `__NOT_FOUND__` sentinel, falsy values), never a whole value; a denial drops that with a note.
///
/// As a worker (`start()`): full mode runs one pass; budgeted mode walks at most `keysPerSecond`, backing off
/// when PING slows, and after a complete pass waits until its `CensusPassGate` says the next one is due (without a
/// gate: `minimumPassSeconds` after the previous start). `onReport` gets partial reports (≤ 1 per
/// `publishIntervalSeconds`) until the first pass completes, then each completed pass.
public final class CensusRunner: @unchecked Sendable {
    public let options: CensusOptions
    let client: RedisClient
    let onReport: @Sendable (CensusReport) -> Void
    let onProgress: (@Sendable (CensusProgress) -> Void)?
    private let onError: (@Sendable (RedisError) -> Void)?
    /// Give up after this many consecutive connection errors (runFull only; the worker retries until stopped).
    let maxConsecutiveFailures: Int?
    /// Where this census books its own commands and lookups (subtracted from INFO's rates).
    let ownTraffic: OwnTraffic?
    /// Budgeted worker: when a pass may start after a complete one (nil: `minimumPassSeconds` after the last start).
    private let gate: CensusPassGate?

    // MARK: - Worker state (published values guarded by `lock`)

    private let worker = WorkerThread(name: "cachewatch.census")
    let lock = NSLock()
    var latestComplete: CensusReport?
    var latestProgress: CensusProgress?

    // MARK: - Features learned from the server (worker thread only)

    /// What the server allows (commands refused once are not sent again; `notes` says what is missing).
    var features = ServerFeatures()
    /// The `RedisClient.connectionGeneration` `CLIENT NO-TOUCH ON` was last sent on. NO-TOUCH is per-connection
    /// state, so it leads the first pipeline on each connection (the first of a run and the first after every
    /// transparent reconnect), never every page.
    var noTouchConnectionGeneration: Int?
    var pace: CensusPace?
    var lastPingCheck = Date.distantPast
    /// Budgeted mode: whether other clients keep the server busy (`INFO cpu` and `INFO stats` every `CensusPace.loadCheckSeconds`);
    /// nil once INFO is denied. Samples 0.04 s apart still count (`CensusPace.loadCheckSeconds` asks every 0.05 s).
    var loadGauge: ServerLoadGauge? = ServerLoadGauge(minimumIntervalSeconds: 0.04)
    var lastLoadCheck = Date.distantPast
    /// Commands this census sent (pages, PING, INFO): the gauge tells its own load from the others'.
    var commandsSent = 0
    /// Connection errors in a row (kept across the passes a reconnect restarts).
    var consecutiveFailures = 0
    /// Full mode: deep or shallow pipeline, from other clients' traffic (every pass starts it anew, shallow).
    var depthPolicy = CensusDepthPolicy()
    /// Full mode with `trafficAware`: asks how busy the server is (opened on the first page).
    var trafficProbe: CensusTrafficProbe?
    var lastDepthProbe = Date.distantPast

    /// A census on `client` (its endpoint's DB must be `options.db`, otherwise a client on that DB is opened).
    public init(client: RedisClient, options: CensusOptions,
                onReport: @escaping @Sendable (CensusReport) -> Void,
                onProgress: (@Sendable (CensusProgress) -> Void)? = nil,
                onError: (@Sendable (RedisError) -> Void)? = nil, ownTraffic: OwnTraffic? = nil, gate: CensusPassGate? = nil) {
        self.ownTraffic = ownTraffic
        self.gate = gate
        var scanClient = client
        if client.endpoint.db != options.db {
            var endpoint = client.endpoint
            endpoint.db = options.db
            scanClient = RedisClient(endpoint: endpoint, ownTraffic: client.ownTraffic)
        }
        self.client = scanClient
        self.options = options
        self.onReport = onReport
        self.onProgress = onProgress
        self.onError = onError
        self.maxConsecutiveFailures = nil
        if case .budgeted(let keysPerSecond) = options.mode {
            pace = CensusPace(budgetKeysPerSecond: Double(keysPerSecond), pingBackoffMilliseconds: options.pingBackoffMilliseconds)
        }
    }

    private init(client: RedisClient, options: CensusOptions, maxConsecutiveFailures: Int,
                 onProgress: (@Sendable (CensusProgress) -> Void)?) {
        self.ownTraffic = nil
        self.gate = nil
        self.client = client
        self.options = options
        self.onReport = { _ in }
        self.onProgress = onProgress
        self.onError = nil
        self.maxConsecutiveFailures = maxConsecutiveFailures
    }

    deinit { stop() }

    // MARK: - One-shot

    /// Runs one full pass on the calling thread (`cachewatch snapshot --full`) and returns the complete report.
    /// Throws a `RedisError` when Redis cannot be reached (after a few reconnect attempts) or denies SCAN/PTTL.
    /// `trafficAware`: go deep while no other client is served (`CensusOptions.trafficAware`).
    public static func runFull(client: RedisClient, db: Int, memory: Bool, scanCount: Int? = nil, maxFamilies: Int = 200,
                               trafficAware: Bool = true, progress: (@Sendable (CensusProgress) -> Void)? = nil) throws -> CensusReport {
        var scanClient = client
        if client.endpoint.db != db {
            var endpoint = client.endpoint
            endpoint.db = db
            scanClient = RedisClient(endpoint: endpoint, ownTraffic: client.ownTraffic)
        }
        let options = CensusOptions(db: db, mode: .full, memory: memory, scanCount: scanCount, maxFamilies: maxFamilies,
                                    trafficAware: trafficAware)
        let runner = CensusRunner(client: scanClient, options: options, maxConsecutiveFailures: 4, onProgress: progress)
        var restarts = 0
        while true {
            do {
                return try runner.runPass(number: 1)
            } catch let restart as PassRestart {
                // Reconnected: walk again from the start, a few times (a connection that keeps dropping mid-pass
                // would otherwise restart the walk forever).
                restarts += 1
                if restarts >= 5 { throw restart.cause }
                continue
            } catch let error as RedisError {
                throw error
            } catch {
                throw RedisError.connectionClosed(address: client.endpoint.displayAddress, detail: "census stopped")
            }
        }
    }

    // MARK: - Worker

    /// The last completed pass (nil until one completes).
    public var latestCompleteReport: CensusReport? {
        lock.lock()
        defer { lock.unlock() }
        return latestComplete
    }

    /// Where the current pass is.
    public var progress: CensusProgress? {
        lock.lock()
        defer { lock.unlock() }
        return latestProgress
    }

    /// Starts the worker thread (no-op when running).
    public func start() {
        worker.start { [self] in work() }
    }

    /// Stops the worker (interrupting a blocked pipeline) and waits for it. Idempotent.
    public func stop() {
        worker.stop(interrupt: { [client] in client.interrupt() })
    }

    private func work() {
        var passNumber = 1
        if let gate, gate.waitBeforeFirstPass, !waitUntilDue(gate) { return }
        while !isStopping {
            let passStarted = Date()
            gate?.passStarted(passStarted)
            do {
                let report = try runPass(number: passNumber)
                lock.lock()
                latestComplete = report
                lock.unlock()
                onReport(report)
                passNumber += 1
            } catch is StopSignal {
                break
            } catch is PassRestart {
                continue
            } catch let error as RedisError {
                onError?(error)
                // A fatal denial (SCAN/PTTL): retry slowly; the operator may fix the ACL.
                _ = sleep(until: Date().addingTimeInterval(5))
                continue
            } catch {
                break
            }
            guard case .budgeted = options.mode else { break }
            if let gate {
                if !waitUntilDue(gate) { break }
            } else {
                _ = sleep(until: passStarted.addingTimeInterval(options.minimumPassSeconds))
            }
        }
    }

    /// Asks `gate` about once a second until a pass is due; false when stopped first.
    private func waitUntilDue(_ gate: CensusPassGate) -> Bool {
        while !isStopping {
            if gate.isDue(Date()) { return true }
            if !sleep(until: Date().addingTimeInterval(gate.pollSeconds)) { return false }
        }
        return false
    }

    var isStopping: Bool { worker.isStopping }

    /// Sleeps until `date` unless stopped first; returns false when stopped.
    func sleep(until date: Date) -> Bool { worker.sleep(until: date) }

    struct StopSignal: Error {}
    /// The pass's connection was lost: the pass is dropped and a new one starts (after the reconnect back-off).
    struct PassRestart: Error {
        /// What ended the pass's connection (nil: it was already gone when the next page was due).
        var cause: RedisError
    }

    // MARK: - Recovery

    /// Runs `body`, recovering from connection errors like the page loop does.
    func retrying<T>(_ body: () throws -> T) throws -> T {
        while true {
            do {
                let value = try body()
                consecutiveFailures = 0
                return value
            } catch let error as RedisError where error.isConnectionError || error == .loading(address: client.endpoint.displayAddress) {
                try recover(from: error, failures: &consecutiveFailures)
            }
        }
    }

    /// After a connection error: wait (the client reconnects with backoff) or give up (runFull).
    func recover(from error: RedisError, failures: inout Int) throws {
        failures += 1
        if let limit = maxConsecutiveFailures {
            if failures >= limit { throw error }
            Thread.sleep(forTimeInterval: min(1, 0.25 * Double(failures)))
            return
        }
        if failures == 1 { onError?(error) }
        if !sleep(until: Date().addingTimeInterval(min(5, 0.25 * Double(failures)))) { throw StopSignal() }
    }
}

extension RedisClient {
    /// Maps an error reply with this client's address (and password masking).
    func mappedError(_ text: String, command: String) -> RedisError {
        RedisError.fromReply(text, command: command, address: endpoint.displayAddress, password: endpoint.password,
                             username: endpoint.username)
    }
}
