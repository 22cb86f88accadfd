import CachewatchCore
import Foundation

/// One census pass's own state: where the walk is, the pipelines on the wire, when it last published.
struct CensusPassRun {
    let number: Int
    /// DBSIZE when the pass started (0 when denied: progress then has no total).
    let dbsizeKeys: Int
    let startedAt: Date
    /// The connection this pass reads on: a reconnect (Redis restarted, our connection killed) starts a new pass,
    /// since the cursor and the keys already counted may describe a keyspace that no longer exists (nil: none was open).
    let connectionGeneration: Int?
    /// Partial reports go out only during the first pass (later ones keep the last complete report on screen).
    let isFirstPass: Bool
    var walk: CensusPassState
    var pacer: CensusPacer?
    var lastPublish: Date
    /// Full mode: the next page's pipeline, already written while this page's lookups are read.
    var inFlight: PageBatch?
    /// Pipelines written and not read to the end.
    var unreadPipelines = 0

    /// Keys looked up per second since the pass started.
    var keysPerSecond: Double {
        let elapsed = Date().timeIntervalSince(startedAt)
        return elapsed > 0 ? Double(walk.scanned) / elapsed : 0
    }
}

extension CensusRunner {
    // MARK: - One pass

    /// Scans the whole DB once and returns the complete report.
    ///
    /// Each page's pipeline is [NO-TOUCH] [SCAN cursor] + per key of the previous SCAN reply [TYPE] PTTL
    /// [MEMORY USAGE] + value probes. Its first replies (NO-TOUCH, SCAN) name the next page; in full mode that page's
    /// pipeline is written at once, before this page's lookups are read and go through the accumulator, so Redis
    /// always has work queued while we parse and classify. Budgeted mode (paced, PING between pages) writes one
    /// pipeline and reads all of it before the next.
    func runPass(number: Int) throws -> CensusReport {
        var run = try startPass(number: number)
        // Replies still unread on that connection must never reach another command: drop it.
        defer { if run.unreadPipelines > 0 { client.disconnect() } }
        while var batch = try nextPage(&run) {
            guard let replies = try transfer(&batch, &run) else { continue }
            try absorb(batch, lookupReplies: replies.lookups, into: &run)
            if let scanError = replies.scanError {
                try recover(from: scanError, failures: &consecutiveFailures)
                continue
            }
            publishPartialIfDue(&run)
            // Budgeted: pace the walk and watch latency.
            if run.pacer != nil { try waitForPace(afterReading: batch.keys.count, pacer: &run.pacer) }
        }
        let progress = progress(of: run, complete: true)
        publishProgress(progress)
        var report = run.walk.accumulator.report(dbsizeKeys: run.dbsizeKeys, complete: true,
                                                 keysPerSecond: progress.keysPerSecond, now: Date())
        report.notes += features.notes
        return report
    }

    /// A new pass: asks DBSIZE (a denial only loses the progress total) and notes the connection it reads on.
    private func startPass(number: Int) throws -> CensusPassRun {
        let lastPublish = Date()
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
        return CensusPassRun(number: number, dbsizeKeys: dbsize, startedAt: passStarted,
                             connectionGeneration: client.connectionGeneration, isFirstPass: isFirstPass,
                             walk: CensusPassState(db: options.db, maxFamilies: options.maxFamilies),
                             pacer: pace.map { CensusPacer(now: passStarted, keysPerSecond: $0.keysPerSecond) },
                             lastPublish: lastPublish)
    }

    /// The page to handle next: the one already in flight, else a new one; nil when the pass is done.
    private func nextPage(_ run: inout CensusPassRun) throws -> PageBatch? {
        if let written = run.inFlight {
            run.inFlight = nil
            return written
        }
        if finished(run) { return nil }
        if maxConsecutiveFailures == nil, isStopping { throw StopSignal() }
        return makeBatch(&run)
    }

    /// True when nothing is left to send in this pass.
    private func finished(_ run: CensusPassRun) -> Bool { run.walk.finished(probingValues: probingValues) }

    /// The next page's pipeline.
    private func makeBatch(_ run: inout CensusPassRun) -> PageBatch {
        run.walk.nextBatch(noTouch: needsNoTouch(), type: features.typeAllowed, memory: options.memory && features.memoryAllowed,
                           probingValues: probingValues, scanCount: options.effectiveScanCount)
    }

    /// Writes a batch's pipeline without reading it (and notes the connection NO-TOUCH went out on).
    private func write(_ batch: inout PageBatch, _ run: inout CensusPassRun) throws {
        let written = try client.write(batch.commands)
        // Booked when sent (see OwnTraffic.Totals.scans): our SCAN, and every lookup as a hit for now;
        // `absorb` corrects the lookups once the replies say which were misses (or denied).
        ownTraffic?.add(commands: 0, scans: batch.scan ? 1 : 0, keyspaceHits: batch.lookupCount)
        batch.written = written
        run.unreadPipelines += 1
        if batch.noTouch { noTouchConnectionGeneration = written.connectionGeneration }
    }

