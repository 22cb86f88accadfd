import CachewatchCore
import CompressNIO
import Foundation
import NIOCore

/// Reads a recording back, document by document, tolerating truncation and corruption.
///
/// gzip (one stream with sync flushes, or concatenated members) and plain NDJSON (a recording that
/// went through `zcat`) are both read. A truncated or corrupt file yields every complete entry before
/// the damage, and `RecordingReadSummary.problem` says what happened in one sentence.
public enum RecordingReader {
    /// Bytes read from the file at a time.
    static let chunkBytes = 256 << 10

    /// Streams the documents of `path` to `each` (return false to stop early); `onHeader` sees the
    /// header before the first document.
    ///
    /// Throws `RecordingError` when the file cannot be opened or is not a recording at all, and
    /// rethrows what the closures throw.
    @discardableResult
    public static func read(path: String, onHeader: ((RecordingHeader) throws -> Void)? = nil,
                            each: (RecordedDocument) throws -> Bool) throws -> RecordingReadSummary {
        let shown = DisplayEscaper.escape(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RecordingError("The recording \(shown) does not exist.")
        }
        guard !isDirectory.boolValue else { throw RecordingError("\(shown) is a directory, not a recording.") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw RecordingError("Cannot read the recording \(shown) (permission denied?).")
        }
        defer { try? handle.close() }
        return try withoutActuallyEscaping(each) { each in
            try read(handle: handle, shown: shown, onHeader: onHeader, each: each)
        }
    }

    private static func read(handle: FileHandle, shown: String, onHeader: ((RecordingHeader) throws -> Void)?,
                             each: @escaping (RecordedDocument) throws -> Bool) throws -> RecordingReadSummary {
        var state = ReadState(shown: shown, onHeader: onHeader, each: each)
        var stream = LineStream()
        var inflater: Inflater?
        var first = true
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: chunkBytes) ?? Data() } catch {
                state.damage("reading it failed (\(error.localizedDescription))")
                break
            }
            if chunk.isEmpty { break }
            if first {
                first = false
                if chunk.count >= 2, chunk[chunk.startIndex] == 0x1F, chunk[chunk.startIndex + 1] == 0x8B {
                    inflater = try Inflater()
                }
            }
            var keepGoing = true
            if let inflater {
                let damaged = inflater.inflate(chunk) { keepGoing = keepGoing && stream.append($0, to: &state) }
                if let damaged, keepGoing { state.damage(damaged); break }
            } else {
                keepGoing = stream.append(Array(chunk), to: &state)
            }
            if !keepGoing || state.stopped { break }
        }
        if !state.stopped {
            if stream.hasPartialLine { state.damage("its last entry is incomplete (the recording was interrupted)") }
            else if let inflater, !inflater.finished, state.problem == nil, state.decoder.header != nil {
                state.interrupted = true   // no gzip trailer: the writer did not close it (all entries are complete)
            }
        }
        if let error = state.error { throw error }
        if let fatal = state.fatal { throw RecordingError("\(shown) cannot be replayed: \(fatal).") }
        if state.decoder.header == nil { throw RecordingError("\(shown) cannot be replayed: it is empty or not a cachewatch recording.") }
        return state.summary
    }
}

/// What a reading found besides the documents.
public struct RecordingReadSummary: Sendable {
    public var header: RecordingHeader
    public var documents: Int
    /// One sentence when the file was damaged (the documents before the damage were delivered).
    public var problem: String?
    /// True when the recording ended without its gzip trailer (the writer was killed); no entry was lost.
    public var interrupted: Bool
}

/// Mutable state of one reading.
private struct ReadState {
    let shown: String
    let onHeader: ((RecordingHeader) throws -> Void)?
    let each: (RecordedDocument) throws -> Bool
    var decoder = RecordingDecoder()
    var documents = 0
    var problem: String?
    var fatal: String?
    var stopped = false
    var interrupted = false
    var error: Error?

    init(shown: String, onHeader: ((RecordingHeader) throws -> Void)?, each: @escaping (RecordedDocument) throws -> Bool) {
        self.shown = shown
        self.onHeader = onHeader
        self.each = each
    }

    mutating func damage(_ reason: String) {
        if problem == nil { problem = "\(shown) is damaged: \(reason); replaying the \(documents) entries before it." }
    }

    var summary: RecordingReadSummary {
        var problem = self.problem
        if problem == nil, let first = decoder.firstProblem {
            problem = "\(shown) has \(decoder.skippedLines) unreadable entries (\(first)); they were skipped."
        }
        // The decoder exists only when a header was read (checked by the caller).
        let header = decoder.header ?? RecordingHeader(cachewatchVersion: "", target: .null, startedAt: Date(), intervalSeconds: 1)
        return RecordingReadSummary(header: header, documents: documents, problem: problem, interrupted: interrupted)
    }

