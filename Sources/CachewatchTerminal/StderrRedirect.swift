#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Why stderr could not be redirected.
public struct StderrRedirectError: Error, CustomStringConvertible {
    public var description: String
}

/// Sends file descriptor 2 to `path` (appending, created 0600) so messages written while curses owns the screen
/// do not scribble over it. Returns a duplicate of the previous stderr for `restoreStderr(_:)`.
public func redirectStderr(to path: String) throws -> Int32 {
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
        throw StderrRedirectError(description: "cannot open the log file \(path): \(String(cString: strerror(errno))).")
    }
    let saved = dup(STDERR_FILENO)
    guard saved >= 0, dup2(fd, STDERR_FILENO) >= 0 else {
        let reason = String(cString: strerror(errno))
        close(fd)
        if saved >= 0 { close(saved) }
        throw StderrRedirectError(description: "cannot redirect stderr to \(path): \(reason).")
    }
    close(fd)
    return saved
}

/// Puts stderr back (the descriptor returned by `redirectStderr`) and closes the duplicate.
public func restoreStderr(_ saved: Int32) {
    guard saved >= 0 else { return }
    dup2(saved, STDERR_FILENO)
    close(saved)
}
