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

    /// Feeds bytes, handing the chunk's middle to `emitBlock` in one piece instead of line by line.
    ///
    /// `emitBlock` gets a run of complete lines, each ending with its newline, all shorter than
    /// `maximumLineBytes` (so none is truncated), lying inside `chunk`. The first line (which may
    /// finish `pending`), the unfinished tail and a middle too long to rule out a cut line go to
    /// `emit` exactly as `feed(_:emit:)` would deliver them; the lines and their order are the same.
    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, emit: (UnsafeBufferPointer<UInt8>, Bool) -> Void,
                              emitBlock: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        let count = chunk.count
        var start = 0
        if skippingRestOfLongLine || !pending.isEmpty {
            // The first newline ends a line begun in an earlier chunk.
            guard let found = memchr(base, 0x0A, count) else { return feed(chunk, emit: emit) }
            start = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - base + 1
            feed(UnsafeBufferPointer(rebasing: chunk[0..<start]), emit: emit)
        }
        // The block ends after the chunk's last newline (found from the end: the tail is under a line).
        var end = count
        while end > start, base[end - 1] != 0x0A { end -= 1 }
        if end > start {
            let block = UnsafeBufferPointer(rebasing: chunk[start..<end])
            if block.count <= maximumLineBytes {
                emitBlock(block)
            } else {
                feed(block, emit: emit)
            }
        }
        if end < count { feed(UnsafeBufferPointer(rebasing: chunk[end..<count]), emit: emit) }
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
