/// A bounded set of 64-bit key fingerprints (FNV-1a), used to skip keys SCAN returns twice
/// within one pass. Open addressing, 8 bytes a slot; once `maxSlots` would be exceeded it stops
/// remembering new keys (duplicates beyond that are counted twice — documented, and rare:
/// SCAN repeats keys only while the server rehashes).
struct KeyFingerprintSet {
    private var slots: [UInt64]
    private var mask: Int
    private(set) var count = 0
    let maxSlots: Int

    /// `maxSlots` (a power of two) bounds memory: 1 << 21 slots = 16 MB, enough to dedupe 1 M keys.
    init(initialSlots: Int = 1 << 12, maxSlots: Int = 1 << 21) {
        slots = Array(repeating: 0, count: initialSlots)
        mask = initialSlots - 1
        self.maxSlots = maxSlots
    }

    /// True when the key was not seen before in this set (it is now remembered, if there is room).
    mutating func insert(_ key: [UInt8]) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        hash ^= UInt64(key.count) &* 0x9e37_79b9_7f4a_7c15
        if hash == 0 { hash = 1 }
        if contains(hash) { return false }
        if (count + 1) * 2 > slots.count {
            guard slots.count * 2 <= maxSlots else { return true }
            grow()
        }
        place(hash)
        count += 1
        return true
    }

    private func contains(_ hash: UInt64) -> Bool {
        var index = Int(truncatingIfNeeded: hash) & mask
        while slots[index] != 0 {
            if slots[index] == hash { return true }
            index = (index + 1) & mask
        }
        return false
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
