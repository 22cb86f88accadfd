import Foundation

/// `cachewatch families`: groups keys (one per line, no Redis) into families, offline.
///
/// Input lines are split on `\n` only (keys are binary-safe: a `\r` stays part of the key); empty lines are
/// skipped and counted in `skippedEmptyLines`. Every other line is a key, classified in input order.
public struct FamiliesTable: Sendable {
    /// One table row.
    public struct Row: Equatable, Sendable {
        public var pattern: String
        public var keys: Int
        /// Fraction of all keys, 0…1.
        public var share: Double
    }

    /// Families sorted by keys descending (ties by pattern), at most `maxFamilies`, then `(other)`.
    public private(set) var rows: [Row] = []
    /// Keys read (empty lines excluded).
    public private(set) var totalKeys = 0
    /// Empty input lines that were skipped.
    public private(set) var skippedEmptyLines = 0
    /// Distinct families before capping.
    public private(set) var familyCount = 0

    private let data: [UInt8]
    private var starts: [Int] = []
    private var lengths: [Int32] = []
    private var patternOfKey: [Int32] = []
    private var patterns: [String] = []

    /// Classifies keys given one per line (`redis-cli --scan` output).
    public init(lines data: [UInt8], maxFamilies: Int = 200) {
        self.data = data
        var starts: [Int] = []
        var lengths: [Int32] = []
        var skipped = 0
        data.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var start = 0
            // memchr finds each newline (the byte-by-byte loop was 6 % of `families` on a million keys).
            while start < buffer.count {
                guard let found = memchr(base + start, 0x0A, buffer.count - start) else { break }
                let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if index > start { starts.append(start); lengths.append(Int32(clamping: index - start)) } else { skipped += 1 }
                start = index + 1
            }
            if start < buffer.count { starts.append(start); lengths.append(Int32(clamping: buffer.count - start)) }
        }
        self.starts = starts
        self.lengths = lengths
        skippedEmptyLines = skipped
        classify(maxFamilies: maxFamilies)
    }

    /// Classifies keys given as byte arrays (empty keys are skipped and counted).
    public init(keys: [[UInt8]], maxFamilies: Int = 200) {
        var joined: [UInt8] = []
        joined.reserveCapacity(keys.reduce(0) { $0 + $1.count })
        var skipped = 0
        for key in keys {
            if key.isEmpty { skipped += 1; continue }
            starts.append(joined.count)
            lengths.append(Int32(key.count))
            joined.append(contentsOf: key)
        }
        data = joined
        skippedEmptyLines = skipped
        classify(maxFamilies: maxFamilies)
    }

    private mutating func classify(maxFamilies: Int) {
        var trie = FamilyTrie()
        var ids = [Int32](repeating: 0, count: starts.count)
        data.withUnsafeBufferPointer { buffer in
            for i in 0..<starts.count {
                let key = UnsafeBufferPointer(rebasing: buffer[starts[i]..<(starts[i] + Int(lengths[i]))])
                ids[i] = trie.classify(key)
            }
        }
        // The input is whole: judge small keyspaces' word positions with complete information.
        trie.settle()
        // Intern patterns: family id → pattern index. Families are trie nodes (0..<nodeCount) or the overflow (-1), so
        // they index arrays (slot = id + 1) instead of dictionaries (hashing a million ids was 4 % of `families`).
        for i in ids.indices { ids[i] = trie.canonical(ids[i]) }
        let slots = trie.nodeCount + 1
        @inline(__always) func slot(_ family: Int32) -> Int { Int(family) + 1 }
        var textOfFamily = [String?](repeating: nil, count: slots)
        var texts: [String] = []
        for family in ids where textOfFamily[slot(family)] == nil {
            let text = trie.pattern(of: family)
            textOfFamily[slot(family)] = text
            texts.append(text)
        }
        let final = FamilyTrie.unified(texts)
        var indexOfFamily = [Int32](repeating: -1, count: slots)
        var indexOfPattern: [String: Int32] = [:]
        var counts: [Int] = []
        patternOfKey = ids
        for i in 0..<ids.count {
            let family = slot(ids[i])
            var index = indexOfFamily[family]
            if index < 0 {
                let raw = textOfFamily[family] ?? "(other)"
                let text = final[raw] ?? raw
                if let known = indexOfPattern[text] {
                    index = known
                } else {
                    index = Int32(patterns.count)
                    patterns.append(text)
                    counts.append(0)
                    indexOfPattern[text] = index
                }
                indexOfFamily[family] = index
            }
            patternOfKey[i] = index
            counts[Int(index)] += 1
        }
        totalKeys = ids.count
        familyCount = patterns.count
        var order = Array(patterns.indices).filter { patterns[$0] != "(other)" }
        order.sort { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : patterns[$0] < patterns[$1] }
        var otherKeys = indexOfPattern["(other)"].map { counts[Int($0)] } ?? 0
        if order.count > maxFamilies {
            for index in order[maxFamilies...] { otherKeys += counts[index] }
            order = Array(order[..<maxFamilies])
        }
        let total = Double(max(1, totalKeys))
        rows = order.map { Row(pattern: patterns[$0], keys: counts[$0], share: Double(counts[$0]) / total) }
        if otherKeys > 0 { rows.append(Row(pattern: "(other)", keys: otherKeys, share: Double(otherKeys) / total)) }
    }

    // MARK: - Output

    /// The pattern of the i-th key (input order).
    public func pattern(ofKeyAt index: Int) -> String { patterns[Int(patternOfKey[index])] }

    /// The i-th key, escaped for display.
    public func escapedKey(at index: Int) -> String {
        DisplayEscaper.escape(data[starts[index]..<(starts[index] + Int(lengths[index]))])
    }

    /// The table people read: right-aligned keys and share, then the pattern; a summary line last.
    public func tableText() -> String {
        var out = "     KEYS   SHARE  PATTERN\n"
        for row in rows {
            let keys = String(row.keys)
            let share = String(format: "%.1f%%", row.share * 100)
            out += String(repeating: " ", count: max(0, 9 - keys.count)) + keys
                + String(repeating: " ", count: max(1, 8 - share.count)) + share + "  " + row.pattern + "\n"
        }
        out += "\(totalKeys) keys in \(familyCount) families"
        if skippedEmptyLines > 0 { out += " (\(skippedEmptyLines) empty lines skipped)" }
        return out + "\n"
    }

    /// Calls `emit` with one `key<TAB>pattern` line (no newline) per input key, in input order; the key is
    /// escaped so tabs and newlines inside it cannot break the TSV.
    public func writeTSV(_ emit: (String) -> Void) {
        for i in 0..<starts.count { emit(escapedKey(at: i) + "\t" + pattern(ofKeyAt: i)) }
    }

    /// The same lines as `writeTSV`, as UTF-8 bytes each ending in `\n`, handed over in blocks of about
    /// `blockBytes` (a million keys must not be a million Strings: printable-ASCII keys, which escaping
    /// leaves as they are, are copied byte for byte).
    public func writeTSVBytes(blockBytes: Int = 64 * 1024, _ emit: ([UInt8]) -> Void) {
        let patternBytes = patterns.map { Array($0.utf8) }
        var block: [UInt8] = []
        block.reserveCapacity(blockBytes + 4096)
        data.withUnsafeBufferPointer { buffer in
            for i in 0..<starts.count {
                let key = UnsafeBufferPointer(rebasing: buffer[starts[i]..<(starts[i] + Int(lengths[i]))])
                if key.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x5C }) {
                    block.append(contentsOf: key)
                } else {
                    block.append(contentsOf: DisplayEscaper.escape(key).utf8)
                }
                block.append(0x09)
                block.append(contentsOf: patternBytes[Int(patternOfKey[i])])
                block.append(0x0A)
                if block.count >= blockBytes {
                    emit(block)
                    block.removeAll(keepingCapacity: true)
                }
            }
        }
        if !block.isEmpty { emit(block) }
    }
}
