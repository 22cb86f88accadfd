import CachewatchCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// The monitor's per-source parts: what each source has published, the per-line scanning state a file's chunks go
// through, and the glob expansion.
extension LogMonitor {
    /// One source's counts as the report shows them (kept under the monitor's lock).
    struct Published {
        var path: String
        var format = "unknown"
        var lines = 0
        var unparsed = 0
        var truncated = 0
        var unparsedTime = 0
        var status = "missing"
        var detail: String?
        var lastLineAt: Date?
        var followingSince: Date?
        var patternDeletions = PatternDeletionCounts()
        /// The processor's deploy lines already taken into the monitor's list.
        var deployLinesTaken = 0

        /// Takes the processor's counts and format; a source that delivered new lines was heard from `now`.
        mutating func absorb(_ processor: LogLineProcessor, now: Date) {
            if processor.lines > lines { lastLineAt = now }
            lines = processor.lines
            unparsed = processor.unparsed
            truncated = processor.truncated
            unparsedTime = processor.unparsedTime
            format = processor.formatName
            patternDeletions = processor.patternDeletions
        }
    }

    /// What the per-line path touches, kept behind one pointer: no retains, no exclusivity checks per line.
    struct LineState {
        var processor: LogLineProcessor
        var needles: NeedleScanner
        /// Finds memcached pattern-deletion lines (`PatternDeletionCounts.needle`) the same way.
        var deletionNeedles = NeedleScanner(needle: PatternDeletionCounts.needle)
        /// One scanner per deploy pattern (`[logs] deploy_patterns`).
        var deployNeedles: [NeedleScanner] = []
        var events: [FailOpenEvent] = []
        var arrival = Date()
        /// Chunks begun since the needles' anchors were last chosen from the text (`calibrateNeedles`).
        var chunksSinceCalibration = 0
        /// Chunks done since the source was last published (see `chunksPerPublish`).
        var chunksSincePublish = 0
        /// A state whose needles are the processor's fail-open prefix and deploy patterns.
        init(processor: LogLineProcessor) {
            self.processor = processor
            needles = NeedleScanner(needle: processor.matcher.commonPrefix)
            deployNeedles = processor.deployLines.patterns.map { NeedleScanner(needle: $0) }
        }

        /// A source is published after this many chunks (1 MiB of `FileFollower.chunkBytes`), and after each poll.
        static let chunksPerPublish = max(1, (1 << 20) / FileFollower.chunkBytes)

        /// Every `calibrationIntervalChunks` chunks (the first included), re-chooses each needle's anchor byte from the
        /// byte counts of the chunk's first `calibrationSampleBytes` (speed only: what is found stays the same).
        mutating func calibrateNeedles(_ chunk: UnsafeBufferPointer<UInt8>) {
            defer { chunksSinceCalibration += 1 }
            guard chunksSinceCalibration % Self.calibrationIntervalChunks == 0 else { return }
            let counts = NeedleScanner.byteCounts(of: UnsafeBufferPointer(rebasing: chunk.prefix(Self.calibrationSampleBytes)))
            needles.calibrate(counts: counts)
            deletionNeedles.calibrate(counts: counts)
            for index in deployNeedles.indices { deployNeedles[index].calibrate(counts: counts) }
        }

        /// Processes one line delivered alone (the first of a chunk, a cut one, the last of a file), as `processBlock`
        /// would.
        mutating func processLine(_ bytes: UnsafeBufferPointer<UInt8>, truncated: Bool) {
            let mayContain = needles.mayContain(bytes)
            if let event = processor.process(bytes, arrival: arrival, truncated: truncated, mayContainPrefix: mayContain) {
                events.append(event)
            }
            if deletionNeedles.mayContain(bytes) { processor.notePatternDeletion(in: bytes) }
            if mayContainDeploy(bytes) { processor.noteDeployLine(in: bytes, arrival: arrival) }
        }

        /// Prepares the needles for a chunk about to be split into lines.
        mutating func beginChunk(_ chunk: UnsafeBufferPointer<UInt8>) {
            calibrateNeedles(chunk)
            needles.begin(chunk)
            deletionNeedles.begin(chunk)
            for index in deployNeedles.indices { deployNeedles[index].begin(chunk) }
        }

        /// Releases the needles' hold on the chunk just split.
        mutating func endChunk() {
            needles.end()
            deletionNeedles.end()
            for index in deployNeedles.indices { deployNeedles[index].end() }
        }

        static let calibrationIntervalChunks = 64
        static let calibrationSampleBytes = 16 << 10

