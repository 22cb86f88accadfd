import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Finds a needle (the fail-open prefixes' common start, `Cache `) across a whole chunk with memmem,
/// so that lines without it skip the parser's message search.
///
/// Lines that do not lie inside the current chunk (assembled from pieces) always "may contain" it.
///
/// The search runs memchr on the needle's rarest byte in log text (`anchor`), not its first: the deletion needle
/// `pattern-based deletion` starts with a `p`, which stops memchr several times per line (`api`, `page`), each stop
/// a memcmp; its `b` rarely does. Where the last search started and what it found are kept, so the chunk-wide
/// search `begin` does is not repeated by the first `firstOccurrence` of the same chunk.
struct NeedleScanner {
    let needle: [UInt8]
    /// The index in `needle` of the byte memchr looks for.
    private(set) var anchor: Int
    private var chunkStart: UnsafePointer<UInt8>?
    private var chunkEnd: UnsafePointer<UInt8>?
    private var next: UnsafePointer<UInt8>?
    /// Where the search that found `next` started (`next` is the first occurrence at or after it).
    private var searchedFrom: UnsafePointer<UInt8>?

    init(needle: [UInt8]) {
        self.needle = needle
        anchor = Self.rarestIndex(needle)
    }

    /// The index of the byte least likely in log lines (ties: the first): upper-case letters and rare
    /// lower-case letters before common ones; digits, spaces and the punctuation of timestamps and levels last.
    static func rarestIndex(_ needle: [UInt8]) -> Int {
        var best = 0
        for index in needle.indices where commonness(needle[index]) < commonness(needle[best]) { best = index }
        return best
    }

    /// How common a byte is in log lines by guess (English letter frequencies per mille × 10 for lower-case letters).
    static func commonness(_ byte: UInt8) -> Int {
        // English letter frequencies (per mille, a…z), rounded.
        let lowercase: [Int] = [82, 15, 28, 43, 127, 22, 20, 61, 70, 2, 8, 40, 24, 67, 75, 19, 1, 60, 63, 91, 28, 10, 24, 2, 20, 1]
        switch byte {
        case 0x61...0x7A: return lowercase[Int(byte - 0x61)] * 10
        case 0x41...0x5A: return 5
        case 0x30...0x39, 0x20, 0x2D, 0x3A, 0x2E, 0x2C, 0x5B, 0x5D, 0x2F, 0x3D, 0x22, 0x7B, 0x7D: return 2000
        default: return 50
        }
    }

    /// How often each byte value occurs in `sample` (256 counts).
    static func byteCounts(of sample: UnsafeBufferPointer<UInt8>) -> [Int] {
        var counts = [Int](repeating: 0, count: 256)
        counts.withUnsafeMutableBufferPointer { table in
            for byte in sample { table[Int(byte)] += 1 }
        }
        return counts
    }

    /// Re-chooses the anchor from the bytes' counts in a sample of the text being searched (`byteCounts`): the
    /// needle's byte seen least there (ties: the guessed order of `rarestIndex`). A guess can be wrong for a given
    /// log (the `b` of `pattern-based deletion` is in every `Database …` line): the text itself says which is rare.
    /// The occurrences found do not depend on the anchor, only the time spent.
    mutating func calibrate(counts: [Int]) {
        guard counts.count == 256, !needle.isEmpty else { return }
        func score(_ index: Int) -> (Int, Int) { (counts[Int(needle[index])], Self.commonness(needle[index])) }
        var best = 0
        for index in needle.indices where score(index) < score(best) { best = index }
        anchor = best
    }

    /// Starts a new chunk (its bytes must stay valid while its lines are asked about).
    mutating func begin(_ chunk: UnsafeBufferPointer<UInt8>) {
        guard let base = chunk.baseAddress, !needle.isEmpty else {
            chunkStart = nil
            return
        }
        chunkStart = base
        chunkEnd = base + chunk.count
        next = find(from: base)
        searchedFrom = base
    }

    /// Forgets the chunk (its bytes may be freed or reused): until the next `begin`, every line may contain it.
    mutating func end() {
        chunkStart = nil
        chunkEnd = nil
        next = nil
        searchedFrom = nil
    }

    /// False only when the line certainly does not contain the needle.
    mutating func mayContain(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let start = line.baseAddress, let chunkStart, let chunkEnd,
              start >= chunkStart, start + line.count <= chunkEnd else { return true }
        if let found = next, found < start {
            next = find(from: start)
            searchedFrom = start
        }
        guard let found = next else { return false }
        return found < start + line.count
    }

    /// The first occurrence starting at or after `start` in the current chunk (nil: none, or no chunk).
    ///
    /// A line from `lineStart` to its newline contains the needle exactly when
    /// `firstOccurrence(from: lineStart)` is before the newline, which is `mayContain`'s answer.
    func firstOccurrence(from start: UnsafePointer<UInt8>) -> UnsafePointer<UInt8>? {
        guard chunkStart != nil else { return nil }
        // The last search's answer holds for any later start up to what it found (or to the end, when nothing).
        if let searchedFrom, start >= searchedFrom, next.map({ $0 >= start }) ?? true { return next }
        return find(from: start)
    }

    /// Candidates come in increasing order (the anchor byte's positions, each minus `anchor`), so the first that
    /// matches is the first occurrence at or after `start`.
    private func find(from start: UnsafePointer<UInt8>) -> UnsafePointer<UInt8>? {
        guard let chunkEnd, chunkEnd - start >= needle.count else { return nil }
        let anchorByte = Int32(needle[anchor])
        let anchor = self.anchor
        let tailAfterAnchor = needle.count - anchor
        // One more byte is compared in place before memcmp: most false stops end there, without a call.
        let checked = anchor + 1 < needle.count ? anchor + 1 : (anchor > 0 ? anchor - 1 : anchor)
        let checkedByte = needle[checked]
        var cursor = start + anchor
        return needle.withUnsafeBytes { raw -> UnsafePointer<UInt8>? in
            while chunkEnd - cursor >= tailAfterAnchor {
                guard let hit = memchr(cursor, anchorByte, chunkEnd - cursor) else { return nil }
                let anchorAt = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self))
                guard chunkEnd - anchorAt >= tailAfterAnchor else { return nil }
                let candidate = anchorAt - anchor
                if candidate[checked] == checkedByte, memcmp(candidate, raw.baseAddress!, needle.count) == 0 { return candidate }
                cursor = anchorAt + 1
            }
            return nil
        }
    }
}
