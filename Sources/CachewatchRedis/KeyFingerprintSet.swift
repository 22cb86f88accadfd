/// A bounded set of 64-bit key fingerprints (FNV-1a), used to skip keys SCAN returns twice
/// within one pass. Open addressing, 8 bytes a slot; once `maxSlots` would be exceeded it stops
/// remembering new keys (duplicates beyond that are counted twice — documented, and rare:
/// SCAN repeats keys only while the server rehashes).
struct KeyFingerprintSet {
    private var slots: [UInt64]
    private var mask: Int
    private(set) var count = 0
    let maxSlots: Int
    /// Where the early reads of `insertNew` go, so the optimiser keeps them.
    private(set) var probeSink: UInt64 = 0

    /// `maxSlots` (a power of two) bounds memory: 1 << 21 slots = 16 MB, enough to dedupe 1 M keys.
    init(initialSlots: Int = 1 << 12, maxSlots: Int = 1 << 21) {
        slots = Array(repeating: 0, count: initialSlots)
        mask = initialSlots - 1
        self.maxSlots = maxSlots
    }

    /// True when the key was not seen before in this set (it is now remembered, if there is room).
    mutating func insert(_ key: [UInt8]) -> Bool {
        insert(fingerprint: Self.fingerprint(key))
    }

    /// The keys of `keys` not seen before, in order (each now remembered, if there is room). The table's slots for
    /// the whole page are read once before any insert: on a big table each is a cache miss, and independent loads
    /// overlap instead of waiting for one another.
    mutating func insertNew(_ keys: [[UInt8]]) -> [[UInt8]] {
        let fingerprints = keys.map(Self.fingerprint)
        while (count + fingerprints.count) * 2 > slots.count, slots.count * 2 <= maxSlots { grow() }
        var touched: UInt64 = 0
        slots.withUnsafeBufferPointer { buffer in
            for hash in fingerprints { touched |= buffer[Int(truncatingIfNeeded: hash) & mask] }
        }
        var fresh: [[UInt8]] = []
        fresh.reserveCapacity(keys.count)
        probeSink = touched
        for (key, hash) in zip(keys, fingerprints) where insert(fingerprint: hash) { fresh.append(key) }
        return fresh
    }

    /// FNV-1a of the key's bytes, mixed with its length (never 0: 0 marks an empty slot).
    static func fingerprint(_ key: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        key.withUnsafeBufferPointer { bytes in
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        hash ^= UInt64(key.count) &* 0x9e37_79b9_7f4a_7c15
        return hash == 0 ? 1 : hash
    }

    /// Inserts one fingerprint with a single probe sequence; true when it was not there.
    private mutating func insert(fingerprint hash: UInt64) -> Bool {
        if (count + 1) * 2 > slots.count, slots.count * 2 <= maxSlots { grow() }
        let mask = self.mask
        let free: Int? = slots.withUnsafeBufferPointer { buffer in
            var index = Int(truncatingIfNeeded: hash) & mask
            while true {
                let slot = buffer[index]
                if slot == hash { return nil }
                if slot == 0 { return index }
                index = (index + 1) & mask
            }
        }
        guard let free else { return false }
        // Full (at `maxSlots`, half used): new keys are no longer remembered.
        guard (count + 1) * 2 <= slots.count else { return true }
        slots[free] = hash
        count += 1
        return true
    }

    private mutating func place(_ hash: UInt64) {
        var index = Int(truncatingIfNeeded: hash) & mask
        while slots[index] != 0 { index = (index + 1) & mask }
        slots[index] = hash
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        for hash in old where hash != 0 { place(hash) }
    }
}
