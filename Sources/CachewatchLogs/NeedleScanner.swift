import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Finds a needle (the fail-open prefixes' common start, `Cache `) across a whole chunk with memmem,
/// so that lines without it skip the parser's message search.
///
/// Lines that do not lie inside the current chunk (assembled from pieces) always "may contain" it.
struct NeedleScanner {
    let needle: [UInt8]
    private var chunkStart: UnsafePointer<UInt8>?
    private var chunkEnd: UnsafePointer<UInt8>?
    private var next: UnsafePointer<UInt8>?

    init(needle: [UInt8]) {
        self.needle = needle
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
    }

    /// Forgets the chunk (its bytes may be freed or reused): until the next `begin`, every line may contain it.
    mutating func end() {
        chunkStart = nil
        chunkEnd = nil
        next = nil
    }

    /// False only when the line certainly does not contain the needle.
    mutating func mayContain(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let start = line.baseAddress, let chunkStart, let chunkEnd,
              start >= chunkStart, start + line.count <= chunkEnd else { return true }
        if let found = next, found < start { next = find(from: start) }
        guard let found = next else { return false }
        return found < start + line.count
    }

    /// The first occurrence starting at or after `start` in the current chunk (nil: none, or no chunk).
    ///
    /// A line from `lineStart` to its newline contains the needle exactly when
    /// `firstOccurrence(from: lineStart)` is before the newline, which is `mayContain`'s answer.
    func firstOccurrence(from start: UnsafePointer<UInt8>) -> UnsafePointer<UInt8>? {
        guard chunkStart != nil else { return nil }
        return find(from: start)
    }

    private func find(from start: UnsafePointer<UInt8>) -> UnsafePointer<UInt8>? {
        guard let chunkEnd else { return nil }
        let first = Int32(needle[0])
        var cursor = start
        return needle.withUnsafeBytes { raw -> UnsafePointer<UInt8>? in
            while chunkEnd - cursor >= needle.count {
                guard let hit = memchr(cursor, first, chunkEnd - cursor) else { return nil }
                let candidate = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self))
                guard chunkEnd - candidate >= needle.count else { return nil }
                if memcmp(candidate, raw.baseAddress!, needle.count) == 0 { return candidate }
                cursor = candidate + 1
            }
            return nil
        }
    }
}
