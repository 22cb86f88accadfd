import CachewatchCore
import CachewatchThreads
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One later segment of a large backfill, counted on its own thread (`LogMonitor.countSegments`).
///
/// Reads `range` (whole lines, the first starting with a digit) of an open descriptor in `FileFollower.chunkBytes`
/// chunks with its own line splitter and `LineState` (a `LogLineProcessor.segmentProcessor()`): the same per-line
/// path as the follower's, so its counts are those the source's processor would add for these lines. Keys' families
/// are left unnamed, and the events kept in file order, for the merge to name them in order.
final class BackfillSegment {
    let range: Range<Int64>
    /// The segment's counts and events (read them after `join()`).
    let state: UnsafeMutablePointer<LogMonitor.LineState>
    /// True once the whole range was read, ending with a complete line (after `join()`).
    private(set) var completed = false
    private let descriptor: Int32
    private let shouldStop: () -> Bool
    private let thread: WorkerThread
    private let done = DispatchSemaphore(value: 0)
    private var started = false

    /// A segment of `descriptor`'s `range`, read into `state`; `shouldStop` is polled between chunks.
    init(descriptor: Int32, range: Range<Int64>, state: LogMonitor.LineState, name: String, shouldStop: @escaping () -> Bool) {
        self.descriptor = descriptor
        self.range = range
        self.shouldStop = shouldStop
        self.state = UnsafeMutablePointer<LogMonitor.LineState>.allocate(capacity: 1)
        self.state.initialize(to: state)
        thread = WorkerThread(name: name)
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Starts reading on the segment's thread.
    func start() {
        started = true
        thread.start { [self] in
            completed = read()
            done.signal()
        }
    }

    /// Waits until the segment is read (or stopped early).
    func join() {
        guard started else { return }
        done.wait()
        thread.stop()
        started = false
    }

    /// Reads the range chunk by chunk through the line state; true when all of it was read and no line is left open.
    private func read() -> Bool {
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: FileFollower.chunkBytes)
        defer { buffer.deallocate() }
        var splitter = LineSplitter()
        var offset = range.lowerBound
        let state = self.state
        while offset < range.upperBound, !shouldStop() {
            let wanted = Int(min(Int64(FileFollower.chunkBytes), range.upperBound - offset))
            let count = pread(descriptor, buffer, wanted, off_t(offset))
            guard count > 0 else { break }
            offset += Int64(count)
            let chunk = UnsafeBufferPointer(start: UnsafePointer(buffer), count: count)
            state.pointee.beginChunk(chunk)
            splitter.feed(chunk, emit: { state.pointee.processLine($0, truncated: $1) },
                          emitBlock: { state.pointee.processBlock($0) })
            state.pointee.endChunk()
        }
        return offset == range.upperBound && splitter.pendingByteCount == 0
    }
}
