import CachewatchCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Follows one path like `tail -F`, driven by `poll` calls (no file-watching API; stat polling).
///
/// - Start: `.backfill` reads the last `backfillSeconds` from the end (64 KiB probes stepping back
///   from the end, then a binary search; an untimed file gets a bounded 1 MiB tail), `.fromStart`
///   reads from offset 0 (a file that appears later, or is recreated), `.fromOffset` continues a file
///   already read under another name.
/// - Rename rotation / delete: the old file is finished through its open descriptor, then the new
///   file at the path is read from offset 0. Copytruncate (size below our offset): restart at 0.
/// - Reading: 64 KiB chunks into one buffer, on the poll thread: small enough that the kernel's copy and the
///   scan stay in the CPU's cache. (Reading 1 MiB chunks ahead on another thread cost more in the copy and in
///   waking threads per chunk than the overlap saved.) A timed backfill of `parallelMinimumBytes` or more is cut
///   into up to `backfillSegmentLimit` segments (`segmentBounds`): the owner counts the later ones on other threads
///   (`Callbacks.countSegments`) while the poll thread reads the first, and merges them in file order.
/// - Missing: status `missing`, waits. Permission denied: status `unreadable` with a sentence.
/// - Limits: a copytruncate whose file grows back past our offset between two polls (≤ 250 ms) is not
///   noticed (as with `tail -F`); a file shorter than one probe is simply read whole.
public final class FileFollower {
    /// Where reading starts when the file is opened.
    public enum Start: Equatable {
        case backfill
        case fromStart
        case fromOffset(Int64)
    }

    /// The follower's state for `logs.sources[].status`.
    public enum Status: Equatable {
        case following
        case missing(String)
        case unreadable(String)
    }

    /// What the follower tells its owner while reading.
    public struct Callbacks {
        /// A line (without newline) and whether it was cut at the line limit.
        public var line: (UnsafeBufferPointer<UInt8>, Bool) -> Void
        /// A backfill begins: skip lines older than `cutoff` (nil: the tail is untimed).
        public var backfillBegins: (_ cutoff: Date?) -> Void
        /// Backfill done; what follows is live.
        public var backfillEnds: () -> Void
        /// A chunk of lines was delivered (a good moment to publish counts).
        public var chunkDone: () -> Void
        /// Raw bytes are about to be split into lines (for a chunk-wide prefilter).
        public var chunkBegins: (UnsafeBufferPointer<UInt8>) -> Void
        /// When set, runs of complete lines inside a chunk come here in one piece (each line ends with
        /// its newline; none is truncated) instead of one `line` call each (`LineSplitter.feed(_:emit:emitBlock:)`).
        public var lines: ((UnsafeBufferPointer<UInt8>) -> Void)?
        /// When set, a large timed backfill is split (see `backfillSegments`): this starts counting the later segments
        /// (byte ranges of whole lines, in file order) of the open descriptor elsewhere, while the follower reads the
        /// first one through the callbacks above. It returns `finish(apply)`, which waits for them and, when `apply`
        /// (the first segment was read to its end) and the results can be merged exactly, merges them into the
        /// source's state in file order and returns true; false: the follower reads those ranges itself.
        public var countSegments: ((_ descriptor: Int32, _ segments: [Range<Int64>]) -> (_ apply: Bool) -> Bool)?

        public init(line: @escaping (UnsafeBufferPointer<UInt8>, Bool) -> Void,
                    backfillBegins: @escaping (Date?) -> Void = { _ in }, backfillEnds: @escaping () -> Void = {},
                    chunkDone: @escaping () -> Void = {},
                    chunkBegins: @escaping (UnsafeBufferPointer<UInt8>) -> Void = { _ in },
                    lines: ((UnsafeBufferPointer<UInt8>) -> Void)? = nil,
                    countSegments: ((Int32, [Range<Int64>]) -> (Bool) -> Bool)? = nil) {
            self.line = line
            self.lines = lines
            self.countSegments = countSegments
            self.chunkBegins = chunkBegins
            self.backfillBegins = backfillBegins
            self.backfillEnds = backfillEnds
            self.chunkDone = chunkDone
        }
    }

