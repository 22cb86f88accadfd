import CachewatchCore
import CachewatchThreads
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Follows log sources (files, globs, stdin), counts fail-open events and keeps the alert state.
///
/// Threads: one poll thread drives every file follower (stat every `pollIntervalSeconds`, ≤ 250 ms)
/// and re-expands globs every `globIntervalSeconds`; stdin (`-`) has its own reader thread.
/// Readers parse lines outside the lock and publish counts and events per chunk; `report(now:)`
/// returns a value snapshot under the lock.
///
/// Glob and rotation rule (nothing counted twice): every file is known by device + inode and the
/// offset read in it. A file already read under another name (`app.log` renamed to `app.log.1`,
/// matched again by `logs/app.log*`) continues at that offset instead of being read again.
/// A file a later glob expansion finds for the first time is read like the files found at start:
/// its last `backfillSeconds` (so lines older than the window are never counted).
/// Glob matches that disappear (rotated away and deleted) are dropped from the source list.
public final class LogMonitor {
    // MARK: - Configuration

    public let paths: [String]
    public let backfillSeconds: Double
    public let timeZone: TimeZone
    public let matcher: FailOpenMatcher
    public let alertRule: AlertRule
    public let staleAfterSeconds: Double
    public let pollIntervalSeconds: Double
    public let globIntervalSeconds: Double
    /// `[logs] deploy_patterns`: a line containing one of them is an app deploy marker.
    public let deployPatterns: [String]

    /// A file's timed backfill of at least this many bytes is counted in parallel segments (set before `start()`).
    public var parallelBackfillMinimumBytes = FileFollower.defaultParallelMinimumBytes {
        didSet { applySegmentSettings() }
    }
    /// At most this many segments per backfill (1: never in parallel); set before `start()`.
    public var backfillSegmentLimit = FileFollower.defaultBackfillSegmentLimit {
        didSet { applySegmentSettings() }
    }

    // MARK: - Shared state (under `lock`)

    let lock = NSLock()
    var published: [(id: Int, source: Published)] = []
    var counter = FailOpenCounter()
    private var evaluator: AlertEvaluator
    private var pollsCompleted = 0
    var inputEnded = false
    private var followerBytesRead: Int64 = 0
    /// Deploy lines of all sources, renumbered in the order published.
    private var deployLines = DeployLines()

    /// Backfill segments counted in parallel and merged so far (see `FileFollower.countSegments`).
    var segmentsMerged = 0

    // MARK: - Poll-thread state

    let clock: () -> Date
    let stdinDescriptor: Int32
    var fileSources: [FileSource] = []
    private var globs: [(pattern: String, placeholder: Int)] = []
    /// Offsets reached per file; entries not held open for `identityMemorySeconds` are forgotten
    /// (after that, an inode number may belong to a new file).
    private var offsetsByIdentity: [FileFollower.FileIdentity: (offset: Int64, lastHeld: Date)] = [:]
    private var nextID = 0
    var stdinReader: StreamReader?
    private var stdinSourceID: Int?
    var stdinProcessor: LogLineProcessor
    let worker = WorkerThread(name: "cachewatch-logs")
    private var started = false
    private var lastGlobExpansion = Date.distantPast

