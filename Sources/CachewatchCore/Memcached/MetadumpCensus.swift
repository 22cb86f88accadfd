import Foundation

/// The server's clock, read from `stats` `time`, carried forward with the local clock's elapsed time only
/// (so a skewed local clock never shifts TTLs).
public struct MemcachedClock: Sendable, Equatable {
    /// `time` from `stats` (unix seconds on the server).
    public var serverTime: Int64
    /// When that `stats` reply was received (local clock).
    public var receivedAt: Date

    public init(serverTime: Int64, receivedAt: Date) {
        self.serverTime = min(max(serverTime, 0), MetadumpItem.maximumUnixSeconds)
        self.receivedAt = receivedAt
    }

    /// The clock of a `stats` reply; nil when it has no usable `time`.
    public init?(stats: MemcachedStats) {
        guard let time = stats.serverTime else { return nil }
        self.init(serverTime: Int64(min(time, Int(MetadumpItem.maximumUnixSeconds))), receivedAt: stats.takenAt)
    }

    /// The server's time in milliseconds at local moment `date`.
    public func serverMilliseconds(at date: Date) -> Int64 {
        let elapsed = date.timeIntervalSince(receivedAt)
        let elapsedMilliseconds = elapsed.isFinite ? Int64(max(-1e12, min(1e12, elapsed * 1000)).rounded()) : 0
        return serverTime * 1000 + elapsedMilliseconds
    }

    /// The TTL of an item in milliseconds as the census counts it: -1 without expiry, -2 when already expired.
    public func pttlMilliseconds(expiresAt: Int64?, at date: Date) -> Int64 {
        guard let expiresAt else { return -1 }
        let ttl = expiresAt * 1000 - serverMilliseconds(at: date)
        return ttl > 0 ? ttl : -2
    }
}

/// A census of memcached items from `lru_crawler metadump all`, one pass at a time.
///
/// Items go straight into a `CensusAccumulator` (so partial reports are cheap) and are also kept compactly
/// for the pass: the crawl is live, so a key can appear twice; the last sighting wins. When a duplicate
/// changed what was counted, `finishPass` recounts the pass from the kept items once.
public struct MetadumpCensus: Sendable {
    public private(set) var accumulator: CensusAccumulator
    /// The clock TTLs are computed with (from the `stats` read just before the pass).
    public private(set) var clock: MemcachedClock
    /// Sightings of a key already seen in this pass.
    public private(set) var duplicateItems = 0
    /// Lines that were neither an item nor a known reply line.
    public private(set) var malformedLines = 0
    /// Items counted past `maximumKeptItems` (not checked for duplicates).
    public private(set) var untrackedItems = 0
    /// Items kept per pass for the duplicate check (about 60 bytes each); a hostile endless dump stops growing here.
    public static let maximumKeptItems = 1 << 24
    private var duplicatesChangedCounts = false
    private var index: [UInt64: Int32] = [:]
    private var records: [Record] = []
    private var arena: [UInt8] = []

    /// What one item contributed (kept for a recount).
    private struct Record: Sendable, Equatable {
        var keyOffset: Int
        var keyLength: Int
        var pttlMilliseconds: Int64
        var observedAt: Date
        var sizeBytes: Int?
        var fetched: Bool?
    }

    public init(maxFamilies: Int = 200, clock: MemcachedClock) {
        accumulator = CensusAccumulator(db: 0, maxFamilies: maxFamilies, valueProbesPerFamily: 0)
        self.clock = clock
    }

    /// Items counted in this pass (each key once; already expired ones excluded).
    public var items: Int { accumulator.scannedKeys }

    /// Starts a new pass with a fresh server clock; learned families are kept so names stay stable.
    public mutating func startPass(clock: MemcachedClock) {
        self.clock = clock
        accumulator.startNewPass()
        index = [:]
        records = []
        arena = []
        duplicateItems = 0
        malformedLines = 0
        untrackedItems = 0
        duplicatesChangedCounts = false
    }

    /// Switches to another server's clock within the same pass (several servers are walked one after another).
    public mutating func useClock(_ clock: MemcachedClock) {
        self.clock = clock
    }