        /// Processes a run of complete lines (each ends with its newline, none truncated) from the current chunk.
        ///
        /// The result is the one the per-line `line` callback gives: lines where the needle (the
        /// matchers' common prefix) occurs go through `process` with `mayContainPrefix: true`; the
        /// others, known not to contain it, through `countLineWithoutPrefix` (which `process` with
        /// `mayContainPrefix: false` would equal). Newlines are found with memchr over the block.
        /// Runs of lines that end before the next occurrence of every needle (fail-open, deletion, deploy) go to
        /// `countShortcutLines` first, which counts those that `countLineWithoutPrefix` would take by its shortcut.
        mutating func processBlock(_ block: UnsafeBufferPointer<UInt8>) {
            guard let base = block.baseAddress else { return }
            let end = base + block.count
            let everyLineMayContain = needles.needle.isEmpty
            var lineStart = base
            var hit = needles.firstOccurrence(from: base)
            var deletionHit = deletionNeedles.firstOccurrence(from: base)
            // Each pattern's next occurrence, advanced only past lines already passed (no rescans), and their minimum.
            var deployHits = deployNeedles.map { $0.firstOccurrence(from: base) }
            var deployHit = Self.earliest(deployHits)
            while lineStart < end {
                if !everyLineMayContain {
                    // Lines that end before every needle's next occurrence are counted by their header in one run.
                    if let occurrence = hit, occurrence < lineStart { hit = needles.firstOccurrence(from: lineStart) }
                    if let occurrence = deletionHit, occurrence < lineStart { deletionHit = deletionNeedles.firstOccurrence(from: lineStart) }
                    if let occurrence = deployHit, occurrence < lineStart {
                        for index in deployHits.indices {
                            if let hit = deployHits[index], hit < lineStart { deployHits[index] = deployNeedles[index].firstOccurrence(from: lineStart) }
                        }
                        deployHit = Self.earliest(deployHits)
                    }
                    let clear = min(hit ?? end, deletionHit ?? end, deployHit ?? end)
                    if clear > lineStart {
                        lineStart += processor.countShortcutLines(UnsafeBufferPointer(start: lineStart, count: end - lineStart),
                                                                  clearUntil: clear - lineStart)
                        if lineStart >= end { break }
                    }
                }
                guard let found = memchr(lineStart, 0x0A, end - lineStart) else { break }
                let newline = UnsafePointer(found.assumingMemoryBound(to: UInt8.self))
                let line = UnsafeBufferPointer(start: lineStart, count: newline - lineStart)
                if let occurrence = hit, occurrence < lineStart { hit = needles.firstOccurrence(from: lineStart) }
                if everyLineMayContain || (hit.map { $0 < newline } ?? false) {
                    if let event = processor.process(line, arrival: arrival, mayContainPrefix: true) { events.append(event) }
                } else {
                    processor.countLineWithoutPrefix(line)
                }
                if let occurrence = deletionHit, occurrence < lineStart { deletionHit = deletionNeedles.firstOccurrence(from: lineStart) }
                if let occurrence = deletionHit, occurrence < newline { processor.notePatternDeletion(in: line) }
                if let occurrence = deployHit, occurrence < lineStart {
                    for index in deployHits.indices {
                        if let hit = deployHits[index], hit < lineStart { deployHits[index] = deployNeedles[index].firstOccurrence(from: lineStart) }
                    }
                    deployHit = Self.earliest(deployHits)
                }
                if let occurrence = deployHit, occurrence < newline { processor.noteDeployLine(in: line, arrival: arrival) }
                lineStart = newline + 1
            }
        }

        /// The earliest of several occurrences (nil: none).
        static func earliest(_ hits: [UnsafePointer<UInt8>?]) -> UnsafePointer<UInt8>? {
            var first: UnsafePointer<UInt8>?
            for case let hit? in hits where first.map({ hit < $0 }) ?? true { first = hit }
            return first
        }

        /// False only when the line certainly contains no deploy pattern.
        mutating func mayContainDeploy(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
            var any = false
            for index in deployNeedles.indices where deployNeedles[index].mayContain(line) { any = true }
            return any
        }
    }

    final class FileSource {
        let id: Int
        let follower: FileFollower
        let fromGlob: String?
        let state: UnsafeMutablePointer<LineState>
        init(id: Int, follower: FileFollower, fromGlob: String?, processor: LogLineProcessor) {
            self.id = id
            self.follower = follower
            self.fromGlob = fromGlob
            state = UnsafeMutablePointer<LineState>.allocate(capacity: 1)
            state.initialize(to: LineState(processor: processor))
        }
        deinit {
            state.deinitialize(count: 1)
            state.deallocate()
        }
    }

    static func isGlob(_ path: String) -> Bool {
        path.contains("*") || path.contains("?") || path.contains("[")
    }

    /// Expands a pattern with glob(3): regular files only, sorted.
    static func expand(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(pattern, 0, nil, &result) == 0 else { return [] }
        var matches: [String] = []
        for index in 0..<Int(result.gl_pathc) {
            guard let pointer = result.gl_pathv[index] else { continue }
            let path = String(cString: pointer)
            var fileStat = stat()
            if stat(path, &fileStat) == 0, (fileStat.st_mode & S_IFMT) == S_IFDIR { continue }
            matches.append(path)
        }
        return matches.sorted()
    }
}
