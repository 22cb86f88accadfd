import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Cuts a byte stream into lines: newline-terminated, at most `maximumLineBytes` each.
///
/// A longer line is delivered cut to the limit and flagged `truncated`; the rest of it is skipped
/// up to its newline, and the following lines are delivered normally. A last line without its
/// newline waits in `pending` until the newline comes (or `flush` is called at the end of a file).
/// NUL bytes and invalid UTF-8 are ordinary bytes here.
public struct LineSplitter {
    /// The longest line delivered whole (1 MiB).
    public static let defaultMaximumLineBytes = 1 << 20

    public let maximumLineBytes: Int
    private var pending: [UInt8] = []
    private var skippingRestOfLongLine = false

    public init(maximumLineBytes: Int = LineSplitter.defaultMaximumLineBytes) {
        self.maximumLineBytes = maximumLineBytes
    }

    /// Bytes of an unfinished last line waiting for their newline.
    public var pendingByteCount: Int { pending.count }

    /// Feeds bytes; `emit(line, truncated)` is called for each complete (or cut) line, without the newline.
    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, emit: (UnsafeBufferPointer<UInt8>, Bool) -> Void) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        var start = 0
        let count = chunk.count
        while start < count {
            let found = memchr(base + start, 0x0A, count - start)
            guard let newlinePointer = found?.assumingMemoryBound(to: UInt8.self) else {
                keepPartial(UnsafeBufferPointer(start: base + start, count: count - start), emit: emit)
                return
            }
            let newline = UnsafePointer(newlinePointer) - base
            if skippingRestOfLongLine {
                skippingRestOfLongLine = false
            } else if !pending.isEmpty {
                let piece = UnsafeBufferPointer(start: base + start, count: newline - start)
                let room = maximumLineBytes - pending.count
                let wasCut = piece.count > room
                pending.append(contentsOf: wasCut ? UnsafeBufferPointer(rebasing: piece[0..<max(0, room)]) : piece)
                pending.withUnsafeBufferPointer { emit($0, wasCut) }
                pending.removeAll(keepingCapacity: pending.capacity <= 65_536)
            } else {
                let length = newline - start
                if length > maximumLineBytes {
                    emit(UnsafeBufferPointer(start: base + start, count: maximumLineBytes), true)
                } else {
                    emit(UnsafeBufferPointer(start: base + start, count: length), false)
                }
            }
            start = newline + 1
        }
    }

    /// Delivers an unfinished last line (end of a rotated file, end of stdin), if any.
    public mutating func flush(emit: (UnsafeBufferPointer<UInt8>, Bool) -> Void) {
        skippingRestOfLongLine = false
        guard !pending.isEmpty else { return }
        pending.withUnsafeBufferPointer { emit($0, false) }
        pending.removeAll()
    }

    /// Forgets an unfinished line without delivering it.
    public mutating func reset() {
        pending.removeAll()
        skippingRestOfLongLine = false
    }

    private mutating func keepPartial(_ rest: UnsafeBufferPointer<UInt8>, emit: (UnsafeBufferPointer<UInt8>, Bool) -> Void) {
        if skippingRestOfLongLine { return }
        let room = maximumLineBytes - pending.count
        if rest.count > room {
            pending.append(contentsOf: UnsafeBufferPointer(rebasing: rest[0..<room]))
            pending.withUnsafeBufferPointer { emit($0, true) }
            pending.removeAll()
            skippingRestOfLongLine = true
        } else {
            pending.append(contentsOf: rest)
        }
    }
}