    /// Puts a page on the wire (unless it already is) and reads its replies; in full mode the next page is written
    /// between its head and its lookups. Returns the lookup replies and a SCAN refusal to wait out. A lost connection
    /// drops the pass (`PassRestart`, after the reconnect back-off).
    private func transfer(_ batch: inout PageBatch, _ run: inout CensusPassRun) throws
        -> (lookups: [RedisReply], scanError: RedisError?)? {
        do {
            if batch.written == nil {
                // Nothing is written on another connection than the pass's: that one is gone (see below).
                if client.connectionGeneration != run.connectionGeneration {
                    throw PassRestart(cause: client.lastConnectionError
                        ?? .connectionClosed(address: client.endpoint.displayAddress, detail: "reconnected during a census pass"))
                }
                try write(&batch, &run)
            }
            guard let written = batch.written else { return nil }
            let scanError = try readHead(of: batch, written: written, into: &run.walk)
            // Full mode: the next page goes on the wire before this page's lookups are read.
            if pace == nil, scanError == nil, !finished(run), !(maxConsecutiveFailures == nil && isStopping) {
                var next = makeBatch(&run)
                run.inFlight = next
                try write(&next, &run)
                run.inFlight = next
            }
            let lookups = try client.readReplies(count: batch.commands.count - batch.headCount, of: written)
            run.unreadPipelines -= 1
            consecutiveFailures = 0
            return (lookups, scanError)
        } catch let error as RedisError where error.isConnectionError {
            // The connection is gone with every unread reply. The next connection may reach a restarted server
            // with other keys (and the SCAN cursor means nothing there): this pass is dropped and a new one starts.
            run.inFlight = nil
            run.unreadPipelines = 0
            try recover(from: error, failures: &consecutiveFailures)
            throw PassRestart(cause: error)
        }
    }

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

    /// Decodes a page's lookup and value-probe replies into the walk, and corrects the keyspace hits booked when sent.
    private func absorb(_ batch: PageBatch, lookupReplies: [RedisReply], into run: inout CensusPassRun) throws {
        // TTLs count from the moment they were read.
        let observedAt = Date()
        let decoded = try batch.decodeLookups(lookupReplies, features: &features, client: client)
        let probeCounts = run.walk.readProbes(batch.probes, lookupReplies[decoded.probeRepliesStart...], features: &features,
                                              client: client)
        // The client books the commands (`RedisClient.ownTraffic`); the lookups went in as hits when sent,
        // now the replies say which were misses or denied.
        ownTraffic?.add(commands: 0, keyspaceHits: decoded.hits + probeCounts.hits - batch.lookupCount,
                        keyspaceMisses: decoded.misses + probeCounts.misses)
        run.walk.record(batch.keys, decoded.observations, observedAt: observedAt, probingValues: probingValues)
    }

    // MARK: - Progress

    /// Where `run` is (the ETA from DBSIZE and the rate so far).
    private func progress(of run: CensusPassRun, complete: Bool) -> CensusProgress {
        let keysPerSecond = run.keysPerSecond
        let remaining = run.dbsizeKeys - run.walk.scanned
        let eta: Double? = complete ? nil : (keysPerSecond > 0 && remaining > 0 ? Double(remaining) / keysPerSecond : nil)
        return CensusProgress(pass: run.number, scannedKeys: run.walk.scanned, dbsizeKeys: run.dbsizeKeys,
                              keysPerSecond: keysPerSecond, etaSeconds: eta, budgetKeysPerSecond: pace?.keysPerSecond,
                              complete: complete)
    }

    /// Publishes progress (and, during the first pass of a worker, a partial report) at most once per
    /// `publishIntervalSeconds`.
    private func publishPartialIfDue(_ run: inout CensusPassRun) {
        let now = Date()
        guard now.timeIntervalSince(run.lastPublish) >= options.publishIntervalSeconds else { return }
        run.lastPublish = now
        let progress = progress(of: run, complete: false)
        publishProgress(progress)
        if run.isFirstPass && maxConsecutiveFailures == nil {
            var partial = run.walk.accumulator.report(dbsizeKeys: run.dbsizeKeys, complete: false,
                                                      keysPerSecond: progress.keysPerSecond, now: now)
            partial.notes += features.notes
            onReport(partial)
        }
    }

    private func publishProgress(_ progress: CensusProgress) {
        lock.lock()
        latestProgress = progress
        lock.unlock()
        onProgress?(progress)
    }

    // MARK: - Pace and server features

    /// Budgeted mode, after a page: PING about once a second (slow answers halve the pace), then sleep until the
    /// pacer lets the next page go. Throws `StopSignal` when stopped while waiting.
    private func waitForPace(afterReading keys: Int, pacer: inout CensusPacer?) throws {
        try checkLatency()
        guard let current = pace?.keysPerSecond, var active = pacer else { return }
        let due = active.nextSend(afterReading: keys, now: Date(), keysPerSecond: current)
        pacer = active
        if due > Date(), !sleep(until: due) { throw StopSignal() }
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

    /// True when the next pipeline must start with `CLIENT NO-TOUCH ON`: the server has not refused it and it
    /// was not sent yet on the connection that pipeline will be written on (none open: the write opens a new one).
    private func needsNoTouch() -> Bool {
        guard features.noTouchSupported != false else { return false }
        guard let sentOn = noTouchConnectionGeneration else { return true }
        return client.connectionGeneration != sentOn
    }

    /// Values are looked at (for `__NOT_FOUND__` and falsy values) unless denied, without TYPE, or, in budgeted
    /// mode, while the pace is backed off (latency rose: nothing extra is asked of Redis then).
    private var probingValues: Bool {
        guard features.valuesAllowed, features.typeAllowed else { return false }
        if let pace, pace.keysPerSecond < pace.budgetKeysPerSecond { return false }
        return true
    }
}
