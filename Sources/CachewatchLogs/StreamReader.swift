import CachewatchCore
import CachewatchThreads
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a stream (stdin, a pipe) on its own thread and hands its bytes over, until EOF or `stop`.
///
/// It waits with `poll(2)` in 100 ms slices so `stop` returns promptly even while the writer is silent.
final class StreamReader {
    typealias ChunkHandler = (UnsafeBufferPointer<UInt8>, inout LineSplitter) -> Void
    typealias EndHandler = (inout LineSplitter, _ error: String?) -> Void

    let descriptor: Int32
    private let worker = WorkerThread(name: "cachewatch-stream")
    private let onChunk: ChunkHandler
    private let onEnd: EndHandler
    private var running = false

    /// `onChunk` gets raw bytes and the line splitter; `onEnd` runs once at EOF or a read error (not on `stop`).
    init(descriptor: Int32, onChunk: @escaping ChunkHandler, onEnd: @escaping EndHandler) {
        self.descriptor = descriptor
        self.onChunk = onChunk
        self.onEnd = onEnd
    }

    func start() {
        guard !running else { return }
        running = true
        worker.start { [self] in run() }
    }

    /// Stops reading and waits for the thread (at most ~100 ms more).
    func stop() {
        guard running else { return }
        running = false
        worker.stop()
    }

    private func run() {
        var splitter = LineSplitter()
        let capacity = 1 << 20
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var error: String?
        while !worker.isStopping {
            var descriptorPoll = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptorPoll, 1, 100)
            if ready < 0 {
                if errno == EINTR { continue }
                error = String(cString: strerror(errno))
                break
            }
            if ready == 0 { continue }
            let count = read(descriptor, buffer, capacity)
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                error = String(cString: strerror(errno))
                break
            }
            if count == 0 { break }
            onChunk(UnsafeBufferPointer(start: buffer, count: count), &splitter)
        }
        if !worker.isStopping { onEnd(&splitter, error) }
    }
}
