import CachewatchCore
import Foundation

/// One census pass's own state: where the walk is, the pages on the wire, when it last published.
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
    /// Whether the last progress published said the pace was yielding.
    var publishedYielding = false
    /// The pages written or waiting to be, through the bounded pipeline window.
    var stream: CensusPageStream
    /// The last write on the pass's connection (its replies are read through it).
    var lastWrite: RedisClient.WrittenPipeline?

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
    /// [MEMORY USAGE] + value probes. Its first replies (NO-TOUCH, SCAN) name the next page; in full mode that page is
    /// queued at once, behind this page's lookups, so Redis always has work queued while we parse and classify.
    /// Every page goes out through the `PipelineWindow` (`options.pipelineWindow`): small writes, few commands in
    /// flight, so Redis serves its other clients between two of them; full mode goes deep (`options.deepPipelineWindow`,
    /// big SCANs) while no other client is being served (`adjustDepth`). Budgeted mode (paced, PING about once a
    /// second) reads a page to the end before the next, and its pages are small (`effectiveScanCount`).
    func runPass(number: Int) throws -> CensusReport {
        var run = try startPass(number: number)
        // Replies still unread on that connection must never reach another command: drop it.
        defer { if run.stream.hasUnread { client.disconnect() } }
        while let page = try nextPage(&run) {
            try absorb(page.batch, lookupReplies: page.lookups, into: &run)
            if let scanError = page.scanError {
                try recover(from: scanError, failures: &consecutiveFailures)
                continue
            }
            publishPartialIfDue(&run)
            // Budgeted: pace the walk and watch latency. Full: deep only while nobody else uses the server.
            if run.pacer != nil {
                try waitForPace(afterReading: page.batch.keys.count, pacer: &run.pacer)
            } else {
                adjustDepth(&run)
            }
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
        // Every pass starts shallow and learns again whether the server is idle (a stale verdict is not trusted).
        depthPolicy = CensusDepthPolicy()
        lastDepthProbe = .distantPast
        return CensusPassRun(number: number, dbsizeKeys: dbsize, startedAt: passStarted,
                             connectionGeneration: client.connectionGeneration, isFirstPass: isFirstPass,
                             walk: CensusPassState(db: options.db, maxFamilies: options.maxFamilies),
                             pacer: pace.map { CensusPacer(now: passStarted, keysPerSecond: $0.keysPerSecond) },
                             lastPublish: lastPublish, stream: CensusPageStream(window: options.pipelineWindow))
    }

    /// Moves pages through the window until the oldest is read to the end and returns it; nil when the pass is
    /// done. A lost connection drops the pass (`PassRestart`, after the reconnect back-off).
    private func nextPage(_ run: inout CensusPassRun) throws -> CensusPageStream.Page? {
        if run.stream.isEmpty {
            if finished(run) { return nil }
            if maxConsecutiveFailures == nil, isStopping { throw StopSignal() }
            run.stream.append(makeBatch(&run))
        }
        do {
            while true {
                try takeReadyHeads(&run)
                if let page = run.stream.popCompleted() {
                    consecutiveFailures = 0
                    return page
                }
                try writeWhatTheWindowAllows(&run)
                guard let count = run.stream.nextReadCount, let written = run.lastWrite else {
                    // Nothing in flight and nothing writable: a page is stuck (cannot happen with a window ≥ 1).
                    throw RedisError.protocolError(address: client.endpoint.displayAddress, detail: "census pipeline stalled")
                }
                run.stream.took(try client.readReplies(count: count, of: written))
            }
        } catch let error as RedisError where error.isConnectionError {
            // The connection is gone with every unread reply. The next connection may reach a restarted server
            // with other keys (and the SCAN cursor means nothing there): this pass is dropped and a new one starts.
            run.stream.reset()
            run.lastWrite = nil
            try recover(from: error, failures: &consecutiveFailures)
            throw PassRestart(cause: error)
        }
    }

    /// True when nothing is left to send in this pass.
    private func finished(_ run: CensusPassRun) -> Bool { run.walk.finished(probingValues: probingValues) }

    /// The next page's pipeline (full mode on an otherwise idle server: a big SCAN).
    private func makeBatch(_ run: inout CensusPassRun) -> PageBatch {
        var scanCount = pace == nil && depthPolicy.depth == .deep ? options.deepScanCount : options.effectiveScanCount
        if let pace {
            // Yielding: fewer, larger pages (see CensusOptions.yieldingScanCount), their lookups in one write.
            if pace.yielding { scanCount = options.yieldingScanCount(floorKeysPerSecond: pace.floorKeysPerSecond) }
            run.stream.setLimits(pace.yielding ? .yielding : options.pipelineWindow)
        }
        return run.walk.nextBatch(noTouch: needsNoTouch(), type: features.typeAllowed,
                                  memory: options.memory && features.memoryAllowed, probingValues: probingValues, scanCount: scanCount)
    }

    /// Full mode, about every `depthPolicy.nextProbeSeconds`: asks how many commands other clients ran and sets the
    /// pipeline's depth (`CensusDepthPolicy`: deep while nobody else uses the server, shallow at once when someone does).
    /// The first time in a pass it also asks `CLIENT LIST`: when every app connection has been silent over a second
    /// already, the pass goes deep at once instead of watching that second again.
    private func adjustDepth(_ run: inout CensusPassRun) {
        guard options.trafficAware, case .full = options.mode else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDepthProbe) >= depthPolicy.nextProbeSeconds else { return }
        let firstOfPass = lastDepthProbe == .distantPast
        lastDepthProbe = now
        if trafficProbe == nil { trafficProbe = CensusTrafficProbe(endpoint: client.endpoint, ownTraffic: client.ownTraffic) }
        // Once a pass: every app connection silent longer than the second the policy would wait for? Then deep at once.
        if firstOfPass, trafficProbe?.appClientsSilent(forMoreThanSeconds: depthPolicy.silenceSecondsToDeepen) == true {
            depthPolicy.noteSilenceAlreadySeen()
        }
        let depth = depthPolicy.observe(otherClientsCalls: trafficProbe?.otherClientsCalls(), at: Date())
        run.stream.setLimits(depth == .deep ? options.deepPipelineWindow : options.pipelineWindow)
    }

    /// Writes queued commands while the window has room (and notes the connection NO-TOUCH went out on).
    private func writeWhatTheWindowAllows(_ run: inout CensusPassRun) throws {
        while true {
            let segments = run.stream.nextWrite()
            if segments.isEmpty { return }
            // Nothing is written on another connection than the pass's: that one is gone (see `nextPage`).
            if client.connectionGeneration != run.connectionGeneration {
                throw PassRestart(cause: client.lastConnectionError
                    ?? .connectionClosed(address: client.endpoint.displayAddress, detail: "reconnected during a census pass"))
            }
            var commands: [RedisCommand] = []
            commands.reserveCapacity(segments.reduce(0) { $0 + $1.commands.count })
            var scans = 0
            var lookups = 0
            var startsNoTouch = false
            for segment in segments {
                let batch = run.stream.pages[segment.page].batch
                commands += batch.commands[segment.commands]
                // Booked when sent (see OwnTraffic.Totals.scans): our SCAN, and every lookup as a hit for now;
                // `absorb` corrects the lookups once the replies say which were misses (or denied).
                if batch.scan, segment.commands.contains(batch.headCount - 1) { scans += 1 }
                lookups += segment.commands.count - segment.commands.clamped(to: 0..<batch.headCount).count
                if batch.noTouch, segment.commands.lowerBound == 0 { startsNoTouch = true }
            }
            let written = try client.write(commands)
            commandsSent += commands.count
            ownTraffic?.add(commands: 0, scans: scans, keyspaceHits: lookups)
            if startsNoTouch { noTouchConnectionGeneration = written.connectionGeneration }
            run.lastWrite = written
            run.stream.wrote(segments)
        }
    }

    /// Looks at every page head read since the last call: whether `CLIENT NO-TOUCH` was accepted, and the SCAN reply
    /// (its keys join the walk). In full mode the next page is queued as soon as the last page's head is read.
    private func takeReadyHeads(_ run: inout CensusPassRun) throws {
        while let index = run.stream.takeReadyHead() {
            let page = run.stream.pages[index]
            let scanError = try readHead(page.head, of: page.batch, into: &run.walk)
            if let scanError { run.stream.setScanError(scanError, page: index) }
            // Full mode: the next page is queued behind this one before this page's lookups are read.
            if pace == nil, scanError == nil, index == run.stream.pages.count - 1, !finished(run),
               !(maxConsecutiveFailures == nil && isStopping) {
                run.stream.append(makeBatch(&run))
            }
        }
    }

    /// Reads a page's head replies: whether `CLIENT NO-TOUCH` was accepted, and the SCAN reply (its keys join the
    /// walk). Returns a SCAN refusal to wait out (`LOADING`, `MASTERDOWN`: the page's lookups still count); any other
    /// SCAN error is thrown (a denied SCAN stops the census).
    private func readHead(_ head: [RedisReply], of batch: PageBatch, into walk: inout CensusPassState) throws -> RedisError? {
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
        let exactStart = min(lookupReplies.count, decoded.probeRepliesStart + batch.probes.count)
        let exactCounts = run.walk.recordExactMemory(batch.exactMemory, lookupReplies[exactStart...])
        // The client books the commands (`RedisClient.ownTraffic`); the lookups went in as hits when sent,
        // now the replies say which were misses or denied.
        ownTraffic?.add(commands: 0, keyspaceHits: decoded.hits + probeCounts.hits + exactCounts.hits - batch.lookupCount,
                        keyspaceMisses: decoded.misses + probeCounts.misses + exactCounts.misses)
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
                              complete: complete, yielding: pace?.yielding ?? false)
    }

    /// Publishes progress (and, during the first pass of a worker, a partial report) at most once per
    /// `publishIntervalSeconds`; while yielding to a busy server (a page of about 50 keys every half second) at most
    /// once a second, so the report is not rebuilt for a few keys next to the app. A change of yielding goes out at once.
    private func publishPartialIfDue(_ run: inout CensusPassRun) {
        let now = Date()
        let yielding = pace?.yielding ?? false
        let interval = yielding ? max(1, options.publishIntervalSeconds) : options.publishIntervalSeconds
        guard now.timeIntervalSince(run.lastPublish) >= interval || yielding != run.publishedYielding else { return }
        run.lastPublish = now
        run.publishedYielding = yielding
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
        checkLoad()
        guard let current = pace?.keysPerSecond, var active = pacer else { return }
        let due = active.nextSend(afterReading: keys, now: Date(), keysPerSecond: current)
        pacer = active
        if due > Date(), !sleep(until: due) { throw StopSignal() }
    }

    /// PING about once a second in budgeted mode; slow answers halve the pace.
    private func checkLatency() throws {
        // While yielding the pace is at its floor and PING can move it neither way: no PING then.
        guard let current = pace, !current.yielding, Date().timeIntervalSince(lastPingCheck) >= 1 else { return }
        lastPingCheck = Date()
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            commandsSent += 1
            _ = try client.send(.ping)
            pace?.observe(pingMilliseconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)
        } catch is RedisError {
            // PING denied: no latency signal, keep the pace. A lost connection is not this probe's to handle:
            // the next page's pipeline meets it and recovers like any other page, without abandoning the pass.
        }
    }

    /// `INFO cpu` and `INFO stats` about every `CensusPace.loadCheckSeconds` in budgeted mode: while other clients keep the server
    /// busy, half a core or more (`ServerLoadGauge`), the pace stays at its floor. A denied or unknown INFO ends the checks
    /// (PING back-off still works); a passing refusal skips one sample; a lost connection is left to the next page, as in
    /// `checkLatency`.
    private func checkLoad() {
        guard let current = pace, loadGauge != nil else { return }
        guard Date().timeIntervalSince(lastLoadCheck) >= current.loadCheckSeconds else { return }
        lastLoadCheck = Date()
        do {
            let replies = try client.pipeline([.info(section: "cpu"), .info(section: "stats")])
            commandsSent += replies.count
            if let text = replies.compactMap(\.errorText).first { throw client.mappedError(text, command: "info") }
            let info = InfoSnapshot(text: replies.compactMap(\.stringValue).joined(separator: "\n"), takenAt: Date())
            let busy = loadGauge?.observe(cpuSeconds: info.usedCPUSeconds, totalCommands: info.totalCommandsProcessed,
                                          ownCommands: commandsSent, at: Date()) ?? false
            pace?.observe(serverBusy: busy)
        } catch let error as RedisError where !error.isConnectionError {
            // Denied or renamed: no load signal from now on. Anything passing (LOADING, BUSY, MASTERDOWN): skip a sample.
            guard error.isLastingRefusal else { return }
            loadGauge = nil
            pace?.observe(serverBusy: false)
        } catch {}
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
