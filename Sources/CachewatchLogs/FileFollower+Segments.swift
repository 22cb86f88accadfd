import CachewatchCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Where a large backfill is cut into segments counted in parallel (`FileFollower.countSegments`).
extension FileFollower {
    /// The bounds of up to `count` segments of `[start, size)`: `[start, s1, …, end]`, every bound after `start` the
    /// start of a line that begins with a digit, `end` the end of the last complete line (nothing after a last newline).
    ///
    /// A cut before a line that starts with a digit leaves nothing to carry over: such a line is never a traceback
    /// continuation and ends any traceback, and no line is split. Each cut is the first such line start at or after an
    /// even share of the range (looked for in 64 KiB); a share without one is not cut. Fewer than 3 bounds: no split.
    static func segmentBounds(descriptor: Int32, from start: Int64, to size: Int64, count: Int) -> [Int64] {
        guard count > 1, size > start, let end = lastLineEnd(descriptor: descriptor, from: start, to: size) else { return [start] }
        var bounds = [start]
        for index in 1..<count {
            let nominal = start + (end - start) / Int64(count) * Int64(index)
            guard let cut = digitLineStart(descriptor: descriptor, atOrAfter: nominal, before: end),
                  let previous = bounds.last, cut > previous else { continue }
            bounds.append(cut)
        }
        bounds.append(end)
        return bounds.count >= 3 ? bounds : [start]
    }

    /// The offset just after the last newline in `[start, size)`, looked for in the last 64 KiB (nil: none there).
    static func lastLineEnd(descriptor: Int32, from start: Int64, to size: Int64) -> Int64? {
        let from = max(start, size - probeBytes)
        return withProbe(descriptor: descriptor, at: from, length: Int(size - from)) { bytes in
            bytes.lastIndex(of: 0x0A).map { from + Int64($0) + 1 }
        }
    }

    /// The first line start at or after `offset` and before `end` whose first byte is a digit (looked for in 64 KiB).
    static func digitLineStart(descriptor: Int32, atOrAfter offset: Int64, before end: Int64) -> Int64? {
        guard offset > 0, offset < end else { return nil }
        // From the byte before `offset`: a newline there makes `offset` itself a line start.
        let from = offset - 1
        return withProbe(descriptor: descriptor, at: from, length: Int(min(probeBytes, end - from))) { bytes in
            var index = 0
            while index + 1 < bytes.count {
                guard let newline = bytes[index...].firstIndex(of: 0x0A), newline + 1 < bytes.count else { return nil }
                if (0x30...0x39).contains(bytes[newline + 1]) { return from + Int64(newline) + 1 }
                index = newline + 1
            }
            return nil
        }
    }

    /// Reads up to `length` bytes at `offset` into a temporary buffer and hands what was read to `body`.
    private static func withProbe<T>(descriptor: Int32, at offset: Int64, length: Int,
                                     _ body: (UnsafeBufferPointer<UInt8>) -> T?) -> T? {
        guard length > 0 else { return nil }
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: length)
        defer { buffer.deallocate() }
        let count = pread(descriptor, buffer, length, off_t(offset))
        guard count > 0 else { return nil }
        return body(UnsafeBufferPointer(start: buffer, count: count))
    }
}
