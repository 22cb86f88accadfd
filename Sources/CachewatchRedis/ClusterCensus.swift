import CachewatchCore
import Foundation

/// The census of a cluster: one `CensusRunner` per primary, each on its own connection and thread, in parallel,
/// sharing one budget (`keysPerSecond` split evenly); their reports are merged (`ClusterCensusMerge`) and posted as
/// one. A primary that does not answer leaves its slots uncovered and the census partial until it is back.
/// With a `schedule` (budgeted mode), each primary paces its own passes like a single server (steady-state pacing):
/// it walks again when its refresh is due, early when its own INFO keyspace moved by more than the threshold, and at
/// once (its part dropped) when it restarted.
public final class ClusterCensus: @unchecked Sendable {
    struct Part {
        var primary: ClusterPrimary
        var report: CensusReport?
        var progress: CensusProgress?
        var error: String?
        /// The collector says the node does not answer: its report is kept but its slots count as uncovered.
        var down = false
        /// Bumped when the node's runner is replaced (a restart): reports of the old one are dropped.
        var generation = 0
        var pacing = NodePacing()
    }

    public let options: CensusOptions
    let schedule: CensusSchedule?
    let nodeOptions: CensusOptions
    let ownTraffic: OwnTraffic?
    let lock = NSLock()
    /// Serializes `restartNode` and `stop` (a runner is never started after `stop`).
    let switchLock = NSLock()
    var stopped = false
    var parts: [Part]
    var runners: [CensusRunner] = []
    let onReport: @Sendable (CensusReport) -> Void
    let onProgress: (@Sendable (CensusProgress) -> Void)?
    private let onRedirect: (@Sendable () -> Void)?

    /// `options.mode` budgeted: the budget is the whole cluster's (each primary walks its share, at least 1 key/s).
    /// `schedule` (budgeted mode only; nil: each primary walks again `minimumPassSeconds` after its last start) paces
    /// each primary's passes; its `averageKeysPerSecond` is the whole cluster's, shared evenly like the budget.
    public init(primaries: [ClusterPrimary], options: CensusOptions, ownTraffic: OwnTraffic?, schedule: CensusSchedule? = nil,
                onReport: @escaping @Sendable (CensusReport) -> Void, onProgress: (@Sendable (CensusProgress) -> Void)? = nil,
                onRedirect: (@Sendable () -> Void)? = nil) {
        self.options = options
        self.parts = primaries.map { Part(primary: $0) }
        self.onReport = onReport
        self.onProgress = onProgress
        self.onRedirect = onRedirect
        self.ownTraffic = ownTraffic
        var nodeOptions = options
        var nodeSchedule: CensusSchedule?
        if case .budgeted(let total) = options.mode {
            nodeOptions.mode = .budgeted(keysPerSecond: max(1, total / max(1, primaries.count)))
            if var schedule {
                schedule.averageKeysPerSecond /= Double(max(1, primaries.count))
                nodeSchedule = schedule
            }
        }
        self.nodeOptions = nodeOptions
        self.schedule = nodeSchedule
        runners = primaries.map { makeRunner(primary: $0, generation: 0) }
    }

    deinit { stop() }

    /// Starts every primary's worker.
    public func start() {
        lock.lock()
        let all = runners
        lock.unlock()
        all.forEach { $0.start() }
    }

    /// Stops every worker and waits for them.
    public func stop() {
        switchLock.lock()
        defer { switchLock.unlock() }
        lock.lock()
        stopped = true
        let all = runners
        lock.unlock()
        all.forEach { $0.stop() }
    }

    /// The worker of one primary; its reports count while the part's generation is `generation`.
    func makeRunner(primary: ClusterPrimary, generation: Int) -> CensusRunner {
        var endpoint = primary.censusEndpoint
        endpoint.db = options.db
        let address = primary.address
        let gate = schedule.map { schedule in
            CensusPassGate(passStarted: { [weak self] in self?.passStarted(address: address, generation: generation, at: $0) },
                           isDue: { [weak self] in self?.passDue(address: address, generation: generation, now: $0, schedule: schedule) ?? false })
        }
        return CensusRunner(client: RedisClient(endpoint: endpoint, ownTraffic: ownTraffic), options: nodeOptions,
                            onReport: { [weak self] in self?.record(address: address, generation: generation, report: $0) },
                            onProgress: { [weak self] in self?.record(address: address, generation: generation, progress: $0) },
                            onError: { [weak self] in self?.record(address: address, generation: generation, error: $0) },
                            ownTraffic: ownTraffic, gate: gate)
    }

    /// A primary stopped answering (seen by the collector; `reason`), or answers again (nil): while down its slots are
    /// uncovered and the census partial; back up, its last report counts again (a complete pass is not sent twice).
    public func mark(address: String, downBecause reason: String?) {
        lock.lock()
        guard let index = parts.firstIndex(where: { $0.primary.address == address }), parts[index].down != (reason != nil) else {
            lock.unlock()
            return
        }
        parts[index].down = reason != nil
        if let reason { parts[index].error = reason } else if parts[index].report != nil { parts[index].error = nil }
        let merged = mergedLocked()
        lock.unlock()
        onReport(merged)
    }

    /// The merged report now (nil before any primary reported).
    public var report: CensusReport? {
        lock.lock()
        defer { lock.unlock() }
        return parts.contains { $0.report != nil } ? mergedLocked() : nil
    }

    private func record(address: String, generation: Int, report: CensusReport) {
        lock.lock()
        guard let index = parts.firstIndex(where: { $0.primary.address == address }), parts[index].generation == generation else {
            lock.unlock()
            return
        }
        if report.complete { parts[index].pacing.passCompleted(at: Date(), keys: report.scannedKeys) }
        // A complete pass stays until the next complete one (a later pass's partial reports never replace it).
        parts[index].report = CensusReport.shown(current: parts[index].report, incoming: report)
        parts[index].error = nil
        parts[index].down = false
        let merged = mergedLocked()
        lock.unlock()
        onReport(merged)
    }

