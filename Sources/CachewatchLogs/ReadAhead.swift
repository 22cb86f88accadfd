import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads the next chunk of a file on another thread while the current one is being processed.
///
/// Two buffers take turns: `start(at:)` begins a `pread` into the buffer not handed out last and
/// returns it; `wait()` returns that read's byte count (or -1). `finish()` waits for a read in flight
/// (so no buffer is written after its owner moved on) and frees the buffers.
final class ReadAhead: @unchecked Sendable {
    private let fd: Int32
    private let capacity: Int
    private let buffers: [UnsafeMutablePointer<UInt8>]
    private var turn = 0
    private var inFlight = false
    private var result = 0
    private let done = DispatchSemaphore(value: 0)
    private let queue = DispatchQueue(label: "cachewatch-read-ahead")

    init(fd: Int32, capacity: Int) {
        self.fd = fd
        self.capacity = capacity
        buffers = [UnsafeMutablePointer<UInt8>.allocate(capacity: capacity),
                   UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)]
    }

    /// Starts reading `capacity` bytes at `offset`; the returned buffer is valid after `wait()`.
    func start(at offset: Int64) -> UnsafeMutablePointer<UInt8> {
        precondition(!inFlight)
        turn ^= 1
        let index = turn
        inFlight = true
        queue.async { [self] in
            result = pread(fd, buffers[index], capacity, off_t(offset))
            done.signal()
        }
        return buffers[index]
    }

    /// The byte count of the read started last (-1: error).
    func wait() -> Int {
        guard inFlight else { return 0 }
        done.wait()
        inFlight = false
        return result
    }

    /// Waits for a read in flight and frees the buffers.
    func finish() {
        _ = wait()
        for buffer in buffers { buffer.deallocate() }
    }
}