    /// Creates a monitor; nothing is read before `start()` (or `pollOnce()`).
    ///
    /// - Parameters:
    ///   - paths: `--log` values: files, globs (`logs/*.log`) or `-` for stdin.
    ///   - timeZone: the zone of naive timestamps (`--log-tz`), default the machine's.
    ///   - familyOf: names a key's family (the census's inference); replaces the matcher's.
    ///   - stdinDescriptor: the descriptor read for `-` (tests pass a pipe).
    ///   - clock: the time source for arrival times and alert evaluation (tests inject one).
    public init(paths: [String], backfillSeconds: Double = 900, timeZone: TimeZone? = nil,
                matcher: FailOpenMatcher = FailOpenMatcher(), alertRule: AlertRule = AlertRule(),
                staleAfterSeconds: Double = 300, familyOf: (@Sendable ([UInt8]) -> String)? = nil,
                pollIntervalSeconds: Double = 0.2, globIntervalSeconds: Double = 2,
                deployPatterns: [String] = DeployLines.defaultPatterns,
                stdinDescriptor: Int32 = STDIN_FILENO, clock: @escaping () -> Date = Date.init) {
        self.paths = paths
        self.backfillSeconds = max(0, backfillSeconds)
        self.timeZone = timeZone ?? .current
        self.matcher = familyOf.map { matcher.with(familyOf: $0) } ?? matcher
        self.alertRule = alertRule
        self.staleAfterSeconds = staleAfterSeconds
        self.pollIntervalSeconds = min(max(pollIntervalSeconds, 0.01), 0.25)
        self.globIntervalSeconds = globIntervalSeconds
        self.stdinDescriptor = stdinDescriptor
        self.clock = clock
        self.deployPatterns = deployPatterns
        self.evaluator = AlertEvaluator(rule: alertRule)
        self.stdinProcessor = LogLineProcessor(timeZone: timeZone ?? .current, matcher: self.matcher, deployPatterns: deployPatterns)
        var seen = Set<String>()
        for path in paths where seen.insert(path).inserted {
            if path == "-" {
                stdinSourceID = addPublished(path: "-", status: "following")
            } else if Self.isGlob(path) {
                let placeholder = addPublished(path: path, status: "missing",
                                               detail: "No file matches \(DisplayEscaper.escape(path)) yet; waiting.")
                globs.append((path, placeholder))
                for match in Self.expand(path) where !fileSources.contains(where: { $0.follower.path == match }) {
                    addFile(path: match, start: .backfill, fromGlob: path)
                }
            } else {
                addFile(path: path, start: .backfill, fromGlob: nil)
            }
        }
        updateGlobPlaceholders()
    }

    deinit {
        stop()
    }

    // MARK: - Running

    /// Starts the poll thread (and the stdin reader when `-` was given); a monitor runs once.
    public func start() {
        lock.lock()
        guard !started else { lock.unlock(); return }
        started = true
        lock.unlock()
        worker.start { [weak self] in self?.runPollLoop() }
        if let id = stdinSourceID { startStdin(id: id) }
    }

    /// Stops all threads and waits for them (promptly: ≤ one poll slice or one read chunk).
    public func stop() {
        lock.lock()
        let wasStarted = started
        started = false
        lock.unlock()
        guard wasStarted else { return }
        worker.stop()
        stdinReader?.stop()
    }

    /// Polls every file source once on the calling thread (one-shot snapshots, tests); only when not started.
    public func pollOnce() {
        lock.lock()
        let running = started
        lock.unlock()
        guard !running else { return }
        pollFiles()
        evaluate(now: clock())
    }

    /// Advances the alert state to `now` (called by the poll thread every cycle; callable any time).
    public func evaluate(now: Date) {
        lock.lock()
        evaluator.evaluate(counter: counter, now: now)
        lock.unlock()
    }

    /// Poll cycles completed so far (tests wait for "two more cycles" instead of sleeping).
    public var completedPolls: Int {
        lock.lock()
        defer { lock.unlock() }
        return pollsCompleted
    }

    /// True once stdin (`-`) reached EOF or failed (for `snapshot --log -`, which reads until the end).
    public var stdinEnded: Bool {
        lock.lock()
        defer { lock.unlock() }
        return inputEnded
    }

    /// Backfill segments counted on other threads and merged so far (tests check the parallel path was taken).
    public var backfillSegmentsMerged: Int {
        lock.lock()
        defer { lock.unlock() }
        return segmentsMerged
    }

    /// Bytes the file followers read from disk so far (backward scanning included).
    public var bytesRead: Int64 {
        lock.lock()
        defer { lock.unlock() }
        return followerBytesRead
    }

    /// Receives a report after every poll cycle, on the poll thread (set before `start()`): the monitor's owner posts
    /// it into its store, so readers never call into the monitor.
    public var onReport: ((LogsReport) -> Void)?

    private func runPollLoop() {
        while !worker.isStopping {
            pollFiles()
            if worker.isStopping { break }
            let now = clock()
            lock.lock()
            evaluator.evaluate(counter: counter, now: now)
            pollsCompleted += 1
            lock.unlock()
            if let onReport { onReport(report(now: now)) }
            worker.sleep(seconds: pollIntervalSeconds)
        }
    }

    // MARK: - Report

