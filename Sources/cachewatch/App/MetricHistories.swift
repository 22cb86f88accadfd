import CachewatchCore
import Foundation

/// The last hour of the header's numbers at the collector's resolution (one value per sample).
struct MetricHistories: Sendable {
    static let capacity = 3600

    var opsPerSecond = RingBuffer<Double>(capacity: capacity)
    var hitRatio = RingBuffer<Double>(capacity: capacity)
    var usedMemoryBytes = RingBuffer<Double>(capacity: capacity)
    var evictedKeysPerSecond = RingBuffer<Double>(capacity: capacity)
    var expiredKeysPerSecond = RingBuffer<Double>(capacity: capacity)
    var connectedClients = RingBuffer<Double>(capacity: capacity)
    var pingMilliseconds = RingBuffer<Double>(capacity: capacity)
    /// When each sample was taken (places event markers on the sparklines).
    var takenAt = RingBuffer<Date>(capacity: capacity)

    /// Records one interval's numbers (a missing hit ratio — no traffic — repeats the last one).
    mutating func record(info: InfoSnapshot, rates: InfoRates, pingMilliseconds ping: Double?) {
        opsPerSecond.append(rates.opsPerSecond)
        hitRatio.append(rates.hitRatio ?? hitRatio.last ?? 0)
        usedMemoryBytes.append(Double(info.usedMemoryBytes ?? 0))
        evictedKeysPerSecond.append(rates.evictedKeysPerSecond)
        expiredKeysPerSecond.append(rates.expiredKeysPerSecond)
        connectedClients.append(Double(info.connectedClients ?? 0))
        pingMilliseconds.append(ping ?? pingMilliseconds.last ?? 0)
        takenAt.append(info.takenAt)
    }
}
