import CachewatchCore
import Foundation

/// One primary's steady-state pacing: when its passes started, what its INFO keyspace said then, and now.
struct NodePacing: Sendable {
    struct Pass: Sendable {
        var startedAt: Date
        var keyspace: CensusSchedule.Keyspace?
    }

    /// The census DB's `keys` and `expires` in the node's latest INFO (nil before one arrived).
    var latest: CensusSchedule.Keyspace?
    var running: Pass?
    var completed: Pass?
    var completedAt: Date?
    var completedKeys = 0

    mutating func passCompleted(at date: Date, keys: Int) {
        if let running { completed = running }
        running = nil
        completedAt = date
        completedKeys = max(0, keys)
    }

    /// True when the next pass is due by `schedule` (the single server's rule, on this node's own keyspace).
    mutating func isDue(now: Date, schedule: CensusSchedule) -> Bool {
        guard let completedAt else { return true }
        var pass = completed ?? Pass(startedAt: completedAt, keyspace: nil)
        if pass.keyspace == nil, let latest {
            // INFO had not arrived when the pass started: measure changes from the first one seen after it.
            pass.keyspace = latest
            completed = pass
        }
        if case .startNow = schedule.decide(passStarted: pass.startedAt, passEnded: completedAt, passKeys: completedKeys,
                                            keyspaceAtStart: pass.keyspace, keyspaceNow: latest, now: now) {
            return true
        }
        return false
    }
}

extension ClusterCensus {
    /// The collector's latest INFO keyspace of each primary that answered (address → entries): what each node's
    /// early pass is measured against.
    public func observe(keyspaces: [String: [KeyspaceEntry]]) {
        lock.lock()
        defer { lock.unlock() }
        for index in parts.indices {
            guard let entries = keyspaces[parts[index].primary.address] else { continue }
            let entry = entries.first { $0.db == options.db }
            let keyspace = CensusSchedule.Keyspace(keys: entry?.keys ?? 0, expires: entry?.expires ?? 0)
            parts[index].pacing.latest = keyspace
            // A pass that started before the node's first INFO is measured from the first one seen while it runs (not
            // from one after it ended, which could already include the change it should notice).
            if parts[index].pacing.running != nil, parts[index].pacing.running?.keyspace == nil {
                parts[index].pacing.running?.keyspace = keyspace
            }
        }
    }

    /// A primary restarted (its `run_id` changed or its uptime went back): its keys may be gone, so its part is
    /// dropped (its slots are uncovered until it reports again) and it is walked again at once on a new worker.
    public func restartNode(address: String) {
        switchLock.lock()
        defer { switchLock.unlock() }
        lock.lock()
        guard !stopped, let index = parts.firstIndex(where: { $0.primary.address == address }), index < runners.count else {
            lock.unlock()
            return
        }
        parts[index].generation += 1
        parts[index].report = nil
        parts[index].progress = nil
        parts[index].error = nil
        let latest = parts[index].pacing.latest
        parts[index].pacing = NodePacing()
        parts[index].pacing.latest = latest
        let old = runners[index]
        let fresh = makeRunner(primary: parts[index].primary, generation: parts[index].generation)
        runners[index] = fresh
        let merged = mergedLocked()
        lock.unlock()
        old.stop()
        fresh.start()
        onReport(merged)
    }

    func passStarted(address: String, generation: Int, at date: Date) {
        lock.lock()
        defer { lock.unlock() }
        guard let index = parts.firstIndex(where: { $0.primary.address == address }), parts[index].generation == generation else { return }
        parts[index].pacing.running = NodePacing.Pass(startedAt: date, keyspace: parts[index].pacing.latest)
    }

    func passDue(address: String, generation: Int, now: Date, schedule: CensusSchedule) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let index = parts.firstIndex(where: { $0.primary.address == address }), parts[index].generation == generation else { return false }
        return parts[index].pacing.isDue(now: now, schedule: schedule)
    }
}