    private func record(address: String, generation: Int, progress: CensusProgress) {
        lock.lock()
        guard let index = parts.firstIndex(where: { $0.primary.address == address }), parts[index].generation == generation else {
            lock.unlock()
            return
        }
        parts[index].progress = progress
        let all = parts.compactMap(\.progress)
        let count = parts.count
        lock.unlock()
        guard let onProgress, !all.isEmpty else { return }
        let scanned = all.reduce(0) { Clamp.sum($0, $1.scannedKeys) }
        let dbsize = all.reduce(0) { Clamp.sum($0, $1.dbsizeKeys) }
        let rate = all.reduce(0.0) { $0 + ($1.keysPerSecond.isFinite ? $1.keysPerSecond : 0) }
        let budget = all.compactMap(\.budgetKeysPerSecond).reduce(0, +)
        let remaining = dbsize - scanned
        let complete = all.count == count && all.allSatisfy(\.complete)
        onProgress(CensusProgress(pass: all.map(\.pass).min() ?? 1, scannedKeys: scanned, dbsizeKeys: dbsize, keysPerSecond: rate,
                                  etaSeconds: complete || rate <= 0 || remaining <= 0 ? nil : Double(remaining) / rate,
                                  budgetKeysPerSecond: budget > 0 ? budget : nil, complete: complete,
                                  yielding: all.contains { $0.yielding && !$0.complete }))
    }

    private func record(address: String, generation: Int, error: RedisError) {
        if ClusterDiscovery.isRedirection(error) { onRedirect?() }
        lock.lock()
        guard let index = parts.firstIndex(where: { $0.primary.address == address }), parts[index].generation == generation else {
            lock.unlock()
            return
        }
        parts[index].error = error.message
        if error.isConnectionError { parts[index].down = true }
        let merged = mergedLocked()
        lock.unlock()
        onReport(merged)
    }

    func mergedLocked() -> CensusReport {
        ClusterCensusMerge.merge(parts.map { .init(address: $0.primary.address, slots: $0.primary.slots, report: $0.down ? nil : $0.report,
                                                   error: $0.down ? ($0.error ?? "does not answer") : $0.error) },
                                 db: options.db, maxFamilies: options.maxFamilies)
    }

    // MARK: - One full pass

    /// Walks every primary to the end, in parallel (one thread and connection each), and merges the reports. A primary
    /// that cannot be walked is reported in the merged census (its slots uncovered, the census partial), never thrown.
    public static func runFull(primaries: [ClusterPrimary], db: Int, memory: Bool, maxFamilies: Int, ownTraffic: OwnTraffic? = nil,
                               progress: (@Sendable (CensusProgress) -> Void)? = nil) -> CensusReport {
        let results = LockedResults(count: primaries.count)
        let group = DispatchGroup()
        for (index, primary) in primaries.enumerated() {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                var endpoint = primary.censusEndpoint
                endpoint.db = db
                do {
                    let report = try CensusRunner.runFull(client: RedisClient(endpoint: endpoint, ownTraffic: ownTraffic), db: db,
                                                          memory: memory, maxFamilies: maxFamilies,
                                                          progress: progress.map { sink in { @Sendable in sink(results.progress(index, $0)) } })
                    results.set(index, report: report, error: nil)
                } catch let error as RedisError {
                    results.set(index, report: nil, error: error.message)
                } catch {
                    results.set(index, report: nil, error: "The census of \(primary.address) stopped.")
                }
            }
            thread.name = "cachewatch.census.\(index)"
            thread.start()
        }
        group.wait()
        let all = results.all
        return ClusterCensusMerge.merge(zip(primaries, all).map { .init(address: $0.address, slots: $0.slots, report: $1.report, error: $1.error) },
                                        db: db, maxFamilies: maxFamilies)
    }

    /// The per-primary results of `runFull`, written from its threads.
    private final class LockedResults: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [(report: CensusReport?, error: String?)]
        private var progresses: [CensusProgress?]

        init(count: Int) {
            results = Array(repeating: (nil, nil), count: count)
            progresses = Array(repeating: nil, count: count)
        }

        func set(_ index: Int, report: CensusReport?, error: String?) {
            lock.lock()
            results[index] = (report, error)
            lock.unlock()
        }

        /// Records one primary's progress and returns the sum over all of them.
        func progress(_ index: Int, _ progress: CensusProgress) -> CensusProgress {
            lock.lock()
            defer { lock.unlock() }
            progresses[index] = progress
            let all = progresses.compactMap { $0 }
            let scanned = all.reduce(0) { Clamp.sum($0, $1.scannedKeys) }
            let dbsize = all.reduce(0) { Clamp.sum($0, $1.dbsizeKeys) }
            let rate = all.reduce(0.0) { $0 + ($1.keysPerSecond.isFinite ? $1.keysPerSecond : 0) }
            let complete = all.count == progresses.count && all.allSatisfy(\.complete)
            return CensusProgress(pass: 1, scannedKeys: scanned, dbsizeKeys: dbsize, keysPerSecond: rate,
                                  etaSeconds: complete || rate <= 0 || dbsize <= scanned ? nil : Double(dbsize - scanned) / rate,
                                  budgetKeysPerSecond: nil, complete: complete, yielding: all.contains { $0.yielding && !$0.complete })
        }

        var all: [(report: CensusReport?, error: String?)] {
            lock.lock()
            defer { lock.unlock() }
            return results
        }
    }
}
