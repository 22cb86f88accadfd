/// Removing cachewatch's own load from the rates.
extension InfoRates {
    /// The rates with the observer's own commands and key lookups over the interval taken out
    /// (never below zero); the hit ratio is recomputed from what remains (nil when nothing does).
    /// `scans` (the `SCAN`s among `commands`) also come off `commandCallsPerSecond["scan"]`, so
    /// `scanCallsPerSecond` is the application's; the other per-command rates are left as Redis counted them.
    public func excludingObserver(commands: Int, scans: Int = 0, keyspaceHits: Int, keyspaceMisses: Int) -> InfoRates {
        guard intervalSeconds > 0 else { return self }
        var adjusted = self
        adjusted.opsPerSecond = max(0, opsPerSecond - Double(commands) / intervalSeconds)
        if let total = commandCallsPerSecond["scan"] {
            adjusted.commandCallsPerSecond["scan"] = max(0, total - Double(scans) / intervalSeconds)
        }
        adjusted.hitsPerSecond = max(0, hitsPerSecond - Double(keyspaceHits) / intervalSeconds)
        adjusted.missesPerSecond = max(0, missesPerSecond - Double(keyspaceMisses) / intervalSeconds)
        let lookups = adjusted.hitsPerSecond + adjusted.missesPerSecond
        // Below 1 lookup per 100 s what is left is noise from sampling at slightly different moments.
        adjusted.hitRatio = lookups * intervalSeconds >= 0.5 ? adjusted.hitsPerSecond / lookups : nil
        return adjusted
    }
}

// MARK: - SCANs in flight

extension InfoRates {
    /// At most this many observer SCANs are carried (a pipeline or two in flight; more means some never ran).
    public static let maximumCarriedObserverScans = 4

    /// Of the observer's `scans` over this interval (booked when sent, plus any carried in), those Redis had
    /// not counted in `cmdstat_scan` yet: sent just before the INFO and run just after it. Pass them with the
    /// next interval's `scans` so they are not taken for the app's there. Call on the rates before
    /// `excludingObserver`; 0 when commandstats are unknown; at most `maximumCarriedObserverScans`.
    public func unseenObserverScans(_ scans: Int) -> Int {
        guard let counted = callsPerSecond("scan") else { return 0 }
        let countedCalls = Clamp.int((counted * intervalSeconds).rounded())
        return min(InfoRates.maximumCarriedObserverScans, max(0, scans - countedCalls))
    }
}

extension InfoRates {
    /// The observer's load booked over this interval (sent, plus any carried in) that Redis had not counted
    /// yet: a pipeline sent just before the INFO and run just after it. Subtract it in the next interval
    /// instead, so one interval does not read 0 and the next a phantom burst. Never more than was booked.
    public func unseenObserverLoad(commands: Int, keyspaceHits: Int, keyspaceMisses: Int)
        -> (commands: Int, keyspaceHits: Int, keyspaceMisses: Int) {
        guard intervalSeconds > 0 else { return (0, 0, 0) }
        func unseen(_ booked: Int, _ perSecond: Double) -> Int {
            max(0, Clamp.difference(booked, Clamp.int((perSecond * intervalSeconds).rounded())))
        }
        return (unseen(commands, opsPerSecond), unseen(keyspaceHits, hitsPerSecond), unseen(keyspaceMisses, missesPerSecond))
    }
}