    /// Device and inode: a file's identity across renames.
    public struct FileIdentity: Hashable {
        public var device: UInt64
        public var inode: UInt64
    }

    /// Bytes read at a time: small enough that the copy out of the page cache and the scan of it stay in the CPU's
    /// cache (1 MiB chunks spent more time in the kernel's copy than in counting the lines); the buffer also holds
    /// one backfill probe (`probeBytes`).
    public static let chunkBytes = 64 << 10
    /// The backfill's search steps back from the end in multiples of this, and narrows the crossing to within it.
    static let searchStepBytes: Int64 = 1 << 20
    /// How much of an untimed (plain) file the backfill reads, at most.
    public static let untimedTailBytes: Int64 = 1 << 20

    public let path: String
    public let backfillSeconds: Double
    public let timeZone: TimeZone
    public private(set) var status: Status
    /// Bytes read from disk so far (backward scan included).
    public private(set) var bytesRead: Int64 = 0
    /// The identity of the open file, if any.
    public private(set) var identity: FileIdentity?
    /// Offset reached in the open file.
    public private(set) var offset: Int64 = 0
    /// Called when a file's identity is first opened, to learn where to start in it (rotation dedupe).
    public var startOverride: ((FileIdentity) -> Start?)?
    /// Called whenever the offset in a file advances (so other followers can continue from it).
    public var offsetReached: ((FileIdentity, Int64) -> Void)?
    /// Called when the open file turns out to be deleted (its identity may be reused).
    public var identityGone: ((FileIdentity) -> Void)?
    /// Polled between chunks: reading stops early when it returns true.
    public var shouldStop: () -> Bool = { false }
    /// A timed backfill of at least this many bytes is split into segments counted in parallel (`countSegments`).
    public var parallelMinimumBytes: Int64 = FileFollower.defaultParallelMinimumBytes
    /// At most this many segments (1: never split).
    public var backfillSegmentLimit = FileFollower.defaultBackfillSegmentLimit
    /// 32 MiB: below it, starting threads costs more than they save.
    public static let defaultParallelMinimumBytes: Int64 = 32 << 20
    /// One segment per processor, at most 4.
    public static let defaultBackfillSegmentLimit = min(4, max(1, ProcessInfo.processInfo.activeProcessorCount))

    private var nextStart: Start
    private var fd: Int32 = -1
    private var splitter = LineSplitter()
    private var buffer: UnsafeMutablePointer<UInt8>

