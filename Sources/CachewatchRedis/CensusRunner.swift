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
    private let client: RedisClient
    private let onReport: @Sendable (CensusReport) -> Void
    private let onProgress: (@Sendable (CensusProgress) -> Void)?
    private let onError: (@Sendable (RedisError) -> Void)?
    /// Give up after this many consecutive connection errors (runFull only; the worker retries until stopped).
    private let maxConsecutiveFailures: Int?
    /// Where this census books its own commands and lookups (subtracted from INFO's rates).
    private let ownTraffic: OwnTraffic?
    /// Budgeted worker: when a pass may start after a complete one (nil: `minimumPassSeconds` after the last start).
    private let gate: CensusPassGate?

    // MARK: - Worker state (published values guarded by `lock`)

    private let worker = WorkerThread(name: "cachewatch.census")
    private let lock = NSLock()
    private var latestComplete: CensusReport?
    private var latestProgress: CensusProgress?

    // MARK: - Features learned from the server (worker thread only)

    /// What the server allows (commands refused once are not sent again; `notes` says what is missing).
    private var features = ServerFeatures()
    /// The `RedisClient.connectionGeneration` `CLIENT NO-TOUCH ON` was last sent on. NO-TOUCH is per-connection
    /// state, so it leads the first pipeline on each connection (the first of a run and the first after every
    /// transparent reconnect), never every page.
    private var noTouchConnectionGeneration: Int?
    private var pace: CensusPace?
    private var lastPingCheck = Date.distantPast
    /// Connection errors in a row (kept across the passes a reconnect restarts).
    private var consecutiveFailures = 0

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
    public static func runFull(client: RedisClient, db: Int, memory: Bool, scanCount: Int = 1000, maxFamilies: Int = 200,
                               progress: (@Sendable (CensusProgress) -> Void)? = nil) throws -> CensusReport {
        var scanClient = client
        if client.endpoint.db != db {
            var endpoint = client.endpoint
            endpoint.db = db
            scanClient = RedisClient(endpoint: endpoint, ownTraffic: client.ownTraffic)
        }
        let options = CensusOptions(db: db, mode: .full, memory: memory, scanCount: scanCount, maxFamilies: maxFamilies)
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

    private var isStopping: Bool { worker.isStopping }

    /// Sleeps until `date` unless stopped first; returns false when stopped.
    private func sleep(until date: Date) -> Bool { worker.sleep(until: date) }

    private struct StopSignal: Error {}
    /// The pass's connection was lost: the pass is dropped and a new one starts (after the reconnect back-off).
    struct PassRestart: Error {
        /// What ended the pass's connection (nil: it was already gone when the next page was due).
        var cause: RedisError
    }

    // MARK: - One pass

    /// Scans the whole DB once and returns the complete report.
    func runPass(number: Int) throws -> CensusReport {
        let countPerPage = options.effectiveScanCount
        var walk = CensusPassState(db: options.db, maxFamilies: options.maxFamilies)
        var lastPublish = Date()
        let isFirstPass = latestCompleteReport == nil

        let dbsize: Int
        do {
            dbsize = try retrying { try client.send(.dbsize).integerValue.map(Int.init) ?? 0 }
        } catch let error as RedisError where !error.isConnectionError {
            // DBSIZE denied or renamed: the census still runs, without a progress total.
            dbsize = 0
            features.disable(.dbsize, because: error)
        }
        let passStarted = Date()
        var pacer = pace.map { CensusPacer(now: passStarted, keysPerSecond: $0.keysPerSecond) }
        // The connection this pass reads on: a reconnect (Redis restarted, our connection killed) starts a new pass,
        // since the cursor and the keys already counted may describe a keyspace that no longer exists.
        let passConnection = client.connectionGeneration

        func rate() -> Double {
            let elapsed = Date().timeIntervalSince(passStarted)
            return elapsed > 0 ? Double(walk.scanned) / elapsed : 0
        }
        func makeProgress(complete: Bool) -> CensusProgress {
            let keysPerSecond = rate()
            let remaining = dbsize - walk.scanned
            let eta: Double? = complete ? nil : (keysPerSecond > 0 && remaining > 0 ? Double(remaining) / keysPerSecond : nil)
            return CensusProgress(pass: number, scannedKeys: walk.scanned, dbsizeKeys: dbsize, keysPerSecond: keysPerSecond,
                                  etaSeconds: eta, budgetKeysPerSecond: pace?.keysPerSecond, complete: complete)
        }

        // Each page's pipeline is [NO-TOUCH] [SCAN cursor] + per key of the previous SCAN reply [TYPE] PTTL
        // [MEMORY USAGE]. Its first replies (NO-TOUCH, SCAN) name the next page; in full mode that page's
        // pipeline is written at once, before this page's lookups are read and go through the accumulator,
        // so Redis always has work queued while we parse and classify. Budgeted mode (paced, PING between
        // pages) writes one pipeline and reads all of it before the next.
        let overlap = pace == nil
        var inFlight: PageBatch?
        var unreadPipelines = 0
        // Replies still unread on that connection must never reach another command: drop it.
        defer { if unreadPipelines > 0 { client.disconnect() } }

        /// True when nothing is left to send in this pass.
        func finished() -> Bool { walk.finished(probingValues: probingValues) }

        /// The next page's pipeline.
        func makeBatch() -> PageBatch {
            walk.nextBatch(noTouch: needsNoTouch(), type: features.typeAllowed, memory: options.memory && features.memoryAllowed,
                           probingValues: probingValues, scanCount: countPerPage)
        }

        /// Writes a batch's pipeline without reading it (and notes the connection NO-TOUCH went out on).
        func write(_ batch: inout PageBatch) throws {
            let written = try client.write(batch.commands)
            // Booked when sent (see OwnTraffic.Totals.scans): our SCAN, and every lookup as a hit for now;
            // `read` corrects the lookups once the replies say which were misses (or denied).
            ownTraffic?.add(commands: 0, scans: batch.scan ? 1 : 0, keyspaceHits: batch.lookupCount)
            batch.written = written
            unreadPipelines += 1
            if batch.noTouch { noTouchConnectionGeneration = written.connectionGeneration }
        }

        while true {
            var batch: PageBatch
            if let written = inFlight {
                batch = written
                inFlight = nil
            } else {
                if finished() { break }
                if maxConsecutiveFailures == nil, isStopping { throw StopSignal() }
                batch = makeBatch()
            }

            var scanError: RedisError?
            let lookupReplies: [RedisReply]
            do {
                if batch.written == nil {
                    // Nothing is written on another connection than the pass's: that one is gone (see below).
                    if client.connectionGeneration != passConnection {
                        throw PassRestart(cause: client.lastConnectionError
                            ?? .connectionClosed(address: client.endpoint.displayAddress, detail: "reconnected during a census pass"))
                    }
                    try write(&batch)
                }
                guard let written = batch.written else { continue }
                scanError = try readHead(of: batch, written: written, into: &walk)
                // Full mode: the next page goes on the wire before this page's lookups are read.
                if overlap, scanError == nil, !finished(), !(maxConsecutiveFailures == nil && isStopping) {
                    var next = makeBatch()
                    inFlight = next
                    try write(&next)
                    inFlight = next
                }
                lookupReplies = try client.readReplies(count: batch.commands.count - batch.headCount, of: written)
                unreadPipelines -= 1
                consecutiveFailures = 0
            } catch let error as RedisError where error.isConnectionError {
                // The connection is gone with every unread reply. The next connection may reach a restarted server
                // with other keys (and the SCAN cursor means nothing there): this pass is dropped and a new one starts.
                inFlight = nil
                unreadPipelines = 0
                try recover(from: error, failures: &consecutiveFailures)
                throw PassRestart(cause: error)
            }

            // TTLs count from the moment they were read.
            let observedAt = Date()
            let decoded = try batch.decodeLookups(lookupReplies, features: &features, client: client)
            let observations = decoded.observations
            var lookupHits = decoded.hits
            var lookupMisses = decoded.misses
            let index = decoded.probeRepliesStart
            let probeCounts = walk.readProbes(batch.probes, lookupReplies[index...], features: &features, client: client)
            lookupHits += probeCounts.hits
            lookupMisses += probeCounts.misses
            // The client books the commands (`RedisClient.ownTraffic`); the lookups went in as hits when sent,
            // now the replies say which were misses or denied.
            ownTraffic?.add(commands: 0, keyspaceHits: lookupHits - batch.lookupCount, keyspaceMisses: lookupMisses)
            walk.record(batch.keys, observations, observedAt: observedAt, probingValues: probingValues)
            if let scanError {
                try recover(from: scanError, failures: &consecutiveFailures)
                continue
            }

            // Publish partial reports (first pass only: later passes keep the last complete report on screen).
            let now = Date()
            if now.timeIntervalSince(lastPublish) >= options.publishIntervalSeconds {
                lastPublish = now
                let progress = makeProgress(complete: false)
                publishProgress(progress)
                if isFirstPass && maxConsecutiveFailures == nil {
                    var partial = walk.accumulator.report(dbsizeKeys: dbsize, complete: false, keysPerSecond: progress.keysPerSecond, now: now)
                    partial.notes += features.notes
                    onReport(partial)
                }
            }

            // Budgeted: pace the walk and watch latency.
            if pacer != nil { try waitForPace(afterReading: batch.keys.count, pacer: &pacer) }
        }

        let progress = makeProgress(complete: true)
        publishProgress(progress)
        var report = walk.accumulator.report(dbsizeKeys: dbsize, complete: true, keysPerSecond: progress.keysPerSecond, now: Date())
        report.notes += features.notes
        return report
    }

    // MARK: - Helpers

    /// Reads a page's head replies: whether `CLIENT NO-TOUCH` was accepted, and the SCAN reply (its keys join the
    /// walk). Returns a SCAN refusal to wait out (`LOADING`, `MASTERDOWN`: the page's lookups still count); any other
    /// SCAN error is thrown (a denied SCAN stops the census).
    private func readHead(of batch: PageBatch, written: RedisClient.WrittenPipeline, into walk: inout CensusPassState) throws -> RedisError? {
        let head = try client.readReplies(count: batch.headCount, of: written)
        if batch.noTouch, let first = head.first { features.noTouchSupported = first.errorText == nil }
        guard batch.scan, let reply = head.last else { return nil }
        guard let text = reply.errorText else {
            try walk.absorbScan(reply, address: client.endpoint.displayAddress)
            return nil
        }
        let error = client.mappedError(text, command: "scan")
        switch error {
        case .loading, .masterDown: return error
        default: throw error
        }
    }

    /// Budgeted mode, after a page: PING about once a second (slow answers halve the pace), then sleep until the
    /// pacer lets the next page go. Throws `StopSignal` when stopped while waiting.
    private func waitForPace(afterReading keys: Int, pacer: inout CensusPacer?) throws {
        try checkLatency()
        guard let current = pace?.keysPerSecond, var active = pacer else { return }
        let due = active.nextSend(afterReading: keys, now: Date(), keysPerSecond: current)
        pacer = active
        if due > Date(), !sleep(until: due) { throw StopSignal() }
    }

    /// True when the next pipeline must start with `CLIENT NO-TOUCH ON`: the server has not refused it and it
    /// was not sent yet on the connection that pipeline will be written on (none open: the write opens a new one).
    private func needsNoTouch() -> Bool {
        guard features.noTouchSupported != false else { return false }
        guard let sentOn = noTouchConnectionGeneration else { return true }
        return client.connectionGeneration != sentOn
    }

    private func publishProgress(_ progress: CensusProgress) {
        lock.lock()
        latestProgress = progress
        lock.unlock()
        onProgress?(progress)
    }

    /// PING about once a second in budgeted mode; slow answers halve the pace.
    private func checkLatency() throws {
        guard pace != nil, Date().timeIntervalSince(lastPingCheck) >= 1 else { return }
        lastPingCheck = Date()
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            _ = try client.send(.ping)
            pace?.observe(pingMilliseconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)
        } catch is RedisError {
            // PING denied: no latency signal, keep the pace. A lost connection is not this probe's to handle:
            // the next page's pipeline meets it and recovers like any other page, without abandoning the pass.
        }
    }

    /// Runs `body`, recovering from connection errors like the page loop does.
    private func retrying<T>(_ body: () throws -> T) throws -> T {
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
    private func recover(from error: RedisError, failures: inout Int) throws {
        failures += 1
        if let limit = maxConsecutiveFailures {
            if failures >= limit { throw error }
            Thread.sleep(forTimeInterval: min(1, 0.25 * Double(failures)))
            return
        }
        if failures == 1 { onError?(error) }
        if !sleep(until: Date().addingTimeInterval(min(5, 0.25 * Double(failures)))) { throw StopSignal() }
    }

    /// Values are looked at (for `__NOT_FOUND__` and falsy values) unless denied, without TYPE, or, in budgeted
    /// mode, while the pace is backed off (latency rose: nothing extra is asked of Redis then).
    private var probingValues: Bool {
        guard features.valuesAllowed, features.typeAllowed else { return false }
        if let pace, pace.keysPerSecond < pace.budgetKeysPerSecond { return false }
        return true
    }
}