    /// A value snapshot of the sources, counts and alert state at `now` (thread-safe). Only reads: the alert state is
    /// advanced by the poll thread (or `pollOnce()`/`evaluate(now:)`), never by a reader.
    public func report(now: Date) -> LogsReport {
        lock.lock()
        defer { lock.unlock() }
        let sources = published.map { entry -> LogSourceStatus in
            var status = entry.source.status
            var detail = entry.source.detail
            if status == "following", let reference = [entry.source.lastLineAt, entry.source.followingSince].compactMap({ $0 }).max(),
               now.timeIntervalSince(reference) > staleAfterSeconds {
                status = "stale"
                let minutes = Int(now.timeIntervalSince(reference) / 60)
                detail = "No new line for \(minutes) min (stale after \(Int(staleAfterSeconds)) s)."
                    + (entry.source.detail.map { " " + $0 } ?? "")
            }
            return LogSourceStatus(path: entry.source.path, format: entry.source.format, lines: entry.source.lines,
                                   unparsed: entry.source.unparsed, truncated: entry.source.truncated,
                                   status: status, detail: detail, unparsedTime: entry.source.unparsedTime)
        }
        let summary = FailOpenSummary(
            last1m: counter.count(lastSeconds: 60, now: now), last5m: counter.count(lastSeconds: 300, now: now),
            last15m: counter.count(lastSeconds: 900, now: now), total: counter.total,
            perMinute: counter.perMinute(now: now), state: evaluator.level, since: evaluator.since,
            byError: counter.topErrors(), byFamily: counter.topFamilies(),
            warnPerMinute: alertRule.warnPerMinute, critPerMinute: alertRule.critPerMinute, history: evaluator.history)
        var deletions = PatternDeletionCounts()
        for entry in published { deletions.merge(entry.source.patternDeletions) }
        return LogsReport(sources: sources, failOpen: summary, patternDeletions: deletions, deployLines: deployLines)
    }

    // MARK: - Files

    @discardableResult
    private func addPublished(path: String, status: String, detail: String? = nil) -> Int {
        let id = nextID
        nextID += 1
        lock.lock()
        published.append((id, Published(path: DisplayEscaper.escape(path), status: status, detail: detail)))
        lock.unlock()
        return id
    }

    private func addFile(path: String, start: FileFollower.Start, fromGlob: String?) {
        let follower = FileFollower(path: path, start: start, backfillSeconds: backfillSeconds, timeZone: timeZone)
        let exists = access(path, F_OK) == 0
        let id = addPublished(path: path, status: exists ? "following" : "missing",
                              detail: exists ? nil : "\(DisplayEscaper.escape(path)) does not exist yet; waiting for it.")
        let source = FileSource(id: id, follower: follower, fromGlob: fromGlob,
                                processor: LogLineProcessor(timeZone: timeZone, matcher: matcher, deployPatterns: deployPatterns))
        if fromGlob != nil {
            // Only glob matches can be a file already read under another name (rotation).
            follower.startOverride = { [unowned self] identity in
                offsetsByIdentity[identity].map { .fromOffset($0.offset) }
            }
        }
        follower.offsetReached = { [unowned self] identity, offset in
            offsetsByIdentity[identity] = (offset, clock())
        }
        follower.identityGone = { [unowned self] identity in
            offsetsByIdentity[identity] = nil
        }
        follower.shouldStop = { [worker] in worker.isStopping }
        follower.parallelMinimumBytes = parallelBackfillMinimumBytes
        follower.backfillSegmentLimit = backfillSegmentLimit
        fileSources.append(source)
    }

    private func pollFiles() {
        let now = clock()
        if !globs.isEmpty, now.timeIntervalSince(lastGlobExpansion) >= globIntervalSeconds || now < lastGlobExpansion {
            lastGlobExpansion = now
            reexpandGlobs()
        }
        for source in fileSources {
            if worker.isStopping { return }
            source.state.pointee.arrival = clock()
            source.follower.poll(now: source.state.pointee.arrival, callbacks: callbacks(for: source))
            publish(source)
        }
        let held = clock()
        for source in fileSources {
            if let identity = source.follower.identity, let entry = offsetsByIdentity[identity] {
                offsetsByIdentity[identity] = (entry.offset, held)
            }
        }
        let memorySeconds = max(10, 3 * globIntervalSeconds)
        offsetsByIdentity = offsetsByIdentity.filter { abs(held.timeIntervalSince($0.value.lastHeld)) <= memorySeconds }
    }

