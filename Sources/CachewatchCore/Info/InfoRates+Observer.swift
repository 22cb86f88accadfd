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
