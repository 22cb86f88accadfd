import Foundation

/// Memcached items: a key with its TTL, size and whether it was ever read (`fetch=`).
extension CensusAccumulator {
    /// Adds one memcached item: `pttlMilliseconds` as in `add` (-1: no expiry, < -1: already expired, counted as
    /// vanished), `sizeBytes` feeds the family's size like MEMORY USAGE, `fetched` (nil: unknown) the never-read count.
    public mutating func addItem(key: [UInt8], pttlMilliseconds: Int64, sizeBytes: Int?, fetched: Bool?, observedAt: Date) {
        guard let id = add(key: key, type: nil, pttlMilliseconds: pttlMilliseconds, memoryBytes: sizeBytes,
                           offsetMilliseconds: offset(observedAt)) else { return }
        guard let fetched else { return }
        stats[id]?.fetchKnown += 1
        if !fetched { stats[id]?.neverRead += 1 }
    }
}