    /// Handles one complete line; false stops the reading.
    mutating func line(_ bytes: [UInt8]) -> Bool {
        switch decoder.decode(line: bytes) {
        case .skipped: return true
        case let .header(header):
            guard decoder.header == header, documents == 0, let onHeader else { return true }
            do { try onHeader(header) } catch {
                self.error = error
                stopped = true
                return false
            }
            return true
        case let .fatal(reason):
            fatal = reason
            stopped = true
            return false
        case let .document(document):
            documents += 1
            do {
                if try !each(document) { stopped = true; return false }
            } catch {
                self.error = error
                stopped = true
                return false
            }
            return true
        }
    }
}

/// Splits decompressed bytes into lines, bounding the longest line.
private struct LineStream {
    private var pending: [UInt8] = []

    var hasPartialLine: Bool { !pending.isEmpty }

    mutating func append(_ bytes: [UInt8], to state: inout ReadState) -> Bool {
        var start = 0
        while let newline = bytes[start...].firstIndex(of: 0x0A) {
            pending.append(contentsOf: bytes[start..<newline])
            let line = pending
            pending.removeAll(keepingCapacity: true)
            if !state.line(line) { return false }
            start = newline + 1
        }
        pending.append(contentsOf: bytes[start...])
        if pending.count > RecordingDecoder.maximumLineBytes {
            // No writer produces such a line: the rest of the file is not read (bounded memory).
            pending.removeAll()
            state.damage("an entry is longer than 64 MiB")
            state.stopped = true
            return false
        }
        return true
    }
}

/// Streaming gzip decompression of concatenated members.
private final class Inflater {
    private var decompressor: ZlibDecompressor
    private let allocator = ByteBufferAllocator()

    init() throws {
        do { decompressor = try ZlibDecompressor(algorithm: .gzip) } catch {
            throw RecordingError("Cannot start decompressing the recording (\(error)).")
        }
    }

    /// Decompresses one chunk, passing the output on; returns a reason when the data is corrupt.
    func inflate(_ chunk: Data, output: ([UInt8]) -> Void) -> String? {
        var input = allocator.buffer(capacity: chunk.count)
        input.writeBytes(chunk)
        var out = allocator.buffer(capacity: 1 << 20)
        while input.readableBytes > 0 {
            out.clear()
            do {
                try decompressor.inflate(from: &input, to: &out)
                output(Array(out.readableBytesView))
                // Returning with input left means the gzip member ended (Z_STREAM_END); another may follow.
                if input.readableBytes > 0 { try decompressor.reset() }
            } catch let error as CompressNIOError where error == .bufferOverflow {
                output(Array(out.readableBytesView))   // output full: drain and go on
            } catch let error as CompressNIOError where error == .inputBufferOverflow {
                output(Array(out.readableBytesView))   // needs the next chunk
                return nil
            } catch {
                output(Array(out.readableBytesView))
                return "its compressed data is corrupt"
            }
        }
        return nil
    }

    /// True when the last gzip member ended with its trailer (the writer closed the file).
    var finished: Bool {
        var input = allocator.buffer(capacity: 16)
        var out = allocator.buffer(capacity: 64)
        do {
            try decompressor.inflate(from: &input, to: &out)
            return true
        } catch {
            return false
        }
    }
}

extension RecordingReader {
    /// The recorded document nearest to `time` (`time` given as on the command line: ISO-8601 or
    /// `HH:MM[:SS]` on the recording's day), with the summary of the reading.
    public static func nearest(path: String, time text: String) throws -> (RecordedDocument, RecordingReadSummary) {
        var target: Date?
        var best: RecordedDocument?
        let summary = try read(path: path, onHeader: { header in
            guard let time = RecordingTime.parse(text, recordingStart: header.startedAt) else {
                throw RecordingError("\(DisplayEscaper.escape(text)) is not a time (use HH:MM[:SS] in UTC, or ISO-8601 such as 2026-11-29T14:00:00Z).")
            }
            target = time
        }, each: { document in
            guard let target else { return false }
            let distance = abs(document.takenAt.timeIntervalSince(target))
            if let current = best {
                if distance < abs(current.takenAt.timeIntervalSince(target)) {
                    best = document
                } else if document.takenAt > target {
                    return false   // documents are in time order: later ones are only farther away
                }
            } else {
                best = document
            }
            return true
        })
        guard let best else {
            throw RecordingError("The recording \(DisplayEscaper.escape(path)) holds no document.")
        }
        return (best, summary)
    }
}
