import CachewatchCore
import CompressNIO
import Foundation
import NIOCore

/// Writes a recording: one gzip stream, each entry compressed and flushed (Z_SYNC_FLUSH) to the
/// file as soon as it is added, so an interrupted recording replays up to its last complete entry
/// while the compression dictionary carries over from entry to entry.
///
/// Not thread-safe: one thread (the watch loop, the dashboard loop) owns a writer.
public final class RecordingWriter {
    /// How entries are compressed (streaming is what cachewatch writes; members exist to compare).
    public enum Compression: Sendable {
        /// One gzip stream, a sync flush after each entry.
        case streaming
        /// One complete gzip member per entry (no shared dictionary).
        case memberPerEntry
    }

    public let path: String
    /// Compressed bytes written so far (header included).
    public private(set) var bytesWritten = 0
    /// Uncompressed bytes (lines) written so far.
    public private(set) var textBytesWritten = 0
    /// True when the last entry written carried its census (not a `census_ref`).
    public private(set) var lastEntryHeldCensus = false
    private var encoder = RecordingEncoder()
    private let compression: Compression
    private var compressor: ZlibCompressor
    private var descriptor: Int32
    private let allocator = ByteBufferAllocator()

    /// Creates the file (refusing to replace an existing one unless `overwrite`) and writes the header.
    public init(path: String, overwrite: Bool, header: RecordingHeader, compression: Compression = .streaming) throws {
        self.path = path
        self.compression = compression
        let shown = DisplayEscaper.escape(path)
        guard !path.isEmpty else { throw RecordingError("The recording path is empty.") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw RecordingError("\(shown) is a directory; give a file name for the recording.") }
            if !overwrite { throw RecordingError("\(shown) already exists; choose a new file name, or pass --force to replace it.") }
        }
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL)
        descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else {
            throw RecordingError("Cannot create the recording \(shown) (\(String(cString: strerror(errno)))).")
        }
        do {
            compressor = try ZlibCompressor(algorithm: .gzip, configuration: ZlibConfiguration(compressionLevel: .compressionLevel6))
            try writeLine(encoder.headerLine(header))
        } catch {
            close(descriptor)
            descriptor = -1
            throw error
        }
    }

    deinit { finish() }

    /// Adds one document (a `watch` document's JSON) and flushes it to the file.
    public func append(document: JSONValue) throws {
        let line = encoder.entryLine(document: document)
        lastEntryHeldCensus = encoder.lastEntryHeldCensus
        try writeLine(line)
    }

    /// Ends the gzip stream (trailer with CRC) and closes the file; safe to call twice.
    public func finish() {
        guard descriptor >= 0 else { return }
        if compression == .streaming {
            var input = allocator.buffer(capacity: 16)
            var output = allocator.buffer(capacity: 64)
            if (try? compressor.deflate(from: &input, to: &output, flush: .finish)) != nil {
                try? writeAll(output)
            }
        }
        fsync(descriptor)
        close(descriptor)
        descriptor = -1
    }

    private func writeLine(_ line: String) throws {
        guard descriptor >= 0 else { throw RecordingError("The recording \(DisplayEscaper.escape(path)) is closed.") }
        var input = allocator.buffer(capacity: line.utf8.count + 1)
        input.writeString(line)
        input.writeInteger(UInt8(ascii: "\n"))
        textBytesWritten += input.readableBytes
        var output = allocator.buffer(capacity: compressor.maxSize(from: input) + 64)
        do {
            switch compression {
            case .streaming:
                try compressor.deflate(from: &input, to: &output, flush: .sync)
            case .memberPerEntry:
                try compressor.deflate(from: &input, to: &output, flush: .finish)
                try compressor.reset()
            }
        } catch {
            throw RecordingError("Cannot compress an entry of the recording \(DisplayEscaper.escape(path)) (\(error)).")
        }
        try writeAll(output)
    }

    private func writeAll(_ buffer: ByteBuffer) throws {
        let written = buffer.withUnsafeReadableBytes { bytes -> Int in
            guard let base = bytes.baseAddress else { return 0 }
            var offset = 0
            while offset < bytes.count {
                let result = write(descriptor, base + offset, bytes.count - offset)
                if result < 0 {
                    if errno == EINTR { continue }
                    return -Int(errno)
                }
                offset += result
            }
            return offset
        }
        guard written >= 0 else {
            throw RecordingError("Cannot write the recording \(DisplayEscaper.escape(path)) (\(String(cString: strerror(Int32(-written))))).")
        }
        bytesWritten += written
    }
}
