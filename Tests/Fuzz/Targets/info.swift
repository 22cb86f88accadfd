// libFuzzer target: the INFO parser (InfoSnapshot) and the rates between two parsed samples (InfoRates).
//
// Input: INFO text; a NUL byte, if any, separates the previous sample from the current one
// (otherwise the same text is both samples). The interval between them is picked from a few
// realistic values (including 0 and a clock that went back) by a hash of the input.
import Foundation
import CachewatchCore

private let intervals: [Double] = [1, 0.5, 2, 0, -1, 0.001, 3600]

@_cdecl("LLVMFuzzerTestOneInput")
public func infoFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let (beforeBytes, afterBytes) = splitOnce(bytes, at: 0) ?? (bytes, bytes)
    let start = Date(timeIntervalSince1970: 1_764_196_201)
    let interval = intervals[Int(fuzzHash(bytes) % UInt32(intervals.count))]
    let previous = InfoSnapshot(text: String(decoding: beforeBytes, as: UTF8.self), takenAt: start)
    let current = InfoSnapshot(text: String(decoding: afterBytes, as: UTF8.self), takenAt: start.addingTimeInterval(interval))

    for snapshot in [previous, current] {
        fuzzCheck(snapshot.unparsedLineCount >= 0, "negative unparsed count")
        fuzzCheck(zip(snapshot.keyspace, snapshot.keyspace.dropFirst()).allSatisfy { $0.db < $1.db }, "keyspace not sorted by db")
        for entry in snapshot.keyspace { fuzzCheck(entry.db >= 0, "negative db number \(entry.db)") }
        for (_, stat) in snapshot.commandStats { fuzzCheck(stat.usecPerCall.isFinite, "usec_per_call not finite") }
        for (_, percentiles) in snapshot.latencyPercentiles {
            for (_, value) in percentiles { fuzzCheck(value.isFinite, "latency percentile not finite") }
        }
        // The typed accessors must never trap.
        _ = (snapshot.redisVersion, snapshot.redisMode, snapshot.runID, snapshot.uptimeSeconds, snapshot.connectedClients,
             snapshot.blockedClients, snapshot.usedMemoryBytes, snapshot.usedMemoryRSSBytes, snapshot.maxmemoryBytes,
             snapshot.maxmemoryPolicy, snapshot.instantaneousOpsPerSecond, snapshot.rejectedConnections,
             snapshot.role, snapshot.clusterEnabled)
        _ = snapshot.keyspace.map(\.json)
    }

    // No guard: counters below 0, huge or going backwards are a reset in InfoRates (issue 8 §1), never a trap.
    let rates = InfoRates.between(previous, current)
    let values = [rates.intervalSeconds, rates.opsPerSecond, rates.hitsPerSecond, rates.missesPerSecond,
                  rates.expiredKeysPerSecond, rates.evictedKeysPerSecond, rates.netInputBytesPerSecond,
                  rates.netOutputBytesPerSecond] + Array(rates.commandCallsPerSecond.values)
    for value in values { fuzzCheck(value.isFinite, "rate not finite: \(value)") }
    for value in values.dropFirst() { fuzzCheck(value >= 0, "negative rate: \(value)") }
    if let ratio = rates.hitRatio { fuzzCheck(ratio.isFinite && ratio >= 0 && ratio <= 1, "hit ratio \(ratio) outside 0…1") }
    _ = rates.scanCallsPerSecond
    _ = rates.delCallsPerSecond

    // What the dashboard and `watch` do next with the rates.
    let observed = rates.excludingObserver(commands: 3, scans: 1, keyspaceHits: 1, keyspaceMisses: 1)
    for value in [observed.opsPerSecond, observed.hitsPerSecond, observed.missesPerSecond] {
        fuzzCheck(value.isFinite && value >= 0, "observer-adjusted rate \(value)")
    }
    let unseen = rates.unseenObserverLoad(commands: 5, keyspaceHits: 2, keyspaceMisses: 2)
    fuzzCheck(unseen.commands >= 0 && unseen.commands <= 5, "unseen commands \(unseen.commands)")
    let scans = rates.unseenObserverScans(2)
    fuzzCheck(scans >= 0 && scans <= InfoRates.maximumCarriedObserverScans, "unseen scans \(scans)")
    _ = RateFindings.evaluate(rates: rates)
    return 0
}
