import Foundation

/// Collects stdout text in 64 KiB blocks (a million TSV lines must not be a million write calls).
final class BufferedOutput {
    private var buffer: [UInt8] = []
    private let limit = 64 * 1024

    init() { buffer.reserveCapacity(limit + 4096) }

    /// Appends text, writing a block when the buffer is full.
    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= limit { flush() }
    }

    /// Appends UTF-8 bytes, writing a block when the buffer is full.
    func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= limit { flush() }
    }

    /// Writes everything buffered; a closed stdout (e.g. `| head`) ends quietly.
    func flush() {
        guard StandardOutput.write(buffer) else { exit(0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