    /// Makes room for `items` keys in this pass (at most 16 M reserved ahead; more still fit).
    public mutating func reserveCapacity(_ items: Int) {
        let wanted = min(max(0, items), 1 << 24)
        if wanted > index.capacity { index.reserveCapacity(wanted) }
        if wanted > records.capacity { records.reserveCapacity(wanted) }
    }

    /// Counts a line that could not be parsed.
    public mutating func addMalformedLine() {
        malformedLines += 1
    }

    /// Adds one item read at local time `observedAt`.
    public mutating func add(_ item: MetadumpItem, observedAt: Date) {
        let record = Record(keyOffset: arena.count, keyLength: item.key.count,
                            pttlMilliseconds: clock.pttlMilliseconds(expiresAt: item.expiresAt, at: observedAt),
                            observedAt: observedAt, sizeBytes: item.sizeBytes, fetched: item.fetched)
        let fingerprint = Self.fingerprint(item.key)
        if let existing = index[fingerprint] {
            duplicateItems += 1
            var previous = records[Int(existing)]
            let changed = previous.pttlMilliseconds / 1000 != record.pttlMilliseconds / 1000 || previous.sizeBytes != record.sizeBytes
                || previous.fetched != record.fetched
            if changed {
                duplicatesChangedCounts = true
                previous.pttlMilliseconds = record.pttlMilliseconds
                previous.observedAt = record.observedAt
                previous.sizeBytes = record.sizeBytes
                previous.fetched = record.fetched
                records[Int(existing)] = previous
            }
            return
        }
        guard records.count < Self.maximumKeptItems else {
            // Past the bound the pass is counted as it streams, without the duplicate check.
            untrackedItems += 1
            accumulator.addItem(key: item.key, pttlMilliseconds: record.pttlMilliseconds, sizeBytes: record.sizeBytes,
                                fetched: record.fetched, observedAt: observedAt)
            return
        }
        index[fingerprint] = Int32(records.count)
        arena.append(contentsOf: item.key)
        records.append(record)
        accumulator.addItem(key: item.key, pttlMilliseconds: record.pttlMilliseconds, sizeBytes: record.sizeBytes,
                            fetched: record.fetched, observedAt: observedAt)
    }

    /// Ends a complete pass: recounts it from the kept items when a later sighting of a key changed its facts.
    public mutating func finishPass() {
        // With items past the bound the pass cannot be recounted from what was kept: it stands as streamed.
        guard duplicatesChangedCounts, untrackedItems == 0 else { return }
        accumulator.startNewPass()
        for record in records {
            let key = Array(arena[record.keyOffset..<(record.keyOffset + record.keyLength)])
            accumulator.addItem(key: key, pttlMilliseconds: record.pttlMilliseconds, sizeBytes: record.sizeBytes,
                                fetched: record.fetched, observedAt: record.observedAt)
        }
        duplicatesChangedCounts = false
    }

    /// The census so far. `serverItems`: `curr_items` summed over the servers (partial passes scale to it).
    public func report(serverItems: Int, complete: Bool, keysPerSecond: Double, now: Date) -> CensusReport {
        var report = accumulator.report(dbsizeKeys: serverItems, complete: complete, keysPerSecond: keysPerSecond, now: now)
        var notes = report.notes.filter { !$0.contains("between SCAN and PTTL") }
        if accumulator.vanishedKeys > 0 {
            notes.append("\(accumulator.vanishedKeys) items had already expired (memcached reclaims them lazily); they are not counted.")
        }
        if malformedLines > 0 { notes.append("\(malformedLines) metadump lines could not be read and were skipped.") }
        if untrackedItems > 0 {
            notes.append("\(untrackedItems) items past the first \(Self.maximumKeptItems) were counted without the duplicate check.")
        }
        notes.append("Sizes (memory_bytes) are memcached's whole item: key, value and item header.")
        report.notes = notes
        return report
    }

    /// FNV-1a, 64 bits.
    static func fingerprint(_ key: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