/// When a budgeted census worker walks again after a complete pass (steady-state pacing: the session answers from
/// the store with `CensusSchedule`).
public struct CensusPassGate: Sendable {
    /// Called as each pass starts.
    public var passStarted: @Sendable (Date) -> Void
    /// Asked about every `pollSeconds` after a complete pass: true to start the next one now.
    public var isDue: @Sendable (Date) -> Bool
    /// Also wait before the first pass (a budgeted census resuming after a complete `F` pass).
    public var waitBeforeFirstPass: Bool
    public var pollSeconds: Double

    public init(waitBeforeFirstPass: Bool = false, pollSeconds: Double = 1, passStarted: @escaping @Sendable (Date) -> Void,
                isDue: @escaping @Sendable (Date) -> Bool) {
        self.passStarted = passStarted
        self.isDue = isDue
        self.waitBeforeFirstPass = waitBeforeFirstPass
        self.pollSeconds = pollSeconds.isFinite ? min(max(0.05, pollSeconds), 60) : 1
    }
}

extension RedisClient {
    /// Maps an error reply with this client's address (and password masking).
    func mappedError(_ text: String, command: String) -> RedisError {
        RedisError.fromReply(text, command: command, address: endpoint.displayAddress, password: endpoint.password,
                             username: endpoint.username)
    }
}