    /// Creates a follower; nothing is opened before the first `poll`.
    public init(path: String, start: Start = .backfill, backfillSeconds: Double = 900, timeZone: TimeZone = .current) {
        self.path = path
        self.nextStart = start
        self.backfillSeconds = backfillSeconds
        self.timeZone = timeZone
        self.status = .missing("\(DisplayEscaper.escape(path)) does not exist yet; waiting for it.")
        buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(Self.chunkBytes, Int(Self.probeBytes)))
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
        buffer.deallocate()
    }

    /// Closes the file (the follower can poll again later and reopens from offset 0).
    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        identity = nil
    }

    // MARK: - Polling

    /// Checks the path and reads whatever is new; `now` is the backfill's reference time.
    public func poll(now: Date, callbacks: Callbacks) {
        if fd < 0 {
            guard open(now: now, callbacks: callbacks) else { return }
        } else {
            var pathStat = stat()
            if stat(path, &pathStat) != 0 {
                let code = errno
                if code == ENOENT || code == ENOTDIR {
                    // Deleted or renamed away: finish the old file, then wait for a new one.
                    finishOldFile(callbacks)
                    status = .missing("\(DisplayEscaper.escape(path)) was removed; waiting for it to come back.")
                    nextStart = .fromStart
                    return
                }
            } else if Self.identity(of: pathStat) != identity {
                // Rename rotation or delete + recreate: finish the old file, continue on the new one.
                finishOldFile(callbacks)
                nextStart = .fromStart
                guard open(now: now, callbacks: callbacks) else { return }
            }
        }
        var fileStat = stat()
        guard fstat(fd, &fileStat) == 0 else { return }
        if Int64(fileStat.st_size) < offset {
            // Copytruncate: the file shrank below what we read; start again at 0.
            splitter.flush(emit: callbacks.line)
            offset = 0
        }
        readToEnd(callbacks)
    }

    private func finishOldFile(_ callbacks: Callbacks) {
        readToEnd(callbacks)
        splitter.flush(emit: callbacks.line)
        callbacks.chunkDone()
        var fileStat = stat()
        if let identity, fstat(fd, &fileStat) == 0, fileStat.st_nlink == 0 {
            // Deleted: once closed, its inode number may be reused by an unrelated new file.
            identityGone?(identity)
        }
        close()
    }

    /// Opens the path; false (with a status) when it cannot.
    private func open(now: Date, callbacks: Callbacks) -> Bool {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            let code = errno
            let shown = DisplayEscaper.escape(path)
            switch code {
            case ENOENT, ENOTDIR:
                // A file that appears later is new: it is read from its start.
                nextStart = .fromStart
                if case .missing = status {} else { status = .missing("\(shown) does not exist yet; waiting for it.") }
            case EACCES, EPERM:
                status = .unreadable("Permission denied reading \(shown); run cachewatch as a user who may read it.")
            default:
                status = .unreadable("Cannot open \(shown): \(String(cString: strerror(code))).")
            }
            return false
        }
        var fileStat = stat()
        guard fstat(descriptor, &fileStat) == 0 else {
            Glibc.close(descriptor)
            return false
        }
        if (fileStat.st_mode & S_IFMT) == S_IFDIR {
            Glibc.close(descriptor)
            status = .unreadable("\(DisplayEscaper.escape(path)) is a directory, not a log file.")
            return false
        }
        fd = descriptor
        let fileIdentity = Self.identity(of: fileStat)
        identity = fileIdentity
        status = .following
        splitter.reset()
        var start = nextStart
        if let override = startOverride?(fileIdentity) { start = override }
        nextStart = .fromStart
        switch start {
        case .fromStart:
            offset = 0
        case let .fromOffset(known):
            offset = min(known, Int64(fileStat.st_size))
        case .backfill:
            let cutoff = now.addingTimeInterval(-backfillSeconds)
            let (startOffset, timed) = backfillStart(size: Int64(fileStat.st_size), cutoff: cutoff)
            offset = startOffset
            callbacks.backfillBegins(timed ? cutoff : nil)
            if timed { readSegmented(size: Int64(fileStat.st_size), callbacks) }
            readToEnd(callbacks)
            callbacks.backfillEnds()
        }
        return true
    }

    // MARK: - Reading

    /// Reads the backfill from `offset` in segments when it is large: the later segments are counted through
    /// `countSegments` while this thread reads the first; once merged, reading continues after the last one.
    private func readSegmented(size: Int64, _ callbacks: Callbacks) {
        guard let countSegments = callbacks.countSegments, backfillSegmentLimit > 1, size - offset >= parallelMinimumBytes,
              fd >= 0, !shouldStop() else { return }
        let bounds = Self.segmentBounds(descriptor: fd, from: offset, to: size, count: backfillSegmentLimit)
        guard bounds.count >= 3 else { return }
        let later = (1..<(bounds.count - 1)).map { bounds[$0]..<bounds[$0 + 1] }
        let finish = countSegments(fd, later)
        readToEnd(callbacks, limit: bounds[1])
        let firstDone = offset == bounds[1] && splitter.pendingByteCount == 0
        guard finish(firstDone), let last = bounds.last else { return }
        bytesRead += last - bounds[1]
        offset = last
        if let identity { offsetReached?(identity, offset) }
    }

    /// Reads chunks from `offset` to the end of the file (or to `limit`).
    private func readToEnd(_ callbacks: Callbacks, limit: Int64? = nil) {
        guard fd >= 0, !shouldStop() else { return }
        while true {
            let wanted = limit.map { Int(max(0, min(Int64(Self.chunkBytes), $0 - offset))) } ?? Self.chunkBytes
            guard wanted > 0 else { break }
            let count = pread(fd, buffer, wanted, off_t(offset))
            guard count > 0 else { break }
            bytesRead += Int64(count)
            offset += Int64(count)
            let chunk = UnsafeBufferPointer(start: UnsafePointer(buffer), count: count)
            callbacks.chunkBegins(chunk)
            if let lines = callbacks.lines {
                splitter.feed(chunk, emit: callbacks.line, emitBlock: lines)
            } else {
                splitter.feed(chunk, emit: callbacks.line)
            }
            callbacks.chunkDone()
            if let identity { offsetReached?(identity, offset) }
            // A short chunk is the end of what the file holds now.
            guard count == wanted, !shouldStop() else { break }
        }
    }

    /// Finds where the backfill starts, reading only small probes from the end of the file.
    ///
    /// The last 64 KiB decide whether the file has timestamps. Untimed: the start of the last
    /// 1 MiB (a bounded tail). Timed: probes step back from the end doubling the distance
    /// (1, 2, 4 … MiB) until a probe's first timestamped line is older than `cutoff`, then a
    /// binary search narrows the crossing to within 1 MiB. Lines before the cutoff in that last
    /// stretch are skipped by the processor (`notBefore`). Assumes roughly time-ordered lines.
    /// Returns the offset of a line start and whether the file is timed.
    func backfillStart(size: Int64, cutoff: Date) -> (Int64, Bool) {
        var parser = LogLineParser(timeZone: timeZone)
        let last = probe(at: max(0, size - Self.probeBytes), size: size, parser: &parser)
        guard let newest = last.time else {
            let tail = max(0, size - Self.untimedTailBytes)
            return (tail == 0 ? 0 : (probe(at: tail, size: size, parser: &parser).lineStart ?? tail), false)
        }
        if newest < cutoff { return (last.lineStart ?? max(0, size - Self.probeBytes), true) }
        var newer = max(0, size - Self.probeBytes)     // the window has begun at or before here
        var older: Int64?                               // a line start older than the cutoff
        var step = Self.searchStepBytes
        while older == nil, newer > 0, !shouldStop() {
            let position = max(0, size - step)
            let found = probe(at: position, size: size, parser: &parser)
            if let time = found.time, time < cutoff, let lineStart = found.lineStart {
                older = lineStart
            } else {
                newer = position
                step *= 2
            }
        }
        guard var low = older else { return (0, true) }
        var high = newer
        while high - low > Self.searchStepBytes, !shouldStop() {
            let middle = low + (high - low) / 2
            let found = probe(at: middle, size: size, parser: &parser)
            if let time = found.time, time < cutoff, let lineStart = found.lineStart, lineStart < high {
                low = lineStart
            } else {
                high = middle
            }
        }
        return (low, true)
    }

    /// Bytes read by one backfill probe.
    static let probeBytes: Int64 = 64 << 10

    /// The first complete timestamped line in the 64 KiB at `offset`: its start and time.
    private func probe(at offset: Int64, size: Int64, parser: inout LogLineParser) -> (lineStart: Int64?, time: Date?) {
        let length = Int(min(Self.probeBytes, size - offset))
        guard length > 0 else { return (nil, nil) }
        let count = pread(fd, buffer, length, off_t(offset))
        guard count > 0 else { return (nil, nil) }
        bytesRead += Int64(count)
        let chunk = UnsafeBufferPointer(start: buffer, count: count)
        var lineStart = 0
        if offset > 0 {
            guard let newline = chunk.firstIndex(of: 0x0A) else { return (nil, nil) }
            lineStart = newline + 1
        }
        let firstLine = lineStart
        while lineStart < count {
            guard let end = chunk[lineStart...].firstIndex(of: 0x0A) ?? (offset + Int64(count) == size ? count : nil) else { break }
            let line = UnsafeBufferPointer(rebasing: chunk[lineStart..<end])
            let shape = parser.shape(of: line)
            // A time that cannot be used (1e22, year 0, a day ahead) makes the line untimed, as in the processor.
            if shape.format != .plain, let time = LogLineProcessor.usableTime(parser.timestamp(of: line, shape: shape), arrival: Date()) {
                return (offset + Int64(lineStart), time)
            }
            lineStart = end + 1
        }
        return (firstLine < count ? offset + Int64(firstLine) : nil, nil)
    }

    static func identity(of fileStat: stat) -> FileIdentity {
        FileIdentity(device: UInt64(fileStat.st_dev), inode: UInt64(fileStat.st_ino))
    }
}