    private func callbacks(for source: FileSource) -> FileFollower.Callbacks {
        let state = source.state
        return FileFollower.Callbacks(
            line: { bytes, truncated in
                state.pointee.processLine(bytes, truncated: truncated)
            },
            backfillBegins: { cutoff in
                state.pointee.processor.notBefore = cutoff
                state.pointee.processor.untimedEventsOutsideWindows = cutoff == nil
                state.pointee.processor.backfilling = true
            },
            backfillEnds: {
                state.pointee.processor.notBefore = nil
                state.pointee.processor.untimedEventsOutsideWindows = false
                state.pointee.processor.backfilling = false
            },
            chunkDone: { [unowned self, unowned source] in
                state.pointee.endChunk()
                // About every MiB read (the cadence of the former 1 MiB chunks): a publish takes the lock and copies
                // the counts, which per 64 KiB chunk cost more than counting the chunk's lines. The poll publishes
                // what is left once the follower is done.
                state.pointee.chunksSincePublish += 1
                if state.pointee.chunksSincePublish >= LineState.chunksPerPublish {
                    state.pointee.chunksSincePublish = 0
                    publish(source)
                }
                state.pointee.arrival = clock()
            },
            chunkBegins: { chunk in
                state.pointee.beginChunk(chunk)
            },
            lines: { block in
                state.pointee.processBlock(block)
            },
            countSegments: { [unowned self] descriptor, segments in
                countSegments(of: state, descriptor: descriptor, segments: segments)
            })
    }

    private func publish(_ source: FileSource) {
        let now = clock()
        let processor = source.state.pointee.processor
        let follower = source.follower
        lock.lock()
        for event in source.state.pointee.events { counter.record(event, now: now) }
        if let index = published.firstIndex(where: { $0.id == source.id }) {
            var entry = published[index].source
            entry.absorb(processor, now: now)
            takeDeployLines(of: processor, into: &entry)
            switch follower.status {
            case .following:
                if entry.status != "following" { entry.followingSince = now }
                entry.status = "following"
                entry.detail = nil
            case let .missing(sentence):
                entry.status = "missing"
                entry.detail = sentence
            case let .unreadable(sentence):
                entry.status = "unreadable"
                entry.detail = sentence
            }
            published[index].source = entry
        }
        followerBytesRead = fileSources.reduce(0) { $0 + $1.follower.bytesRead }
        lock.unlock()
        source.state.pointee.events.removeAll(keepingCapacity: true)
    }

    /// Moves a source's new deploy lines into the monitor's list, numbered in publication order (under `lock`).
    func takeDeployLines(of processor: LogLineProcessor, into entry: inout Published) {
        let source = processor.deployLines
        guard source.total > entry.deployLinesTaken else { return }
        let kept = source.recent.filter { $0.sequence > entry.deployLinesTaken }
        // Lines that already fell out of the source's bounded list still count (and keep their numbers).
        let dropped = source.total - entry.deployLinesTaken - kept.count
        var next = deployLines.total + dropped
        let fresh = kept.map { line -> DeployLine in
            next += 1
            var line = line
            line.sequence = next
            return line
        }
        entry.deployLinesTaken = source.total
        deployLines.append(fresh, dropped: dropped)
    }

    // MARK: - Globs

    private func reexpandGlobs() {
        for (pattern, _) in globs {
            let matches = Self.expand(pattern)
            for match in matches where !fileSources.contains(where: { $0.follower.path == match }) {
                addFile(path: match, start: .backfill, fromGlob: pattern)
            }
            // Drop glob matches that are gone for good (rotated away and deleted).
            let gone = fileSources.filter { source in
                guard source.fromGlob == pattern, !matches.contains(source.follower.path) else { return false }
                if case .missing = source.follower.status { return true }
                return false
            }
            if !gone.isEmpty {
                let ids = Set(gone.map(\.id))
                fileSources.removeAll { ids.contains($0.id) }
                lock.lock()
                published.removeAll { ids.contains($0.id) }
                lock.unlock()
            }
        }
        updateGlobPlaceholders()
    }

    private func updateGlobPlaceholders() {
        for (pattern, placeholder) in globs {
            let hasMatches = fileSources.contains { $0.fromGlob == pattern }
            lock.lock()
            let present = published.contains { $0.id == placeholder }
            if hasMatches, present {
                published.removeAll { $0.id == placeholder }
            } else if !hasMatches, !present {
                published.append((placeholder, Published(path: DisplayEscaper.escape(pattern), status: "missing",
                                                         detail: "No file matches \(DisplayEscaper.escape(pattern)) yet; waiting.")))
            }
            lock.unlock()
        }
    }
}
