/// The family trie's literal edges by (node, signature hash), all nodes in one open-addressing table: a `Dictionary`
/// per node hashed every key segment with SipHash (about 8 % of `families` on a million keys).
///
/// It holds edge ids only; `FamilyTrie` checks an entry against the edge itself (`indexed`, parent, hash, delimiter,
/// signature), so an edge that moved to another node or was folded into a `{str}` group simply stops matching under
/// its old node, and no removal is needed. Stale entries are dropped when the table grows: it is then rebuilt from
/// the edges still `indexed`.
struct EdgeIndex: Sendable {
    private var slots: [Int32]
    private var keys: [UInt64]
    private var filled = 0
    /// Mixed into every key, random per table unless given: key names chosen to pile up in one probe run (the
    /// signature hash is FNV, not keyed) cannot be prepared in advance. Lookups never depend on probe order, so the
    /// families do not depend on it either.
    let seed: UInt64

    /// An empty table of `capacity` slots (rounded up to a power of two, at least 64).
    init(capacity: Int = 1024, seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
        self.seed = seed
        var size = 64
        while size < capacity, size < 1 << 40 { size <<= 1 }
        slots = Array(repeating: -1, count: size)
        keys = Array(repeating: 0, count: size)
    }

    /// Slots in the table.
    var capacity: Int { slots.count }
    /// True when one more entry would fill more than half the table (the owner rebuilds it larger).
    var needsGrowth: Bool { (filled + 1) * 2 > slots.count }

    /// The key an edge of `node` with signature hash `hash` is filed under.
    @inline(__always) func key(node: Int32, hash: UInt64) -> UInt64 {
        (hash ^ seed) ^ (UInt64(UInt32(bitPattern: node)) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Where probing for `key` starts.
    @inline(__always) func firstSlot(_ key: UInt64) -> Int {
        var x = key
        x ^= x >> 33
        x &*= 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        return Int(truncatingIfNeeded: x) & (slots.count - 1)
    }

    /// The slot after `slot` (linear probing).
    @inline(__always) func nextSlot(_ slot: Int) -> Int { (slot + 1) & (slots.count - 1) }

    /// The edge in `slot` (-1: empty, the end of a probe).
    @inline(__always) func edge(at slot: Int) -> Int32 { slots[slot] }

    /// The key of the entry in `slot`.
    @inline(__always) func key(at slot: Int) -> UInt64 { keys[slot] }

    /// Files `edge` under `key` (the owner checks `needsGrowth` first).
    mutating func insert(_ edge: Int32, key: UInt64) {
        var slot = firstSlot(key)
        while slots[slot] >= 0 { slot = nextSlot(slot) }
        slots[slot] = edge
        keys[slot] = key
        filled += 1
    }
}
