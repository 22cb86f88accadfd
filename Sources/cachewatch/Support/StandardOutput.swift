import Foundation

/// Raw writes to stdout that survive EINTR and report a closed reader (EPIPE) instead of dying.
enum StandardOutput {
    /// Writes all bytes; false when stdout was closed (e.g. the reader of a pipe went away).
    static func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}
